"""HCPCS Level II annual file readers: fixed-width txt and xlsx, on synthetic files built
here and on the real CMS files when ../shared/data is present."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from updater.errors import UpdaterError
from updater.files.sources import Source
from updater.releases.readers import ReadOptions, _lines, load_release
from updater.releases.readers.hcpcs_fixed import COLUMNS, FIELDS, parse_hcpcs_lines
from updater.releases.readers.hcpcs_fixed import READER as FIXED
from updater.releases.readers.hcpcs_xlsx import READER as XLSX
from updater.releases.readers.hcpcs_xlsx import parse_hcpcs_sheet
from updater.vocabulary import CodeSystem

HINT = "the file looks damaged or truncated; re-download it from CMS"
DISCLAIMER = ["***Disclaimers", "", "-- Synthetic test file, not CMS data.", ""]
LONG_TEXT = ("Synthetic supply with a description long enough to need a second record "
             "of the fixed-width file, and then a third one to be sure that all three "
             "records are joined")


def record(code: str, recid: str, long: str, short: str = "", seq: int = 10,
           **fields: str) -> str:
    """One 320-character record; ``fields`` by normalized column name, dates YYYYMMDD."""
    line = [" "] * 320

    def put(first: int, last: int, text: str) -> None:
        assert len(text) <= last - first + 1, (text, first, last)
        line[first - 1:first - 1 + len(text)] = text

    put(1, 5, code.rjust(5) if len(code) == 2 else code)
    put(6, 10, f"{seq:05d}")
    put(11, 11, recid)
    put(12, 91, long)
    if recid in "37":
        put(92, 119, short)
        by_name = {f.name: f for f in FIELDS}
        defaults = {"add_date": "20300101", "action_effective_date": "20300101",
                    "action_code": "N"}
        for name, value in {**defaults, **fields}.items():
            put(by_name[name].first, by_name[name].last, value)
    return "".join(line)


def procedure(code: str, long: str, short: str, **fields: str) -> list[str]:
    """A procedure's first record and its continuations, words kept whole as CMS does."""
    chunks, current = [], ""
    for word in long.split():
        if current and len(current) + 1 + len(word) > 80:
            chunks.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    chunks.append(current)
    return [record(code, "3", chunks[0], short, **fields),
            *(record(code, "4", c, seq=10 + i) for i, c in enumerate(chunks[1:], 1))]


SAMPLE_FIELDS = dict(
    pricing_indicator_1="51", pricing_indicator_2="52", pricing_indicator_4="99",
    multiple_pricing="A", cim_1="60-9", cim_3="65-10", mcm_1="2049", mcm_3="4270",
    statute="1833(t)", lab_cert_1="140", lab_cert_8="220", xref1="Z9002", xref5="Z9003",
    coverage="D", asc_group="YY", asc_effective_date="20290101", opps_group="659",
    opps_indicator="1", opps_effective_date="20280701", processing_note="0088", betos="O1E",
    type_of_service_1="1", type_of_service_5="P", anesthesia_units="  5",
    add_date="20290401", action_effective_date="20300101", termination_date="20301231",
    action_code="C")


def sample_lines() -> list[str]:
    return [
        *DISCLAIMER,
        record("ZZ", "7", "Synthetic modifier, first of its kind", "Synthetic modifier",
               coverage="C"),
        *procedure("Z9001", LONG_TEXT, "Synthetic supply", **SAMPLE_FIELDS),
        record("Z9002", "3", "Synthetic drug, 10 mg", "Synthetic drug 10 mg",
               action_code="A", termination_date=""),
    ]


