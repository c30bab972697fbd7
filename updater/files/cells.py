"""Cell cleaning: a workbook cell (as calamine or openpyxl gives it) as text."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta


def cell_text(value: object) -> str:
    """A workbook cell as the text a person sees: text trimmed (no-break spaces too),
    ``99214.0`` -> ``99214``, other floats as Python writes them, dates ISO (a datetime at
    midnight as its date, else ``YYYY-MM-DD HH:MM:SS``), booleans ``TRUE``/``FALSE``,
    None ``""``. The one rule for every reader of workbook cells."""
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value).strip()
