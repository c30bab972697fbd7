"""The release change report: the numbers on the page are the diff's, revised titles show
the changed words, every value is escaped, the page is self-contained, and the CLI."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from conftest import make_release, next_year
from tests_helpers import write_release_pair
from typer.testing import CliRunner

from updater.cli import app
from updater.cycle.sample import sample_releases
from updater.releases.diff import diff_releases
from updater.releases.readers import load_release
from updater.reports.release import release_report
from updater.reports.render import render, word_diff
from updater.reports.sections import category_of, section_of
from updater.vocabulary import CodeSystem

runner = CliRunner()
EVIL = "<script>alert(1)</script> \"quoted\" 'single' & more"
EVIL_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; &#34;quoted&#34; &#39;single&#39; &amp; more"


class Page(HTMLParser):
    """Every start tag with its attributes, in document order, and the text of the page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str | None = None, **attrs: str) -> list[dict[str, str]]:
        """Tags with these attribute values (``data_kind`` means ``data-kind``)."""
        want = {k.replace("_", "-"): v for k, v in attrs.items()}
        return [a for t, a in self.tags if (tag is None or t == tag)
                and all(a.get(k) == v for k, v in want.items())]

    def count(self, tag: str | None = None, **attrs: str) -> int:
        return len(self.find(tag, **attrs))


def assert_self_contained(html: str) -> None:
    """No file or network fetch: no src/href to anything but in-page anchors."""
    assert not re.search(r"\b(?:src|href)\s*=\s*[\"'](?!#)", html), "external reference"
    assert "@import" not in html and "url(" not in html
    assert "<script src" not in html


@pytest.fixture(scope="module")
def icd_diff(icd_zip):
    return diff_releases(load_release(icd_zip("FY2024"))[0], load_release(icd_zip("FY2025"))[0])


@pytest.fixture(scope="module")
def icd_page(icd_diff):
    return release_report(icd_diff)


def test_numbers_on_the_page_are_the_diffs(icd_diff, icd_page):
    page, summary = Page(icd_page), icd_diff.summary
    cards = {c["data-key"]: int(c["data-count"]) for c in page.find("li")
             if "card" in c.get("class", "")}
    for kind in ("added", "deleted", "revised", "expanded"):
        assert cards[f"codes-{kind}"] == summary["codes"][kind]
    assert cards["headers-added"] == summary["headers"]["added"]
    # the publisher-style table: every cell equals the summary
    cells = page.find("td", data_block="codes")
    assert cells and all(int(c["data-count"]) == summary["codes"][c["data-key"]]
                         for c in cells if "data-count" in c)
    assert {c["data-key"] for c in cells} >= {"in_old", "in_new", "added", "deleted", "revised"}
    # the tables: one row per change, codes and headers as the publisher counts them
    for kind in ("added", "deleted", "revised"):
        for record, block in (("code", "codes"), ("header", "headers")):
            assert page.count("tr", data_kind=kind, data_record=record) == summary[block][kind]
    assert page.count("tr", data_kind="expanded") == summary["codes"]["expanded"]
    # the chart: its segments add up to the codes block
    for kind in ("added", "deleted", "revised"):
        drawn = sum(int(r["data-count"]) for r in page.find("rect", data_kind=kind))
        assert drawn == summary["codes"][kind]
    # the check against the CDC's change list
    [check] = page.find("div", id="verification-1")
    assert check["data-ok"] == "true"
    assert f"{icd_diff.verifications[0].checked} entries checked" in icd_page
    assert_self_contained(icd_page)


def test_chart_counts_by_chapter_match_the_changes(icd_diff, icd_page):
    changes = icd_diff.changes[icd_diff.changes["record"] == "code"]
    chapter = changes["code"].str.slice(0, 3).between("M00", "M99")
    expected = changes[chapter]["kind"].value_counts()
    assert expected.get("added", 0) > 0  # the real FY2025 adds musculoskeletal codes
    bar = icd_page.split('data-label="M00-M99 Musculoskeletal')[1].split("</g>")[0]
    drawn = {kind: int(n) for kind, n in re.findall(r'data-kind="(\w+)" data-count="(\d+)"', bar)}
    assert drawn == {k: int(expected.get(k, 0)) for k in ("added", "deleted", "revised",
                                                           "terminated") if expected.get(k, 0)}
    assert f'data-count="{sum(drawn.values())}"' in icd_page.split(
        'data-label="M00-M99 Musculoskeletal')[1][:40]


