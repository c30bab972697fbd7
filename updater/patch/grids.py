"""Format-preserving editors for a chargemaster or crosswalk file: a CSV or an XLSX sheet
seen as a grid of data rows under its header row, edited cell by cell and row by row, then
written back so that everything not edited stays as it was.

CSV: the encoding (``updater.files.text``: UTF-8 with or without BOM, UTF-16 or UTF-32
with a BOM, Windows-1252) and its BOM, the delimiter, the line
terminator, the title rows above the header and every row not edited are written back
byte for byte; an edited or inserted row is written in the quoting style of the row it
came from (every field quoted, or only where needed).

XLSX (openpyxl): the workbook is loaded whole and saved again, so other sheets, column
order, title rows, styles and number formats stay; an inserted row copies the original
row's values, styles and number formats. openpyxl does not move merged cells,
conditional formats or table ranges below an inserted row, and drops charts and images
on saving: a workbook with those should be patched as CSV or checked by hand.
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import itertools
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from updater.errors import UpdaterError
from updater.files.cells import cell_text
from updater.files.limits import check_archive
from updater.files.output import EXCEL_CELL_LIMIT, defuse_text
from updater.files.tables import DELIMITERS, HEADER_ROWS, iso_date
from updater.files.text import decode, encode

# ---------------------------------------------------------------- dates


_YMD = re.compile(r"^(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[ T].*)?$")
_MDY = re.compile(r"^(\d{1,2})([/-])(\d{1,2})\2(\d{4})(?:\s.*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


@functools.lru_cache(maxsize=4096)
def _iso(text: str, date_format: str | None, excel: bool) -> str | None:
    return iso_date(text, date_format=date_format, excel=excel)


def parse_date(value: object, *, date_format: str | None = None,
               excel: bool = False) -> date | None:
    """A date cell read by the chargemaster reader's own rules (``iso_date``: the same
    spellings, the profile's ``date_format``, Excel serial numbers in a workbook), or a
    workbook date; None when blank or not a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    iso = _iso(str(value or "").strip(), date_format, excel)
    return date.fromisoformat(iso) if iso else None


def date_writer(samples: Sequence[str], date_format: str | None = None,
                ) -> tuple[str, Callable[[date], str]]:
    """(style name, function date -> text) writing dates as the column holds them: the
    profile's ``date_format`` when given, else the style most samples are written in -
    ``2025-12-31`` (the default), ``2025/12/31``, ``12/31/2025``, ``1/5/2025``,
    ``12-31-2025`` or ``20251231``."""
    if date_format:
        return date_format, lambda d: d.strftime(date_format)
    counts: dict[tuple[str, str, bool], int] = {}
    for s in samples:
        s = s.strip()
        if m := _YMD.match(s):
            key = ("ymd", m.group(2), True)
        elif m := _MDY.match(s):
            key = ("mdy", m.group(2), len(m.group(1)) == 2 and len(m.group(3)) == 2)
        elif _COMPACT.match(s):
            key = ("compact", "", True)
        else:
            continue
        counts[key] = counts.get(key, 0) + 1
    for (order, sep, padded), n in list(counts.items()):
        if order == "mdy" and not padded and (order, sep, True) in counts:
            # some unpadded: the column does not pad
            counts[(order, sep, False)] = n + counts.pop((order, sep, True))
    order, sep, padded = max(counts, key=lambda k: counts[k]) if counts else ("ymd", "-", True)
    name = {"ymd": "iso" if sep == "-" else "ymd" + sep, "compact": "compact"}.get(
        order, ("mdy0" if padded else "mdy") + ("" if sep == "/" else sep))

    def write(d: date) -> str:
        if order == "compact":
            return f"{d.year:04d}{d.month:02d}{d.day:02d}"
        if order == "ymd":
            return f"{d.year:04d}{sep}{d.month:02d}{sep}{d.day:02d}"
        if padded:
            return f"{d.month:02d}{sep}{d.day:02d}{sep}{d.year:04d}"
        return f"{d.month}{sep}{d.day}{sep}{d.year:04d}"

    return name, write


def day_before(iso: str) -> date:
    return date.fromisoformat(iso) - timedelta(days=1)


# ---------------------------------------------------------------- the grid


