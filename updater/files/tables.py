"""A user's table (CSV or XLSX export) as string columns under its header row: the one
reader of a plain table, for chargemasters, crosswalks, price-transparency files, code
lists (``releases/readers/generic_table.py``), user maps and CSV conversion tables; each
of those only says which row is its header and maps the columns to its own table.

Chargemasters and crosswalks come from many systems: title rows above the header, house
column names, commas or semicolons or tabs, UTF-8 or Windows-1252, numbers that Excel
turned into floats. This module reads such a file once into Arrow string columns (CSV by
``pyarrow.csv``, multi-threaded; XLSX by calamine), finds the header row under the titles,
matches columns by their usual names, reads TOML profiles that name them instead, and
offers the vectorized cleaning (codes, dates, amounts) every reader needs. No step loops
in Python over the data rows: a million-line export reads in a second or two.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import zip_longest
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from updater.errors import UpdaterError
from updater.files.cells import cell_text
from updater.files.limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    cell_too_long,
    check_width,
)
from updater.files.sources import require_file
from updater.files.text import TABLE_NUL_HINT, decode, wide_bom
from updater.files.toml_lines import TomlLines, read_toml
from updater.files.workbooks import open_workbook

HEADER_ROWS = 30  # the header row is looked for among the first rows
HEAD_BYTES = 1 << 20  # enough text for the first rows of any export
DELIMITERS = (",", ";", "\t", "|")
WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # xlsx/xlsm/ods zip; legacy xls
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
_BOM = b"\xef\xbb\xbf"
TEXT = pa.large_string()  # every text column: pandas' str dtype takes it without a copy


def column_key(name: str) -> str:
    """Header texts compared without case, spaces or punctuation, ``#`` read as number:
    ``CDM #`` = ``cdm number`` = ``CDM_Num`` -> ``cdmnum``; ``CPT®/HCPCS`` -> ``cpthcpcs``."""
    text = re.sub(r"[^a-z0-9]", "", name.lower().replace("#", "number"))
    return text.replace("number", "num")


def find_columns(header: Sequence[str], names: Sequence[str]) -> list[int]:
    """Positions of the header cells that are one of ``names`` (exactly, else by key),
    in header order."""
    wanted = {column_key(n) for n in names}
    exact = {n.strip() for n in names}
    return [i for i, h in enumerate(header)
            if h.strip() in exact or (column_key(h) and column_key(h) in wanted)]


def find_column(header: Sequence[str], names: Sequence[str]) -> int | None:
    """Position of the first usual name present (``names`` in order of preference)."""
    for name in names:
        found = find_columns(header, [name])
        if found:
            return found[0]
    return None


def shown_columns(header: Sequence[str]) -> str:
    """The header's non-blank cells, quoted, to show the user what the file has."""
    return ", ".join(repr(h) for h in header if h.strip()) or "none"


# ---------------------------------------------------------------- the table


@dataclass
class RawTable:
    """The data rows under the header row, every cell as trimmed text ("" when empty).

    ``columns[i]`` is the column under ``header[i]``; trailing blank rows are gone, blank
    rows in the middle stay (they are data rows the user will want reported)."""

    header: list[str]
    columns: list[pa.ChunkedArray]
    header_row: int  # 1-based row of the header in the file or sheet
    source: str  # the file, and the sheet for a workbook, for messages
    kind: str  # "csv" or "xlsx"
    sha256: str

    @property
    def rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def column(self, position: int) -> pa.ChunkedArray:
        return self.columns[position]

    def sheet_row(self, row: int) -> int:
        """The row a person sees in the spreadsheet for data row ``row``."""
        return self.header_row + row

    def fail(self, message: str, row: int, hint: str) -> UpdaterError:
        """An error at data row ``row``, naming the spreadsheet row too."""
        where = f" (spreadsheet row {self.sheet_row(row)})" if self.header_row > 1 else ""
        return UpdaterError(message + where, file=self.source, row=row, hint=hint)


class TableFile:
    """An opened CSV or workbook sheet, before its header row is chosen."""

    kind = ""
    source = ""

    def heads(self) -> Iterator[tuple[str, list[list[str]]]]:
        """(delimiter, first rows as text) for every way the file could be split."""
        raise NotImplementedError

    def body(self, delimiter: str, header_at: int,
             only: Collection[int] | None = None, *,
             extra_cells: bool = False) -> RawTable:
        """The table under row ``header_at`` (0-based) of the file split by ``delimiter``;
        with ``only``, the other columns are left blank (a wide HPT file has hundreds of
        payer columns nobody reads here). A CSV row with more cells than the header is
        refused unless its extra cells are blank, or ``extra_cells`` says to ignore them
        (a code list's notes past its columns)."""
        raise NotImplementedError


