"""Which code set a code belongs to, from its shape alone: the scan decides per code, not
per file, because one chargemaster mixes CPT and HCPCS lines."""

from __future__ import annotations

import numpy as np
import pandas as pd

from updater.vocabulary import CodeSystem

SHAPES = {
    # CPT: 5 digits; Category II 1234F, Category III 0042T, PLA 0001U
    CodeSystem.CPT: r"^(?:\d{5}|\d{4}[FTU])$",
    # HCPCS Level II: a letter A-V then 4 digits
    CodeSystem.HCPCS: r"^[A-V]\d{4}$",
    # ICD-10-CM: letter, digit, digit-or-letter, then up to 4 more (no dot)
    CodeSystem.ICD10CM: r"^[A-TV-Z]\d[0-9A-Z][0-9A-Z]{0,4}$",
}


def procedure_system(codes: pd.Series) -> pd.Series:
    """``cpt``, ``hcpcs`` or ``""`` (malformed) for procedure codes (normalized)."""
    cpt = codes.str.fullmatch(SHAPES[CodeSystem.CPT]).fillna(False).to_numpy(dtype=bool)
    hcpcs = codes.str.fullmatch(SHAPES[CodeSystem.HCPCS]).fillna(False).to_numpy(dtype=bool)
    return pd.Series(np.select([cpt, hcpcs], [CodeSystem.CPT.value, CodeSystem.HCPCS.value],
                               default=""), index=codes.index, dtype="str")


def is_icd10cm(codes: pd.Series) -> pd.Series:
    return codes.str.fullmatch(SHAPES[CodeSystem.ICD10CM]).fillna(False).astype(bool)
