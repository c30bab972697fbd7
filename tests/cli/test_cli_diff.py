"""`updater diff` through the CLI: the summary, --json equal to the library's result, help."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from updater.cli import app
from updater.releases.diff import diff_releases
from updater.releases.readers import load_release

runner = CliRunner()


def test_every_command_has_help():
    from typer.core import TyperGroup
    from typer.main import get_command

    def commands(group: TyperGroup, path: list[str]) -> list[tuple[list[str], Any]]:
        found = []
        for name in group.list_commands(None):  # type: ignore[arg-type]
            command = group.get_command(None, name)  # type: ignore[arg-type]
            assert command is not None
            found.append(([*path, name], command))
            if isinstance(command, TyperGroup):
                found += commands(command, [*path, name])
        return found

    every = commands(get_command(app), [])  # type: ignore[arg-type]
    names = {" ".join(path) for path, _ in every}
    assert {"diff", "import", "releases", "history", "scan", "plan", "apply", "revert",
            "formats", "demo", "check", "init", "run", "report", "report release",
            "report training", "report impact"} <= names
    for path, command in every:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Usage: " in result.output and len(result.output.splitlines()) > 3, path
        assert command.help, f"{' '.join(path)} has no help text"


def test_root_help_lists_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("diff", "import", "releases", "history", "demo"):
        assert f"  {name} " in result.output


@pytest.fixture(scope="module")
def fy2025_pair(icd_zip):
    return icd_zip("FY2024"), icd_zip("FY2025")


def test_diff_prints_the_publisher_summary(fy2025_pair):
    result = runner.invoke(app, ["diff", *map(str, fy2025_pair)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "ICD-10-CM: FY2024 (effective 2023-10-01) -> FY2025 (effective 2024-10-01)"
    assert "added                            252        72" in lines
    assert "deleted                           36         0" in lines
    assert lines[-1] == ("verified against CDC order addenda icd10cm-order-addenda-2025.txt: "
                         "match (388 lines; summary block agrees)")


def test_json_equals_the_library_result(fy2025_pair, tmp_path):
    out = tmp_path / "diff.json"
    result = runner.invoke(app, ["diff", *map(str, fy2025_pair), "--json", str(out)])
    assert result.exit_code == 0, result.output
    library = diff_releases(load_release(fy2025_pair[0])[0], load_release(fy2025_pair[1])[0])
    assert json.loads(out.read_text()) == json.loads(json.dumps(library.to_dict(), default=str))


def test_csv_and_xlsx_change_lists(fy2025_pair, tmp_path):
    import pandas as pd

    csv, xlsx = tmp_path / "c.csv", tmp_path / "c.xlsx"
    result = runner.invoke(app, ["diff", *map(str, fy2025_pair), "--csv", str(csv),
                                 "--xlsx", str(xlsx)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    assert (table["kind"] == "added").sum() == 252 + 72
    sheets = pd.read_excel(xlsx, sheet_name=None, dtype=str, engine="calamine")
    assert set(sheets) == {"summary", "changes"}
    assert len(sheets["changes"]) == len(table)


def test_strict_fails_only_on_unexplained_disagreement(tmp_path):
    from tests_helpers import write_release_pair

    old, new = write_release_pair(tmp_path, tamper_addenda=True)
    loose = runner.invoke(app, ["diff", str(old), str(new)])
    strict = runner.invoke(app, ["diff", str(old), str(new), "--strict"])
    assert loose.exit_code == 0
    assert strict.exit_code == 1
    assert "DISAGREES" in strict.output
    old, new = write_release_pair(tmp_path / "ok", tamper_addenda=False)
    assert runner.invoke(app, ["diff", str(old), str(new), "--strict"]).exit_code == 0
