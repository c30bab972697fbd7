"""Any code set as a plain table: CSV, TSV or XLSX with named columns.

Payer code lists and in-house code sets come as spreadsheets whose column names vary
(``CPT``, ``HCPCS/CPT``, ``ICD-10-CM``, ``Dx Code``, ...), often with title rows above
the header. The code column is found among the usual names (or named with --code-col),
the long and short descriptions likewise; codes lose their dots and are upper-cased, as
the publishers store them. The code system is the user's ``--system`` (else custom).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from updater.codeshapes import SHAPES
from updater.errors import UpdaterError
from updater.files.cells import cell_text
from updater.files.sources import HEAD_BYTES, Source
from updater.files.tables import (
    HEADER_ROWS,
    TableFile,
    first_nonblank,
    first_rows,
    frame_of,
    head_table,
    locate_header,
    open_table,
    shown_columns,
)
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
    return shown_columns(first_nonblank(rows))


class Table:
    """The rows of one sheet or CSV: the header row's cells, the data as string columns."""

    def __init__(self, header: list[str], data: pd.DataFrame, file: str) -> None:
        self.header, self.data, self.file = header, data, file

    def column(self, position: int) -> pd.Series:
        if position >= self.data.shape[1]:
            return pd.Series([""] * len(self.data), dtype="str")
        return self.data.iloc[:, position].fillna("").astype("str").str.strip()


def open_code_table(source: Source, options: ReadOptions) -> TableFile:
    """The CSV, TSV or sheet, opened by ``updater.files.tables`` (decoding, delimiter,
    title rows, sheets: the one reader of a user's table)."""
    in_zip = source.member is not None  # else read from the disk as it goes
    return open_table(Path(source.name) if in_zip else source.path, sheet=options.sheet,
                      data=source.read() if in_zip else None, display=source.display,
                      empty_hint="export the code list again",
                      sheet_hint="choose the sheet with the codes with --sheet")


def read_code_table(source: Source, options: ReadOptions) -> Table:
    """The table under the first row with a code column (``--code-col``, else a usual
    name), every cell as trimmed text."""
    file = open_code_table(source, options)
    located = locate_header(file, lambda row: find_column(row, options.code_col,
                                                          CODE_NAMES) is not None)
    if located is None:
        raise _no_code_column(first_rows(file), options, file.source)
    raw = file.body(*located, extra_cells=True)  # notes past the header are no data
    data = frame_of({str(i): column for i, column in enumerate(raw.columns)})
    return Table(raw.header, data, source.display)


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
    head = source.head()
    file = head_table(head, source.name, source.display, complete=len(head) < HEAD_BYTES)
    return file is not None and any(looks_like_code_table(rows) for _, rows in file.heads())


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
        table = read_code_table(source, options)
        return ReaderOutput(table=normalize(table, options, system), system=system)


READER = GenericTableReader()
