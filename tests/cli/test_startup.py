"""Start-up: ``updater --help`` and ``--version`` load no heavy package (a test of imports,
not of time: bench/bench_startup.py measures the time)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "pyarrow", "numpy", "openpyxl", "python_calamine", "duckdb", "jinja2",
         "orjson", "rich")  # rich: typer's, loaded only for rich help, which we turn off

_LOADED = """
import json, sys
from updater.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr)
"""


def _heavy_loaded(argv: list[str]) -> list[str]:
    code = _LOADED.format(argv=argv, heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("argv", [[], ["--help"], ["--version"], ["diff", "--help"],
                                  ["scan", "--help"], ["report", "impact", "--help"]])
def test_help_and_version_load_no_heavy_package(argv):
    assert _heavy_loaded(argv) == []


def test_the_check_sees_a_heavy_import():
    """The check above can fail: a command that needs pandas does load it."""
    assert "pandas" in _heavy_loaded(["formats"])


def test_import_of_every_command_module_loads_no_library_module():
    code = ("import sys, updater.cli; print(sorted(m for m in sys.modules "
            "if m.startswith('updater.') and not m.startswith('updater.cli')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_help_defaults_equal_the_library_ones():
    from updater.cli import defaults
    from updater.reports import impact

    assert defaults.DEFAULT_MAX_ROWS == impact.DEFAULT_MAX_ROWS
