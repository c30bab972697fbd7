"""The CDC's ICD-10-CM conversion table: for each code added since FY2016, the code(s)
that were used for the same thing before it.

The table (``ICD-10-CM-Conversion-Table-FY2025...xlsx``) is cumulative: every yearly
edition repeats all earlier years. Its columns are ``Current code assignment``,
``Effective`` and ``Previous Code(s) Assignment``; the header sits under a title row, so
it is found by its names. ``Effective`` is a year for the October update of that
calendar year (``2024`` = October 1, 2024 = FY2025) and a date for the off-cycle updates
(``2023-04-01`` = FY2023-April, ``2021-01-01``, ``2020-04-01``). The previous-code cell is
free text written by hand: ``C56.1 and C56.2``, ``G93.3; R53.82``, ``H35.20-H35.23``,
``I63.-`` (a whole category), ``Codes in Categories T15-T19``, ``None``.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from updater.codeshapes import ICD10CM_WRITTEN, has_shape
from updater.errors import UpdaterError
from updater.files.tables import HEADER_ROWS, first_rows, locate_header, open_table
from updater.files.workbooks import open_workbook
from updater.releases.readers.generic_table import key
from updater.releases.versions import version_for_effective
from updater.vocabulary import CodeSystem

# Columns of the table read_conversion_table returns (one row per previous code).
CURRENT = "current"  # the new code, no dot
EFFECTIVE_YEAR = "effective_year"  # the year as published (2024 for the FY2025 update)
EFFECTIVE = "effective"  # ISO date the current code took effect: 2024-10-01, 2023-04-01
PREVIOUS = "previous"  # a previous code, no dot (the first code of a range)
PREVIOUS_TO = "previous_to"  # last code of a range (I63.- gives I63 .. I63); "" for one code
TABLE = "table"  # the edition, named after its newest update: "FY2025", "FY2023-April"
FILE = "file"
ROW = "row"  # spreadsheet row, as Excel shows it
CONVERSION_COLUMNS = (CURRENT, EFFECTIVE_YEAR, EFFECTIVE, PREVIOUS, PREVIOUS_TO, TABLE, FILE,
                      ROW)

_HINT = ("is this the CDC ICD-10-CM conversion table (ICD-10-CM-Conversion-Table-FYyyyy.xlsx)? "
         "re-download it from the CDC's ICD-10-CM files page")
# A code, a range of codes, or a category written with a trailing dash (I63.-, R11-).
_ITEM = re.compile(rf"(?P<lo>{ICD10CM_WRITTEN})(?:\s*-\s*(?P<hi>{ICD10CM_WRITTEN})|(?P<cat>\.?-))?")
_XLSX_MARKERS = (b"Current code assignment", b"Previous Code")


@dataclass(frozen=True)
class SkippedRow:
    """A row of a publisher's table that could not be read: reported, then left out (one
    hand-typed cell never stops a run)."""

    file: str
    row: int  # as the spreadsheet shows it
    reason: str

    def __str__(self) -> str:
        return f"{self.file} row {self.row}: {self.reason}; the row was skipped"


def _header_at(rows: Sequence[Sequence[Any]]) -> tuple[int, int, int, int] | None:
    """(row index, current, effective, previous column) of the header, found by its names."""
    for i, row in enumerate(rows[:HEADER_ROWS]):
        keys = [key(str(v)) if v is not None else "" for v in row]
        current = next((j for j, k in enumerate(keys) if k.startswith("currentcode")), None)
        effective = next((j for j, k in enumerate(keys) if k.startswith("effective")), None)
        previous = next((j for j, k in enumerate(keys) if k.startswith("previouscode")), None)
        if current is not None and effective is not None and previous is not None:
            return i, current, effective, previous
    return None


def _effective(value: Any) -> date | None:
    """The date an update took effect: a year means October 1 of that year."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        year = int(value)
        return date(year, 10, 1) if value == year and 2000 < year < 2100 else None
    text = str(value or "").strip()
    if re.fullmatch(r"20\d\d(?:\.0)?", text):
        return date(int(text[:4]), 10, 1)
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y"):
        try:
            return datetime.strptime(text.split(" ")[0], fmt).date()
        except ValueError:
            continue
    return None


