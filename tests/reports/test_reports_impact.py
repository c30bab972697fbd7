"""The impact report: the numbers on the page are the scan's, a plan's decisions show, every
value is escaped, a saved scan gives the same page as a fresh one, and the CLI's errors."""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from updater.cycle.sample import sample_chargemasters_dir, sample_scan_pairs
from updater.errors import UpdaterError
from updater.files.output import write_json
from updater.impact.findings import ScanResult, read_scan_json
from updater.impact.scan import run_scan
from updater.plan.make import load_titles, make_plan, release_entries
from updater.plan.plan_file import read_plan, write_plan_json
from updater.plan.workbook import write_workbook
from updater.reports.impact import (
    DEFAULT_MAX_ROWS,
    NO_DEPARTMENT,
    impact_context,
    impact_report,
)
from updater.vocabulary import AT_RISK_KINDS, Decision, FindingKind

runner = CliRunner()
AT_RISK = {k.value for k in AT_RISK_KINDS}
SCAN_HINT = "give the file `updater scan --json FILE` wrote"


def _sample_pairs() -> tuple[list[str], list[str]]:
    """Each sample code set's first two full releases (as ``updater demo`` scans them)."""
    pairs = sample_scan_pairs()
    return [str(o) for o, _ in pairs], [str(n) for _, n in pairs]


@pytest.fixture(scope="module")
def pairs() -> tuple[list[str], list[str]]:
    return _sample_pairs()


@pytest.fixture(scope="module")
def sample(pairs, tmp_path_factory):
    """The sample chargemaster and crosswalk scanned against the sample releases."""
    folder = sample_chargemasters_dir()
    old, new = pairs
    return run_scan(chargemaster=folder / "sample-cdm.csv",
                    crosswalk=folder / "sample-crosswalk.csv", old=old, new=new,
                    store=tmp_path_factory.mktemp("store"))[0]


@pytest.fixture(scope="module")
def page(sample) -> str:
    return impact_report(sample)


# --------------------------------------------------------------------------- page reading


def fragment(page: str, element_id: str, end: str = "</table>") -> str:
    start = page.index(f'id="{element_id}"')
    return page[start:page.index(end, start)]


def rows_by(part: str, attr: str) -> dict[str, str]:
    """``<tr attr="key" ...>cells</tr>`` of a fragment, by key (unescaped)."""
    return {htmllib.unescape(m.group(1)): m.group(2) for m in re.finditer(
        rf'<tr {attr}="([^"]*)"[^>]*>(.*?)</tr>', part, re.S)}


def cards(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-key="(\w+)" data-count="([^"]*)"', page))


def line_rows(page: str, table: str = "line-table") -> list[dict[str, str]]:
    """Each row of a findings table: its data attributes and its decision."""
    out = []
    for m in re.finditer(r'<tr data-row="(\d+)" data-code="([^"]*)" data-kind="(\w+)">(.*?)</tr>',
                         fragment(page, table), re.S):
        decision = re.search(r'<span class="decision (\w+)">', m.group(4))
        out.append({"row": int(m.group(1)), "code": htmllib.unescape(m.group(2)),
                    "kind": m.group(3), "decision": decision.group(1) if decision else "",
                    "cells": m.group(4)})
    return out


# --------------------------------------------------------------------------- numbers


def test_summary_numbers_equal_the_scan(sample, page):
    f = sample.findings
    c = cards(page)
    assert int(c["findings"]) == len(f) > 0
    assert int(c["lines_checked"]) == sample.summary["chargemaster"]["lines_checked"]
    cdm = f[f["source"] == "chargemaster"]
    assert int(c["lines_affected"]) == cdm["row"].nunique()
    at_risk = cdm[cdm["kind"].isin(AT_RISK)].drop_duplicates("row")
    assert int(c["lines_at_risk"]) == len(at_risk) > 0
    assert float(c["charges_at_risk"]) == sample.summary["charges_at_risk"] > 0
    total = re.search(r'id="charges-total" data-value="([^"]*)"', page)
    assert total and float(total.group(1)) == sample.summary["charges_at_risk"]
    assert int(c["pairs_affected"]) == sample.summary["crosswalk"]["pairs_affected"] > 0


