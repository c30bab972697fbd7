"""Shared fixtures: where the real publisher files are, and small releases built in code."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from updater.model import Release
from updater.vocabulary import CodeSystem

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
ICD = SHARED_DATA / "icd10cm"

ICD_ZIPS = {
    "FY2018": "FY2018/2018-ICD-10-Code-Order-Descriptions.zip",
    "FY2022": "FY2022/Code Descriptions zip.zip",
    "FY2023": "FY2023/icd10-Order-CodeFiles2023.zip",
    "FY2023-April": "FY2023-April/icd10cm-code descriptions- April 1 2023.zip",
    "FY2024": "FY2024/icd10cm-CodesDescriptions-2024.zip",
    "FY2024-April": "FY2024-April/icd10cm-Codes-Descriptions-April-2024.zip",
    "FY2025": "FY2025/ICD10-CM Code Descriptions 2025.zip",
}


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real publisher files not present ({SHARED_DATA} is missing)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def icd_zip(shared_data: Path):
    def find(version: str) -> Path:
        path = shared_data / "icd10cm" / ICD_ZIPS[version]
        if not path.exists():
            pytest.skip(f"{path} is missing")
        return path

    return find


@pytest.fixture(scope="session")
def hcpcs_zip():
    """The real CMS annual zip of a year, or a skip naming the missing file."""
    def find(year: int) -> Path:
        path = SHARED_DATA / "hcpcs" / str(year) / f"{year}-Alpha-Numeric-HCPCS-File.zip"
        if not path.exists():
            pytest.skip(f"real CMS HCPCS files not present ({path} is missing)")
        return path

    return find


@pytest.fixture(scope="session")
def hcpcs_2017_2018_diff(shared_data: Path):
    """The diff of the real CMS HCPCS 2017 and 2018 annual files, read once."""
    from updater.releases.diff import diff_releases
    from updater.releases.readers import load_release

    folder = shared_data / "hcpcs"
    paths = [folder / str(y) / f"{y}-Alpha-Numeric-HCPCS-File.zip" for y in (2017, 2018)]
    if not all(p.exists() for p in paths):
        pytest.skip("HCPCS 2017/2018 files are missing")
    return diff_releases(load_release(paths[0])[0], load_release(paths[1])[0])


def make_release(rows: list[tuple[str, str, str, str]], *, version: str = "FY2025",
                 effective: date = date(2024, 10, 1),
                 system: CodeSystem = CodeSystem.ICD10CM, **extra: list[str]) -> Release:
    """A tiny release from (code, record, short, long) rows."""
    table = pd.DataFrame(rows, columns=["code", "record", "short", "long"], dtype="str")
    for name, values in extra.items():
        table[name] = pd.array(values, dtype="str")
    return Release(system=system, version=version, effective=effective, table=table,
                   sources=(), format="test")


def next_year(release: Release) -> Release:
    """The same table as the following release (a year later, the next label): a pair that
    is not a release diffed with itself."""
    from dataclasses import replace

    year = release.effective.year + 1
    version = (f"FY{int(release.version[2:6]) + 1}" if release.version.startswith("FY")
               else str(year))
    return replace(release, version=version, effective=release.effective.replace(year=year),
                   sources=())

@pytest.fixture(scope="session")
def demo_out(tmp_path_factory) -> Path:
    """``updater demo`` written once (store, plans, reports), for tests that need a real
    plan and its store; treat it as read-only."""
    from typer.testing import CliRunner

    from updater.cli import app

    out = tmp_path_factory.mktemp("demo-session") / "demo"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out
