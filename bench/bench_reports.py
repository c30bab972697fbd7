"""How long the HTML reports take to render, and how big they are, for a full ICD-10-CM
year (FY2024 -> FY2025 from ../shared/data): the issue asks for under 2 s and under 5 MB.

    python bench/bench_reports.py [OLD.zip NEW.zip]

Reading and diffing the releases is not counted (``bench_diff.py`` measures that); the
first render includes compiling the templates, as in a one-shot ``updater report`` run.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ICD = Path(__file__).resolve().parents[2] / "shared" / "data" / "icd10cm"
DEFAULT = (ICD / "FY2024" / "icd10cm-CodesDescriptions-2024.zip",
           ICD / "FY2025" / "ICD10-CM Code Descriptions 2025.zip")
LIMIT_SECONDS, LIMIT_BYTES = 2.0, 5_000_000


def measure(name: str, make: Callable[[], str], runs: int = 5) -> bool:
    start = time.perf_counter()
    html = make()
    first = time.perf_counter() - start
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        make()
        times.append(time.perf_counter() - start)
    size = len(html.encode("utf-8"))
    ok = first < LIMIT_SECONDS and size < LIMIT_BYTES
    print(f"{name:28} first {first:6.3f} s   median {statistics.median(times):6.3f} s   "
          f"{size / 1e6:6.3f} MB   {'ok' if ok else 'OVER LIMIT'}")
    return ok


def main(argv: list[str]) -> int:
    from updater.releases.diff import diff_releases
    from updater.releases.readers import load_release

    old_path, new_path = (Path(a) for a in argv[:2]) if len(argv) >= 2 else DEFAULT
    if not old_path.exists() or not new_path.exists():
        print(f"releases not found: {old_path}, {new_path}")
        return 2
    start = time.perf_counter()
    old, new = load_release(old_path)[0], load_release(new_path)[0]
    diff = diff_releases(old, new)
    print(f"read and diff {old.id} -> {new.id}: {time.perf_counter() - start:.2f} s, "
          f"{len(diff.changes)} change rows (not counted below)")

    from updater.reports.release import release_report
    from updater.reports.training import training_report

    results = [
        measure("release report", lambda: release_report(diff)),
        measure("training, whole code set", lambda: training_report(diff, focus="A00-Z99")),
        measure("training, orthopedics", lambda: training_report(diff,
                                                                 specialty="orthopedics")),
    ]
    print(f"limits: first render under {LIMIT_SECONDS} s, page under "
          f"{LIMIT_BYTES / 1e6:.0f} MB")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