EXPECTED_Z9001 = {
    "code": "Z9001", "record": "code", "short": "Synthetic supply", "long": LONG_TEXT,
    "add_date": "2029-04-01", "action_effective_date": "2030-01-01",
    "termination_date": "2030-12-31", "action_code": "C",
    "xref1": "Z9002", "xref2": "", "xref3": "", "xref4": "", "xref5": "Z9003",
    "pricing_indicator_1": "51", "pricing_indicator_2": "52", "pricing_indicator_3": "",
    "pricing_indicator_4": "99", "multiple_pricing": "A",
    "cim_1": "60-9", "cim_2": "", "cim_3": "65-10", "mcm_1": "2049", "mcm_2": "",
    "mcm_3": "4270", "statute": "1833(t)",
    "lab_cert_1": "140", **{f"lab_cert_{i}": "" for i in range(2, 8)}, "lab_cert_8": "220",
    "coverage": "D", "asc_group": "YY", "asc_effective_date": "2029-01-01",
    "opps_group": "659", "opps_indicator": "1", "opps_effective_date": "2028-07-01",
    "processing_note": "0088", "betos": "O1E", "type_of_service_1": "1",
    "type_of_service_2": "", "type_of_service_3": "", "type_of_service_4": "",
    "type_of_service_5": "P", "anesthesia_units": "5",
}


def write_txt(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("ascii"))
    return path


def write_xlsx(path: Path, table: pd.DataFrame | None = None,
               rows: list[list[object]] | None = None) -> Path:
    """The CMS xlsx shape: disclaimer rows, the header row, one row per code."""
    book = openpyxl.Workbook()
    sheet = book.active
    for text in DISCLAIMER:
        sheet.append([text])
    sheet.append(["HCPC", "SEQNUM", "RECID", "LONG DESCRIPTION", "SHORT DESCRIPTION",
                  *(f.header for f in FIELDS)])
    if table is not None:
        for r in table.itertuples(index=False):
            values = r._asdict()
            cells: list[object] = [
                values["code"].rjust(5), "0010", "7" if values["record"] == "modifier" else "3",
                values["long"], values["short"]]
            for f in FIELDS:
                v = values[f.name]
                cells.append(v.replace("-", "") if f.date else v)
            sheet.append(cells)
    for row in rows or []:
        sheet.append(row)
    book.save(path)
    return path


def lines_of(text_lines: list[str]) -> object:
    return _lines.split_lines("\r\n".join(text_lines))


# --- the fixed-width reader on synthetic files -------------------------------------------

def test_fixed_width_fields_continuations_and_modifiers() -> None:
    table = parse_hcpcs_lines(lines_of(sample_lines()), "t.txt")
    assert list(table.columns) == list(COLUMNS)
    assert table["code"].tolist() == ["ZZ", "Z9001", "Z9002"]
    assert table["record"].tolist() == ["modifier", "code", "code"]
    assert table.iloc[1].to_dict() == EXPECTED_Z9001
    assert all(str(t) == "str" for t in table.dtypes)
    assert not table.isna().any().any()


def test_trimmed_continuations_are_padded_not_rejected() -> None:
    """The 2017 file cuts continuation records right after their text (91 characters)."""
    full = sample_lines()
    trimmed = [line.rstrip() if line[10:11] == "4" else line for line in full]
    assert any(len(line) < 100 for line in trimmed[len(DISCLAIMER):])
    pd.testing.assert_frame_equal(parse_hcpcs_lines(lines_of(trimmed), "t.txt"),
                                  parse_hcpcs_lines(lines_of(full), "t.txt"))


def test_blanks_inside_descriptions_are_folded() -> None:
    lines = [record("Z9001", "3", "Synthetic  item,", "Synthetic   item"),
             record("Z9001", "4", "  continued   here", seq=20)]
    row = parse_hcpcs_lines(lines_of(lines), "t.txt").iloc[0]
    assert (row["long"], row["short"]) == ("Synthetic item, continued here", "Synthetic   item")


def test_asc_date_written_two_columns_early_is_mended() -> None:
    """CMS's 2018 files put five ASC dates in columns 231-238 (group "20", date "170401")."""
    line = record("Z9001", "3", "Synthetic", "Synthetic")
    line = line[:230] + "20300401  " + line[240:]
    row = parse_hcpcs_lines(lines_of([line]), "t.txt").iloc[0]
    assert (row["asc_group"], row["asc_effective_date"]) == ("", "2030-04-01")


def _fails(lines: list[str]) -> str:
    with pytest.raises(UpdaterError) as err:
        parse_hcpcs_lines(lines_of(lines), "t.txt")
    return str(err.value)


def test_first_record_cut_short_names_its_line() -> None:
    lines = sample_lines()
    lines[5] = lines[5][:150]
    assert _fails(lines) == (
        "t.txt, line 6: record cut short: a first record (RECID 3 or 7) has its fields up to "
        f"ACTION CD in column 293; {HINT}")


