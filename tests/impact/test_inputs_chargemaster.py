"""Chargemaster exports (CSV/XLSX) read into the normalized table: house column names,
title rows, delimiters, encodings, money, dates, status, profiles, and every user mistake
with its exact message. All files are tiny synthetic ones written here."""

from __future__ import annotations

import hashlib
import math
from datetime import date, datetime
from pathlib import Path

import pytest
from tests_helpers import write_workbook

from updater.errors import UpdaterError
from updater.impact.inputs import CDM_COLUMNS, ChargemasterInput
from updater.impact.inputs.chargemaster import CODE_NAMES, GENERIC_CODE_NAMES, read_chargemaster

REPO = Path(__file__).resolve().parents[2]
PROFILES = REPO / "chargemasters" / "profiles"
LOOKED_FOR = ", ".join(CODE_NAMES + GENERIC_CODE_NAMES)


def write_csv(tmp_path: Path, lines: list[str], name: str = "cdm.csv", *,
              encoding: str = "utf-8", bom: bool = False, newline: str = "\r\n") -> Path:
    path = tmp_path / name
    data = (newline.join(lines) + newline).encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_xlsx(tmp_path: Path, sheets: dict[str, list[list[object]]],
               name: str = "cdm.xlsx") -> Path:
    return write_workbook(tmp_path, sheets, name)


def records(cdm: ChargemasterInput, *columns: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in cdm.table[list(columns)].itertuples(index=False)]


def error_of(path: Path, **kw: object) -> str:
    with pytest.raises(UpdaterError) as caught:
        read_chargemaster(path, **kw)  # type: ignore[arg-type]
    return str(caught.value)


# ---------------------------------------------------------------- shape of the result


def test_table_has_the_contract_columns_and_types(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["Charge Code,Description,CPT,Price",
                                "1001,SYNTHETIC visit,99213,10"])
    cdm = read_chargemaster(path)
    assert tuple(cdm.table.columns) == CDM_COLUMNS
    dtypes = {c: str(t) for c, t in cdm.table.dtypes.items()}
    assert dtypes.pop("row") == "int64"
    assert dtypes.pop("active") == "bool"
    assert dtypes.pop("price") == "float64"
    assert dtypes.pop("volume") == "float64"
    assert set(dtypes.values()) == {"str"}
    assert cdm.format == "cdm-csv"
    assert cdm.source == str(path)
    assert cdm.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert cdm.columns == {"charge_code": "Charge Code", "description": "Description",
                           "code": "CPT", "price": "Price"}


@pytest.mark.parametrize("header", ["Charge Code", "CDM #", "CDM", "Charge #", "Chg Cd",
                                    "Item Code", "Charge Number", "cdm_number", "CHG CD"])
def test_charge_code_column_by_its_usual_names(tmp_path: Path, header: str) -> None:
    path = write_csv(tmp_path, [f"{header},CPT", "A-100,99213"])
    cdm = read_chargemaster(path)
    assert records(cdm, "charge_code", "code") == [("A-100", "99213")]
    assert cdm.columns["charge_code"] == header


@pytest.mark.parametrize("header", ["Description", "Charge Desc", "Charge Description",
                                    "Item Description", "Desc", "DESCRIPTION "])
def test_description_column_by_its_usual_names(tmp_path: Path, header: str) -> None:
    path = write_csv(tmp_path, [f"CPT,{header}", "99213,SYNTHETIC visit"])
    assert records(read_chargemaster(path), "description") == [("SYNTHETIC visit",)]


@pytest.mark.parametrize("header", ["CPT", "HCPCS", "CPT/HCPCS", "HCPCS/CPT", "CPT Code",
                                    "HCPCS Code", "Proc Code", "Code", "CPT®/HCPCS",
                                    "cpt_code"])
def test_code_column_by_its_usual_names(tmp_path: Path, header: str) -> None:
    path = write_csv(tmp_path, [f"Charge Code,{header}", "1,99213"])
    cdm = read_chargemaster(path)
    assert records(cdm, "code", "code_column") == [("99213", header.strip())]


