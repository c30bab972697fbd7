"""`updater plan --scan saved.json`: the plan of a saved scan, without scanning again."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from updater.cli import app
from updater.errors import UpdaterError
from updater.impact.findings import ScanResult, read_scan_json
from updater.patch.apply import apply_plan
from updater.plan.make import plan_from_scan_json
from updater.plan.plan_file import read_plan_json

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "releases" / "sample"
CDM = REPO / "chargemasters" / "sample-cdm.csv"
CROSSWALK = REPO / "chargemasters" / "sample-crosswalk.csv"
RELEASES = ["--from", str(SAMPLE / "hcpcs/2025/2025-Alpha-Numeric-HCPCS-File.zip"),
            "--to", str(SAMPLE / "hcpcs/2026/2026-Alpha-Numeric-HCPCS-File.zip"),
            "--from", str(SAMPLE / "cpt/2025/CPT 2025 data files.zip"),
            "--to", str(SAMPLE / "cpt/2026/CPT 2026 data files.zip"),
            "--from", str(SAMPLE / "icd10cm/FY2025/icd10cm-Code-Descriptions-2025.zip"),
            "--to", str(SAMPLE / "icd10cm/FY2026/icd10cm-Code-Descriptions-2026.zip")]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A saved scan of the sample chargemaster and crosswalk, and the plan made directly."""
    folder = tmp_path_factory.mktemp("scan")
    scan_json = folder / "scan.json"
    got = runner.invoke(app, ["scan", "--chargemaster", str(CDM), "--crosswalk",
                              str(CROSSWALK), *RELEASES, "--json", str(scan_json)])
    assert got.exit_code == 0, got.output
    direct = folder / "direct"
    got = runner.invoke(app, ["plan", "--chargemaster", str(CDM), "--crosswalk",
                              str(CROSSWALK), *RELEASES, "--out", str(direct)])
    assert got.exit_code == 0, got.output
    return scan_json, direct / "plan.json"


def test_scan_json_records_inputs_and_release_sources(saved: tuple[Path, Path]) -> None:
    data = json.loads(saved[0].read_text())
    # the sample crosswalk writes its diagnoses with the dot: the plan and the reports will too
    assert data["inputs"] == {"chargemaster": {"path": str(CDM), "sha256": sha(CDM)},
                              "crosswalk": {"path": str(CROSSWALK), "sha256": sha(CROSSWALK),
                                            "icd10cm_spelling": "dotted"}}
    new = {r["system"]: r["new"] for r in data["releases"]}
    assert new["hcpcs"]["id"] == "hcpcs:2026" and new["hcpcs"]["version"] == "2026"
    assert Path(new["icd10cm"]["source"]).name == "icd10cm-Code-Descriptions-2026.zip"
    assert new["icd10cm"]["sha256"] == sha(Path(new["icd10cm"]["source"]))
    # read back, it writes the same JSON
    back = read_scan_json(saved[0])
    assert json.loads(json.dumps(back.to_dict(), default=str)) == data
    assert len(back.findings) == len(data["findings"])


def test_plan_from_saved_scan_equals_plan_from_scanning(saved: tuple[Path, Path],
                                                         tmp_path: Path) -> None:
    scan_json, direct = saved
    out = tmp_path / "plan"
    got = runner.invoke(app, ["plan", "--scan", str(scan_json), "--out", str(out)])
    assert got.exit_code == 0, got.output
    a, b = read_plan_json(out / "plan.json"), read_plan_json(direct)
    assert a.table.equals(b.table)
    for key in ("releases", "chargemaster", "chargemaster_sha256", "crosswalk",
                "crosswalk_sha256"):
        assert getattr(a.identity, key) == getattr(b.identity, key), key
    assert a.identity.chargemaster_sha256 == sha(CDM)
    assert (out / "plan.xlsx").is_file() and (out / "conceptmap.json").is_file()
    concept = json.loads((out / "conceptmap.json").read_text())
    assert concept["group"] == json.loads((direct.parent / "conceptmap.json").read_text()
                                          )["group"]


def test_plan_from_saved_scan_applies(saved: tuple[Path, Path], tmp_path: Path) -> None:
    made = plan_from_scan_json(saved[0])
    out = tmp_path / "patched.csv"
    result = apply_plan(made, chargemaster=CDM, out=out, dry_run=True)
    assert not result.forced and result.counts["applied"] > 0


def test_given_file_must_be_the_scanned_one(saved: tuple[Path, Path], tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_bytes(CDM.read_bytes() + b"\n")
    with pytest.raises(UpdaterError) as err:
        plan_from_scan_json(saved[0], chargemaster=other)
    assert str(err.value).startswith(f"{other}: the chargemaster is not the file the scan "
                                     "read (sha256 ")
    same = plan_from_scan_json(saved[0], crosswalk=CROSSWALK)
    assert same.identity.crosswalk_sha256 == sha(CROSSWALK)


def test_older_scan_json_without_inputs(saved: tuple[Path, Path], tmp_path: Path) -> None:
    data = json.loads(saved[0].read_text())
    del data["inputs"]
    for r in data["releases"]:
        for side in ("old", "new"):
            r[side] = {k: r[side][k] for k in ("system", "version", "effective")}
    old = tmp_path / "old-scan.json"
    old.write_text(json.dumps(data))
    made = plan_from_scan_json(old, chargemaster=CDM)
    assert {r["id"] for r in made.identity.releases} == {"hcpcs:2026", "cpt:2026",
                                                         "icd10cm:FY2026"}
    assert made.identity.chargemaster_sha256 == sha(CDM)
    assert made.identity.crosswalk_sha256 == ""


def test_not_a_scan_json(tmp_path: Path, saved: tuple[Path, Path]) -> None:
    cases = {"plan.json": saved[1].read_text(), "text.json": "hello",
             "list.json": "[1, 2]", "bad.json": json.dumps(
                 {"releases": [], "summary": {}, "findings": [{"row": 1}]})}
    expected = {
        "plan.json": 'not a scan result (no "releases", "summary", "findings")',
        "text.json": "not a scan result (not JSON)",
        "list.json": "not a scan result (not a JSON object)",
        "bad.json": "not a scan result (findings without source, charge_code, description, "
                    "department, code, system, kind, official_title, previous_title, detail, "
                    "procedure, diagnosis, charges_at_risk, candidates, automatic)"}
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        got = runner.invoke(app, ["plan", "--scan", str(path), "--out", str(tmp_path / "o")])
        assert got.exit_code == 2, got.output
        assert got.output.strip() == (f"updater: error: {path}: {expected[name]}; give the "
                                      "file `updater scan --json FILE` wrote"), name
    assert not (tmp_path / "o").exists()
    got = runner.invoke(app, ["plan", "--scan", str(tmp_path / "missing.json")])
    assert got.exit_code == 2
    assert got.output.strip() == (f"updater: error: {tmp_path / 'missing.json'}: no such scan "
                                  "file; check the path")


def test_scan_with_releases_is_refused(saved: tuple[Path, Path]) -> None:
    got = runner.invoke(app, ["plan", "--scan", str(saved[0]), *RELEASES[:4]])
    assert got.exit_code == 2
    assert got.output.strip() == (
        f"updater: error: {saved[0]}: --scan plans from the saved findings: --from, --to, "
        "--conversion, --map and --override belong to the scan; leave them out, or scan "
        "again without --scan")


def test_from_dict_round_trip_empty() -> None:
    empty = ScanResult.from_dict({"releases": [], "summary": {}, "findings": []})
    assert empty.findings.empty and empty.to_dict()["findings"] == []