def test_revised_titles_mark_the_changed_words(icd_diff, icd_page):
    revised = icd_diff.changes[(icd_diff.changes["kind"] == "revised")
                               & (icd_diff.changes["old_long"] != icd_diff.changes["new_long"])]
    assert len(revised)
    section = icd_page.split('id="section-revised"')[1].split("</section>")[0]
    assert section.count("<del>") + section.count("<ins>") >= len(revised)


def test_word_diff_marks_only_what_changed_and_escapes():
    assert str(word_diff("Pain in left knee", "Pain in right knee")) == (
        "Pain in <del>left</del><ins>right</ins> knee")
    assert str(word_diff("A & B", "A & <b>")) == "A &amp; <del>B</del><ins>&lt;b&gt;</ins>"
    assert str(word_diff("same", "same")) == "same"


def test_expanded_codes_list_their_new_children(icd_page):
    row = icd_page.split('data-code="C8339" data-kind="expanded"')[1].split("</tr>")[0]
    assert "<code>C83.390</code>" in row and "<code>C83.398</code>" in row


def test_every_value_is_escaped():
    old = make_release([("A00", "header", "Cat", "Category"),
                        ("A000", "code", "Old", EVIL + " old"),
                        ("A001", "code", "Gone", EVIL + " gone")], version="FY2030",
                       effective=date(2029, 10, 1))
    new = make_release([("A00", "header", "Cat", "Category"),
                        ("A000", "code", "Old", EVIL + " new"),
                        ("A002", "code", "New", EVIL)], version="FY2031",
                       effective=date(2030, 10, 1))
    html = release_report(diff_releases(old, new, verify=False), inputs=[EVIL])
    assert "<script>alert" not in html
    # added, deleted, the revision's words and the footer's inputs: all shown as text
    assert html.count(EVIL_ESCAPED) >= 3
    assert "<del>old</del><ins>new</ins>" in html
    assert html.count("<script>") == 1  # the page's own table script


def test_an_empty_diff_renders():
    rel = make_release([("A000", "code", "X", "Xx")])
    html = release_report(diff_releases(rel, next_year(rel), verify=False))
    page = Page(html)
    assert page.count("p", id="changes-added", data_count="0") == 1
    assert "No publisher change list to verify against." in html


@pytest.mark.parametrize("system", ["icd10cm", "hcpcs", "cpt"])
def test_sample_releases_render_with_their_own_sections(system):
    files = sample_releases()[system]
    diff = diff_releases(load_release(files[0])[0], load_release(files[1])[0])
    page = Page(release_report(diff))
    for kind in ("added", "deleted", "revised"):
        assert page.count("tr", data_kind=kind, data_record="code") == diff.summary["codes"][kind]
    drawn = Counter()
    for rect in page.find("rect"):
        drawn[rect["data-kind"]] += int(rect["data-count"])
    assert drawn["added"] == diff.summary["codes"]["added"]


def test_hcpcs_real_release_numbers(hcpcs_2017_2018_diff):
    diff = hcpcs_2017_2018_diff
    page = Page(release_report(diff))
    for kind in ("added", "deleted", "revised", "terminated"):
        assert page.count("tr", data_kind=kind, data_record="code") == diff.summary["codes"][kind]
        assert sum(int(r["data-count"]) for r in page.find("rect", data_kind=kind)) == (
            diff.summary["codes"][kind])
    assert page.count("tr", data_kind="added", data_record="modifier") == (
        diff.summary["modifiers"]["added"])


def test_sections_by_code_range():
    icd = pd.Series(["M1711", "O9A11", "T887", "U071", "A000", "Z3A01", "F0150", "H6190"])
    assert section_of(icd, CodeSystem.ICD10CM).str.split().str[0].tolist() == [
        "M00-M99", "O00-O9A", "S00-T88", "U00-U85", "A00-B99", "Z00-Z99", "F01-F99", "H60-H95"]
    cpt = pd.Series(["27447", "00100", "99214", "0001F", "0075T", "0550U", "71046"])
    assert section_of(cpt, CodeSystem.CPT).tolist() == [
        "10004-69990 Surgery", "00100-01999 Anesthesia", "99202-99499 Evaluation and management",
        "0000F-9999F Category II (performance measures)", "0000T-9999T Category III (emerging)",
        "0000U-9999U Proprietary laboratory analyses", "70010-79999 Radiology"]
    assert category_of(pd.Series(["27447"]), CodeSystem.CPT).tolist() == [
        "20100-29999 Surgery: musculoskeletal system"]
    hcpcs = pd.Series(["L3000", "L5000", "J9035", "A0425"])
    assert section_of(hcpcs, CodeSystem.HCPCS).str.slice(0, 1).tolist() == ["L", "L", "J", "A"]
    assert category_of(hcpcs, CodeSystem.HCPCS).str.split().str[1].tolist() == [
        "Orthotics", "Prosthetics", "Chemotherapy", "Ambulance"]
    assert section_of(pd.Series(["99999999"]), CodeSystem.HCPCS).tolist() == ["other"]