class Grid:
    """Data rows under a header row; row ``i`` is 0-based here (data row i + 1)."""

    kind = ""
    header: list[str]
    date_columns: list[int]  # where a blank date column learns its style from
    date_format: str | None = None  # the profile's: dates are read and written with it

    def _peers(self, j: int) -> list[int]:
        return [j, *(k for k in getattr(self, "date_columns", []) if k != j)]

    def _style(self, j: int, learn: Callable[[], Any]) -> Any:
        """Column j's date style, learnt once (a column holds one style, and looking at a
        whole column for every date written is quadratic on a big file)."""
        cache: dict[int, Any] = self.__dict__.setdefault("_styles", {})
        if j not in cache:
            cache[j] = learn()
        return cache[j]

    def __len__(self) -> int:
        raise NotImplementedError

    def text(self, i: int, j: int) -> str:
        """The cell as a person sees it ("" when blank)."""
        raise NotImplementedError

    def raw(self, i: int, j: int) -> Any:
        """The cell's value as stored (for the change log, to restore it exactly)."""
        raise NotImplementedError

    def date_at(self, i: int, j: int) -> date | None:
        """The cell as a date, read as the chargemaster reader reads it (None when blank
        or no date)."""
        return parse_date(self.text(i, j), date_format=self.date_format,
                          excel=self.kind == "xlsx")

    def set_text(self, i: int, j: int, value: str) -> None:
        """Write text (never a formula)."""
        raise NotImplementedError

    def set_date(self, i: int, j: int, value: date | None) -> None:
        """Write a date in the column's own style; None writes a blank."""
        raise NotImplementedError

    def restore(self, i: int, j: int, saved: Any) -> None:
        """Put back a value ``raw`` returned (as serialized in the change log)."""
        raise NotImplementedError

    def reorder(self, order: Sequence[tuple[int, int | None]]) -> None:
        """Rebuild the rows: ``(i, None)`` keeps row i, ``(i, k)`` is the k-th copy of row
        i inserted (in the order given); rows not named are removed."""
        raise NotImplementedError

    def column_texts(self, j: int) -> list[str]:
        return [self.text(i, j) for i in range(len(self))]

    def to_bytes(self) -> bytes:
        raise NotImplementedError

    def layout(self) -> dict[str, Any]:
        """What revert needs to open the patched file the same way."""
        raise NotImplementedError


HeaderTest = Callable[[Sequence[str]], bool]


def find_header(rows: Sequence[Sequence[str]], wanted: Sequence[str],
                is_header: HeaderTest | None = None) -> int | None:
    """The first of the first rows holding every wanted header text (and passing
    ``is_header``, the crosswalk reader's own test, when given)."""
    need = {w.strip() for w in wanted if w.strip()}
    for i, row in enumerate(rows[:HEADER_ROWS + 5]):
        if need <= {str(c).strip() for c in row} and (is_header is None or is_header(
                [str(c) for c in row])):
            return i
    return None


# ---------------------------------------------------------------- CSV


class _Record:
    __slots__ = ("body", "cells", "quote_all", "term")

    def __init__(self, cells: list[str], body: str | None, term: str, quote_all: bool) -> None:
        self.cells, self.body, self.term, self.quote_all = cells, body, term, quote_all