def open_table(path: str | Path, *, sheet: str | None = None, data: bytes | None = None,
               display: str | None = None, empty_hint: str = "export the table again",
               sheet_hint: str = "choose the sheet with the table with --sheet",
               ) -> TableFile:
    """The file as a CSV or a workbook, by its first bytes (else its name).

    ``data``: the file's bytes already in memory (a zip member), ``path`` then only gives
    the name; ``display`` names the file in messages (``release.zip!list.csv``). The
    hints say what to do with an empty file or sheet, in the caller's words."""
    p = Path(path)
    shown = display or str(p)
    if data is None:
        require_file(p, what="a table", hint="name the CSV or XLSX file")
        with p.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
        empty = not head.strip() and (len(head) < HEAD_BYTES or not p.read_bytes().strip())
    else:
        head, empty = data[:HEAD_BYTES], not data.strip()
    if empty:
        raise UpdaterError("the file is empty", file=shown, hint=empty_hint)
    if head.startswith(WORKBOOK_MAGIC) or p.suffix.lower() in WORKBOOK_SUFFIXES:
        whole = p.read_bytes() if data is None else data  # its limits: by open_workbook
        return WorkbookFile(p, whole, sheet, display=shown, sheet_hint=sheet_hint)
    return CsvFile(p, head, data=data, display=shown)


def head_table(head: bytes, name: str | Path, display: str, *,
               complete: bool) -> TableFile | None:
    """The first rows of a CSV from the first bytes of the file only (``complete``: the
    whole file), to recognise it cheaply; None when the bytes are not text. Only
    ``heads`` may be asked of it."""
    if head.startswith(WORKBOOK_MAGIC):
        return None
    try:
        return CsvFile(Path(name), head, display=display, complete=complete)
    except UpdaterError:
        return None


def delimiters_for(path: Path) -> tuple[str, ...]:
    """The delimiters tried, in order: a ``.tsv`` file's tab first."""
    if path.suffix.lower() == ".tsv":
        return ("\t", *(d for d in DELIMITERS if d != "\t"))
    return DELIMITERS


def checked(table: RawTable) -> RawTable:
    """The table, refused when its header is wider than ``MAX_COLUMNS`` or a cell is
    longer than ``MAX_CELL_CHARS`` (one pass of Arrow's kernels per column)."""
    check_width(len(table.header), table.source)
    for i, column in enumerate(table.columns):
        if not len(column):
            continue
        lengths = pc.utf8_length(column)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > MAX_CELL_CHARS:
            at = pc.index(pc.greater(lengths, MAX_CELL_CHARS), True).as_py()
            raise cell_too_long(table.source, at + 1, table.header[i],
                                int(lengths[at].as_py()))
    return table


def locate_header(table: TableFile, is_header: Callable[[list[str]], bool],
                  header_row: int | None = None) -> tuple[str, int] | None:
    """(delimiter, 0-based index) of the header row: the given 1-based ``header_row``,
    else the first of the first rows that ``is_header`` accepts, under any delimiter."""
    best: tuple[str, int] | None = None
    widest = 0
    for delimiter, rows in table.heads():
        if header_row is not None:
            at = header_row - 1
            if at < len(rows):
                if is_header(rows[at]):
                    return delimiter, at
                if len(rows[at]) > widest:  # the split that gives the row the most cells
                    best, widest = (delimiter, at), len(rows[at])
            continue
        for i, row in enumerate(rows[:HEADER_ROWS]):
            if is_header(row):
                return delimiter, i
    return best


def header_cells(table: TableFile, delimiter: str, at: int) -> list[str]:
    """Row ``at`` (0-based) of the file split by ``delimiter``."""
    rows = next(rows for d, rows in table.heads() if d == delimiter)
    return rows[at] if at < len(rows) else []


def first_rows(table: TableFile) -> list[list[str]]:
    """The first rows under the first delimiter, for messages."""
    return next(iter(table.heads()))[1]


def first_nonblank(rows: Sequence[Sequence[str]]) -> list[str]:
    return list(next((r for r in rows if any(c.strip() for c in r)), []))


