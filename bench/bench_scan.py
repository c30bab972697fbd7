"""Benchmark: `updater scan` of a 1,000,000-line chargemaster and a 10,000,000-pair crosswalk
against the real ICD-10-CM FY2024 -> FY2025 and HCPCS 2017 -> 2018 releases, as a whole
process (start-up included); and reading a 100,000-line XLSX chargemaster.

Usage: python bench/bench_scan.py [--dir /tmp/updater-bench] [--runs 3]
The inputs are written first by bench/gen_large.py when missing. Prints the median wall
time and the peak memory (max RSS) of each, next to the targets.
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

import gen_large as gen

UPDATER = [sys.executable, "-m", "updater"]
SCAN_TARGET = (15.0, 4096.0)  # seconds, MB
XLSX_TARGET = 5.0  # seconds
READ_XLSX = """
import sys, time
start = time.perf_counter()
from updater.impact.inputs.chargemaster import read_chargemaster
imported = time.perf_counter()
cdm = read_chargemaster(sys.argv[1])
print(cdm.rows_read, len(cdm.table), round(time.perf_counter() - imported, 3),
      round(imported - start, 3))
"""


def run(cmd: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and standard output of one child process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if status != 0:
            tail = err.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"failed ({status}): {' '.join(cmd)}\n{tail}")
        return wall, usage.ru_maxrss / 1024, out.read().decode(errors="replace")


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "OVER"


def ensure_inputs(folder: Path) -> None:
    names = (gen.CDM_CSV, gen.CROSSWALK_CSV, gen.CDM_XLSX)
    if all((folder / n).exists() for n in names):
        return
    print(f"writing the inputs into {folder} (bench/gen_large.py) ...", flush=True)
    subprocess.run([sys.executable, str(Path(gen.__file__)), str(folder)], check=True)


def bench_scan(folder: Path, runs: int) -> None:
    releases = (gen.ICD_OLD, gen.ICD_NEW, gen.HCPCS_OLD, gen.HCPCS_NEW)
    missing = [str(p) for p in releases if not p.exists()]
    if missing:
        print(f"scan: skipped, the real releases are missing: {', '.join(missing)}")
        return
    out = folder / "scan-out.json"
    cmd = [*UPDATER, "scan", "--chargemaster", str(folder / gen.CDM_CSV),
           "--crosswalk", str(folder / gen.CROSSWALK_CSV),
           "--from", str(gen.ICD_OLD), "--to", str(gen.ICD_NEW),
           "--from", str(gen.HCPCS_OLD), "--to", str(gen.HCPCS_NEW), "--json", str(out)]
    results = []
    for _ in range(runs):
        try:
            wall, peak, _ = run(cmd, folder)
        except RuntimeError as exc:
            print(f"scan: {exc}")
            return
        results.append((wall, peak))
    walls = [w for w, _ in results]
    peak = max(m for _, m in results)
    median = statistics.median(walls)
    print(f"scan 1M-line CDM + 10M-pair crosswalk, {runs} runs: median {median:6.2f} s "
          f"(min {min(walls):.2f}, max {max(walls):.2f}); target {SCAN_TARGET[0]:.0f} s: "
          f"{verdict(median, SCAN_TARGET[0])}")
    print(f"    peak RSS {peak:7.0f} MB; target {SCAN_TARGET[1]:.0f} MB: "
          f"{verdict(peak, SCAN_TARGET[1])}")
    summary = json.loads(out.read_text())["summary"]
    found = {k: v for k, v in summary.get("findings_by_kind", {}).items() if v}
    print(f"    {out.stat().st_size / 1e6:.0f} MB of JSON; findings {found}")


def bench_xlsx(folder: Path, runs: int) -> None:
    cmd = [sys.executable, "-c", READ_XLSX, str(folder / gen.CDM_XLSX)]
    results = []
    for _ in range(runs):
        try:
            wall, peak, printed = run(cmd, folder)
        except RuntimeError as exc:
            print(f"xlsx: {exc}")
            return
        rows, table_rows, read_s, import_s = printed.split()
        results.append((wall, peak, float(read_s), float(import_s)))
    median = statistics.median(r[0] for r in results)
    read = statistics.median(r[2] for r in results)
    print(f"read_chargemaster 100k-line XLSX, {runs} runs: process median {median:5.2f} s, "
          f"read itself {read:.2f} s (import {results[0][3]:.2f} s); target "
          f"{XLSX_TARGET:.0f} s: {verdict(median, XLSX_TARGET)}")
    print(f"    peak RSS {max(r[1] for r in results):7.0f} MB; {rows} rows read, "
          f"{table_rows} table rows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, default=gen.DEFAULT_FOLDER)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ensure_inputs(args.dir)
    bench_scan(args.dir, args.runs)
    bench_xlsx(args.dir, args.runs)


if __name__ == "__main__":
    main()