@pytest.mark.parametrize(("header", "field"), [
    ("Rev Code", "revenue_code"), ("Rev Cd", "revenue_code"), ("Revenue Code", "revenue_code"),
    ("UB Rev", "revenue_code"), ("Department", "department"), ("Dept", "department"),
    ("Cost Center", "department"), ("Code Type", "code_type"), ("Type", "code_type"),
    ("Status", "status"), ("Active Flag", "status"),
])
def test_text_columns_by_their_usual_names(tmp_path: Path, header: str, field: str) -> None:
    path = write_csv(tmp_path, [f"Charge Code,CPT,{header}", "1,99213,0450"])
    cdm = read_chargemaster(path)
    assert records(cdm, field) == [("0450",)]
    assert cdm.columns[field] == header


@pytest.mark.parametrize(("header", "field"), [
    ("Price", "price"), ("Charge", "price"), ("Charge Amount", "price"),
    ("Std Charge", "price"), ("Gross Charge", "price"), ("Amount", "price"),
    ("Annual Volume", "volume"), ("Volume", "volume"), ("Units", "volume"), ("Qty", "volume"),
    ("Annual Units", "volume"),
])
def test_number_columns_by_their_usual_names(tmp_path: Path, header: str, field: str) -> None:
    path = write_csv(tmp_path, [f"Charge Code,CPT,{header}", '1,99213,"1,250"'])
    assert records(read_chargemaster(path), field) == [(1250.0,)]


@pytest.mark.parametrize(("header", "field"), [
    ("Effective Date", "effective_date"), ("Eff Date", "effective_date"),
    ("Start Date", "effective_date"), ("End Date", "end_date"), ("Term Date", "end_date"),
    ("Expiration Date", "end_date"), ("Inactive Date", "end_date"),
])
def test_date_columns_by_their_usual_names(tmp_path: Path, header: str, field: str) -> None:
    path = write_csv(tmp_path, [f"Charge Code,CPT,{header}", "1,99213,3/1/2025"])
    assert records(read_chargemaster(path), field) == [("2025-03-01",)]


# ---------------------------------------------------------------- the file's form


def test_header_under_title_rows_with_bom_and_crlf(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["Synthetic Community Hospital", "CDM export run 2026-01-05",
                                ",,,", "CDM #,Charge Desc,Rev Cd,CPT/HCPCS",
                                "1001,SYNTHETIC visit,510,99213",
                                "1002,SYNTHETIC drug,250,J1100"], bom=True)
    cdm = read_chargemaster(path)
    assert cdm.rows_read == 2
    assert records(cdm, "row", "charge_code", "revenue_code", "code") == [
        (1, "1001", "0510", "99213"), (2, "1002", "0250", "J1100")]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    lines = ["Synthetic export, with a comma in the title",
             delimiter.join(["CDM #", "Description", "CPT", "Price"]),
             delimiter.join(["1001", "SYNTHETIC visit", "99213", "12.50"]),
             delimiter.join(["1002", "SYNTHETIC drug", "J1100", "3"])]
    cdm = read_chargemaster(write_csv(tmp_path, lines))
    assert records(cdm, "row", "charge_code", "description", "code", "price") == [
        (1, "1001", "SYNTHETIC visit", "99213", 12.5), (2, "1002", "SYNTHETIC drug", "J1100", 3.0)]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings(tmp_path: Path, newline: str) -> None:
    path = write_csv(tmp_path, ["CDM #,CPT", "1,99213", "2,99214"], newline=newline)
    assert records(read_chargemaster(path), "row", "code") == [(1, "99213"), (2, "99214")]


def test_windows_1252_text(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CDM #,Description,CPT", "1,Café synthétique – 5 mg,J1100"],
                     encoding="cp1252")
    assert records(read_chargemaster(path), "description") == [("Café synthétique – 5 mg",)]


def test_windows_1252_after_a_utf8_looking_head(tmp_path: Path) -> None:
    """The first megabyte is plain ASCII; the cp1252 byte comes later."""
    filler = [f"{i},SYNTHETIC item {i:07d} padding padding padding,99213" for i in range(30000)]
    path = write_csv(tmp_path, ["CDM #,Description,CPT", *filler, "99999,Crème,J1100"],
                     encoding="cp1252")
    cdm = read_chargemaster(path)
    assert cdm.rows_read == 30001
    assert cdm.table["description"].iat[-1] == "Crème"