def split_previous(cell: str) -> list[tuple[str, str]]:
    """The previous codes a cell names, as (code, range end) pairs without dots:
    ``C56.1 and C56.2`` -> [(C561, ""), (C562, "")]; ``H35.20-H35.23`` -> [(H3520, H3523)];
    ``I63.-`` -> [(I63, I63)]; ``None`` -> []."""
    found = []
    for m in _ITEM.finditer(cell.upper()):
        lo = m.group("lo").replace(".", "")
        if m.group("hi"):
            found.append((lo, m.group("hi").replace(".", "")))
        elif m.group("cat"):
            found.append((lo, lo))
        else:
            found.append((lo, ""))
    return found


def _workbook_rows(path: Path) -> list[list[Any]]:
    """The rows of the first sheet with the table's header (else of the first sheet)."""
    book = open_workbook(path, path, hint=_HINT)
    found = book.sheet_with(lambda rows: _header_at(rows) is not None)
    if found is not None:
        return found[0]
    return book.rows(0) if book.sheet_names else []


def _text_rows(path: Path) -> list[list[Any]]:
    """The rows of a CSV or TSV export, read by ``updater.files.tables`` (decoding, any
    delimiter, the header row under the titles): blank rows in place of the titles, then
    the header row and the rows under it, as text."""
    file = open_table(path, empty_hint=_HINT)
    located = locate_header(file, lambda row: _header_at([row]) is not None)
    if located is None:
        return first_rows(file)  # no header row: the caller says so
    table = file.body(*located, extra_cells=True)
    data = zip(*(column.to_pylist() for column in table.columns), strict=True)
    return [*([] for _ in range(located[1])), table.header, *(list(row) for row in data)]


def read_conversion_table(path: str | Path, *,
                          skipped: list[SkippedRow] | None = None) -> pd.DataFrame:
    """The conversion table as rows (current, effective_year, effective, previous,
    previous_to, table, file, row): one row per previous code, dots removed.

    Rows whose previous cell says ``None`` (a new concept) give no row. The ``table``
    column names the edition after its newest update (``FY2025``), for the candidates'
    ``source``. A row that cannot be read (its current code is no code at all, its
    effective date neither a year nor a date) is left out and added to ``skipped``: the
    CDC types these tables by hand, and one cell must not stop a run. Whether a current
    code is a code is the release's to say; here only its shape is looked at, and every
    shape the CDC ever used passes (``QA00101``, ``U071``).
    """
    path = Path(path)
    if not path.is_file():
        raise UpdaterError("no such file", file=path, hint="check the path")
    with path.open("rb") as fh:
        workbook = fh.read(2) == b"PK"
    rows = _workbook_rows(path) if workbook else _text_rows(path)
    found = _header_at(rows)
    if found is None:
        raise UpdaterError(
            "no conversion-table header (Current code assignment, Effective, Previous Code(s) "
            f"Assignment) in the first {HEADER_ROWS} rows", file=path, hint=_HINT)
    at, c_cur, c_eff, c_prev = found
    out: list[tuple[str, int, str, str, str, int]] = []
    passed: list[SkippedRow] = []
    for offset, row in enumerate(rows[at + 1:]):
        number = at + 2 + offset  # 1-based, as Excel shows it
        cells = [*row, *[None] * (max(c_cur, c_eff, c_prev) + 1 - len(row))]
        current = str(cells[c_cur] or "").strip().upper().replace(".", "")
        raw_effective = cells[c_eff]
        if not has_shape(current, CodeSystem.ICD10CM):
            if current and raw_effective not in (None, ""):
                passed.append(SkippedRow(path.name, number, f"{cells[c_cur]!r} is not the "
                                         "shape of an ICD-10-CM code"))
            continue  # blank rows and notes under the table
        effective = _effective(raw_effective)
        if effective is None:
            passed.append(SkippedRow(path.name, number, f"effective {raw_effective!r} is "
                                     "neither a year nor a date"))
            continue
        for previous, previous_to in split_previous(str(cells[c_prev] or "")):
            if previous != current:
                out.append((current, effective.year, effective.isoformat(), previous,
                            previous_to, number))
    if not out:
        raise UpdaterError("no conversions under the header row"
                           + (f" ({len(passed)} unreadable, e.g. row {passed[0].row}: "
                              f"{passed[0].reason})" if passed else ""),
                           file=path, row=at + 1, hint=_HINT)
    if skipped is not None:
        skipped.extend(passed)
    frame = pd.DataFrame(out, columns=[CURRENT, EFFECTIVE_YEAR, EFFECTIVE, PREVIOUS,
                                       PREVIOUS_TO, ROW])
    newest = date.fromisoformat(str(frame[EFFECTIVE].max()))
    frame[TABLE] = version_for_effective(CodeSystem.ICD10CM, newest)
    frame[FILE] = path.name
    frame = frame.astype({c: "str" for c in (CURRENT, EFFECTIVE, PREVIOUS, PREVIOUS_TO, TABLE,
                                             FILE)})
    return frame.astype({EFFECTIVE_YEAR: "int64", ROW: "int64"})[list(CONVERSION_COLUMNS)]


