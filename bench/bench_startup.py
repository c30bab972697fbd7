"""Start-up time of the ``updater`` command: ``--help``, ``--version`` and every command's
``--help``, each run N times in a fresh process (median seconds, and the max of the
medians); then a whole ``updater diff`` from a store built by ``updater demo``.

    python bench/bench_startup.py [N]

Goal (issue 13): every --help/--version under 0.3 s; the diff well under a second."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _updater() -> list[str]:
    found = shutil.which("updater")
    return [found] if found else [sys.executable, "-m", "updater"]


def _commands() -> list[list[str]]:
    from typer.core import TyperGroup
    from typer.main import get_command

    from updater.cli import app

    def walk(group: TyperGroup, path: list[str]) -> list[list[str]]:
        found = []
        for name in group.list_commands(None):  # type: ignore[arg-type]
            command = group.get_command(None, name)  # type: ignore[arg-type]
            found.append([*path, name])
            if isinstance(command, TyperGroup):
                found += walk(command, [*path, name])
        return found

    return walk(get_command(app), [])  # type: ignore[arg-type]


def _median(argv: list[str], n: int) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    exe = _updater()
    cases = [["--help"], ["--version"]] + [[*c, "--help"] for c in _commands()]
    medians = {}
    for args in cases:
        medians[" ".join(args)] = m = _median([*exe, *args], n)
        print(f"{m:6.3f} s  updater {' '.join(args)}")
    worst = max(medians, key=medians.__getitem__)
    print(f"max    {medians[worst]:.3f} s  (updater {worst}), median of {n} runs each")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "demo"
        subprocess.run([*exe, "demo", "--out", str(out)], check=True,
                       stdout=subprocess.DEVNULL)
        stored = subprocess.run([*exe, "releases", "--store", str(out / "store"),
                                 "--json", "-"], check=True, capture_output=True, text=True)
        icd = [r["id"] for r in json.loads(stored.stdout) if r["system"] == "icd10cm"]
        argv = [*exe, "diff", icd[0], icd[1], "--store", str(out / "store")]
        m = _median(argv, n)
        print(f"{m:6.3f} s  updater diff {icd[0]} {icd[1]} --store DEMO/store")


if __name__ == "__main__":
    main()