def test_quoted_values_with_delimiters_and_line_breaks(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CDM #,Description,CPT,Price",
                                '1,"SYNTHETIC visit, level 3\nsecond line",99213,"$1,234.50"',
                                '2,"He said ""stat""",99214,5'])
    cdm = read_chargemaster(path)
    assert cdm.rows_read == 2
    assert records(cdm, "row", "description", "code", "price") == [
        (1, "SYNTHETIC visit, level 3\nsecond line", "99213", 1234.5),
        (2, 'He said "stat"', "99214", 5.0)]


def test_blank_middle_row_is_kept_and_trailing_blank_rows_are_not_data(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CDM #,Description,CPT", "1,SYNTHETIC a,99213", ",,",
                                "", "4,SYNTHETIC d,99214", ",,", "", ",,"])
    cdm = read_chargemaster(path)
    assert cdm.rows_read == 4
    assert records(cdm, "row", "charge_code", "code", "raw_code", "code_column") == [
        (1, "1", "99213", "99213", "CPT"), (2, "", "", "", "CPT"), (3, "", "", "", "CPT"),
        (4, "4", "99214", "99214", "CPT")]


def test_short_rows_are_padded(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CDM #,CPT,Description,Price", "1,99213", "2,99214,SYN,5"])
    cdm = read_chargemaster(path)
    assert records(cdm, "row", "code", "description") == [(1, "99213", ""), (2, "99214", "SYN")]
    assert cdm.table["price"].isna().iat[0]


def test_extra_blank_cells_at_the_end_of_a_row_are_fine(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CDM #,CPT", "1,99213,,", "2,99214"])
    assert records(read_chargemaster(path), "code") == [("99213",), ("99214",)]


# ---------------------------------------------------------------- codes and values


def test_separate_cpt_and_hcpcs_columns_give_a_row_each(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CDM #,Description,CPT,HCPCS,Price",
                                "1,SYNTHETIC both,71045,G0008,10",
                                "2,SYNTHETIC cpt only,99213,,20",
                                "3,SYNTHETIC hcpcs only,,j1100,30",
                                "4,SYNTHETIC none,,,40",
                                "5,SYNTHETIC same twice,99214,99214,50"])
    cdm = read_chargemaster(path)
    assert cdm.rows_read == 5
    assert records(cdm, "row", "charge_code", "code", "code_column", "price") == [
        (1, "1", "71045", "CPT", 10.0), (1, "1", "G0008", "HCPCS", 10.0),
        (2, "2", "99213", "CPT", 20.0), (3, "3", "J1100", "HCPCS", 30.0),
        (4, "4", "", "CPT", 40.0), (5, "5", "99214", "CPT", 50.0)]
    assert cdm.columns["code"] == "CPT, HCPCS"


@pytest.mark.parametrize(("raw", "code"), [
    ("99213", "99213"), (" 99213 ", "99213"), ("99213.0", "99213"), ("j1100", "J1100"),
    ("J 1100", "J1100"), ("0042T", "0042T"), ("100", "100"), ("M17.11", "M1711"),
    ("not a code", "NOTACODE"), (".99213", "99213"), ("J1100.", "J1100"), ("..", ""),
])
def test_codes_are_normalized_not_validated(tmp_path: Path, raw: str, code: str) -> None:
    path = write_csv(tmp_path, ["CDM #,CPT", f"1,{raw}"])
    assert records(read_chargemaster(path), "code", "raw_code") == [(code, raw.strip())]


def test_several_modifier_columns_are_comma_joined(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CDM #,CPT,Mod 1,Mod 2,Modifier 3,Mod",
                                "1,73030,26,rt,,", "2,73030,,,,59", "3,73030,,,,",
                                "4,73030,25.0,,,"])
    cdm = read_chargemaster(path)
    assert records(cdm, "modifiers") == [("26,RT",), ("59",), ("",), ("25",)]
    assert cdm.columns["modifiers"] == "Mod 1, Mod 2, Modifier 3, Mod"