def test_counts_by_kind_equal_the_scan(sample, page):
    f = sample.findings
    by_kind = rows_by(fragment(page, "kind-table"), "data-kind")
    assert set(by_kind) == {k.value for k in FindingKind}
    for kind, cells in by_kind.items():
        counts = {s: int(n) for s, n in re.findall(r'data-source="(\w+)" data-count="(\d+)"',
                                                   cells)}
        assert counts["total"] == sample.summary["findings_by_kind"][kind]
        for source in ("chargemaster", "crosswalk"):
            assert counts[source] == int(((f["kind"] == kind) & (f["source"] == source)).sum())
    chart = dict(re.findall(r'<g class="bar-row" data-label="(\w+)" data-count="(\d+)"',
                            fragment(page, "kind-chart", "</figure>")))
    assert {k: int(v) for k, v in chart.items()} == {
        k: v for k, v in sample.summary["findings_by_kind"].items() if v}


def test_counts_and_charges_by_department_equal_the_scan(sample, page):
    cdm = sample.findings[sample.findings["source"] == "chargemaster"]
    dept = cdm["department"].where(cdm["department"] != "", NO_DEPARTMENT)
    expected = dept.value_counts().to_dict()
    at = cdm[cdm["kind"].isin(AT_RISK)].drop_duplicates("row")
    risk = pd.to_numeric(at["charges_at_risk"]).groupby(at["department"]).sum().round(2)
    shown = rows_by(fragment(page, "department-table"), "data-department")
    assert len(shown) == len(expected) > 1
    for name, cells in shown.items():
        assert int(re.search(r'data-count="(\d+)"', cells).group(1)) == expected[name]
        value = float(re.search(r'data-value="([^"]*)"', cells).group(1))
        assert value == pytest.approx(risk.get(name, 0.0))
    dollars = [float(v) for v in re.findall(r'data-value="([^"]*)"',
                                            fragment(page, "department-table"))]
    assert sum(dollars) == pytest.approx(sample.summary["charges_at_risk"])
    by_kind = rows_by(fragment(page, "risk-kind-table"), "data-kind")
    assert sum(float(re.search(r'data-value="([^"]*)"', c).group(1)) for c in by_kind.values()
               ) == pytest.approx(sample.summary["charges_at_risk"])


def test_every_chargemaster_finding_is_a_line_with_its_candidates(sample, page):
    cdm = sample.findings[sample.findings["source"] == "chargemaster"]
    rows = line_rows(page)
    assert sorted((r["row"], r["code"], r["kind"]) for r in rows) == sorted(
        zip(cdm["row"], cdm["code"], cdm["kind"], strict=True))
    # most charges at risk first
    first = cdm.loc[pd.to_numeric(cdm["charges_at_risk"]).idxmax()]
    assert (rows[0]["row"], rows[0]["code"]) == (first["row"], first["code"])
    with_candidates = cdm[cdm["candidates"].map(lambda c: any(x["code"] for x in c))].iloc[0]
    cells = next(r["cells"] for r in rows if r["row"] == with_candidates["row"]
                 and r["kind"] == with_candidates["kind"])
    for cand in with_candidates["candidates"]:
        assert cand["code"] in cells and htmllib.escape(cand["source"], quote=False) in cells
    assert 'id="plan"' not in page


def test_crosswalk_impacts(sample, page):
    f = sample.findings
    xw = f[f["source"] == "crosswalk"]
    c = cards(fragment(page, "crosswalk", "</section>"))
    ends = xw[xw["kind"].isin(AT_RISK)]
    assert int(c["pairs_to_end"]) == ends["row"].nunique() > 0
    successors = ends.explode("candidates").dropna(subset=["candidates"])
    named = successors[successors["candidates"].map(
        lambda x: bool(x["code"]) and x["relation"] != "none")]
    assert int(c["pairs_to_add"]) == len(named) > 0  # no pair has the same successor twice
    assert len(line_rows(page, "pair-table")) == len(xw)
    assert page.count('<tr data-row="', page.index('id="add-table"')) == len(named)


def test_releases_compared(sample, page):
    shown = rows_by(fragment(page, "release-table"), "data-system")
    assert set(shown) == {r["system"] for r in sample.to_dict()["releases"]} != set()
    for r in sample.to_dict()["releases"]:
        assert r["old"]["version"] in shown[r["system"]]
        assert r["new"]["effective"] in shown[r["system"]]


