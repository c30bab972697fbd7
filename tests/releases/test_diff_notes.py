"""Changed instructional notes between two tabular releases: their own kind of change,
one row per element and note type with the notes added and removed."""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from conftest import next_year
from test_reports_release import Page, assert_self_contained
from tests_helpers import chapter_xml, diag_xml, order_line, section_xml, tabular_xml
from typer.testing import CliRunner

from updater.cli import app
from updater.model import Release
from updater.releases.compare import CHANGE_COLUMNS
from updater.releases.diff import diff_releases
from updater.releases.diff_text import diff_report
from updater.releases.readers import load_release
from updater.reports.release import release_report
from updater.reports.training import training_context, training_report

runner = CliRunner()
EVIL = "<script>alert(1)</script> & \"quoted\""
EVIL_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quoted&#34;"


def release_xml(year: int) -> str:
    """FY2030 and FY2031 of a synthetic tabular; FY2031 changes notes, codes and titles."""
    new = year == 2031
    q00 = diag_xml(
        "Q00", "Synthetic category",
        diag_xml("Q00.0", "Synthetic code zero",
                 notes=None if new else {"inclusionTerm": ["Synthetic synonym"]}),
        *([] if new else [diag_xml("Q00.1", "Synthetic code one",
                                   notes={"excludes2": ["a note of a code that goes"]})]),
        notes={"excludes1": ["synthetic kept exclusion (Q09)",
                             "synthetic new thing (Q06.-)" if new
                             else "synthetic old thing (Q05.-)"]})
    q03 = ([diag_xml("Q03", "Synthetic new category", notes={"excludes2": [escape(EVIL)]})]
           if new else [])
    q05 = diag_xml("Q05", "Synthetic three-character code", notes={
        "useAdditionalCode": ["code for the agent (Q07)", "code for the site (Q08)"][::-1 if new
                                                                                    else 1],
        **({"codeFirst": ["underlying synthetic disease (Q06.-)"]} if new else {})})
    q06 = diag_xml(
        "Q06", "Synthetic eye condition",
        diag_xml("Q06.0", "Synthetic eye condition, mild",
                 *([diag_xml("Q06.01", "Synthetic eye condition, mild, right"),
                    diag_xml("Q06.09", "Synthetic eye condition, mild, unspecified")]
                   if new else []),
                 notes={"codeAlso": ["synthetic also-code (Q09)" if new else
                                     "synthetic also-code (Q08)"]}))
    return tabular_xml(chapter_xml(
        "1", "Synthetic conditions (Q00-Q09)",
        section_xml("Q00-Q04", "Synthetic first block (Q00-Q04)", q00, *q03),
        section_xml("Q05-Q09", "Synthetic second block (Q05-Q09)", q05, q06,
                    notes={"includes": ["synthetic second-block conditions"
                                        + (", revised" if new else "")]}),
        notes={"excludes2": ["synthetic conditions elsewhere (Q90-Q99)"],
               **({"useAdditionalCode": ["code to identify the synthetic agent (Z99)"]}
                  if new else {})}), version=str(year))


def write_pair(folder: Path) -> tuple[Path, Path]:
    paths = []
    for year in (2030, 2031):
        path = folder / f"icd10cm_tabular_{year}.xml"
        path.write_text(release_xml(year), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Release, Release]:
    old, new = write_pair(tmp_path)
    return load_release(old)[0], load_release(new)[0]


def notes_rows(diff) -> list[tuple[str, str, str, str, dict]]:
    rows = diff.changes[diff.changes["kind"] == "notes"]
    return list(zip(rows["display"], rows["record"], rows["note"], rows["new_long"],
                    rows["fields"], strict=True))


