"""The coder-training report: the specialty's changes and only those, grouped by category,
counted as the diff counts them, a summary written from the data, escaped values, and the
CLI's errors for an unknown specialty or a bad range."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import make_release, next_year
from markupsafe import escape
from test_reports_release import EVIL, EVIL_ESCAPED, Page, assert_self_contained
from tests_helpers import write_release_pair
from typer.testing import CliRunner

from updater.cli import app
from updater.errors import UpdaterError
from updater.releases.diff import diff_releases
from updater.releases.readers import load_release
from updater.reports.training import (
    list_specialties,
    parse_ranges,
    specialty_ranges,
    training_context,
    training_report,
)
from updater.vocabulary import CodeSystem

runner = CliRunner()
PROFILES = tomllib.loads((Path(__file__).resolve().parents[2] / "updater" / "reports"
                          / "specialties.toml").read_text())
CHOICES = ("cardiology, emergency medicine, general surgery, obstetrics, oncology, "
           "orthopedics, physical therapy, radiology")


def in_ranges(code: str, ranges: list[str]) -> bool:
    """The documented rule, written out plainly: the code's first characters lie between
    the bounds."""
    for text in ranges:
        start, _, end = (part.replace(".", "").upper() for part in text.partition("-"))
        end = end or start
        if code[:len(start)] >= start and code[:len(end)] <= end:
            return True
    return False


def expected_groups(diff, ranges: list[str] | None) -> dict[str, set[str]]:
    """new / gone / changed codes, computed from the change rows one by one."""
    expanded = set(diff.changes.loc[diff.changes["kind"] == "expanded", "code"])
    out: dict[str, set[str]] = {"new": set(), "gone": set(), "changed": set()}
    for row in diff.changes.itertuples():
        if ranges is not None and not in_ranges(row.code, ranges):
            continue
        if row.kind == "added" and row.record != "header":
            out["new"].add(row.code)
        elif row.kind in ("deleted", "terminated") and row.record != "header":
            if row.code not in expanded:
                out["gone"].add(row.code)
        elif row.kind == "revised" or row.kind == "expanded":
            out["changed"].add(row.code)
    return out


def page_groups(html: str) -> dict[str, set[str]]:
    group = {"added": "new", "deleted": "gone", "terminated": "gone", "revised": "changed",
             "expanded": "changed"}
    out: dict[str, set[str]] = {"new": set(), "gone": set(), "changed": set()}
    for tr in Page(html).find("tr"):
        if "data-kind" in tr:
            out[group[tr["data-kind"]]].add(tr["data-code"])
    return out


@pytest.fixture(scope="module")
def icd_diff(icd_zip):
    return diff_releases(load_release(icd_zip("FY2024"))[0], load_release(icd_zip("FY2025"))[0])


@pytest.mark.parametrize("specialty", ["orthopedics", "cardiology", "oncology", "obstetrics"])
def test_specialty_changes_equal_the_diffs(icd_diff, specialty):
    html = training_report(icd_diff, specialty=specialty)
    expected = expected_groups(icd_diff, PROFILES[specialty]["icd10cm"])
    assert page_groups(html) == expected
    cards = {c["data-key"]: int(c["data-count"]) for c in Page(html).find("li")
             if "card" in c.get("class", "")}
    assert cards["new"] == len(expected["new"])
    assert cards["gone"] == len(expected["gone"])
    assert cards["changed"] == len(expected["changed"])
    assert_self_contained(html)


def test_orthopedics_fy2025_is_grouped_by_category_with_a_summary(icd_diff):
    html = training_report(icd_diff, specialty="orthopedics")
    expected = expected_groups(icd_diff, PROFILES["orthopedics"]["icd10cm"])
    categories = pd.Series(sorted(expected["new"])).str.slice(0, 3).value_counts()
    page = Page(html)
    sections = {s["data-category"]: int(s["data-count"]) for s in page.find("section")
                if "data-category" in s}
    all_codes = expected["new"] | expected["gone"] | expected["changed"]
    assert sections == pd.Series(sorted(all_codes)).str.slice(0, 3).value_counts().to_dict()
    summary = html.split('id="summary-text">')[1].split("</p>")[0]
    top = categories.index[0]
    assert summary.startswith(f"ICD-10-CM FY2025 (effective 2024-10-01) brings "
                              f"{len(expected['new'])} new codes in orthopedics, most of them "
                              f"in {top} ")
    assert f"({categories.iloc[0]})" in summary


def test_focus_takes_only_the_given_ranges(icd_diff):
    ranges = ["M00-M99", "S00-T88"]
    html = training_report(icd_diff, focus=",".join(ranges))
    assert page_groups(html) == expected_groups(icd_diff, ranges)
    codes = [tr["data-code"] for tr in Page(html).find("tr") if "data-code" in tr]
    assert codes and all(c[0] in "MST" for c in codes)


def test_without_focus_the_whole_code_set(icd_diff):
    html = training_report(icd_diff)
    assert page_groups(html) == expected_groups(icd_diff, None)
    assert "all of ICD-10-CM" in html


def test_hcpcs_focus_and_profile(hcpcs_2017_2018_diff):
    diff = hcpcs_2017_2018_diff
    html = training_report(diff, focus="L0000-L9999")
    assert page_groups(html) == expected_groups(diff, ["L0000-L9999"])
    html = training_report(diff, specialty="oncology")
    assert page_groups(html) == expected_groups(diff, PROFILES["oncology"]["hcpcs"])


def test_nothing_changed_says_so():
    rel = make_release([("M170", "code", "X", "Knee")])
    html = training_report(diff_releases(rel, next_year(rel), verify=False),
                           specialty="orthopedics")
    assert "changes nothing in orthopedics" in html
    assert "No code in orthopedics is added, deleted or changed." in html


def test_summary_names_a_single_category_and_counts_the_rest():
    old = make_release([("M17", "header", "K", "Osteoarthritis of knee"),
                        ("M170", "code", "a", "Bilateral"), ("M171", "code", "b", "Unilateral"),
                        ("M25", "header", "J", "Other joint disorder"),
                        ("M255", "code", "p", "Pain in joint")], version="FY2030",
                       effective=date(2029, 10, 1))
    new = make_release([("M17", "header", "K", "Osteoarthritis of knee"),
                        ("M170", "code", "a", "Bilateral primary"),
                        ("M172", "code", "c", "Post-traumatic"),
                        ("M173", "code", "d", "Other"),
                        ("M25", "header", "J", "Other joint disorder"),
                        ("M255", "code", "p", "Pain in joint")], version="FY2031",
                       effective=date(2030, 10, 1))
    ctx = training_context(diff_releases(old, new, verify=False), focus="M00-M99")
    assert ctx["summary_text"] == (
        "ICD-10-CM FY2031 (effective 2030-10-01) brings 2 new codes in M00-M99, all in "
        "M17 Osteoarthritis of knee. 1 code is gone and 1 code changed.")
    assert [c["label"] for c in ctx["categories"]] == ["M17 Osteoarthritis of knee"]


def test_every_value_is_escaped():
    old = make_release([("M170", "code", "a", EVIL + " old"), ("M171", "code", "b", EVIL)])
    new = next_year(make_release([("M170", "code", "a", EVIL + " new"),
                                  ("M172", "code", "c", EVIL)]))
    html = training_report(diff_releases(old, new, verify=False), focus="M00-M99",
                           inputs=[EVIL])
    assert "<script>alert" not in html
    assert html.count(EVIL_ESCAPED) >= 3  # new, gone and the footer
    assert html.count("<script>") == 1


def test_every_profile_parses_for_every_code_set():
    assert set(list_specialties()) >= {"orthopedics", "physical therapy", "cardiology",
                                       "oncology", "obstetrics", "radiology",
                                       "emergency medicine", "general surgery"}
    for name in list_specialties():
        for system in (CodeSystem.ICD10CM, CodeSystem.CPT, CodeSystem.HCPCS):
            title, ranges = specialty_ranges(name, system)
            assert title and ranges, (name, system)
    assert specialty_ranges("Physical-Therapy", CodeSystem.CPT)[0] == "Physical therapy"


def test_ranges_parse_per_code_set():
    mixed = "M00-M99, 27000-27899, L0000-L9999, Z51.1"
    assert [r.text for r in parse_ranges(mixed, CodeSystem.ICD10CM)] == [
        "M00-M99", "L0000-L9999", "Z51.1"]  # L0000 has the shape of an ICD-10-CM code too
    assert [r.text for r in parse_ranges(mixed, CodeSystem.CPT)] == ["27000-27899"]
    assert [r.text for r in parse_ranges(mixed, CodeSystem.HCPCS)] == ["L0000-L9999"]
    [z] = parse_ranges("Z51.1", CodeSystem.ICD10CM)
    assert z.mask(pd.Series(["Z5111", "Z5112", "Z510", "Z52"])).tolist() == [
        True, True, False, False]


@pytest.mark.parametrize(("focus", "message"), [
    ("M99-M00", "bad code range 'M99-M00' in --focus: M99 comes after M00; write the lower "
                "code first"),
    ("knee", "bad code range 'knee' in --focus: not an ICD-10-CM, CPT or HCPCS code range; "
             "e.g. M00-M99,S00-T88 (ICD-10-CM), 27000-27899 (CPT), L0000-L9999 (HCPCS)"),
    ("M00-M10-M20", "bad code range 'M00-M10-M20' in --focus; write FIRST-LAST, e.g. "
                    "M00-M99,S00-T88 (ICD-10-CM), 27000-27899 (CPT), L0000-L9999 (HCPCS)"),
    ("27000-27899", "--focus '27000-27899' has no ICD-10-CM code ranges; e.g. M00-M99,S00-T88 "
                    "(ICD-10-CM), 27000-27899 (CPT), L0000-L9999 (HCPCS)"),
])
def test_bad_ranges(focus, message):
    with pytest.raises(UpdaterError) as err:
        parse_ranges(focus, CodeSystem.ICD10CM)
    assert str(err.value) == message


@pytest.fixture
def pair(tmp_path):
    return [str(p) for p in write_release_pair(tmp_path / "in", tamper_addenda=False)]


def test_cli_unknown_specialty(pair, tmp_path):
    out = tmp_path / "t.html"
    result = runner.invoke(app, ["report", "training", *pair, "--specialty", "dentistry",
                                 "--out", str(out)])
    assert result.exit_code == 2
    assert result.output == (f"updater: error: unknown specialty 'dentistry'; choose one of: "
                             f"{CHOICES}\n")
    assert not out.exists()


def test_cli_bad_focus(pair, tmp_path):
    result = runner.invoke(app, ["report", "training", *pair, "--focus", "Q99-Q00",
                                 "--out", str(tmp_path / "t.html")])
    assert result.exit_code == 2
    assert result.output == ("updater: error: bad code range 'Q99-Q00' in --focus: Q99 comes "
                             "after Q00; write the lower code first\n")


def test_cli_focus_and_specialty_together(pair):
    result = runner.invoke(app, ["report", "training", *pair, "--focus", "M00-M99",
                                 "--specialty", "orthopedics"])
    assert result.exit_code == 2
    assert result.output == ("updater: error: give --focus or --specialty, not both; --focus "
                             "takes your own code ranges\n")


def test_cli_training_writes_the_page(pair, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["report", "training", *pair, "--focus", "Q10-Q10"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "training-icd10cm-FY2030-FY2031.html"
    assert result.output == f"wrote {out.name}\n"
    assert page_groups(out.read_text()) == {"new": {"Q102"}, "gone": set(), "changed": set()}
    result = runner.invoke(app, ["report", "training", *pair, "--specialty", "Oncology"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "training-icd10cm-FY2030-FY2031-oncology.html").is_file()


# ---------------------------------------------------------------- use instead


def _gone_details(context: dict) -> dict[str, str]:
    return {r["code"]: str(r["detail"]) for c in context["categories"] for r in c["rows"]
            if r["group"] == "gone"}


def test_a_gone_code_says_what_to_use_instead():
    old = make_release([("J2001", "code", "Old drug", "Sample old drug, 10 mg"),
                        ("J3001", "code", "Other", "Sample other <b>drug</b>")],
                       system=CodeSystem.HCPCS, version="2025",
                       effective=pd.Timestamp("2025-01-01").date(),
                       xref1=["J2002", ""], termination_date=["", ""])
    new = make_release([("J2001", "code", "Old drug", "Sample old drug, 10 mg"),
                        ("J2002", "code", "New drug", "Sample new drug in saline, 10 mg")],
                       system=CodeSystem.HCPCS, version="2026",
                       effective=pd.Timestamp("2026-01-01").date(),
                       xref1=["J2002", ""], termination_date=["2025-12-31", ""])
    context = training_context(diff_releases(old, new))
    details = _gone_details(context)
    assert details["J2001"] == (
        'TERM DT 2025-12-31<br><span class="muted">use instead:</span><ul class="children">'
        "<li><code>J2002</code> Sample new drug in saline, 10 mg <span class=\"muted\">"
        "(equivalent, HCPCS XREF1 (2026))</span></li></ul>")
    assert details["J3001"].startswith('<span class="muted">no successor: </span>')
    page = training_report(diff_releases(old, new))
    assert "use instead:" in page and "Sample new drug in saline, 10 mg" in page


def test_the_candidates_given_are_the_ones_shown():
    old = make_release([("A0820", "code", "s", "Sample old"), ("A0821", "code", "s", "s")],
                       version="FY2025")
    new = make_release([("A0821", "code", "s", "Sample successor title")], version="FY2026",
                       effective=pd.Timestamp("2025-10-01").date())
    cands = pd.DataFrame([("icd10cm", "A0820", "A0821", "broader", "your map (m.csv)", False,
                           "", 1)], columns=["system", "old_code", "new_code", "relation",
                                             "source", "automatic", "via", "step"])
    details = _gone_details(training_context(diff_releases(old, new), candidates=cands))
    assert "<code>A08.21</code> Sample successor title" in details["A0820"]
    assert "(broader, your map (m.csv))" in details["A0820"]


def test_real_fy2025_deleted_codes_name_their_successors(icd_diff):
    """FY2024 -> FY2025: each deleted code the CDC conversion table beside the zip maps
    says what to use instead, with the successor's CDC title."""
    context = training_context(icd_diff)
    details = _gone_details(context)
    assert details
    titles = icd_diff.new.table.set_index("code")["long"]
    with_successor = {c: d for c, d in details.items() if "use instead:" in d}
    assert with_successor, details
    for detail in with_successor.values():
        for shown in re.findall(r"<code>([^<]+)</code>", detail):
            assert "." in shown  # ICD-10-CM as people write it
            assert str(escape(titles[shown.replace(".", "")])) in detail
    assert any("CDC conversion table" in d for d in with_successor.values())