def test_max_rows_keeps_the_lines_most_at_risk(sample):
    page = impact_report(sample, max_rows=3)
    cdm = sample.findings[sample.findings["source"] == "chargemaster"]
    rows = line_rows(page)
    assert len(rows) == 3
    top = pd.to_numeric(cdm["charges_at_risk"]).nlargest(3)
    assert sorted(r["row"] for r in rows) == sorted(cdm.loc[top.index, "row"])
    note = re.search(r'class="note-more" data-shown="(\d+)" data-total="(\d+)"', page)
    assert note and (int(note.group(1)), int(note.group(2))) == (3, len(cdm))
    assert (f"Showing 3 of {len(cdm)} findings (the most charges at risk first); the other "
            f"{len(cdm) - 3} are in the scan's full list") in page
    with pytest.raises(UpdaterError, match="at least 1 row"):
        impact_context(sample, max_rows=0)


def test_a_large_scan_stays_a_usable_page(sample):
    """30,000 findings: the page shows the default number of lines and says where the rest
    are."""
    cdm = sample.findings[sample.findings["source"] == "chargemaster"]
    copies = -(-30_000 // len(cdm))
    big = pd.concat([cdm.assign(row=cdm["row"] + i * 10_000) for i in range(copies)],
                    ignore_index=True)
    result = type(sample)(findings=big, summary=sample.summary, change_sets=sample.change_sets)
    page = impact_report(result)
    assert len(line_rows(page)) == DEFAULT_MAX_ROWS
    assert f"the other {len(big) - DEFAULT_MAX_ROWS:,} are in the scan's full list" in page
    assert len(page.encode()) < 5_000_000


# --------------------------------------------------------------------------- plan


def test_plan_actions_and_decisions_show(sample):
    plan = make_plan(sample)
    t = plan.table
    # a reviewer's decisions, so the page cannot be showing the defaults
    retire = t.index[(t["action"] == "retire")][0]
    t.loc[retire, "decision"] = Decision.REJECTED.value
    page = impact_report(sample, plan)
    shown = {(r["row"], r["code"], r["kind"]): r for r in line_rows(page)}
    cdm_plan = t[t["section"] == "chargemaster"]
    assert len(cdm_plan) > 0
    for _, p in cdm_plan.iterrows():
        row = shown[(p["source_row"], p["old_code"], p["finding"])]
        assert row["decision"] == p["decision"]
        # an action may break after its underscores (a zero-width space), reads the same
        assert f"<td>{p['action']}" in row["cells"].replace("\u200b", "")
    assert Decision.REJECTED.value in {r["decision"] for r in shown.values()}
    approved = [r for r in shown.values() if r["decision"] == "approved"]
    assert approved and all(r["kind"] == "terminated" for r in approved)
    pairs = line_rows(page, "pair-table")
    ends = t[(t["section"] == "crosswalk") & (t["action"] == "end_pair")]
    assert sum(1 for r in pairs if r["decision"]) == len(ends) + int(
        (t["action"] == "review")[t["section"] == "crosswalk"].sum())
    counts = plan.counts()
    table = rows_by(fragment(page, "plan-table"), "data-action")
    assert set(table) == set(counts.index)
    for action, cells in table.items():
        got = dict(re.findall(r'data-decision="(\w+)" data-count="(\d+)"', cells))
        assert {d: int(n) for d, n in got.items()} == {
            d: int(counts.loc[action, d]) for d in counts.columns}
    assert "match no finding" not in page


def test_plan_of_another_scan_is_flagged(sample, tmp_path):
    other = run_scan(chargemaster=sample_chargemasters_dir() / "sample-cdm.csv",
                     crosswalk=None, old=_sample_pairs()[0], new=_sample_pairs()[1],
                     store=tmp_path / "store")[0]
    plan = make_plan(other)
    plan.table["source_row"] = plan.table["source_row"] + 100_000
    page = impact_report(sample, plan)
    flagged = re.search(r'id="plan-unmatched" data-count="(\d+)"', page)
    assert flagged and int(flagged.group(1)) == len(plan.table)


# --------------------------------------------------------------------------- escaping


EVIL = "<script>alert(1)</script> \"KNEE\" & 'HIP'"


@pytest.fixture
def evil_cdm(tmp_path: Path, pairs) -> Path:
    hcpcs = [o for o in pairs[0] if "hcpcs" in o.lower()]
    assert hcpcs, "the sample has HCPCS releases"
    path = tmp_path / "cdm.csv"
    path.write_text("Charge Code,Description,Rev Code,HCPCS,Price,Department,Status,"
                    "Annual Volume\n"
                    f"1001,\"{EVIL.replace(chr(34), chr(34) * 2)}\",0636,J2001,25.00,"
                    "\"R&D <b>PHARMACY</b>\",A,1000\n"
                    "1002,SYNTH SUPPLY,0270,J20X1,3.00,SUPPLY,A,10\n")
    return path


def test_descriptions_are_shown_as_text(evil_cdm, pairs, tmp_path):
    result = run_scan(chargemaster=evil_cdm, crosswalk=None, old=pairs[0], new=pairs[1],
                      store=tmp_path / "store")[0]
    assert EVIL in set(result.findings["description"])
    page = impact_report(result)
    assert "<script>alert(1)</script>" not in page
    assert "<b>PHARMACY" not in page
    assert page.count("<script") == 1  # the page's own table script only
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34;KNEE&#34; &amp; &#39;HIP&#39;" in page
    assert 'data-department="R&amp;D &lt;b&gt;PHARMACY&lt;/b&gt;"' in page
    assert "not a CPT or HCPCS code: &#39;J20X1&#39;" in page


# --------------------------------------------------------------------------- saved scans


def test_saved_scan_gives_the_same_report(sample, tmp_path):
    path = tmp_path / "scan.json"
    write_json(sample.to_dict(), path)
    loaded = read_scan_json(path)
    assert json.loads(json.dumps(loaded.to_dict(), default=str)) == json.loads(
        path.read_text())
    plan = make_plan(sample, plan_id="p1")
    assert impact_context(loaded, plan) == impact_context(sample, plan)
    page = impact_report(loaded)
    assert cards(page) == cards(impact_report(sample))
    # a plan made from the saved scan is the plan made from the scan
    titles = load_titles(release_entries(loaded), tmp_path / "store")
    again = make_plan(loaded, plan_id="p1", titles=titles).table
    pd.testing.assert_frame_equal(again, plan.table)


def test_crosswalk_only_scan(pairs, tmp_path):
    result = run_scan(chargemaster=None, crosswalk=sample_chargemasters_dir()
                      / "sample-crosswalk.csv", old=pairs[0], new=pairs[1],
                      store=tmp_path / "store")[0]
    page = impact_report(result, make_plan(result))
    assert 'id="lines"' not in page and 'id="charges-at-risk"' not in page
    assert len(line_rows(page, "pair-table")) == len(result.findings) > 0
    assert int(cards(page)["pairs_affected"]) == result.summary["crosswalk"]["pairs_affected"]


def test_empty_scan_renders(tmp_path):
    result = ScanResult.from_dict({"releases": [], "findings": [], "summary": {
        "rows_read": 0, "findings_by_kind": {}, "charges_at_risk": 0.0}}, "scan.json")
    page = impact_report(result)
    assert cards(page) == {"findings": "0"}
    assert "The scan names no releases." in page


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"findings": [], "summary": {}}', 'no "releases"'),
    ('{"schema_version": 1, "identity": {}, "rows": []}',
     'no "releases", "summary", "findings"'),
    ('{"releases": [], "summary": {}, "findings": [{"row": 1}]}',
     "findings without source, charge_code, description, department, code, system, kind, "
     "official_title, previous_title, detail, procedure, diagnosis, charges_at_risk, "
     "candidates, automatic"),
    ('{"releases": [{"system": "cpt"}], "summary": {}, "findings": []}',
     '"releases" is not a list of {"system", "old", "new"} objects'),
])
def test_not_a_scan_is_one_line(tmp_path, content, message):
    from updater.cli import app

    path = tmp_path / "scan.json"
    path.write_text(content)
    got = runner.invoke(app, ["report", "impact", "--scan", str(path), "--out",
                              str(tmp_path / "x.html")])
    assert got.exit_code == 2
    assert got.output == f"updater: error: {path}: not a scan result ({message}); {SCAN_HINT}\n"
    assert not (tmp_path / "x.html").exists()