def test_changed_notes_are_their_own_kind(pair):
    diff = diff_releases(*pair)
    assert notes_rows(diff) == [
        ("Chapter 1", "chapter", "useAdditionalCode", "Synthetic conditions (Q00-Q09)",
         {"useAdditionalCode": {"added": ["code to identify the synthetic agent (Z99)"],
                                "removed": []}}),
        ("Q00", "header", "excludes1", "Synthetic category",
         {"excludes1": {"added": ["synthetic new thing (Q06.-)"],
                        "removed": ["synthetic old thing (Q05.-)"]}}),
        ("Q00.0", "code", "inclusionTerm", "Synthetic code zero",
         {"inclusionTerm": {"added": [], "removed": ["Synthetic synonym"]}}),
        # a new category's notes are news for coders; the notes of Q00.1 left with it
        ("Q03", "code", "excludes2", "Synthetic new category",
         {"excludes2": {"added": [EVIL], "removed": []}}),
        ("Q05-Q09", "section", "includes", "Synthetic second block (Q05-Q09)",
         {"includes": {"added": ["synthetic second-block conditions, revised"],
                       "removed": ["synthetic second-block conditions"]}}),
        # the order of an element's notes is no change: useAdditionalCode is not listed
        ("Q05", "code", "codeFirst", "Synthetic three-character code",
         {"codeFirst": {"added": ["underlying synthetic disease (Q06.-)"], "removed": []}}),
        # an expanded code keeps its notes across the change; it is a header now
        ("Q06.0", "header", "codeAlso", "Synthetic eye condition, mild",
         {"codeAlso": {"added": ["synthetic also-code (Q09)"],
                       "removed": ["synthetic also-code (Q08)"]}}),
    ]
    assert diff.summary["notes"] == {"changed": 7, "elements": 7, "added": 6, "removed": 4}
    # the code changes are as before, and come first
    kinds = diff.changes["kind"].tolist()
    assert set(kinds[kinds.index("notes"):]) == {"notes"}
    codes = diff.summary["codes"]
    assert (codes["added"], codes["deleted"], codes["expanded"]) == (3, 2, 1)
    assert list(diff.changes.columns) == list(CHANGE_COLUMNS)
    notes = diff.changes[diff.changes["kind"] == "notes"]
    assert set(notes["via"]) == {"FY2031"} and set(notes["revision"]) == {""}
    assert notes.loc[notes["code"] == "Q03", "old_long"].tolist() == [""]


def test_the_same_notes_are_no_change(pair):
    old, _ = pair
    diff = diff_releases(old, next_year(old), verify=False)
    assert diff.changes.empty
    assert diff.summary["notes"] == {"changed": 0, "elements": 0, "added": 0, "removed": 0}


def test_notes_are_compared_only_when_both_releases_have_them(pair, tmp_path):
    """An order-file release has no notes: nothing is said to have changed, and the report
    says why."""
    old, new = pair
    lines = [order_line(i, c, "1" if r == "code" else "0", t) for i, (c, r, t) in enumerate(
        zip(old.table["code"], old.table["record"], old.table["long"], strict=True), 1)]
    path = tmp_path / "icd10cm-order-2030.txt"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    from_order = load_release(path)[0]
    assert from_order.notes is None
    diff = diff_releases(from_order, new, verify=False)
    assert "notes" not in set(diff.changes["kind"]) and "notes" not in diff.summary
    assert ("instructional notes not compared: FY2030 was not read from the CDC's tabular XML"
            in diff_report(diff).splitlines())


def test_json_and_csv_carry_the_notes(pair, tmp_path):
    old, new = (tmp_path / f"icd10cm_tabular_{y}.xml" for y in (2030, 2031))
    out, csv = tmp_path / "diff.json", tmp_path / "diff.csv"
    result = runner.invoke(app, ["diff", str(old), str(new), "--json", str(out),
                                 "--csv", str(csv)])
    assert result.exit_code == 0, result.output
    assert ("instructional notes: 7 changed in 7 codes, headers, sections or chapters "
            "(6 notes added, 4 removed)") in result.output.splitlines()
    data = json.loads(out.read_text())
    assert data["summary"]["notes"] == {"changed": 7, "elements": 7, "added": 6, "removed": 4}
    q00 = next(c for c in data["changes"] if c["kind"] == "notes" and c["code"] == "Q00")
    assert q00["fields"] == {"excludes1": {"added": ["synthetic new thing (Q06.-)"],
                                           "removed": ["synthetic old thing (Q05.-)"]}}
    assert q00["note"] == "excludes1" and q00["display"] == "Q00"
    assert '"{""excludes1"": {""added"": [""synthetic new thing (Q06.-)""]' in csv.read_text()


