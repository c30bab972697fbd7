"""Procedure <-> diagnosis crosswalks, read into one pair per row.

Two layouts are in use. Long: one pair per row, a procedure column and a diagnosis
column (practices' own lists, millions of rows). Wide: one procedure per row with its
diagnoses as a list in a cell (commas, semicolons, spaces or line breaks between them)
and/or in several diagnosis columns, items possibly ranges ``M17.0-M17.9`` (also written
with spaces, en dashes or "thru"), ``M17.1-`` (M17.1 and everything under it) or header
codes ``M17`` (payers' coverage articles). Ranges and headers stand for billable codes of
the ICD-10-CM release the crosswalk was built on (``expand_with``), so they are expanded
against it: a range A-B covers every billable code c with A <= c and (c <= B or c a
descendant of B), codes compared without dots. A header code is shorthand only in a file
that writes shorthand (some cell holds a list or a range); in a file of one code per
cell (long, or several diagnosis columns) a header is a pair like any other, and a stale
one (``97161, M54.5``: a header since FY2022) is the scan's to report, not to hide. A
plain code stays as written, in the release or not: the scan judges it. How many items
were expanded, and into how many pairs, is counted (``CrosswalkInput.items_expanded``,
``pairs_from_expansion``), so "20 pairs from 16 rows" comes with its reason.

A description column is kept for the scan to check against the official titles: a
diagnosis description (``Diagnosis Description``, ``dx desc``, ``ICD-10 Description``),
a procedure description (``CPT Description``, ``Procedure Desc``), or a plain
``Description`` / ``Desc``, which describes the code column nearest to its left.

Everything is vectorized: a 10,000,000-pair long CSV is parsed by ``pyarrow.csv`` and
normalized on the Arrow buffers; ranges are expanded by ``np.searchsorted`` over the
release's sorted codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from updater.codeshapes import SHAPES
from updater.errors import UpdaterError, reads_file
from updater.files.tables import (
    EFFECTIVE_DATE_NAMES,
    END_DATE_NAMES,
    HEADER_ROWS,
    SPACES,
    STATUS_NAMES,
    TEXT,
    RawTable,
    TableFile,
    active_flags,
    blank_column,
    column_key,
    find_column,
    find_columns,
    first_nonblank,
    first_rows,
    frame_of,
    has_byte,
    header_cells,
    inactive_values_for,
    iso_dates,
    locate_header,
    merge_columns,
    normalize_codes,
    open_table,
    shown_columns,
)
from updater.impact.inputs import (
    ACTIVE,
    CROSSWALK_COLUMNS,
    DIAGNOSIS,
    DIAGNOSIS_AS_WRITTEN,
    DIAGNOSIS_DESCRIPTION,
    EFFECTIVE_DATE,
    END_DATE,
    PROCEDURE,
    PROCEDURE_DESCRIPTION,
    ROW,
    STATUS,
    CrosswalkInput,
)
from updater.model import CODE, RECORD
from updater.vocabulary import CodeSystem, RecordType

FIELDS = (PROCEDURE, DIAGNOSIS, STATUS, EFFECTIVE_DATE, END_DATE, PROCEDURE_DESCRIPTION,
          DIAGNOSIS_DESCRIPTION)
DESCRIPTION_FIELDS = (PROCEDURE_DESCRIPTION, DIAGNOSIS_DESCRIPTION)
# A pair's own dates and status, found by the chargemaster's usual names: apply ends a pair
# by writing its end date (or an inactive status), and the scan leaves ended pairs alone.
DATED_FIELDS = (STATUS, EFFECTIVE_DATE, END_DATE)
DATED_NAMES = {STATUS: STATUS_NAMES, EFFECTIVE_DATE: EFFECTIVE_DATE_NAMES,
               END_DATE: END_DATE_NAMES}
# The normalized table: the pairs, then each pair's status (as written), whether that status
# says active, and its effective and end dates (ISO yyyy-mm-dd or ""), blank and active
# when the crosswalk has no such column.
PAIR_COLUMNS = (*CROSSWALK_COLUMNS, STATUS, ACTIVE, EFFECTIVE_DATE, END_DATE)
PROCEDURE_NAMES = ("CPT/HCPCS", "HCPCS/CPT", "CPT", "HCPCS", "CPT Code", "HCPCS Code",
                   "CPT/HCPCS Code", "HCPCS/CPT Code", "CPT4", "Procedure", "Procedure Code",
                   "Proc Code", "Proc", "Code", "Billing Code")
DIAGNOSIS_NAMES = ("ICD-10-CM", "ICD-10-CM Code(s)", "ICD10", "ICD-10", "ICD", "ICD Code",
                   "Diagnosis", "Diagnoses", "Diagnosis Code", "Dx", "Dx Code", "Dx Codes",
                   "Dx 1", "Dx 2", "Diagnosis 1", "Covered Diagnoses")
DIAGNOSIS_KEY = re.compile(r"^(?:covered|supporting|primary|secondary)?"
                           r"(?:icd(?:10(?:cm)?)?|dx|diag|diagnos[ie]s)(?:codes?)?\d*$")
_DESC = r"(?:long|short|full)?(?:desc|descr|description|title|text|name)$"
DIAGNOSIS_DESCRIPTION_KEY = re.compile(r"^(?:icd(?:10(?:cm)?)?|dx|diag|diagnos[ie]s)\d*"
                                       r"(?:codes?)?\d*" + _DESC)
PROCEDURE_DESCRIPTION_KEY = re.compile(r"^(?:cpt4?|hcpcs|cpthcpcs|hcpcscpt|proc|procedure)"
                                       r"(?:codes?)?" + _DESC)
# a plain "Description" describes the code column to its left ("Name" alone is too vague:
# a payer's, a policy's)
PLAIN_DESCRIPTION_KEY = re.compile(r"^(?:code|long|short|full)?(?:desc|descr|description"
                                   r"|title)$")
ICD_SHAPE = SHAPES[CodeSystem.ICD10CM]
_AFTER_ALL = "\x7f"  # sorts after every code character: B + this bounds B's descendants
_RANGE_DASH = r"(?i)\s*(?:-|\x{2010}|\x{2011}|\x{2012}|\x{2013}|\x{2014}|\bthru\b|\bthrough\b)\s*"
_ITEM_GAP = r"[\s,;|]+"
_WORDS = ("AND", "OR", "&")  # "C56.1 and C56.2"


@reads_file
def read_crosswalk(path: str | Path, *, expand_with: pd.DataFrame | None = None,
                   sheet: str | None = None,
                   columns: Mapping[str, str | Sequence[str]] | None = None) -> CrosswalkInput:
    """A crosswalk (CSV/XLSX, long or wide) as (row, procedure, diagnosis) pairs, lists
    split and ranges expanded against ``expand_with`` (a normalized ICD-10-CM release
    table with ``code`` and ``record``), each with its line's status, effective and end
    date (``PAIR_COLUMNS``). ``columns`` names any of ``FIELDS`` the usual names miss."""
    overrides = merge_columns(None, columns, FIELDS)
    if PROCEDURE in overrides and len(overrides[PROCEDURE]) > 1:
        raise UpdaterError("a crosswalk has one procedure column",
                           hint="name one procedure column")
    file = open_table(path, sheet=sheet)
    located = locate_header(file, lambda row: is_crosswalk_header(row, overrides))
    if located is None:  # else the row is one is_crosswalk_header accepted
        raise _no_header(file, overrides)
    header = [c.strip() for c in header_cells(file, *located)]
    proc_at, dx_ats = code_columns(header, overrides, file.source)
    dated_at = dated_columns(header, overrides, {proc_at, *dx_ats})
    proc_desc, dx_desc = description_columns(
        header, overrides, proc_at, dx_ats, {proc_at, *dx_ats, *dated_at.values()})
    # only the columns read here are parsed: exports carry many others (notes, payers ...)
    table = file.body(*located, only={proc_at, *dx_ats, *dated_at.values(),
                                      *([proc_desc] if proc_desc is not None else []),
                                      *dx_desc.values()})
    if table.rows == 0:
        raise UpdaterError(f"no data rows under the header row (row {table.header_row})",
                           file=table.source, hint="is this the right file or sheet?")
    release = _Release.of(expand_with) if expand_with is not None else None
    procedure = normalize_codes(table.column(proc_at))
    dx = [table.column(at) for at in dx_ats]
    if len(dx) == 1 and not has_byte(dx[0], b",;|-" + SPACES, high=True):
        pairs, wide, shorthand = _long(dx[0]), False, False
    else:
        pairs, wide, shorthand = _wide(table, dx_ats)
    items = len(pairs.row)
    pairs, expanded = _expand(pairs, release, table, headers=shorthand)
    dated = _dated(table, dated_at)
    line = None if pairs.whole else pa.array(pairs.row - 1)

    def per_pair(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
        return values if line is None else values.take(line)

    described = {}
    if proc_desc is not None:
        described[PROCEDURE_DESCRIPTION] = per_pair(table.column(proc_desc))
    if dx_desc:
        described[DIAGNOSIS_DESCRIPTION] = _diagnosis_descriptions(table, pairs, dx_desc,
                                                                   per_pair)
    frame = frame_of({
        ROW: pa.array(pairs.row, pa.int64()),
        PROCEDURE: per_pair(procedure),
        DIAGNOSIS: pairs.diagnosis,
        DIAGNOSIS_AS_WRITTEN: pairs.as_written,
        **{name: per_pair(values) for name, values in dated.items()},
        **described,
    })
    used = {PROCEDURE: header[proc_at], DIAGNOSIS: ", ".join(header[i] for i in dx_ats)}
    used |= {name: header[at] for name, at in dated_at.items()}
    if proc_desc is not None:
        used[PROCEDURE_DESCRIPTION] = header[proc_desc]
    if dx_desc:
        used[DIAGNOSIS_DESCRIPTION] = ", ".join(header[i] for i in dx_desc.values())
    return CrosswalkInput(table=frame[[*PAIR_COLUMNS, *described]], rows_read=table.rows,
                          source=table.source, layout="wide" if wide else "long",
                          sha256=table.sha256, items_expanded=expanded,
                          pairs_from_expansion=len(pairs.row) - items + expanded
                          if expanded else 0, columns=used)


# ---------------------------------------------------------------- the header row


def _diagnosis_columns(header: Sequence[str]) -> list[int]:
    return [i for i, h in enumerate(header) if DIAGNOSIS_KEY.match(column_key(h))]


def is_crosswalk_header(row: Sequence[str], overrides: Mapping[str, tuple[str, ...]]) -> bool:
    if not all(find_columns(row, [n]) for names in overrides.values() for n in names):
        return False
    procedure = PROCEDURE in overrides or find_column(row, PROCEDURE_NAMES) is not None
    diagnosis = DIAGNOSIS in overrides or bool(_diagnosis_columns(row))
    return procedure and diagnosis


def code_columns(header: Sequence[str], overrides: Mapping[str, tuple[str, ...]],
                 source: str) -> tuple[int, list[int]]:
    if DIAGNOSIS in overrides:
        dx = [find_columns(header, [n])[0] for n in overrides[DIAGNOSIS]]
    else:
        dx = _diagnosis_columns(header)
    if PROCEDURE in overrides:
        proc = find_columns(header, list(overrides[PROCEDURE]))[0]
    else:
        free = [h if i not in dx else "" for i, h in enumerate(header)]
        found = find_column(free, PROCEDURE_NAMES)
        assert found is not None  # the header row was chosen for having it
        proc = found
    dx = [i for i in dx if i != proc]
    if not dx:  # e.g. --proc-col CPT --dx-col CPT: no column left to read diagnoses from
        raise UpdaterError("the diagnosis column cannot be the procedure column", file=source,
                           hint="name two different columns with --proc-col and --dx-col")
    return proc, dx


def dated_columns(header: Sequence[str], overrides: Mapping[str, tuple[str, ...]],
                  taken: Collection[int] = ()) -> dict[str, int]:
    """Positions of the status, effective date and end date columns that are there: the
    ones ``overrides`` names, else the first with a usual name among the columns not
    ``taken`` (the procedure and diagnosis columns). Apply finds them the same way."""
    used = set(taken)
    found: dict[str, int] = {}
    for name in DATED_FIELDS:
        if name in overrides:
            found[name] = find_columns(header, [overrides[name][0]])[0]
            used.add(found[name])
    for name in DATED_FIELDS:
        if name not in found:
            free = [h if i not in used else "" for i, h in enumerate(header)]
            at = find_column(free, DATED_NAMES[name])
            if at is not None:
                found[name] = at
                used.add(at)
    return found


def description_columns(header: Sequence[str], overrides: Mapping[str, tuple[str, ...]],
                        proc_at: int, dx_ats: Sequence[int], taken: Collection[int] = ()
                        ) -> tuple[int | None, dict[int, int]]:
    """The procedure description column, and the diagnosis description column of each
    diagnosis column that has one (dx column -> its description column). Named ones first
    (``overrides``, then names that say which code they describe), then a plain
    ``Description`` describes the code column nearest to its left."""
    codes = sorted({proc_at, *dx_ats})
    used = set(taken)
    proc: int | None = None
    dx: dict[int, int] = {}

    def nearest_left(at: int, among: Sequence[int]) -> int | None:
        left = [c for c in among if c < at]
        return left[-1] if left else None

    def describe(at: int, dx_only: bool = False) -> None:
        nonlocal proc
        owner = nearest_left(at, dx_ats if dx_only else codes)
        if owner is None and dx_only:
            owner = dx_ats[0]
        if owner is None:
            return
        if owner == proc_at and not dx_only:
            if proc is None:
                proc = at
        elif owner not in dx:
            dx[owner] = at
        used.add(at)

    if PROCEDURE_DESCRIPTION in overrides:
        proc = find_columns(header, [overrides[PROCEDURE_DESCRIPTION][0]])[0]
        used.add(proc)
    for name in overrides.get(DIAGNOSIS_DESCRIPTION, ()):
        describe(find_columns(header, [name])[0], dx_only=True)
    keys = [column_key(h) for h in header]
    for at, k in enumerate(keys):
        if at in used:
            continue
        if PROCEDURE_DESCRIPTION_KEY.match(k) and PROCEDURE_DESCRIPTION not in overrides:
            if proc is None:
                proc = at
                used.add(at)
        elif DIAGNOSIS_DESCRIPTION_KEY.match(k) and DIAGNOSIS_DESCRIPTION not in overrides:
            describe(at, dx_only=True)
    for at, k in enumerate(keys):
        if at not in used and PLAIN_DESCRIPTION_KEY.match(k):
            describe(at)
    return proc, dx


def _diagnosis_descriptions(table: RawTable, pairs: _Pairs, dx_desc: Mapping[int, int],
                            per_pair: Callable[[pa.ChunkedArray], pa.ChunkedArray | pa.Array]
                            ) -> pa.ChunkedArray | pa.Array:
    """Each pair's diagnosis description: its column's description cell, when the pair is
    the whole of its cell (a list's items or a range's codes share no one description)."""
    if pairs.column is None:  # long: one pair per line, in line order
        ((_, at),) = dx_desc.items()
        return per_pair(table.column(at))
    out: pa.ChunkedArray | pa.Array = pa.array([""] * len(pairs.row), TEXT)
    alone = pairs.alone if pairs.alone is not None else np.ones(len(pairs.row), dtype=bool)
    for column, at in dx_desc.items():
        mine = pa.array((pairs.column == column) & alone)
        out = pc.if_else(mine, per_pair(table.column(at)), out)
    return out


def _no_header(file: TableFile, overrides: Mapping[str, tuple[str, ...]]) -> UpdaterError:
    rows = first_rows(file)
    if overrides:
        loose = locate_header(file, lambda r: is_crosswalk_header(r, {}) or any(
            find_columns(r, [n]) for names in overrides.values() for n in names))
        header = header_cells(file, *loose) if loose is not None else []
        missing = [(f, n) for f, names in overrides.items() for n in names
                   if not find_columns(header, [n])]
        if loose is not None and missing:
            field, name = missing[0]
            return UpdaterError(
                f"no column named {name!r} (the {field} column); the header row "
                f"(row {loose[1] + 1}) has: {shown_columns(header)}", file=file.source,
                hint="correct the column name to one of the file's")
    for _, head in file.heads():
        for i, row in enumerate(head[:HEADER_ROWS]):
            if find_column(row, PROCEDURE_NAMES) is not None and not _diagnosis_columns(row):
                return UpdaterError(
                    f"row {i + 1} has a procedure column but no diagnosis column; looked for "
                    f"{', '.join(DIAGNOSIS_NAMES)}", file=file.source,
                    hint="name it with --dx-col")
            if _diagnosis_columns(row) and find_column(row, PROCEDURE_NAMES) is None:
                return UpdaterError(
                    f"row {i + 1} has a diagnosis column but no procedure column; looked for "
                    f"{', '.join(PROCEDURE_NAMES)}", file=file.source,
                    hint="name it with --proc-col")
    return UpdaterError(
        f"no procedure and diagnosis columns in the first {HEADER_ROWS} rows; looked for "
        f"{', '.join(PROCEDURE_NAMES)} and {', '.join(DIAGNOSIS_NAMES)}", file=file.source,
        hint=f"name them with --proc-col and --dx-col (the first row has: "
             f"{shown_columns(first_nonblank(rows))})")


# ---------------------------------------------------------------- status and dates


def _dated(table: RawTable, at: Mapping[str, int]) -> dict[str, pa.ChunkedArray | pa.Array]:
    """One status, active flag, effective and end date per line, read as the chargemaster
    reader reads them (same inactive values, same date forms and date errors)."""
    n = table.rows
    blank = blank_column(n) if len(at) < len(DATED_FIELDS) else None  # shared: no copies

    def text(name: str) -> pa.ChunkedArray:
        if name in at:
            return table.column(at[name])
        assert blank is not None
        return blank

    def dates(name: str) -> pa.ChunkedArray:
        return iso_dates(text(name), table, table.header[at[name]],
                         hint="correct the date in the crosswalk") if name in at \
            else text(name)

    status = text(STATUS)
    active = active_flags(status, inactive_values_for(table.header[at[STATUS]])) \
        if STATUS in at else np.ones(n, dtype=bool)
    return {STATUS: status, ACTIVE: pa.array(active, pa.bool_()),
            EFFECTIVE_DATE: dates(EFFECTIVE_DATE), END_DATE: dates(END_DATE)}


# ---------------------------------------------------------------- pairs


@dataclass
class _Pairs:
    """Diagnoses with the data row (1-based) they belong to, in the input's order."""

    row: np.ndarray
    diagnosis: pa.ChunkedArray  # normalized
    as_written: pa.ChunkedArray
    column: np.ndarray | None = None  # position in the header, for messages (wide only)
    whole: bool = False  # one pair per line, in line order
    alone: np.ndarray | None = None  # wide: the pair is the whole of its cell


