"""The demo: every sample release pair diffed and verified, then the sample chargemaster
and crosswalk scanned against the newest change of every code set."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

from updater.diff import diff_releases
from updater.output import write_json, write_table
from updater.readers import load_release
from updater.sample import sample_releases
from updater.textreport import diff_report
from updater.vocabulary import ReleaseKind


def run_demo(out: Path) -> Iterator[str]:
    """Yields the report lines as it goes, writing JSON and CSV files into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    yield "updater demo: synthetic sample releases (not real code sets; CPT text is made up)"
    annual: list[tuple[str, str]] = []  # each code set's first pair, for the scan
    for system, files in sample_releases().items():
        loaded = sorted(((load_release(f)[0], f) for f in files), key=lambda r: r[0].effective)
        loaded = [(r, f) for r, f in loaded if r.kind is ReleaseKind.FULL]
        steps = list(itertools.pairwise(loaded))
        if steps:
            annual.append((str(steps[0][0][1]), str(steps[0][1][1])))
        for (old, _), (new, _) in steps:
            result = diff_releases(old, new)
            stem = f"{system}-{old.version}-to-{new.version}"
            write_json(result.to_dict(), out / f"{stem}.json")
            write_table(result.changes, out / f"{stem}.csv")
            yield ""
            yield diff_report(result)
    yield from _demo_scan(out, annual)
    yield ""
    yield f"results written to {out.resolve()}"


def _demo_scan(out: Path, pairs: list[tuple[str, str]]) -> Iterator[str]:
    """The sample chargemaster and crosswalk scanned against every sample code set."""
    from updater.changesets import build_change_sets
    from updater.inputs.chargemaster import read_chargemaster
    from updater.inputs.crosswalk import read_crosswalk
    from updater.sample import sample_chargemasters_dir
    from updater.scan import scan
    from updater.scan_run import summary_text

    change_sets = build_change_sets(pairs, store=out / "store")
    icd = next(cs for cs in change_sets if cs.system.value == "icd10cm")
    folder = sample_chargemasters_dir()
    result = scan(change_sets, chargemaster=read_chargemaster(folder / "sample-cdm.csv"),
                  crosswalk=read_crosswalk(folder / "sample-crosswalk.csv",
                                           expand_with=icd.old.table))
    write_json(result.to_dict(), out / "scan.json")
    write_table(result.findings, out / "scan.csv")
    yield ""
    yield summary_text(result)
