"""The scan's findings a coder would sign: descriptions that contradict the official title,
billing-unit changes, codes deleted in an earlier release and near misses, price
transparency items judged once (synthetic inputs, and the real releases when present)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import make_release
from typer.testing import CliRunner

from updater.cli import app
from updater.impact.candidates.earlier import near_misses
from updater.impact.candidates.units import billing_unit
from updater.impact.descriptions import contradictions
from updater.vocabulary import CodeSystem

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "releases" / "sample"
HCPCS_25 = SAMPLE / "hcpcs/2025/2025-Alpha-Numeric-HCPCS-File.zip"
HCPCS_26 = SAMPLE / "hcpcs/2026/2026-Alpha-Numeric-HCPCS-File.zip"
ICD_25 = SAMPLE / "icd10cm/FY2025/icd10cm-Code-Descriptions-2025.zip"
ICD_26 = SAMPLE / "icd10cm/FY2026/icd10cm-Code-Descriptions-2026.zip"
runner = CliRunner()


# --------------------------------------------------------------------------- descriptions

TITLES = pd.DataFrame({"code": ["Z96641", "S83006A", "M1711", "S46011A", "C180", "E119",
                                "S72001A", "S8291XA", "M5450", "L0311"],
                       "official_title": [
    "Presence of right artificial hip joint",
    "Unspecified dislocation of unspecified patella, initial encounter",
    "Unilateral primary osteoarthritis, right knee",
    "Strain of muscle(s) and tendon(s) of the rotator cuff of right shoulder, initial "
    "encounter",
    "Malignant neoplasm of cecum",
    "Type 2 diabetes mellitus without complications",
    "Displaced fracture of unspecified part of neck of right femur, initial encounter for "
    "closed fracture",
    "Unspecified fracture of right lower leg, initial encounter for closed fracture",
    "Low back pain, unspecified",
    "Cellulitis of right axilla"]})


@pytest.mark.parametrize(("code", "text", "detail"), [
    ("Z96641", "Presence of right artificial knee joint",
     "the line says body part 'knee'; the title says hip"),
    ("S83006A", "Unspecified tear of lateral meniscus right knee",
     "the line says condition 'tear'; the title says dislocation"),
    ("M1711", "OA LT KNEE", "the line says side 'left'; the title says right"),
    ("E119", "Type 1 DM without complications",
     "the line says condition 'type 1'; the title says type 2"),
    ("C180", "Benign neoplasm of cecum",
     "the line says condition 'benign'; the title says malignant"),
    ("S8291XA", "Fracture of right ankle, initial", None),  # the ankle is of the lower leg
])
def test_a_description_naming_another_side_part_or_condition(code: str, text: str,
                                                             detail: str | None) -> None:
    found = contradictions(pd.DataFrame({"code": [code], "description": [text]}), TITLES,
                           diagnoses=True)
    assert list(found["detail"]) == ([detail] if detail else [])


@pytest.mark.parametrize(("code", "text"), [
    ("Z96641", "Presence of right artificial hip joint"),
    ("S46011A", "Traumatic rotator cuff tear, right shoulder"),  # a tear is coded as strain
    ("S72001A", "Hip fx right, initial"),  # the femoral neck is the hip
    ("S72001A", "RT FEMORAL NECK FRACTURE"),
    ("M1711", "Primary OA of knee, RT"),
    ("C180", "Cancer of the cecum"), ("E119", "Type II diabetes, uncomplicated"),
    ("M5450", "Low back pain"), ("L0311", "Cellulitis, R axilla"), ("E119", ""),
    ("M1711", "Knee pain"),  # names no side: nothing to contradict
])
def test_honest_descriptions_are_no_mismatch(code: str, text: str) -> None:
    found = contradictions(pd.DataFrame({"code": [code], "description": [text]}), TITLES,
                           diagnoses=True)
    assert found.empty, found["detail"].tolist()


def test_conditions_are_checked_for_diagnoses_only() -> None:
    pairs = pd.DataFrame({"code": ["S83006A"], "description": ["Tear of meniscus"]})
    assert contradictions(pairs, TITLES, diagnoses=False).empty
    assert len(contradictions(pairs, TITLES, diagnoses=True)) == 1


def crosswalk_file(tmp_path: Path, header: list[str], rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    path = tmp_path / "crosswalk.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@pytest.mark.parametrize("header", [
    ["CPT", "ICD-10-CM", "diagnosis_description"], ["CPT", "Dx", "dx desc"],
    ["CPT", "ICD-10 Code", "ICD-10 Description"], ["CPT", "Diagnosis", "Description"],
    ["CPT", "Dx Code", "Diagnosis Name"], ["CPT", "ICD10", "ICD-10-CM Long Description"],
    ["CPT", "CPT Description", "Diagnosis", "Description"],
    ["CPT", "CPT Long Description", "ICD-10", "ICD-10 Desc"]])
def test_crosswalk_description_columns_by_their_names(tmp_path: Path, header: list[str]
                                                      ) -> None:
    from updater.impact.inputs.crosswalk import read_crosswalk

    rows = [["99214", "M17.11", "Osteoarthritis of hip, primary, right side"]]
    if len(header) == 4:
        rows = [["99214", "SYNTH: VISIT", "M17.11", "Osteoarthritis of hip, right"]]
    xw = read_crosswalk(crosswalk_file(tmp_path, header, rows))
    assert xw.columns["diagnosis_description"] == header[-1]
    assert list(xw.table["diagnosis_description"]) == [rows[0][-1]]
    if len(header) == 4:
        assert list(xw.table["procedure_description"]) == ["SYNTH: VISIT"]


def test_a_list_cell_shares_no_one_diagnosis_description(tmp_path: Path) -> None:
    from updater.impact.inputs.crosswalk import read_crosswalk

    path = crosswalk_file(tmp_path, ["CPT", "Dx 1", "Dx 1 Description", "Dx 2",
                                     "Dx 2 Description"],
                          [["99214", "M17.11", "OA right knee", "M17.12", "OA left knee"],
                           ["99215", "M17.11, M17.12", "OA knees", "", ""]])
    xw = read_crosswalk(path)
    assert list(zip(xw.table["row"], xw.table["diagnosis"],
                    xw.table["diagnosis_description"], strict=True)) == [
        (1, "M1711", "OA right knee"), (1, "M1712", "OA left knee"),
        (2, "M1711", ""), (2, "M1712", "")]


def test_scan_flags_a_crosswalk_description_like_a_cdm_one(tmp_path: Path) -> None:
    from updater.impact.scan import run_scan

    path = crosswalk_file(tmp_path, ["Procedure Code", "ICD-10-CM", "Diagnosis Description"], [
        ["20610", "M17.11", "Osteoarthritis of knee, primary, right side"],
        ["20610", "M17.12", "OSTEOARTHRITIS OF KNEE, PRIMARY, RT SIDE"],
        ["20610", "M17.21", ""]])
    result = run_scan(chargemaster=None, crosswalk=path, old=[str(ICD_25)], new=[str(ICD_26)])[0]
    f = result.findings
    mismatch = f[f["kind"] == "description_mismatch"]
    assert list(zip(mismatch["row"], mismatch["code"], mismatch["detail"], strict=True)) == [
        (2, "M1712", "the pair's description says side 'right'; the title says left")]
    assert mismatch.iloc[0]["description"] == "OSTEOARTHRITIS OF KNEE, PRIMARY, RT SIDE"


# --------------------------------------------------------------------------- units

@pytest.mark.parametrize(("descriptor", "unit"), [
    ("Injection, rituximab, 100 mg", ("100 mg", "100 mg")),
    ("Hyaluronan or derivative, Durolane, for intra-articular injection, per dose",
     ("dose", "per dose")),
    ("Hyaluronan or derivative, durolane, for intra-articular injection, 1 mg",
     ("mg", "1 mg")),
    ("Injection, ceftriaxone sodium, per 250 mg", ("250 mg", "per 250 mg")),
    ("Injection, vitamin b-12 cyanocobalamin, up to 1000 mcg", ("1000 mcg", "up to 1000 mcg")),
    ("Infusion, normal saline solution, 1000 cc", ("1000 ml", "1000 cc")),
    ("Injection, factor viii, per i.u.", ("iu", "per iu")),
    ("Injection, epoetin, 1,000 units", ("1000 unit", "1,000 units")),
    ("Blood glucose test strips, per 50 strips", ("50 strip", "per 50 strips")),
    ("Syringe with needle, sterile, 1 cc or less, each", ("each", "each")),
    ("Therapeutic exercises, each 15 minutes", ("15 min", "each 15 minutes")),
    ("Injection, x, per 10 mg (for use in a medicare-approved demonstration project)",
     ("10 mg", "per 10 mg")),
    ("Enteral feeding supply kit; pump fed, per day, includes feeding sets", ("day", "per day")),
    ("Standard wheelchair", ("", "")),
])
def test_the_billing_unit_of_a_descriptor(descriptor: str, unit: tuple[str, str]) -> None:
    assert billing_unit(descriptor) == unit


def test_unit_changes_on_the_real_hcpcs_candidates(shared_data: Path) -> None:
    """HCPCS 2017 -> 2018 and 2018 -> 2019: the XREF successors that bill another unit are
    marked (and no longer automatic); those of the same unit are not."""
    from updater.impact.candidates import build_candidates
    from updater.releases.readers import load_release

    years = {y: load_release(shared_data / f"hcpcs/{y}/{y}-Alpha-Numeric-HCPCS-File.zip")[0]
             for y in (2017, 2018, 2019)}
    found = {}
    for a, b in ((2017, 2018), (2018, 2019)):
        cands = build_candidates([years[a], years[b]])
        changed = cands[cands["old_unit"] != ""]
        found |= {(o, n): (u, v, bool(auto)) for o, n, u, v, auto in zip(
            changed["old_code"], changed["new_code"], changed["old_unit"],
            changed["new_unit"], changed["automatic"], strict=True)}
        same = cands[(cands["old_code"] == "C9131") & (cands["new_code"] == "J9354")]
        if len(same):
            assert same["automatic"].all() and (same["old_unit"] == "").all()  # 1 mg both
    assert found == {("C9292", "J9306"): ("10 mg", "1 mg", False),
                     ("C9465", "J7318"): ("per dose", "1 mg", False),  # the case
                     ("C9275", "A9589"): ("per study dose", "100 mg", False),
                     ("C9497", "J2062"): ("10 mg", "1 mg", False)}


# --------------------------------------------------------------------------- earlier, near

def test_near_misses_are_look_alikes_and_swaps() -> None:
    release = make_release([("I10", "code", "HTN", "Essential hypertension"),
                            ("I11", "header", "Hypertensive heart", "Hypertensive heart"),
                            ("M1711", "code", "OA", "Osteoarthritis, right knee"),
                            ("M1171", "code", "Other", "Other"),
                            ("Z0000", "code", "Exam", "Exam")])
    near = near_misses(pd.Series(["I1O", "M1171X", "M7111", "ZOOOO", "Q999", "I1I"],
                                 dtype="str"), release)
    assert sorted(zip(near["old_code"], near["new_code"], near["automatic"], strict=True)) == [
        ("I1O", "I10", False), ("M7111", "M1711", False)]  # the header I11 is no code


def test_codes_deleted_years_ago_in_the_real_store(tmp_path: Path, icd_zip) -> None:
    """O35.0XX0 was deleted in FY2023 (the CDC split it by fetal condition); a crosswalk
    scanned FY2024 -> FY2025 with FY2022 and FY2023 in the store says so and names what
    replaced it, from the FY2025 conversion table (cumulative) and the FY2023 hierarchy."""
    from updater.impact.scan import run_scan
    from updater.releases.readers import load_release
    from updater.releases.store import ReleaseStore

    store = ReleaseStore(tmp_path / "store")
    for version in ("FY2022", "FY2023"):
        store.import_release(load_release(icd_zip(version))[0])
    path = crosswalk_file(tmp_path, ["CPT", "ICD-10-CM"], [["76805", "O35.0XX0"],
                                                           ["76805", "I1O"]])
    result = run_scan(chargemaster=None, crosswalk=path, old=[str(icd_zip("FY2024"))],
                      new=[str(icd_zip("FY2025"))], store=tmp_path / "store")[0]
    f = result.findings.set_index("row")
    gone = f.loc[1]
    assert (gone["kind"], gone["detail"]) == (
        "deleted_earlier", "deleted in FY2023 (effective 2022-10-01), last in FY2022")
    successors = {c["code"] for c in gone["candidates"]}
    assert {"O3500X0", "O3509X0"} <= successors
    assert not any(c["automatic"] for c in gone["candidates"])
    assert any("CDC conversion table" in c["source"] for c in gone["candidates"])
    assert (f.loc[2, "kind"], f.loc[2, "detail"]) == (
        "not_in_release", "in neither icd10cm:FY2024 nor icd10cm:FY2025; did you mean I10?")


# --------------------------------------------------------------------------- HPT

HPT_GENERAL = [["hospital_name", "last_updated_on", "version", "location_name",
                "hospital_address", "license_number|ZZ", "type_2_npi",
                "To the best of its knowledge and belief (synthetic test file)",
                "attester_name"],
               ["Synthetic General", "2026-01-01", "3.0.0", "Synthetic", "1 Test St", "0",
                "0", "true", "Tester"]]
HPT_TALL = ["description", "code|1", "code|1|type", "code|2", "code|2|type", "setting",
            "standard_charge|gross", "payer_name", "plan_name", "modifiers",
            "standard_charge|negotiated_dollar"]


def hpt_tall(tmp_path: Path) -> Path:
    rows = [*HPT_GENERAL, HPT_TALL]
    items = [("SYNTHETIC LIDOCAINE INFUSION", "J2001", "1000"),
             ("SYNTHETIC ANTI-CD20 100MG", "J9310", "980"),
             ("SYNTHETIC DEXAMETHASONE", "J1100", "10")]
    for description, code, gross in items:
        for payer, plan, paid in (("Synthetic Health Plan", "PPO", "800"),
                                  ("Example Insurance", "HMO", "700"),
                                  ("Third Payer", "EPO", "650")):
            rows.append([description, code, "HCPCS", "636", "RC", "outpatient", gross, payer,
                         plan, "", paid])
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path = tmp_path / "hpt-tall.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_hpt_tall_items_are_judged_once_with_their_payer_rows(tmp_path: Path) -> None:
    from updater.impact.inputs.chargemaster import read_chargemaster
    from updater.impact.scan import run_scan, summary_text

    path = hpt_tall(tmp_path)
    cdm = read_chargemaster(path)
    assert cdm.format == "hpt-tall" and cdm.rows_read == 9
    assert list(cdm.table["item_row"]) == [1, 1, 1, 4, 4, 4, 7, 7, 7]
    assert cdm.table["payer"].iloc[1] == "Example Insurance / HMO"
    result = run_scan(chargemaster=path, crosswalk=None, old=[str(HCPCS_25)],
                      new=[str(HCPCS_26)])[0]
    f = result.findings
    terminated = f[f["kind"] == "terminated"]
    assert list(zip(terminated["row"], terminated["code"], strict=True)) == [
        (1, "J2001"), (4, "J9310")]  # once per item, not once per payer row
    assert terminated.iloc[0]["detail"] == (
        "TERM DT 2025-12-31; 3 payer rows: Synthetic Health Plan / PPO (row 1), Example "
        "Insurance / HMO (row 2), Third Payer / EPO (row 3)")
    c = result.summary["chargemaster"]
    assert (c["rows_read"], c["charge_items"], c["payer_rows"], c["lines_checked"]) == (
        9, 3, 6, 3)
    assert c["lines_at_risk"] == c["lines_at_risk_without_volume"] == 2
    assert ("charges at risk (price x annual volume): unknown (no volume; 2 lines at risk)"
            in summary_text(result).splitlines())


def test_the_real_cms_tall_example_is_judged_per_item(shared_data: Path) -> None:
    from updater.impact.inputs.chargemaster import read_chargemaster

    tall = read_chargemaster(shared_data / "hpt" / "V3.0.0_Tall_CSV_Format_Example.csv")
    items = tall.table.drop_duplicates("row")
    firsts = items[items["row"] == items["item_row"]]
    assert 0 < len(firsts) < len(items)  # payer rows fold into their items
    # every row of an item has the item's description and codes
    for column in ("description", "code", "price"):
        per_item = items.groupby("item_row")[column].nunique(dropna=False)
        assert (per_item == 1).all(), column


def test_plan_says_unknown_charges_without_volume(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = runner.invoke(app, ["plan", "--chargemaster", str(hpt_tall(tmp_path)),
                                 "--from", str(HCPCS_25), "--to", str(HCPCS_26),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "charges at risk (price x annual volume): unknown (no volume)" in result.output


# --------------------------------------------------------------------------- skipped rows

def test_scan_with_an_unreadable_conversion_row_runs_and_says_so(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    for row in (["title"], ["Current code assignment", "Effective", "Previous Code(s) Assignment"],
                ["E11.650", 2025, "E11.65"], ["QA0.0101", 2025, "Z99.89"],
                ["not a code", 2025, "E11.65"]):
        ws.append(row)
    table = tmp_path / "conversion.xlsx"
    book.save(table)
    xw = crosswalk_file(tmp_path, ["CPT", "ICD-10-CM"], [["99214", "E11.65"]])
    result = runner.invoke(app, ["scan", "--crosswalk", str(xw), "--from", str(ICD_25),
                                 "--to", str(ICD_26), "--conversion", str(table)])
    assert result.exit_code == 0, result.output
    assert ("note: conversion.xlsx row 5: 'not a code' is not the shape of an ICD-10-CM "
            "code; the row was skipped") in result.output.splitlines()


def test_units_unused_systems_keep_empty_unit_columns() -> None:
    """A diagnosis has no billing unit: ICD-10-CM candidates never carry one."""
    from updater.impact.candidates import build_candidates

    old = make_release([("E1165", "code", "T2DM", "Type 2 DM with hyperglycemia, 10 mg")])
    new = make_release([("E1165", "header", "T2DM", "Type 2 DM with hyperglycemia"),
                        ("E11650", "code", "T2DM fasting", "Type 2 DM, fasting, 1 mg")],
                       version="FY2026", effective=date(2025, 10, 1))
    cands = build_candidates([old, new])
    assert set(cands["old_unit"]) == set(cands["new_unit"]) == {""}
    assert new.system is CodeSystem.ICD10CM


def test_a_description_column_that_describes_something_else_is_not_checked(
        tmp_path: Path) -> None:
    """`CPT, ICD-10, Description` where the description is the procedure's: the nearest
    code to its left is the diagnosis, but its words are not the diagnoses' titles, so it
    is not checked against them (no alarm on every pair) and a note says why."""
    from updater.impact.scan import run_scan, summary_text

    path = crosswalk_file(tmp_path, ["CPT", "ICD-10-CM", "Description"], [
        ["73721", "S72.001A", "SYNTH: MRI LEFT KNEE W/O CONTRAST"],  # would say side, part
        ["70450", "G43.01", "SYNTH: CT HEAD LEFT"],
        ["71046", "J44.1", "SYNTH: XR CHEST 2 VIEWS"],
        ["93000", "I10", "SYNTH: ECG 12 LEAD"]])
    result = run_scan(chargemaster=None, crosswalk=path, old=[str(ICD_25)], new=[str(ICD_26)])[0]
    assert not (result.findings["kind"] == "description_mismatch").any()
    note = ("the crosswalk's column 'Description' does not describe its diagnosis codes "
            "(only 0% of its descriptions share a word with the official titles): not checked")
    assert result.summary["notes"] == [note]
    assert f"note: {note}" in summary_text(result).splitlines()


def test_impact_report_says_unknown_not_zero_without_volume(tmp_path: Path) -> None:
    from updater.impact.scan import run_scan
    from updater.reports.impact import impact_context, impact_report

    result = run_scan(chargemaster=hpt_tall(tmp_path), crosswalk=None, old=[str(HCPCS_25)],
                      new=[str(HCPCS_26)])[0]
    context = impact_context(result)
    assert context["charges_at_risk_unknown"] is True and context["lines_at_risk"] == 2
    page = impact_report(result)
    assert "unknown (the chargemaster has no volume)" in page
    assert "unknown (no volume)" in page


def test_a_header_for_years_says_since_when(tmp_path: Path, shared_data: Path, icd_zip
                                            ) -> None:
    """The issue's case: `97161, M54.5` on a long crosswalk, M54.5 a header since FY2022
    (billable in FY2018): not_billable, with M54.50/51/59 as candidates, and the store's
    history says since when."""
    from updater.impact.scan import run_scan
    from updater.releases.readers import load_release
    from updater.releases.store import ReleaseStore

    store = ReleaseStore(tmp_path / "store")
    fy2018 = next(p for p in (shared_data / "icd10cm" / "FY2018").glob("*Order*.zip"))
    for path in (fy2018, icd_zip("FY2022"), icd_zip("FY2023")):
        store.import_release(load_release(path)[0])
    path = crosswalk_file(tmp_path, ["CPT", "ICD-10-CM"], [["97161", "M54.5"],
                                                           ["97161", "M54.50"]])
    result = run_scan(chargemaster=None, crosswalk=path, old=[str(icd_zip("FY2024"))],
                      new=[str(icd_zip("FY2025"))], store=tmp_path / "store")[0]
    f = result.findings
    assert list(zip(f["row"], f["code"], f["kind"], strict=True)) == [
        (1, "M545", "not_billable")]
    m545 = f.iloc[0]
    assert m545["detail"] == "a header since FY2022 (billable in FY2018), still in FY2025"
    assert sorted(c["code"] for c in m545["candidates"]) == ["M5450", "M5451", "M5459"]
    assert {c["relation"] for c in m545["candidates"]} == {"narrower"}
    assert result.summary["crosswalk"]["pairs"] == 2  # nothing expanded in silence


def test_a_title_that_excludes_a_body_part_does_not_name_it() -> None:
    """HCPCS E0936-like: "for use other than knee" names no knee."""
    titles = pd.DataFrame({"code": ["E0936", "S61011A"], "official_title": [
        "Continuous passive motion exercise device for use other than knee",
        "Laceration without foreign body of right thumb without damage to nail"]})
    pairs = pd.DataFrame({"code": ["E0936", "S61011A", "S61011A"],
                          "description": ["CPM DEVICE SHOULDER", "Laceration of right thumb",
                                          "Laceration of left thumb"]})
    found = contradictions(pairs, titles, diagnoses=True)
    assert list(zip(found["description"], found["detail"], strict=True)) == [
        ("Laceration of left thumb", "the line says side 'left'; the title says right")]
