"""Each HTML report in a real headless Chromium: the page renders, its summary numbers are
visible, a column sorts (and the filter box filters), and a screenshot is kept for people
to look at (in $UPDATER_ARTIFACTS, else pytest's tmp dir; the path is printed).

Without Chromium the tests skip, unless UPDATER_REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import html as htmllib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ICD, ICD_ZIPS

from updater.cycle.sample import sample_chargemasters_dir, sample_releases, sample_scan_pairs
from updater.releases.diff import diff_releases
from updater.releases.readers import load_release

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Appended to a copy of the report: runs after the page's own script has set the tables
# up, clicks the first header of the longest sortable table twice, types into its filter
# box, and writes what it saw into <pre id="test-result">.
PROBE = """
<script>
window.addEventListener("load", function () {
  var out = {cards: []};
  document.querySelectorAll(".card").forEach(function (c) {
    var r = c.getBoundingClientRect(), v = c.querySelector(".value");
    out.cards.push({key: c.getAttribute("data-key"), count: c.getAttribute("data-count"),
                    text: v ? v.textContent.trim() : "",
                    visible: r.width > 0 && r.height > 0 && !!c.offsetParent});
  });
  var tables = Array.prototype.slice.call(document.querySelectorAll("table.sortable"));
  tables.sort(function (a, b) { return b.tBodies[0].rows.length - a.tBodies[0].rows.length; });
  var table = tables[0];
  function keys() {
    return Array.prototype.map.call(table.tBodies[0].rows, function (r) {
      var c = r.cells[0], k = c.getAttribute("data-sort");
      return k !== null ? k : c.textContent.trim();
    });
  }
  function shown() {
    return Array.prototype.filter.call(table.tBodies[0].rows, function (r) {
      return !r.hidden; }).length;
  }
  var th = table.tHead.rows[0].cells[0];
  out.table = table.id;
  out.before = keys();
  th.click();
  out.asc = keys(); out.ariaAsc = th.getAttribute("aria-sort");
  th.click();
  out.desc = keys(); out.ariaDesc = th.getAttribute("aria-sort");
  var box = table.previousElementSibling
    ? table.previousElementSibling.querySelector("input.table-filter") : null;
  out.hasFilter = !!box;
  if (box) {
    var needle = table.tBodies[0].rows[0].cells[0].textContent.trim();
    box.value = needle;
    box.dispatchEvent(new Event("input"));
    out.needle = needle;
    out.shownAfterFilter = shown();
    out.expectedAfterFilter = Array.prototype.filter.call(table.tBodies[0].rows, function (r) {
      return r.textContent.toLowerCase().indexOf(needle.toLowerCase()) !== -1; }).length;
    box.value = "";
    box.dispatchEvent(new Event("input"));
    out.shownAfterClear = shown();
  }
  out.rows = table.tBodies[0].rows.length;
  var pre = document.createElement("pre");
  pre.id = "test-result";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""


def find_chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if found:
        return found
    if os.environ.get("UPDATER_REQUIRE_BROWSER") == "1":
        pytest.fail("Chromium is required (UPDATER_REQUIRE_BROWSER=1) but was not found")
    pytest.skip("Chromium not found (install Debian's chromium package to run browser tests)")


@pytest.fixture(scope="module")
def chromium() -> str:
    return find_chromium()


def run_chromium(chromium: str, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    profile.mkdir()
    return subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=60, check=False)


def artifacts_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("UPDATER_ARTIFACTS") or tmp_path / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def natural(key: str) -> list[tuple[int, int | str]]:
    """Numbers as numbers, text case-blind: the page's own sort order for codes."""
    return [(0, int(p)) if p.isdigit() else (1, p.lower()) for p in re.findall(r"\d+|\D+", key)]


# ---- the reports, from the releases in the repository's sample (always present) or the
# ---- real FY2024 -> FY2025 ICD-10-CM release when ../shared/data has it

def _sample_diff(system: str):
    files = sample_releases()[system]
    return diff_releases(load_release(files[0])[0], load_release(files[1])[0])


def _release(tmp: Path) -> tuple[str, dict[str, int]]:
    from updater.reports.release import release_report

    old, new = ICD / ICD_ZIPS["FY2024"], ICD / ICD_ZIPS["FY2025"]
    if old.exists() and new.exists():
        diff = diff_releases(load_release(old)[0], load_release(new)[0])
    else:
        diff = _sample_diff("icd10cm")
    codes = diff.summary["codes"]
    return release_report(diff), {f"codes-{k}": codes[k] for k in ("added", "deleted",
                                                                     "revised")}


def _training(tmp: Path) -> tuple[str, dict[str, int]]:
    from updater.reports.training import training_context, training_report

    diff = _sample_diff("icd10cm")
    counts = training_context(diff)["counts"]
    return training_report(diff), {k: counts[k] for k in ("new", "gone", "changed")}


def _impact(tmp: Path) -> tuple[str, dict[str, int]]:
    try:
        from updater.reports.impact import impact_report
    except ImportError:
        pytest.skip("updater.reports.impact.impact_report is not available yet")
    from updater.impact.scan import run_scan

    pairs = sample_scan_pairs()
    old, new = [str(o) for o, _ in pairs], [str(n) for _, n in pairs]
    folder = sample_chargemasters_dir()
    result = run_scan(chargemaster=folder / "sample-cdm.csv",
                      crosswalk=folder / "sample-crosswalk.csv", old=old, new=new,
                      store=tmp / "store")[0]
    return impact_report(result), {}


REPORTS: dict[str, Callable[[Path], tuple[str, dict[str, int]]]] = {
    "release": _release, "training": _training, "impact": _impact}


@pytest.mark.parametrize("name", list(REPORTS))
def test_report_in_chromium(name, chromium, tmp_path, capsys):
    html, numbers = REPORTS[name](tmp_path)
    page = tmp_path / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    probed = tmp_path / f"{name}-probe.html"
    probed.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")

    run = run_chromium(chromium, tmp_path, "--dump-dom", "--virtual-time-budget=5000",
                       probed.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    found = re.search(r'<pre id="test-result">(.*?)</pre>', run.stdout, re.S)
    assert found, f"the page did not run its script: {run.stdout[:500]} {run.stderr[-1000:]}"
    seen = json.loads(htmllib.unescape(found.group(1)))

    # the summary numbers are on screen, as the report computed them
    assert seen["cards"] and all(c["visible"] for c in seen["cards"]), seen["cards"]
    cards = {c["key"]: c for c in seen["cards"]}
    for key, value in numbers.items():
        assert cards[key]["text"] == f"{value:,}", (key, cards[key])
    for card in seen["cards"]:
        shown = card["text"].replace("$", "").replace(",", "")
        if re.fullmatch(r"-?\d+(\.\d+)?", shown):
            assert float(shown) == pytest.approx(float(card["count"])), card

    # a click sorts the column, a second click reverses it; aria-sort says which
    assert seen["rows"] >= 2, f"{name}: no sortable table with rows"
    assert sorted(seen["asc"]) == sorted(seen["before"])
    assert seen["ariaAsc"] == "ascending" and seen["ariaDesc"] == "descending"
    assert [natural(k) for k in seen["asc"]] == sorted(natural(k) for k in seen["asc"])
    assert [natural(k) for k in seen["desc"]] == sorted((natural(k) for k in seen["desc"]),
                                                        reverse=True)
    if len(set(seen["asc"])) > 1:
        assert seen["asc"] != seen["desc"]
    if seen["hasFilter"]:
        assert 1 <= seen["shownAfterFilter"] == seen["expectedAfterFilter"]
        assert seen["shownAfterClear"] == seen["rows"]

    shot = artifacts_dir(tmp_path) / f"report-{name}.png"
    run = run_chromium(chromium, tmp_path, f"--screenshot={shot}", "--window-size=1280,1800",
                       "--hide-scrollbars", page.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 10_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with capsys.disabled():
        print(f"\n{name} report screenshot: {shot}")


# ---- the impact report's wide tables fit the page, on screen and printed

FIT_PROBE = """
<script>
window.addEventListener("load", function () {
  var ids = ["line-table", "pair-table", "add-table", "department-table"];
  function measure() {
    var out = {viewport: document.documentElement.clientWidth,
               body: document.body.getBoundingClientRect().right, tables: {}};
    ids.forEach(function (id) {
      var t = document.getElementById(id);
      if (!t) return;
      var r = t.getBoundingClientRect(), head = t.tHead.rows[0].cells;
      var last = head[head.length - 1];
      out.tables[id] = {right: r.right, width: r.width, scroll: t.scrollWidth,
                        container: t.parentElement.clientWidth,
                        lastRight: last.getBoundingClientRect().right,
                        lastText: last.textContent.trim(), rows: t.tBodies[0].rows.length};
    });
    return out;
  }
  var result = {screen: measure()};
  // print: the page's own @media print rules in force, the body a printed page wide
  var css = "";
  Array.prototype.forEach.call(document.styleSheets, function (sheet) {
    Array.prototype.forEach.call(sheet.cssRules, function (rule) {
      if (rule.media && rule.media.mediaText.indexOf("print") !== -1) {
        Array.prototype.forEach.call(rule.cssRules, function (r) { css += r.cssText + "\\n"; });
      }
    });
  });
  var style = document.createElement("style");
  style.textContent = css;
  document.head.appendChild(style);
  document.body.style.width = "PRINT_WIDTH";
  document.body.style.maxWidth = "PRINT_WIDTH";
  result.print = measure();
  result.printCss = css.length;
  var pre = document.createElement("pre");
  pre.id = "test-result";
  pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
});
</script>
"""
# US Letter portrait less the page's 1.2 cm side margins (base.html.j2's @page)
PRINT_WIDTH = "7.55in"


@pytest.fixture(scope="module")
def impact_with_plan(tmp_path_factory) -> str:
    from updater.impact.scan import run_scan
    from updater.plan.make import make_plan
    from updater.reports.impact import impact_report

    tmp = tmp_path_factory.mktemp("impact")
    pairs = sample_scan_pairs()
    folder = sample_chargemasters_dir()
    result = run_scan(chargemaster=folder / "sample-cdm.csv",
                      crosswalk=folder / "sample-crosswalk.csv",
                      old=[str(o) for o, _ in pairs], new=[str(n) for _, n in pairs],
                      store=tmp / "store")[0]
    return impact_report(result, make_plan(result))


@pytest.mark.parametrize("width", [1280, 1024, 800])
def test_impact_tables_fit_the_page_on_screen_and_in_print(chromium, tmp_path, width,
                                                           impact_with_plan):
    probed = tmp_path / "impact-fit.html"
    probed.write_text(impact_with_plan.replace(
        "</body>", FIT_PROBE.replace("PRINT_WIDTH", PRINT_WIDTH) + "</body>"), encoding="utf-8")
    run = run_chromium(chromium, tmp_path, "--dump-dom", "--virtual-time-budget=5000",
                       f"--window-size={width},1000", probed.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    found = re.search(r'<pre id="test-result">(.*?)</pre>', run.stdout, re.S)
    assert found, run.stdout[:500]
    seen = json.loads(htmllib.unescape(found.group(1)))
    assert seen["printCss"] > 0  # the page's print rules were found and applied
    for medium in ("screen", "print"):
        page = seen[medium]
        tables = page["tables"]
        assert {"line-table", "pair-table", "add-table"} <= set(tables), tables
        assert tables["line-table"]["lastText"] == "decision"
        for table_id, t in tables.items():
            where = f"{medium} at {width}px: {table_id}"
            # nothing wider than its place: no sideways scrolling, nothing cut off
            assert t["scroll"] <= t["width"] + 1, where
            assert t["width"] <= t["container"] + 1, where
            assert t["right"] <= page["body"] + 1 and t["lastRight"] <= page["viewport"] + 1, (
                where, t, page["body"])
