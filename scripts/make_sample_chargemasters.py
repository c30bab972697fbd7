"""Write the synthetic sample chargemaster and crosswalks under ``chargemasters/``
(deterministic: run it again and the files are the same).

Everything is made up. CPT lines carry descriptions that start with ``SYNTH:`` (CPT text
is AMA copyright); the descriptions of HCPCS lines are the hospital's own short words,
not the publisher's. The lines are built so that a scan against the sample releases
(``releases/sample``: CPT and HCPCS 2025 -> 2026, ICD-10-CM FY2025 -> FY2026) finds every
kind of finding, and so that a scan against the real releases in ``../shared/data``
(HCPCS 2017 -> 2018, ICD-10-CM FY2024 -> FY2025) finds a planted handful too:
``chargemasters/README.md`` lists them.

- ``sample-cdm.csv``: about 3,000 lines, clean header in row 1.
- ``sample-cdm-titled.xlsx``: the same lines as an Excel export, two title rows above the
  header, house column names, numbers and dates as Excel stores them.
- ``sample-crosswalk.csv``: procedure <-> ICD-10-CM pairs, one per row.
- ``sample-crosswalk-wide.csv``: one procedure per row, diagnoses as lists and ranges.

Run from the repository root: ``python scripts/make_sample_chargemasters.py [FOLDER]``.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import random
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from types import ModuleType


def _sample_releases() -> ModuleType:
    """scripts/make_sample_releases.py, whose content (codes, titles) the lines use."""
    name = "make_sample_releases"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).resolve().parent / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]


releases = _sample_releases()

ROOT = Path(__file__).resolve().parents[1] / "chargemasters"
CDM_CSV = "sample-cdm.csv"
CDM_XLSX = "sample-cdm-titled.xlsx"
CROSSWALK_LONG = "sample-crosswalk.csv"
CROSSWALK_WIDE = "sample-crosswalk-wide.csv"
MARK = "SYNTH: "  # every line that carries a CPT code says its text is made up
SEED = 20260101

CSV_HEADER = ("Charge Code", "Description", "Rev Code", "CPT", "HCPCS", "Mod 1", "Mod 2",
              "Price", "Department", "Status", "Effective Date", "End Date", "Annual Volume")
# The same columns as another system exports them (house names, in the same order).
XLSX_HEADER = ("CDM #", "Charge Desc", "Rev Cd", "CPT Code", "HCPCS Code", "Mod 1", "Mod 2",
               "Std Charge", "Dept Name", "Status Code", "Eff Dt", "Term Dt", "Annual Units")
XLSX_TITLES = (
    "SAMPLE REGIONAL MEDICAL CENTER - CHARGE DESCRIPTION MASTER (SYNTHETIC SAMPLE)",
    "Report CDM-0100 run 12/15/2025 07:30 by CDMADMIN; all departments, active and "
    "inactive lines",
)

# Sample FY2025 ICD-10-CM codes that the real FY2024 or FY2025 release lacks (computed once
# from ../shared/data; tests/test_sample_chargemasters.py checks it when the files are
# there). Kept out of the crosswalks, so that a scan against the real releases shows only
# the planted findings.
NOT_IN_REAL_ICD = frozenset({
    "A089", "D502", "F412", "G4302", "G4303", "G4309", "G4312", "G4313", "G4319", "G432",
    "G4321", "G4322", "G4323", "G4329", "H4009", "H4019", "H4029", "I250", "I488", "J061",
    "J062", "J068", "J442", "J450", "J451", "J458", "K211", "K212", "K218", "L0309", "L0313",
    "L0319", "L0323", "L0329", "M1701", "M1702", "M1703", "M1709", "M1713", "M1719", "M1721",
    "M1722", "M1723", "M1729", "M2509", "M2519", "M2529", "N180", "N188", "N391", "N392",
    "R511", "R512", "R518", "Z009", "Z799",
})


# --------------------------------------------------------------------------------------
# Chargemaster lines
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """A chargemaster line before its charge code, price and volume are drawn."""

    description: str
    rev: str
    cpt: str = ""
    hcpcs: str = ""
    mods: tuple[str, ...] = ()
    price: float | None = 100.0  # list price around which the line's price is drawn
    volume: int | None = 100  # annual volume around which the line's volume is drawn
    status: str = "A"
    effective: str = ""  # ISO; "" = drawn from the usual build dates
    end: str = ""  # ISO or ""
    main_only: bool = False  # a planted oddity: the west campus does not copy it


@dataclass(frozen=True)
class Line:
    charge_code: str
    item: Item
    department: str
    price: float | None
    volume: int | None
    effective: str


def synth(text: str) -> str:
    return MARK + text


def cpt_item(code: str, text: str, rev: str, price: float, volume: int | None, *,
             status: str = "A", effective: str = "", end: str = "",
             main_only: bool = False) -> Item:
    """A CPT-only line; its description says it is synthetic."""
    return Item(synth(text), rev, cpt=code, price=price, volume=volume, status=status,
                effective=effective, end=end, main_only=main_only)


def lab() -> Iterator[tuple[str, Item]]:
    tests = (  # code, text, rev, section, price, volume
        ("36415", "VENIPUNCTURE", "0300", "LAB - SPECIMEN COLLECTION", 28.0, 40000),
        ("80053", "METABOLIC PANEL COMPREHENSIVE", "0301", "LAB - CHEMISTRY", 145.0, 18000),
        ("81001", "URINALYSIS AUTO W/MICROSCOPY", "0307", "LAB - URINALYSIS", 42.0, 9000),
        ("83036", "HEMOGLOBIN A1C", "0301", "LAB - CHEMISTRY", 78.0, 7000),
        ("85025", "CBC W/AUTO DIFF", "0305", "LAB - HEMATOLOGY", 65.0, 22000),
        ("87086", "URINE CULTURE COLONY COUNT", "0306", "LAB - MICROBIOLOGY", 88.0, 6000),
    )
    for setting, share in (("", 1.0), (" - STAT", 0.3), (" - OUTREACH", 0.5), (" - ED", 0.4)):
        for code, text, rev, section, price, volume in tests:
            yield section, cpt_item(code, text + setting, rev, price, int(volume * share))
    molecular = "LAB - MOLECULAR"
    yield molecular, cpt_item("0001U", "RBC ANTIGEN TYPING PLA", "0302", 850.0, 40)
    yield molecular, cpt_item("0002U", "COLORECTAL SCREEN PLA", "0302", 620.0, 30)
    yield molecular, cpt_item("0550U", "GENOMIC SEQUENCE PLA", "0302", 1900.0, None,
                              effective="2026-01-01")
    # a transposed code (85025): in no release
    yield "LAB - HEMATOLOGY", cpt_item("85052", "CBC W/AUTO DIFF - CLINIC", "0305", 65.0, 800,
                                       main_only=True)
    # retired lines: reported, not flagged
    yield "LAB - URINALYSIS", cpt_item("81001", "URINALYSIS AUTO W/MICRO - OLD", "0307", 40.0,
                                       0, status="I", effective="2016-01-01",
                                       end="2021-06-30", main_only=True)
    yield "LAB - URINALYSIS", cpt_item("81001", "URINALYSIS AUTO W/MICRO - NURSING HOME",
                                       "0307", 42.0, 300, effective="2019-01-01",
                                       end="2025-12-31", main_only=True)
    yield "LAB - HEMATOLOGY", cpt_item("85025", "CBC W/AUTO DIFF - SATELLITE", "0305", 60.0,
                                       0, status="I", end="2024-03-31", main_only=True)


def radiology() -> Iterator[tuple[str, Item]]:
    for where, share in (("", 1.0), (" - ED", 0.6), (" - IMAGING CTR", 0.4)):
        yield "RADIOLOGY", cpt_item("71046", "XR CHEST 2 VIEWS" + where, "0324", 310.0,
                                    int(5200 * share))
        yield "CT SCAN", cpt_item("70450", "CT HEAD/BRAIN W/O CONTRAST" + where, "0351",
                                  2150.0, int(2400 * share))
        yield "CT SCAN", cpt_item("74177", "CT ABD/PELVIS W/CONTRAST" + where, "0352",
                                  3900.0, int(1900 * share))
        for joint in ("KNEE", "HIP", "ANKLE"):
            for side in ("RT", "LT"):
                yield "MRI", Item(synth(f"MRI {joint} {side} W/O CONTRAST{where}"), "0610",
                                  cpt="73721", mods=(side,), price=3300.0,
                                  volume=int(160 * share))
    yield "CT SCAN", cpt_item("0042T", "CT PERFUSION W/CONTRAST", "0350", 4200.0, 60)
    yield "MAMMOGRAPHY", cpt_item("77067", "MAMMO SCREENING BILAT W/CAD", "0403", 420.0, 6100,
                                  effective="2018-04-01")
    yield "MAMMOGRAPHY", cpt_item("77067", "MAMMO SCREENING BILAT W/CAD - IMAGING CTR", "0403",
                                  420.0, 2300, effective="2018-04-01")
    # the description says left; the code's title says bilateral
    yield "MAMMOGRAPHY", cpt_item("77067", "MAMMO SCREENING LEFT W/CAD", "0403", 420.0, 150,
                                  effective="2019-01-01", main_only=True)
    # Medicare G-codes billed beside CPT until HCPCS 2018 ended them (real code numbers);
    # the lines were end-dated in 2018 and kept, as lines are never deleted
    for cpt, hcpcs, text, price in (
            ("77067", "G0202", "MAMMO SCREENING BILAT W/CAD (MEDICARE)", 410.0),
            ("77066", "G0204", "MAMMO DIAGNOSTIC BILAT W/CAD (MEDICARE)", 520.0),
            ("77065", "G0206", "MAMMO DIAGNOSTIC UNILAT W/CAD (MEDICARE)", 450.0)):
        yield "MAMMOGRAPHY", Item(synth(text), "0401", cpt=cpt, hcpcs=hcpcs, price=price,
                                  volume=1800, effective="2017-01-01", end="2018-03-31",
                                  main_only=True)
    yield "NUCLEAR MEDICINE", Item("TILMANOCEPT TC-99M DIAGNOSTIC DOSE", "0343",
                                   hcpcs="C1204", price=1650.0, volume=45,
                                   effective="2013-04-01", end="2018-06-30", main_only=True)


def therapy() -> Iterator[tuple[str, Item]]:
    for where in ("", " - NORTH CLINIC", " - SOUTH CLINIC", " - SPORTS MED"):
        yield "PHYSICAL THERAPY", Item(synth("PT THERAPEUTIC EXERCISE EA 15 MIN" + where),
                                       "0420", cpt="97110", mods=("GP",), price=185.0,
                                       volume=9000)
        yield "PHYSICAL THERAPY", Item(synth("PT MANUAL THERAPY EA 15 MIN" + where), "0420",
                                       cpt="97140", mods=("GP",), price=175.0, volume=6500)
        yield "PHYSICAL THERAPY", Item("PT ELECTRICAL STIM UNATTENDED" + where, "0420",
                                       hcpcs="G0283", mods=("GP",), price=95.0, volume=2500)
    for where in ("", " - NORTH CLINIC"):
        yield "OCCUPATIONAL THERAPY", Item(synth("OT THERAPEUTIC EXERCISE EA 15 MIN" + where),
                                           "0430", cpt="97110", mods=("GO",), price=185.0,
                                           volume=2400)
        yield "OCCUPATIONAL THERAPY", Item(synth("OT MANUAL THERAPY EA 15 MIN" + where),
                                           "0430", cpt="97140", mods=("GO",), price=175.0,
                                           volume=1500)


def emergency() -> Iterator[tuple[str, Item]]:
    ed = "EMERGENCY DEPT"
    for where, share in (("", 1.0), (" - PEDS", 0.3), (" - FREESTANDING", 0.4)):
        yield ed, cpt_item("99283", "ED VISIT LEVEL 3" + where, "0450", 1250.0,
                           int(14000 * share))
    yield ed, cpt_item("96372", "INJECTION THER/DIAG SC/IM", "0450", 160.0, 8000)
    yield ed, cpt_item("10060", "I&D ABSCESS SIMPLE", "0450", 780.0, 900)
    for side in ("RT", "LT"):
        yield ed, Item(synth(f"ARTHROCENTESIS MAJOR JOINT {side}"), "0450", cpt="20610",
                       mods=(side,), price=690.0, volume=220)
    yield ed, cpt_item("93000", "ECG 12 LEAD W/INTERP - ED", "0730", 240.0, 11000)


def clinic() -> Iterator[tuple[str, Item]]:
    for clinic_name, share in (("OUTPATIENT CLINIC", 1.0), ("NORTH CLINIC", 0.5)):
        for code, level in (("99202", 2), ("99203", 3), ("99204", 4), ("99205", 5)):
            yield clinic_name, Item(synth(f"CLINIC VISIT NEW LVL {level}"), "0510", cpt=code,
                                    hcpcs="G0463", price=120.0 + 80 * level,
                                    volume=int(900 * share))
        for code, level in (("99211", 1), ("99212", 2), ("99213", 3), ("99214", 4),
                            ("99215", 5)):
            yield clinic_name, Item(synth(f"CLINIC VISIT EST LVL {level}"), "0510", cpt=code,
                                    hcpcs="G0463", price=90.0 + 70 * level,
                                    volume=int(3500 * share))
    oc = "OUTPATIENT CLINIC"
    yield oc, cpt_item("99395", "PREVENTIVE VISIT EST AGE 18-39", "0510", 330.0, 1200)
    yield oc, Item("VISIT COMPLEXITY ADD-ON", "0510", hcpcs="G2211", price=45.0, volume=5200,
                   effective="2025-01-01", main_only=True)
    yield oc, Item("REMOTE MONITORING WEARABLE DEVICE 30 DAYS", "0510", hcpcs="G0561",
                   price=140.0, volume=None, effective="2026-01-01", main_only=True)
    yield oc, Item(synth("FLU VACCINE ADMINISTRATION"), "0771", cpt="90471", hcpcs="G0008",
                   price=40.0, volume=4100)
    yield oc, Item(synth("PNEUMOCOCCAL VACCINE ADMINISTRATION"), "0771", cpt="90471",
                   hcpcs="G0009", price=40.0, volume=900)
    yield oc, cpt_item("90471", "IMMUNIZATION ADMIN 1 VACCINE", "0771", 40.0, 2500)
    yield oc, cpt_item("90686", "FLU VACCINE IIV4 PF IM", "0636", 48.0, 4100)
    yield "OPHTHALMOLOGY CLINIC", cpt_item("92014", "EYE EXAM COMPREHENSIVE EST PT", "0510",
                                           260.0, 1400)
    yield "WOMENS HEALTH CLINIC", Item("CA SCREEN PELVIC/BREAST EXAM", "0510", hcpcs="G0101",
                                       price=110.0, volume=700)
    yield "WOMENS HEALTH CLINIC", Item("PAP SMEAR COLLECTION SCREENING", "0510",
                                       hcpcs="Q0091", price=70.0, volume=650)
    yield "WOMENS HEALTH CLINIC", cpt_item("99459", "PELVIC EXAM ADD-ON", "0510", 60.0, None,
                                           effective="2026-01-01")
    yield "COMMUNITY HEALTH CENTER", Item("CLINIC ENCOUNTER ALL-INCLUSIVE", "0521",
                                          hcpcs="T1015", price=210.0, volume=3000)
    yield oc, cpt_item("0001F", "HEART FAILURE COMPOSITE (QUALITY)", "0510", 0.0, 300)
    yield oc, cpt_item("1234F", "PERFORMANCE MEASURE DOCUMENTED (QUALITY)", "0510", 0.0, 500)
    yield oc, cpt_item("3051F", "A1C IN RANGE (QUALITY)", "0510", 0.0, None,
                       effective="2026-01-01")
    # a code cut short: not the shape of any code
    yield "NORTH CLINIC", cpt_item("9921", "CLINIC VISIT EST LVL 1 - SATELLITE", "0510", 150.0,
                                   400, main_only=True)


def surgery() -> Iterator[tuple[str, Item]]:
    yield "ANESTHESIA", cpt_item("00100", "ANESTHESIA SALIVARY GLAND PROCEDURE", "0370",
                                 1400.0, 60)
    yield "SURGERY", cpt_item("10060", "I&D ABSCESS SIMPLE - OR", "0360", 2400.0, 120)
    yield "SURGERY", cpt_item("11042", "DEBRIDEMENT SUBQ FIRST 20 SQCM", "0360", 2100.0, 340)
    for side in ("RT", "LT"):
        yield "SURGERY", Item(synth(f"ARTHROCENTESIS MAJOR JOINT {side} - OR"), "0360",
                              cpt="20610", mods=(side,), price=1150.0, volume=90)
        yield "SURGERY", Item(synth(f"KNEE ARTHROSCOPY W/MENISCECTOMY {side}"), "0360",
                              cpt="29881", mods=(side,), price=9800.0, volume=210)
        yield "SURGERY", Item(synth(f"CATARACT REMOVAL W/IOL {side}"), "0360", cpt="66984",
                              mods=(side,), price=7400.0, volume=380)
    # the description says hip; the code's title says knee
    yield "SURGERY", Item(synth("HIP ARTHROSCOPY W/MENISCECTOMY RT"), "0360", cpt="29881",
                          mods=("RT",), price=9800.0, volume=12, effective="2022-01-01",
                          main_only=True)
    yield "SURGERY", cpt_item("47562", "LAP CHOLECYSTECTOMY", "0360", 14500.0, 260)
    yield "GI LAB", cpt_item("43239", "EGD W/BIOPSY", "0750", 3100.0, 900)
    yield "GI LAB", cpt_item("45378", "COLONOSCOPY DIAGNOSTIC", "0750", 3400.0, 1300)
    yield "LABOR AND DELIVERY", cpt_item("59400", "OB CARE ROUTINE VAGINAL DELIVERY", "0720",
                                         11800.0, 700)
    yield "CARDIAC CATH LAB", cpt_item("0075T", "TCAT PLACEMENT SAMPLE STENT", "0481",
                                       26500.0, 18)
    yield "CARDIAC CATH LAB", cpt_item("0075T", "TCAT PLACEMENT SAMPLE STENT - OLD", "0481",
                                       24000.0, 0, status="I", end="2023-06-30",
                                       main_only=True)
    yield "CARDIAC CATH LAB", cpt_item("0900T", "EMERGING TECH PROCEDURE W/IMAGING", "0481",
                                       18000.0, None, effective="2026-01-01")
    yield "CARDIOLOGY", cpt_item("93000", "ECG 12 LEAD W/INTERP", "0730", 240.0, 9000)
    yield "CARDIOLOGY", cpt_item("93000", "ECG 12 LEAD W/INTERP - PRE-ADMISSION", "0730",
                                 240.0, 3100)
    yield "CARDIOLOGY", cpt_item("93306", "ECHO TTE COMPLETE W/DOPPLER", "0483", 2900.0, 2100)
    yield "CARDIOLOGY", cpt_item("93306", "ECHO TTE COMPLETE W/DOPPLER - IMAGING CTR", "0483",
                                 2900.0, 600)


# Pharmacy: HCPCS drug code, drug, forms (strength and package), how many suppliers,
# price per line, volume, and dates for codes that came or went.
DRUGS: tuple[tuple[str, str, tuple[str, ...], int, float, int, str, str], ...] = (
    ("J0129", "ABATACEPT", ("250MG VL", "125MG/ML 1ML SYR"), 2, 2900.0, 40, "", ""),
    ("J0696", "CEFTRIAXONE", ("250MG VL", "500MG VL", "1GM VL", "2GM VL", "10GM BULK VL",
                              "1GM ADD-VANTAGE", "2GM/50ML PREMIX"), 5, 38.0, 2600, "", ""),
    ("J1030", "METHYLPREDNISOLONE ACET", ("40MG/ML 1ML VL", "40MG/ML 5ML MDV",
                                          "80MG/ML 1ML VL", "80MG/ML 5ML MDV"), 3, 46.0, 900,
     "", ""),
    ("J1100", "DEXAMETHASONE SOD PHOS", ("4MG/ML 1ML VL", "4MG/ML 5ML MDV", "4MG/ML 30ML MDV",
                                         "10MG/ML 1ML VL", "10MG/ML 10ML MDV",
                                         "4MG/ML 1ML SYR"), 5, 9.5, 5200, "", ""),
    ("J1885", "KETOROLAC", ("15MG/ML 1ML VL", "30MG/ML 1ML VL", "60MG/2ML VL",
                            "30MG/ML 1ML SYR", "300MG/10ML MDV"), 5, 22.0, 4300, "", ""),
    ("J2001", "LIDOCAINE IV INFUSION", ("1GM/250ML PREMIX", "2GM/250ML PREMIX",
                                        "2GM/500ML PREMIX"), 1, 31.0, 700, "", ""),
    ("J2002", "LIDOCAINE IN NACL IV INFUSION", ("1GM/250ML PREMIX", "2GM/500ML PREMIX"), 1,
     33.0, 0, "2026-01-01", ""),
    ("J3301", "TRIAMCINOLONE ACETONIDE", ("10MG/ML 5ML VL", "40MG/ML 1ML VL",
                                          "40MG/ML 5ML MDV", "40MG/ML 10ML MDV"), 3, 28.0, 1300,
     "", ""),
    ("J3420", "CYANOCOBALAMIN", ("1000MCG/ML 1ML VL", "1000MCG/ML 30ML MDV"), 3, 18.0, 1800,
     "", ""),
    ("J7030", "SODIUM CHLORIDE 0.9%", ("1000ML BAG", "1000ML BAG DEHP-FREE"), 3, 64.0, 21000,
     "", ""),
    ("J9035", "BEVACIZUMAB", ("100MG/4ML VL", "400MG/16ML VL"), 1, 890.0, 160, "", ""),
    ("Q5150", "SAMPLE BIOSIMILAR", ("100MG VL", "400MG VL"), 1, 610.0, 30, "2025-07-01", ""),
    ("S0028", "FAMOTIDINE", ("20MG/2ML VL", "40MG/4ML VL", "200MG/20ML MDV",
                             "20MG/50ML PREMIX"), 4, 12.0, 3400, "", ""),
    # real HCPCS code numbers that HCPCS 2018 ended; the lines were retired in 2018
    ("C9140", "ANTIHEMOPHILIC FACTOR RECOMB SINGLE-CHAIN PER IU", ("",), 1, 3.2, 90000,
     "2017-07-01", "2018-06-30"),
    ("Q9986", "HYDROXYPROGESTERONE CAPROATE BRAND", ("250MG/ML 1ML VL", "250MG/ML 5ML MDV"),
     1, 410.0, 120, "2017-07-01", "2018-06-30"),
    ("J1725", "HYDROXYPROGESTERONE CAPROATE", ("250MG/ML 5ML MDV",), 1, 95.0, 60,
     "2012-01-01", "2018-06-30"),
    ("J9300", "GEMTUZUMAB OZOGAMICIN", ("4.5MG VL",), 1, 9100.0, 4, "2017-10-01",
     "2018-06-30"),
    ("J3487", "ZOLEDRONIC ACID", ("4MG/5ML VL",), 2, 780.0, 150, "2012-01-01", "2018-06-30"),
    ("J1441", "FILGRASTIM", ("480MCG/1.6ML VL",), 1, 690.0, 80, "2012-01-01", "2018-06-30"),
)
# Sample-only codes (in no real HCPCS release): kept to the main campus, so that a scan
# against the real releases has few of them to report.
SAMPLE_ONLY = frozenset({"J2002", "Q5150", "G0561", "G2211"})
SUPPLIERS = ("", " (SUPPLIER B)", " (SUPPLIER C)", " (SUPPLIER D)", " (SUPPLIER E)")


def pharmacy() -> Iterator[tuple[str, Item]]:
    for code, drug, forms, suppliers, price, volume, effective, end in DRUGS:
        rev = "0258" if code == "J7030" else "0636"
        main_only = bool(end) or code in SAMPLE_ONLY
        for form in forms:
            for supplier in SUPPLIERS[:suppliers]:
                text = " ".join(t for t in (drug, form) if t) + supplier
                yield "PHARMACY", Item(text, rev, hcpcs=code, price=price,
                                       volume=volume or None, effective=effective, end=end,
                                       main_only=main_only)
                if form.endswith(("VL", "MDV")) and not end and volume:
                    yield "PHARMACY", Item(text + " WASTE", rev, hcpcs=code, mods=("JW",),
                                           price=price, volume=max(volume // 20, 1),
                                           effective=effective, main_only=main_only)
    yield "PHARMACY", Item("LIDOCAINE IV INFUSION 4GM/250ML PREMIX", "0636", hcpcs="J2001",
                           price=35.0, volume=0, status="I", effective="2016-01-01",
                           end="2022-12-31", main_only=True)
    # a mistyped code (J1885): in no release
    yield "PHARMACY", Item("KETOROLAC 15MG/ML 2ML VL", "0636", hcpcs="J1886", price=22.0,
                           volume=350, main_only=True)
    # codes as people type them: lower case, a space; they read as J3420 and J1030
    yield "PHARMACY", Item("CYANOCOBALAMIN 1000MCG/ML 10ML MDV", "0636", hcpcs="j3420",
                           price=18.0, volume=200, main_only=True)
    yield "PHARMACY", Item("METHYLPREDNISOLONE ACET 40MG/ML 10ML MDV", "0636", hcpcs="J 1030",
                           price=46.0, volume=120, main_only=True)


def implants() -> Iterator[Item]:
    """C1713 anchors and screws: every size is its own line, as implant CDMs keep them."""
    def sizes(start: float, stop: float, step: float) -> list[str]:
        n = round((stop - start) / step) + 1
        return [f"{start + i * step:g}" for i in range(n)]

    kinds = (
        ("SCREW CORTICAL", ("2.0", "2.4", "2.7", "3.5", "4.5"), sizes(10, 60, 2),
         ("TI", "SS")),
        ("SCREW LOCKING", ("2.4", "2.7", "3.5", "5.0"), sizes(10, 60, 2), ("TI", "SS")),
        ("SCREW CANCELLOUS", ("4.0", "6.5", "7.3"), sizes(20, 110, 5), ("TI", "SS")),
        ("SCREW CANNULATED", ("3.0", "4.0", "4.5", "6.5", "7.3"), sizes(20, 100, 4), ("TI",)),
        ("SCREW HEADLESS COMPRESSION", ("2.5", "3.0", "3.5", "4.0"), sizes(10, 40, 2),
         ("TI",)),
        ("SCREW INTERFERENCE BIOABS", ("7", "8", "9", "10", "11"),
         ("20", "23", "25", "28", "30", "35"), ("",)),
        ("SCREW PEDICLE POLYAXIAL", ("4.5", "5.5", "6.5", "7.5"), sizes(30, 55, 5), ("TI",)),
    )
    for kind, diameters, lengths, materials in kinds:
        vendors = ("", " (SUPPLIER B)") if kind in ("SCREW CORTICAL", "SCREW LOCKING") else ("",)
        for vendor in vendors:
            for material in materials:
                for d in diameters:
                    for length in lengths:
                        text = f"{kind} {d}MM X {length}MM {material}".rstrip() + vendor
                        yield Item(text, "0278", hcpcs="C1713", price=260.0 + 12 * float(d),
                                   volume=18)
    for vendor in ("", " (SUPPLIER B)"):
        for d in ("1.8", "2.4", "2.9", "3.5", "4.5", "5.0", "5.5", "6.5"):
            for kind in ("KNOTLESS", "DOUBLE LOADED", "ALL-SUTURE", "PEEK", "BIOCOMPOSITE"):
                yield Item(f"ANCHOR SUTURE {d}MM {kind}{vendor}", "0278", hcpcs="C1713",
                           price=890.0, volume=25)


def supplies() -> Iterator[tuple[str, Item]]:
    cs, dme = "CENTRAL SUPPLY", "DME"
    for item in implants():
        yield "IMPLANTS", item
    for coating in ("HYDROPHILIC", "PTFE", "NITINOL CORE"):
        for size in (".014", ".018", ".025", ".035", ".038"):
            for length in ("145", "180", "190", "260", "300"):
                for tip in ("STRAIGHT", "ANGLED", "J-TIP"):
                    yield cs, Item(f"GUIDEWIRE {size} X {length}CM {tip} {coating}", "0272",
                                   hcpcs="C1769", price=185.0, volume=40)
    trays = ("LACERATION", "SUTURE", "SUTURE REMOVAL", "FOLEY CATHETER", "CENTRAL LINE",
             "ARTERIAL LINE", "PICC", "BONE MARROW", "THORACENTESIS", "PARACENTESIS",
             "LUMBAR PUNCTURE", "EPIDURAL", "SPINAL ANESTHESIA", "I&D", "BIOPSY",
             "DRESSING CHANGE", "IRRIGATION", "CIRCUMCISION", "MINOR PROCEDURE", "NERVE BLOCK")
    for vendor in ("", " (SUPPLIER B)", " (SUPPLIER C)", " (SUPPLIER D)"):
        for tray in trays:
            yield cs, Item(f"TRAY {tray}{vendor}", "0272", hcpcs="A4550", price=145.0,
                           volume=120)
    for volume_ml in ("0.3ML", "0.5ML", "1ML"):
        for gauge in ("25G", "27G", "28G", "30G"):
            for length in ('1/2"', '5/8"'):
                yield cs, Item(f"SYRINGE {volume_ml} W/NEEDLE {gauge} X {length}", "0270",
                               hcpcs="A4206", price=4.5, volume=6000)
    for size in ("2X2", "3X3", "4X4"):
        for ply in ("8", "12", "16"):
            yield cs, Item(f"GAUZE NONSTERILE {size} {ply}-PLY", "0270", hcpcs="A6216",
                           price=3.25, volume=9000)
    for brand in ("", " (SUPPLIER B)", " (SUPPLIER C)"):
        yield cs, Item(f"GLUCOSE TEST STRIPS BX/50{brand}", "0270", hcpcs="A4253",
                       price=68.0, volume=900)
    for what in ("ADMISSION KIT", "TOOTHBRUSH KIT", "SLIPPER SOCKS", "LOTION 4OZ",
                 "DISPOSABLE RAZOR"):
        yield cs, Item(f"PATIENT CONVENIENCE {what}", "0270", hcpcs="A9270", price=14.0,
                       volume=3000)
    yield cs, Item("ENTERAL PUMP SUPPLY KIT PER DAY", "0270", hcpcs="B4035", price=95.0,
                   volume=1500)
    yield cs, Item("ENTERAL PUMP SUPPLY KIT PER DAY (SUPPLIER B)", "0270", hcpcs="B4035",
                   price=95.0, volume=700)
    yield cs, Item("SACRAL NEUROSTIM TRIAL LEAD", "0278", hcpcs="A4290", price=1450.0,
                   volume=None, effective="2026-01-01")
    yield cs, Item("SUTURE KIT MISC", "0270", hcpcs="ABCDE", price=55.0, volume=400,
                   main_only=True)
    for size in ("ADULT", "YOUTH", "BARIATRIC"):
        yield dme, Item(f"CRUTCHES FOREARM {size} PAIR", "0274", hcpcs="E0110", price=160.0,
                        volume=140)
    yield dme, Item("CPAP DEVICE STANDARD", "0274", hcpcs="E0601", price=1450.0, volume=60)
    yield dme, Item("CPAP DEVICE AUTO-TITRATING", "0274", hcpcs="E0601", price=1750.0,
                    volume=35)
    yield dme, Item("OXYGEN CONCENTRATOR SINGLE PORT", "0274", hcpcs="E1390", price=2100.0,
                    volume=25)
    yield dme, Item("WHEELCHAIR STANDARD", "0274", hcpcs="K0001", price=690.0, volume=80)
    yield dme, Item("WHEELCHAIR STANDARD REMOVABLE ARMS", "0274", hcpcs="K0001", price=740.0,
                    volume=40)
    for size in ("SM", "MD", "LG", "XL"):
        for side in ("RT", "LT"):
            yield dme, Item(f"KNEE ORTHOSIS ELASTIC HINGED {size} {side}", "0274",
                            hcpcs="L1810", mods=(side,), price=240.0, volume=60)
    # the description says hip; the code's title says knee
    yield dme, Item("HIP ORTHOSIS ELASTIC W/JOINTS", "0274", hcpcs="L1810", price=260.0,
                    volume=10, effective="2023-01-01", main_only=True)
    for size in ("SM", "MD", "LG"):
        for side in ("RT", "LT"):
            yield dme, Item(f"WRIST COCK-UP SPLINT {size} {side}", "0274", hcpcs="L3908",
                            mods=(side,), price=95.0, volume=120)
    yield "OPTICAL SHOP", Item("EYEGLASS FRAMES STANDARD", "0270", hcpcs="V2020", price=120.0,
                               volume=300)
    yield "OPTICAL SHOP", Item("EYEGLASS FRAMES DELUXE", "0270", hcpcs="V2020", price=210.0,
                               volume=90)
    yield "AUDIOLOGY", Item("HEARING AID ASSESSMENT", "0470", hcpcs="V5010", price=180.0,
                            volume=260)
    # a skin substitute whose code ended on 2024-12-31 and is still being billed
    for size in ("22 SQCM", "44 SQCM"):
        yield "WOUND CARE", Item(f"SKIN SUBSTITUTE BILAYER {size}", "0636", hcpcs="Q4101",
                                 price=58.0, volume=900, effective="2019-01-01")
    yield "BLOOD BANK", Item("RBC LEUKOREDUCED UNIT", "0390", hcpcs="P9016", price=980.0,
                             volume=2600)
    yield "BLOOD BANK", Item("RBC LEUKOREDUCED IRRADIATED UNIT", "0390", hcpcs="P9016",
                             price=1080.0, volume=400)
    yield "BLOOD BANK", Item("PLATELETS PHERESIS PATHOGEN REDUCED UNIT", "0390",
                             hcpcs="P9072", price=1900.0, volume=500, effective="2016-01-01",
                             end="2018-06-30", main_only=True)
    yield "AMBULANCE", Item("AMBULANCE MILEAGE PER MILE", "0540", hcpcs="A0425", price=32.0,
                            volume=52000)
    yield "AMBULANCE", Item("AMBULANCE BLS NON-EMERGENT", "0540", hcpcs="A0428", price=890.0,
                            volume=2100)


def rooms() -> Iterator[tuple[str, Item]]:
    """Room and board: no CPT or HCPCS on these lines."""
    yield "ROOM AND BOARD", Item("ROOM AND BOARD SEMI-PRIVATE", "0120", price=2850.0,
                                 volume=21000)
    yield "ROOM AND BOARD", Item("ROOM AND BOARD ICU", "0200", price=7400.0, volume=3800)


DEPARTMENTS = (  # builder, cost center that starts the main campus's charge codes
    (rooms, "1010"), (emergency, "1450"), (clinic, "1510"), (surgery, "1360"),
    (lab, "1300"), (radiology, "1320"), (therapy, "1420"), (pharmacy, "1250"),
    (supplies, "1270"),
)
# The west campus copies the main campus's lines, but not its implants (the orthopedic
# center is at the main campus) nor the planted oddities; its cost centers start with 2.
WEST_SKIPS = frozenset({"IMPLANTS", "ROOM AND BOARD"})
BUILD_DATES = ("2016-01-01", "2018-07-01", "2019-01-01", "2020-01-01", "2021-07-01",
               "2022-01-01", "2023-01-01", "2024-01-01")


def infusion_center() -> Iterator[tuple[str, Item]]:
    """Lines the main campus's infusion center added last (so they come after every other
    line and leave the rows above where they were): drugs whose codes HCPCS 2026
    discontinues for codes of another billing unit (per dose -> 1 mg, 100 mg -> 10 mg), at
    prices set per the old unit."""
    center = "PHARMACY - INFUSION CENTER"
    yield center, Item("HYALURONAN DERIVATIVE INTRA-ARTICULAR PER DOSE", "0636", hcpcs="C9465",
                       price=1850.0, volume=140, effective="2024-01-01", main_only=True)
    yield center, Item("HYALURONAN DERIVATIVE INTRA-ARTICULAR PER DOSE (SUPPLIER B)", "0636",
                       hcpcs="C9465", price=1850.0, volume=60, effective="2024-01-01",
                       main_only=True)
    yield center, Item("ANTI-CD20 ANTIBODY 100MG/10ML VL", "0636", hcpcs="J9310", price=980.0,
                       volume=220, effective="2021-07-01", main_only=True)
    yield center, Item("ANTI-CD20 ANTIBODY 500MG/50ML VL", "0636", hcpcs="J9310", price=980.0,
                       volume=90, effective="2021-07-01", main_only=True)


def chargemaster_lines() -> list[Line]:
    """Every line, with its charge code, price, volume and dates drawn deterministically."""
    rng = random.Random(SEED)
    lines: list[Line] = []
    for campus in ("", " - WEST"):
        for build, main_center in DEPARTMENTS:
            cost_center = "2" + main_center[1:] if campus else main_center
            lines += campus_lines(build(), campus, cost_center, rng)
    lines += campus_lines(infusion_center(), "", "1260", rng)
    return lines


def campus_lines(items: Iterable[tuple[str, Item]], campus: str, cost_center: str,
                 rng: random.Random) -> list[Line]:
    """One campus's lines of one builder; four random draws per line, always."""
    lines: list[Line] = []
    for department, item in items:
        if campus and (item.main_only or department in WEST_SKIPS):
            continue
        u_price, u_volume, u_date, u_retire = (rng.random() for _ in range(4))
        price = None if item.price is None else round(item.price * (0.92 + 0.2 * u_price), 2)
        volume = None if item.volume is None else round(item.volume * (0.5 + u_volume))
        effective = item.effective or BUILD_DATES[int(u_date * len(BUILD_DATES))]
        if (item.status == "A" and not item.end and not item.effective
                and department in ("IMPLANTS", "CENTRAL SUPPLY") and u_retire < 0.04):
            item = replace(item, status="I", end="2024-12-31")  # no longer stocked
            volume = 0
        lines.append(Line(f"{cost_center}{len(lines) + 1:04d}", item, department + campus,
                          price, volume, effective))
    return lines


