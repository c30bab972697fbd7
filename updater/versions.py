"""Infer a release's version label and effective date from the publisher's file names.

Names change every year (``icd10cm-order-2026.txt``, ``icd10cm_order_2021.txt``,
``icd10cm-code descriptions- April 1 2023.zip``, ``HCPC17_CONTR_ANWEB.txt``), so the
rules look for a year and an update month anywhere in the names, innermost first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from updater.errors import UpdaterError
from updater.vocabulary import CodeSystem

_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_HCPCS_SHORT_YEAR = re.compile(r"HCPC(?:S)?_?(\d{2})(?!\d)", re.IGNORECASE)
_MONTHS = {
    "april": 4, "apr": 4, "july": 7, "jul": 7, "october": 10, "oct": 10,
    "january": 1, "jan": 1,
}
_MONTH = re.compile(r"(?<![a-z])(january|jan|april|apr|july|jul|october|oct)(?![a-z])",
                    re.IGNORECASE)
_MONTH_LABEL = {1: "", 4: "-April", 7: "-July", 10: "-October"}


def _year_in(name: str, system: CodeSystem) -> int | None:
    years = {int(y) for y in _YEAR.findall(name)}
    if len(years) == 1:
        return years.pop()
    if not years and system is CodeSystem.HCPCS:
        m = _HCPCS_SHORT_YEAR.search(name)
        if m:
            return 2000 + int(m.group(1))
    return None


def _month_in(name: str) -> int | None:
    months = {_MONTHS[m.lower()] for m in _MONTH.findall(name.replace("_", " "))}
    return months.pop() if len(months) == 1 else None


def infer_version(system: CodeSystem, names: Iterable[str]) -> tuple[str, date] | None:
    """Version label and effective date from file names (innermost name first), or None.

    ICD-10-CM: ``2025`` -> FY2025 effective 2024-10-01; ``April ... 2023`` -> FY2023-April
    effective 2023-04-01. HCPCS and CPT: ``2018`` -> 2018 effective 2018-01-01; a quarter
    named in the file (April, July, October) -> ``2018-April`` effective 2018-04-01.
    """
    for name in names:
        base = name.replace("\\", "/")
        year = _year_in(base, system)
        if year is None:
            continue
        month = _month_in(base)
        if system is CodeSystem.ICD10CM:
            if month == 4:
                return f"FY{year}-April", date(year, 4, 1)
            if month == 10:  # "effective October 2025" is the start of FY2026
                return f"FY{year + 1}", date(year, 10, 1)
            return f"FY{year}", date(year - 1, 10, 1)
        month = month or 1
        return f"{year}{_MONTH_LABEL.get(month, f'-{month:02d}')}", date(year, month, 1)
    return None


def quarter_start(day: date) -> date:
    """The first day of the calendar quarter ``day`` falls in (HCPCS updates are quarterly)."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _hcpcs_with_content(inferred: tuple[str, date] | None,
                        content: date) -> tuple[str, date] | None:
    """HCPCS: the names decide the year and, when they name one, the quarter; the dates of
    the file's own changes decide the quarter otherwise (a bare ``anweb.xlsx``, or a name
    with the year only), and everything when the names say nothing."""
    quarter = quarter_start(content)
    if inferred is None or (inferred[1].month == 1 and inferred[1].year == quarter.year):
        return version_for_effective(CodeSystem.HCPCS, quarter), quarter
    return inferred


def version_for_effective(system: CodeSystem, effective: date) -> str:
    """The conventional label for a release effective on ``effective``."""
    if system is CodeSystem.ICD10CM:
        if effective.month >= 10:
            return f"FY{effective.year + 1}"
        if effective.month >= 4:
            return f"FY{effective.year}-April"
        return f"FY{effective.year}"
    return f"{effective.year}{_MONTH_LABEL.get(effective.month, f'-{effective.month:02d}')}"


def parse_date(text: str, *, what: str = "date") -> date:
    """A user-supplied ISO date, with a message that says what was expected."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UpdaterError(f"{what} {text!r} is not a date",
                           hint="write it as YYYY-MM-DD, e.g. 2025-10-01") from None


def resolve_version(
    system: CodeSystem,
    names: list[str],
    *,
    version: str | None = None,
    effective: date | None = None,
    file: str,
    content: date | None = None,
) -> tuple[str, date]:
    """Apply the user's --version / --effective over what the names (and, for HCPCS, the
    dates of the file's changes, ``content``) say."""
    inferred = infer_version(system, names)
    if content is not None and system is CodeSystem.HCPCS:
        inferred = _hcpcs_with_content(inferred, content)
    if effective is None and inferred is None:
        raise UpdaterError(
            f"cannot infer the {system.label} release's effective date from the file names "
            f"({', '.join(names)})",
            file=file,
            hint="give it with --effective YYYY-MM-DD (and --label LABEL if you like)",
        )
    if effective is None:
        assert inferred is not None
        effective = inferred[1]
        label = version or inferred[0]
    else:
        label = version or version_for_effective(system, effective)
    return label, effective
