"""The synthetic sample chargemaster and crosswalks (``chargemasters/``): present, small,
synthetic, reproduced exactly by scripts/make_sample_chargemasters.py, and read by the
input readers."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
FOLDER = REPO / "chargemasters"
SCRIPT = REPO / "scripts" / "make_sample_chargemasters.py"
SHARED_DATA = REPO.parent / "shared" / "data"
CDM_LINES = 2950  # data rows of the sample chargemaster (both files)
LONG_PAIRS = 506
WIDE_ROWS = 24


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sample_chargemasters", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.fixture(scope="module")
def cdm() -> pd.DataFrame:
    return pd.read_csv(FOLDER / "sample-cdm.csv", dtype=str, keep_default_na=False)


def xlsx_values(path: Path) -> list[tuple[object, ...]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def test_the_files_exist_and_stay_small() -> None:
    names = {p.name for p in FOLDER.iterdir()}
    for name in ("sample-cdm.csv", "sample-cdm-titled.xlsx", "sample-crosswalk.csv",
                 "sample-crosswalk-wide.csv", "README.md"):
        assert name in names
    assert (FOLDER / "sample-cdm.csv").stat().st_size < 500_000
    assert (FOLDER / "sample-cdm-titled.xlsx").stat().st_size < 500_000


def test_the_csv_loads_with_its_columns_and_rows(gen: ModuleType, cdm: pd.DataFrame) -> None:
    assert tuple(cdm.columns) == gen.CSV_HEADER
    assert len(cdm) == CDM_LINES == len(gen.chargemaster_lines())
    assert cdm["Charge Code"].is_unique
    assert set(cdm["Status"]) == {"A", "I"}
    priced = pd.to_numeric(cdm["Price"], errors="coerce").notna()
    counted = pd.to_numeric(cdm["Annual Volume"], errors="coerce").notna()
    assert priced.mean() > 0.99 and counted.mean() > 0.98


def test_every_cpt_line_says_it_is_synthetic(gen: ModuleType, cdm: pd.DataFrame) -> None:
    cpt = cdm[cdm["CPT"] != ""]
    assert len(cpt) > 100
    assert cpt["Description"].str.startswith(gen.MARK).all()
    cpt_only = cdm[(cdm["CPT"] != "") & (cdm["HCPCS"] == "")]
    assert cpt_only["Description"].str.startswith("SYNTH: ").all()
    wide = pd.read_csv(FOLDER / "sample-crosswalk-wide.csv", dtype=str, keep_default_na=False)
    cpt_rows = wide[wide["CPT/HCPCS"].str.fullmatch(r"\d{4}[0-9FTU]")]
    assert cpt_rows["Description"].str.startswith(gen.MARK).all()


def test_hcpcs_descriptions_are_not_the_publishers(cdm: pd.DataFrame) -> None:
    """The hospital's own words: no line repeats a sample (or real) HCPCS description."""
    from updater.releases.readers import load_release

    ours = set(cdm.loc[cdm["HCPCS"] != "", "Description"].str.upper())
    releases = [REPO / "releases/sample/hcpcs/2026/2026-Alpha-Numeric-HCPCS-File.zip"]
    real = SHARED_DATA / "hcpcs/2018/2018-Alpha-Numeric-HCPCS-File.zip"
    releases += [real] if real.exists() else []
    for path in releases:
        table = load_release(path)[0].table
        theirs = set(table["short"].str.upper()) | set(table["long"].str.upper())
        assert not ours & theirs


def test_the_generator_reproduces_the_files(gen: ModuleType, tmp_path: Path) -> None:
    gen.main([str(tmp_path)])
    for name in ("sample-cdm.csv", "sample-crosswalk.csv", "sample-crosswalk-wide.csv"):
        assert (tmp_path / name).read_bytes() == (FOLDER / name).read_bytes(), name
    name = "sample-cdm-titled.xlsx"
    assert xlsx_values(tmp_path / name) == xlsx_values(FOLDER / name)


def test_the_xlsx_has_title_rows_and_house_names(gen: ModuleType) -> None:
    rows = xlsx_values(FOLDER / "sample-cdm-titled.xlsx")
    assert [r[0] for r in rows[:2]] == list(gen.XLSX_TITLES)
    assert rows[2] == gen.XLSX_HEADER
    assert len(rows) - 3 == CDM_LINES


