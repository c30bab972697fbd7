"""The CMS HCPCS transaction report reader (xlsx and .prn, every shape CMS has used), its
detection, and how the loader attaches it to the alpha-numeric file it came with.
Synthetic reports built here (not CMS data), then the real ones when ../shared is present."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from test_hcpcs_readers import DISCLAIMER, record, write_txt
from typer.testing import CliRunner

from updater.cli import app
from updater.errors import UpdaterError
from updater.files.sources import Source
from updater.releases.readers import load_release
from updater.releases.readers.hcpcs_report import (
    ENTRY_COLUMNS,
    letter_of,
    looks_like_report,
    parse_report,
    parse_report_lines,
    parse_report_rows,
)

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
runner = CliRunner()


@pytest.mark.parametrize("words, letter", [
    ("ADD", "A"), ("Add", "A"), ("Discontinued", "D"), ("Re-activated", "R"),
    ("Reactivated", "R"), ("Long Description Change", "C"), ("Change in Long Description", "C"),
    ("Long Description Chang", "C"),  # a .prn column cuts the words
    ("Short Description Change", "S"), ("Short Description Chan", "S"),
    ("Coverage & Long Desc Change", "B"), ("Coverage and Long Desc Change", "B"),
    ("Coverage and Long Desc", "B"), ("Change in both Coverage & Long Description", "B"),
    ("Coverage Change", "F"), ("Change in Coverage", "F"), ("Payment Change", "P"),
    ("Change in Payment", "P"), ("Misc Change (TOS, BETOS)", "T"),
    ("Miscellaneous change (BETOS or Type of Service)", "T"), ("No Change", "N"),
    ("No change", "N"), ("N", "N"), ("c", "C"), ("Something new", "?"), ("", "?"),
])
def test_type_of_change_words(words: str, letter: str) -> None:
    assert letter_of(words) == letter


def test_xlsx_rows_under_a_note_with_descriptions() -> None:
    rows: list[list[object]] = [
        ["Synthetic note about coverage indicators", "", "", ""], ["", "", "", ""],
        ["HCPC/MOD", "ACTION CD", "SHORT DESCRIPTION", "LONG DESCRIPTION"],
        ["   ZZ", "No Change", "Synthetic modifier", "Synthetic  modifier text"],
        ["", "", "", ""],
        ["Z9001", "ADD", "Synthetic add", "Synthetic added supply"],
        ["z9002", "Long Description Change", "Synthetic", "Synthetic revised"],
        ["Z9003", "", "Synthetic", "No type given"]]
    entries = parse_report_rows(rows, "t.xlsx")
    assert list(entries.columns) == list(ENTRY_COLUMNS)
    assert entries[["action", "record", "code", "line"]].values.tolist() == [
        ["N", "modifier", "ZZ", 4], ["A", "code", "Z9001", 6], ["C", "code", "Z9002", 7],
        ["?", "code", "Z9003", 8]]
    assert entries.loc[0, "long"] == "Synthetic  modifier text"  # as published
    assert entries.loc[2, "type"] == "Long Description Change"


def test_xlsx_rows_without_descriptions() -> None:
    rows: list[list[object]] = [["HCPCS/Modifier Code", "Type of Change"], ["", ""],
                                ["ZZ", "ADD"], ["Z9001", "Payment Change"]]
    entries = parse_report_rows(rows, "t.xlsx")
    assert entries[["action", "code", "short", "long", "line"]].values.tolist() == [
        ["A", "ZZ", "", "", 3], ["P", "Z9001", "", "", 4]]


PRN_2017_STYLE = ["HCPCS/Modifier Code Type of Change", "   ZZ               ADD",
                  "Z9001               Coverage & Long Desc Change"]
PRN_2018_STYLE = ["HCPCS/Modifier CodeType of Change", "", "ZZ                 ADD",
                  "Z9001              Coverage & Long Desc Change"]
PRN_2019_STYLE = [
    " HCPCS/MOD      TYPE OF CHANGE    SHORT DESCRIPTION              LONG DESCRIPTION",
    "      ZZ             ADD          Synthetic modifier             Synthetic modifier",
    "   Z9001    Coverage and Long DescSynthetic supply               Synthetic supply, o"]


@pytest.mark.parametrize("lines, short, long", [
    (PRN_2017_STYLE, ["", ""], ["", ""]),
    (PRN_2018_STYLE, ["", ""], ["", ""]),
    (PRN_2019_STYLE, ["Synthetic modifier", "Synthetic supply"],
     ["Synthetic modifier", "Synthetic supply, o"]),
])
def test_prn_shapes(lines: list[str], short: list[str], long: list[str]) -> None:
    entries = parse_report_lines(lines, "t.prn")
    assert entries[["action", "record", "code"]].values.tolist() == [
        ["A", "modifier", "ZZ"], ["B", "code", "Z9001"]]
    assert entries["short"].tolist() == short
    assert entries["long"].tolist() == long
    assert entries["line"].tolist() == ([2, 3] if lines is not PRN_2018_STYLE else [3, 4])


def test_prn_line_with_a_code_only_is_kept_unread() -> None:
    entries = parse_report_lines([*PRN_2017_STYLE, "Z9009"], "t.prn")
    assert entries.iloc[-1][["action", "code", "type", "line"]].tolist() == ["?", "Z9009", "",
                                                                             4]


@pytest.mark.parametrize("parse, content, message", [
    (parse_report_rows, [["HCPCS/Modifier Code"], ["ZZ"]],
     "t: no header row with an HCPCS code column and a type of change column in the first "
     "50 rows; is this the CMS HCPCS transaction report? re-download it from CMS"),
    (parse_report_lines, ["Codes and changes", "ZZ ADD"],
     "t: no header line naming the HCPCS code and the type of change; is this the CMS HCPCS "
     "transaction report? re-download it from CMS"),
])
def test_no_header(parse: object, content: list[object], message: str) -> None:
    with pytest.raises(UpdaterError) as err:
        parse(content, "t")  # type: ignore[operator]
    assert str(err.value) == message


# --- files: detection and the loader -------------------------------------------------------

def write_report_xlsx(path: Path, rows: list[list[object]]) -> Path:
    """The 2019-2020 shape: a by-action sheet, a by-code sheet, the action code key."""
    book = openpyxl.Workbook()
    by_action = book.active
    by_action.title = "Changes by Action Code"
    by_code = book.create_sheet("Changes by HCPC code")
    for sheet in (by_action, by_code):
        sheet.append(["Synthetic note"])
        sheet.append(["HCPC/MOD", "ACTION CD", "SHORT DESCRIPTION", "LONG DESCRIPTION"])
    for row in sorted(rows, key=lambda r: str(r[1])):
        by_action.append(row)
    for row in rows:
        by_code.append(row)
    key = book.create_sheet("Action Code Key")
    key.append(["Action Codes", ""])
    key.append(["A", "Add"])
    book.save(path)
    return path


def anweb_lines() -> list[str]:
    return [*DISCLAIMER,
            record("ZZ", "7", "Synthetic modifier", "Synthetic modifier"),
            record("Z9001", "3", "Synthetic supply", "Synthetic supply", action_code="A",
                   add_date="20300401", action_effective_date="20300401")]


REPORT_ROWS: list[list[object]] = [
    ["   ZZ", "No Change", "Synthetic modifier", "Synthetic modifier"],
    ["Z9001", "ADD", "Synthetic supply", "Synthetic supply"]]


def test_detection(tmp_path: Path) -> None:
    report = write_report_xlsx(tmp_path / "trans.xlsx", REPORT_ROWS)
    prn = tmp_path / "changes.prn"
    prn.write_text("\r\n".join(PRN_2017_STYLE) + "\r\n")
    anweb = write_txt(tmp_path / "anweb.txt", anweb_lines())
    assert looks_like_report(Source(report))
    assert looks_like_report(Source(prn))
    assert not looks_like_report(Source(anweb))
    other = openpyxl.Workbook()
    other.active.append(["Code", "Description"])
    other.save(tmp_path / "other.xlsx")
    assert not looks_like_report(Source(tmp_path / "other.xlsx"))


def test_report_reads_the_by_code_sheet(tmp_path: Path) -> None:
    changes = parse_report(Source(write_report_xlsx(tmp_path / "trans.xlsx", REPORT_ROWS)))
    assert changes.source == f"{tmp_path / 'trans.xlsx'} (sheet 'Changes by HCPC code')"
    assert changes.entries["code"].tolist() == ["ZZ", "Z9001"]
    assert changes.entries["line"].tolist() == [3, 4]


def test_zip_attaches_the_workbook_report(tmp_path: Path) -> None:
    """A CMS zip holds the report as xlsx and .prn: the workbook is read, whatever the order."""
    archive = tmp_path / "2030-April-Alpha-Numeric-HCPCS-File.zip"
    report = write_report_xlsx(tmp_path / "trans.xlsx", REPORT_ROWS)
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Changes_by_ActionCode.prn", "\r\n".join(PRN_2019_STYLE) + "\r\n")
        z.writestr("anweb_apr.txt", "\r\n".join(anweb_lines()) + "\r\n")
        z.write(report, "trans_alpha.xlsx")
    release, reader = load_release(archive)
    assert (reader, release.version) == ("hcpcs-fixed", "2030-April")
    assert release.extra["members"] == "anweb_apr.txt, trans_alpha.xlsx"
    assert release.publisher_changes is not None
    assert release.publisher_changes.entries["code"].tolist() == ["ZZ", "Z9001"]


def test_loose_files_attach_the_report_that_lists_their_codes(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    anweb = write_txt(folder / "anweb.txt", anweb_lines())
    write_report_xlsx(folder / "trans_other_quarter.xlsx",
                      [["Z8001", "ADD", "Other", "Other supply"]])
    write_report_xlsx(folder / "trans_alpha.xlsx", REPORT_ROWS)
    release, _ = load_release(anweb)
    assert release.publisher_changes is not None
    assert release.publisher_changes.source.startswith(str(folder / "trans_alpha.xlsx"))
    assert [Path(s.name).name for s in release.sources] == ["anweb.txt", "trans_alpha.xlsx"]


def test_a_report_alone_is_no_release(tmp_path: Path) -> None:
    report = write_report_xlsx(tmp_path / "trans_alpha.xlsx", REPORT_ROWS)
    (tmp_path / "elsewhere").mkdir()
    anweb = write_txt(tmp_path / "elsewhere" / "anweb.txt", anweb_lines())
    result = runner.invoke(app, ["diff", str(anweb), str(report)])
    assert result.exit_code == 2, result.output
    assert result.output.strip() == (
        f"updater: error: {report}: a CMS transaction report lists what changed, not the "
        "codes with their fields: it cannot be a release by itself; load the alpha-numeric "
        "HCPCS file it came with (the CMS zip, or the xlsx / txt in the same folder): the "
        "report is read with it")


# --- the real CMS reports ------------------------------------------------------------------

@pytest.mark.parametrize("year, missing", [(2017, []), (2018, ["L1"]), (2019, [])])
def test_real_reports_agree_with_the_file(hcpcs_zip, year: int, missing: list[str]) -> None:
    """Every report of the zip (the xlsx, both .prn) lists the same codes with the same
    letters, which are the file's ACTION CD; the 2018 report leaves out one modifier."""
    path = hcpcs_zip(year)
    release, _ = load_release(path)
    assert release.publisher_changes is not None
    assert release.publisher_changes.source.split("!")[1].endswith(".xlsx (sheet 'Changes by "
                                                                   "HCPCS Code')")
    letters = release.table.set_index("code")["action_code"]
    reports = [Source(path, m) for m in zipfile.ZipFile(path).namelist()]
    reports = [s for s in reports if looks_like_report(s)]
    assert sorted(s.suffix for s in reports) == [".prn", ".prn", ".xlsx"]
    for source in reports:
        entries = parse_report(source).entries.set_index("code")
        assert entries.index.is_unique
        assert sorted(letters.index.difference(entries.index)) == missing
        assert (entries["action"] == letters.loc[entries.index]).all(), source.member


