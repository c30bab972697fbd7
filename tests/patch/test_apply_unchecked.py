"""A default-approved HCPCS -> CPT replacement (CMS's XREF: C8904 -> 77046) for a facility
without the AMA files: apply cannot check the CPT code, so it applies the row with a
warning that says so (console, change log, audit log) and every other row as usual."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import make_release
from test_apply import HEADER, read_rows, sha, write_csv

from updater.errors import UpdaterError
from updater.patch.apply import apply_plan
from updater.patch.audit import AUDIT_LOG
from updater.patch.logs import changelog_paths
from updater.plan.model import PLAN_COLUMNS, PlanIdentity
from updater.vocabulary import CodeSystem

HCPCS_2019 = make_release([("C8903", "code", "Sample MRI breast", "Sample MRI breast"),
                           ("G0008", "code", "Sample admin", "Sample admin")],
                          version="2019", effective=date(2019, 1, 1), system=CodeSystem.HCPCS)
LINES = [["2001", "MRI BREAST UNI WO", "C8904", "0610", "900.00", "A", "01/01/2018", ""],
         ["2002", "MRI BREAST UNI W", "C8905", "0610", "950.00", "A", "01/01/2018", ""]]


def row(n: int, source_row: int, old: str, proposed: str, **extra: str) -> dict[str, object]:
    out: dict[str, object] = dict.fromkeys(PLAN_COLUMNS, "")
    out.update({"plan_row": n, "section": "chargemaster", "action": "replace",
                "source_row": source_row, "charge_code": LINES[source_row - 1][0],
                "old_code": old, "proposed_codes": proposed, "effective": "2019-01-01",
                "decision": "approved", "default_decision": "approved", "system": "hcpcs",
                **extra})
    return out


def identity(cdm: Path) -> PlanIdentity:
    # a plan made without CPT files names the HCPCS release only
    return PlanIdentity(plan_id="p-cpt-less", created="2018-11-15T00:00:00Z",
                        releases=[{"id": "hcpcs:2019", "system": "hcpcs", "version": "2019",
                                   "effective": "2019-01-01", "source": ""}],
                        chargemaster=str(cdm), chargemaster_sha256=sha(cdm))


def test_a_cpt_successor_without_a_cpt_release_is_applied_with_a_warning(tmp_path):
    cdm = write_csv(tmp_path / "cdm.csv", LINES, HEADER)
    plan = pd.DataFrame([row(1, 1, "C8904", "77046"), row(2, 2, "C8905", "C8903")],
                        columns=list(PLAN_COLUMNS))
    out = tmp_path / "out.csv"
    result = apply_plan(plan, identity(cdm), cdm, out, new_releases={"hcpcs": HCPCS_2019},
                        user="tester")
    rows = read_rows(out, skip=1)
    assert [r[2] for r in rows] == ["C8904", "77046", "C8905", "C8903"]  # both applied
    assert result.counts["replace"] == 2
    message = ("plan row 1: 77046 is a CPT code and the plan names no CPT release: applied "
               "without checking that 77046 is valid on 2019-01-01 (check it in your CPT "
               "files, or give the release with --release)")
    assert result.warnings == [{"plan_row": 1, "code": "77046", "system": "cpt",
                                "message": message}]
    assert f"  WARNING: {message}" in result.summary_text()
    log = pd.read_csv(changelog_paths(out)[0], dtype=str, keep_default_na=False)
    notes = log.groupby("plan_row")["note"].agg(set)
    assert notes["1"] == {"CPT code not checked (no CPT release)",
                          "copy of input row 1; CPT code not checked (no CPT release)"}
    assert notes["2"] == {"", "copy of input row 2"}
    audit = json.loads((tmp_path / AUDIT_LOG).read_text().splitlines()[-1])
    assert [w["code"] for w in audit["warnings"]] == ["77046"]
    meta = json.loads(changelog_paths(out)[1].read_text())
    assert meta["warnings"] == result.warnings


def test_the_other_rows_are_still_checked(tmp_path):
    cdm = write_csv(tmp_path / "cdm.csv", LINES, HEADER)
    plan = pd.DataFrame([row(1, 1, "C8904", "77046"), row(2, 2, "C8905", "C9999")],
                        columns=list(PLAN_COLUMNS))
    with pytest.raises(UpdaterError, match="plan row 2: C9999 is not in the new release "
                                           "hcpcs:2019"):
        apply_plan(plan, identity(cdm), cdm, tmp_path / "out.csv",
                   new_releases={"hcpcs": HCPCS_2019})
    assert not (tmp_path / "out.csv").exists()


def test_given_the_cpt_release_the_code_is_checked(tmp_path):
    cdm = write_csv(tmp_path / "cdm.csv", LINES, HEADER)
    cpt = make_release([("77047", "code", "Synthetic", "Synthetic")], version="2019",
                       effective=date(2019, 1, 1), system=CodeSystem.CPT)
    plan = pd.DataFrame([row(1, 1, "C8904", "77046")], columns=list(PLAN_COLUMNS))
    with pytest.raises(UpdaterError, match="plan row 1: 77046 is not in the new release "
                                           "cpt:2019"):
        apply_plan(plan, identity(cdm), cdm, tmp_path / "out.csv",
                   new_releases={"hcpcs": HCPCS_2019, "cpt": cpt})


def test_real_hcpcs_2019_c8904_to_77046_without_cpt(shared_data, tmp_path):
    """The real CMS 2018 -> 2019 files: C8904 is discontinued with XREF1 77046 (a CPT
    code). The plan approves it by default; apply without any CPT release patches it with
    the warning, and the other lines as usual."""
    from updater.impact.scan import run_scan
    from updater.plan.make import make_plan

    folder = shared_data / "hcpcs"
    old = folder / "2018" / "2018-Alpha-Numeric-HCPCS-File.zip"
    new = folder / "2019" / "2019-Alpha-Numeric-HCPCS-File.zip"
    if not (old.exists() and new.exists()):
        pytest.skip("HCPCS 2018/2019 files are missing")
    cdm = write_csv(tmp_path / "cdm.csv", [
        ["2001", "MRI BREAST UNI WO", "C8904", "0610", "900.00", "A", "01/01/2018", ""],
        ["2002", "HOUSE WORDS", "G0008", "0771", "25.00", "A", "01/01/2018", ""]], HEADER)
    result, _ = run_scan(chargemaster=cdm, crosswalk=None, old=[str(old)], new=[str(new)],
                         store=tmp_path / "store")
    plan = make_plan(result)
    t = plan.table
    c8904 = t[t["old_code"] == "C8904"].iloc[0]
    assert (c8904["action"], c8904["proposed_codes"], c8904["default_decision"]) == (
        "replace", "77046", "approved")
    out = tmp_path / "out.csv"
    applied = apply_plan(t, plan.identity, cdm, out, store=tmp_path / "store")
    assert [r[2] for r in read_rows(out, skip=1)] == ["C8904", "77046", "G0008"]
    assert [w["code"] for w in applied.warnings] == ["77046"]
    assert "CPT code and the plan names no CPT release" in applied.summary_text()
