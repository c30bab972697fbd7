"""The demo: the sample year's update cycles run end to end on the embedded synthetic sample.

The sample releases (``releases/sample``) are the inbox, the sample chargemaster and
crosswalk (``chargemasters/``) the facility's files, and the store lives in the demo's
folder. Every cycle the sample has a pair of releases for is run with
:func:`updater.cycle.run.run_cycle` (October 2025: ICD-10-CM FY2026; January 2026: CPT and
HCPCS 2026; April 2026: ICD-10-CM FY2026-April), each into its own folder with an
``index.html``. Together they show findings of every kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from updater.cycle.config import ChargemasterConfig, Config, CrosswalkConfig
from updater.cycle.inbox import import_inbox, inbox_files
from updater.cycle.run import CycleResult, run_cycle, summary_lines
from updater.cycle.sample import sample_chargemasters_dir, sample_dir
from updater.files.output import make_folder
from updater.releases.diff_text import diff_report
from updater.releases.store import ReleaseStore

DEMO_TRAINING = ("orthopedics",)
DEMO_SIGN_OFF = ("CDM coordinator (demo)", "Compliance officer (demo)")


def demo_config(out: Path) -> Config:
    """The demo's facility: the sample files, a store and the cycles' folders in ``out``."""
    folder = sample_chargemasters_dir()
    return Config(path=None, store=out / "store", inbox=sample_dir(), output=out,
                  chargemasters=(ChargemasterConfig(folder / "sample-cdm.csv",
                                                    name="Sample hospital"),),
                  crosswalks=(CrosswalkConfig(folder / "sample-crosswalk.csv",
                                              name="Sample crosswalk"),),
                  training=DEMO_TRAINING, sign_off=DEMO_SIGN_OFF)


def demo_cycles(store: ReleaseStore) -> list[date]:
    """The effective dates on which a stored release follows an earlier one of its system:
    the cycles there is something to compare for."""
    seen: set[str] = set()
    dates: set[date] = set()
    for r in store.list():  # by system, then effective date
        if r.system.value in seen:
            dates.add(r.effective)
        seen.add(r.system.value)
    return sorted(dates)


def run_demo(out: Path, results: list[CycleResult] | None = None) -> Iterator[str]:
    """Yields the report lines as it goes; each cycle's result is appended to ``results``
    when given."""
    make_folder(out)
    config = demo_config(out)
    yield "updater demo: synthetic sample releases (not real code sets; CPT text is made up)"
    store = ReleaseStore(config.store)
    imported, _ = import_inbox(store, inbox_files(config.inbox))  # to find the cycles
    for f in imported:
        if f.status == "added":
            yield f"imported {f.release} from {Path(f.file).name}"
    indexes = []
    for day in demo_cycles(store):
        result = run_cycle(config, cycle=day)
        if results is not None:
            results.append(result)
        for diff in result.diffs:
            yield ""
            yield diff_report(diff)
        yield ""
        yield from summary_lines(result)
        indexes.append(result.index)
    yield ""
    yield f"results written to {out.resolve()}"
    for index in indexes:
        yield f"  cycle {index.parent.name}: {index.resolve()}"
    yield f"open {(out / 'index.html').resolve()}"