# --------------------------------------------------------------------------- CLI


def test_cli_from_a_saved_scan_and_a_plan_workbook(sample, tmp_path):
    from updater.cli import app

    scan_path, plan_path, out = tmp_path / "scan.json", tmp_path / "plan.xlsx", tmp_path / "i.html"
    write_json(sample.to_dict(), scan_path)
    plan = make_plan(sample)
    plan.table.loc[plan.table["action"] == "retire", "decision"] = Decision.REJECTED.value
    write_workbook(plan, plan_path)
    got = runner.invoke(app, ["report", "impact", "--scan", str(scan_path), "--plan",
                              str(plan_path), "--out", str(out)])
    assert got.exit_code == 0, got.output
    assert got.output == f"wrote {out}\n"
    page = out.read_text(encoding="utf-8")
    assert float(cards(page)["charges_at_risk"]) == sample.summary["charges_at_risk"]
    rejected = {r["row"] for r in line_rows(page) if r["decision"] == "rejected"}
    retired = plan.table.loc[plan.table["action"] == "retire", "source_row"]
    assert rejected == set(retired) != set()
    assert str(scan_path) in page and str(plan_path) in page  # named in the footer


def test_cli_from_the_scans_inputs(sample, pairs, tmp_path):
    from updater.cli import app

    folder = sample_chargemasters_dir()
    out, plan_path = tmp_path / "impact.html", tmp_path / "plan.json"
    write_plan_json(make_plan(sample), plan_path)
    args = ["report", "impact", "--chargemaster", str(folder / "sample-cdm.csv"),
            "--crosswalk", str(folder / "sample-crosswalk.csv"), "--plan", str(plan_path),
            "--store", str(tmp_path / "store"), "--out", str(out), "--max-rows", "10"]
    for old, new in zip(*pairs, strict=True):
        args += ["--from", old, "--to", new]
    got = runner.invoke(app, args)
    assert got.exit_code == 0, got.output
    page = out.read_text(encoding="utf-8")
    assert cards(page) == cards(impact_report(sample, read_plan(plan_path), max_rows=10))
    assert len(line_rows(page)) == 10


