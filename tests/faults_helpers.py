"""Running updater in a subprocess with a fault injected (see ``updater.files.faults``)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from updater.files.faults import ENV

REPO = Path(__file__).resolve().parents[1]


def run_updater(args: list[str], *, fault: str = "", cwd: Path | None = None,
                env: dict[str, str] | None = None,
                timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``python -m updater ARGS`` with ``UPDATER_TEST_FAULT=fault``."""
    full = {**os.environ, **(env or {}), ENV: fault}
    return subprocess.run([sys.executable, "-m", "updater", *args], cwd=cwd, env=full,
                          capture_output=True, text=True, timeout=timeout, check=False)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative path -> sha256)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}
