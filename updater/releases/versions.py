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
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
_MONTHS = {**{m.lower(): i for i, m in enumerate(_MONTH_NAMES, 1)},
           **{m[:3].lower(): i for i, m in enumerate(_MONTH_NAMES, 1)}, "sept": 9}
_MONTH = re.compile(r"(?<![a-z])(" + "|".join(sorted(_MONTHS, key=len, reverse=True))
                    + r")(?![a-z])", re.IGNORECASE)


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


def month_label(month: int) -> str:
    """``-April`` for a release effective in April; "" for the month a year starts in."""
    return "" if month == 1 else f"-{_MONTH_NAMES[month - 1]}"


def _label(system: CodeSystem, year: int, month: int | None) -> tuple[str, date]:
    """The label and effective date of a release named with ``year`` (for ICD-10-CM the
    fiscal year when no month is named) and ``month``."""
    if system is CodeSystem.ICD10CM:
        if month is None:
            return f"FY{year}", date(year - 1, 10, 1)
        return version_for_effective(system, date(year, month, 1)), date(year, month, 1)
    month = month or 1
    return f"{year}{month_label(month)}", date(year, month, 1)


def _period(system: CodeSystem, year: int, month: int | None) -> int:
    """The year a named release belongs to (ICD-10-CM: its fiscal year)."""
    if system is CodeSystem.ICD10CM and month is not None and month >= 10:
        return year + 1
    return year


def infer_version(system: CodeSystem, names: Iterable[str], hints: Iterable[str] = ()
                  ) -> tuple[str, date] | None:
    """Version label and effective date from file names (innermost name first), or None.

    The innermost name with one year gives the year; the month is the one that name
    gives, else the one an outer name (the zip's) or a ``hint`` (another file of the same
    zip, the file the publisher's change list says it counts to) gives with the same year.
    So ``icd10cm_order_addenda_2022.txt`` inside ``April-2022.zip`` is the April update.

    ICD-10-CM: ``2025`` -> FY2025 effective 2024-10-01; ``April ... 2023`` -> FY2023-April
    effective 2023-04-01; ``Jan 2021`` -> FY2021-January effective 2021-01-01 (any month:
    the fiscal year that holds it, then the month's name); ``October 2025`` -> FY2026.
    HCPCS and CPT: ``2018`` -> 2018 effective 2018-01-01; a month named in the file
    (April, July, October ...) -> ``2018-April`` effective 2018-04-01.
    """
    names = [n.replace("\\", "/") for n in names]
    for i, name in enumerate(names):
        year = _year_in(name, system)
        if year is None:
            continue
        month = _month_in(name)
        if month is None:
            period = _period(system, year, None)
            for other in [*names[i + 1:], *hints]:
                other_year, other_month = _year_in(other, system), _month_in(other)
                if other_year is not None and other_month is not None and _period(
                        system, other_year, other_month) == period:
                    year, month = other_year, other_month
                    break
        return _label(system, year, month)
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
    """The conventional label for a release effective on ``effective``: ICD-10-CM the
    fiscal year (October 1 starts the next one) and, for an update in any other month,
    the month's name (``FY2021-January``, ``FY2023-April``); other code sets the year and
    the month after January (``2020-April``)."""
    if system is CodeSystem.ICD10CM:
        fiscal = effective.year + 1 if effective.month >= 10 else effective.year
        suffix = "" if effective.month == 10 else f"-{_MONTH_NAMES[effective.month - 1]}"
        return f"FY{fiscal}{suffix}"
    return f"{effective.year}{month_label(effective.month)}"


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
    hints: Iterable[str] = (),
    content: date | None = None,
) -> tuple[str, date]:
    """Apply the user's --version / --effective over what the names (with ``hints``: other
    names that may give the month) and, for HCPCS, the dates of the file's changes
    (``content``) say."""
    inferred = infer_version(system, names, hints)
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
