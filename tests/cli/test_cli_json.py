"""One ``--json`` convention: ``--json FILE`` on every command with JSON output, ``-`` for
standard output, which then carries only the JSON, equal to the library's result."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from updater.cli import app
from updater.impact.scan import run_scan
from updater.releases.history import code_history
from updater.releases.lookup import diff_specs
from updater.releases.readers import ReadOptions
from updater.releases.store import ReleaseStore

runner = CliRunner()
SAMPLE = Path(__file__).resolve().parents[2] / "releases" / "sample"
HCPCS = [SAMPLE / "hcpcs/2025/2025-Alpha-Numeric-HCPCS-File.zip",
         SAMPLE / "hcpcs/2026/2026-Alpha-Numeric-HCPCS-File.zip"]
CDM = ("Charge Code,Description,Rev Code,HCPCS,Price,Department,Status,Annual Volume\n"
       "1001,INJ SYNTH DRUG,0636,J2001,25.00,PHARMACY,A,1000\n"
       "1002,SYNTH SUPPLY,0270,A4290,3.00,SUPPLY,A,10\n")


def _commands(group: Any, path: tuple[str, ...] = ()) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name in group.list_commands(None):  # type: ignore[arg-type]
        command = group.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None
        found[" ".join((*path, name))] = command
        if hasattr(command, "list_commands"):
            found |= _commands(command, (*path, name))
    return found


def _json(stdout: str) -> Any:
    return json.loads(stdout)  # fails on any human text beside the JSON


def test_every_json_option_takes_a_file_with_the_same_help():
    with_json = {}
    for name, command in _commands(get_command(app)).items():
        for param in command.params:
            if "--json" in getattr(param, "opts", ()):
                with_json[name] = param
    assert {"scan", "diff", "claims", "releases", "history", "run", "check"} <= set(with_json)
    helps = {getattr(p, "help", None) for p in with_json.values()}
    assert len(helps) == 1
    for name, param in with_json.items():
        assert param.param_type_name == "option" and not param.is_flag, name
        assert param.metavar == "FILE", name


@pytest.fixture
def store(tmp_path: Path) -> Path:
    root = tmp_path / "store"
    result = runner.invoke(app, ["import", *map(str, HCPCS), "--store", str(root)])
    assert result.exit_code == 0, result.output
    return root


def test_diff_json_to_stdout_is_the_library_result(store: Path) -> None:
    result = runner.invoke(app, ["diff", "hcpcs:2025", "hcpcs:2026", "--store", str(store),
                                 "--json", "-"])
    assert result.exit_code == 0, result.output
    library = diff_specs("hcpcs:2025", "hcpcs:2026", store, ReadOptions())
    assert _json(result.stdout) == json.loads(json.dumps(library.to_dict(), default=str))


def test_scan_json_to_stdout_is_the_library_result(store: Path, tmp_path: Path) -> None:
    cdm = tmp_path / "cdm.csv"
    cdm.write_text(CDM)
    result = runner.invoke(app, ["scan", "--chargemaster", str(cdm), "--from", "hcpcs:2025",
                                 "--to", "hcpcs:2026", "--store", str(store), "--json", "-"])
    assert result.exit_code == 0, result.output
    library, _ = run_scan(chargemaster=cdm, crosswalk=None, old=["hcpcs:2025"],
                          new=["hcpcs:2026"],
                          store=store)
    got, expected = _json(result.stdout), json.loads(json.dumps(library.to_dict(), default=str))
    assert got.keys() == expected.keys()
    assert got["findings"] == expected["findings"] and got["findings"]


def test_releases_and_history_json_to_stdout_are_the_library_result(store: Path) -> None:
    listed = runner.invoke(app, ["releases", "--store", str(store), "--json", "-"])
    assert listed.exit_code == 0, listed.output
    expected = [asdict(r) for r in ReleaseStore(store).list()]
    assert _json(listed.stdout) == json.loads(json.dumps(expected, default=str))
    code = "J2001"
    history = runner.invoke(app, ["history", code, "--store", str(store), "--json", "-"])
    assert history.exit_code == 0, history.output
    library = asdict(code_history(ReleaseStore(store), code))
    assert _json(history.stdout) == json.loads(json.dumps(library, default=str))


def test_json_to_a_file_keeps_the_text_on_stdout(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "diff.json"
    result = runner.invoke(app, ["diff", "hcpcs:2025", "hcpcs:2026", "--store", str(store),
                                 "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["summary"]
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout)
