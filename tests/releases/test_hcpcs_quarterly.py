"""HCPCS quarterly files: continuation rows in the xlsx, the same layout in the txt, and the
quarter's label (2030-April ...) from the names or the dates of the file's own changes.
Synthetic files built here (not CMS data), then the real 2020-April file when ../shared is
present."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from test_hcpcs_readers import DISCLAIMER, HEADER, procedure, record, sheet_row, write_txt

from updater.errors import UpdaterError
from updater.releases.readers import load_release
from updater.releases.readers.hcpcs_fixed import changes_effective
from updater.releases.readers.hcpcs_xlsx import parse_hcpcs_sheet
from updater.releases.versions import quarter_start, resolve_version
from updater.vocabulary import CodeSystem

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
HINT = "is this the CMS alpha-numeric HCPCS file? re-download it from CMS"
FIRST = "Synthetic supply whose long description fills the first row of the sheet"
MORE = "and goes on in a continuation row"


def continuation(code: str, text: str, recid: str = "4", seq: str = "0020") -> list[object]:
    """A continuation row as the quarterly xlsx has it: code, sequence, RECID, text only."""
    return [code, seq, recid, text]


def long_of(rows: list[list[object]], code: str) -> str:
    table = parse_hcpcs_sheet(rows, "q.xlsx").set_index("code")
    return str(table.at[code, "long"])


def with_long(row: list[object], text: str) -> list[object]:
    row = list(row)
    row[3] = text
    return row


# --- continuation rows in the xlsx ---------------------------------------------------------

def test_continuation_rows_join_the_long_description() -> None:
    rows: list[list[object]] = [
        ["Synthetic quarterly file"], [], HEADER,
        with_long(sheet_row("Z9001"), FIRST), continuation("Z9001", MORE),
        continuation("Z9001", "  and a third  one", seq="0030"),
        with_long(sheet_row("   ZZ", "7"), "Synthetic modifier"),
        continuation("   ZZ", "continued", recid="8"),
        sheet_row("Z9002")]
    table = parse_hcpcs_sheet(rows, "q.xlsx")
    assert table["code"].tolist() == ["Z9001", "ZZ", "Z9002"]
    assert table["record"].tolist() == ["code", "modifier", "code"]
    assert table["long"].tolist() == [f"{FIRST} {MORE} and a third one",
                                      "Synthetic modifier continued", "Synthetic item"]
    assert table.loc[0, "short"] == "Synthetic"  # the first row's fields, not the blanks


@pytest.mark.parametrize("rows, message", [
    ([HEADER, continuation("Z9001", MORE), sheet_row("Z9001")],
     "f.xlsx, row 2: a continuation row (RECID 4 or 8) above the first procedure or "
     f"modifier row; {HINT}"),
    ([HEADER, sheet_row("Z9001"), continuation("Z9002", MORE)],
     "f.xlsx, row 3: a continuation row (RECID 4 or 8) for another code than the row above "
     f"it; {HINT}"),
    ([HEADER, sheet_row("Z9001"), continuation("Z9001", MORE, recid="8")],
     f"f.xlsx, row 3: RECID 4 continues a procedure (3), RECID 8 a modifier (7); {HINT}"),
    ([HEADER, sheet_row("   ZZ", "7"), continuation("   ZZ", MORE, recid="4")],
     f"f.xlsx, row 3: RECID 4 continues a procedure (3), RECID 8 a modifier (7); {HINT}"),
])
def test_continuation_rows_that_continue_nothing(rows: list[list[object]], message: str) -> None:
    with pytest.raises(UpdaterError) as err:
        parse_hcpcs_sheet(rows, "f.xlsx")
    assert str(err.value) == message


def quarterly_txt_lines(acted: str = "20300401") -> list[str]:
    return [*DISCLAIMER,
            *procedure("Z9001", f"{FIRST} {MORE}", "Synthetic", action_code="A",
                       add_date=acted, action_effective_date=acted),
            record("Z9002", "3", "Synthetic item", "Synthetic")]


def write_quarterly_xlsx(path: Path, acted: str = "20300401") -> Path:
    """The quarterly xlsx shape: a note above the header, a continuation row."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [["Synthetic note above the table"], [], HEADER,
                with_long(sheet_row("Z9001", **{"ADD DT": acted, "ACT EFF DT": acted,
                                                "ACTION CD": "A"}), FIRST),
                continuation("Z9001", MORE), sheet_row("Z9002")]:
        sheet.append(row)
    book.save(path)
    return path


def test_quarterly_xlsx_and_txt_give_the_same_table(tmp_path: Path) -> None:
    folder = tmp_path / "2030-April"
    folder.mkdir()
    xlsx, xlsx_reader = load_release(write_quarterly_xlsx(folder / "anweb.xlsx"))
    txt, txt_reader = load_release(write_txt(folder / "anweb.txt", quarterly_txt_lines()))
    assert (xlsx_reader, txt_reader) == ("hcpcs-xlsx", "hcpcs-fixed")
    pd.testing.assert_frame_equal(xlsx.table, txt.table)
    assert xlsx.table.set_index("code").at["Z9001", "long"] == f"{FIRST} {MORE}"


# --- the quarter's label -------------------------------------------------------------------

