"""Any code set as a plain table: CSV, TSV or XLSX with named columns.

Payer code lists and in-house code sets come as spreadsheets whose column names vary
(``CPT``, ``HCPCS/CPT``, ``ICD-10-CM``, ``Dx Code``, ...), often with title rows above
the header. The code column is found among the usual names (or named with --code-col),
the long and short descriptions likewise; codes lose their dots and are upper-cased, as
the publishers store them. The code system is the user's ``--system`` (else custom).
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from updater.codeshapes import SHAPES
from updater.errors import UpdaterError
from updater.files.cells import cell_text
from updater.files.limits import MAX_CELL_CHARS, cell_too_long, check_width
from updater.files.sources import Source
from updater.files.text import decode_text
from updater.files.workbooks import open_workbook
from updater.model import CODE, LONG, RECORD, SHORT
from updater.releases.readers.base import ReaderOutput, ReadOptions
from updater.vocabulary import CodeSystem, RecordType, ReleaseKind

CODE_NAMES = ("CPT", "HCPCS", "CPT/HCPCS", "HCPCS/CPT", "CPT Code", "HCPCS Code",
              "CPT/HCPCS Code", "HCPCS/CPT Code", "ICD-10-CM", "ICD-10-CM Code", "ICD10",
              "ICD-10", "ICD10 Code", "ICD-10 Code", "Dx Code", "Diagnosis Code",
              "Procedure Code", "Code", "Billing Code")
LONG_NAMES = ("Long Description", "Description", "Long Descriptor", "Descriptor",
              "Long Title", "Title", "Code Description", "Procedure Description",
              "Diagnosis Description", "Full Description", "Desc")
SHORT_NAMES = ("Short Description", "Short Descriptor", "Short Title", "Short Desc",
               "Abbreviated Description")
SUFFIXES = {".csv", ".tsv", ".xlsx", ".xlsm"}
HEADER_ROWS = 30  # the header row is looked for among the first rows
DELIMITERS = (",", ";", "\t", "|")
CODE_SHAPES = {
    CodeSystem.ICD10CM: (SHAPES[CodeSystem.ICD10CM], "e.g. M17.11"),
    CodeSystem.CPT: (r"^(?:[0-9A-Z]{5}|[0-9A-Z]{2})$", "5 characters, or 2 for a modifier"),
    CodeSystem.HCPCS: (r"^(?:[0-9A-Z]{5}|[0-9A-Z]{2})$", "5 characters, or 2 for a modifier"),
    CodeSystem.CUSTOM: (r"^[0-9A-Z]+(?:[-_/][0-9A-Z]+)*$",
                        "letters and digits, maybe joined by - _ /"),
}
MAX_CODE = 20


def key(name: str) -> str:
    """Column names compared without case, spaces or punctuation: ``CPT®/HCPCS`` = ``cpthcpcs``."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def find_column(header: Sequence[str], wanted: str | None, names: tuple[str, ...]) -> int | None:
    """Position of the user's column (``wanted``) or of the first usual name present."""
    keys = [key(h) for h in header]
    for name in ([wanted] if wanted else names):
        exact = [i for i, h in enumerate(header) if h.strip() == name.strip()]
        if exact:
            return exact[0]
        if key(name) in keys:
            return keys.index(key(name))
    return None


def find_header(rows: Sequence[Sequence[str]], code_col: str | None) -> int | None:
    """Index of the first row with a code column, among the first rows."""
    for i, row in enumerate(rows[:HEADER_ROWS]):
        if find_column(row, code_col, CODE_NAMES) is not None:
            return i
    return None


def _columns_of(rows: Sequence[Sequence[str]]) -> str:
    """The first non-empty row's cells, to show the user what the file has."""
    first = next((r for r in rows if any(c.strip() for c in r)), [])
    shown = ", ".join(repr(c) for c in first if c.strip())
    return shown or "none"


class Table:
    """The rows of one sheet or CSV: the header row's cells, the data as string columns."""

    def __init__(self, header: list[str], data: pd.DataFrame, file: str) -> None:
        self.header, self.data, self.file = header, data, file

    def column(self, position: int) -> pd.Series:
        if position >= self.data.shape[1]:
            return pd.Series([""] * len(self.data), dtype="str")
        return self.data.iloc[:, position].fillna("").astype("str").str.strip()