class CsvFile(TableFile):
    """A delimited text file, decoded by ``updater.files.text``: UTF-8 (BOM or not),
    UTF-16 or UTF-32 with a BOM (Excel's "Unicode text"), or Windows-1252.

    A UTF-8 file is never held whole in memory: Arrow reads it from the disk in blocks.
    Any other is re-encoded as UTF-8 in memory first."""

    kind = "csv"

    def __init__(self, path: Path, head: bytes, *, data: bytes | None = None,
                 display: str | None = None, complete: bool | None = None) -> None:
        """``head``: the first bytes; ``data``: the whole file when it is in memory (a zip
        member); ``complete``: only ``head`` is known (True when that is the whole file),
        for a cheap look at the first rows."""
        self.path, self.source = path, display or str(path)
        self.raw = data
        self.size = (len(data) if data is not None else path.stat().st_size
                     if complete is None else len(head) + (not complete))
        self.bom = len(_BOM) if head.startswith(_BOM) else 0
        self.data: bytes | None = None  # the whole text, re-encoded, for Windows-1252
        self.encoding = "utf-8"
        self._sha256 = ""
        self._cache: dict[str, tuple[list[list[str]], list[int]]] = {}
        self.nul_line: int | None = None  # the first line with a NUL byte, once scanned
        self.delimiters = delimiters_for(path)
        if complete is not None and (wide_bom(head) or self._not_utf8(head)):
            self._to_utf8(head)  # a look at the head only: decoded as far as it goes
            self.complete = complete
            return
        if wide_bom(head) or data is not None:  # UTF-16/32 (zero bytes that are not
            self._to_utf8()  # binary), or in memory anyway
            return
        head = head[self.bom:]
        if b"\x00" in head:
            raise UpdaterError("binary content (NUL bytes) where text was expected",
                               file=self.source, hint=TABLE_NUL_HINT)
        self.complete = self.bom + len(head) >= self.size
        if complete is None and not self.complete and b"\n" not in head and b"\r" not in head:
            raise UpdaterError(f"the first line is longer than {HEAD_BYTES >> 20} MB: not a "
                               "table export", file=self.source,
                               hint="is this the file? a header of more than "
                                    f"{MAX_COLUMNS:,} columns is refused too")
        try:
            self.head = head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if not self.complete and exc.start >= len(head) - 3:  # a character cut in two
                self.head = head[:exc.start].decode("utf-8")
            else:
                self._to_utf8()

    @staticmethod
    def _not_utf8(head: bytes) -> bool:
        """Whether ``head`` is no UTF-8, beyond a character cut short at its end."""
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            return exc.start < len(head) - 3
        return False

    @property
    def sha256(self) -> str:
        if not self._sha256:
            self._scan(0)
        return self._sha256

    def _to_utf8(self, head: bytes | None = None) -> None:
        """Text that is not UTF-8 (Windows-1252, or UTF-16/32 by its BOM), or a file in
        memory, re-encoded as UTF-8 in memory, so Arrow reads one encoding. A NUL is found
        (with its line) in the re-encoded text by ``_scan``. ``head``: only these first
        bytes are known."""
        raw = head if head is not None else self.raw if self.raw is not None \
            else self.path.read_bytes()
        self._sha256 = hashlib.sha256(raw).hexdigest()
        decoded = decode(raw, self.source, nul_hint=None)
        self.data, self.encoding, self.bom = decoded.text.encode("utf-8"), decoded.encoding, 0
        self.head = self.data[:HEAD_BYTES].decode("utf-8", errors="ignore")
        self.complete = len(self.data) <= HEAD_BYTES
        self._cache = {}

    def split_head(self, delimiter: str) -> tuple[list[list[str]], list[int]]:
        """The first rows and the character offset where each one ends."""
        if delimiter not in self._cache:
            rows, ends = _head_rows(self.head, delimiter, complete=self.complete)
            check_width(max(map(len, rows), default=0), self.source)  # before any search
            self._cache[delimiter] = rows, ends
        return self._cache[delimiter]

    def heads(self) -> Iterator[tuple[str, list[list[str]]]]:
        for delimiter in self.delimiters:
            yield delimiter, self.split_head(delimiter)[0]

    def _stream(self, start: int) -> pa.NativeFile:
        """The text from byte ``start`` (of the UTF-8 text, BOM excluded)."""
        if self.data is not None:
            return pa.BufferReader(pa.py_buffer(self.data)[start:])
        stream = pa.OSFile(str(self.path))
        stream.seek(self.bom + start)
        return stream

    def _scan(self, start: int) -> bool:
        """One pass over the file: its checksum, and whether a quoted value after byte
        ``start`` holds a line break (Arrow splits a file into blocks twice as fast when
        none does). A break is inside quotes when an odd number of quotes precede it."""
        digest = hashlib.sha256()
        quotes_before = 0
        quoted_break = False
        lines_before = 0
        at = -self.bom  # position in the text of the block's first byte
        with (io.BytesIO(self.data) if self.data is not None else self.path.open("rb")) as fh:
            while block := fh.read(1 << 24):
                digest.update(block)
                whole = np.frombuffer(block, dtype=np.uint8)
                if self.nul_line is None and (zero := np.flatnonzero(whole == 0)).size:
                    self.nul_line = lines_before + int(
                        np.count_nonzero(whole[:zero[0]] == 10)) + 1
                lines_before += int(np.count_nonzero(whole == 10))
                if not quoted_break and at + len(block) > start:
                    skip = max(0, start - at)
                    piece = np.frombuffer(block, dtype=np.uint8)[skip:]
                    quotes = np.flatnonzero(piece == 34)
                    if quotes.size or quotes_before % 2:
                        breaks = np.flatnonzero((piece == 10) | (piece == 13))
                        inside = (np.searchsorted(quotes, breaks) + quotes_before) % 2
                        quoted_break = bool(inside.any())
                    quotes_before += quotes.size
                at += len(block)
        if not self._sha256:
            self._sha256 = digest.hexdigest()
        return quoted_break

    def body(self, delimiter: str, header_at: int,
             only: Collection[int] | None = None, *,
             extra_cells: bool = False) -> RawTable:
        rows, ends = self.split_head(delimiter)
        header = [c.strip() for c in rows[header_at]]
        check_width(len(header), self.source)
        start = len(self.head[:ends[header_at]].encode("utf-8"))
        quoted_breaks = self._scan(start)
        if self.nul_line is not None:
            raise UpdaterError("binary content (NUL bytes) where text was expected",
                               file=self.source, line=self.nul_line,
                               hint="export the table as CSV or XLSX")
        try:
            columns = _arrow_columns(self._stream(start), len(header), delimiter,
                                     newlines_in_values=quoted_breaks, source=self.source,
                                     only=only)
        except _NotUtf8:
            self._to_utf8()
            return self.body(delimiter, header_at, only, extra_cells=extra_cells)
        if columns is None:  # rows with more or fewer cells than the header
            columns = self._python_columns(start, header, delimiter, header_at,
                                           extra_cells=extra_cells)
        columns = drop_trailing_blank(columns)
        return checked(RawTable(header, columns, header_at + 1, self.source, "csv",
                                self.sha256))

    def _python_columns(self, start: int, header: list[str], delimiter: str,
                        header_at: int, *, extra_cells: bool) -> list[pa.ChunkedArray]:
        """The slow, forgiving way for ragged files: short rows padded, long rows accepted
        when their extra cells are blank (or ``extra_cells``: whatever they hold)."""
        with self._stream(start) as stream:
            text = stream.read().decode("utf-8")
        width = len(header)
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as exc:  # a cell past csv's limit, which is MAX_CELL_CHARS
            raise UpdaterError(f"the table cannot be read ({exc})", file=self.source,
                               hint="is this the export? a spreadsheet cell holds at most "
                                    "32,767 characters") from None
        while rows and not any(c.strip() for c in rows[-1]):
            rows.pop()
        for n, row in enumerate(rows, start=1):
            if not extra_cells and len(row) > width and any(c.strip() for c in row[width:]):
                where = f" (spreadsheet row {header_at + 1 + n})" if header_at else ""
                raise UpdaterError(
                    f"{len(row)} cells where the header row has {width}{where}",
                    file=self.source, row=n,
                    hint="put quotes around a value that contains the delimiter "
                         f"{delimiter!r}, or give the extra column a header")
        padded = [(row + [""] * (width - len(row)))[:width] for row in rows]
        cells = list(zip(*padded, strict=True)) if padded else [() for _ in range(width)]
        return [trim(pa.chunked_array([pa.array(col, TEXT)])) for col in cells]