def test_a_damaged_tabular_is_one_line_and_exit_2(tmp_path):
    old, new = write_pair(tmp_path)
    new.write_text(release_xml(2031)[:-40], encoding="utf-8")
    result = runner.invoke(app, ["diff", str(old), str(new)])
    assert result.exit_code == 2
    lines = release_xml(2031)[:-40].count("\n") + 1
    assert result.output == (
        f"updater: error: {new}, line {lines}: not well-formed XML (unclosed token, column 1); the "
        "file ends before its elements are closed; the file looks truncated; re-download "
        "the tabular XML from the CDC\n")


# the reports: coders are trained on exactly these notes

def test_the_release_report_lists_the_changed_notes_escaped(pair):
    diff = diff_releases(*pair)
    html = release_report(diff)
    page = Page(html)
    assert page.count("table", id="changes-notes", data_count="7") == 1
    rows = page.find("tr", data_kind="notes")
    assert [r["data-code"] for r in rows] == ["Q00-Q09", "Q00", "Q000", "Q03", "Q05-Q09", "Q05",
                                             "Q060"]
    assert page.find("li", data_key="notes-changed")[0]["data-count"] == "7"
    assert ("<td>Excludes1</td><td><ul class=\"notes\"><li><del>synthetic old thing (Q05.-)"
            "</del></li></ul></td><td><ul class=\"notes\"><li><ins>synthetic new thing (Q06.-)"
            "</ins></li></ul></td>") in html
    assert f"<ins>{EVIL_ESCAPED}</ins>" in html and "<script>alert" not in html
    assert page.count(id="notes-status") == 0
    assert_self_contained(html)


def test_the_training_report_shows_the_notes_in_scope(pair):
    diff = diff_releases(*pair)
    context = training_context(diff, focus="Q06")
    by_category = {c["category"]: [(r["code"], r["group"]) for r in c["rows"]]
                   for c in context["categories"]}
    # the chapter's and the second section's notes apply to Q06; the first section's do not
    assert by_category == {
        "Q00-Q09": [("Q00-Q09", "notes")],
        "Q05-Q09": [("Q05-Q09", "notes")],
        "Q06": [("Q0601", "new"), ("Q0609", "new"), ("Q060", "changed"), ("Q060", "notes")]}
    labels = {c["category"]: c["label"] for c in context["categories"]}
    assert labels["Q05-Q09"] == "Q05-Q09 Synthetic second block (Q05-Q09)"
    assert context["counts"]["notes"] == 3
    assert context["summary_text"].endswith(
        "3 changes to instructional notes (includes, excludes, code first, use additional "
        "code ...) to review.")
    html = training_report(diff, focus="Q03")
    assert f"<ins>{EVIL_ESCAPED}</ins>" in html and "<script>alert" not in html
    # the new category and the chapter it is in
    assert Page(html).find("li", data_key="notes")[0]["data-count"] == "2"


def test_the_reports_say_when_notes_were_not_compared(pair):
    old, new = pair
    bare = Release(system=old.system, version=old.version, effective=old.effective,
                   table=old.table, sources=(), format="icd10cm-order")
    diff = diff_releases(bare, new, verify=False)
    reason = "instructional notes not compared: FY2030 was not read from the CDC's tabular XML."
    for html in (release_report(diff), training_report(diff)):
        assert f'<p class="muted" id="notes-status">{reason.replace(chr(39), "&#39;")}</p>' in html
        assert 'data-kind="notes"' not in html
    assert not any(c["key"] == "notes" for c in training_context(diff)["cards"])