def _csv_rows(text: str, delimiter: str, limit: int) -> tuple[list[list[str]], list[int]]:
    """The first ``limit`` rows and the line each starts on (0-based)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows, starts = [], []
    start = 0
    try:
        for row in reader:
            rows.append(row)
            starts.append(start)
            start = reader.line_num
            if len(rows) >= limit:
                break
    except csv.Error:
        pass  # a damaged head: the header search just sees fewer rows
    return rows, starts


def _delimiter_and_header(
        text: str, suffix: str, code_col: str | None,
) -> tuple[str, list[list[str]], list[int], int | None]:
    """The delimiter under which a header row shows up, the first rows, where they start,
    and the header row's index (None: none found; the rows are then the first
    delimiter's)."""
    candidates = ("\t",) if suffix == ".tsv" else DELIMITERS
    for delimiter in candidates:
        rows, starts = _csv_rows(text, delimiter, HEADER_ROWS)
        at = find_header(rows, code_col)
        if at is not None:
            return delimiter, rows, starts, at
    rows, starts = _csv_rows(text, candidates[0], HEADER_ROWS)
    return candidates[0], rows, starts, None


def read_csv_table(source: Source, options: ReadOptions) -> Table:
    text = source.text()
    if not text.strip():
        raise UpdaterError("the file is empty", file=source.display,
                           hint="export the code list again")
    delimiter, rows, starts, at = _delimiter_and_header(text, source.suffix, options.code_col)
    if at is None:
        raise _no_code_column(rows, options, source.display)
    check_width(len(rows[at]), source.display)
    body = "".join(text.splitlines(keepends=True)[starts[at]:])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            data = pd.read_csv(io.StringIO(body), sep=delimiter, header=0, index_col=False,
                               dtype="str", keep_default_na=False, skip_blank_lines=False)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise UpdaterError(f"the table cannot be read ({exc})", file=source.display,
                           hint="save it again from the spreadsheet as CSV") from None
    return _checked(Table([c.strip() for c in rows[at]], data, source.display))


def _checked(table: Table) -> Table:
    """The table, refused when a cell is longer than ``MAX_CELL_CHARS``."""
    for position in range(table.data.shape[1]):
        lengths = table.data.iloc[:, position].fillna("").astype("str").str.len().to_numpy()
        if len(lengths) and lengths.max() > MAX_CELL_CHARS:
            at = int(lengths.argmax())
            name = table.header[position] if position < len(table.header) else str(position)
            raise cell_too_long(table.file, at + 1, name, int(lengths[at]))
    return table


def read_xlsx_table(source: Source, options: ReadOptions) -> Table:
    book = open_workbook(source.read(), source.display)
    name = book.sheet(options.sheet)
    rows = book.rows(name)
    if not any(any(cell_text(c) for c in row) for row in rows):
        raise UpdaterError(f"sheet {name!r} is empty", file=source.display,
                           hint="choose the sheet with the codes with --sheet")
    head = [[cell_text(c) for c in row] for row in rows[:HEADER_ROWS]]
    at = find_header(head, options.code_col)
    if at is None:
        raise _no_code_column(head, options, f"{source.display}, sheet {name!r}")
    check_width(len(head[at]), source.display)
    data = pd.DataFrame(rows[at + 1:], dtype=object)
    for position in data.columns:  # a Python step per cell, but calamine built them so
        data[position] = data[position].map(cell_text)
    return _checked(Table(head[at], data, source.display))


def _no_code_column(rows: Sequence[Sequence[str]], options: ReadOptions,
                    where: str) -> UpdaterError:
    columns = _columns_of(rows)
    if options.code_col:
        return UpdaterError(f"no column named {options.code_col!r} in the first "
                            f"{HEADER_ROWS} rows; the first row has: {columns}", file=where,
                            hint="check the name given to --code-col")
    return UpdaterError(f"no code column; looked for {', '.join(CODE_NAMES)}", file=where,
                        hint=f"use --code-col to name it (the first row has: {columns})")


def clean_codes(raw: pd.Series, system: CodeSystem) -> pd.Series:
    """Codes as publishers store them: no dots, upper case; for CPT/HCPCS the leading
    zeros a spreadsheet dropped (100 -> 00100) put back."""
    codes = raw.str.replace(".", "", regex=False).str.upper()
    if system in (CodeSystem.CPT, CodeSystem.HCPCS):
        stripped = codes.str.fullmatch(r"\d{3,4}")
        codes = codes.where(~stripped, codes.str.zfill(5))
    return codes