def test_continuation_cut_before_its_text() -> None:
    lines = [record("Z9001", "3", "Synthetic", "Synthetic"), "Z9001000204"]
    assert _fails(lines) == (
        "t.txt, line 2: record cut short: a continuation record (RECID 4 or 8) has "
        f"description text from column 12; {HINT}")


def test_duplicate_code() -> None:
    lines = [*sample_lines(), record("Z9001", "3", "Synthetic again", "Synthetic again")]
    assert _fails(lines) == (
        "t.txt, line 10: duplicate code Z9001 (also on line 6); each code may appear once; "
        "re-download the publisher's file")


def test_garbage_after_the_first_record() -> None:
    lines = sample_lines()
    lines.insert(6, "this is not a record")
    assert _fails(lines) == (
        "t.txt, line 7: not an HCPCS record: expected a procedure code in columns 1-5 (or a "
        "modifier in 4-5), a sequence number in 6-10 and RECID 3, 4, 7 or 8 in column 11; "
        f"{HINT}")


def test_continuation_of_another_code() -> None:
    lines = [record("Z9001", "3", "Synthetic", "Synthetic"),
             record("Z9009", "4", "more text", seq=20)]
    assert _fails(lines) == (
        "t.txt, line 2: continuation record for another code than the first record before "
        f"it; {HINT}")


def test_modifier_record_with_a_procedure_code() -> None:
    assert _fails([record("Z9001", "7", "Synthetic", "Synthetic")]) == (
        "t.txt, line 1: a modifier record (RECID 7 or 8) has its 2-character modifier in "
        f"columns 4-5 and columns 1-3 blank; {HINT}")


def test_bad_date() -> None:
    lines = [record("Z9001", "3", "Synthetic", "Synthetic", add_date="20301340")]
    assert _fails(lines) == (
        "t.txt, line 1: ADD DT (columns 269-276) is not a date YYYYMMDD: '20301340'; "
        f"{HINT}")


def test_no_records_at_all() -> None:
    assert _fails(DISCLAIMER) == (
        "t.txt: no HCPCS records (a code in columns 1-5, a sequence number in 6-10 and RECID "
        "3, 4, 7 or 8 in column 11); is this the CMS alpha-numeric HCPCS file?")


# --- detection, both formats, the loader --------------------------------------------------

@pytest.mark.parametrize("head, expected", [
    ("\r\n".join(sample_lines()).encode(), True),
    ("\r\n".join(sample_lines()[len(DISCLAIMER):]).encode(), True),
    (b"00001 A00     0 Cholera" + b" " * 60 + b"Cholera\r\n", False),
    ("\r\n".join([*sample_lines(), "not a record", "x"]).encode(), False),
    (b"PK\x03\x04", False),
])
def test_fixed_sniff(tmp_path: Path, head: bytes, expected: bool) -> None:
    path = tmp_path / "anything.dat"
    path.write_bytes(head)
    assert FIXED.sniff(Source(path)) is expected


@pytest.fixture
def synthetic_table() -> pd.DataFrame:
    return parse_hcpcs_lines(lines_of(sample_lines()), "t.txt")


@pytest.mark.parametrize("fmt", ["txt", "xlsx"])
def test_both_formats_load_the_same_table(tmp_path: Path, synthetic_table: pd.DataFrame,
                                          fmt: str) -> None:
    if fmt == "txt":
        path = write_txt(tmp_path / "HCPC2030_CONTR_ANWEB_disc.txt", sample_lines())
    else:
        path = write_xlsx(tmp_path / "HCPC2030_CONTR_ANWEB_disc.xlsx", synthetic_table)
    release, reader = load_release(path)
    assert reader == f"hcpcs-{'fixed' if fmt == 'txt' else 'xlsx'}"
    assert (release.system, release.version, release.effective.isoformat()) == (
        CodeSystem.HCPCS, "2030", "2030-01-01")
    pd.testing.assert_frame_equal(release.table, synthetic_table)


