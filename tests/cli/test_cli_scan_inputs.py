"""The scan's inputs are one set of options, shared by scan, plan and report impact."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from typer.main import get_command

from updater.cli import app
from updater.cli import options as opt

SHARED = ("scan", "plan", "report impact")


def _command(path: str) -> Any:
    command: Any = get_command(app)
    for name in path.split():
        command = command.get_command(None, name)
    return command


def _options(path: str) -> dict[str, tuple[tuple[str, ...], str | None, object]]:
    return {p.name: (tuple(p.opts), p.help, p.default) for p in _command(path).params}


def test_the_commands_expose_the_same_scan_options():
    every = [_options(path) for path in SHARED]
    names = [f.name for f in fields(opt.ScanInputs)]
    assert len(names) == 14 and names == list(opt.SCAN_OPTIONS)
    for found in every:
        assert {n: found[n] for n in names} == {n: every[0][n] for n in names}
    assert every[0]["chargemaster"][0] == ("--chargemaster", "--cdm")
    assert every[0]["user_map"][0] == ("--map",)


def test_scan_kwargs_are_the_library_call_s_parameters():
    import inspect

    from updater.impact.scan import run_scan

    inputs = opt.ScanInputs(**{f.name: None for f in fields(opt.ScanInputs)})
    accepted = set(inspect.signature(run_scan).parameters)
    assert set(inputs.scan_kwargs()) <= accepted
    assert len(inputs.scan_kwargs()) == len(fields(opt.ScanInputs))


def test_the_command_receives_the_options_as_one_object(tmp_path: Path, monkeypatch):
    seen: dict[str, Any] = {}

    def fake_run_scan(**kwargs: Any) -> Any:
        seen.update(kwargs)
        raise SystemExit(0)

    import updater.impact.scan

    monkeypatch.setattr(updater.impact.scan, "run_scan", fake_run_scan)
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["scan", "--cdm", "cdm.csv", "--from", "a", "--to", "b",
                                      "--dx-col", "DX1", "--dx-col", "DX2", "--map", "m.csv",
                                      "--store", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert seen["chargemaster"] == Path("cdm.csv") and seen["old"] == ["a"]
    assert seen["dx_cols"] == ["DX1", "DX2"] and seen["user_maps"] == [Path("m.csv")]
    assert seen["store"] == tmp_path and seen["fail_on"] is None