@pytest.mark.parametrize(("cell", "expected"), [
    ("26", "26"), ("26 RT", "26,RT"), ("26,rt", "26,RT"), ("26;RT", "26,RT"),
    ("50|62", "50,62"), ("", ""),
])
def test_one_modifier_column_with_a_list(tmp_path: Path, cell: str, expected: str) -> None:
    path = write_csv(tmp_path, ["CDM #,CPT,Modifiers", f'1,73030,"{cell}"'])
    assert records(read_chargemaster(path), "modifiers") == [(expected,)]


@pytest.mark.parametrize(("cell", "price"), [
    ("$1,234.50", 1234.5), ("1234.5", 1234.5), (" $ 12 ", 12.0), ("(12.00)", -12.0),
    ("$(3.50)", -3.5), ("0", 0.0), ("$ -", 0.0), ("", math.nan), ("N/A", math.nan),
    ("1e3", 1000.0),
])
def test_money_strings(tmp_path: Path, cell: str, price: float) -> None:
    path = write_csv(tmp_path, ["CDM #,CPT,Price", f'1,99213,"{cell}"'])
    got = float(read_chargemaster(path).table["price"].to_numpy()[0])
    assert (math.isnan(got) and math.isnan(price)) or got == price


@pytest.mark.parametrize(("cell", "iso"), [
    ("2024-01-05", "2024-01-05"), ("1/5/2024", "2024-01-05"), ("01/05/2024", "2024-01-05"),
    ("20240105", "2024-01-05"), ("2024-01-05 00:00:00", "2024-01-05"),
    ("1/5/2024 0:00", "2024-01-05"), ("12/31/9999", "9999-12-31"), ("2/29/2024", "2024-02-29"),
    ("", ""), ("0", ""), ("00000000", ""),
])
def test_dates_in_each_format(tmp_path: Path, cell: str, iso: str) -> None:
    path = write_csv(tmp_path, ["CDM #,CPT,Eff Date,End Date", f"1,99213,{cell},{cell}"])
    assert records(read_chargemaster(path), "effective_date", "end_date") == [(iso, iso)]


@pytest.mark.parametrize(("status", "active"), [
    ("A", True), ("Active", True), ("", True), ("Y", True), ("1", True), ("yes", True),
    ("I", False), ("N", False), ("inactive", False), ("Retired", False), ("DELETED", False),
    ("obsolete", False), ("no", False), ("False", False), ("0", False), ("D", False),
])
def test_status_says_whether_the_line_is_active(tmp_path: Path, status: str,
                                                active: bool) -> None:
    path = write_csv(tmp_path, ["CDM #,CPT,Status", f"1,99213,{status}"])
    assert records(read_chargemaster(path), "status", "active") == [(status, active)]


@pytest.mark.parametrize(("flag", "active"), [("Y", False), ("X", False), ("1", False),
                                              ("", True), ("N", True), ("0", True)])
def test_an_inactive_column_reads_the_other_way_round(tmp_path: Path, flag: str,
                                                      active: bool) -> None:
    path = write_csv(tmp_path, ["CDM #,CPT,Inactive", f"1,99213,{flag}"])
    assert records(read_chargemaster(path), "active") == [(active,)]


def test_revenue_codes_get_their_leading_zero_back(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CDM #,CPT,Rev Code", "1,99213,320", "2,99213,0450",
                                "3,99213,36.0", "4,99213,", "5,99213,ABC"])
    assert records(read_chargemaster(path), "revenue_code") == [
        ("0320",), ("0450",), ("0036",), ("",), ("ABC",)]


def test_code_type_column_is_kept(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CDM #,Code,Code Type", "1,99213,CPT", "2,J1100,HCPCS",
                                "3,,"])
    assert records(read_chargemaster(path), "code", "code_type") == [
        ("99213", "CPT"), ("J1100", "HCPCS"), ("", "")]


# ---------------------------------------------------------------- XLSX


