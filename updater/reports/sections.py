"""Where a code sits in its code set: ICD-10-CM chapters, CPT sections and subsections,
HCPCS Level II letter ranges, all by code range (the public structure of each code set;
names are short descriptions of our own, not publisher text).

A code is placed by comparing its first characters with the range bounds as strings,
which for these fixed-shape codes is the publisher's own order (``O9A`` sorts after
``O99``, ``27899`` after ``27000``), vectorised with ``searchsorted``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from updater.vocabulary import CodeSystem


@dataclass(frozen=True)
class Section:
    """A code range with a name, e.g. ``M00``-``M99`` musculoskeletal."""

    start: str
    end: str
    name: str

    @property
    def span(self) -> str:
        return self.start if self.start == self.end else f"{self.start}-{self.end}"

    @property
    def label(self) -> str:
        return f"{self.span} {self.name}"


def _sections(rows: list[tuple[str, str, str]]) -> tuple[Section, ...]:
    return tuple(Section(a, b, n) for a, b, n in rows)


# ICD-10-CM chapters by 3-character category.
ICD10CM_CHAPTERS = _sections([
    ("A00", "B99", "Infectious and parasitic diseases"),
    ("C00", "D49", "Neoplasms"),
    ("D50", "D89", "Blood and immune mechanism"),
    ("E00", "E89", "Endocrine, nutritional and metabolic"),
    ("F01", "F99", "Mental, behavioral and neurodevelopmental"),
    ("G00", "G99", "Nervous system"),
    ("H00", "H59", "Eye and adnexa"),
    ("H60", "H95", "Ear and mastoid process"),
    ("I00", "I99", "Circulatory system"),
    ("J00", "J99", "Respiratory system"),
    ("K00", "K95", "Digestive system"),
    ("L00", "L99", "Skin and subcutaneous tissue"),
    ("M00", "M99", "Musculoskeletal and connective tissue"),
    ("N00", "N99", "Genitourinary system"),
    ("O00", "O9A", "Pregnancy, childbirth and the puerperium"),
    ("P00", "P96", "Perinatal conditions"),
    ("Q00", "Q99", "Congenital malformations"),
    ("R00", "R99", "Symptoms, signs, abnormal findings"),
    ("S00", "T88", "Injury, poisoning, other external consequences"),
    ("U00", "U85", "Codes for special purposes"),
    ("V00", "Y99", "External causes of morbidity"),
    ("Z00", "Z99", "Factors influencing health status"),
])

# CPT sections by 5-character code (Category II/III, PLA and MAAA codes by their suffix).
CPT_SECTIONS = _sections([
    ("00100", "01999", "Anesthesia"),
    ("10004", "69990", "Surgery"),
    ("70010", "79999", "Radiology"),
    ("80047", "89398", "Pathology and laboratory"),
    ("90281", "99199", "Medicine"),
    ("99202", "99499", "Evaluation and management"),
    ("99500", "99607", "Medicine (home health, medication therapy)"),
])

CPT_SUBSECTIONS = _sections([
    ("00100", "01999", "Anesthesia"),
    ("10004", "19499", "Surgery: integumentary system"),
    ("20100", "29999", "Surgery: musculoskeletal system"),
    ("30000", "32999", "Surgery: respiratory system"),
    ("33016", "37799", "Surgery: cardiovascular system"),
    ("38100", "38999", "Surgery: hemic and lymphatic systems"),
    ("39000", "39599", "Surgery: mediastinum and diaphragm"),
    ("40490", "49999", "Surgery: digestive system"),
    ("50010", "53899", "Surgery: urinary system"),
    ("54000", "55899", "Surgery: male genital system"),
    ("55920", "55980", "Surgery: reproductive system and intersex"),
    ("56405", "58999", "Surgery: female genital system"),
    ("59000", "59899", "Surgery: maternity care and delivery"),
    ("60000", "60699", "Surgery: endocrine system"),
    ("61000", "64999", "Surgery: nervous system"),
    ("65091", "68899", "Surgery: eye and ocular adnexa"),
    ("69000", "69979", "Surgery: auditory system"),
    ("69990", "69990", "Surgery: operating microscope"),
    ("70010", "76499", "Radiology: diagnostic imaging"),
    ("76506", "76999", "Radiology: diagnostic ultrasound"),
    ("77001", "77022", "Radiology: radiologic guidance"),
    ("77046", "77067", "Radiology: breast imaging"),
    ("77071", "77092", "Radiology: bone and joint studies"),
    ("77261", "77799", "Radiology: radiation oncology"),
    ("78012", "79999", "Radiology: nuclear medicine"),
    ("80047", "80081", "Laboratory: organ or disease panels"),
    ("80143", "80377", "Laboratory: drug assay and testing"),
    ("80400", "80439", "Laboratory: evocative and suppression testing"),
    ("80503", "80506", "Laboratory: pathology consultations"),
    ("81000", "81099", "Laboratory: urinalysis"),
    ("81105", "81599", "Laboratory: molecular pathology and MAAA"),
    ("82009", "84999", "Laboratory: chemistry"),
    ("85002", "85999", "Laboratory: hematology and coagulation"),
    ("86000", "86849", "Laboratory: immunology"),
    ("86850", "86999", "Laboratory: transfusion medicine"),
    ("87003", "87999", "Laboratory: microbiology"),
    ("88000", "88099", "Laboratory: anatomic pathology"),
    ("88104", "88199", "Laboratory: cytopathology"),
    ("88230", "88299", "Laboratory: cytogenetic studies"),
    ("88300", "88399", "Laboratory: surgical pathology"),
    ("88720", "88749", "Laboratory: in vivo studies"),
    ("89049", "89398", "Laboratory: other procedures and reproductive medicine"),
    ("90281", "90399", "Medicine: immune globulins"),
    ("90460", "90749", "Medicine: immunizations and vaccines"),
    ("90785", "90899", "Medicine: psychiatry"),
    ("90901", "90913", "Medicine: biofeedback"),
    ("90935", "90999", "Medicine: dialysis"),
    ("91010", "91299", "Medicine: gastroenterology"),
    ("92002", "92499", "Medicine: ophthalmology"),
    ("92502", "92700", "Medicine: otorhinolaryngology"),
    ("92920", "93799", "Medicine: cardiovascular"),
    ("93880", "93998", "Medicine: noninvasive vascular studies"),
    ("94002", "94799", "Medicine: pulmonary"),
    ("95004", "95199", "Medicine: allergy and immunology"),
    ("95249", "95999", "Medicine: endocrinology and neurology"),
    ("96000", "96004", "Medicine: motion analysis"),
    ("96020", "96171", "Medicine: neuropsychological and health behavior"),
    ("96360", "96549", "Medicine: drug administration and chemotherapy"),
    ("96567", "96999", "Medicine: photodynamic therapy and dermatology"),
    ("97010", "97799", "Medicine: physical medicine and rehabilitation"),
    ("97802", "97804", "Medicine: medical nutrition therapy"),
    ("97810", "97814", "Medicine: acupuncture"),
    ("98925", "98929", "Medicine: osteopathic manipulative treatment"),
    ("98940", "98943", "Medicine: chiropractic manipulative treatment"),
    ("98960", "98999", "Medicine: education and non-face-to-face services"),
    ("99000", "99199", "Medicine: special services and reports"),
    ("99202", "99499", "Evaluation and management"),
    ("99500", "99607", "Medicine: home health and medication therapy"),
])

# CPT codes by suffix: Category II (F), Category III (T), PLA (U), MAAA (M).
CPT_SUFFIXES = {"F": "Category II (performance measures)", "T": "Category III (emerging)",
                "U": "Proprietary laboratory analyses", "M": "Multianalyte assays (MAAA)"}

HCPCS_LETTERS = _sections([
    ("A0000", "A9999", "Transportation, supplies, miscellaneous"),
    ("B0000", "B9999", "Enteral and parenteral therapy"),
    ("C0000", "C9999", "Outpatient PPS (temporary)"),
    ("D0000", "D9999", "Dental procedures"),
    ("E0000", "E9999", "Durable medical equipment"),
    ("G0000", "G9999", "Procedures and professional services (temporary)"),
    ("H0000", "H9999", "Behavioral health and substance use services"),
    ("J0000", "J9999", "Drugs administered other than orally"),
    ("K0000", "K9999", "DME MAC temporary codes"),
    ("L0000", "L9999", "Orthotics and prosthetics"),
    ("M0000", "M9999", "Medical services and quality measures"),
    ("P0000", "P9999", "Pathology and laboratory"),
    ("Q0000", "Q9999", "Temporary codes"),
    ("R0000", "R9999", "Diagnostic radiology"),
    ("S0000", "S9999", "Temporary national codes (non-Medicare)"),
    ("T0000", "T9999", "State Medicaid agency codes"),
    ("U0000", "U9999", "Laboratory tests (public health emergency)"),
    ("V0000", "V9999", "Vision, hearing and speech-language"),
])

HCPCS_RANGES = _sections([
    ("A0000", "A0999", "Ambulance and transportation"),
    ("A2000", "A8999", "Medical and surgical supplies"),
    ("A9000", "A9999", "Miscellaneous and radiopharmaceuticals"),
    ("B0000", "B9999", "Enteral and parenteral therapy"),
    ("C0000", "C9999", "Outpatient PPS (temporary)"),
    ("D0000", "D9999", "Dental procedures"),
    ("E0000", "E9999", "Durable medical equipment"),
    ("G0000", "G9999", "Procedures and professional services (temporary)"),
    ("H0000", "H9999", "Behavioral health and substance use services"),
    ("J0000", "J8499", "Drugs other than chemotherapy"),
    ("J8500", "J8999", "Oral anticancer and antiemetic drugs"),
    ("J9000", "J9999", "Chemotherapy drugs"),
    ("K0000", "K9999", "DME MAC temporary codes"),
    ("L0000", "L4999", "Orthotics"),
    ("L5000", "L9999", "Prosthetics"),
    ("M0000", "M9999", "Medical services and quality measures"),
    ("P0000", "P9999", "Pathology and laboratory"),
    ("Q0000", "Q9999", "Temporary codes"),
    ("R0000", "R9999", "Diagnostic radiology"),
    ("S0000", "S9999", "Temporary national codes (non-Medicare)"),
    ("T0000", "T9999", "State Medicaid agency codes"),
    ("U0000", "U9999", "Laboratory tests (public health emergency)"),
    ("V0000", "V2999", "Vision services"),
    ("V5000", "V5999", "Hearing services"),
    ("V6000", "V9999", "Speech-language services"),
])

OTHER = "other"


def place(codes: pd.Series, sections: tuple[Section, ...]) -> pd.Series:
    """The label of the section each code falls in (``other`` when none), by comparing the
    code's first characters with the bounds: one ``searchsorted`` for the whole column."""
    if codes.empty:
        return pd.Series([], index=codes.index, dtype="str")
    width = len(sections[0].start)
    keys = codes.astype("str").str.upper().str.slice(0, width).to_numpy(dtype=object)
    starts = np.array([s.start for s in sections], dtype=object)
    ends = np.array([s.end for s in sections], dtype=object)
    labels = np.array([s.label for s in sections] + [OTHER], dtype=object)
    at = np.searchsorted(starts, keys, side="right") - 1
    inside = (at >= 0) & (keys <= ends[np.clip(at, 0, None)])
    return pd.Series(labels[np.where(inside, at, len(sections))], index=codes.index,
                     dtype="str")