class CsvGrid(Grid):
    kind = "csv"

    def __init__(self, path: Path, *, wanted: Sequence[str] = (),
                 layout: dict[str, Any] | None = None, is_header: HeaderTest | None = None,
                 ) -> None:
        decoded = decode(path.read_bytes(), str(path), nul_hint=None)
        text, self.encoding, self.bom_bytes = decoded.text, decoded.encoding, decoded.bom
        self.bom = bool(self.bom_bytes)
        if layout:
            self.delimiter, header_at = layout["delimiter"], int(layout["header_index"])
        else:
            found = None
            for delimiter in DELIMITERS:
                at = find_header(_records(text, delimiter, limit=HEADER_ROWS + 5)[0], wanted,
                                 is_header)
                if at is not None:
                    found = delimiter, at
                    break
            if found is None:
                raise UpdaterError("cannot find the header row again", file=path,
                                   hint="was the file changed while updater ran?")
            self.delimiter, header_at = found
        cells, spans = _records(text, self.delimiter)
        terms = [_term(text[a:b]) for a, b in spans]
        self.lineterminator = next((t for t in terms if t), "\r\n")
        self.final_term = terms[-1] if terms else self.lineterminator
        self.prefix = text[:spans[header_at][1]] if spans else ""
        self.header = [c.strip() for c in cells[header_at]]
        self.header_at = header_at
        self.rows: list[_Record] = []
        for row, (a, b), term in zip(cells[header_at + 1:], spans[header_at + 1:],
                                     terms[header_at + 1:], strict=True):
            body = text[a:b - len(term)]
            self.rows.append(_Record(row, body, term, self._quote_all(row, body)))

    def _serialize(self, cells: Sequence[str], quote_all: bool) -> str:
        out = io.StringIO()
        csv.writer(out, delimiter=self.delimiter, lineterminator="",
                   quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL).writerow(cells)
        return out.getvalue()

    def _quote_all(self, cells: list[str], body: str) -> bool:
        return bool(cells) and body.startswith('"') and self._serialize(cells, True) == body

    def __len__(self) -> int:
        return len(self.rows)

    def text(self, i: int, j: int) -> str:
        cells = self.rows[i].cells
        return cells[j].strip() if j < len(cells) else ""

    def raw(self, i: int, j: int) -> Any:
        cells = self.rows[i].cells
        return {"v": cells[j] if j < len(cells) else "", "width": len(cells)}

    def column_texts(self, j: int) -> list[str]:
        return [r.cells[j].strip() if j < len(r.cells) else "" for r in self.rows]

    def _set(self, i: int, j: int, value: str) -> None:
        rec = self.rows[i]
        if j >= len(rec.cells):
            rec.cells.extend([""] * (j + 1 - len(rec.cells)))
        rec.cells[j] = value
        rec.body = None

    def set_text(self, i: int, j: int, value: str) -> None:
        self._set(i, j, defuse_text(value))

    def set_date(self, i: int, j: int, value: date | None) -> None:
        if value is None:
            self._set(i, j, "")
            return
        def learn() -> Any:
            samples: list[str] = []
            for k in self._peers(j):
                samples = list(itertools.islice(
                    (t for n in range(len(self)) if (t := self.text(n, k))), 500))
                if samples:
                    break
            return date_writer(samples, self.date_format)[1]

        self._set(i, j, self._style(j, learn)(value))

    def restore(self, i: int, j: int, saved: Any) -> None:
        self._set(i, j, saved["v"])
        rec = self.rows[i]
        width = int(saved.get("width", len(rec.cells)))
        while len(rec.cells) > width and rec.cells[-1] == "":
            rec.cells.pop()

    def reorder(self, order: Sequence[tuple[int, int | None]]) -> None:
        rows = []
        for i, k in order:
            src = self.rows[i]
            if k is None:
                rows.append(src)
            else:
                rows.append(_Record(list(src.cells), None, self.lineterminator, src.quote_all))
        self.rows = rows

    def to_bytes(self) -> bytes:
        parts = [self.prefix]
        if self.rows and not _term(self.prefix):
            parts[0] += self.lineterminator  # the header was the last line
        for n, rec in enumerate(self.rows):
            body = rec.body if rec.body is not None else self._serialize(rec.cells, rec.quote_all)
            last = n == len(self.rows) - 1
            parts.append(body + (self.final_term if last else (rec.term or self.lineterminator)))
        text = "".join(parts)
        return encode(text, self.encoding, self.bom_bytes)

    def layout(self) -> dict[str, Any]:
        return {"delimiter": self.delimiter, "header_index": self.header_at,
                "encoding": self.encoding, "bom": self.bom,
                "lineterminator": self.lineterminator}


def _term(raw: str) -> str:
    for t in ("\r\n", "\n", "\r"):
        if raw.endswith(t):
            return t
    return ""


def _records(text: str, delimiter: str, *, limit: int | None = None,
             ) -> tuple[list[list[str]], list[tuple[int, int]]]:
    """The records of a CSV text and the span (start, end incl. terminator) of each."""
    lines = io.StringIO(text, newline="")
    consumed = 0

    def counted() -> Any:
        nonlocal consumed
        for line in lines:
            consumed += len(line)
            yield line

    rows: list[list[str]] = []
    spans: list[tuple[int, int]] = []
    start = 0
    try:
        for row in csv.reader(counted(), delimiter=delimiter):
            rows.append(row)
            spans.append((start, consumed))
            start = consumed
            if limit is not None and len(rows) >= limit:
                break
    except csv.Error as exc:
        if limit is None:
            raise UpdaterError(f"the CSV cannot be read again ({exc})",
                               hint="save it again from the spreadsheet as CSV") from None
    return rows, spans


# ---------------------------------------------------------------- XLSX


def _date_format(cells: Sequence[Any]) -> str | None:
    for cell in cells:
        if isinstance(cell.value, datetime | date):
            return str(cell.number_format)
    return None