def test_zip_with_both_prefers_the_txt(tmp_path: Path, synthetic_table: pd.DataFrame) -> None:
    txt = write_txt(tmp_path / "HCPC2030_CONTR_ANWEB.txt", sample_lines())
    xlsx = write_xlsx(tmp_path / "HCPC2030_CONTR_ANWEB.xlsx", synthetic_table)
    archive = tmp_path / "2030-Alpha-Numeric-HCPCS-File.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(xlsx, xlsx.name)
        z.write(txt, txt.name)
    release, reader = load_release(archive)
    assert (reader, release.extra["members"]) == ("hcpcs-fixed", "HCPC2030_CONTR_ANWEB.txt")


def test_xlsx_sniff_wants_the_header_names(tmp_path: Path) -> None:
    other = openpyxl.Workbook()
    other.active.append(["HCPCS/Modifier Code", "Type of Change"])
    other.save(tmp_path / "report.xlsx")
    assert not XLSX.sniff(Source(tmp_path / "report.xlsx"))
    assert XLSX.sniff(Source(write_xlsx(tmp_path / "file.xlsx")))


def _xlsx_fails(rows: list[list[object]]) -> str:
    with pytest.raises(UpdaterError) as err:
        parse_hcpcs_sheet(rows, "f.xlsx")
    return str(err.value)


HEADER = ["HCPC", "SEQNUM", "RECID", "LONG DESCRIPTION", "SHORT DESCRIPTION",
          *(f.header for f in FIELDS)]


def sheet_row(code: str, recid: object = "3", **values: object) -> list[object]:
    cells = {f.header: "" for f in FIELDS} | {"ADD DT": "20300101",
                                               "ACT EFF DT": "20300101", "ACTION CD": "N"}
    cells.update(values)
    return [code, "0010", recid, "Synthetic item", "Synthetic", *(cells[f.header]
                                                                   for f in FIELDS)]


def test_xlsx_numbers_and_blank_rows() -> None:
    """Cells Excel keeps as numbers (ACT EFF DT in 2017, RECID) read like the text."""
    rows: list[list[object]] = [["***Disclaimers"], [], HEADER,
                                sheet_row("Z9001", 3.0, **{"ACT EFF DT": 20300101.0}), [],
                                sheet_row("   ZZ", "7")]
    table = parse_hcpcs_sheet(rows, "f.xlsx")
    assert table[["code", "record", "action_effective_date"]].values.tolist() == [
        ["Z9001", "code", "2030-01-01"], ["ZZ", "modifier", "2030-01-01"]]


def test_xlsx_errors_name_the_row() -> None:
    assert _xlsx_fails([["***Disclaimers"], ["HCPC", "SEQNUM"]]) == (
        "f.xlsx: no header row with HCPC, RECID and LONG DESCRIPTION in the first 50 rows; "
        "is this the CMS alpha-numeric HCPCS file? re-download it from CMS")
    assert _xlsx_fails([["HCPC", "RECID", "LONG DESCRIPTION"]]).startswith(
        "f.xlsx, row 1: the header row lacks the columns SHORT DESCRIPTION, ADD DT, ")
    assert _xlsx_fails([["***Disclaimers"], HEADER, []]) == (
        "f.xlsx, row 2: no codes under the header row; is this the CMS alpha-numeric HCPCS "
        "file? re-download it from CMS")
    assert _xlsx_fails([HEADER, sheet_row("Z9001"), sheet_row("Z9002", "5")]) == (
        "f.xlsx, row 3: RECID must be 3 (procedure) or 7 (modifier), or 4 / 8 for a row that "
        "continues the long description of the procedure / modifier above it; is this the CMS "
        "alpha-numeric HCPCS file? re-download it from CMS")
    assert _xlsx_fails([HEADER, sheet_row("Z9001"), sheet_row("Z9001")]) == (
        "f.xlsx, row 3: duplicate code Z9001 (also on row 2); each code may appear once; "
        "re-download the file from CMS")
    assert _xlsx_fails([HEADER, sheet_row("Z9001", **{"TERM DT": "2030"})]) == (
        f"f.xlsx, row 2: TERM DT is not a date YYYYMMDD: '2030'; {HINT}")


# --- the real CMS files ------------------------------------------------------------------