def _cpt(codes: pd.Series, sections: tuple[Section, ...]) -> pd.Series:
    out = place(codes, sections)
    suffix = codes.astype("str").str.slice(4, 5)
    for letter, name in CPT_SUFFIXES.items():
        out = out.mask(suffix == letter, f"0000{letter}-9999{letter} {name}")
    return out


def section_of(codes: pd.Series, system: CodeSystem) -> pd.Series:
    """The broad part of the code set each code belongs to: ICD-10-CM chapter, CPT
    section, HCPCS letter; ``other`` for a custom code set or a code outside them."""
    if system is CodeSystem.ICD10CM:
        return place(codes, ICD10CM_CHAPTERS)
    if system is CodeSystem.CPT:
        return _cpt(codes, CPT_SECTIONS)
    if system is CodeSystem.HCPCS:
        return place(codes, HCPCS_LETTERS)
    return pd.Series(OTHER, index=codes.index, dtype="str")


def category_of(codes: pd.Series, system: CodeSystem) -> pd.Series:
    """The narrow group a coder reads a change in: the ICD-10-CM 3-character category
    (``M17``), the CPT subsection, the HCPCS range."""
    if system is CodeSystem.ICD10CM:
        return codes.astype("str").str.slice(0, 3)
    if system is CodeSystem.CPT:
        return _cpt(codes, CPT_SUBSECTIONS)
    if system is CodeSystem.HCPCS:
        return place(codes, HCPCS_RANGES)
    return pd.Series(OTHER, index=codes.index, dtype="str")


def sections_for(system: CodeSystem) -> tuple[Section, ...]:
    """The broad sections of a code system, in code order."""
    return {CodeSystem.ICD10CM: ICD10CM_CHAPTERS, CodeSystem.CPT: CPT_SECTIONS,
            CodeSystem.HCPCS: HCPCS_LETTERS}.get(system, ())