class XlsxGrid(Grid):
    kind = "xlsx"

    def __init__(self, path: Path, *, sheet: str | None = None, wanted: Sequence[str] = (),
                 layout: dict[str, Any] | None = None, is_header: HeaderTest | None = None,
                 ) -> None:
        import openpyxl  # 0.15 s to import: only when a workbook is patched

        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            raise UpdaterError(f"cannot patch a {path.suffix or 'workbook without extension'}"
                               " workbook", file=path,
                               hint="save it as .xlsx (or export it as CSV) first")
        check_archive(path, str(path))
        try:
            self.book = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
        except Exception as exc:  # openpyxl raises many types
            raise UpdaterError(f"not a workbook openpyxl can edit ({exc})", file=path,
                               hint="open it in Excel and save it again as .xlsx") from None
        name = (layout or {}).get("sheet") or sheet or self.book.sheetnames[0]
        if name not in self.book.sheetnames:
            raise UpdaterError(f"no sheet named {name!r}", file=path,
                               hint="name one of " + ", ".join(self.book.sheetnames))
        self.path, self.sheet = path, name
        self.ws = self.book[name]
        if layout:
            self.header_row = int(layout["header_row"])
        else:
            head = [[cell_text(c) for c in row] for row in
                    self.ws.iter_rows(min_row=1, max_row=min(HEADER_ROWS + 5, self.ws.max_row),
                                        values_only=True)]
            at = find_header(head, wanted, is_header)
            if at is None:
                raise UpdaterError("cannot find the header row again", file=path,
                                   hint="was the file changed while updater ran?")
            self.header_row = at + 1
        width = self.ws.max_column
        self.header = [cell_text(self.ws.cell(self.header_row, j + 1).value)
                       for j in range(width)]
        self.n = max(0, self.ws.max_row - self.header_row)

    def _cell(self, i: int, j: int) -> Any:
        return self.ws.cell(self.header_row + 1 + i, j + 1)

    def __len__(self) -> int:
        return self.n

    def text(self, i: int, j: int) -> str:
        return cell_text(self._cell(i, j).value)

    def date_at(self, i: int, j: int) -> date | None:
        value = self._cell(i, j).value
        return parse_date(value) if isinstance(value, date) else super().date_at(i, j)

    def raw(self, i: int, j: int) -> Any:
        cell = self._cell(i, j)
        value = cell.value
        saved: dict[str, Any]
        if isinstance(value, datetime):
            saved = {"t": "datetime", "v": value.isoformat()}
        elif isinstance(value, date):
            saved = {"t": "date", "v": value.isoformat()}
        elif value is None or isinstance(value, bool | int | float | str):
            saved = {"t": "formula" if cell.data_type == "f" else "value", "v": value}
        else:  # rich text, array formulas ...: kept as text
            saved = {"t": "value", "v": str(value)}
        saved["format"] = cell.number_format
        return saved

    def set_text(self, i: int, j: int, value: str) -> None:
        if len(value) > EXCEL_CELL_LIMIT:
            raise UpdaterError(
                f"row {self.header_row + 1 + i}, column {self.header[j]!r}: {len(value):,} "
                f"characters, more than the {EXCEL_CELL_LIMIT:,} an Excel cell holds",
                file=f"{self.path}, sheet {self.sheet!r}",
                hint="shorten the text in the plan, or patch a CSV export")
        cell = self._cell(i, j)
        cell.value = defuse_text(value)
        cell.data_type = "s"  # text, never a formula

    def set_date(self, i: int, j: int, value: date | None) -> None:
        cell = self._cell(i, j)
        if value is None:
            cell.value = None
            return
        def learn() -> tuple[str | None, list[str]]:
            fmt, texts = None, []
            for peer in self._peers(j):
                column = [self._cell(k, peer) for k in range(self.n)]
                texts = [c.value for c in column
                         if isinstance(c.value, str) and c.value.strip()][:500]
                fmt = _date_format(column)
                if fmt or texts:
                    break
            return fmt, texts

        fmt, texts = self._style(j, learn)
        if fmt is None and (texts or self.date_format):
            # the column holds dates as text (or the profile says how): write text
            cell.value = date_writer(texts[:500], self.date_format)[1](value)
            cell.data_type = "s"
            return
        cell.value = datetime(value.year, value.month, value.day)
        cell.number_format = fmt or "yyyy-mm-dd"

    def restore(self, i: int, j: int, saved: Any) -> None:
        cell = self._cell(i, j)
        kind, value = saved.get("t"), saved.get("v")
        if kind == "datetime":
            cell.value = datetime.fromisoformat(value)
        elif kind == "date":
            cell.value = date.fromisoformat(value)
        else:
            cell.value = value
            if isinstance(value, str) and kind != "formula":
                cell.data_type = "s"
        if "format" in saved:
            cell.number_format = saved["format"]

    def reorder(self, order: Sequence[tuple[int, int | None]]) -> None:
        kept = {i for i, k in order if k is None}
        for i in sorted(set(range(self.n)) - kept, reverse=True):
            self.ws.delete_rows(self.header_row + 1 + i)
            self.n -= 1
        final = {i: p for p, (i, k) in enumerate(order) if k is None}
        for p, (i, k) in enumerate(order):
            if k is None:
                continue
            if final[i] >= p:
                raise ValueError("a copied row must come after the row it copies")
            self._insert_copy(final[i], p)

    def _insert_copy(self, source: int, at: int) -> None:
        """A copy of data row ``source`` (0-based, before ``at``) inserted at ``at``."""
        row = self.header_row + 1 + at
        self.ws.insert_rows(row)
        self.n += 1
        src_row = self.header_row + 1 + source
        for j in range(len(self.header)):
            src = self.ws.cell(src_row, j + 1)
            dst = self.ws.cell(row, j + 1)
            dst.value = src.value
            dst.data_type = src.data_type
            if src.has_style:
                dst._style = copy.copy(src._style)
        height = self.ws.row_dimensions[src_row].height
        if height is not None:
            self.ws.row_dimensions[row].height = height

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()

    def layout(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "header_row": self.header_row}

    def values(self) -> dict[str, list[list[Any]]]:
        """Every sheet's cell values (tests compare workbooks with it)."""
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)]
                for ws in self.book.worksheets}


