"""Codes written as their file writes them (updater.codes): the rule, and the plan, its
workbook, the impact report and the patched crosswalk following it; the official titles of
the proposed codes in the plan and in an added pair's description."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from conftest import make_release
from openpyxl import load_workbook
from test_apply import read_rows, write_csv
from test_apply_crosswalk import identity, pair_row, table
from test_plan import cand, finding, scan_result

from updater.codes import (
    DOTTED,
    PLAIN,
    cell_spelling,
    file_spelling,
    spell_code,
    spell_code_lists,
    spell_like,
    unspell_codes,
)
from updater.impact.findings import ScanResult
from updater.patch.apply import apply_plan
from updater.patch.logs import changelog_paths
from updater.plan.make import make_plan
from updater.plan.workbook import HEADERS, read_workbook, write_workbook
from updater.reports.impact import impact_context

# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize(("written", "spelling"), [
    ("M17.11", DOTTED), ("m17.11 ", DOTTED), ("M1711", PLAIN), ("E119", PLAIN),
    ("G35", ""), ("I10", ""), ("", ""), ("M54.5", DOTTED)])
def test_a_cell_tells_only_when_it_is_long_enough(written, spelling):
    assert cell_spelling(written) == spelling


@pytest.mark.parametrize(("cells", "spelling"), [
    (["M17.11", "E119", "I10", "M25.01"], DOTTED),  # most cells that tell have the dot
    (["M1711", "E119", "I10", "M25.01"], PLAIN),
    (["G35", "I10"], DOTTED),  # nothing tells: the publishers' display
    ([], DOTTED),
    (["M17.0-M17.9", "G43.0 thru G43.2", "M17"], DOTTED),  # lists and ranges, first code
    (["M170-M179", "M1711"], PLAIN)])
def test_a_file_spells_as_most_of_its_cells(cells, spelling):
    assert file_spelling(cells) == spelling
    assert file_spelling(pd.Series(cells, dtype="str")) == spelling


def test_spell_and_back():
    assert spell_code("M1711", "icd10cm") == "M17.11"
    assert spell_code("M1711", "icd10cm", PLAIN) == "M1711"
    assert spell_code("G35D", "icd10cm") == "G35.D"  # a letter after the dot (FY2026 style)
    assert spell_code("I10", "icd10cm") == "I10"
    assert spell_code("J1100", "hcpcs") == "J1100" and spell_code("0042T", "cpt") == "0042T"
    lists = pd.Series(["M1711,M1712", "I10", "E11650", "", "children: E11650, E11651"])
    assert spell_code_lists(lists, "icd10cm").tolist() == [
        "M17.11,M17.12", "I10", "E11.650", "", "children: E11.650, E11.651"]
    assert spell_code_lists(lists, "icd10cm", PLAIN).tolist() == lists.tolist()
    shown = pd.Series(["M17.11", "J1100", "E11.650"])
    assert unspell_codes(shown, pd.Series(["icd10cm", "hcpcs", "icd10cm"])).tolist() == [
        "M1711", "J1100", "E11650"]
    # a cell that tells decides for the code written in its place; else the file does
    assert spell_like("G35D", "icd10cm", "G35", DOTTED) == "G35.D"
    assert spell_like("G35D", "icd10cm", "G35", PLAIN) == "G35D"
    assert spell_like("E11650", "icd10cm", "E1165", DOTTED) == "E11650"
    assert spell_like("E11650", "icd10cm", "E11.65", PLAIN) == "E11.650"


# ---------------------------------------------------------------- the plan and workbook

NEW_ICD = make_release([("E11650", "code", "Sample fasting", "Sample T2 high sugar, fasting"),
                        ("E11651", "code", "Sample after meals", "Sample T2, after meals"),
                        ("E1165", "header", "Sample header", "Sample T2 high blood sugar"),
                        ("G35D", "code", "Sample MS", "Sample multiple sclerosis, type D")],
                       version="FY2026", effective=date(2025, 10, 1))
NEW_HCPCS = make_release([("J2002", "code", "Sample lido 10", "Sample lidocaine 10 mg")],
                         version="2026", effective=date(2026, 1, 1), system="hcpcs")

FINDINGS = [
    finding("chargemaster", 1, "J2001", "terminated", previous="Sample lidocaine (old)",
            candidates=[cand("J2002", automatic=True)], automatic=True),
    finding("crosswalk", 1, "E1165", "expanded", system="icd10cm", procedure="99213",
            diagnosis="E1165", previous="Sample T2 high blood sugar",
            detail="new billable children: E11650, E11651",
            candidates=[cand("E11650", "narrower", "hierarchy"),
                        cand("E11651", "narrower", "hierarchy")]),
    finding("crosswalk", 2, "G35", "expanded", system="icd10cm", procedure="99213",
            diagnosis="G35", previous="Sample multiple sclerosis",
            candidates=[cand("G35D", "equivalent", "hierarchy")]),
]
TITLES = {"icd10cm": NEW_ICD.table.set_index("code")["long"],
          "hcpcs": NEW_HCPCS.table.set_index("code")["long"]}


def planned(spelling: str) -> ScanResult:
    result = scan_result(FINDINGS)
    result.inputs = {"crosswalk": {"path": "xw.csv", "sha256": "", "icd10cm_spelling": spelling}}
    return result


def test_proposed_description_names_each_proposed_code():
    plan = make_plan(planned(DOTTED), titles=TITLES)
    t = plan.table.set_index("plan_row")
    replace = t[t["action"] == "replace"].iloc[0]
    assert replace["proposed_description"] == "Sample lidocaine 10 mg"
    assert replace["old_title"] == "Sample lidocaine (old)"
    adds = t[(t["action"] == "add_pair") & (t["old_code"] == "E1165")]
    assert adds["proposed_codes"].tolist() == ["E11650", "E11651"]  # stored form
    assert adds["proposed_description"].tolist() == ["Sample T2 high sugar, fasting",
                                                     "Sample T2, after meals"]
    assert set(t.loc[t["old_code"] == "E1165", "old_title"]) == {"Sample T2 high blood sugar"}
    end = t[(t["action"] == "end_pair") & (t["old_code"] == "E1165")].iloc[0]
    # the reason speaks the crosswalk's spelling, the detail too
    assert "E11.65 became a header" in end["reason"]
    assert "(new billable children: E11.650, E11.651)" in end["reason"]
    assert "(E11.650,E11.651)" in end["reason"]
    assert adds["reason"].iloc[0].startswith("add the successor pair: E11.650 replaces E11.65")
    assert plan.identity.crosswalk_spelling == DOTTED


def test_a_split_lists_each_code_with_its_title():
    rows = [finding("chargemaster", 1, "J4001", "deleted",
                    candidates=[cand("J2002", "narrower", "CMS"),
                                cand("J9999", "narrower", "CMS")])]
    t = make_plan(scan_result(rows), titles=TITLES).table
    split = t[t["action"] == "split"].iloc[0]
    # a code no release names gets no title, and the line says only the code
    assert split["proposed_description"] == "J2002 Sample lidocaine 10 mg\nJ9999"


def test_a_plain_crosswalk_keeps_plain_codes():
    t = make_plan(planned(PLAIN), titles=TITLES).table
    end = t[(t["action"] == "end_pair") & (t["old_code"] == "E1165")].iloc[0]
    assert "E1165 became a header" in end["reason"] and "E11.65" not in end["reason"]


@pytest.mark.parametrize(("spelling", "old", "proposed", "pair"), [
    (DOTTED, "E11.65", "E11.650", "E11.650"), (PLAIN, "E1165", "E11650", "E11650")])
def test_workbook_writes_codes_as_the_crosswalk_does(tmp_path, spelling, old, proposed, pair):
    plan = make_plan(planned(spelling), titles=TITLES)
    path = tmp_path / "plan.xlsx"
    write_workbook(plan, path)
    ws = load_workbook(path)["Plan"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    adds = [r for r in rows if r["Action"] == "add_pair" and "65" in r["Old code"]]
    assert adds[0]["Old code"] == old and adds[0]["Proposed code(s)"] == proposed
    assert adds[0][HEADERS["diagnosis"]] == pair
    assert adds[0]["Proposed description"] == "Sample T2 high sugar, fasting"
    hcpcs = next(r for r in rows if r["Action"] == "replace")
    assert hcpcs["Old code"] == "J2001" and hcpcs["Proposed code(s)"] == "J2002"
    # read back: the stored form, the same plan
    back = read_workbook(path)
    pd.testing.assert_frame_equal(back.table, plan.table)
    assert back.identity == plan.identity


# ---------------------------------------------------------------- apply


G35_PLAN = [pair_row(1, "end_pair", 1, "G35", "99213", "G35"),
            pair_row(2, "add_pair", 1, "G35", "99213", "G35D", "G35D"),
            pair_row(3, "end_pair", 2, "E1165", "99213", "E1165"),
            pair_row(4, "add_pair", 2, "E1165", "99213", "E11650", "E11650")]
G35_PLAN[1]["proposed_description"] = "stale title from the plan"


@pytest.mark.parametrize(("cells", "g35", "e11"), [
    (["G35", "E11.65", "M17.11"], "G35.D", "E11.650"),  # dotted: G35 tells nothing itself
    (["G35", "E1165", "M1711"], "G35D", "E11650")])
def test_apply_writes_the_new_code_as_the_crosswalk_does(tmp_path, cells, g35, e11):
    header = ["CPT", "Diagnosis Code", "Diagnosis Description", "End Date"]
    lines = [["99213", cells[0], "Sample MS (old)", ""],
             ["99213", cells[1], "Sample T2 (old)", ""],
             ["99213", cells[2], "Sample knee", ""]]
    xw = write_csv(tmp_path / "xw.csv", lines, header)
    out = tmp_path / "out.csv"
    result = apply_plan(table(G35_PLAN), identity(xw), crosswalk=xw, crosswalk_out=out,
                        new_releases={"icd10cm": NEW_ICD})
    rows = read_rows(out, skip=1)
    # the added pairs carry the new code's official title (from the release), not the old
    # description nor the plan's text
    assert rows[1][:3] == ["99213", g35, "Sample multiple sclerosis, type D"]
    assert rows[3][:3] == ["99213", e11, "Sample T2 high sugar, fasting"]
    described = [c for c in result.changes if c["column"] == "Diagnosis Description"]
    assert [c["after"] for c in described] == ["Sample multiple sclerosis, type D",
                                               "Sample T2 high sugar, fasting"]


def test_an_added_pair_without_a_known_title_gets_a_blank_description(tmp_path):
    header = ["CPT", "ICD-10-CM", "Dx Desc", "Status"]
    xw = write_csv(tmp_path / "xw.csv", [["99213", "G35", "Sample MS (old)", "A"]], header)
    release = make_release([("G35D", "code", "", "")], version="FY2026",
                           effective=date(2025, 10, 1))
    out = tmp_path / "out.csv"
    apply_plan(table(G35_PLAN[:2]), identity(xw), crosswalk=xw, crosswalk_out=out,
               new_releases={"icd10cm": release})
    # the release has no title for it: the plan's proposed description stands in
    assert read_rows(out, skip=1)[1] == ["99213", "G35.D", "stale title from the plan", "A"]
    plan2 = [dict(r) for r in G35_PLAN[:2]]
    plan2[1]["proposed_description"] = ""
    out2 = tmp_path / "out2.csv"
    result = apply_plan(table(plan2), identity(xw), crosswalk=xw, crosswalk_out=out2,
                        new_releases={"icd10cm": release})
    # neither knows one: blank, never the old code's description, and the log says so
    assert read_rows(out2, skip=1)[1] == ["99213", "G35.D", "", "A"]
    meta = json.loads(changelog_paths(out2)[1].read_text())
    assert any("no official title known for G35.D" in (c["note"] or "")
               for c in meta["changes"])
    assert result.counts["add_pair"] == 1


# ---------------------------------------------------------------- reports


def test_impact_report_spells_crosswalk_codes_as_the_crosswalk(tmp_path):
    for spelling, shown in ((DOTTED, "E11.65"), (PLAIN, "E1165")):
        context = impact_context(_with_summary(spelling))
        rows = context["crosswalk"]["table"]["rows"]
        assert {r["code_display"] for r in rows if r["code"] == "E1165"} == {shown}
        adds = context["crosswalk"]["adds"]["rows"]
        assert {r["diagnosis_display"] for r in adds if r["old_code"] == "E1165"} == (
            {"E11.650", "E11.651"} if spelling == DOTTED else {"E11650", "E11651"})


def _with_summary(spelling: str) -> ScanResult:
    result = planned(spelling)
    result.summary = {"crosswalk": {"pairs": 2, "pairs_affected": 2}, "charges_at_risk": 0.0}
    return result


def test_sample_crosswalk_end_to_end_spelled_and_titled(tmp_path):
    """The sample crosswalk writes dotted diagnoses: the plan from the real sample scan
    names each added pair's title, and apply writes the new codes dotted."""
    from updater.cycle.sample import sample_chargemasters_dir, sample_scan_pairs
    from updater.impact.scan import run_scan

    pairs = sample_scan_pairs()
    folder = sample_chargemasters_dir()
    xw = folder / "sample-crosswalk.csv"
    result, _ = run_scan(chargemaster=None, crosswalk=xw, old=[str(o) for o, _ in pairs],
                         new=[str(n) for _, n in pairs], store=tmp_path / "store")
    plan = make_plan(result)
    t = plan.table
    adds = t[t["action"] == "add_pair"]
    assert len(adds) and (adds["proposed_description"] != "").all()
    icd = next(cs for cs in result.change_sets if cs.system.value == "icd10cm")
    titles = icd.new.table.set_index("code")["long"]
    dx = adds[adds["system"] == "icd10cm"]
    assert (dx["proposed_description"] == dx["proposed_codes"].map(titles)).all()
    # the sample crosswalk has no end date or status column: add the successor pairs only
    approve = t.assign(decision=t["decision"].where(t.index.isin(dx.index), "pending"))
    approve.loc[dx.index, "decision"] = "approved"
    out = tmp_path / "xw-out.csv"
    apply_plan(approve, plan.identity, crosswalk=xw, crosswalk_out=out, store=tmp_path / "st")
    # each added pair follows the cell it replaces (the sample's CPT rows write dots, its
    # HCPCS rows do not), and the file's majority where that cell cannot tell
    meta = json.loads(changelog_paths(out)[1].read_text())
    rows = read_rows(out, skip=1)
    before = read_rows(xw, skip=1)
    inserts = [c for c in meta["changes"] if c["kind"] == "insert"]
    # a successor pair the crosswalk already has (a stale header beside its child) is
    # not added twice
    have = {(r[0], r[1].replace(".", "")) for r in before}
    missing = dx[[(p, d) not in have for p, d in zip(dx["procedure"], dx["diagnosis"],
                                                      strict=True)]]
    assert 0 < len(missing) < len(dx)
    assert len(inserts) == len(missing)
    for c in inserts:
        new = rows[c["output_row"] - 1][1]
        old = before[int(c["note"].rsplit(" ", 1)[1]) - 1][1]  # "copy of input row N"
        if len(old.replace(".", "")) > 3:  # a three-character cell shows no spelling
            assert ("." in new) == ("." in old), (old, new)
        else:  # the file's majority: the sample writes most diagnoses dotted
            assert "." in new or len(new) <= 3, (old, new)
    assert {rows[c["output_row"] - 1][1] for c in inserts} >= {"E11.650", "E11650"}


