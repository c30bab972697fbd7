"""Timings of the parts the other benchmarks run inside a whole process, on the real files
in ../shared/data: parsing the HCPCS fixed-width file, reloading a release from the store
against parsing its zip, and the replacement candidates of a full ICD-10-CM year.

    python bench/bench_parts.py [--runs N]

Targets (what the tests used to time, now measured here as the guide asks):
HCPCS 2018 parse < 0.5 s; store reload at least 4x faster than the zip parse;
candidates for FY2024 -> FY2025 < 0.5 s for the step and < 1 s with the table read.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def best(fn: Callable[[], object], runs: int) -> float:
    """The fastest of ``runs`` calls: the noise of a shared machine only adds time."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def report(name: str, seconds: float, limit: float) -> bool:
    ok = seconds < limit
    print(f"{name:44} {seconds:7.3f} s   (target < {limit:.2f} s)  {'ok' if ok else 'SLOW'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    if not DATA.exists():
        print(f"no publisher files at {DATA}")
        return 2

    from updater.files.sources import Source
    from updater.impact.candidates import build_candidates, candidates_for_step
    from updater.impact.candidates.conversion import read_conversion_table
    from updater.releases.diff import diff_releases
    from updater.releases.readers import _lines, load_release
    from updater.releases.readers.hcpcs_fixed import READER as FIXED
    from updater.releases.readers.hcpcs_fixed import parse_hcpcs_lines
    from updater.releases.store import ReleaseStore

    results = []
    hcpcs = DATA / "hcpcs" / "2018" / "2018-Alpha-Numeric-HCPCS-File.zip"
    member = next(m for m in zipfile.ZipFile(hcpcs).namelist()
                  if m.endswith(".txt") and FIXED.sniff(Source(hcpcs, m)))
    source = Source(hcpcs, member)
    lines = _lines.read_lines(source)
    results.append(report("HCPCS 2018 fixed-width parse",
                          best(lambda: parse_hcpcs_lines(lines, source.display), runs), 0.5))

    icd = DATA / "icd10cm"
    fy24 = next((icd / "FY2024").glob("*CodesDescriptions*.zip"))
    fy25 = next((icd / "FY2025").glob("*Code Descriptions*.zip"))
    conversion = next((icd / "FY2025").glob("*conversion-table*"))
    parse = best(lambda: load_release(fy25), runs)
    with tempfile.TemporaryDirectory() as folder:
        store = ReleaseStore(Path(folder))
        store.import_release(load_release(fy25)[0])
        reload = best(lambda: store.load("icd10cm:FY2025"), runs)
    print(f"{'FY2025 zip parse':44} {parse:7.3f} s")
    results.append(report("FY2025 store reload (limit: parse / 4)", reload, parse / 4))

    old, new = load_release(fy24)[0], load_release(fy25)[0]
    diff = diff_releases(old, new, verify=False)
    table = read_conversion_table(conversion)
    results.append(report("candidates FY2024 -> FY2025 (step)",
                          best(lambda: candidates_for_step(old, new, diff, conversion=table),
                               runs), 0.5))
    results.append(report("candidates with diff and table read",
                          best(lambda: build_candidates([old, new],
                                                        conversion_tables=[conversion]),
                               runs), 1.0))
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
