"""`updater demo` on the embedded synthetic sample: the sample year's cycles run end to end."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from updater.cli import app
from updater.vocabulary import FindingKind

runner = CliRunner()
CYCLES = ("2025-10-01", "2026-01-01", "2026-04-01")


def test_demo_runs_every_sample_cycle(tmp_path):
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [*CYCLES, "index.html", "store"]
    # the folder's index links every cycle's index, newest first, and the demo prints it
    top = (out / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'href="([^"#]+)"', top) == [f"{c}/index.html" for c in reversed(CYCLES)]
    assert result.output.rstrip().splitlines()[-1] == f"open {(out / 'index.html').resolve()}"
    jan_rows = re.search(r'data-cycle="2026-01-01".*?data-key="rows">([\d,]+)<', top, re.S)
    jan_plan = json.loads((out / "2026-01-01" / "cycle.json").read_text())["plans"][0]
    assert jan_rows is not None and int(jan_rows.group(1).replace(",", "")) == jan_plan["rows"]

    # each cycle's index links files that exist, and every file of the folder
    for cycle in CYCLES:
        folder = out / cycle
        index = folder / "index.html"
        assert f"cycle {cycle}: {index.resolve()}" in result.output
        links = set(re.findall(r'href="([^"#]+)"', index.read_text(encoding="utf-8")))
        on_disk = {p.name for p in folder.iterdir()} - {"index.html"}
        assert json.loads((folder / "cycle.json").read_text())["cycle"] == cycle
        assert links == on_disk, cycle
        assert {"impact.html", "plan.xlsx", "plan.json", "scan.json",
                "conceptmap.json"} <= on_disk
    assert {p.name for p in (out / "2026-01-01").glob("release-*.html")} == {
        "release-cpt.html", "release-hcpcs.html"}
    assert list((out / "2025-10-01").glob("training-*-icd10cm.html"))

    # the diffs, verified against the publisher-style change lists
    icd = json.loads((out / "2025-10-01" / "diff-icd10cm.json").read_text())
    codes = icd["summary"]["codes"]
    assert (codes["added"], codes["deleted"], codes["revised"], codes["expanded"],
            codes["cosmetic"]) == (15, 5, 4, 2, 1)
    assert all(v["ok"] for v in icd["verification"])
    hcpcs = json.loads((out / "2026-01-01" / "diff-hcpcs.json").read_text())
    assert {"added", "terminated", "revised", "attributes"} <= {
        c["kind"] for c in hcpcs["changes"]}
    assert hcpcs["verification"][0]["ok"] is True
    cpt = json.loads((out / "2026-01-01" / "diff-cpt.json").read_text())
    assert cpt["summary"]["codes"]["revised_medium_only"] == 1
    april = json.loads((out / "2026-04-01" / "diff-icd10cm.json").read_text())
    assert april["summary"]["codes"]["added"] == 4
    # the terminal shows each diff as the publishers count it (CPT has no change list)
    assert "medium descriptor only" in result.output
    assert result.output.count("verified against") == 3

    # the sample year's scans have findings of every kind
    kinds: set[str] = set()
    for cycle in CYCLES:
        scan = json.loads((out / cycle / "scan.json").read_text())
        assert scan["summary"]["chargemaster"]["rows_read"] == 2950
        kinds |= {f["kind"] for f in scan["findings"]}
    assert kinds == {k.value for k in FindingKind}
    jan = json.loads((out / "2026-01-01" / "scan.json").read_text())
    assert jan["summary"]["findings_by_kind"]["terminated"] == 26
    # and every new kind of finding the demo must show: a unit change on a candidate, a
    # stale header, a crosswalk description, a code deleted earlier, a near miss
    found = [(cycle, f) for cycle in CYCLES
             for f in json.loads((out / cycle / "scan.json").read_text())["findings"]]
    assert any(c.get("unit_change") == {"old": "per dose", "new": "1 mg"}
               for _, f in found for c in f["candidates"])
    assert any(f["kind"] == "not_billable" and f["code"] == "M171"
               and f["detail"] == "a header in FY2025 and FY2026" for _, f in found)
    assert any(f["kind"] == "description_mismatch" and f["source"] == "crosswalk"
               for _, f in found)
    assert any(cycle == "2026-04-01" and f["kind"] == "deleted_earlier" and f["code"] == "A082"
               for cycle, f in found)
    assert any("did you mean I10?" in f["detail"] for _, f in found)
    assert result.output.rstrip().splitlines()[-5] == f"results written to {out.resolve()}"


def test_demo_from_any_folder_into_updater_demo_and_again(tmp_path, monkeypatch):
    """As a new user runs it: no configuration, any working folder, the default --out;
    a second run finds everything stored and leaves the plans alone."""
    monkeypatch.chdir(tmp_path)
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    out = tmp_path / "updater-demo"
    index = out / "2026-01-01" / "index.html"
    assert f"cycle 2026-01-01: {index}" in first.output and index.is_file()
    assert first.output.rstrip().endswith(f"open {out / 'index.html'}")
    assert first.output.count("imported ") == 7
    book = out / "2026-01-01" / "plan.xlsx"
    again = runner.invoke(app, ["demo"])
    assert again.exit_code == 0, again.output
    assert "imported " not in again.output  # the store has them all
    assert not list(book.parent.glob("plan.reviewed-*"))
    assert sorted(p.name for p in out.iterdir()) == [*CYCLES, "index.html", "store"]
