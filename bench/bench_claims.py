"""Benchmark: `updater claims` of 1, 5, 10, 25 and 50 million claim lines against the real
ICD-10-CM FY2024 -> FY2025 and HCPCS 2018 -> 2019 releases, as a whole process (start-up,
reading the releases and building the change sets included), on DuckDB.

Usage: python bench/bench_claims.py [--dir /tmp/updater-claims] [--sizes 1,5,10,25,50]
                                    [--runs 1]

The extract is written first by bench/gen_claims.py when missing (50 Parquet files of
1,000,000 lines, ~0.9 GB, into DIR/parts); each size reads the first N files as one folder
(DIR/lines-NM, symbolic links). Prints, per size, the median wall time, the CPU time (user
+ system, all threads), the peak memory of the whole process (max RSS: DuckDB's memory is
inside it) and the machine's 1-minute load average before the run, next to the target for
50 M lines: 60 s and 4 GB on a 2-core machine. Other work on the machine slows the runs:
read the load column.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import gen_claims as gen

UPDATER = [sys.executable, "-m", "updater"]
TARGET = (60.0, 4096.0)  # seconds, MB, for 50 M lines
PART = gen.PART_LINES


def run(cmd: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system, all threads) of one
    child process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        if status != 0:
            err.seek(0)
            raise RuntimeError(f"failed ({status}): {' '.join(cmd)}\n"
                               f"{err.read().decode(errors='replace')[-3000:]}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def ensure_parts(folder: Path, parts: int) -> list[Path]:
    have = sorted((folder / "parts").glob("part-*.parquet"))
    if len(have) < parts:
        print(f"writing {parts * PART:,} claim lines into {folder / 'parts'} "
              "(bench/gen_claims.py) ...", flush=True)
        subprocess.run([sys.executable, str(Path(gen.__file__)), "--lines",
                        str(parts * PART), "--dir", str(folder / "parts")], check=True)
        have = sorted((folder / "parts").glob("part-*.parquet"))
    return have[:parts]


def extract_of(folder: Path, parts: list[Path]) -> Path:
    """A folder holding the first ``len(parts)`` files, as links."""
    target = folder / f"lines-{len(parts)}M"
    target.mkdir(exist_ok=True)
    for old in target.iterdir():
        old.unlink()
    for part in parts:
        (target / part.name).symlink_to(part.resolve())
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=gen.DEFAULT_FOLDER.parent)
    parser.add_argument("--sizes", default="1,5,10,25,50",
                        help="millions of lines, comma-separated")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    releases = (gen.ICD_OLD, gen.ICD_NEW, gen.HCPCS_OLD, gen.HCPCS_NEW)
    missing = [str(p) for p in releases if not p.exists()]
    if missing:
        sys.exit(f"the real releases are missing: {', '.join(missing)}")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.dir.mkdir(parents=True, exist_ok=True)
    parts = ensure_parts(args.dir, max(sizes))
    print(f"{'lines':>12} {'median s':>9} {'min s':>7} {'CPU s':>7} {'peak MB':>8} "
          f"{'M lines/s':>10} {'load':>5}  at risk")
    for size in sizes:
        extract = extract_of(args.dir, parts[:size])
        out = args.dir / f"claims-{size}M.json"
        with tempfile.TemporaryDirectory() as store:
            cmd = [*UPDATER, "claims", str(extract),
                   "--from", str(gen.ICD_OLD), "--to", str(gen.ICD_NEW),
                   "--from", str(gen.HCPCS_OLD), "--to", str(gen.HCPCS_NEW),
                   "--store", store, "--json", str(out)]
            results, loads = [], []
            for _ in range(args.runs):
                loads.append(os.getloadavg()[0])
                results.append(run(cmd))
        walls = [w for w, _, _ in results]
        peak = max(m for _, m, _ in results)
        cpu = statistics.median(c for _, _, c in results)
        median = statistics.median(walls)
        summary = json.loads(out.read_text())["summary"]
        lines = summary["lines_read"]
        print(f"{lines:>12,} {median:>9.2f} {min(walls):>7.2f} {cpu:>7.1f} {peak:>8.0f} "
              f"{lines / median / 1e6:>10.2f} {max(loads):>5.2f}  "
              f"{summary['lines_affected']:,} lines, ${summary['charges_affected']:,.2f}",
              flush=True)
        if size == 50:
            ok = median <= TARGET[0] and peak <= TARGET[1]
            print(f"    50 M lines: target {TARGET[0]:.0f} s and {TARGET[1]:.0f} MB: "
                  f"{'ok' if ok else 'OVER'}")


if __name__ == "__main__":
    main()