def test_templates_render_with_autoescape_and_strict_undefined():
    html = render("release.html.j2", **_minimal_context())
    assert "<!DOCTYPE html>" in html
    with pytest.raises(Exception, match="undefined"):
        render("release.html.j2")


def _minimal_context() -> dict[str, object]:
    rel = make_release([("A000", "code", "X", "Xx")])
    from updater.reports.release import release_context

    return release_context(diff_releases(rel, next_year(rel), verify=False))


def test_cli_release_writes_the_page(tmp_path):
    old, new = write_release_pair(tmp_path / "in", tamper_addenda=False)
    out = tmp_path / "release.html"
    result = runner.invoke(app, ["report", "release", str(old), str(new), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out}\n"
    page = Page(out.read_text())
    assert page.count("tr", data_kind="added", data_record="code") == 1
    assert page.find("div", id="verification-1")[0]["data-ok"] == "true"
    assert not list(tmp_path.glob(".release.html.*"))  # no temp file left behind


def test_cli_release_default_name(tmp_path, monkeypatch):
    old, new = write_release_pair(tmp_path / "in", tamper_addenda=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["report", "release", str(old), str(new)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "release-icd10cm-FY2030-FY2031.html").is_file()


def test_cli_release_missing_output_folder(tmp_path):
    old, new = write_release_pair(tmp_path / "in", tamper_addenda=False)
    out = tmp_path / "nowhere" / "r.html"
    result = runner.invoke(app, ["report", "release", str(old), str(new), "--out", str(out)])
    assert result.exit_code == 2
    assert result.output == (f"updater: error: {out.parent}: the output folder does not exist; "
                             "create it first or choose another path\n")


@pytest.mark.parametrize("args", [["report"], ["report", "release"], ["report", "training"]])
def test_help(args: list[str]):
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0
    assert "Usage: updater" in result.output
    if args == ["report"]:
        assert "release" in result.output and "training" in result.output


def test_templates_ship_in_the_package_folder():
    templates = Path(__file__).resolve().parents[2] / "templates"
    for name in ("base.html.j2", "_macros.html.j2", "_table.js", "release.html.j2",
                 "training.html.j2", "__init__.py"):
        assert (templates / name).is_file(), name


def test_cli_release_from_the_store(tmp_path):
    old, new = write_release_pair(tmp_path / "in", tamper_addenda=False)
    store = tmp_path / "store"
    imported = runner.invoke(app, ["import", str(old), str(new), "--store", str(store)])
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", "release", "icd10cm:FY2030", "icd10cm:FY2031",
                                 "--store", str(store), "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert Page(html).count("tr", data_kind="added", data_record="code") == 1
    assert "icd10cm:FY2031" in html  # the footer names the inputs


def test_templates_not_installed_is_one_line(monkeypatch):
    """A broken install (no updater.reports.templates package) is the user's to fix: one line."""
    from updater.errors import UpdaterError
    from updater.reports import render as render_module

    def missing() -> None:
        raise ModuleNotFoundError("No module named 'updater.reports.templates'")

    monkeypatch.setattr(render_module, "environment", missing)
    with pytest.raises(UpdaterError) as err:
        render_module.render("release.html.j2")
    assert str(err.value) == ("report template 'release.html.j2' is not installed; reinstall "
                              "updater with 'pip install .' from a full checkout")


def test_cli_release_report_of_a_generic_table_takes_the_column_options(tmp_path):
    """As `updater diff` does: a payer's own code list named by --code-col/--desc-col."""
    old, new = tmp_path / "payer-2025.csv", tmp_path / "payer-2026.csv"
    old.write_text("Proc,What\nABC12,Synthetic item one\nABC13,Synthetic item two\n")
    new.write_text("Proc,What\nABC12,Synthetic item one\nABC14,Synthetic item three\n")
    out = tmp_path / "payer.html"
    result = runner.invoke(app, ["report", "release", str(old), str(new), "--system", "custom",
                                 "--code-col", "Proc", "--desc-col", "What", "--out",
                                 str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "ABC14" in page and "Synthetic item three" in page and "ABC13" in page
