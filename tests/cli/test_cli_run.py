"""``updater run`` through typer: a few lines over ``run_cycle``."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from updater.cli import app
from updater.cycle.config import load_config
from updater.cycle.run import run_cycle
from updater.cycle.sample import sample_chargemasters_dir, sample_dir

runner = CliRunner()


def write_config(folder: Path, inbox: Path | None = None) -> Path:
    """An updater.toml with relative paths, as `updater init` users write it."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(sample_chargemasters_dir() / "sample-cdm.csv", folder / "cdm.csv")
    inbox = inbox or sample_dir()
    text = f'''\
store = "releases"
inbox = "{inbox.as_posix()}"
output = "cycles"
sign_off = ["CDM coordinator"]

[[chargemaster]]
name = "Main"
path = "cdm.csv"
'''
    (folder / "updater.toml").write_text(text, encoding="utf-8")
    return folder / "updater.toml"


def test_run_prints_the_summary_and_the_index_path(tmp_path):
    config = write_config(tmp_path / "site")
    result = runner.invoke(app, ["run", "--cycle", "2026-01-01", "--config", str(config)])
    assert result.exit_code == 0, result.output
    index = tmp_path / "site" / "cycles" / "2026-01-01" / "index.html"
    assert index.is_file()
    lines = result.stdout.rstrip().splitlines()
    assert lines[0] == "Cycle 2026-01-01"
    assert lines[-1] == f"index: {index.resolve()}"
    assert "HCPCS Level II: hcpcs:2025 -> hcpcs:2026: 6 added, 2 revised, 3 terminated " \
           "(verified)" in lines
    assert "imported hcpcs:2026 from" in result.stdout
    # progress goes to standard error, one line per step
    assert "scan ...\n" in result.stderr and "scan ..." not in result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == len(set(lines))  # not a terminal: each step said once


def test_json_is_the_library_result(tmp_path):
    config = write_config(tmp_path / "site")
    first = runner.invoke(app, ["run", "--cycle", "2026-01-01", "--config", str(config),
                                "--json", "-"])
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert {f["status"] for f in data["inbox"]} == {"added"}
    again = runner.invoke(app, ["run", "--cycle", "2026-01-01", "--config", str(config),
                                "--json", "-"])
    library = run_cycle(load_config(config), cycle=date(2026, 1, 1))
    assert json.loads(again.stdout) == json.loads(json.dumps(library.to_dict()))
    assert data["index"] == str(tmp_path / "site" / "cycles" / "2026-01-01" / "index.html")


def test_exactly_one_of_cycle_and_next(tmp_path):
    config = write_config(tmp_path / "site")
    for args in ([], ["--cycle", "2026-01-01", "--next"]):
        result = runner.invoke(app, ["run", "--config", str(config), *args])
        assert result.exit_code == 2
        assert result.stderr == ("updater: error: give exactly one of --cycle YYYY-MM-DD and "
                                 "--next; e.g. updater run --cycle 2026-10-01, or updater run "
                                 "--next\n")


def test_next_with_as_of(tmp_path):
    config = write_config(tmp_path / "site")
    result = runner.invoke(app, ["run", "--next", "--as-of", "2025-12-01", "--config",
                                 str(config)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Cycle 2026-01-01\n")


def test_nothing_in_the_store(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = write_config(tmp_path / "site", inbox=inbox)
    result = runner.invoke(app, ["run", "--cycle", "2026-10-01", "--config", str(config)])
    assert result.exit_code == 2
    store = tmp_path / "site" / "releases"
    assert result.stderr == (
        f"updater: error: nothing to compare for the 2026-10-01 cycle: the store {store} has "
        "no release taking effect that day (icd10cm:FY2027, hcpcs:2026-October, "
        f"cpt:2026-October); put the publisher's files in the inbox {inbox} and run again\n")


def test_a_bad_date(tmp_path):
    config = write_config(tmp_path / "site")
    result = runner.invoke(app, ["run", "--cycle", "2026-13-01", "--config", str(config)])
    assert result.exit_code == 2
    assert result.stderr.startswith("updater: error: ")
    assert "--cycle" in result.stderr