class _NotUtf8(Exception):
    pass


def _head_rows(text: str, delimiter: str, complete: bool) -> tuple[list[list[str]], list[int]]:
    """Rows of the head (at most HEADER_ROWS + 5) and where each ends; a row the head cuts
    short is left out."""
    lines = io.StringIO(text, newline="")
    consumed = 0

    def counted() -> Iterator[str]:
        nonlocal consumed
        for line in lines:
            consumed += len(line)
            yield line

    rows: list[list[str]] = []
    ends: list[int] = []
    reader = csv.reader(counted(), delimiter=delimiter)
    try:
        for row in reader:
            if not complete and consumed >= len(text):
                break  # may continue past the head
            rows.append(row)
            ends.append(consumed)
            if len(rows) >= HEADER_ROWS + 5:
                break
    except csv.Error:
        pass  # a damaged head: the header search sees fewer rows
    return rows, ends


def _arrow_columns(stream: pa.NativeFile, width: int, delimiter: str, *,
                   newlines_in_values: bool, source: str,
                   only: Collection[int] | None = None) -> list[pa.ChunkedArray] | None:
    """The rows of ``stream`` as ``width`` string columns, those not in ``only`` blank
    (None when a row has another number of cells: the caller takes the forgiving path)."""
    ragged = False

    def on_invalid(row: object) -> str:
        nonlocal ragged
        ragged = True
        return "error"

    names = [f"c{i}" for i in range(width)]
    try:
        with stream:
            table = pacsv.read_csv(
                stream,
                read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
                parse_options=pacsv.ParseOptions(delimiter=delimiter,
                                                 newlines_in_values=newlines_in_values,
                                                 ignore_empty_lines=False,
                                                 invalid_row_handler=on_invalid),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: TEXT for n in names}, strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                    include_columns=[names[i] for i in sorted(only)] if only else None))
    except pa.ArrowInvalid as exc:
        if ragged:
            return None
        if "utf8" in str(exc).lower():
            raise _NotUtf8 from None
        if "empty csv" in str(exc).lower():  # nothing under the header row
            return [blank_column(0) for _ in names]
        raise UpdaterError(f"the table cannot be read ({exc})", file=source,
                           hint="save it again from the spreadsheet as CSV") from None
    if ragged:
        return None
    if table.num_rows == 0:
        return [blank_column(0) for _ in names]
    return [trim(table.column(names[i])) if names[i] in table.column_names
            else blank_column(table.num_rows) for i in range(width)]


class WorkbookFile(TableFile):
    """One sheet of an XLSX (or XLS/ODS) workbook, read by calamine."""

    kind = "xlsx"

    def __init__(self, path: Path, data: bytes, sheet: str | None, *,
                 display: str | None = None,
                 sheet_hint: str = "choose the sheet with the table with --sheet") -> None:
        self.path = path
        shown = display or str(path)
        self.sha256 = hashlib.sha256(data).hexdigest()
        book = open_workbook(data, shown)
        self.sheet = name = book.sheet(sheet)
        self.source = f"{shown}, sheet {name!r}"
        self.cells = book.rows(name)
        check_width(max(map(len, self.cells[:HEADER_ROWS + 5]), default=0), self.source)
        self.head = [[cell_text(c) for c in row] for row in self.cells[:HEADER_ROWS + 5]]
        if not any(any(c for c in row) for row in self.head) and not self._any_cell():
            raise UpdaterError(f"sheet {name!r} is empty", file=shown, hint=sheet_hint)

    def _any_cell(self) -> bool:
        return any(any(cell_text(c) for c in row) for row in self.cells)

    def heads(self) -> Iterator[tuple[str, list[list[str]]]]:
        yield "", self.head

    def body(self, delimiter: str, header_at: int,
             only: Collection[int] | None = None, *,
             extra_cells: bool = False) -> RawTable:
        header = self.head[header_at]  # cells past the header are never read here
        check_width(len(header), self.source)
        rows = self.cells[header_at + 1:]
        width = len(header)
        if rows:
            by_column = list(zip_longest(*rows, fillvalue=""))[:width]
            columns = [trim(pa.chunked_array([column_texts(c)]))
                       if only is None or i in only else blank_column(len(rows))
                       for i, c in enumerate(by_column)]
            columns += [blank_column(len(rows))] * (width - len(columns))
        else:
            columns = [blank_column(0) for _ in range(width)]
        return checked(RawTable(header, drop_trailing_blank(columns), header_at + 1,
                                self.source, "xlsx", self.sha256))


