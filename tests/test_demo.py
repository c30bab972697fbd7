"""`updater demo` on the embedded synthetic sample: every pair diffed and verified."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from updater.cli import app

runner = CliRunner()


def test_demo_diffs_and_verifies_every_sample_pair(tmp_path):
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.json")) == [
        "cpt-2025-to-2026.json", "hcpcs-2025-to-2026.json",
        "icd10cm-FY2025-to-FY2026.json", "icd10cm-FY2026-to-FY2026-April.json", "scan.json"]
    icd = json.loads((out / "icd10cm-FY2025-to-FY2026.json").read_text())
    codes = icd["summary"]["codes"]
    assert (codes["added"], codes["deleted"], codes["revised"], codes["expanded"],
            codes["cosmetic"]) == (15, 5, 4, 2, 1)
    assert all(v["ok"] for v in icd["verification"])
    hcpcs = json.loads((out / "hcpcs-2025-to-2026.json").read_text())
    kinds = {c["kind"] for c in hcpcs["changes"]}
    assert {"added", "terminated", "revised", "attributes"} <= kinds
    assert hcpcs["verification"][0]["ok"] is True
    cpt = json.loads((out / "cpt-2025-to-2026.json").read_text())
    assert cpt["summary"]["codes"]["revised_medium_only"] == 1
    assert "medium descriptor only" in result.output
    assert result.output.count("verified against") == 3
    scan = json.loads((out / "scan.json").read_text())
    assert scan["summary"]["chargemaster"]["rows_read"] == 2946
    assert scan["summary"]["findings_by_kind"]["terminated"] == 22
    assert {f["kind"] for f in scan["findings"]} == {
        "deleted", "expanded", "revised", "terminated", "not_billable", "not_in_release",
        "malformed", "description_mismatch", "new_in_family"}
    assert result.output.rstrip().endswith(f"results written to {out.resolve()}")