def test_xlsx_with_title_rows_numbers_and_dates(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, {"CDM": [
        ["Synthetic Regional Medical Center"], ["Chargemaster as of 2026-01-01"], [],
        ["CDM #", "Charge Description", "Rev Code", "CPT", "HCPCS", "Mod 1", "Price",
         "Eff Date", "Term Date", "Annual Volume", "Status"],
        [100200, "SYNTHETIC visit", 510, 99213, None, 25, 1234.5,
         datetime(2024, 1, 5), 45658, 1200, "A"],
        [100201, "SYNTHETIC drug", 250, None, "J1100", None, 12, date(2023, 7, 1), None, 3.5,
         "I"],
        [], [100203, "SYNTHETIC lab", 300, "80048", None, None, "$15.00", "20240105",
             "12/31/2025", None, None],
        [], [],
    ]})
    cdm = read_chargemaster(path)
    assert cdm.format == "cdm-xlsx"
    assert cdm.source == f"{path}, sheet 'CDM'"
    assert cdm.rows_read == 4
    assert records(cdm, "row", "charge_code", "code", "code_column", "revenue_code",
                   "modifiers", "effective_date", "end_date", "active") == [
        (1, "100200", "99213", "CPT", "0510", "25", "2024-01-05", "2025-01-01", True),
        (2, "100201", "J1100", "HCPCS", "0250", "", "2023-07-01", "", False),
        (3, "", "", "CPT", "", "", "", "", True),
        (4, "100203", "80048", "CPT", "0300", "", "2024-01-05", "2025-12-31", True)]
    prices = list(cdm.table["price"])
    assert prices[:2] == [1234.5, 12.0] and math.isnan(prices[2]) and prices[3] == 15.0
    volumes = list(cdm.table["volume"])
    assert volumes[:2] == [1200.0, 3.5] and math.isnan(volumes[2]) and math.isnan(volumes[3])


def test_xlsx_sheet_by_name(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, {"Read me": [["This workbook holds the CDM"]],
                                 "CDM": [["CDM #", "CPT"], [1, 99213]]})
    cdm = read_chargemaster(path, sheet="CDM")
    assert records(cdm, "code") == [("99213",)]
    assert cdm.source == f"{path}, sheet 'CDM'"


def test_xlsx_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, {"Read me": [["x"]], "CDM": [["CDM #", "CPT"], [1, 99213]]})
    assert error_of(path, sheet="Charges") == (
        f"{path}: no sheet named 'Charges'; the workbook's sheets: 'Read me', 'CDM'; "
        "name one of them with --sheet")


def test_xlsx_first_sheet_without_a_header(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, {"Read me": [["This workbook holds the CDM"]],
                                 "CDM": [["CDM #", "CPT"], [1, 99213]]})
    assert error_of(path) == (
        f"{path}, sheet 'Read me': no code column in the first 30 rows; looked for "
        f"{LOOKED_FOR}; use --code-col or a --profile to name it (the first row has: "
        "'This workbook holds the CDM')")


def test_not_an_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "cdm.xlsx"
    path.write_text("this is not a workbook")
    assert error_of(path) == (f"{path}: not a readable XLSX workbook (Cannot detect file "
                              "format); open it in Excel and save it again as .xlsx")


def test_empty_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, {"CDM": []})
    assert error_of(path) == (f"{path}: sheet 'CDM' is empty; choose the sheet with the "
                              "table with --sheet")


# ---------------------------------------------------------------- profiles and columns=


def meditech_like(tmp_path: Path) -> Path:
    """An export with the column names chargemasters/profiles/meditech-export.toml names."""
    return write_csv(tmp_path, [
        "SYNTHETIC HOSPITAL CDM DICTIONARY", "Printed 01/05/26",
        "Chg Mnemonic,Chg Long Name,UB Rev Ctr,Proc CPT,Proc HCPCS,Mod A,Mod B,Std Chg Amt,"
        "GL Dept,Chg Status,Act Date,Deact Date,Yr Util",
        "LAB.BMP,SYNTHETIC panel,301,80048,,,,300.00,LAB,ACT,01/01/24,,1500",
        "RAD.CXR,SYNTHETIC chest x-ray,320,71045,G0008,26,RT,$95.00,RAD,INACT,07/01/23,12/31/25,",
        "PHM.OLD,SYNTHETIC retired drug,250,,J1100,,,0,PHARM,Retired,01/01/20,06/30/24,0",
    ])