def _long(raw: pa.ChunkedArray) -> _Pairs:
    """One diagnosis per row, nothing to split: normalized on the Arrow buffers."""
    n = len(raw)
    return _Pairs(row=np.arange(1, n + 1), diagnosis=normalize_codes(raw), as_written=raw,
                  whole=True)


def _wide(table: RawTable, dx_ats: Sequence[int]) -> tuple[_Pairs, bool, bool]:
    """Every cell split into items; a line without any gets one blank pair. Also says
    whether the file is wide (several diagnosis columns, lists or ranges) and whether it
    writes shorthand (some cell holds a list or a range)."""
    n = table.rows
    lines, items, columns = [], [], []
    for at in dx_ats:
        cells = pc.replace_substring_regex(table.column(at).combine_chunks(), _RANGE_DASH, "-")
        lists = pc.split_pattern_regex(cells, _ITEM_GAP)
        flat = pc.list_flatten(lists)
        parent = pc.list_parent_indices(lists).to_numpy()
        keep = pc.and_(pc.not_equal(flat, ""), pc.invert(pc.is_in(
            pc.utf8_upper(flat), value_set=pa.array(_WORDS)))).to_numpy(zero_copy_only=False)
        lines.append(parent[keep])
        items.append(flat.filter(pa.array(keep)))
        columns.append(np.full(int(keep.sum()), at))
    line = np.concatenate(lines)
    item = pa.chunked_array(items, TEXT)
    column = np.concatenate(columns)
    counts = np.bincount(line, minlength=n)
    # items per cell: line x column
    _, cell, per_cell = np.unique(line * len(dx_ats) + np.searchsorted(
        np.sort(np.asarray(dx_ats)), column), return_inverse=True, return_counts=True)
    alone = per_cell[cell] == 1
    ranged = bool(pc.any(pc.match_substring(item, "-")).as_py())
    shorthand = bool((per_cell > 1).any()) or ranged
    wide = len(dx_ats) > 1 or shorthand
    empty = np.flatnonzero(counts == 0)
    if empty.size:
        line = np.concatenate([line, empty])
        item = pa.chunked_array([*item.chunks, pa.array([""] * empty.size, TEXT)])
        column = np.concatenate([column, np.full(empty.size, dx_ats[0])])
        alone = np.concatenate([alone, np.ones(empty.size, dtype=bool)])
    order = np.argsort(line, kind="stable")
    idx = pa.array(order)
    as_written = item.take(idx)
    return _Pairs(row=line[order] + 1, diagnosis=normalize_codes(as_written),
                  as_written=as_written, column=column[order], alone=alone[order]), wide, \
        shorthand