@pytest.mark.parametrize(("extra", "message"), [
    (["--chargemaster", "cdm.csv"], "give either --scan or the scan's inputs (--chargemaster, "
                                    "--crosswalk, --from, --to), not both"),
])
def test_cli_scan_and_inputs_conflict(sample, tmp_path, extra, message):
    from updater.cli import app

    path = tmp_path / "scan.json"
    write_json(sample.to_dict(), path)
    got = runner.invoke(app, ["report", "impact", "--scan", str(path), *extra])
    assert (got.exit_code, got.output) == (2, f"updater: error: {message}\n")


def test_cli_errors(tmp_path):
    from updater.cli import app

    got = runner.invoke(app, ["report", "impact"])
    assert (got.exit_code, got.output) == (2, (
        "updater: error: nothing to report on; give --scan SCAN.json, or the scan's inputs: "
        "--chargemaster/--crosswalk with --from OLD --to NEW\n"))
    missing = tmp_path / "nope.json"
    got = runner.invoke(app, ["report", "impact", "--scan", str(missing)])
    assert (got.exit_code, got.output) == (
        2, f"updater: error: {missing}: no such scan file; check the path\n")


def test_cli_help():
    from updater.cli import app

    got = runner.invoke(app, ["report", "impact", "--help"])
    assert got.exit_code == 0
    for option in ("--scan", "--plan", "--out", "--max-rows", "--chargemaster", "--from"):
        assert option in got.output


# --------------------------------------------------------------------------- real releases


def test_real_releases_numbers(shared_data, tmp_path):
    icd, hcpcs = shared_data / "icd10cm", shared_data / "hcpcs"
    folder = sample_chargemasters_dir()
    result = run_scan(
        chargemaster=folder / "sample-cdm.csv", crosswalk=folder / "sample-crosswalk.csv",
        old=[str(icd / "FY2024/icd10cm-CodesDescriptions-2024.zip"),
             str(hcpcs / "2017/2017-Alpha-Numeric-HCPCS-File.zip")],
        new=[str(icd / "FY2025/ICD10-CM Code Descriptions 2025.zip"),
             str(hcpcs / "2018/2018-Alpha-Numeric-HCPCS-File.zip")],
        store=tmp_path / "store")[0]
    page = impact_report(result, make_plan(result))
    by_kind = rows_by(fragment(page, "kind-table"), "data-kind")
    for kind, n in result.summary["findings_by_kind"].items():
        assert f'data-source="total" data-count="{n}"' in by_kind[kind]
    assert float(cards(page)["charges_at_risk"]) == result.summary["charges_at_risk"]
    g0202 = [r for r in line_rows(page) if r["code"] == "G0202" and r["kind"] == "terminated"]
    assert g0202 and "77067" in g0202[0]["cells"] and "equivalent" in g0202[0]["cells"]
