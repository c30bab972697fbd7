"""Procedure <-> diagnosis crosswalks: long (one pair per row) and wide (lists, ranges and
header codes in cells, several diagnosis columns), expanded against a small synthetic
ICD-10-CM release table; every mistake with its exact message."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from updater.cli import app
from updater.errors import UpdaterError
from updater.impact.inputs import CROSSWALK_COLUMNS, CrosswalkInput
from updater.impact.inputs.crosswalk import PAIR_COLUMNS, read_crosswalk

# A synthetic slice of an ICD-10-CM release: (code, record). Headers are not billable.
RELEASE_ROWS = [
    ("M17", "header"), ("M170", "code"), ("M171", "header"), ("M1710", "code"),
    ("M1711", "code"), ("M1712", "code"), ("M172", "code"), ("M179", "code"),
    ("M18", "header"), ("M180", "code"),
    ("M25", "header"), ("M2556", "header"), ("M25561", "code"), ("M25562", "code"),
    ("M23", "header"), ("M232", "header"), ("M2320", "header"), ("M23200", "code"),
    ("M23205", "code"), ("M23206", "code"),
    ("Z00", "header"), ("Z0000", "code"),
]


@pytest.fixture
def release() -> pd.DataFrame:
    return pd.DataFrame({"code": [c for c, _ in RELEASE_ROWS],
                         "record": [r for _, r in RELEASE_ROWS],
                         "short": "synthetic", "long": "synthetic"}, dtype="str")


def write_csv(tmp_path: Path, lines: list[str], name: str = "crosswalk.csv") -> Path:
    path = tmp_path / name
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def pairs(xw: CrosswalkInput) -> list[tuple[int, str, str, str]]:
    columns = tuple(xw.table.columns)
    assert columns[:len(PAIR_COLUMNS)] == PAIR_COLUMNS
    assert set(columns[len(PAIR_COLUMNS):]) <= {"procedure_description",
                                                "diagnosis_description"}
    return [tuple(r) for r in xw.table[list(CROSSWALK_COLUMNS)].itertuples(index=False)
            ]  # type: ignore[misc]


def dated(xw: CrosswalkInput) -> list[tuple[int, str, str, bool, str, str]]:
    """(row, diagnosis, status, active, effective date, end date) per pair."""
    cols = ["row", "diagnosis", "status", "active", "effective_date", "end_date"]
    return [tuple(r) for r in xw.table[cols].itertuples(index=False)]  # type: ignore[misc]


def error_of(path: Path, **kw: object) -> str:
    with pytest.raises(UpdaterError) as caught:
        read_crosswalk(path, **kw)  # type: ignore[arg-type]
    return str(caught.value)


# ---------------------------------------------------------------- long


def test_long_layout(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CPT,ICD-10-CM", "27447,M17.11", "27447, m17.12 ",
                                "99213.0,Z00.00", "20610,", ",", "29881,XYZ", "29882,.M17.9",
                                "29883,M17.9."])
    xw = read_crosswalk(path)
    assert xw.layout == "long"
    assert xw.rows_read == 8
    assert pairs(xw) == [(1, "27447", "M1711", "M17.11"), (2, "27447", "M1712", "m17.12"),
                         (3, "99213", "Z0000", "Z00.00"), (4, "20610", "", ""),
                         (5, "", "", ""), (6, "29881", "XYZ", "XYZ"),
                         (7, "29882", "M179", ".M17.9"), (8, "29883", "M179", "M17.9.")]
    dtypes = {c: str(t) for c, t in xw.table.dtypes.items()}
    assert dtypes == {"row": "int64", "procedure": "str", "diagnosis": "str",
                      "diagnosis_as_written": "str", "status": "str", "active": "bool",
                      "effective_date": "str", "end_date": "str"}
    # no status or date columns: every pair active, no dates
    assert set(xw.table["status"]) == {""} and xw.table["active"].all()
    assert set(xw.table["effective_date"]) == set(xw.table["end_date"]) == {""}


@pytest.mark.parametrize(("proc", "dx"), [
    ("CPT", "ICD-10-CM"), ("HCPCS", "ICD10"), ("Procedure", "Diagnosis"),
    ("Proc Code", "Dx Code"), ("CPT/HCPCS", "Dx"), ("Procedure Code", "ICD"),
    ("cpt_code", "icd_10_cm_code"), ("Code", "Diagnosis Code"),
])
def test_columns_by_their_usual_names(tmp_path: Path, proc: str, dx: str) -> None:
    path = write_csv(tmp_path, ["Synthetic payer crosswalk", "", f"{proc},{dx},Description",
                                "27447,M17.11,SYNTHETIC"])
    assert pairs(read_crosswalk(path)) == [(1, "27447", "M1711", "M17.11")]


def test_header_codes_in_a_long_file_stay_pairs(tmp_path: Path,
                                                release: pd.DataFrame) -> None:
    """One pair per row: a header is a stale pair (the scan says not_billable), not
    shorthand to expand in silence."""
    path = write_csv(tmp_path, ["CPT,ICD-10-CM", "27447,M17.1", "27447,M17.11",
                                "27447,Q99.9"])
    xw = read_crosswalk(path, expand_with=release)
    assert xw.layout == "long"
    assert pairs(xw) == [(1, "27447", "M171", "M17.1"), (2, "27447", "M1711", "M17.11"),
                         (3, "27447", "Q999", "Q99.9")]
    assert (xw.items_expanded, xw.pairs_from_expansion) == (0, 0)


def test_header_codes_in_one_code_per_column_stay_pairs(tmp_path: Path,
                                                        release: pd.DataFrame) -> None:
    path = write_csv(tmp_path, ["CPT,Dx 1,Dx 2", "27447,M17.1,M17.11", "20610,M17,"])
    xw = read_crosswalk(path, expand_with=release)
    assert xw.layout == "wide"
    assert pairs(xw) == [(1, "27447", "M171", "M17.1"), (1, "27447", "M1711", "M17.11"),
                         (2, "20610", "M17", "M17")]
    assert xw.items_expanded == 0


def test_shorthand_expansion_is_counted(tmp_path: Path, release: pd.DataFrame) -> None:
    """A list file writes shorthand: its headers and ranges expand, and the counts say so."""
    path = write_csv(tmp_path, ["CPT,ICD-10-CM", '27447,"M17.1, M18.0"', "20610,M17.1-",
                                "29881,M23.205"])
    xw = read_crosswalk(path, expand_with=release)
    assert [dx for _, _, dx, _ in pairs(xw)] == ["M1710", "M1711", "M1712", "M180",
                                                  "M1710", "M1711", "M1712", "M23205"]
    assert (xw.rows_read, len(xw.table)) == (3, 8)
    assert (xw.items_expanded, xw.pairs_from_expansion) == (2, 6)


def test_header_code_without_a_release_stays_as_written(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CPT,ICD-10-CM", "27447,M17.1"])
    assert pairs(read_crosswalk(path)) == [(1, "27447", "M171", "M17.1")]


# ---------------------------------------------------------------- wide


def test_wide_lists_in_a_cell(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CPT,Covered Diagnoses",
                                '27447,"M17.11, M17.12;M17.9  Z00.00"',
                                '99213,"M25.561\nM25.562"', "20610,", "29881,M23.205"])
    xw = read_crosswalk(path)
    assert xw.layout == "wide"
    assert xw.rows_read == 4
    assert pairs(xw) == [
        (1, "27447", "M1711", "M17.11"), (1, "27447", "M1712", "M17.12"),
        (1, "27447", "M179", "M17.9"), (1, "27447", "Z0000", "Z00.00"),
        (2, "99213", "M25561", "M25.561"), (2, "99213", "M25562", "M25.562"),
        (3, "20610", "", ""), (4, "29881", "M23205", "M23.205")]


def test_wide_several_diagnosis_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["Procedure,Dx 1,Dx 2,Dx 3,Notes",
                                "27447,M17.11,M17.12,,SYNTHETIC note",
                                "99213,,Z00.00,,", "20610,,,,"])
    xw = read_crosswalk(path)
    assert xw.layout == "wide"
    assert pairs(xw) == [(1, "27447", "M1711", "M17.11"), (1, "27447", "M1712", "M17.12"),
                         (2, "99213", "Z0000", "Z00.00"), (3, "20610", "", "")]


def test_wide_ranges_and_headers_expand(tmp_path: Path, release: pd.DataFrame) -> None:
    path = write_csv(tmp_path, ["CPT,ICD-10-CM",
                                '27447,"M17.0-M17.12; M25.561"',
                                "20610,M17", "29881,M23.2 - M23.205", "29882,M17.0-M17.9",
                                "29883,M17.1-M18", "99213,M17.1-", "99214,Q99.9"])
    xw = read_crosswalk(path, expand_with=release)
    assert xw.layout == "wide"
    got = pairs(xw)
    by_row: dict[int, list[str]] = {}
    for row, _, dx, _ in got:
        by_row.setdefault(row, []).append(dx)
    assert by_row == {
        1: ["M170", "M1710", "M1711", "M1712", "M25561"],
        2: ["M170", "M1710", "M1711", "M1712", "M172", "M179"],
        3: ["M23200", "M23205"],
        4: ["M170", "M1710", "M1711", "M1712", "M172", "M179"],
        5: ["M1710", "M1711", "M1712", "M172", "M179", "M180"],
        6: ["M1710", "M1711", "M1712"],
        7: ["Q999"],
    }
    assert got[0] == (1, "27447", "M170", "M17.0-M17.12")
    assert got[4] == (1, "27447", "M25561", "M25.561")
    assert got[5] == (2, "20610", "M170", "M17")
    assert got[11] == (3, "29881", "M23200", "M23.2-M23.205")


@pytest.mark.parametrize("written", ["M17.0-M17.9", "M17.0 - M17.9", "M170-M179",
                                     "m17.0-m17.9", "M17.0 – M17.9", "M17.0 thru M17.9",
                                     "M17.0 through M17.9", "M17.0—M17.9"])
def test_range_spellings(tmp_path: Path, release: pd.DataFrame, written: str) -> None:
    path = write_csv(tmp_path, ["CPT,ICD-10-CM", f"29882,{written}"])
    xw = read_crosswalk(path, expand_with=release)
    assert list(xw.table["diagnosis"]) == ["M170", "M1710", "M1711", "M1712", "M172", "M179"]


def test_plain_code_not_in_the_release_is_kept(tmp_path: Path,
                                               release: pd.DataFrame) -> None:
    path = write_csv(tmp_path, ["CPT,Diagnoses", '27447,"M17.11, Q99.9, and M17.12"'])
    assert pairs(read_crosswalk(path, expand_with=release)) == [
        (1, "27447", "M1711", "M17.11"), (1, "27447", "Q999", "Q99.9"),
        (1, "27447", "M1712", "M17.12")]


def test_wide_xlsx(tmp_path: Path, release: pd.DataFrame) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Crosswalk"
    for row in [["Synthetic LCD article crosswalk"], [], ["HCPCS", "ICD-10 Codes"],
                [27447, "M17.11\nM17.12"], ["G0008", "Z00.00"], [20610, "M17.0-M17.10"],
                [], []]:
        ws.append(row)
    path = tmp_path / "crosswalk.xlsx"
    book.save(path)
    xw = read_crosswalk(path, expand_with=release)
    assert xw.rows_read == 3
    assert xw.source == f"{path}, sheet 'Crosswalk'"
    assert pairs(xw) == [(1, "27447", "M1711", "M17.11"), (1, "27447", "M1712", "M17.12"),
                         (2, "G0008", "Z0000", "Z00.00"), (3, "20610", "M170", "M17.0-M17.10"),
                         (3, "20610", "M1710", "M17.0-M17.10")]


def test_columns_named_by_the_caller(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["Service,Reason 1,Reason 2", "27447,M17.11,M17.12"])
    xw = read_crosswalk(path, columns={"procedure": "Service",
                                       "diagnosis": ["Reason 1", "Reason 2"]})
    assert pairs(xw) == [(1, "27447", "M1711", "M17.11"), (1, "27447", "M1712", "M17.12")]


def test_many_pairs(tmp_path: Path) -> None:
    n = 200_000
    lines = ["CPT,ICD-10-CM"] + [f"{10000 + i % 89999},M{i % 100:02d}.{i % 7}"
                                 for i in range(n)]
    xw = read_crosswalk(write_csv(tmp_path, lines))
    assert xw.layout == "long"
    assert xw.rows_read == n
    assert len(xw.table) == n
    last = xw.table.iloc[-1]
    i = n - 1
    assert (last["row"], last["procedure"], last["diagnosis"]) == (
        n, str(10000 + i % 89999), f"M{i % 100:02d}{i % 7}")


# ---------------------------------------------------------------- status and dates


def test_status_and_dates_by_their_usual_names(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CPT,ICD-10-CM,Status,Eff Date,Term Date",
                                "27447,M17.11,A,1/1/2024,",
                                "27447,M17.12,I,2024-01-01,9/30/2025",
                                "27447,M17.9,Retired,,20250930",
                                "99213,Z00.00,active,01/15/2024,12/31/9999"])
    xw = read_crosswalk(path)
    assert xw.layout == "long"
    assert dated(xw) == [
        (1, "M1711", "A", True, "2024-01-01", ""),
        (2, "M1712", "I", False, "2024-01-01", "2025-09-30"),
        (3, "M179", "Retired", False, "", "2025-09-30"),
        (4, "Z0000", "active", True, "2024-01-15", "9999-12-31")]


def test_inactive_flag_column_reads_the_other_way_round(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CPT,ICD-10-CM,Inactive Flag,Inactive Date",
                                "27447,M17.11,N,", "27447,M17.12,Y,2025-09-30",
                                "27447,M17.9,,"])
    assert [(r, a, e) for r, _, _, a, _, e in dated(read_crosswalk(path))] == [
        (1, True, ""), (2, False, "2025-09-30"), (3, True, "")]


def test_wide_pairs_take_their_lines_dates(tmp_path: Path, release: pd.DataFrame) -> None:
    path = write_csv(tmp_path, ["CPT,Covered Diagnoses,Effective Date,End Date,Status",
                                '27447,"M17.11, M17.12",2024-01-01,2025-09-30,Active',
                                "99213,M17.0-M17.10,2025-10-01,,Inactive"])
    xw = read_crosswalk(path, expand_with=release)
    assert xw.layout == "wide"
    assert dated(xw) == [
        (1, "M1711", "Active", True, "2024-01-01", "2025-09-30"),
        (1, "M1712", "Active", True, "2024-01-01", "2025-09-30"),
        (2, "M170", "Inactive", False, "2025-10-01", ""),
        (2, "M1710", "Inactive", False, "2025-10-01", "")]


def test_status_and_dates_named_by_the_caller(tmp_path: Path) -> None:
    # "Valid Thru" and "Start" are no usual names; "End Date" here is not the end date
    path = write_csv(tmp_path, ["Service,Reason,Start,Valid Thru,Pair State,End Date",
                                "27447,M17.11,2024-01-01,2025-09-30,off,2030-01-01"])
    xw = read_crosswalk(path, columns={"procedure": "Service", "diagnosis": "Reason",
                                       "effective_date": "Start", "end_date": "Valid Thru",
                                       "status": "Pair State"})
    assert dated(xw) == [(1, "M1711", "off", True, "2024-01-01", "2025-09-30")]
    xw = read_crosswalk(path, columns={"procedure": "Service", "diagnosis": "Reason"})
    assert dated(xw) == [(1, "M1711", "", True, "", "2030-01-01")]


def test_status_and_dates_in_a_workbook(tmp_path: Path) -> None:
    from datetime import datetime

    book = Workbook()
    ws = book.active
    assert ws is not None
    for row in [["CPT", "ICD-10-CM", "Status", "End Date"],
                ["27447", "M17.11", "A", datetime(2025, 9, 30)],
                ["27447", "M17.12", "I", None]]:
        ws.append(row)
    path = tmp_path / "crosswalk.xlsx"
    book.save(path)
    assert dated(read_crosswalk(path)) == [(1, "M1711", "A", True, "", "2025-09-30"),
                                           (2, "M1712", "I", False, "", "")]


def test_end_date_that_is_no_date(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CPT,ICD-10-CM,End Date", "27447,M17.11,", "27447,M17.12,soon"])
    assert error_of(path) == (
        f"{path}, row 2: 'soon' in column 'End Date' is not a date (expected YYYY-MM-DD, "
        "M/D/YYYY, MM/DD/YYYY or YYYYMMDD); correct the date in the crosswalk")


def test_named_end_date_column_missing(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CPT,ICD-10-CM", "27447,M17.11"])
    assert error_of(path, columns={"end_date": "Valid Thru"}) == (
        f"{path}: no column named 'Valid Thru' (the end_date column); the header row (row 1) "
        "has: 'CPT', 'ICD-10-CM'; correct the column name to one of the file's")


# ---------------------------------------------------------------- errors, exact texts


def test_range_needs_the_release(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CPT,ICD-10-CM", "27447,M17.11", "27448,M17.0-M17.9"])
    assert error_of(path) == (
        f"{path}, row 2: range 'M17.0-M17.9' in column 'ICD-10-CM' needs the ICD-10-CM "
        "release the crosswalk was built on, to be expanded; give that release (expand_with) "
        "so ranges can be expanded")


def test_range_in_the_wrong_order(tmp_path: Path, release: pd.DataFrame) -> None:
    path = write_csv(tmp_path, ["Title", "CPT,Dx 1,Dx 2", "27447,M17.11,",
                                "27448,M17.0,M17.9-M17.0"])
    assert error_of(path, expand_with=release) == (
        f"{path}, row 2: range 'M17.9-M17.0' in column 'Dx 2' has its ends in the wrong order "
        "(M179 comes after M170) (spreadsheet row 4); write the lower code first, e.g. "
        "M17.0-M17.9")


@pytest.mark.parametrize("written", ["M17.0-", "-M17.9", "M17.0-M17.9-M18", "M17.0-99",
                                     "M17.0-M17.99999", "M17.0-12345"])
def test_malformed_range(tmp_path: Path, release: pd.DataFrame, written: str) -> None:
    path = write_csv(tmp_path, ["CPT,ICD-10-CM", f"27447,{written}"])
    if written == "M17.0-":  # "M17.0-" is the usual "M17.0 and everything under it"
        assert pairs(read_crosswalk(path, expand_with=release)) == [
            (1, "27447", "M170", "M17.0-")]
        return
    shown = written.upper() if written.islower() else written
    assert error_of(path, expand_with=release) == (
        f"{path}, row 1: range '{shown}' in column 'ICD-10-CM' is not two ICD-10-CM codes; "
        "write a range as two codes joined by a hyphen, e.g. M17.0-M17.9")


def test_range_covering_nothing(tmp_path: Path, release: pd.DataFrame) -> None:
    path = write_csv(tmp_path, ["CPT,ICD-10-CM", "27447,Q10.0-Q10.9"])
    assert error_of(path, expand_with=release) == (
        f"{path}, row 1: range 'Q10.0-Q10.9' in column 'ICD-10-CM' covers no billable code "
        "of the release; correct the range, or give the ICD-10-CM release the crosswalk was "
        "built on")


def test_release_table_without_code_and_record(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CPT,ICD-10-CM", "27447,M17.11"])
    assert error_of(path, expand_with=pd.DataFrame({"x": ["M1711"]})) == (
        "the release table to expand ranges with has no code and record columns; give a "
        "normalized ICD-10-CM release")


def test_no_columns_found(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["Synthetic list", "Service,Reason", "27447,M17.11"])
    message = error_of(path)
    assert message.startswith(f"{path}: no procedure and diagnosis columns in the first 30 "
                              "rows; looked for CPT/HCPCS, HCPCS/CPT, CPT, HCPCS, ")
    assert message.endswith("; name them with --proc-col and --dx-col (the first row has: "
                            "'Synthetic list')")


def test_procedure_without_diagnosis_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CPT,Reason", "27447,M17.11"])
    assert error_of(path).startswith(f"{path}: row 1 has a procedure column but no diagnosis "
                                     "column; looked for ICD-10-CM, ")


def test_diagnosis_without_procedure_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["Service,ICD-10-CM", "27447,M17.11"])
    assert error_of(path).startswith(f"{path}: row 1 has a diagnosis column but no procedure "
                                     "column; looked for CPT/HCPCS, ")


def test_named_column_missing(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CPT,ICD-10-CM", "27447,M17.11"])
    assert error_of(path, columns={"diagnosis": "Reason"}) == (
        f"{path}: no column named 'Reason' (the diagnosis column); the header row (row 1) "
        "has: 'CPT', 'ICD-10-CM'; correct the column name to one of the file's")


def test_empty_and_headless_files(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [""])
    assert error_of(path) == f"{path}: the file is empty; export the table again"
    path = write_csv(tmp_path, ["CPT,ICD-10-CM"])
    assert error_of(path) == (f"{path}: no data rows under the header row (row 1); is this the "
                              "right file or sheet?")


@pytest.mark.parametrize("named", [["--proc-col", "CPT", "--dx-col", "CPT"],
                                   ["--proc-col", "ICD-10-CM"]])
def test_diagnosis_column_that_is_the_procedure_column(tmp_path: Path,
                                                      named: list[str]) -> None:
    """Both names on one column left no diagnosis column (it crashed in numpy)."""
    path = write_csv(tmp_path, ["CPT,ICD-10-CM", "27447,M17.11"])
    assert error_of(path, columns={"procedure": "CPT", "diagnosis": "CPT"}) == (
        f"{path}: the diagnosis column cannot be the procedure column; name two different "
        "columns with --proc-col and --dx-col")
    sample = Path(__file__).resolve().parents[2] / "releases" / "sample" / "icd10cm"
    result = CliRunner().invoke(app, [
        "scan", "--crosswalk", str(path), *named,
        "--from", str(sample / "FY2025/icd10cm-Code-Descriptions-2025.zip"),
        "--to", str(sample / "FY2026/icd10cm-Code-Descriptions-2026.zip")])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"updater: error: {path}: the diagnosis column cannot be the procedure column; name "
        "two different columns with --proc-col and --dx-col"]


def test_profile_not_saved_as_utf8(tmp_path: Path) -> None:
    """A profile saved as Windows-1252 (Notepad's "ANSI") is a user mistake, not a crash.
    (Here with the crosswalk tests: the chargemaster's test file belongs to another part.)"""
    from updater.files.tables import load_profile
    from updater.impact.inputs.chargemaster import FIELDS, MULTI_FIELDS, read_chargemaster

    profile = tmp_path / "ansi.toml"
    profile.write_bytes('name = "Synthetic"\n[columns]\ndescription = "Désignation"\n'
                        .encode("cp1252"))
    message = (f"{profile}, line 3: the profile is not UTF-8 text; save the profile as "
               "UTF-8 (TOML files are UTF-8)")
    with pytest.raises(UpdaterError) as caught:
        load_profile(profile, FIELDS, MULTI_FIELDS)
    assert str(caught.value) == message
    cdm = write_csv(tmp_path, ["Charge Code,CPT,Désignation", "1,99213,SYNTHETIC VISIT"],
                    name="cdm.csv")
    with pytest.raises(UpdaterError) as caught:
        read_chargemaster(cdm, profile=profile)
    assert str(caught.value) == message
    profile.write_bytes(b"\xef\xbb\xbf" + 'name = "Synthetic"\n[columns]\n'
                        'description = "Désignation"\n'.encode())
    assert load_profile(profile, FIELDS, MULTI_FIELDS).columns == {
        "description": ("Désignation",)}


def test_profile_that_cannot_be_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from updater.files.tables import load_profile
    from updater.impact.inputs.chargemaster import FIELDS

    profile = tmp_path / "locked.toml"
    profile.write_text('name = "Synthetic"\n')

    def denied(self: Path, *args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_text", denied)
    with pytest.raises(UpdaterError) as caught:
        load_profile(profile, FIELDS)
    assert str(caught.value) == (f"{profile}: cannot read the profile: Permission denied; "
                                 "check that the file can be opened")


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_only_the_columns_read_are_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          suffix: str) -> None:
    """A payer's export carries notes and other columns nobody reads here: they are left
    unparsed (blank), the pairs and their dates come out the same."""
    from updater.files import tables

    rows = [["Notes", "CPT", "Payer", "Dx 1", "Dx 2", "End Date", "Comment"],
            ["synthetic", "27447", "X", "M17.11", "M17.12", "2025-09-30", "long text"],
            ["", "27446", "Y", "M17.0", "", "", "more text"]]
    if suffix == "csv":
        path = write_csv(tmp_path, [",".join(r) for r in rows])
    else:
        book = Workbook()
        ws = book.active
        assert ws is not None
        for row in rows:
            ws.append(row)
        path = tmp_path / "crosswalk.xlsx"
        book.save(path)
    asked: list[object] = []
    kind = tables.CsvFile if suffix == "csv" else tables.WorkbookFile
    body = kind.body

    def spy(self: tables.TableFile, delimiter: str, header_at: int,
            only: object = None) -> tables.RawTable:
        asked.append(only)
        return body(self, delimiter, header_at, only)  # type: ignore[arg-type]

    monkeypatch.setattr(kind, "body", spy)
    xw = read_crosswalk(path)
    assert asked == [{1, 3, 4, 5}]
    assert dated(xw) == [(1, "M1711", "", True, "", "2025-09-30"),
                         (1, "M1712", "", True, "", "2025-09-30"),
                         (2, "M170", "", True, "", "")]
    assert (xw.rows_read, xw.layout) == (2, "wide")
