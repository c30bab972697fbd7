"""What a code of each code set may look like: the one pre-filter, used everywhere.

A shape only turns away obvious garbage (``250.00`` in an ICD-10-CM column, ``9921`` in a
CPT column); whether a value *is* a code is answered by the release (is it in the release
table?). So every shape here accepts every code of every release ever shipped, and the
next year's new shape too: ICD-10-CM is a letter and then 2 to 6 letters or digits (FY2026
opened ``QA0``, ``QA00101``; ``U07.1`` and ``U09.9`` are codes), HCPCS Level II a letter
and 4 digits, CPT 4 digits and a digit, ``F`` (Category II), ``T`` (Category III) or ``U``
(PLA). The scan decides per code, not per file, because one chargemaster mixes CPT and
HCPCS lines.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from updater.vocabulary import CodeSystem

# The bare patterns (normalized codes: upper case, no dot), to compose into others.
ICD10CM_PATTERN = r"[A-Z][0-9A-Z]{2,6}"
HCPCS_PATTERN = r"[A-Z][0-9]{4}"
CPT_PATTERN = r"[0-9]{4}[0-9FTU]"
PATTERNS = {CodeSystem.ICD10CM: ICD10CM_PATTERN, CodeSystem.HCPCS: HCPCS_PATTERN,
            CodeSystem.CPT: CPT_PATTERN}
# Anchored, for ``str.fullmatch`` / ``re.match`` on one normalized code.
SHAPES = {system: f"^(?:{pattern})$" for system, pattern in PATTERNS.items()}
COMPILED = {system: re.compile(shape) for system, shape in SHAPES.items()}
# An ICD-10-CM code among words a person typed (a --focus range, a note): the shape, and at
# least one digit, so that a word such as KNEE is not taken for a code.
ICD10CM_TYPED = r"(?=[0-9A-Z]*[0-9])" + ICD10CM_PATTERN
# An ICD-10-CM code as people write it inside free text (a conversion table's "Previous
# Code(s)" cell, a coverage article's list): the dot after the third character optional,
# and at least one digit, so that the words around it (``Codes in Categories``, ``None``)
# are never taken for codes.
ICD10CM_WRITTEN = r"\b(?=[A-Z0-9.]*[0-9])[A-Z][0-9A-Z]{2}(?:\.?[0-9A-Z]{1,4})?\b"


def has_shape(code: str, system: CodeSystem) -> bool:
    """One normalized code against its code set's shape (the scalar twin of the columns
    below)."""
    shape = COMPILED.get(system)
    return shape is not None and shape.match(code) is not None


def matches(codes: pd.Series, system: CodeSystem) -> pd.Series:
    """Per normalized code, whether it has the shape of a ``system`` code."""
    return codes.str.fullmatch(SHAPES[system]).fillna(False).astype(bool)


def procedure_system(codes: pd.Series) -> pd.Series:
    """``cpt``, ``hcpcs`` or ``""`` (malformed) for procedure codes (normalized)."""
    cpt = matches(codes, CodeSystem.CPT).to_numpy(dtype=bool)
    hcpcs = matches(codes, CodeSystem.HCPCS).to_numpy(dtype=bool)
    return pd.Series(np.select([cpt, hcpcs], [CodeSystem.CPT.value, CodeSystem.HCPCS.value],
                               default=""), index=codes.index, dtype="str")


def is_icd10cm(codes: pd.Series) -> pd.Series:
    """Per normalized code, whether it has the shape of an ICD-10-CM code."""
    return matches(codes, CodeSystem.ICD10CM)
