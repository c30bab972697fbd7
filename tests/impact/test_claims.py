"""updater claims: the claim lines that bill codes a release pair retires, on DuckDB.

The claims here are made up; the releases are the synthetic samples (releases/sample):
ICD-10-CM FY2025 -> FY2026 deletes A082, K578, M548 and expands E1165 (effective
2025-10-01; K57 is a header), HCPCS 2025 -> 2026 terminates J2001 (TERM DT 2025-12-31)
and keeps Q4101, discontinued 2024-12-31.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from updater.cli import app
from updater.errors import UpdaterError
from updater.impact.change_sets import build_change_sets
from updater.impact.claims import impact_claims, query_template, render_query

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "releases" / "sample"
ICD_OLD = SAMPLE / "icd10cm/FY2025/icd10cm-Code-Descriptions-2025.zip"
ICD_NEW = SAMPLE / "icd10cm/FY2026/icd10cm-Code-Descriptions-2026.zip"
HCPCS_OLD = SAMPLE / "hcpcs/2025/2025-Alpha-Numeric-HCPCS-File.zip"
HCPCS_NEW = SAMPLE / "hcpcs/2026/2026-Alpha-Numeric-HCPCS-File.zip"
RELEASES = ["--from", str(ICD_OLD), "--to", str(ICD_NEW),
            "--from", str(HCPCS_OLD), "--to", str(HCPCS_NEW)]

HEADER = ["Claim ID", "Line", "Date of Service", "CPT/HCPCS", "Mod 1", "Dx 1", "Dx 2",
          "Line Charge", "Payer", "Facility", "Department"]
# Line by line, what it bills and what the scan's rules make of it:
ROWS = [
    # J2001 terminated (not billable from 2026-01-01), E1165 expanded (from 2025-10-01):
    # at risk, before the earlier of the two dates
    ["C1", "1", "2025-09-15", "J2001", "", "E11.65", "I10", "100.00", "MEDICARE", "NORTH",
     "PHARMACY"],
    ["C1", "2", "2025-09-15", "99213", "25", "E11.65", "I10", "50.00", "MEDICARE", "NORTH",
     "CLINIC"],  # E1165 expanded, before
    ["C2", "1", "10/02/2025", "99214", "", "a08.2", "", "1,200.50", "AETNA", "NORTH",
     "CLINIC"],  # A082 deleted (spelled in lower case, with the dot), on or after
    ["C2", "2", "10/02/2025", "J1100", "", "I10", "", "80", "AETNA", "NORTH", "PHARMACY"],
    # Q4101 terminated since 2025-01-01, K57 a header: on or after
    ["C3", "1", "20260105", "Q4101", "", "K57", "", "$300.25", "MEDICARE", "SOUTH", "SUPPLY"],
    ["C3", "2", "2026-01-05", "99213", "", "E119", "", "40", "MEDICARE", "SOUTH", "CLINIC"],
    ["C4", "1", "", "99213", "", "M54.8", "", "75", "SELF PAY", "SOUTH", "CLINIC"],  # no date
    ["C4", "2", "2025-12-01", "99213", "", "", "", "", "SELF PAY", "SOUTH", "CLINIC"],
]


@pytest.fixture(scope="module")
def change_sets(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    store = tmp_path_factory.mktemp("store")
    return build_change_sets([(str(ICD_OLD), str(ICD_NEW)), (str(HCPCS_OLD), str(HCPCS_NEW))],
                             store=store)


def write_csv(path: Path, rows: list[list[str]] = ROWS, header: list[str] = HEADER,
              titles: tuple[str, ...] = ()) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        for title in titles:
            fh.write(title + "\n")
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)
    return path


def write_parquet(path: Path, *, dx_list: bool = False) -> Path:
    """ROWS as a warehouse writes them: typed dates and charges, other column names."""
    def day(text: str) -> date | None:
        if not text:
            return None
        if "/" in text:
            m, d, y = text.split("/")
            return date(int(y), int(m), int(d))
        text = text.replace("-", "")
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))

    columns: dict[str, pa.Array] = {
        "claim_id": pa.array([r[0] for r in ROWS]),
        "line_number": pa.array([int(r[1]) for r in ROWS], pa.int16()),
        "service_date": pa.array([day(r[2]) for r in ROWS], pa.date32()),
        "procedure_code": pa.array([r[3] for r in ROWS]),
        "modifier_1": pa.array([r[4] or None for r in ROWS]),
    }
    if dx_list:
        columns["diagnosis_codes"] = pa.array([[c for c in r[5:7] if c] for r in ROWS],
                                              pa.list_(pa.string()))
    else:
        columns["dx_1"] = pa.array([r[5] or None for r in ROWS])
        columns["dx_2"] = pa.array([r[6] or None for r in ROWS])
    columns |= {
        "line_charge": pa.array([float(r[7].strip("$").replace(",", "")) if r[7] else None
                                 for r in ROWS]),
        "payer": pa.array([r[8] for r in ROWS]),
        "facility": pa.array([r[9] for r in ROWS]),
        "department": pa.array([r[10] for r in ROWS]),
    }
    pq.write_table(pa.table(columns), path)
    return path


def facility_rows(result) -> dict[str, tuple[int, float, int, float, int, float]]:  # type: ignore[no-untyped-def]
    f = result.rollup("facility")
    return {r.facility: (r.lines, r.charges, r.lines_affected, r.charges_affected,
                         r.lines_on_or_after, r.charges_on_or_after)
            for r in f.itertuples(index=False)}


def code_rows(result) -> list[tuple[str, str, str, int, float, str]]:  # type: ignore[no-untyped-def]
    return [(r.code, r.role, r.kind, r.lines, r.charges, str(r.effective))
            for r in result.by_code.itertuples(index=False)]


EXPECTED_CODES = [
    ("A082", "diagnosis", "deleted", 1, 1200.5, "2025-10-01"),
    ("K57", "diagnosis", "not_billable", 1, 300.25, "2025-10-01"),
    ("Q4101", "procedure", "terminated", 1, 300.25, "2025-01-01"),  # the day after TERM DT
    ("E1165", "diagnosis", "expanded", 2, 150.0, "2025-10-01"),
    ("J2001", "procedure", "terminated", 1, 100.0, "2026-01-01"),
    ("M548", "diagnosis", "deleted", 1, 75.0, "2025-10-01"),
]


def test_csv_lines_and_charges_at_risk(tmp_path: Path, change_sets) -> None:  # type: ignore[no-untyped-def]
    result = impact_claims(write_csv(tmp_path / "claims.csv"), change_sets)
    s = result.summary
    assert (s["lines_read"], s["charges"]) == (8, 1845.75)
    assert (s["lines_affected"], s["charges_affected"]) == (5, 1725.75)
    assert (s["lines_affected_on_or_after"], s["charges_affected_on_or_after"]) == (2, 1500.75)
    assert (s["lines_affected_without_date"], s["lines_without_date"]) == (1, 1)
    assert s["lines_without_charge"] == 1
    assert (s["first_service_date"], s["last_service_date"]) == ("2025-09-15", "2026-01-05")
    assert s["by_kind"] == {"deleted": {"lines": 2, "charges": 1275.5},
                            "expanded": {"lines": 2, "charges": 150.0},
                            "terminated": {"lines": 2, "charges": 400.25},
                            "not_billable": {"lines": 1, "charges": 300.25},
                            "deleted_earlier": {"lines": 0, "charges": 0.0}}
    assert s["by_role"] == {"diagnosis": {"lines": 5, "charges": 1725.75},
                            "procedure": {"lines": 2, "charges": 400.25}}
    assert facility_rows(result) == {"NORTH": (4, 1430.5, 3, 1350.5, 1, 1200.5),
                                     "SOUTH": (4, 415.25, 2, 375.25, 1, 300.25)}
    assert code_rows(result) == EXPECTED_CODES
    codes = result.by_code.set_index("code")
    assert codes.loc["E1165", "display"] == "E11.65"
    assert codes.loc["E1165", "replaced_by"] == "E11650, E11651, E11659"
    assert codes.loc["J2001", "replaced_by"] == "J2002"
    groups = result.by_group.set_index(["facility", "payer", "department"])
    assert groups.loc[("NORTH", "AETNA", "PHARMACY"), ["lines", "lines_affected"]].tolist() == [
        1, 0]  # every line is counted in its group, at risk or not
    assert int(result.by_group["lines"].sum()) == 8


def test_service_dates_filter_counts_only_the_lines_asked_for(tmp_path: Path,
                                                              change_sets) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "claims.csv")
    after = impact_claims(path, change_sets, service_dates="on-or-after").summary
    before = impact_claims(path, change_sets, service_dates="before").summary
    assert (after["lines_affected"], after["charges_affected"]) == (2, 1500.75)
    assert (before["lines_affected"], before["charges_affected"]) == (2, 150.0)
    assert after["lines_read"] == before["lines_read"] == 8  # totals count every line
    assert before["by_kind"]["expanded"] == {"lines": 2, "charges": 150.0}
    assert before["by_kind"]["deleted"] == {"lines": 0, "charges": 0.0}


@pytest.mark.parametrize("dx_list", [False, True], ids=["dx-columns", "dx-list"])
def test_parquet_gives_the_csv_result(tmp_path: Path, change_sets, dx_list: bool) -> None:  # type: ignore[no-untyped-def]
    from_csv = impact_claims(write_csv(tmp_path / "claims.csv"), change_sets)
    from_parquet = impact_claims(write_parquet(tmp_path / "claims.parquet", dx_list=dx_list),
                                 change_sets)
    assert from_parquet.summary == from_csv.summary
    assert code_rows(from_parquet) == EXPECTED_CODES
    pd.testing.assert_frame_equal(from_parquet.by_group, from_csv.by_group)
    assert from_parquet.extract["format"] == "parquet"


def test_a_folder_of_parquet_files_is_one_extract(tmp_path: Path, change_sets) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "extract"
    folder.mkdir()
    table = pq.read_table(write_parquet(tmp_path / "all.parquet"))
    pq.write_table(table.slice(0, 3), folder / "part-0.parquet")
    pq.write_table(table.slice(3), folder / "part-1.parquet")
    result = impact_claims(folder, change_sets)
    assert (result.summary["lines_read"], result.summary["lines_affected"]) == (8, 5)
    assert result.extract["files"] == 2


def test_a_list_of_codes_in_one_text_cell(tmp_path: Path, change_sets) -> None:  # type: ignore[no-untyped-def]
    header = [*HEADER[:5], "Diagnosis Codes", *HEADER[7:]]
    rows = [[*r[:5], "; ".join(c for c in r[5:7] if c), *r[7:]] for r in ROWS]
    result = impact_claims(write_csv(tmp_path / "claims.csv", rows, header), change_sets)
    assert code_rows(result) == EXPECTED_CODES
    assert result.extract["code_columns"] == {"proc": "CPT/HCPCS", "dx_1": "Diagnosis Codes",
                                              "dx_2": "Diagnosis Codes", "mod_1": "Mod 1"}


def test_title_rows_and_named_columns(tmp_path: Path, change_sets) -> None:  # type: ignore[no-untyped-def]
    header = ["CLM", "LN", "SVC_DT", "PROC", "M1", "D1", "D2", "AMT", "FIN_CLASS", "FAC",
              "DEPT"]
    path = write_csv(tmp_path / "claims.csv", header=header,
                     titles=("CLAIMS EXTRACT (SYNTHETIC), RUN 2026-01-10",))
    columns = {"claim_id": "CLM", "service_date": "SVC_DT", "procedure": "PROC",
               "diagnosis": ["D1", "D2"], "charge": "AMT", "payer": "FIN_CLASS",
               "facility": "FAC"}
    result = impact_claims(path, change_sets, columns=columns)
    assert (result.summary["lines_read"], result.summary["lines_affected"]) == (8, 5)
    assert result.extract["columns"]["department"] == "DEPT"  # found by its usual name


def test_without_a_department_the_groups_are_facility_and_payer(tmp_path: Path,
                                                                change_sets) -> None:  # type: ignore[no-untyped-def]
    rows = [r[:-1] for r in ROWS]
    result = impact_claims(write_csv(tmp_path / "claims.csv", rows, HEADER[:-1]), change_sets)
    assert list(result.by_group.columns[:2]) == ["facility", "payer"]
    assert "department" not in result.by_group
    assert result.summary["lines_affected"] == 5


def test_only_the_code_sets_given_are_checked(tmp_path: Path, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    hcpcs_only = build_change_sets([(str(HCPCS_OLD), str(HCPCS_NEW))],
                                   store=tmp_path_factory.mktemp("store"))
    result = impact_claims(write_csv(tmp_path / "claims.csv"), hcpcs_only)
    assert code_rows(result) == [EXPECTED_CODES[2], EXPECTED_CODES[4]]
    assert result.summary["by_role"] == {"procedure": {"lines": 2, "charges": 400.25}}


# ---------------------------------------------------------------- the SQL


@pytest.mark.parametrize("slots", [[("proc", "procedure")],
                                   [("proc", "procedure"), ("dx_1", "diagnosis"),
                                    ("dx_2", "diagnosis"), ("mod_1", "modifier")]],
                         ids=["one-slot", "four-slots"])
def test_the_queries_read_the_same_in_duckdb_and_spark(slots: list[tuple[str, str]]) -> None:
    sqlglot = pytest.importorskip("sqlglot")
    for sql in (render_query(slots), query_template("totals")):
        duck = sqlglot.parse_one(sql, read="duckdb")
        spark = sqlglot.parse_one(sql, read="spark")
        assert duck == spark, "the query means something else in Spark SQL"
        assert sqlglot.transpile(sql, read="duckdb", write="spark")[0] == \
            sqlglot.transpile(sql, read="spark", write="spark")[0]
    assert "LEAST(" in render_query(slots) or len(slots) == 1


def test_the_query_is_one_template_over_the_code_columns() -> None:
    sql = render_query([("proc", "procedure"), ("dx_1", "diagnosis")])
    assert "LEFT JOIN affected_procedure a_proc ON a_proc.raw = c.proc" in sql
    assert "LEFT JOIN affected_diagnosis a_dx_1 ON a_dx_1.raw = c.dx_1" in sql
    assert "{{" not in sql and "{%" not in sql


# ---------------------------------------------------------------- the command

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["claims", *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_json_is_the_library_result(tmp_path: Path, change_sets) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "claims.csv")
    code, out, err = run(str(path), *RELEASES, "--store", str(tmp_path / "store"),
                         "--json", "-")
    assert code == 0, err
    expected = json.loads(json.dumps(impact_claims(path, change_sets).to_dict(), default=str))
    got = json.loads(out)
    assert got["summary"] == {**expected["summary"], "effective": {
        "icd10cm": "2025-10-01", "hcpcs": "2026-01-01"}}
    assert got["by_group"] == expected["by_group"]
    assert got["by_code"] == expected["by_code"]
    assert got["extract"]["columns"]["charge"] == "Line Charge"
    assert [r["system"] for r in got["releases"]] == ["icd10cm", "hcpcs"]


def test_cli_writes_csv_xlsx_and_the_summary(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = write_csv(tmp_path / "claims.csv")
    code, out, err = run(str(path), *RELEASES, "--store", str(tmp_path / "store"),
                         "--csv", str(tmp_path / "groups.csv"),
                         "--xlsx", str(tmp_path / "claims.xlsx"))
    assert code == 0, err
    assert "5 (62.50% of lines), $1,725.75 (93.50% of charges)" in out
    assert "of them with a date of service on or after that date: 2 lines, $1,500.75" in out
    groups = pd.read_csv(tmp_path / "groups.csv")
    assert int(groups["lines"].sum()) == 8 and int(groups["lines_affected"].sum()) == 5
    book = load_workbook(tmp_path / "claims.xlsx", read_only=True)
    assert book.sheetnames == ["summary", "by_group", "by_facility", "by_payer",
                               "by_department", "by_code"]
    assert not list(tmp_path.glob(".*.tmp"))


def errors_of(tmp_path: Path, *args: str) -> str:
    code, out, err = run(*args, *RELEASES, "--store", str(tmp_path / "store"))
    assert code == 2, (out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_cli_a_missing_column_is_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "claims.csv", [r[:7] + r[8:] for r in ROWS],
                     HEADER[:7] + HEADER[8:])
    assert errors_of(tmp_path, str(path)) == (
        f"updater: error: {path}: no charge column (for the charge looked for Line Charge, "
        "Line Charges, Charge, Charges, Charge Amount, Charge Amt, Billed Charge, Billed "
        "Charges, Billed Amount, Billed Amt, Total Charge, Total Charges, Line Amount, Gross "
        "Charge, Amount); the extract has: 'Claim ID', 'Line', 'Date of Service', "
        "'CPT/HCPCS', 'Mod 1', 'Dx 1', 'Dx 2', 'Payer', 'Facility', 'Department'; name it "
        "with --column charge=NAME")


def test_cli_a_chargemaster_is_not_a_claims_extract(tmp_path: Path) -> None:
    cdm = REPO / "chargemasters" / "sample-cdm.csv"
    line = errors_of(tmp_path, str(cdm))
    assert line.startswith(f"updater: error: {cdm}: not a claims extract: no claim id and no "
                           "date of service column; the file has: 'Charge Code', ")
    assert line.endswith("; give an extract with one row per claim line (CSV or Parquet), or "
                         "name its columns with --column claim_id=NAME --column "
                         "service_date=NAME ...")


def test_cli_an_unreadable_date_names_its_row(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[5][2] = "2026-13-05"
    path = write_csv(tmp_path / "claims.csv", rows)
    assert errors_of(tmp_path, str(path)) == (
        f"updater: error: {path}, row 6: '2026-13-05' in column 'Date of Service' is not a "
        "date (expected YYYY-MM-DD, M/D/YYYY, MM/DD/YYYY or YYYYMMDD); correct it in the "
        "extract, or export dates as YYYY-MM-DD")


def test_cli_an_unreadable_charge_names_its_row(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[3][7] = "eighty"
    path = write_csv(tmp_path / "claims.csv", rows)
    assert errors_of(tmp_path, str(path)) == (
        f"updater: error: {path}, row 4: 'eighty' in column 'Line Charge' is not an amount; "
        "write it as a number, e.g. 1234.50, or leave it blank")


def test_cli_an_unreadable_date_in_parquet_names_file_and_row(tmp_path: Path) -> None:
    table = pq.read_table(write_parquet(tmp_path / "typed.parquet"))
    dates = [str(d) if d else None for d in table.column("service_date").to_pylist()]
    dates[6] = "31/12/2025"
    path = tmp_path / "claims.parquet"
    pq.write_table(table.set_column(2, "service_date", pa.array(dates)), path)
    assert errors_of(tmp_path, str(path)) == (
        f"updater: error: {path}, row 7: '31/12/2025' in column 'service_date' is not a date "
        "(expected YYYY-MM-DD, M/D/YYYY, MM/DD/YYYY or YYYYMMDD); correct it in the "
        "extract, or export dates as YYYY-MM-DD")


def test_cli_a_file_that_is_not_an_extract(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"
    assert errors_of(tmp_path, str(missing)) == (
        f"updater: error: {missing}: no such file or folder; check the path")
    book = tmp_path / "claims.xlsx"
    book.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    assert errors_of(tmp_path, str(book)) == (
        f"updater: error: {book}: a workbook, not a claims extract; save the extract as CSV "
        "or Parquet (a spreadsheet holds at most 1,048,576 rows)")
    empty = tmp_path / "folder"
    empty.mkdir()
    assert errors_of(tmp_path, str(empty)) == (
        f"updater: error: {empty}: no Parquet files (*.parquet) in this folder; give the "
        "folder of the extract's Parquet files, or one CSV or Parquet file")
    binary = tmp_path / "claims.dat"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert errors_of(tmp_path, str(binary)) == (
        f"updater: error: {binary}: not a claims extract: binary content, neither CSV text "
        "nor Parquet; give the extract as CSV or Parquet")
    header_only = write_csv(tmp_path / "header-only.csv", [])
    assert errors_of(tmp_path, str(header_only)) == (
        f"updater: error: {header_only}: no claim lines under the header; is this the right "
        "file? export the claims again")
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1" + b"\x00" * 64)
    assert errors_of(tmp_path, str(broken)).startswith(
        f"updater: error: {broken}: cannot read the claims extract as Parquet: ")


def test_cli_bad_options(tmp_path: Path) -> None:
    path = str(write_csv(tmp_path / "claims.csv"))
    assert errors_of(tmp_path, path, "--column", "price") == (
        "updater: error: --column 'price' is not FIELD=NAME; e.g. --column service_date=DOS; "
        "fields: claim_id, line, service_date, procedure, modifiers, diagnosis, charge, payer, "
        "facility, department")
    assert errors_of(tmp_path, path, "--column", "price=Line Charge") == (
        "updater: error: unknown field 'price' in --column 'price=Line Charge'; name one of "
        "claim_id, line, service_date, procedure, modifiers, diagnosis, charge, payer, "
        "facility, department")
    assert errors_of(tmp_path, path, "--column", "charge=Amount") == (
        f"updater: error: {path}: no column named 'Amount' (the charge column on the "
        "command line); the extract has: 'Claim ID', 'Line', 'Date of Service', 'CPT/HCPCS', "
        "'Mod 1', 'Dx 1', 'Dx 2', 'Line Charge', 'Payer', 'Facility', 'Department'; correct "
        "the column name to one of the extract's")
    line = errors_of(tmp_path, path, "--memory-limit", "lots")  # DuckDB's own words between
    assert line.startswith("updater: error: cannot start DuckDB: ")
    assert line.endswith("; check --memory-limit (e.g. 2GB)")
    assert errors_of(tmp_path, path, "--service-dates", "later") == (
        "updater: error: unknown --service-dates 'later'; use all, on-or-after, before")


def test_modifiers_are_judged_against_the_hcpcs_modifiers(tmp_path: Path) -> None:
    from conftest import make_release

    from updater.impact.candidates import build_candidates
    from updater.impact.change_sets import ChangeSet
    from updater.releases.diff import diff_releases
    from updater.vocabulary import CodeSystem

    rows = [("J1100", "code", "Synthetic drug", "Synthetic drug"),
            ("QQ", "modifier", "Synthetic modifier", "Synthetic modifier"),
            ("ZZ", "modifier", "Synthetic gone", "Synthetic gone")]
    old = make_release(rows, version="2025", effective=date(2025, 1, 1),
                       system=CodeSystem.HCPCS, termination_date=["", "", ""])
    new = make_release(rows[:2], version="2026", effective=date(2026, 1, 1),
                       system=CodeSystem.HCPCS, termination_date=["", "2025-06-30"])
    diff = diff_releases(old, new, verify=False)
    hcpcs = ChangeSet(CodeSystem.HCPCS, old, new, diff, build_candidates([old, new], [diff]))
    rows_ = [[*r[:4], mod, *r[5:]] for r, mod in zip(ROWS[:3], ["qq", "zz", "RT"],
                                                     strict=True)]
    result = impact_claims(write_csv(tmp_path / "claims.csv", rows_), [hcpcs])
    assert [(c[0], c[1], c[2], c[3], c[5]) for c in code_rows(result)] == [
        ("QQ", "modifier", "terminated", 1, "2025-07-01"),  # the day after its TERM DT
        ("ZZ", "modifier", "deleted", 1, "2026-01-01")]
    assert result.summary["by_role"] == {"modifier": {"lines": 2, "charges": 150.0}}
    assert result.summary["lines_affected_on_or_after"] == 1  # QQ on 2025-09-15


def test_no_code_at_risk_still_counts_every_line(tmp_path: Path, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    cpt = build_change_sets([(str(SAMPLE / "cpt/2025/CPT 2025 data files.zip"),
                              str(SAMPLE / "cpt/2026/CPT 2026 data files.zip"))],
                            store=tmp_path_factory.mktemp("store"))
    result = impact_claims(write_csv(tmp_path / "claims.csv"), cpt)  # 0075T, 81001: unbilled
    assert (result.summary["lines_read"], result.summary["charges"]) == (8, 1845.75)
    assert (result.summary["lines_affected"], result.summary["codes_affected"]) == (0, 0)
    assert result.by_code.empty
    assert int(result.by_group["lines"].sum()) == 8
    assert int(result.by_group["lines_affected"].sum()) == 0


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "cp1252"])
def test_a_unicode_or_windows_text_extract(tmp_path: Path, change_sets, encoding: str) -> None:  # type: ignore[no-untyped-def]
    """UTF-16 LE (Excel's "Unicode text") and Windows-1252 are read as the UTF-8 twin;
    an encoding the engine cannot read is one line, never garbled codes."""
    twin = write_csv(tmp_path / "claims.csv")
    text = twin.read_text(encoding="utf-8")
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    other = tmp_path / f"claims-{encoding}.csv"
    other.write_bytes(bom + text.encode(encoding))
    if encoding == "utf-16-be":
        with pytest.raises(UpdaterError) as caught:
            impact_claims(other, change_sets)
        assert str(caught.value) == (f"{other}: the claims extract is UTF-16-BE text, which "
                                     "the claims engine cannot read; save it as UTF-8 CSV "
                                     "(or Parquet)")
        return
    assert code_rows(impact_claims(other, change_sets)) == EXPECTED_CODES