def test_profile_with_unusual_names(tmp_path: Path) -> None:
    cdm = read_chargemaster(meditech_like(tmp_path),
                            profile=PROFILES / "meditech-export.toml")
    assert cdm.rows_read == 3
    assert records(cdm, "row", "charge_code", "code", "code_column", "revenue_code",
                   "modifiers", "price", "department", "active", "effective_date",
                   "end_date") == [
        (1, "LAB.BMP", "80048", "Proc CPT", "0301", "", 300.0, "LAB", True, "2024-01-01", ""),
        (2, "RAD.CXR", "71045", "Proc CPT", "0320", "26,RT", 95.0, "RAD", False, "2023-07-01",
         "2025-12-31"),
        (2, "RAD.CXR", "G0008", "Proc HCPCS", "0320", "26,RT", 95.0, "RAD", False,
         "2023-07-01", "2025-12-31"),
        (3, "PHM.OLD", "J1100", "Proc HCPCS", "0250", "", 0.0, "PHARM", False, "2020-01-01",
         "2024-06-30")]
    volumes = list(cdm.table["volume"])
    assert volumes[0] == 1500.0 and math.isnan(volumes[1]) and math.isnan(volumes[2])
    assert volumes[3] == 0.0
    assert cdm.columns["code"] == "Proc CPT, Proc HCPCS"
    assert cdm.columns["description"] == "Chg Long Name"


def test_minimal_profile_names_only_the_code_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["Charge Code,Description,Billing Proc,Price",
                                "1,SYNTHETIC visit,99213,10"])
    cdm = read_chargemaster(path, profile=PROFILES / "minimal.toml")
    assert records(cdm, "charge_code", "code", "code_column", "price") == [
        ("1", "99213", "Billing Proc", 10.0)]


def test_columns_override_the_usual_names_and_the_profile(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["Charge Code,Description,CPT,Billed As,Price",
                                "1,SYNTHETIC visit,99213,99214,10"])
    cdm = read_chargemaster(path, columns={"code": "Billed As"})
    assert records(cdm, "code", "code_column") == [("99214", "Billed As")]
    profile = tmp_path / "p.toml"
    profile.write_text('[columns]\ncode = "CPT"\nprice = "Price"\n')
    cdm = read_chargemaster(path, profile=profile, columns={"code": "Billed As"})
    assert records(cdm, "code", "price") == [("99214", 10.0)]


def test_a_claimed_column_is_not_taken_for_another(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["Code,Description,CPT,Mod", "A1,SYNTHETIC visit,99213,25"])
    cdm = read_chargemaster(path, columns={"charge_code": "Code"})
    assert records(cdm, "charge_code", "code", "code_column", "modifiers") == [
        ("A1", "99213", "CPT", "25")]
    with pytest.raises(UpdaterError, match="no code column in the first 30 rows"):
        read_chargemaster(write_csv(tmp_path, ["Code,Description", "A1,SYNTHETIC"]),
                          columns={"charge_code": "Code"})


def test_profile_sheet_and_header_row(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, {"Notes": [["nothing"]], "Export": [
        ["CPT", "Description"], ["a title row that looks like a header", "x"],
        ["Code", "Item Name", "Amt"], ["99213", "SYNTHETIC visit", 10]]})
    profile = tmp_path / "p.toml"
    profile.write_text('sheet = "Export"\nheader_row = 3\n[columns]\nprice = "Amt"\n')
    cdm = read_chargemaster(path, profile=profile)
    assert cdm.rows_read == 1
    assert records(cdm, "code", "description", "price") == [("99213", "SYNTHETIC visit", 10.0)]


def test_profile_date_format_and_inactive_values(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CDM #,CPT,Eff Date,Status", "1,99213,05.01.2024,Z",
                                "2,99214,31.12.9999,I"])
    profile = tmp_path / "p.toml"
    profile.write_text('date_format = "%d.%m.%Y"\ninactive_values = ["z"]\n')
    assert records(read_chargemaster(path, profile=profile), "effective_date", "active") == [
        ("2024-01-05", False), ("9999-12-31", True)]