def combine_conversion_tables(tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Several editions as one table: each update's rows come from the newest edition that
    has that update (later editions correct earlier ones), so no row is counted twice."""
    tables = [t for t in tables if len(t)]
    if not tables:
        return pd.DataFrame({c: pd.Series([], dtype="int64" if c in (EFFECTIVE_YEAR, ROW)
                                          else "str") for c in CONVERSION_COLUMNS})
    stacked = pd.concat([t.assign(_newest=t[EFFECTIVE].max()) for t in tables],
                        ignore_index=True)
    best = stacked.groupby(EFFECTIVE)["_newest"].transform("max")
    chosen = stacked[stacked["_newest"] == best]
    # two copies of the same edition: keep one
    first_file = chosen.groupby(EFFECTIVE)[FILE].transform("first")
    return chosen[chosen[FILE] == first_file].drop(columns="_newest").reset_index(drop=True)


def looks_like_conversion_table(path: Path) -> bool:
    """A cheap content test: the header names among the workbook's cell text."""
    try:
        with zipfile.ZipFile(path) as book:
            parts = [n for n in book.namelist() if n == "xl/sharedStrings.xml"
                     or (n.startswith("xl/worksheets/") and n.endswith(".xml"))]
            return any(all(m in book.read(n) for m in _XLSX_MARKERS) for n in parts)
    except (zipfile.BadZipFile, OSError, EOFError, KeyError):
        return False


def find_conversion_tables(folder: str | Path) -> list[Path]:
    """The CDC conversion tables in a folder (or beside a file), found by their content,
    since their names change every year and users rename them (``Copy of ...``)."""
    folder = Path(folder)
    if folder.is_file():
        folder = folder.parent
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir()
             if p.is_file() and p.suffix.lower() in {".xlsx", ".xlsm"}
             and not p.name.startswith("~$") and looks_like_conversion_table(p)]
    return sorted(found)


def codes_in_ranges(ranges: pd.DataFrame, codes: pd.Series, *, lo: str = PREVIOUS,
                    hi: str = PREVIOUS_TO) -> pd.DataFrame:
    """Each range row once per code it covers, the code in column ``code``.

    A range covers ``lo <= code`` whose first ``len(hi)`` characters are ``<= hi``, so
    ``H35.20-H35.23`` takes H3523's children too and ``T36-T50`` every code of the
    categories. That is ``lo <= code <= hi + U+FFFF`` in sorted order: two binary
    searches per range over the sorted codes, no per-code step.
    """
    if ranges.empty or codes.empty:
        return ranges.iloc[0:0].assign(code=pd.Series([], dtype="str"))
    pool = np.sort(codes.dropna().astype("str").unique().astype(object))
    first = np.searchsorted(pool, ranges[lo].to_numpy(dtype=object), side="left")
    last = np.searchsorted(pool, (ranges[hi] + "\uffff").to_numpy(dtype=object),
                           side="right")
    counts = np.maximum(last - first, 0)
    which = np.repeat(np.arange(len(ranges)), counts)
    starts = np.repeat(first, counts)
    offsets = np.arange(len(which)) - np.repeat(np.cumsum(counts) - counts, counts)
    out = ranges.iloc[which].reset_index(drop=True)
    return out.assign(code=pd.Series(pool[starts + offsets], dtype="str"))
