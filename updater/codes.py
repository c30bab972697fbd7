"""Code spelling: how people write codes versus how publishers store them."""

from __future__ import annotations

import pandas as pd

from updater.vocabulary import CodeSystem


def normalize_code(code: str) -> str:
    """``m17.11`` -> ``M1711``: upper case, no dot, no surrounding blanks."""
    return code.strip().upper().replace(".", "")


def display_code(code: str, system: CodeSystem) -> str:
    """One code as :func:`display_codes` writes it, for a template filter: a pandas call
    per code would cost milliseconds each on a page of thousands."""
    if system is not CodeSystem.ICD10CM or len(code) <= 3:
        return code
    return f"{code[:3]}.{code[3:]}"


def display_codes(codes: pd.Series, system: CodeSystem) -> pd.Series:
    """ICD-10-CM codes with the dot after the third character (``M1711`` -> ``M17.11``)."""
    if system is not CodeSystem.ICD10CM:
        return codes
    long = codes.str.len() > 3
    return codes.where(~long, codes.str.slice(0, 3) + "." + codes.str.slice(3))