def normalize(table: Table, options: ReadOptions, system: CodeSystem) -> pd.DataFrame:
    """The normalized release table from the sheet: every code checked, rows named by their
    1-based data row number (the header row excluded), as a person counts them."""
    code_at = find_column(table.header, options.code_col, CODE_NAMES)
    assert code_at is not None  # the header row was chosen for having it
    code_name = table.header[code_at]
    long_at = find_column(table.header, options.desc_col, LONG_NAMES)
    short_at = find_column(table.header, options.short_col, SHORT_NAMES)
    for wanted, found, option in ((options.desc_col, long_at, "--desc-col"),
                                  (options.short_col, short_at, "--short-col")):
        if wanted and found is None:
            raise UpdaterError(f"no column named {wanted!r} in the header row; it has: "
                               f"{_columns_of([table.header])}", file=table.file,
                               hint=f"check the name given to {option}")
    if short_at == long_at:
        short_at = None
    cells = table.data.fillna("").astype("str")
    blank_row = (cells.apply(lambda c: c.str.strip()) == "").all(axis=1).to_numpy()
    rows = np.arange(1, len(cells) + 1)[~blank_row]  # 1-based data rows, header excluded
    raw = table.column(code_at)[~blank_row].reset_index(drop=True)
    if not len(raw):
        raise UpdaterError("no data rows under the header row", file=table.file,
                           hint="is this the right file or sheet?")
    _fail_at(raw == "", rows, f"no code in column {code_name!r}", table.file,
             "fill it in or delete the row")
    codes = clean_codes(raw, system)
    pattern, example = CODE_SHAPES[system]
    bad = ~codes.str.fullmatch(pattern) | (codes.str.len() > MAX_CODE)
    if bad.any():
        at = int(np.argmax(bad.to_numpy()))
        raise UpdaterError(f"{raw.iat[at]!r} in column {code_name!r} is not a valid "
                           f"{system.label} code ({example})", file=table.file,
                           row=int(rows[at]), hint="correct it or delete the row")
    _check_unique(codes, rows, table.file)
    long, short = (table.column(p)[~blank_row].reset_index(drop=True) if p is not None
                   else pd.Series([""] * len(codes), dtype="str") for p in (long_at, short_at))
    modifier = codes.str.len().eq(2) & (system in (CodeSystem.CPT, CodeSystem.HCPCS))
    record = np.where(modifier.to_numpy(), RecordType.MODIFIER.value, RecordType.CODE.value)
    return pd.DataFrame({CODE: codes, RECORD: pd.array(record, dtype="str"),
                         SHORT: short, LONG: long}).astype("str")


def _fail_at(mask: pd.Series, rows: np.ndarray, message: str, file: str, hint: str) -> None:
    if mask.any():
        raise UpdaterError(message, file=file, row=int(rows[int(np.argmax(mask.to_numpy()))]),
                           hint=hint)


def _check_unique(codes: pd.Series, rows: np.ndarray, file: str) -> None:
    dup = codes.duplicated(keep=False).to_numpy()
    if dup.any():
        where = np.flatnonzero(dup)
        code = codes.iat[int(where[0])]
        same = where[codes.to_numpy()[where] == code]
        raise UpdaterError(f"duplicate code {code} (also on data row {int(rows[same[0]])})",
                           file=file, row=int(rows[same[1]]),
                           hint="each code may appear once; remove the repeat")


def looks_like_code_table(rows: Sequence[Sequence[str]]) -> bool:
    """A header row with a usual code-column name, and a code with a digit under it in the
    next non-blank row: a "CPT" in a data row (a code-type column) is no header."""
    at = find_header(rows, None)
    if at is None:
        return False
    column = find_column(rows[at], None, CODE_NAMES)
    below = next((r for r in rows[at + 1:] if any(c.strip() for c in r)), None)
    return (column is not None and below is not None and column < len(below)
            and any(ch.isdigit() for ch in below[column]))


def has_code_header(source: Source) -> bool:
    """A code table near the top of the CSV's head, or of one of the workbook's first
    sheets: a cheap look, for detection."""
    if source.suffix in {".xlsx", ".xlsm"}:
        try:
            book = open_workbook(source.read(), source.display)
            return any(
                looks_like_code_table([[cell_text(c) for c in row] for row in
                                       book.rows(n, nrows=HEADER_ROWS + 5)])
                for n in book.sheet_names[:5])
        except UpdaterError:  # not a workbook: not ours
            return False
    try:
        text = decode_text(source.head(), source.display)
    except UpdaterError:  # binary: not a table
        return False
    candidates = ("\t",) if source.suffix == ".tsv" else DELIMITERS
    return any(looks_like_code_table(_csv_rows(text, d, HEADER_ROWS + 5)[0])
               for d in candidates)


class GenericTableReader:
    name = "generic-table"
    title = "generic code table (CSV/TSV/XLSX with a code column; --code-col, --system)"
    system: CodeSystem | None = None  # the user's --system, else custom
    kind = ReleaseKind.FULL
    rank = 0  # a publisher's own format always wins

    def sniff(self, source: Source) -> bool:
        return source.suffix in SUFFIXES and has_code_header(source)

    def read(self, source: Source, options: ReadOptions, bundle: list[Source]) -> ReaderOutput:
        system = options.system or CodeSystem.CUSTOM
        if source.suffix in {".xlsx", ".xlsm"}:
            table = read_xlsx_table(source, options)
        else:
            table = read_csv_table(source, options)
        return ReaderOutput(table=normalize(table, options, system), system=system)


READER = GenericTableReader()
