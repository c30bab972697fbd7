"""Every file updater writes honours the umask (issue 12, item 9): colleagues on a shared
drive can open the reports, the workbook, the patched files and the logs."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from updater.cli import app
from updater.cycle.sample import sample_chargemasters_dir


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def modes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): stat.S_IMODE(p.stat().st_mode)
            for p in folder.rglob("*") if p.is_file()}


def test_every_output_has_the_umask_mode(tmp_path: Path, umask_027) -> None:
    runner = CliRunner()
    out = tmp_path / "demo"
    assert runner.invoke(app, ["demo", "--out", str(out)]).exit_code == 0
    cdm = sample_chargemasters_dir() / "sample-cdm.csv"
    patched = tmp_path / "patched"
    patched.mkdir()
    for plan in ("plan.json", "plan.xlsx"):
        target = patched / f"cdm-{plan.replace('.', '-')}.csv"
        result = runner.invoke(app, ["apply", str(out / "2026-01-01" / plan), "--chargemaster",
                                     str(cdm), "--out", str(target), "--store",
                                     str(out / "store")])
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["revert", str(patched / "cdm-plan-json.changes.json"),
                                 "--chargemaster", str(patched / "cdm-plan-json.csv"),
                                 "--out", str(patched / "restored.csv")])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["init", "--dir", str(tmp_path / "setup")]).exit_code == 0
    written = {**{f"demo/{k}": v for k, v in modes(out).items()},
               **{f"patched/{k}": v for k, v in modes(patched).items()},
               **{f"setup/{k}": v for k, v in modes(tmp_path / "setup").items()}}
    kinds = {Path(name).suffix for name in written}
    assert {".html", ".xlsx", ".json", ".csv", ".parquet", ".jsonl", ".toml"} <= kinds
    assert {name for name, mode in written.items() if mode != 0o640} == set()


def test_a_replaced_output_gets_the_umask_mode_too(tmp_path: Path, umask_027) -> None:
    from updater.files.output import write_json

    target = tmp_path / "x.json"
    target.write_text("{}")
    target.chmod(0o600)
    write_json({"a": 1}, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    os.umask(0o002)
    write_json({"a": 2}, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o664
