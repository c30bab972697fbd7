"""Code spelling: how people write codes versus how publishers store them.

The one rule: a code is stored normalized (upper case, no dot: ``M1711``) and written the
way the file it goes into writes its codes. Only ICD-10-CM has a choice: the dot after the
third character (``M17.11``), which the publishers' display and most crosswalks use, or
none (``M1711``), as the publishers' data files and some crosswalks store them. A file's
way is decided by its own ICD-10-CM cells long enough to show it (more than three
characters): most of them with the dot, or most without; a file that does not tell (only
three-character codes, or none) gets the display spelling, with the dot. A single cell
that tells (``M54.5``, ``E119``) decides for the codes written in its place.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from updater.vocabulary import CodeSystem

DOTTED = "dotted"  # ICD-10-CM written M17.11
PLAIN = "plain"  # ICD-10-CM written M1711
SPELLINGS = (DOTTED, PLAIN)


_EXCEL_INTEGER = re.compile(r"^(\d+)\.0+$")  # 99213.0: a number through Excel or pandas
_BLANKS_AND_DOTS = re.compile(r"[\s.]")


def normalize_code(code: object) -> str:
    """A code as written -> as stored and compared: ``m17.11`` -> ``M1711``, ``99213.0``
    -> ``99213`` (a number that went through Excel or pandas), ``" E11.9 "`` -> ``E119``:
    surrounding blanks off, an Excel integer back to its digits, every dot and white space
    out, upper case. None or a NaN (a pandas blank) -> ``""``. The one rule; its column
    form is ``updater.files.tables.normalize_codes`` (same answers, tested together)."""
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return ""
    text = _EXCEL_INTEGER.sub(r"\1", str(code).strip())
    return _BLANKS_AND_DOTS.sub("", text).upper()


def _is_icd(system: CodeSystem | str) -> bool:
    return str(system) == CodeSystem.ICD10CM.value


def spell_code(code: str, system: CodeSystem | str, spelling: str = DOTTED) -> str:
    """A normalized code as a file with ``spelling`` (``dotted`` or ``plain``) writes it;
    only ICD-10-CM codes longer than three characters change. Plain Python, for one code
    at a time (a template filter, a patched cell)."""
    if not _is_icd(system) or spelling == PLAIN or len(code) <= 3 or "." in code:
        return code
    return f"{code[:3]}.{code[3:]}"


def spell_codes(codes: pd.Series, system: CodeSystem | str,
                spelling: str = DOTTED) -> pd.Series:
    """:func:`spell_code` on a column (``M1711`` -> ``M17.11`` when dotted)."""
    if not _is_icd(system) or spelling == PLAIN:
        return codes
    long = (codes.str.len() > 3) & ~codes.str.contains(".", regex=False)
    return codes.where(~long, codes.str.slice(0, 3) + "." + codes.str.slice(3))


# a normalized ICD-10-CM code longer than three characters inside a list "M1711,M1712"
_ICD_IN_LIST = r"(?<![0-9A-Z.])([A-Z][0-9][0-9A-Z])([0-9A-Z]{1,4})(?![0-9A-Z.])"


def spell_code_lists(lists: pd.Series, system: CodeSystem | str,
                     spelling: str = DOTTED) -> pd.Series:
    """Comma-separated lists of normalized codes (``M1711,M1712``), each code spelled
    as :func:`spell_code` spells it."""
    if not _is_icd(system) or spelling == PLAIN:
        return lists
    return lists.str.replace(_ICD_IN_LIST, r"\1.\2", regex=True)


def display_code(code: str, system: CodeSystem) -> str:
    """One code as people read it (the publishers' display: ``M17.11``)."""
    return spell_code(code, system, DOTTED)


def display_codes(codes: pd.Series, system: CodeSystem) -> pd.Series:
    """ICD-10-CM codes with the dot after the third character (``M1711`` -> ``M17.11``)."""
    return spell_codes(codes, system, DOTTED)


def cell_spelling(written: str) -> str:
    """How one ICD-10-CM cell as written spells its code: ``dotted``, ``plain``, or ``""``
    when it cannot tell (three characters or fewer: ``M54``, ``I10``)."""
    text = written.strip()
    if len(text.replace(".", "")) <= 3:
        return ""
    return DOTTED if text[3:4] == "." else PLAIN


def file_spelling(cells: Iterable[str] | pd.Series) -> str:
    """How a file's ICD-10-CM cells (as written) spell codes: ``dotted`` or ``plain`` by
    the majority of its distinct cells that tell (a tie, or no cell that tells:
    ``dotted``). A cell holding a list or a range (``M17.0-M17.9``) tells by its first
    code. Distinct cells first: a crosswalk of 10,000,000 pairs has a few thousand."""
    values = cells if isinstance(cells, pd.Series) else pd.Series(list(cells), dtype=object)
    distinct = pc.unique(pa.array(values.astype(str), type=pa.string(), from_pandas=True))
    column = pd.Series(distinct.to_pylist(), dtype=object).fillna("").astype(str).str.strip()
    first = column.str.split(r"[,;\s]|(?<=\S)-", n=1, regex=True).str[0].fillna("")
    tells = first.str.replace(".", "", regex=False).str.len() > 3
    dotted = int((tells & (first.str.slice(3, 4) == ".")).sum())
    plain = int(tells.sum()) - dotted
    return PLAIN if plain > dotted else DOTTED


def spell_like(code: str, system: CodeSystem | str, written: str, spelling: str) -> str:
    """A code written in place of ``written`` (a cell of a file whose way is
    ``spelling``): as that cell spells codes when it tells, else as the file does."""
    return spell_code(code, system, cell_spelling(written) or spelling or DOTTED)


def unspell_codes(codes: pd.Series, system: pd.Series | CodeSystem | str) -> pd.Series:
    """Spelled ICD-10-CM codes back to their stored form (``M17.11`` -> ``M1711``); other
    code systems' cells are left exactly as they are."""
    icd = (system == CodeSystem.ICD10CM.value) if isinstance(system, pd.Series) else (
        pd.Series(_is_icd(system), index=codes.index))
    return codes.where(~icd.to_numpy(dtype=bool), codes.str.replace(".", "", regex=False))
