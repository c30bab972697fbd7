"""The generic table reader: code sets as CSV, TSV or XLSX with named columns."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests_helpers import write_workbook

from updater.errors import UpdaterError
from updater.files.sources import Source
from updater.releases.readers import ReadOptions, load_release
from updater.releases.readers.generic_table import CODE_NAMES, READER
from updater.vocabulary import CodeSystem

WHEN = date(2026, 1, 1)
LOOKED_FOR = ", ".join(CODE_NAMES)


def options(**kw: object) -> ReadOptions:
    return ReadOptions(effective=WHEN, **kw)  # type: ignore[arg-type]


def write_csv(tmp_path: Path, lines: list[str], name: str = "payer-list.csv") -> Path:
    path = tmp_path / name
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def write_xlsx(tmp_path: Path, sheets: dict[str, list[list[object]]],
               name: str = "payer-list.xlsx") -> Path:
    return write_workbook(tmp_path, sheets, name)


def table_rows(path: Path, opts: ReadOptions) -> list[tuple[str, ...]]:
    release, fmt = load_release(path, opts)
    assert fmt == "generic-table"
    assert list(release.table.columns) == ["code", "record", "short", "long"]
    assert all(str(t) == "str" for t in release.table.dtypes)
    return [tuple(r) for r in release.table.itertuples(index=False)]


@pytest.mark.parametrize("code_header", ["CPT", "HCPCS/CPT", "CPT®/HCPCS Code", "code",
                                         " Procedure Code ", "cpt_code"])
def test_code_column_by_its_usual_names(tmp_path: Path, code_header: str) -> None:
    path = write_csv(tmp_path, [f"{code_header},Description", "99214,SYNTHETIC visit",
                                "j1100,Synthetic drug"])
    assert table_rows(path, options(system=CodeSystem.CPT)) == [
        ("99214", "code", "", "SYNTHETIC visit"), ("J1100", "code", "", "Synthetic drug")]


@pytest.mark.parametrize(("header", "desc", "short"), [
    ("ICD-10-CM,Long Description,Short Description", "Synthetic knee", "Syn knee"),
    ("Dx Code,Title,Short Title", "Synthetic knee", "Syn knee"),
    ("ICD10,Descriptor,Short Desc", "Synthetic knee", "Syn knee"),
])
def test_icd_codes_lose_their_dots(tmp_path: Path, header: str, desc: str, short: str) -> None:
    path = write_csv(tmp_path, [header, f"M17.11,{desc},{short}", f"z86.010,{desc} 2,{short}"])
    assert table_rows(path, options(system=CodeSystem.ICD10CM)) == [
        ("M1711", "code", short, desc), ("Z86010", "code", short, f"{desc} 2")]


def test_header_under_title_rows_and_blank_rows_skipped(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["Synthetic Payer - Covered Codes 2026", "Generated for tests",
                                ",,", "CPT/HCPCS,Description,Short Description",
                                '99213,"SYNTHETIC visit, level 3",VISIT 3', ",,",
                                "25,SYNTHETIC modifier,MOD", "100,SYNTHETIC anesthesia,ANES"])
    assert table_rows(path, options(system=CodeSystem.CPT)) == [
        ("99213", "code", "VISIT 3", "SYNTHETIC visit, level 3"),
        ("25", "modifier", "MOD", "SYNTHETIC modifier"),
        ("00100", "code", "ANES", "SYNTHETIC anesthesia")]  # the zeros Excel dropped


@pytest.mark.parametrize(("name", "sep"), [("list.tsv", "\t"), ("list.csv", ";"),
                                           ("list.csv", "|"), ("list.csv", "\t")])
def test_delimiters(tmp_path: Path, name: str, sep: str) -> None:
    path = write_csv(tmp_path, [sep.join(["Code", "Description"]),
                                sep.join(["ABC-1", "In-house item, one"])], name)
    assert table_rows(path, options()) == [("ABC-1", "code", "", "In-house item, one")]
    release, _ = load_release(path, options())
    assert release.system is CodeSystem.CUSTOM


def test_columns_named_by_the_user(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["Item,Proc,Words,Brief,Description", "1,99214,Long words,BRIEF,x"])
    got = table_rows(path, options(code_col="proc", desc_col="Words", short_col="Brief",
                                   format="generic-table"))
    assert got == [("99214", "code", "BRIEF", "Long words")]


def test_xlsx_with_title_rows_numbers_and_a_chosen_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, {
        "Notes": [["This sheet has no codes"]],
        "Codes": [["SYNTHETIC PAYER LIST"], [], ["CPT", "Description", "Effective"],
                  [99214, "SYNTHETIC visit", date(2026, 1, 1)], ["0042T", "SYNTHETIC cat III"],
                  [None, None], [100, "SYNTHETIC anesthesia"]],
    })
    got = table_rows(path, options(system=CodeSystem.CPT, sheet="Codes"))
    assert got == [("99214", "code", "", "SYNTHETIC visit"),
                   ("0042T", "code", "", "SYNTHETIC cat III"),
                   ("00100", "code", "", "SYNTHETIC anesthesia")]
    assert READER.sniff(Source(path))  # the second sheet's header is found


@pytest.mark.parametrize(("name", "lines", "expected"), [
    ("list.csv", ["CPT,Description", "99214,x"], True),
    ("list.csv", ["Title row", "", "HCPCS,Desc", "J1100,x"], True),
    ("list.csv", ["Charge Code,Charge Description,Price", "1001,x,10"], False),
    ("list.txt", ["CPT,Description", "99214,x"], False),
    ("list.csv", [], False),
    ("list.csv", ["hospital,version", "Synthetic Hospital,3", "description,code|1,code|1|type",
                  "Synthetic MRI,70551,CPT", "Synthetic drug,J1100,HCPCS"], False),
    ("list.csv", ["Code,Description", "", "N/A,nothing"], False),
], ids=["csv", "title-rows", "no-code-column", "txt", "empty", "code-type-in-data",
        "no-digit-under-header"])
def test_sniff(tmp_path: Path, name: str, lines: list[str], expected: bool) -> None:
    path = tmp_path / name
    path.write_text("\n".join(lines))
    assert READER.sniff(Source(path)) is expected


def test_sniff_skips_the_cms_hcpcs_workbook(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, {"HCPCS": [["***Disclaimers"], ["HCPC", "SEQNUM", "RECID",
                                                                "LONG DESCRIPTION"]]})
    assert not READER.sniff(Source(path))


def test_no_code_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["Item,Words", "1,x"])
    with pytest.raises(UpdaterError) as err:
        load_release(path, options(format="generic-table"))
    assert str(err.value) == (f"{path}: no code column; looked for {LOOKED_FOR}; use "
                              "--code-col to name it (the first row has: 'Item', 'Words')")
    assert str(err.value).startswith(f"{path}: no code column; looked for CPT, HCPCS, ")


def test_unknown_code_col(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CPT,Description", "99214,x"])
    with pytest.raises(UpdaterError) as err:
        load_release(path, options(code_col="Procedure"))
    assert str(err.value) == (f"{path}: no column named 'Procedure' in the first 30 rows; "
                              "the first row has: 'CPT', 'Description'; check the name given "
                              "to --code-col")


def test_unknown_desc_col(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CPT,Description", "99214,x"])
    with pytest.raises(UpdaterError) as err:
        load_release(path, options(desc_col="Long Words"))
    assert str(err.value) == (f"{path}: no column named 'Long Words' in the header row; it "
                              "has: 'CPT', 'Description'; check the name given to --desc-col")


@pytest.mark.parametrize("text", ["", "\r\n\r\n  \r\n"], ids=["empty", "blank-lines"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "list.csv"
    path.write_text(text)
    with pytest.raises(UpdaterError) as err:
        load_release(path, options(format="generic-table"))
    assert str(err.value) == f"{path}: the file is empty; export the code list again"


def test_header_without_data(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CPT,Description", ","])
    with pytest.raises(UpdaterError) as err:
        load_release(path, options(format="generic-table"))
    assert str(err.value) == (f"{path}: no data rows under the header row; is this the right "
                              "file or sheet?")


def test_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, {"Codes": [["CPT"], ["99214"]], "Notes": [["x"]]})
    with pytest.raises(UpdaterError) as err:
        load_release(path, options(sheet="2026"))
    assert str(err.value) == (f"{path}: no sheet named '2026'; the workbook's sheets: "
                              "'Codes', 'Notes'; name one of them with --sheet")


def test_empty_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, {"Codes": [["CPT"], ["99214"]], "Blank": []})
    with pytest.raises(UpdaterError) as err:
        load_release(path, options(sheet="Blank"))
    assert str(err.value) == (f"{path}: sheet 'Blank' is empty; choose the sheet with the "
                              "codes with --sheet")


def test_xlsx_without_code_column_names_the_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, {"Items": [["Item", "Words"], [1, "x"]]})
    with pytest.raises(UpdaterError) as err:
        load_release(path, options(format="generic-table"))
    assert str(err.value).startswith(f"{path}, sheet 'Items': no code column; looked for CPT")


@pytest.mark.parametrize(("lines", "system", "message"), [
    (["CPT,Description", "99214,x", ",no code here"], CodeSystem.CPT,
     "row 2: no code in column 'CPT'; fill it in or delete the row"),
    (["CPT,Description", "99214,x", "", "992 14,bad"], CodeSystem.CPT,
     "row 3: '992 14' in column 'CPT' is not a valid CPT code (5 characters, or 2 for a modifier); "
     "correct it or delete the row"),
    (["ICD-10-CM,Description", "M17.11,x", "M17.0-M17.9,a range"], CodeSystem.ICD10CM,
     "row 2: 'M17.0-M17.9' in column 'ICD-10-CM' is not a valid ICD-10-CM code (e.g. M17.11); "
     "correct it or delete the row"),
    (["Code,Description", "A B,x"], CodeSystem.CUSTOM,
     "row 1: 'A B' in column 'Code' is not a valid custom code set code (letters and digits, maybe "
     "joined by - _ /); correct it or delete the row"),
    (["HCPCS,Description", "J1100,x", "G0008,y", "j11.00,again"], CodeSystem.HCPCS,
     "row 3: duplicate code J1100 (also on data row 1); each code may appear once; remove "
     "the repeat"),
], ids=["blank", "malformed-cpt", "icd-range", "custom-blank-inside", "duplicate"])
def test_bad_rows_name_the_data_row_and_column(tmp_path: Path, lines: list[str],
                                               system: CodeSystem, message: str) -> None:
    path = write_csv(tmp_path, ["Synthetic title row", *lines])
    with pytest.raises(UpdaterError) as err:
        load_release(path, options(system=system, format="generic-table"))
    assert str(err.value) == f"{path}, {message}"
    assert err.value.row == int(message.split(":")[0].split()[1])


def test_extra_cells_past_the_header_are_ignored(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CPT,Description", "99214,x,extra,more"])
    release, _ = load_release(path, options())  # extra cells past the header are ignored
    assert release.table["code"].tolist() == ["99214"]


def test_no_year_in_the_name_asks_for_effective(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CPT,Description", "99214,x"])
    with pytest.raises(UpdaterError) as err:
        load_release(path, ReadOptions(system=CodeSystem.CPT))
    assert "cannot infer the CPT release's effective date" in str(err.value)
    assert str(err.value).endswith("give it with --effective YYYY-MM-DD (and --label LABEL "
                                   "if you like)")
    release, _ = load_release(write_csv(tmp_path, ["CPT,Description", "99214,x"],
                                        "payer-list-2026.csv"), ReadOptions())
    assert (release.version, release.effective) == ("2026", date(2026, 1, 1))


def test_a_column_option_alone_picks_the_generic_reader(tmp_path) -> None:
    """--code-col without --format: the user told us it is a table with named columns."""
    from datetime import date

    from updater.releases.readers import ReadOptions, load_release

    path = tmp_path / "payer-list.csv"
    path.write_text("Proc,What\nABC12,Synthetic in-house item\n")
    release, fmt = load_release(path, ReadOptions(code_col="Proc", desc_col="What",
                                                  effective=date(2026, 1, 1)))
    assert fmt == "generic-table"
    assert release.table[["code", "long"]].values.tolist() == [["ABC12",
                                                                "Synthetic in-house item"]]