def test_example_profiles_load() -> None:
    from updater.files.tables import load_profile
    from updater.impact.inputs.chargemaster import FIELDS, MULTI_FIELDS

    profiles = sorted(PROFILES.glob("*.toml"))
    assert {p.name for p in profiles} >= {"meditech-export.toml", "minimal.toml"}
    for path in profiles:
        assert load_profile(path, FIELDS, MULTI_FIELDS).columns


# ---------------------------------------------------------------- errors, exact texts


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "cdm.csv"
    path.write_bytes(b"")
    assert error_of(path) == f"{path}: the file is empty; export the table again"
    path.write_bytes(b"\r\n  \r\n")
    assert error_of(path) == f"{path}: the file is empty; export the table again"


def test_no_such_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    assert error_of(path) == f"{path}: no such file; check the path"


def test_no_header_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["Synthetic export", "Item,Thing,Amount", "1,a,2"])
    assert error_of(path) == (
        f"{path}: no code column in the first 30 rows; looked for {LOOKED_FOR}; use "
        "--code-col or a --profile to name it (the first row has: 'Synthetic export')")


def test_code_column_without_charge_code_or_description(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CPT,Price", "99213,10"])
    message = error_of(path)
    assert message.startswith(f"{path}: row 1 has a code column ('CPT') but no charge code "
                              "or description column; looked for Charge Code, CDM #, CDM, ")
    assert message.endswith("; name one of them in a --profile ([columns] description = ...)")


def test_no_data_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["Title", "CDM #,Description,CPT", ",,"])
    assert error_of(path) == (f"{path}: no data rows under the header row (row 2); is this "
                              "the right file or sheet?")


def test_bad_price_names_row_and_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["Title", "CDM #,CPT,Std Charge", "1,99213,10", "2,99214,call"])
    assert error_of(path) == (
        f"{path}, row 2: 'call' in column 'Std Charge' is not an amount (spreadsheet row 4); "
        "write it as a number, e.g. 1234.50, or leave it blank")


@pytest.mark.parametrize("cell", ["2024-02-30", "13/01/2024", "yesterday", "2024-1",
                                  "2/29/2023", "20241301"])
def test_bad_date_names_row_and_column(tmp_path: Path, cell: str) -> None:
    path = write_csv(tmp_path, ["CDM #,CPT,Term Date", "1,99213,", f"2,99214,{cell}"])
    assert error_of(path) == (
        f"{path}, row 2: '{cell}' in column 'Term Date' is not a date (expected YYYY-MM-DD, "
        "M/D/YYYY, MM/DD/YYYY or YYYYMMDD); correct it, or set date_format in a --profile")


def test_excel_serial_numbers_are_dates_only_in_workbooks(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CDM #,CPT,Eff Date", "1,99213,45292"])
    assert "'45292' in column 'Eff Date' is not a date" in error_of(path)


def test_row_with_too_many_cells(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CDM #,Description,CPT", "1,SYNTHETIC visit,99213",
                                "2,SYNTHETIC knee, left,27447"])
    assert error_of(path) == (
        f"{path}, row 2: 4 cells where the header row has 3; put quotes around a value that "
        "contains the delimiter ',', or give the extra column a header")


def test_bytes_that_are_no_text(tmp_path: Path) -> None:
    path = tmp_path / "cdm.csv"
    path.write_bytes(b"CDM #,Description,CPT\r\n1,caf\x81,99213\r\n")
    assert error_of(path) == (
        f"{path}, line 2: bytes that are neither UTF-8 nor Windows-1252 text (byte 0x81); "
        "save the export again as CSV (UTF-8) or XLSX")


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "cdm.csv"
    path.write_bytes(b"\x00\x01\x02binary")
    assert error_of(path) == (f"{path}: binary content (NUL bytes) where text was expected; "
                              "export the table as CSV or XLSX")


