"""Benchmark: `updater diff` of two full ICD-10-CM releases as a whole process (start-up
included), against the plain-pandas yardstick in ../shared/bench, run alternately.

Usage: python bench/bench_diff.py [--runs 7] [OLD.zip NEW.zip]
Prints the median wall time and the peak memory (max RSS) of each, and of
`updater diff` between the same two releases loaded from a release store.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEFAULT_OLD = SHARED / "data/icd10cm/FY2024/icd10cm-CodesDescriptions-2024.zip"
DEFAULT_NEW = SHARED / "data/icd10cm/FY2025/ICD10-CM Code Descriptions 2025.zip"
UPDATER = [sys.executable, "-m", "updater"]


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    pid = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(pid.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        err = pid.stderr.read().decode() if pid.stderr else ""
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("old", nargs="?", default=str(DEFAULT_OLD))
    parser.add_argument("new", nargs="?", default=str(DEFAULT_NEW))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    yardstick = SHARED / "bench/yardstick_icd_diff.py"
    store = Path(tempfile.mkdtemp(prefix="updater-bench-store-"))
    try:
        subprocess.run([*UPDATER, "import", args.old, args.new, "--store", str(store)],
                       check=True, stdout=subprocess.DEVNULL)
        from updater.releases.store import ReleaseStore

        ids = [r.id for r in ReleaseStore(store).list()]
        commands = {
            "yardstick (plain pandas)": [sys.executable, str(yardstick), args.old, args.new],
            "updater diff (zips)": [*UPDATER, "diff", args.old, args.new],
            "updater diff (store)": [*UPDATER, "diff", ids[0], ids[-1], "--store", str(store)],
        }
        results: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
        for _ in range(args.runs):  # alternate, so background load hits all alike
            for name, cmd in commands.items():
                results[name].append(run(cmd))
    finally:
        shutil.rmtree(store, ignore_errors=True)
    print(f"{args.runs} runs each, alternating; {Path(args.old).name} -> {Path(args.new).name}")
    for name, rows in results.items():
        walls = [w for w, _ in rows]
        peak = max(m for _, m in rows)
        print(f"{name:28} median {statistics.median(walls):6.3f} s  "
              f"(min {min(walls):.3f}, max {max(walls):.3f})  peak {peak:6.0f} MB")


if __name__ == "__main__":
    main()
