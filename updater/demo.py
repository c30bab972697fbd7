"""The demo: every sample release pair diffed, verified and written out."""

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
    """Yields the report lines as it goes, writing one JSON and CSV per pair into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    yield "updater demo: synthetic sample releases (not real code sets; CPT text is made up)"
    for system, files in sample_releases().items():
        releases = sorted((load_release(f)[0] for f in files), key=lambda r: r.effective)
        releases = [r for r in releases if r.kind is ReleaseKind.FULL]
        for old, new in itertools.pairwise(releases):
            result = diff_releases(old, new)
            stem = f"{system}-{old.version}-to-{new.version}"
            write_json(result.to_dict(), out / f"{stem}.json")
            write_table(result.changes, out / f"{stem}.csv")
            yield ""
            yield diff_report(result)
    yield ""
    yield f"results written to {out.resolve()}"