def test_real_2020_april_report_agrees_with_the_file() -> None:
    folder = DATA / "hcpcs" / "2020-April"
    if not folder.exists():
        pytest.skip(f"real CMS HCPCS quarterly files not present ({folder} is missing)")
    release, _ = load_release(folder / "anweb.xlsx")
    assert release.publisher_changes is not None
    entries = release.publisher_changes.entries.set_index("code")
    letters = release.table.set_index("code")["action_code"]
    assert sorted(entries.index) == sorted(letters.index)
    assert (entries["action"] == letters.loc[entries.index]).all()
    assert entries["action"].value_counts().to_dict() == {"N": 7074, "A": 18, "C": 4, "D": 1}


def test_an_inbox_report_read_with_its_file_is_included_not_unreadable(tmp_path: Path) -> None:
    """`updater run`'s inbox: the transaction report beside its quarterly file is part of
    that release; a report with no file of its own stays unreadable, with the reason."""
    from updater.cycle.inbox import import_inbox
    from updater.releases.store import ReleaseStore

    inbox = tmp_path / "inbox"
    (inbox / "alone").mkdir(parents=True)
    write_txt(inbox / "anweb.txt", anweb_lines())
    report = write_report_xlsx(inbox / "trans_alpha.xlsx", REPORT_ROWS)
    lonely = write_report_xlsx(inbox / "alone" / "trans_alpha.xlsx", REPORT_ROWS[:1])
    files = sorted(p for p in inbox.rglob("*") if p.is_file())
    done, _ = import_inbox(ReleaseStore(tmp_path / "store"), files)
    by_path = {f.file: f for f in done}
    assert by_path[str(report)].status == "included"
    assert by_path[str(report)].release == by_path[str(inbox / "anweb.txt")].release
    assert by_path[str(report)].message == "read with anweb.txt"
    assert by_path[str(lonely)].status == "unreadable"
    assert "cannot be a release by itself" in by_path[str(lonely)].message
