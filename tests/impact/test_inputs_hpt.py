"""The CMS Hospital Price Transparency CSV (v3, tall and wide) read as a chargemaster.

Small files are built here from the data dictionary's headers (synthetic items); the
real CMS example files are read from ../shared/data/hpt when present (never copied)."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest

from updater.errors import UpdaterError
from updater.impact.inputs import CDM_COLUMNS, ChargemasterInput
from updater.impact.inputs.chargemaster import read_chargemaster
from updater.impact.inputs.hpt import hpt_key, looks_like_hpt, read_hpt

HPT_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "hpt"
ATTESTATION = ("To the best of its knowledge and belief, this hospital has included all "
               "applicable standard charge information (synthetic test file).")
GENERAL = ["hospital_name", "last_updated_on", "version", "location_name", "hospital_address",
           "license_number|ZZ", "type_2_npi", ATTESTATION, "attester_name"]
GENERAL_VALUES = ["Synthetic General Hospital", "2026-01-01", "3.0.0", "Synthetic General",
                  "1 Test Street", "00000", "0000000000", "true", "Test Attester"]
TALL = ["description", "code|1", "code|1|type", "code|2", "code|2|type", "code|3",
        "code|3|type", "setting", "drug_unit_of_measurement", "drug_type_of_measurement",
        "standard_charge|gross", "standard_charge|discounted_cash", "payer_name", "plan_name",
        "modifiers", "standard_charge|negotiated_dollar", "standard_charge|negotiated_percentage",
        "standard_charge|negotiated_algorithm", "median_amount", "10th_percentile",
        "90th_percentile", "count", "standard_charge|min", "standard_charge|max",
        "standard_charge|methodology", "additional_generic_notes"]
PAYERS = [("Synthetic Health Plan", "PPO"), ("Example Insurance", "HMO")]
WIDE = (["description", "code|1", "code|1|type", "code|2", "code|2|type", "code|3",
         "code|3|type", "modifiers", "setting", "drug_unit_of_measurement",
         "drug_type_of_measurement", "standard_charge|gross", "standard_charge|discounted_cash"]
        + [f"{kind}|{payer}|{plan}{suffix}" for payer, plan in PAYERS
           for kind, suffix in (("standard_charge", "|negotiated_dollar"),
                                ("standard_charge", "|negotiated_percentage"),
                                ("standard_charge", "|negotiated_algorithm"),
                                ("median_amount", ""), ("10th_percentile", ""),
                                ("90th_percentile", ""), ("count", ""),
                                ("standard_charge", "|methodology"),
                                ("additional_payer_notes", ""))]
        + ["standard_charge|min", "standard_charge|max", "additional_generic_notes"])

# Synthetic items: (description, codes as (code, type) x3, modifiers, gross charge).
ITEMS = [
    ("SYNTHETIC MRI brain", [("LAB-611", "CDM"), ("611", "RC"), ("70551", "CPT")], "", "1200"),
    ("SYNTHETIC pacemaker", [("C1785", "HCPCS"), ("278", "RC"), ("", "")], "", "40000.50"),
    ("SYNTHETIC hip replacement", [("470", "MS-DRG"), ("", ""), ("", "")], "", ""),
    ("SYNTHETIC bed", [("120", "RC"), ("", ""), ("", "")], "", "5000"),
    ("SYNTHETIC drug", [("J1450", "hcpcs"), ("25021-0184-82", "NDC"), ("96365", "cpt")], "",
     "75"),
    ("SYNTHETIC bilateral", [("", ""), ("", ""), ("", "")], "50|62", ""),
    ("SYNTHETIC aspirin", [("10135-0729-62", "NDC"), ("", ""), ("", "")], "", "2"),
]


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def item_cells(item: tuple[str, list[tuple[str, str]], str, str]) -> dict[str, str]:
    description, codes, modifiers, gross = item
    cells = {"description": description, "modifiers": modifiers,
             "standard_charge|gross": gross, "setting": "both"}
    for i, (code, kind) in enumerate(codes, start=1):
        cells[f"code|{i}"], cells[f"code|{i}|type"] = code, kind
    return cells


def write_tall(tmp_path: Path, header: list[str] | None = None, bom: bool = False) -> Path:
    header = header or TALL
    rows = [GENERAL, GENERAL_VALUES, header]
    for item in ITEMS:
        for payer, plan in PAYERS:
            cells = item_cells(item) | {"payer_name": payer, "plan_name": plan,
                                        "standard_charge|negotiated_dollar": "10",
                                        "standard_charge|methodology": "fee schedule"}
            rows.append([cells.get(hpt_key(h), "") for h in header])
    path = tmp_path / "000000000_synthetic-general_standardcharges.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + csv_text(rows).encode("utf-8"))
    return path


def write_wide(tmp_path: Path) -> Path:
    rows = [GENERAL, GENERAL_VALUES, WIDE]
    for item in ITEMS:
        cells = item_cells(item)
        rows.append([cells.get(h, "5" if "negotiated_dollar" in h else "") for h in WIDE])
    path = tmp_path / "synthetic-wide.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    return path


def records(cdm: ChargemasterInput, *columns: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in cdm.table[list(columns)].itertuples(index=False)]


EXPECTED_WIDE = [  # row, charge_code, code, code_column, code_type, revenue_code, modifiers
    (1, "LAB-611", "70551", "code|3", "CPT", "0611", ""),
    (2, "", "C1785", "code|1", "HCPCS", "0278", ""),
    (3, "", "", "", "MS-DRG", "", ""),
    (4, "", "", "", "RC", "0120", ""),
    (5, "", "J1450", "code|1", "HCPCS", "", ""),
    (5, "", "96365", "code|3", "CPT", "", ""),
    (6, "", "", "", "", "", "50,62"),
    (7, "", "", "", "NDC", "", ""),
]
COLUMNS = ("row", "charge_code", "code", "code_column", "code_type", "revenue_code", "modifiers")


def test_wide_file(tmp_path: Path) -> None:
    cdm = read_chargemaster(write_wide(tmp_path))
    assert cdm.format == "hpt-wide"
    assert cdm.rows_read == len(ITEMS)
    assert tuple(cdm.table.columns) == CDM_COLUMNS
    assert records(cdm, *COLUMNS) == EXPECTED_WIDE
    assert cdm.table["active"].all()
    assert (cdm.table["effective_date"] == "").all() and (cdm.table["status"] == "").all()
    assert cdm.table["volume"].isna().all()
    prices = list(cdm.table["price"])
    assert prices[:2] == [1200.0, 40000.5] and math.isnan(prices[2])
    assert list(cdm.table["description"].iloc[:2]) == ["SYNTHETIC MRI brain",
                                                       "SYNTHETIC pacemaker"]
    assert cdm.columns == {"description": "description", "code": "code|1, code|2, code|3",
                           "modifiers": "modifiers", "price": "standard_charge|gross"}


def test_tall_file_keeps_every_payer_row(tmp_path: Path) -> None:
    cdm = read_chargemaster(write_tall(tmp_path))
    assert cdm.format == "hpt-tall"
    assert cdm.rows_read == 2 * len(ITEMS)
    expected = []
    for item in range(1, len(ITEMS) + 1):  # each item twice: rows 2i-1 and 2i
        entries = [e[1:] for e in EXPECTED_WIDE if e[0] == item]
        for row in (2 * item - 1, 2 * item):
            expected += [(row, *e) for e in entries]
    assert records(cdm, *COLUMNS) == expected


def test_headers_with_spaces_around_the_pipes_and_a_bom(tmp_path: Path) -> None:
    spaced = [h.replace("|", " | ").title() if h.startswith("code") else h.replace("|", " | ")
              for h in TALL]
    cdm = read_chargemaster(write_tall(tmp_path, spaced, bom=True))
    assert cdm.format == "hpt-tall"
    assert records(cdm, "code", "code_type")[:2] == [("70551", "CPT"), ("70551", "CPT")]
    assert cdm.columns["code"] == "Code | 1, Code | 2, Code | 3"


def test_read_hpt_directly(tmp_path: Path) -> None:
    assert records(read_hpt(write_wide(tmp_path)), *COLUMNS) == EXPECTED_WIDE


@pytest.mark.parametrize(("rows", "expected"), [
    ([["hospital_name", "x"], ["H", "1"], ["description", "code|1", "code|1|type"]], True),
    ([["\ufeffHospital_Name"], [""], ["Description", "Code | 1"]], True),
    ([["hospital_name"], ["H"], ["description", "code"]], False),
    ([["CDM #", "CPT"], ["1", "99213"], ["2", "99214"]], False),
    ([["hospital_name"], ["H"]], False),
])
def test_looks_like_hpt(rows: list[list[str]], expected: bool) -> None:
    assert looks_like_hpt(rows) is expected


def test_not_an_hpt_file(tmp_path: Path) -> None:
    path = tmp_path / "cdm.csv"
    path.write_text("CDM #,CPT\n1,99213\n")
    with pytest.raises(UpdaterError) as caught:
        read_hpt(path)
    assert str(caught.value) == (
        f"{path}: not a Hospital Price Transparency CSV (row 1 should start with "
        "hospital_name, row 3 have description and code|1); read other chargemasters with "
        "read_chargemaster")


def test_code_without_its_type_column(tmp_path: Path) -> None:
    path = tmp_path / "hpt.csv"
    path.write_text(csv_text([GENERAL, GENERAL_VALUES,
                              ["description", "code|1", "code|1|type", "code|2"],
                              ["SYNTHETIC", "99213", "CPT", "J1100"]]))
    with pytest.raises(UpdaterError) as caught:
        read_chargemaster(path)
    assert str(caught.value) == (f"{path}: 'code|2' has no 'code|2|type' column beside it; "
                                 "every code|i column needs its code|i|type")


def test_no_items(tmp_path: Path) -> None:
    path = tmp_path / "hpt.csv"
    path.write_text(csv_text([GENERAL, GENERAL_VALUES, ["description", "code|1", "code|1|type"]]))
    with pytest.raises(UpdaterError) as caught:
        read_chargemaster(path)
    assert str(caught.value) == (f"{path}: no items under the header row (row 3); is this the "
                                 "hospital's complete file?")


def test_bad_gross_charge(tmp_path: Path) -> None:
    path = tmp_path / "hpt.csv"
    path.write_text(csv_text([GENERAL, GENERAL_VALUES,
                              ["description", "code|1", "code|1|type", "standard_charge|gross"],
                              ["SYNTHETIC", "99213", "CPT", "100"],
                              ["SYNTHETIC", "99214", "CPT", "N/A - see notes"]]))
    with pytest.raises(UpdaterError) as caught:
        read_chargemaster(path)
    assert str(caught.value) == (
        f"{path}, row 2: 'N/A - see notes' in column 'standard_charge|gross' is not an amount "
        "(spreadsheet row 5); write it as a number, e.g. 1234.50, or leave it blank")


# ---------------------------------------------------------------- the CMS examples


def example(name: str) -> Path:
    path = HPT_DATA / name
    if not path.exists():
        pytest.skip(f"CMS example file not present ({path})")
    return path


PROCEDURES = {"70551", "49505", "80048", "C1785", "99283", "H0017", "J1450", "J3420"}


def test_cms_tall_example() -> None:
    cdm = read_chargemaster(example("V3.0.0_Tall_CSV_Format_Example.csv"))
    assert cdm.format == "hpt-tall"
    assert cdm.rows_read == 45
    assert len(cdm.table) == 45  # no line has two CPT/HCPCS codes
    assert set(cdm.table["code"]) - {""} == PROCEDURES
    mri = cdm.table[cdm.table["code"] == "70551"]
    assert list(mri["row"]) == [1, 2]
    assert set(mri["revenue_code"]) == {"0611"} and set(mri["price"]) == {1200.0}
    assert set(cdm.table.loc[cdm.table["code"] == "", "code_type"]) == {"MS-DRG", "RC", "NDC",
                                                                        ""}
    assert set(cdm.table["modifiers"]) == {"", "50", "62", "50,62"}
    assert cdm.columns["code"] == "code | 1, code | 2"


def test_cms_wide_example() -> None:
    cdm = read_chargemaster(example("V3.0.0_Wide_CSV_Format_Example.csv"))
    assert cdm.format == "hpt-wide"
    assert cdm.rows_read == 26
    assert len(cdm.table) == 26
    assert set(cdm.table["code"]) - {""} == PROCEDURES
    assert records(cdm, "row", "code", "code_type", "revenue_code")[:2] == [
        (1, "70551", "CPT", "0611"), (2, "49505", "CPT", "0360")]
    assert cdm.table["price"].iat[0] == 1200.0 and cdm.table["price"].isna().iat[1]
    assert list(cdm.table["row"]) == list(range(1, 27))