def column_texts(values: Sequence[object]) -> pa.Array:
    """A column of cells as text. Whole columns of text, numbers or dates convert in
    Arrow; a column that mixes them goes cell by cell."""
    try:
        return pa.array(values, TEXT).fill_null("")
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        pass
    try:
        arr = pa.array(values)
    except (pa.ArrowTypeError, pa.ArrowInvalid, OverflowError):
        arr = None
    if arr is not None and arr.null_count == 0:
        kind = arr.type
        if pa.types.is_floating(kind):
            whole = pc.all(pc.equal(pc.floor(arr), arr)).as_py() and pc.all(
                pc.less(pc.abs(arr), 2.0 ** 53)).as_py()
            return (arr.cast(pa.int64()) if whole else arr).cast(TEXT)
        if pa.types.is_integer(kind) or pa.types.is_date(kind):
            return arr.cast(TEXT)
    return pa.array([cell_text(v) for v in values], TEXT)


def blank_column(n: int) -> pa.ChunkedArray:
    """``n`` empty strings, built on the buffers (no Python list)."""
    offsets = pa.py_buffer(np.zeros(n + 1, dtype=np.int64).tobytes())
    return pa.chunked_array([pa.LargeStringArray.from_buffers(n, offsets, pa.py_buffer(b""))])


def drop_trailing_blank(columns: list[pa.ChunkedArray]) -> list[pa.ChunkedArray]:
    """Blank rows at the end are no data rows (exports pad them); the middle ones stay."""
    if not columns:
        return columns
    n = len(columns[0])
    end, step = n, 64
    while end > 0:
        lo = max(0, end - step)
        blank = np.ones(end - lo, dtype=bool)
        for col in columns:
            blank &= pc.equal(col.slice(lo, end - lo), "").to_numpy(zero_copy_only=False)
        filled = np.flatnonzero(~blank)
        if filled.size:
            end = lo + int(filled[-1]) + 1
            break
        end, step = lo, step * 4
    return columns if end == n else [c.slice(0, end) for c in columns]


def frame_of(columns: Mapping[str, pa.Array | pa.ChunkedArray]) -> pd.DataFrame:
    """A pandas frame from Arrow columns; text as large_string, which pandas' ``str`` dtype
    takes without copying."""
    return pa.table({name: col.cast(TEXT) if col.type == pa.string() else col
                     for name, col in columns.items()}).to_pandas()


# ---------------------------------------------------------------- cleaning, vectorized


def _data_bytes(arr: pa.ChunkedArray) -> Iterator[np.ndarray]:
    """The raw character bytes of each chunk (a cheap way to know if any cell needs work)."""
    for chunk in arr.chunks:
        buffers = chunk.buffers()
        if len(buffers) > 2 and buffers[2] is not None:
            yield np.frombuffer(buffers[2], dtype=np.uint8)


SPACES = b" \t\n\r\x0b\x0c"


def has_byte(arr: pa.ChunkedArray, values: bytes = b"", *, lower: bool = False,
             high: bool = False) -> bool:
    """Whether any cell holds one of the byte ``values`` (or an ASCII lower-case letter,
    or a non-ASCII byte): a scan of the raw buffers that lets most columns skip work."""
    for b in _data_bytes(arr):
        if not b.size:
            continue
        if high and int(b.max()) >= 128:
            return True
        if lower and bool(((b - np.uint8(97)) < 26).any()):
            return True
        if any(bool((b == v).any()) for v in values):
            return True
    return False


