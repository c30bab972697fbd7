"""`pip install .` must ship every part of the package and the sample."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_every_subpackage_is_listed_for_installation():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts)
             for p in (REPO / "updater").rglob("__init__.py")}
    assert found <= listed, f"missing from pyproject packages: {sorted(found - listed)}"
    assert config["tool"]["setuptools"]["package-dir"]["updater._sample.releases"] == (
        "releases/sample")


def test_templates_and_specialty_profiles_ship_as_package_data():
    """The reports load their templates from the installed package, never the checkout."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    setuptools = config["tool"]["setuptools"]
    assert setuptools["package-dir"]["updater.reports.templates"] == "templates"
    assert "updater.reports.templates" in setuptools["packages"]
    assert (REPO / "templates" / "__init__.py").exists()  # a regular package, importable
    data = setuptools["package-data"]
    templates = {p.name for p in (REPO / "templates").iterdir() if p.suffix in {".j2", ".js"}}
    assert {"base.html.j2", "_table.js"} <= templates
    assert data["updater.reports.templates"] == ["**/*"]
    assert any((REPO / "updater" / "reports").glob(pattern)
               for pattern in data["updater.reports"])


def _readme_command(after: str) -> str:
    """The first indented (code) line after the line holding ``after`` in README.md."""
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line)
    return next(line[4:] for line in lines[start + 1:] if line.startswith("    ")
                and line[4:5] != " ")


def test_the_readme_commands_make_their_own_virtual_environment():
    """Debian and Ubuntu's pip refuses to install into the system Python (PEP 668)."""
    venv = "python3 -m venv .venv && . .venv/bin/activate && "
    assert _readme_command("Run the main job on the embedded synthetic sample") == (
        f"{venv}pip install . && updater demo")
    assert _readme_command("<!-- the test command:") == f'{venv}pip install ".[test]" && pytest'


def test_ci_runs_the_readme_test_command_from_the_readme():
    """.ci/run reads the command after the marker (never a copy of it) and runs it."""
    import subprocess

    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "<!-- the test command:" in ci and 'bash -euo pipefail -c "$TEST_COMMAND"' in ci
    assert not [line for line in ci.splitlines()
                if line.lstrip().startswith(("pip ", "pytest", "python3 -m venv"))]  # no copy
    extract = ci.split('TEST_COMMAND="$(', 1)[1].split(')"\n', 1)[0]
    found = subprocess.run(["bash", "-c", extract], cwd=REPO, capture_output=True, text=True,
                           check=True).stdout.strip()
    assert found == _readme_command("<!-- the test command:")
    assert "ruff check updater tests bench scripts" in ci and "mypy updater" in ci