def test_real_fy2025_expansions_titled_and_spelled(icd_zip, tmp_path):
    """On the real CDC FY2024 -> FY2025 release: a crosswalk (written here, from the codes
    the release itself expands) gets each successor pair with the CDC's own title, dotted
    in the workbook and in the patched file as the crosswalk writes them."""
    from updater.impact.scan import run_scan
    from updater.releases.diff import diff_releases
    from updater.releases.readers import load_release

    old, new = icd_zip("FY2024"), icd_zip("FY2025")
    new_release = load_release(new)[0]
    diff = diff_releases(load_release(old)[0], new_release)
    expanded = diff.changes.loc[diff.changes["kind"] == "expanded", "code"].head(4).tolist()
    assert expanded
    xw = tmp_path / "xw.csv"
    xw.write_text("CPT,Diagnosis,Diagnosis Description,End Date\n" + "".join(
        f"99213,{spell_code(c, 'icd10cm')},our words for {c},\n" for c in expanded))
    result, _ = run_scan(chargemaster=None, crosswalk=xw, old=[str(old)], new=[str(new)],
                         store=tmp_path / "store")
    plan = make_plan(result)
    t = plan.table
    adds = t[t["action"] == "add_pair"]
    titles = new_release.table.set_index("code")["long"]
    assert len(adds) >= len(expanded)
    assert (adds["proposed_description"] == adds["proposed_codes"].map(titles)).all()
    path = tmp_path / "plan.xlsx"
    write_workbook(plan, path)
    ws = load_workbook(path)["Plan"]
    header = [c.value for c in ws[1]]
    shown = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert all("." in r["Proposed code(s)"] for r in shown if r["Action"] == "add_pair")
    decided = t.assign(decision="approved")
    out = tmp_path / "out.csv"
    applied = apply_plan(decided, plan.identity, crosswalk=xw, crosswalk_out=out,
                         store=tmp_path / "store")
    assert applied.counts["add_pair"] == len(adds)
    rows = read_rows(out, skip=1)
    added = [r for r in rows if r[1].replace(".", "") in set(adds["proposed_codes"])]
    assert len(added) == len(adds)
    for r in added:
        assert "." in r[1] and r[2] == titles[r[1].replace(".", "")]


def test_a_successor_two_sources_name_is_one_successor():
    rows = [finding("crosswalk", 1, "C860", "expanded", system="icd10cm", procedure="99213",
                    diagnosis="C860",
                    candidates=[cand("C8600", "narrower", "CDC conversion table FY2025"),
                                cand("C8600", "narrower", "hierarchy"),
                                cand("C8601", "narrower", "hierarchy")])]
    t = make_plan(scan_result(rows)).table
    adds = t[t["action"] == "add_pair"]
    assert adds["proposed_codes"].tolist() == ["C8600", "C8601"]
    assert adds["candidate_source"].tolist() == ["CDC conversion table FY2025; hierarchy",
                                                 "hierarchy"]
    end = t[t["action"] == "end_pair"].iloc[0]
    assert "names 2 successors (C86.00,C86.01)" in end["reason"]