def _both(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    release, reader = load_release(path)
    assert reader == "hcpcs-fixed"
    xlsx = next(s for s in (Source(path, m) for m in zipfile.ZipFile(path).namelist())
                if XLSX.sniff(s))
    table = XLSX.read(xlsx, ReadOptions(), []).table
    assert table is not None
    return release.table, table


def test_real_2018_txt_and_xlsx_agree(hcpcs_zip) -> None:
    txt, xlsx = _both(hcpcs_zip(2018))
    pd.testing.assert_frame_equal(txt, xlsx)


def test_real_2017_txt_and_xlsx_agree_but_for_three_dates(hcpcs_zip) -> None:
    """CMS's own 2017 txt and xlsx differ in three ACT EFF DTs (the 2018 file has the
    xlsx's); every other cell is the same."""
    txt, xlsx = _both(hcpcs_zip(2017))
    differ = txt != xlsx
    assert differ.columns[differ.any()].tolist() == ["action_effective_date"]
    assert sorted(txt.loc[differ["action_effective_date"], "code"]) == [
        "L5638", "L5640", "L5643"]


@pytest.mark.parametrize("year, codes, modifiers, actions", [
    (2017, 6155, 343, {"A": 278, "B": 1, "C": 124, "D": 147, "F": 1, "N": 5902, "P": 38,
                       "R": 1, "S": 2, "T": 4}),
    (2018, 6205, 354, {"A": 152, "C": 50, "D": 40, "F": 2, "N": 6232, "P": 64, "S": 19}),
])
def test_real_counts(hcpcs_zip, year: int, codes: int, modifiers: int,
                     actions: dict[str, int]) -> None:
    release, _ = load_release(hcpcs_zip(year))
    table = release.table
    assert (release.version, release.effective.isoformat()) == (str(year), f"{year}-01-01")
    assert table["record"].value_counts().to_dict() == {"code": codes, "modifier": modifiers}
    assert table["action_code"].value_counts().to_dict() == actions
    assert table["code"].is_unique
    assert not table.isna().any().any()
    assert (table.loc[table["record"] == "modifier", "code"].str.len() == 2).all()
    assert table.loc[table["record"] == "code", "code"].str.fullmatch(r"[A-Z]\d{4}").all()
    for col in ("add_date", "action_effective_date", "termination_date", "asc_effective_date"):
        assert table[col].str.fullmatch(r"(\d{4}-\d\d-\d\d)?").all(), col
    assert (table["add_date"] != "").all()
    assert table["long"].str.len().max() > 80 * 3  # continuations were joined
    assert not table["long"].str.contains("  ").any()


def test_real_2018_facts(hcpcs_zip) -> None:
    table = load_release(hcpcs_zip(2018))[0].table.set_index("code")
    # the five ASC dates CMS wrote two columns early
    shifted = ["C9488", "C9745", "C9746", "C9747", "C9748"]
    assert (table.loc[shifted, "asc_group"] == "").all()
    assert table.loc[shifted, "asc_effective_date"].tolist() == [
        "2017-04-01", "2017-07-01", "2017-07-01", "2017-07-01", "2018-01-01"]
    assert table["asc_group"].value_counts().to_dict() == {"": 6147, "YY": 412}
    discontinued = table[table["action_code"] == "D"]
    assert (discontinued["termination_date"] <= "2017-12-31").all()
    assert (table.loc[table["action_code"] == "A", "add_date"] >= "2017-04-01").all()
    # OCCURS fields: a second lab certification and a second type of service are used
    assert (table["lab_cert_2"] != "").sum() > 0
    assert (table["type_of_service_2"] != "").sum() > 0


def test_real_2018_parses_the_same_twice(hcpcs_zip) -> None:
    """Speed is measured by bench/bench_parts.py; parsing must be deterministic."""
    path = hcpcs_zip(2018)
    source = next(Source(path, m) for m in zipfile.ZipFile(path).namelist()
                  if m.endswith(".txt") and FIXED.sniff(Source(path, m)))
    lines = _lines.read_lines(source)
    first = parse_hcpcs_lines(lines, source.display)
    second = parse_hcpcs_lines(lines, source.display)
    pd.testing.assert_frame_equal(first, second)
    assert len(first) > 6000