def test_the_crosswalks_pair_chargemaster_procedures(cdm: pd.DataFrame) -> None:
    used = set(cdm["CPT"]) | set(cdm["HCPCS"])
    long = pd.read_csv(FOLDER / "sample-crosswalk.csv", dtype=str, keep_default_na=False)
    assert list(long.columns) == ["Procedure Code", "ICD-10-CM", "Diagnosis Description",
                                  "Coverage Policy"]
    assert len(long) == LONG_PAIRS
    assert set(long["Procedure Code"]) <= used
    assert not long.duplicated(["Procedure Code", "ICD-10-CM"]).any()
    wide = pd.read_csv(FOLDER / "sample-crosswalk-wide.csv", dtype=str, keep_default_na=False)
    assert list(wide.columns) == ["CPT/HCPCS", "Description", "Covered Diagnoses",
                                  "Coverage Policy"]
    assert len(wide) == WIDE_ROWS
    assert set(wide["CPT/HCPCS"]) <= used
    assert wide["Covered Diagnoses"].str.contains("M17.0-M17.9", regex=False).any()


def test_read_chargemaster_reads_both_sample_files() -> None:
    from updater.impact.inputs import CODE, PRICE, VOLUME
    from updater.impact.inputs.chargemaster import read_chargemaster

    csv = read_chargemaster(FOLDER / "sample-cdm.csv")
    xlsx = read_chargemaster(FOLDER / "sample-cdm-titled.xlsx")
    assert csv.rows_read == xlsx.rows_read == CDM_LINES
    same = ["row", "charge_code", "description", CODE, "raw_code", "modifiers",
            "revenue_code", "department", "active", "effective_date", "end_date"]
    pd.testing.assert_frame_equal(csv.table[same], xlsx.table[same])
    for column in (PRICE, VOLUME):
        pd.testing.assert_series_equal(csv.table[column], xlsx.table[column])
    assert {"J3420", "J1030"} <= set(csv.table[CODE])  # typed as "j3420" and "J 1030"


def test_read_crosswalk_reads_both_sample_files() -> None:
    from updater.impact.inputs.crosswalk import read_crosswalk
    from updater.releases.readers import load_release

    fy2025 = load_release(REPO / "releases/sample/icd10cm/FY2025/"
                          "icd10cm-Code-Descriptions-2025.zip")[0].table
    long = read_crosswalk(FOLDER / "sample-crosswalk.csv", expand_with=fy2025)
    wide = read_crosswalk(FOLDER / "sample-crosswalk-wide.csv", expand_with=fy2025)
    assert (long.rows_read, long.layout) == (LONG_PAIRS, "long")
    assert (wide.rows_read, wide.layout) == (WIDE_ROWS, "wide")
    assert len(wide.table) > 10 * WIDE_ROWS  # ranges and headers expanded
    assert len(wide.table) - WIDE_ROWS < wide.pairs_from_expansion
    # one pair per row: header codes (M17.1, R51) stay pairs, for the scan to report
    assert len(long.table) == LONG_PAIRS and long.items_expanded == 0
    assert {"M171", "R51"} <= set(long.table["diagnosis"])
    assert long.columns["diagnosis_description"] == "Diagnosis Description"
    assert wide.columns["procedure_description"] == "Description"


@pytest.fixture(scope="module")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real publisher files not present ({SHARED_DATA} is missing)")
    return SHARED_DATA


def test_codes_kept_out_of_the_crosswalks_are_those_real_icd_lacks(
        gen: ModuleType, shared_data: Path) -> None:
    from updater.releases.readers import load_release

    real = [set(load_release(shared_data / f)[0].table["code"]) for f in (
        "icd10cm/FY2024/icd10cm-CodesDescriptions-2024.zip",
        "icd10cm/FY2025/ICD10-CM Code Descriptions 2025.zip")]
    sample = set(gen.releases.icd_fy2025())
    assert sample - (real[0] & real[1]) == gen.NOT_IN_REAL_ICD


def test_planted_real_hcpcs_codes_are_retired_by_2018(cdm: pd.DataFrame,
                                                      shared_data: Path) -> None:
    """The real code numbers on end-dated lines: HCPCS 2018 terminated or dropped them."""
    from updater.releases.readers import load_release

    new = load_release(shared_data / "hcpcs/2018/2018-Alpha-Numeric-HCPCS-File.zip")[0]
    table = new.table.set_index("code")
    planted = {"G0202", "G0204", "G0206", "C9140", "Q9986", "J1725", "J9300", "P9072",
               "C1204", "J3487", "J1441"}
    assert planted <= set(cdm["HCPCS"])
    for code in planted:
        term = table["termination_date"].get(code, "")
        assert code not in table.index or "" < term <= "2018-01-01", code
    lines = cdm[cdm["HCPCS"].isin(planted)]
    assert (lines["End Date"].str[-4:] == "2018").all()  # live in 2018, retired since