def test_profile_naming_a_column_the_file_lacks(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CDM #,Description,CPT,Price", "1,SYNTHETIC,99213,1"])
    profile = tmp_path / "p.toml"
    profile.write_text('[columns]\ncode = "CPT"\nprice = "Std Chg Amt"\n')
    assert error_of(path, profile=profile) == (
        f"{path}: no column named 'Std Chg Amt' (the price column in the profile {profile}); "
        "the header row (row 1) has: 'CDM #', 'Description', 'CPT', 'Price'; correct the "
        "column name to one of the file's")


def test_columns_naming_a_column_the_file_lacks(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CDM #,Description,CPT", "1,SYNTHETIC,99213"])
    assert error_of(path, columns={"code": "Proc"}) == (
        f"{path}: no column named 'Proc' (the code column on the command line); the header "
        "row (row 1) has: 'CDM #', 'Description', 'CPT'; correct the column name to one of "
        "the file's")


def test_profile_header_row_that_is_no_header(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["Title", "CDM #,Description,CPT", "1,SYNTHETIC,99213"])
    profile = tmp_path / "p.toml"
    profile.write_text("header_row = 1\n")
    assert error_of(path, profile=profile) == (
        f"{path}: row 1 (header_row in the profile) is not a header row with a code column "
        "and a charge code or description column; it has: 'Title'; correct header_row in "
        "the profile")


@pytest.mark.parametrize(("text", "line", "message"), [
    ('[columns]\ncode = "Proc"\nprice = \n', 3, "not valid TOML: invalid value at column 9"),
    ('header_rows = 2\n', 1, "unknown setting 'header_rows'"),
    ('[columns]\ncode = "Proc"\ncolour = "x"\n', 3, "unknown column 'colour' in [columns]"),
    ('[columns]\nprice = ["A", "B"]\n', 2, "column 'price' takes one header, not a list"),
    ('[columns]\nprice = 3\n', 2, "column 'price' must name a header text"),
    ('header_row = 0\n', 1, "header_row must be a row number, 1 or more"),
    ('date_format = "dd.mm.yyyy"\n', 1, "date_format must be a strftime pattern"),
    ('inactive_values = "I"\n', 1, "inactive_values must be a list of values"),
    ('columns = "CPT"\n', 1, "'columns' must be a table ([columns])"),
])
def test_bad_profile_names_its_line(tmp_path: Path, text: str, line: int,
                                    message: str) -> None:
    path = write_csv(tmp_path, ["CDM #,CPT", "1,99213"])
    profile = tmp_path / "bad.toml"
    profile.write_text(text)
    assert error_of(path, profile=profile).startswith(f"{profile}, line {line}: {message}; ")


def test_missing_profile(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CDM #,CPT", "1,99213"])
    assert error_of(path, profile=tmp_path / "none.toml") == (
        f"{tmp_path / 'none.toml'}: no such profile; check the path given to --profile")


def test_unknown_name_in_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CDM #,CPT", "1,99213"])
    assert error_of(path, columns={"colour": "x"}).startswith(
        "unknown column name 'colour'; name one of charge_code, description, code, ")


# ---------------------------------------------------------------- HPT files go to hpt.py


def test_hpt_file_is_recognised_by_its_content(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [
        "hospital_name,last_updated_on,version", "Synthetic Hospital,2026-01-01,3.0.0",
        "description,code|1,code|1|type,standard_charge|gross,modifiers",
        "SYNTHETIC visit,99213,CPT,100,"], name="prices.csv")
    cdm = read_chargemaster(path)
    assert cdm.format == "hpt-wide"
    assert records(cdm, "code", "price") == [("99213", 100.0)]


# ---------------------------------------------------------------- many rows


def test_many_rows_keep_their_numbers(tmp_path: Path) -> None:
    n = 50_000
    lines = ["CDM #,Description,CPT,HCPCS,Price"] + [
        f"{i},SYNTHETIC {i},{10000 + i % 89999},{'J1100' if i % 7 == 0 else ''},{i}.25"
        for i in range(1, n + 1)]
    cdm = read_chargemaster(write_csv(tmp_path, lines))
    assert cdm.rows_read == n
    assert len(cdm.table) == n + n // 7
    assert cdm.table["row"].is_monotonic_increasing
    assert cdm.table["row"].nunique() == n
    last = cdm.table.iloc[-1]
    assert (last["row"], last["charge_code"], last["price"]) == (n, str(n), n + 0.25)