def open_grid(path: Path, *, sheet: str | None = None, wanted: Sequence[str] = (),
              layout: dict[str, Any] | None = None, is_header: HeaderTest | None = None,
              ) -> Grid:
    """The file as a grid: a workbook by its first bytes, else CSV. The header row is the
    first row with every ``wanted`` text (and passing ``is_header``)."""
    if grid_kind(path) == "xlsx":
        return XlsxGrid(path, sheet=sheet, wanted=wanted, layout=layout, is_header=is_header)
    return CsvGrid(path, wanted=wanted, layout=layout, is_header=is_header)


def grid_kind(path: Path) -> str:
    """``xlsx`` for a workbook (by its first bytes or its name), else ``csv``."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(b"PK\x03\x04") or path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return "xlsx"
    return "csv"


_LAYOUT_TEXT = {"csv": "delimiter", "xlsx": "sheet"}
_LAYOUT_ROW = {"csv": ("header_index", 0, 10_000), "xlsx": ("header_row", 1, 1_048_576)}
_SAVED_TYPES = ("value", "formula", "date", "datetime")


def check_layout(layout: object, kind: str) -> str | None:
    """What is wrong with a change log's ``layout`` for a ``kind`` grid (None: nothing)."""
    if not isinstance(layout, dict):
        return f"its layout is {type(layout).__name__}, not an object"
    text = layout.get(_LAYOUT_TEXT[kind])
    if not isinstance(text, str) or (kind == "csv" and len(text) != 1):
        return f"its layout's {_LAYOUT_TEXT[kind]!r} is {text!r}"
    key, lo, hi = _LAYOUT_ROW[kind]
    row = layout.get(key)
    if not isinstance(row, int) or isinstance(row, bool) or not lo <= row <= hi:
        return f"its layout's {key!r} is {row!r}, not a row number"
    return None


def check_saved(saved: object, kind: str) -> str | None:
    """What is wrong with a value ``raw`` saved for ``restore`` (None: nothing)."""
    if not isinstance(saved, dict):
        return f"the saved value is {type(saved).__name__}, not an object"
    value = saved.get("v")
    if kind == "csv":
        width = saved.get("width", 0)
        if not isinstance(value, str) or not isinstance(width, int) or isinstance(width, bool):
            return f"the saved value {saved!r} is not a CSV cell"
        return None
    t = saved.get("t")
    if t not in _SAVED_TYPES or not isinstance(saved.get("format", ""), str):
        return f"the saved value {saved!r} is not a workbook cell"
    if t in ("date", "datetime"):
        try:
            (datetime if t == "datetime" else date).fromisoformat(str(value))
        except ValueError:
            return f"the saved date {value!r} is not a date"
    elif value is not None and not isinstance(value, bool | int | float | str):
        return f"the saved value {value!r} is not a workbook cell"
    return None