@dataclass
class _Release:
    """The release's billable codes, sorted, and its headers."""

    billable: np.ndarray  # str, sorted
    headers: pa.Array

    @classmethod
    def of(cls, table: pd.DataFrame) -> _Release:
        if CODE not in table.columns or RECORD not in table.columns:
            raise UpdaterError("the release table to expand ranges with has no code and "
                               "record columns", hint="give a normalized ICD-10-CM release")
        codes = table[CODE].astype(str).str.replace(".", "", regex=False).str.upper()
        record = table[RECORD].astype(str)
        billable = np.sort(codes[record == RecordType.CODE.value].to_numpy(dtype=str))
        headers = pa.array(codes[record == RecordType.HEADER.value].to_numpy(dtype=object),
                           TEXT)
        return cls(billable=billable, headers=headers)

    def bounds(self, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions [lo, hi) of the billable codes c with low <= c, c <= high or c
        under high."""
        lo = np.searchsorted(self.billable, low, side="left")
        hi = np.searchsorted(self.billable, np.char.add(high.astype(str), _AFTER_ALL),
                             side="left")
        return lo, np.maximum(hi, lo)


def _expand(pairs: _Pairs, release: _Release | None, table: RawTable, *,
            headers: bool) -> tuple[_Pairs, int]:
    """Ranges, and header codes when ``headers`` (the file writes shorthand), replaced by
    the billable codes they stand for; with the number of items expanded."""
    ranged = pc.match_substring(pairs.diagnosis, "-").to_numpy(zero_copy_only=False) \
        if pairs.column is not None else np.zeros(len(pairs.row), dtype=bool)
    if ranged.any():
        low, high = _range_ends(pairs, ranged, table, release)
    if release is None:
        return pairs, 0
    header = pc.is_in(pairs.diagnosis, value_set=release.headers).to_numpy(
        zero_copy_only=False) & ~ranged if headers else np.zeros(len(pairs.row), dtype=bool)
    grow = ranged | header
    if not grow.any():
        return pairs, 0
    where = np.flatnonzero(grow)
    lows = np.empty(where.size, dtype=object)
    highs = np.empty(where.size, dtype=object)
    heads = pairs.diagnosis.take(pa.array(np.flatnonzero(header))).to_numpy(
        zero_copy_only=False).astype(str)
    at_range, at_header = ranged[where], header[where]
    if ranged.any():
        lows[at_range], highs[at_range] = low, high
    lows[at_header], highs[at_header] = heads, heads
    lo, hi = release.bounds(lows.astype(str), highs.astype(str))
    empty = (hi == lo) & at_range
    if empty.any():
        i = where[np.flatnonzero(empty)[0]]
        raise table.fail(
            f"range {pairs.as_written[int(i)].as_py()!r} in column "
            f"{_column_name(table, pairs, int(i))!r} covers no billable code of the release",
            int(pairs.row[i]),
            hint="correct the range, or give the ICD-10-CM release the crosswalk was built on")
    keep_alone = (hi == lo)  # a header without billable codes stays as written
    counts = np.ones(len(pairs.row), dtype=np.int64)
    counts[where] = np.where(keep_alone, 1, hi - lo)
    source = np.repeat(np.arange(len(pairs.row)), counts)
    grown = np.zeros(len(pairs.row), dtype=bool)
    grown[where[~keep_alone]] = True
    first = np.repeat(np.cumsum(counts) - counts, counts)
    start = np.zeros(len(pairs.row), dtype=np.int64)
    start[where] = lo
    from_release = grown[source]
    pick = np.where(from_release, start[source] + np.arange(source.size) - first,
                    source)
    n_items = len(pairs.row)
    pool = pa.concat_arrays([pairs.diagnosis.combine_chunks(),
                             pa.array(release.billable.astype(object), TEXT)])
    take = np.where(from_release, n_items + pick, pick)
    alone = pairs.alone[source] & ~from_release if pairs.alone is not None else None
    return _Pairs(row=pairs.row[source], diagnosis=pa.chunked_array([pool.take(take)]),
                  as_written=pa.chunked_array([pairs.as_written.combine_chunks().take(source)]),
                  column=pairs.column[source] if pairs.column is not None else None,
                  alone=alone), int(grown.sum())


def _column_name(table: RawTable, pairs: _Pairs, i: int) -> str:
    return table.header[int(pairs.column[i])] if pairs.column is not None else ""


def _range_ends(pairs: _Pairs, ranged: np.ndarray, table: RawTable,
                release: _Release | None) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of every range, checked: two codes, in order; a range needs the release."""
    where = np.flatnonzero(ranged)
    ends = pc.extract_regex(pairs.diagnosis.take(pa.array(where)),
                            r"^(?P<low>[^-]*)-(?P<high>.*)$")
    low = pd.Series(pc.struct_field(ends, "low").to_pandas(), dtype="str")
    high = pd.Series(pc.struct_field(ends, "high").to_pandas(), dtype="str")
    high = high.where(high != "", low)  # "M17.1-": M17.1 and everything under it
    shape_ok = (low.str.fullmatch(ICD_SHAPE).fillna(False)
                & high.str.fullmatch(ICD_SHAPE).fillna(False)).to_numpy()

    def fail(k: int, message: str, hint: str) -> UpdaterError:
        i = int(where[k])
        written = pairs.as_written[i].as_py()
        return table.fail(f"range {written!r} in column {_column_name(table, pairs, i)!r} "
                          + message, int(pairs.row[i]), hint=hint)

    if not shape_ok.all():
        raise fail(int(np.flatnonzero(~shape_ok)[0]), "is not two ICD-10-CM codes",
                   "write a range as two codes joined by a hyphen, e.g. M17.0-M17.9")
    reversed_ = (low > high).to_numpy()
    if reversed_.any():
        k = int(np.flatnonzero(reversed_)[0])
        raise fail(k, f"has its ends in the wrong order ({low.iat[k]} comes after "
                      f"{high.iat[k]})", "write the lower code first, e.g. M17.0-M17.9")
    if release is None:
        raise fail(0, "needs the ICD-10-CM release the crosswalk was built on, to be "
                      "expanded", "give that release (expand_with) so ranges can be "
                      "expanded")
    return low.to_numpy(dtype=str), high.to_numpy(dtype=str)
