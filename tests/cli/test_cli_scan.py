"""`updater scan` through the CLI: summary, --json equal to the library, exit codes, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from updater.cli import app
from updater.impact.scan import run_scan

runner = CliRunner()
SAMPLE = Path(__file__).resolve().parents[2] / "releases" / "sample"
HCPCS_OLD = SAMPLE / "hcpcs/2025/2025-Alpha-Numeric-HCPCS-File.zip"
HCPCS_NEW = SAMPLE / "hcpcs/2026/2026-Alpha-Numeric-HCPCS-File.zip"
CDM = ("Charge Code,Description,Rev Code,HCPCS,Price,Department,Status,Annual Volume\n"
       "1001,INJ SYNTH DRUG,0636,J2001,25.00,PHARMACY,A,1000\n"
       "1002,SYNTH SUPPLY,0270,A4290,3.00,SUPPLY,A,10\n"
       "1003,GARBAGE CODE,0270,J20X1,1,SUPPLY,A,1\n"
       "1004,RETIRED LINE,0636,J2001,25.00,PHARMACY,I,1000\n")


@pytest.fixture
def cdm(tmp_path: Path) -> Path:
    path = tmp_path / "cdm.csv"
    path.write_text(CDM)
    return path


def args(cdm: Path, *more: str) -> list[str]:
    return ["scan", "--chargemaster", str(cdm), "--from", str(HCPCS_OLD), "--to",
            str(HCPCS_NEW), *more]


def test_scan_summary_and_json_equal_to_the_library(cdm, tmp_path):
    out = tmp_path / "scan.json"
    result = runner.invoke(app, args(cdm, "--json", str(out)))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "Scan against HCPCS Level II 2025 -> 2026"
    assert ("chargemaster: 4 rows read, 3 lines checked, 1 inactive or end-dated "
            "(not flagged)") in result.output
    written = json.loads(out.read_text())
    library, _ = run_scan(chargemaster=cdm, crosswalk=None, old=[str(HCPCS_OLD)],
                          new=[str(HCPCS_NEW)])
    assert written == json.loads(json.dumps(library.to_dict(), default=str))
    assert written["summary"]["chargemaster"]["rows_read"] == 4
    terminated = [f for f in written["findings"] if f["kind"] == "terminated"]
    assert [(f["row"], f["code"]) for f in terminated] == [(1, "J2001")]
    assert terminated[0]["candidates"][0]["code"] == "J2002"
    assert terminated[0]["charges_at_risk"] == 25000.0


def test_fail_on_makes_findings_exit_1(cdm):
    assert runner.invoke(app, args(cdm, "--fail-on", "terminated")).exit_code == 1
    assert runner.invoke(app, args(cdm, "--fail-on", "deleted")).exit_code == 0


@pytest.mark.parametrize(("extra", "message"), [
    (["--fail-on", "gone"], "updater: error: unknown finding kind gone in --fail-on; use "
     "deleted, expanded, revised, terminated, not_billable, deleted_earlier, not_in_release, "
     "malformed, description_mismatch, new_in_family"),
])
def test_bad_options_one_line(cdm, extra, message):
    result = runner.invoke(app, args(cdm, *extra))
    assert result.exit_code == 2
    assert result.output.strip() == message


def test_from_without_to(cdm):
    result = runner.invoke(app, ["scan", "--chargemaster", str(cdm), "--from", str(HCPCS_OLD)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "updater: error: give the releases as --from OLD --to NEW pairs (got 1 --from and "
        "0 --to); e.g. --from icd10cm:FY2025 --to icd10cm:FY2026")


def test_nothing_to_scan():
    result = runner.invoke(app, ["scan", "--from", str(HCPCS_OLD), "--to", str(HCPCS_NEW)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "updater: error: nothing to scan; give --chargemaster and/or --crosswalk")


ICD_OLD = SAMPLE / "icd10cm/FY2025/icd10cm-Code-Descriptions-2025.zip"
ICD_NEW = SAMPLE / "icd10cm/FY2026/icd10cm-Code-Descriptions-2026.zip"


def test_crosswalk_with_named_columns_and_nothing_to_flag(tmp_path):
    """Unusual column names given on the command line; a clean crosswalk has no findings."""
    xw = tmp_path / "xw.csv"
    xw.write_text("Proc,Dx A,Dx B\n27447,I10,E11.9\n")
    plain = runner.invoke(app, ["scan", "--crosswalk", str(xw), "--from", str(ICD_OLD),
                                "--to", str(ICD_NEW)])
    assert plain.exit_code == 2
    assert "no diagnosis column" in plain.output and "--dx-col" in plain.output
    named = runner.invoke(app, ["scan", "--crosswalk", str(xw), "--proc-col", "Proc",
                                "--dx-col", "Dx A", "--dx-col", "Dx B", "--from", str(ICD_OLD),
                                "--to", str(ICD_NEW), "--json", str(tmp_path / "o.json")])
    assert named.exit_code == 0, named.output
    data = json.loads((tmp_path / "o.json").read_text())
    assert data["summary"]["crosswalk"]["pairs"] == 2
    assert [f["code"] for f in data["findings"]] == ["I10"]  # revised in the sample FY2026
    assert data["findings"][0]["kind"] == "revised"


def test_a_code_column_of_garbage_is_an_error(tmp_path):
    """Most values not codes at all: the wrong column, not a chargemaster full of typos."""
    path = tmp_path / "cdm.csv"
    rows = "".join(f"{1000 + i},LINE {i},0300,{txt},1.00\n"
                   for i, txt in enumerate(["LAB", "RAD", "PHARM", "J2001", "SUPPLY", "ER"]))
    path.write_text("Charge Code,Description,Rev Code,HCPCS,Price\n" + rows)
    result = runner.invoke(app, ["scan", "--chargemaster", str(path), "--from", str(HCPCS_OLD),
                                 "--to", str(HCPCS_NEW)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"updater: error: {path}: the code column 'HCPCS' holds no CPT or HCPCS codes (5 of 6 "
        "values are not codes, e.g. 'LAB' on row 1); is it the right column? name it with "
        "--code-col or a --profile")


@pytest.mark.parametrize(("content", "expected"), [
    ("", "the file is empty"),
    ("Charge Code,Description,Price\n1001,LINE,1.00\n", "no code column"),
])
def test_bad_chargemaster_one_line(tmp_path, content, expected):
    path = tmp_path / "cdm.csv"
    path.write_text(content)
    result = runner.invoke(app, ["scan", "--chargemaster", str(path), "--from", str(HCPCS_OLD),
                                 "--to", str(HCPCS_NEW)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"updater: error: {path}")
    assert expected in lines[0]
    assert "Traceback" not in result.output


def test_unknown_sheet_lists_the_sheets(tmp_path):
    import openpyxl

    path = tmp_path / "cdm.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Charges"
    wb.active.append(["Charge Code", "Description", "HCPCS", "Price"])
    wb.active.append(["1001", "SYNTH LINE", "J2001", 1.0])
    wb.save(path)
    result = runner.invoke(app, ["scan", "--chargemaster", str(path), "--sheet", "CDM",
                                 "--from", str(HCPCS_OLD), "--to", str(HCPCS_NEW)])
    assert result.exit_code == 2
    assert "Charges" in result.output and "CDM" in result.output
    assert len(result.output.strip().splitlines()) == 1