def trim(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    """Cells without surrounding white space (skipped when no cell has any)."""
    if not has_byte(arr, SPACES, high=True):  # high: maybe a no-break space
        return arr
    return pc.utf8_trim_whitespace(arr)


def remove_dots(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    """Every "." removed, straight on the Arrow buffers (twice as fast as a string replace):
    a string loses as many bytes as it has dots before its end."""
    chunks = []
    for chunk in arr.chunks:
        offsets_buf, data_buf = chunk.buffers()[1], chunk.buffers()[2]
        if data_buf is None or chunk.null_count or chunk.type != TEXT:
            chunks.append(pc.replace_substring(chunk, ".", "").cast(TEXT))
            continue
        offsets = np.frombuffer(offsets_buf, dtype=np.int64)[chunk.offset:chunk.offset
                                                              + len(chunk) + 1]
        data = np.frombuffer(data_buf, dtype=np.uint8)[offsets[0]:offsets[-1]]
        dots = np.flatnonzero(data == 46)
        if not dots.size:
            chunks.append(chunk)
            continue
        rel = offsets - offsets[0]
        new_offsets = rel - np.searchsorted(dots, rel)
        kept = np.delete(data, dots)
        chunks.append(pa.LargeStringArray.from_buffers(len(chunk), pa.py_buffer(new_offsets),
                                                  pa.py_buffer(kept)))
    return pa.chunked_array(chunks, TEXT)


# white space as Python's str.isspace sees it (RE2's \s is ASCII only, without \v)
_WHITE = r"[\s\v\x{1c}-\x{1f}\x{85}\p{Z}]+"


def normalize_codes(raw: pa.ChunkedArray) -> pa.ChunkedArray:
    """``updater.codes.normalize_code`` on a column (Arrow's kernels, millions of cells;
    the same answers, tested together): surrounding blanks off, a number Excel or pandas
    wrote as ``99213.0`` back to ``99213``, no dots, no white space, upper case; nulls
    stay null. Codes are not checked here."""
    out = raw
    if has_byte(out, SPACES, high=True):  # high: maybe a no-break space
        out = pc.utf8_trim_whitespace(out)
    if has_byte(out, b"."):
        out = remove_dots(excel_integers(out))
    if has_byte(out, SPACES, high=True):
        out = pc.replace_substring_regex(out, _WHITE, "")
    if has_byte(out, lower=True, high=True):
        out = pc.utf8_upper(out)
    return out


def excel_integers(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """``320.0`` (a number that went through pandas or Excel) back to ``320``."""
    if not has_byte(values, b".") or not pc.any(
            pc.match_substring_regex(values, r"^\d+\.0+$")).as_py():
        return values
    return pc.replace_substring_regex(values, r"^(\d+)\.0+$", r"\1")


def normalize_revenue_codes(raw: pa.ChunkedArray) -> pa.ChunkedArray:
    """UB-04 revenue codes have four digits; Excel drops the leading zero (320 -> 0320)."""
    raw = excel_integers(raw)
    if not pc.any(pc.less(pc.utf8_length(raw), 4)).as_py():
        return raw
    short = pc.match_substring_regex(raw, r"^\d{1,3}$")
    return pc.if_else(short, pc.utf8_lpad(raw, 4, "0"), raw)


def normalize_modifiers(columns: Sequence[pa.ChunkedArray]) -> pa.ChunkedArray:
    """Modifier columns comma-joined, upper case, blanks left out: ``50|62``, ``26 RT``,
    ``26;rt`` -> ``26,RT``."""
    out: pa.ChunkedArray | None = None
    for raw in columns:
        cells = excel_integers(raw)
        if has_byte(cells, lower=True, high=True):
            cells = pc.utf8_upper(cells)
        if has_byte(cells, b",;|/" + SPACES, high=True):
            cells = pc.utf8_trim(pc.replace_substring_regex(cells, r"[\s,;|/]+", ","), ",")
        if out is None:
            out = cells
            continue
        both = pc.binary_join_element_wise(out, cells, pa.scalar(",", TEXT))
        out = pc.if_else(pc.equal(cells, ""), out, pc.if_else(pc.equal(out, ""), cells, both))
    return out if out is not None else pa.chunked_array([], TEXT)


def by_unique(values: pa.ChunkedArray,
              work: Callable[[pd.Series], pd.Series]) -> tuple[pa.Array, pd.Series, pa.Array]:
    """``work`` done once per distinct value: (indices into the uniques, the uniques, the
    results per unique); ``results.take(indices)`` gives one per value. Dates and statuses
    repeat a lot in a chargemaster, so this is the cheap way to parse them."""
    encoded = values.combine_chunks().dictionary_encode()
    uniques = pd.Series(encoded.dictionary.to_pandas(), dtype="str")
    return encoded.indices, uniques, pa.array(work(uniques).to_numpy(), from_pandas=True)


# ---------------------------------------------------------------- status and dates
# A retired chargemaster line or crosswalk pair is never deleted: it gets an end date or
# an inactive status. Both readers find those columns by these names and read them alike.

STATUS_NAMES = ("Status", "Active", "Active Flag", "Active Status", "Active Ind",
                "Active Indicator", "Status Code", "Inactive", "Inactive Flag",
                "Inactive Ind", "Inactive Indicator")
EFFECTIVE_DATE_NAMES = ("Effective Date", "Eff Date", "Eff Dt", "Effective", "Start Date",
                        "Begin Date", "Activation Date", "Effective From")
END_DATE_NAMES = ("End Date", "Term Date", "Term Dt", "Termination Date", "Expiration Date",
                  "Exp Date", "Inactive Date", "End Dt", "Effective To", "Discontinue Date")

# Status values that retire a line; a column named "Inactive ..." says the opposite way
# round (Y = inactive).
INACTIVE_VALUES = frozenset({"I", "N", "INACTIVE", "RETIRED", "DELETED", "OBSOLETE", "NO",
                             "FALSE", "0", "D", "DEL", "TERMINATED", "DISCONTINUED"})
INACTIVE_WHEN_SET = frozenset({"Y", "YES", "TRUE", "T", "1", "X", "I", "INACTIVE", "D",
                               "DELETED", "RETIRED", "OBSOLETE"})


def inactive_values_for(status_header: str | None) -> frozenset[str]:
    """The status values that mean inactive in a column of this name: an "Inactive ..."
    flag column is set (Y, 1, X) when inactive, a status column says I, N, Retired ..."""
    if status_header is not None and column_key(status_header).startswith("inactive"):
        return INACTIVE_WHEN_SET
    return INACTIVE_VALUES


def active_flags(status: pa.ChunkedArray, inactive: Collection[str]) -> np.ndarray:
    """True per row unless its status (any case) is one of ``inactive`` (upper case);
    judged once per distinct status."""
    if len(status) == 0:
        return np.ones(0, dtype=bool)
    wanted = frozenset(inactive)
    codes, _, flags = by_unique(status, lambda u: ~u.str.upper().isin(wanted))
    return np.asarray(flags.take(codes).to_numpy(zero_copy_only=False), dtype=bool)


_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
EXCEL_EPOCH = np.datetime64("1899-12-30")
DATE_FORMATS = "YYYY-MM-DD, M/D/YYYY, MM/DD/YYYY or YYYYMMDD"


def iso_dates(values: pa.ChunkedArray, table: RawTable, column: str, *,
              date_format: str | None = None,
              hint: str = "correct it, or set date_format in a --profile") -> pa.ChunkedArray:
    """Dates as ISO yyyy-mm-dd ("" when blank or 0); Excel serial numbers too in a
    workbook. A value that is no date stops the read, naming its row."""
    if len(values) == 0:
        return values
    codes, uniques, iso = by_unique(values, lambda u: iso_of_uniques(
        u, excel=table.kind == "xlsx", date_format=date_format))
    bad = iso.is_null().to_numpy(zero_copy_only=False)
    if bad.any():
        which = int(np.flatnonzero(bad)[0])
        row = int(np.flatnonzero(codes.to_numpy() == which)[0]) + 1
        expected = f"the profile's date_format {date_format!r}" if date_format \
            else DATE_FORMATS
        raise table.fail(f"{uniques.iat[which]!r} in column {column!r} is not a date "
                         f"(expected {expected})", row, hint=hint)
    return pa.chunked_array([iso.cast(TEXT).take(codes)])


def iso_of_uniques(u: pd.Series, *, excel: bool, date_format: str | None) -> pd.Series:
    """ISO text per value, None where the value is no date."""
    out = pd.Series([None] * len(u), index=u.index, dtype=object)
    blank = u.isin(["", "0", "00000000"])  # systems write 0 for "no date"
    out[blank] = ""
    if date_format:  # once per distinct value; strptime also takes 12/31/9999
        out[~blank] = [_strptime(v, date_format) for v in u[~blank]]
        return out
    parts = [u.str.extract(r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})(?:[ T].*)?$"),
             u.str.extract(r"^(?P<m>\d{1,2})[/-](?P<d>\d{1,2})[/-](?P<y>\d{4})(?:\s.*)?$"),
             u.str.extract(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")]
    ymd = parts[0].fillna(parts[1]).fillna(parts[2])
    found = ymd["y"].notna().to_numpy()
    y = pd.to_numeric(ymd["y"]).fillna(0).to_numpy(dtype=np.int64)
    m = pd.to_numeric(ymd["m"]).fillna(0).to_numpy(dtype=np.int64)
    d = pd.to_numeric(ymd["d"]).fillna(0).to_numpy(dtype=np.int64)
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    month_ok = (m >= 1) & (m <= 12)
    days = np.where(month_ok, _DAYS[np.clip(m - 1, 0, 11)] + ((m == 2) & leap), 0)
    valid = found & month_ok & (d >= 1) & (d <= days) & (y >= 1)
    text = (pd.Series(y).astype(str).str.zfill(4) + "-" + pd.Series(m).astype(str).str.zfill(2)
            + "-" + pd.Series(d).astype(str).str.zfill(2))
    out[valid] = text[valid].to_numpy()
    if excel:
        serial = u.str.fullmatch(r"\d{1,5}(?:\.\d+)?").fillna(False).to_numpy() & ~valid
        if serial.any():
            days_since = pd.to_numeric(u[serial]).to_numpy().astype(np.int64)
            dates = EXCEL_EPOCH + days_since.astype("timedelta64[D]")
            out[serial] = np.datetime_as_string(dates, unit="D")
    return out


def _strptime(value: str, date_format: str) -> str | None:
    try:
        return datetime.strptime(value, date_format).date().isoformat()
    except ValueError:
        return None


def amounts(values: pa.ChunkedArray, table: RawTable, column: str) -> np.ndarray:
    """Money and counts as floats: ``$1,234.50`` -> 1234.5, ``(12.00)`` -> -12.0, blank or
    N/A -> NaN; Excel's accounting dash (``$ -``) is zero. Anything else stops the read."""
    text = values
    for char in ("$", ",", " "):
        if has_byte(text, char.encode()):
            text = pc.replace_substring(text, char, "")
    negative = None
    if has_byte(text, b"()"):
        negative = pc.match_substring_regex(text, r"^\(.*\)$")
        text = pc.utf8_trim(text, "()")
    text = pc.if_else(pc.equal(text, "-"), "0", text)
    absent = pc.is_in(text, value_set=pa.array(["", "N/A", "NA", "n/a", "na"]))
    blank_as_null = pc.if_else(absent, pa.scalar(None, TEXT), text)
    try:
        parsed = pc.cast(blank_as_null, pa.float64())
        ok = not pc.any(pc.is_nan(parsed)).as_py() and not pc.any(pc.is_inf(parsed)).as_py()
    except pa.ArrowInvalid:
        ok = False
    if not ok:  # find the first bad value, the slow way
        number = pc.match_substring_regex(text, r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
        bad = pc.invert(pc.or_(number, absent)).to_numpy(zero_copy_only=False)
        row = int(np.flatnonzero(bad)[0])
        raise table.fail(f"{values[row].as_py()!r} in column {column!r} is not an amount",
                         row + 1, hint="write it as a number, e.g. 1234.50, or leave it blank")
    if negative is not None:
        parsed = pc.if_else(negative, pc.negate(parsed), parsed)
    return np.asarray(parsed.to_numpy(zero_copy_only=False), dtype=np.float64)


# ---------------------------------------------------------------- profiles


@dataclass(frozen=True)
class Profile:
    """How one system's export names its columns, written once by the user (TOML)."""

    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    header_row: int | None = None  # 1-based
    sheet: str | None = None
    inactive_values: frozenset[str] | None = None  # upper case
    date_format: str | None = None  # strftime, e.g. "%d.%m.%Y"
    source: str = ""


PROFILE_KEYS = ("columns", "header_row", "sheet", "inactive_values", "date_format",
                "name", "description")


def load_profile(path: str | Path, fields: Sequence[str],
                 multi: Sequence[str] = ()) -> Profile:
    """A TOML profile, checked: every mistake names the profile's line."""
    p = Path(path)
    if not p.is_file():
        raise UpdaterError("no such profile", file=p, hint="check the path given to --profile")
    doc, text = read_toml(p, what="the profile",
                          hint="see chargemasters/profiles/ for examples")
    lines = TomlLines(text)

    def fail(key: str, message: str, hint: str) -> UpdaterError:
        return UpdaterError(message, file=p, line=lines.find(key), hint=hint)

    for key in doc:
        if key not in PROFILE_KEYS:
            raise fail(key, f"unknown setting {key!r}",
                       f"use {', '.join(PROFILE_KEYS)}")
    columns_doc = doc.get("columns", {})
    if not isinstance(columns_doc, dict):
        raise fail("columns", "'columns' must be a table ([columns])",
                   "write [columns] and then one line per column, e.g. code = \"CPT\"")
    columns: dict[str, tuple[str, ...]] = {}
    for name, value in columns_doc.items():
        if name not in fields:
            raise fail(name, f"unknown column {name!r} in [columns]",
                       f"use {', '.join(fields)}")
        names = (value,) if isinstance(value, str) else value
        if (not isinstance(names, list | tuple) or not names
                or not all(isinstance(v, str) and v.strip() for v in names)):
            raise fail(name, f"column {name!r} must name a header text",
                       f'e.g. {name} = "Header text"')
        if len(names) > 1 and name not in multi:
            raise fail(name, f"column {name!r} takes one header, not a list",
                       f"only {', '.join(multi)} take a list")
        columns[name] = tuple(names)
    header_row = doc.get("header_row")
    if header_row is not None and (not isinstance(header_row, int)
                                   or isinstance(header_row, bool) or header_row < 1):
        raise fail("header_row", "header_row must be a row number, 1 or more",
                   "count rows as the spreadsheet does, the first row is 1")
    sheet = doc.get("sheet")
    if sheet is not None and not isinstance(sheet, str):
        raise fail("sheet", "sheet must be a sheet name in quotes", 'e.g. sheet = "CDM"')
    inactive = doc.get("inactive_values")
    if inactive is not None and (not isinstance(inactive, list)
                                 or not all(isinstance(v, str | int) for v in inactive)):
        raise fail("inactive_values", "inactive_values must be a list of values",
                   'e.g. inactive_values = ["I", "Retired"]')
    date_format = doc.get("date_format")
    if date_format is not None and (not isinstance(date_format, str) or "%" not in date_format):
        raise fail("date_format", "date_format must be a strftime pattern",
                   'e.g. date_format = "%d.%m.%Y"')
    return Profile(columns=columns, header_row=header_row, sheet=sheet,
                   inactive_values=(frozenset(str(v).strip().upper() for v in inactive)
                                    if inactive is not None else None),
                   date_format=date_format, source=str(p))


def merge_columns(profile: Profile | None,
                  columns: Mapping[str, str | Sequence[str]] | None,
                  fields: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The profile's column names, then the command line's on top."""
    out = dict(profile.columns) if profile else {}
    for name, value in (columns or {}).items():
        if name not in fields:
            raise UpdaterError(f"unknown column name {name!r}",
                               hint=f"name one of {', '.join(fields)}")
        if value is None or value == "":
            continue
        out[name] = (value,) if isinstance(value, str) else tuple(value)
    return out


def iso_date(value: str, *, date_format: str | None = None, excel: bool = False) -> str | None:
    """One cell's date as ISO yyyy-mm-dd by exactly the rules of :func:`iso_dates` (""
    when blank or 0, None when no date): apply reads the dates it compares the way the
    scan read them."""
    iso = iso_of_uniques(pd.Series([str(value).strip()], dtype=object), excel=excel,
                         date_format=date_format).iat[0]
    return None if iso is None else str(iso)
