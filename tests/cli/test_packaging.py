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
