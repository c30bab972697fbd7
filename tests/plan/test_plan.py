"""make_plan's rules on scan results built in code, the JSON plan, and `updater plan`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import make_release
from typer.testing import CliRunner

from updater.cli import app
from updater.errors import UpdaterError
from updater.impact.change_sets import ChangeSet
from updater.impact.findings import FINDING_COLUMNS, ScanResult
from updater.plan.make import make_plan
from updater.plan.model import PLAN_COLUMNS, Plan, PlanIdentity
from updater.plan.plan_file import read_plan, read_plan_json, write_plan_json
from updater.releases.diff import diff_releases
from updater.vocabulary import CodeSystem

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "releases" / "sample"

CAND_COLUMNS = ["system", "old_code", "new_code", "relation", "source", "automatic", "via",
                "step"]


def _change_set(system: CodeSystem, old_version: str, new_version: str, effective: date
                ) -> ChangeSet:
    old = make_release([("X0001", "code", "Old", "Old")], system=system, version=old_version,
                       effective=date(effective.year - 1, effective.month, effective.day))
    new = make_release([("X0001", "code", "Old", "Old")], system=system, version=new_version,
                       effective=effective)
    return ChangeSet(system, old, new, diff_releases(old, new),
                     pd.DataFrame(columns=CAND_COLUMNS))


CHANGE_SETS = [_change_set(CodeSystem.HCPCS, "2025", "2026", date(2026, 1, 1)),
               _change_set(CodeSystem.ICD10CM, "FY2025", "FY2026", date(2025, 10, 1))]


def cand(code: str, relation: str = "equivalent", source: str = "HCPCS XREF1 (2026)",
         automatic: bool = False) -> dict[str, object]:
    return {"code": code, "relation": relation, "source": source, "automatic": automatic}


def finding(source: str, row: int, code: str, kind: str, *, system: str = "hcpcs",
            candidates: list[dict[str, object]] = (), automatic: bool = False,  # type: ignore[assignment]
            description: str = "A LINE", detail: str = "", official: str = "",
            previous: str = "", procedure: str = "", diagnosis: str = "",
            charges: float | None = None) -> dict[str, object]:
    return {"source": source, "row": row,
            "charge_code": f"C{row}" if source == "chargemaster" else "",
            "description": description if source == "chargemaster" else "",
            "department": "PHARMACY" if source == "chargemaster" else "", "code": code,
            "system": system, "kind": kind, "official_title": official,
            "previous_title": previous, "detail": detail, "procedure": procedure,
            "diagnosis": diagnosis, "charges_at_risk": charges,
            "candidates": list(candidates), "automatic": automatic}


def scan_result(rows: list[dict[str, object]]) -> ScanResult:
    findings = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    return ScanResult(findings=findings, summary={}, change_sets=list(CHANGE_SETS))


CDM_FINDINGS = [
    finding("chargemaster", 1, "J2001", "terminated", detail="TERM DT 2025-12-31",
            candidates=[cand("J2002", automatic=True)], automatic=True, charges=1000.0),
    finding("chargemaster", 2, "J3001", "deleted",
            candidates=[cand("J3002", "narrower", "your map (old-new.csv)")], charges=50.0),
    finding("chargemaster", 3, "J4001", "deleted",
            candidates=[cand("J4002", "narrower", "CMS"), cand("J4003", "narrower", "CMS")],
            charges=20.0),
    finding("chargemaster", 4, "J5001", "deleted",
            candidates=[cand("", "none", "no successor named in HCPCS 2026")], charges=5.5),
    finding("chargemaster", 5, "J6001", "terminated", detail="TERM DT 2025-12-31",
            charges=None),
    finding("chargemaster", 6, "J7001", "revised", official="New official title",
            previous="Old official title", detail="official title changed"),
    finding("chargemaster", 7, "J00X1", "malformed", system="",
            detail="not a CPT or HCPCS code: 'J00X1'"),
    finding("chargemaster", 8, "J9999", "not_in_release",
            detail="in neither hcpcs:2025 nor hcpcs:2026"),
    finding("chargemaster", 9, "L8000", "description_mismatch",
            detail="the line says body part 'knee'; the title says hip"),
    finding("chargemaster", 10, "J0001", "new_in_family", detail="new in 2026 beside it"),
    finding("chargemaster", 11, "J7001", "revised", official="New official title",
            previous="Old official title", description='=HYPERLINK("http://x","click")'),
]

XW_FINDINGS = [
    finding("crosswalk", 1, "M171", "expanded", system="icd10cm", procedure="27447",
            diagnosis="M171", detail="new billable children: M1711, M1712",
            candidates=[cand("M1711", "narrower", "hierarchy"),
                        cand("M1712", "narrower", "hierarchy")]),
    finding("crosswalk", 2, "J2001", "terminated", procedure="J2001", diagnosis="E119",
            candidates=[cand("J2002", automatic=True)], automatic=True),
    finding("crosswalk", 3, "A082", "deleted", system="icd10cm", procedure="27447",
            diagnosis="A082", candidates=[cand("", "none", "no successor")]),
    finding("crosswalk", 4, "I10", "revised", system="icd10cm", procedure="27447",
            diagnosis="I10"),
    finding("crosswalk", 5, "M17X", "not_in_release", system="icd10cm", procedure="27447",
            diagnosis="M17X", detail="in neither"),
    finding("crosswalk", 6, "", "malformed", system="", procedure="27447", diagnosis="",
            detail="no ICD-10-CM code in this pair"),
]


@pytest.fixture(scope="module")
def plan() -> Plan:
    return make_plan(scan_result(CDM_FINDINGS + XW_FINDINGS), chargemaster=None,
                     crosswalk=None)


def rows(plan: Plan, section: str, source_row: int) -> pd.DataFrame:
    t = plan.table
    return t[(t["section"] == section) & (t["source_row"] == source_row)]


def one(plan: Plan, section: str, source_row: int) -> pd.Series:
    found = rows(plan, section, source_row)
    assert len(found) == 1, found
    return found.iloc[0]


def test_columns_and_plan_rows(plan):
    assert tuple(plan.table.columns) == PLAN_COLUMNS
    assert plan.table["plan_row"].tolist() == list(range(1, len(plan.table) + 1))
    assert (plan.table["default_decision"] == plan.table["decision"]).all()
    assert (plan.table["replacement"] == "").all()


def test_one_automatic_candidate_is_an_approved_replace(plan):
    r = one(plan, "chargemaster", 1)
    assert (r["action"], r["proposed_codes"], r["relation"], r["decision"]) == (
        "replace", "J2002", "equivalent", "approved")
    assert r["reason"] == ("J2001 is discontinued (TERM DT 2025-12-31); HCPCS XREF1 (2026) "
                           "names J2002 one-to-one")
    assert (r["effective"], r["charges_at_risk"], r["charge_code"]) == ("2026-01-01", 1000.0,
                                                                        "C1")
    assert (r["finding"], r["system"], r["old_code"]) == ("terminated", "hcpcs", "J2001")


def test_one_candidate_not_automatic_is_pending(plan):
    r = one(plan, "chargemaster", 2)
    assert (r["action"], r["proposed_codes"], r["relation"], r["decision"]) == (
        "replace", "J3002", "narrower", "pending")
    assert r["candidate_source"] == "your map (old-new.csv)"
    assert "confirm it fits" in r["reason"]


def test_several_candidates_split(plan):
    r = one(plan, "chargemaster", 3)
    assert (r["action"], r["proposed_codes"], r["relation"], r["decision"]) == (
        "split", "J4002,J4003", "narrower", "pending")
    assert "2 successors (J4002,J4003)" in r["reason"]


def test_no_successor_retires(plan):
    for n in (4, 5):  # a "none" candidate, and no candidate at all
        r = one(plan, "chargemaster", n)
        assert (r["action"], r["proposed_codes"], r["relation"], r["decision"]) == (
            "retire", "", "none", "pending")
        assert r["reason"].endswith("; retire the line")
    assert one(plan, "chargemaster", 4)["reason"] == (
        "J5001 is deleted in HCPCS Level II 2026; no successor named in HCPCS 2026; "
        "retire the line")
    assert pd.isna(one(plan, "chargemaster", 5)["charges_at_risk"])


def test_revised_updates_the_description(plan):
    r = one(plan, "chargemaster", 6)
    assert (r["action"], r["proposed_description"], r["decision"], r["proposed_codes"]) == (
        "update_description", "New official title", "pending", "")
    assert "'Old official title' -> 'New official title'" in r["reason"]


def test_review_rows_and_no_row_for_new_in_family(plan):
    assert [one(plan, "chargemaster", n)["action"] for n in (7, 8, 9)] == ["review"] * 3
    assert one(plan, "chargemaster", 7)["effective"] == "2025-10-01"  # earliest, no system
    assert rows(plan, "chargemaster", 10).empty
    assert one(plan, "chargemaster", 7)["reason"] == (
        "not a CPT or HCPCS code: 'J00X1'; correct the code")


def test_crosswalk_expanded_pair_ends_and_adds_each_child(plan):
    r = rows(plan, "crosswalk", 1)
    assert r["action"].tolist() == ["end_pair", "add_pair", "add_pair"]
    assert r[["procedure", "diagnosis"]].values.tolist() == [
        ["27447", "M171"], ["27447", "M1711"], ["27447", "M1712"]]
    assert r["proposed_codes"].tolist() == ["", "M1711", "M1712"]
    assert set(r["decision"]) == {"pending"}
    assert set(r["effective"]) == {"2025-10-01"}
    assert r["plan_row"].diff().dropna().tolist() == [1, 1]  # together, end first


def test_crosswalk_procedure_side_one_to_one_is_approved(plan):
    r = rows(plan, "crosswalk", 2)
    assert r["action"].tolist() == ["end_pair", "add_pair"]
    assert r[["procedure", "diagnosis"]].values.tolist() == [["J2001", "E119"],
                                                              ["J2002", "E119"]]
    assert set(r["decision"]) == {"approved"}


def test_crosswalk_no_successor_revised_and_review(plan):
    r = one(plan, "crosswalk", 3)
    assert (r["action"], r["relation"], r["decision"]) == ("end_pair", "none", "pending")
    assert rows(plan, "crosswalk", 4).empty  # revised: the pair stays valid
    assert one(plan, "crosswalk", 5)["action"] == "review"
    assert one(plan, "crosswalk", 6)["action"] == "review"


def test_counts_and_charges(plan):
    counts = plan.counts()
    assert counts.loc["replace", "approved"] == 1 and counts.loc["replace", "pending"] == 1
    assert counts.loc["end_pair"].sum() == 3 and counts.loc["add_pair"].sum() == 3
    assert plan.charges_at_risk() == 1075.5


def test_identity_from_change_sets_and_inputs():
    from updater.impact.inputs import ChargemasterInput

    cdm = ChargemasterInput(table=pd.DataFrame(), rows_read=0,
                            source="cdm.xlsx, sheet 'CDM'", sha256="ab" * 32)
    made = make_plan(scan_result(CDM_FINDINGS), chargemaster=cdm, crosswalk=None)
    ident = made.identity
    assert len(ident.plan_id) == 32 and ident.created.endswith("Z")
    assert (ident.chargemaster, ident.chargemaster_sha256) == ("cdm.xlsx", "ab" * 32)
    assert [(r["id"], r["system"], r["effective"]) for r in ident.releases] == [
        ("hcpcs:2026", "hcpcs", "2026-01-01"), ("icd10cm:FY2026", "icd10cm", "2025-10-01")]
    assert ident.releases[0]["previous_id"] == CHANGE_SETS[0].old.id


def test_empty_scan_gives_an_empty_plan(tmp_path):
    made = make_plan(scan_result([]), chargemaster=None, crosswalk=None)
    assert made.table.empty and tuple(made.table.columns) == PLAN_COLUMNS
    write_plan_json(made, tmp_path / "p.json")
    assert read_plan_json(tmp_path / "p.json").table.empty


def test_json_round_trip(plan, tmp_path):
    path = tmp_path / "plan.json"
    write_plan_json(plan, path)
    data = json.loads(path.read_text())
    assert set(data) == {"schema_version", "identity", "rows"}
    assert list(data["rows"][0]) == list(PLAN_COLUMNS)
    assert data["rows"][4]["charges_at_risk"] is None  # NaN as null
    back = read_plan_json(path)
    pd.testing.assert_frame_equal(back.table, plan.table)
    assert back.identity == plan.identity
    assert read_plan(path).identity.plan_id == plan.identity.plan_id


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d["rows"][0].update(decision="maybe"), "row 1: unknown decision 'maybe'"),
    (lambda d: d["rows"][0].update(action="delete"), "row 1: unknown action 'delete'"),
    (lambda d: d["rows"][0].pop("reason"), "not a plan: column(s) reason missing"),
    (lambda d: d.pop("identity"), "not a plan: no plan identity"),
])
def test_bad_json_plan_is_a_user_error(plan, tmp_path, edit, message):
    path = tmp_path / "plan.json"
    write_plan_json(plan, path)
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    with pytest.raises(UpdaterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_plan_json(path)


def test_identity_dataclass_round_trips_unknown_keys_dropped(tmp_path, plan):
    path = tmp_path / "plan.json"
    write_plan_json(plan, path)
    data = json.loads(path.read_text())
    data["identity"]["future_field"] = "x"
    path.write_text(json.dumps(data))
    assert isinstance(read_plan_json(path).identity, PlanIdentity)


# ------------------------------------------------------------------ CLI on the sample data

PAIRS = [("hcpcs/2025/2025-Alpha-Numeric-HCPCS-File.zip",
          "hcpcs/2026/2026-Alpha-Numeric-HCPCS-File.zip"),
         ("cpt/2025/CPT 2025 data files.zip", "cpt/2026/CPT 2026 data files.zip"),
         ("icd10cm/FY2025/icd10cm-Code-Descriptions-2025.zip",
          "icd10cm/FY2026/icd10cm-Code-Descriptions-2026.zip")]
CDM = REPO / "chargemasters" / "sample-cdm.csv"
XW = REPO / "chargemasters" / "sample-crosswalk.csv"


def release_args() -> list[str]:
    out: list[str] = []
    for old, new in PAIRS:
        out += ["--from", str(SAMPLE / old), "--to", str(SAMPLE / new)]
    return out


def test_cli_plan_on_the_sample_data(tmp_path):
    from updater.impact.inputs.chargemaster import read_chargemaster
    from updater.impact.scan import run_scan
    from updater.plan.workbook import read_workbook

    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["plan", "--chargemaster", str(CDM), "--crosswalk",
                                      str(XW), *release_args(), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["conceptmap.json", "plan.json",
                                                     "plan.xlsx"]
    plan = read_plan_json(out / "plan.json")
    scan, _ = run_scan(chargemaster=CDM, crosswalk=XW, old=[str(SAMPLE / a) for a, _ in PAIRS],
                       new=[str(SAMPLE / b) for _, b in PAIRS])
    f = scan.findings
    t = plan.table
    cdm_f, cdm_t = f[f["source"] == "chargemaster"], t[t["section"] == "chargemaster"]
    # one chargemaster row per finding, except the informational new_in_family
    assert len(cdm_t) == int((cdm_f["kind"] != "new_in_family").sum()) == 77
    assert (cdm_t["action"] == "update_description").sum() == (cdm_f["kind"] == "revised").sum()
    at_risk = cdm_f["kind"].isin({"deleted", "terminated", "expanded", "not_billable"})
    assert cdm_t["action"].isin({"replace", "split", "retire"}).sum() == at_risk.sum() == 24
    assert (cdm_t["action"] == "review").sum() == 7  # 2 not in release, 2 malformed, 3 mismatch
    xw_f, xw_t = f[f["source"] == "crosswalk"], t[t["section"] == "crosswalk"]
    xw_risk = xw_f["kind"].isin({"deleted", "terminated", "expanded", "not_billable"})
    assert (xw_t["action"] == "end_pair").sum() == xw_risk.sum() == 51  # M17.1, R51 too
    n_successors = sum(len([c for c in cands if c["code"] and c["relation"] != "none"])
                       for cands in xw_f.loc[xw_risk, "candidates"])
    assert (xw_t["action"] == "add_pair").sum() == n_successors == 44
    j2001 = cdm_t[cdm_t["old_code"] == "J2001"]
    assert set(j2001["decision"]) == {"approved"} and set(j2001["proposed_codes"]) == {"J2002"}
    assert plan.charges_at_risk() == pytest.approx(scan.summary["charges_at_risk"])
    assert plan.identity.chargemaster == str(CDM)
    assert plan.identity.chargemaster_sha256 == read_chargemaster(CDM).sha256
    assert {r["system"]: Path(r["source"]).name for r in plan.identity.releases} == {
        "hcpcs": "2026-Alpha-Numeric-HCPCS-File.zip", "cpt": "CPT 2026 data files.zip",
        "icd10cm": "icd10cm-Code-Descriptions-2026.zip"}
    assert all(Path(r["source"]).is_file() for r in plan.identity.releases)
    book = read_workbook(out / "plan.xlsx")
    pd.testing.assert_frame_equal(book.table, t)
    assert book.identity == plan.identity
    cmap = json.loads((out / "conceptmap.json").read_text())
    assert cmap["resourceType"] == "ConceptMap" and cmap["id"] == plan.identity.plan_id
    # the summary
    assert f"Migration plan {plan.identity.plan_id}: {len(t)} rows" in result.output
    assert "replace                      6         4" in result.output  # 4: unit changes
    assert "charges at risk (price x annual volume): $4,019,599.44" in result.output
    assert str(out / "plan.xlsx") in result.output


def test_cli_plan_bad_input_exits_2(tmp_path):
    result = CliRunner().invoke(app, ["plan", *release_args(), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "updater: error: nothing to scan; give --chargemaster and/or --crosswalk")
    target = tmp_path / "file"
    target.write_text("x")
    result = CliRunner().invoke(app, ["plan", "--chargemaster", str(CDM), *release_args(),
                                      "--out", str(target)])
    assert result.exit_code == 2
    assert "--out must be a folder" in result.output


def test_crosswalk_pair_retired_on_both_sides_is_never_approved_by_default():
    """J2001 (terminated, one-to-one to J2002) with A083 (deleted, one-to-one to A084) on
    the same pair: each successor pair would keep the other retired code."""
    both = [finding("crosswalk", 1, "J2001", "terminated", procedure="J2001",
                    diagnosis="A083", candidates=[cand("J2002", automatic=True)],
                    automatic=True),
            finding("crosswalk", 1, "A083", "deleted", system="icd10cm", procedure="J2001",
                    diagnosis="A083", candidates=[cand("A084", source="CDC", automatic=True)],
                    automatic=True),
            # one side only, for contrast: stays approved
            finding("crosswalk", 2, "J2001", "terminated", procedure="J2001",
                    diagnosis="E119", candidates=[cand("J2002", automatic=True)],
                    automatic=True)]
    made = make_plan(scan_result(both), chargemaster=None, crosswalk=None)
    r = rows(made, "crosswalk", 1)
    adds = r[r["action"] == "add_pair"]
    assert adds[["procedure", "diagnosis"]].values.tolist() == [["J2002", "A083"],
                                                                 ["J2001", "A084"]]
    assert set(adds["decision"]) == {"pending"}
    assert adds["reason"].str.endswith("the pair's other code is retired too (see its own "
                                       "rows): review before approving").all()
    assert set(r.loc[r["action"] == "end_pair", "decision"]) == {"approved"}
    assert set(rows(made, "crosswalk", 2)["decision"]) == {"approved"}