@pytest.mark.parametrize("folder, name, acted, label, effective", [
    ("2030-April", "anweb.xlsx", "20300401", "2030-April", date(2030, 4, 1)),  # both say it
    ("downloads", "anweb.xlsx", "20300701", "2030-July", date(2030, 7, 1)),  # the dates say it
    ("downloads", "anweb.xlsx", "20301115", "2030-October", date(2030, 10, 1)),  # mid-quarter
    ("2030", "anweb.xlsx", "20301001", "2030-October", date(2030, 10, 1)),  # year only
    ("downloads", "HCPC2030_ANWEB.xlsx", "20300401", "2030-April", date(2030, 4, 1)),
    ("downloads", "HCPC2030_JUL_ANWEB.xlsx", "20300401", "2030-July", date(2030, 7, 1)),
    ("downloads", "anweb.xlsx", "20300101", "2030", date(2030, 1, 1)),  # the annual
    ("2031", "anweb.xlsx", "20300401", "2031", date(2031, 1, 1)),  # another year: the name
])
def test_quarterly_label(tmp_path: Path, folder: str, name: str, acted: str, label: str,
                         effective: date) -> None:
    (tmp_path / folder).mkdir()
    release, _ = load_release(write_quarterly_xlsx(tmp_path / folder / name, acted))
    assert (release.version, release.effective) == (label, effective)


def test_label_from_the_folder_when_nothing_is_flagged(tmp_path: Path) -> None:
    """A file flagging no change (every ACTION CD N) has no dates to go by."""
    (tmp_path / "2030-October").mkdir()
    lines = [*DISCLAIMER, record("Z9002", "3", "Synthetic item", "Synthetic")]
    release, _ = load_release(write_txt(tmp_path / "2030-October" / "anweb.txt", lines))
    assert (release.version, release.effective) == ("2030-October", date(2030, 10, 1))
    (tmp_path / "downloads").mkdir()
    with pytest.raises(UpdaterError) as err:
        load_release(write_txt(tmp_path / "downloads" / "anweb.txt", lines))
    assert "cannot infer the HCPCS" in str(err.value)


def test_changes_effective_is_the_usual_date_of_the_flagged_changes() -> None:
    table = pd.DataFrame({
        "action_code": ["A", "A", "C", "N", "N", "D", ""],
        "action_effective_date": ["2030-04-01", "2030-04-01", "2030-01-01", "2030-07-01",
                                  "2030-07-01", "", "2030-07-01"]})
    assert changes_effective(table) == date(2030, 4, 1)
    tie = table.assign(action_code=["A", "N", "C", "N", "N", "N", ""])
    assert changes_effective(tie) == date(2030, 4, 1)  # one each: the latest
    assert changes_effective(table.assign(action_code="N")) is None


@pytest.mark.parametrize("day, start", [
    (date(2030, 1, 1), date(2030, 1, 1)), (date(2030, 3, 31), date(2030, 1, 1)),
    (date(2030, 4, 1), date(2030, 4, 1)), (date(2030, 8, 15), date(2030, 7, 1)),
    (date(2030, 12, 31), date(2030, 10, 1))])
def test_quarter_start(day: date, start: date) -> None:
    assert quarter_start(day) == start


def test_user_effective_date_wins_over_the_content() -> None:
    assert resolve_version(CodeSystem.HCPCS, ["anweb.xlsx"], effective=date(2030, 7, 1),
                           file="anweb.xlsx", content=date(2030, 4, 1)) == (
        "2030-July", date(2030, 7, 1))
    assert resolve_version(CodeSystem.HCPCS, ["anweb.xlsx"], file="anweb.xlsx",
                           content=date(2030, 4, 1)) == ("2030-April", date(2030, 4, 1))


# --- the real 2020-April quarterly ---------------------------------------------------------

@pytest.fixture(scope="module")
def april_2020() -> Path:
    path = DATA / "hcpcs" / "2020-April" / "anweb.xlsx"
    if not path.exists():
        pytest.skip(f"real CMS HCPCS quarterly file not present ({path} is missing)")
    return path


def test_real_2020_april_reads_with_its_label_and_report(april_2020: Path) -> None:
    release, reader = load_release(april_2020)
    table = release.table
    assert (reader, release.version, release.effective) == (
        "hcpcs-xlsx", "2020-April", date(2020, 4, 1))
    assert table["record"].value_counts().to_dict() == {"code": 6728, "modifier": 369}
    assert table["code"].is_unique
    assert table["action_code"].value_counts().to_dict() == {"N": 7074, "A": 18, "C": 4,
                                                              "D": 1}
    # the transaction report beside it is attached as the publisher's change list
    assert release.publisher_changes is not None
    assert release.publisher_changes.source.endswith("trans_alpha.xlsx (sheet 'Changes by "
                                                     "HCPC code')")
    assert [Path(s.name).name for s in release.sources] == ["anweb.xlsx", "trans_alpha.xlsx"]


def test_real_2020_april_continuation_row_is_joined(april_2020: Path) -> None:
    """The one RECID 4 row of the file: its text follows its first row's, with a blank."""
    rows = CalamineWorkbook.from_path(str(april_2020)).get_sheet_by_index(0).to_python(
        skip_empty_area=False)
    at = next(i for i, r in enumerate(rows) if str(r[2]) == "4")
    code = str(rows[at][0]).strip()
    assert str(rows[at - 1][0]).strip() == code
    table = load_release(april_2020)[0].table.set_index("code")
    expected = " ".join(f"{rows[at - 1][3]} {rows[at][3]}".split())
    assert table.at[code, "long"] == expected


def test_real_2020_april_label_from_its_own_dates(april_2020: Path, tmp_path: Path) -> None:
    """Copied into a folder that says nothing, the file still reads as 2020-April (a copy
    in a temporary folder for this test only)."""
    copy = tmp_path / "anweb.xlsx"
    copy.write_bytes(april_2020.read_bytes())
    release, _ = load_release(copy)
    assert (release.version, release.effective) == ("2020-April", date(2020, 4, 1))
    assert release.publisher_changes is None  # no report beside the copy