def us_date(iso: str) -> str:
    return f"{iso[5:7]}/{iso[8:10]}/{iso[:4]}" if iso else ""


def csv_text(rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue().encode("ascii")


def cdm_rows(lines: Sequence[Line]) -> list[list[str]]:
    rows = []
    for line in lines:
        it = line.item
        mods = [*it.mods, "", ""][:2]
        rows.append([line.charge_code, it.description, it.rev, it.cpt, it.hcpcs, *mods,
                     "" if line.price is None else f"{line.price:.2f}", line.department,
                     it.status, us_date(line.effective), us_date(it.end),
                     "" if line.volume is None else str(line.volume)])
    return rows


def cdm_csv(lines: Sequence[Line]) -> bytes:
    return csv_text([CSV_HEADER, *cdm_rows(lines)])


def excel_value(text: str) -> int | str:
    """What Excel makes of a typed value: digits without a leading zero become numbers."""
    return int(text) if text.isdigit() and not text.startswith("0") else text


def cdm_xlsx(lines: Sequence[Line]) -> bytes:
    """The same lines as another system's Excel export: title rows, house column names,
    charge codes, revenue codes and most CPT codes as numbers, real dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "CDM Export"
    for title in XLSX_TITLES:
        ws.append([title])
    ws["A1"].font = Font(bold=True)
    ws.append(list(XLSX_HEADER))
    for line in lines:
        it = line.item
        mods = [excel_value(m) if m else None for m in [*it.mods, "", ""][:2]]
        ws.append([
            int(line.charge_code), it.description, int(it.rev),
            excel_value(it.cpt) if it.cpt else None, it.hcpcs or None, *mods,
            line.price, line.department, "ACTIVE" if it.status == "A" else "INACTIVE",
            date.fromisoformat(line.effective),
            date.fromisoformat(it.end) if it.end else None, line.volume,
        ])
    for row in ws.iter_rows(min_row=len(XLSX_TITLES) + 2):
        row[7].number_format = "#,##0.00"
        row[9].number_format = row[10].number_format = "mm/dd/yyyy"
    buffer = io.BytesIO()
    book.save(buffer)
    return releases.reproducible_xlsx(buffer.getvalue())


# --------------------------------------------------------------------------------------
# Crosswalks
# --------------------------------------------------------------------------------------

# Procedure -> ICD-10-CM categories (or longer prefixes) whose billable sample codes
# support it, as a practice's own medical-necessity list would.
PROCEDURE_DIAGNOSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("10060", ("L03",)),
    ("11042", ("L03",)),
    ("20610", ("M17", "M25")),
    ("29881", ("M17", "S82")),
    ("36415", ("E11", "I10", "N18", "E03", "E78", "D50")),
    ("43239", ("K21", "R10", "D50")),
    ("45378", ("K57", "C18", "Z8601", "D50", "R10")),
    ("70450", ("R51", "G43")),
    ("71046", ("J44", "J45", "J06", "B34")),
    ("73721", ("M17", "M25", "S72", "S82")),
    ("74177", ("R10", "K57", "C18", "A08", "A09", "N39")),
    ("80053", ("E11", "I10", "N18", "E03", "E78", "Z79")),
    ("81001", ("N39", "N18", "R10")),
    ("83036", ("E11",)),
    ("85025", ("D50", "C18", "A08", "A09", "J06", "B34")),
    ("87086", ("N39",)),
    ("92014", ("H40", "E11")),
    ("93000", ("I10", "I25", "I48", "Z00")),
    ("93306", ("I25", "I48", "I10")),
    ("96372", ("J45", "M54")),
    ("97110", ("M54", "M17", "M25", "S72")),
    ("97140", ("M54", "M25")),
    ("99214", ("E11", "I10", "J44", "M54", "F32", "F41", "G47", "E78", "E03", "N18", "K21",
               "Z8601")),
    ("99283", ("A08", "A09", "R10", "R51", "J06", "J45", "L03", "S82")),
    ("0075T", ("I25",)),
    ("A4253", ("E11",)),
    ("E0601", ("G47",)),
    ("G0101", ("Z00",)),
    ("G0283", ("M54",)),
    ("J0696", ("L03", "N39", "J06")),
    ("J1030", ("M17", "M25")),
    ("J1100", ("J44", "J45")),
    ("J1885", ("M54", "R51", "R10")),
    ("J2001", ("M54",)),
    ("Q4101", ("L03",)),
)
# Planted pairs: (procedure, diagnosis as written), appended after the procedure's list.
PLANTED_PAIRS = (
    ("74177", "C83.39"),  # real FY2025 expanded it (C83390, C83398); in no sample release
    ("80053", "C83.39"),
    ("85025", "C83.39"),
    ("71046", "J45.5"),  # a header new in sample FY2026, written as if it were a code
    ("J1100", "J45.5"),
    ("93000", "I1O"),  # letter O for zero: in no release
    ("83036", "250.00"),  # an ICD-9 code: not the shape of ICD-10-CM
    ("99214", ""),  # a pair whose diagnosis was never filled in
)


# Pairs the practice added last, after every other row (so the rows above stay where they
# were): (procedure, diagnosis as written, the practice's description of it).
LATE_PAIRS = (
    # descriptions that contradict the official title: the body part (title: knee), the side
    # (title: left), the kind of condition (title: fracture)
    ("99283", "M17.11", "Osteoarthritis of hip, primary, right side"),
    ("96372", "M17.12", "Osteoarthritis of knee, primary, right side"),
    ("97140", "S72.001A", "Dislocation of right hip, initial encounter"),
    # header codes written as if they were codes: headers in both sample years, so stale
    # for years, not new this year
    ("20610", "M17.1", "Osteoarthritis of knee, primary"),
    ("70450", "R51", "Headache symptom"),
    # a U code, new in sample FY2026: a code like any other, not a malformed one
    ("99214", "U09.9", "Condition following a viral illness, unspecified"),
)
# How practices write a diagnosis's description: the official title, or capitals with the
# usual abbreviations, or the short title. Honest, one style per row in turn.
ABBREVIATED = (("without", "W/O"), ("with", "W/"), ("right", "RT"), ("left", "LT"),
               ("bilateral", "BILAT"), ("fracture", "FX"), ("unspecified", "UNSP"),
               ("encounter", "ENC"))


def dotted(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def billable_fy2025() -> list[str]:
    rows = releases.order_rows(releases.icd_fy2025())
    return [r.code for r in rows if r.billable and r.code not in NOT_IN_REAL_ICD]


def described(code: str, n: int) -> str:
    """The description a practice writes for a sample FY2025 code, in style ``n % 3``; ""
    for a code the release does not have."""
    node = releases.icd_fy2025().get(code.replace(".", "").upper())
    if node is None:
        return ""
    short, long = node.titles()
    if n % 3 == 1:
        text = long.upper()
        for word, abbreviation in ABBREVIATED:
            text = re.sub(rf"\b{word.upper()}\b", abbreviation, text)
        return text
    return short if n % 3 == 2 else long


def crosswalk_long() -> bytes:
    codes = billable_fy2025()
    planted: dict[str, list[str]] = {}
    for procedure, dx in PLANTED_PAIRS:
        planted.setdefault(procedure, []).append(dx)
    rows: list[Sequence[str]] = [("Procedure Code", "ICD-10-CM", "Diagnosis Description",
                                  "Coverage Policy")]
    for n, (procedure, prefixes) in enumerate(PROCEDURE_DIAGNOSES, 1):
        policy = f"SAMPLE-POLICY-{n:03d}"
        hcpcs = procedure[0].isalpha()
        for code in (c for c in codes if c.startswith(prefixes)):
            rows.append((procedure, code if hcpcs else dotted(code),
                         described(code, len(rows)), policy))
        rows += [(procedure, dx, described(dx, len(rows)), policy)
                 for dx in planted.get(procedure, [])]
    policies = {procedure: n for n, (procedure, _) in enumerate(PROCEDURE_DIAGNOSES, 1)}
    rows += [(procedure, dx, text, f"SAMPLE-POLICY-{policies[procedure]:03d}")
             for procedure, dx, text in LATE_PAIRS]
    return csv_text(rows)


# One procedure per row as a payer's coverage article lists them: lists, ranges, headers.
WIDE_ROWS: tuple[tuple[str, str, str], ...] = (
    ("20610", synth("ARTHROCENTESIS MAJOR JOINT"), "M17.0-M17.9, M25.0-M25.2"),
    ("29881", synth("KNEE ARTHROSCOPY W/MENISCECTOMY"), "M17.0-M17.9; S82.0-S82.1"),
    ("36415", synth("VENIPUNCTURE"), "E11.0-E11.9, I10, N18.1-N18.9, E03.9"),
    ("45378", synth("COLONOSCOPY DIAGNOSTIC"),
     "K57.0-K57.9, C18.0-C18.9, Z86.010, D50.0-D50.9"),
    ("70450", synth("CT HEAD/BRAIN W/O CONTRAST"), "R51, G43.0 thru G43.2"),
    ("71046", synth("XR CHEST 2 VIEWS"), "J44.0-J44.9, J45.0-J45.9, J06.0-J06.9, C83.39"),
    ("73721", synth("MRI LOWER EXTREMITY JOINT W/O CONTRAST"), "M17, M25.0-M25.2, S72.0-S72.1"),
    ("74177", synth("CT ABD/PELVIS W/CONTRAST"), "R10.0-R10.9; K57.0-K57.9 and C83.39"),
    ("80053", synth("METABOLIC PANEL COMPREHENSIVE"),
     "E11.0-E11.9, I10, N18.1-N18.9, E03.0-E03.9, E78.0-E78.9"),
    ("81001", synth("URINALYSIS AUTO W/MICROSCOPY"), "N39.0, N18.1-N18.9, R10.9"),
    ("83036", synth("HEMOGLOBIN A1C"), "E11.0\u2013E11.9"),  # an en dash, pasted from a document
    ("85025", synth("CBC W/AUTO DIFF"), "D50.0-D50.9\nC18.0-C18.9\nC83.39"),  # one per line
    ("92014", synth("EYE EXAM COMPREHENSIVE EST PT"), "H40.0-H40.2, E11.9"),
    ("93000", synth("ECG 12 LEAD W/INTERP"), "I10, I25.0-I25.9, I48.0-I48.9"),
    ("97110", synth("THERAPEUTIC EXERCISE EA 15 MIN"),
     "M54.0-M54.9, M17.0-M17.9, S72.001D, S72.002D"),
    ("99214", synth("OFFICE VISIT EST LVL 4"), "E11.65, E11.9, I10, Z86.010, J44.1"),
    ("99283", synth("ED VISIT LEVEL 3"), "A08.0-A09, R10.0-R10.9, L03.0-L03.3"),
    ("0075T", synth("TCAT PLACEMENT SAMPLE STENT"), "I25.0-I25.9"),
    ("A4253", "GLUCOSE TEST STRIPS", "E11.0-E11.9"),
    ("E0601", "CPAP DEVICE", "G47.0-G47.9"),
    ("J1100", "DEXAMETHASONE INJECTION", "J44.1, J45.5"),
    ("J1885", "KETOROLAC INJECTION", "M54.9, R51, R10.0-R10.9"),
    ("J2001", "LIDOCAINE IV INFUSION", "M54.0-M54.9"),
    ("Q4101", "SKIN SUBSTITUTE", "L03.0-L03.3"),
)


def crosswalk_wide() -> bytes:
    rows: list[Sequence[str]] = [("CPT/HCPCS", "Description", "Covered Diagnoses",
                                  "Coverage Policy")]
    rows += [(code, text, dx, f"SAMPLE-ARTICLE-{n:03d}")
             for n, (code, text, dx) in enumerate(WIDE_ROWS, 1)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


# --------------------------------------------------------------------------------------

def build() -> dict[str, bytes]:
    """Every sample file's name and bytes."""
    lines = chargemaster_lines()
    return {CDM_CSV: cdm_csv(lines), CDM_XLSX: cdm_xlsx(lines),
            CROSSWALK_LONG: crosswalk_long(), CROSSWALK_WIDE: crosswalk_wide()}


def main(argv: Sequence[str] = ()) -> None:
    folder = Path(argv[0]) if argv else ROOT
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in build().items():
        (folder / name).write_bytes(data)
        print(f"{folder / name}: {len(data):,} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
