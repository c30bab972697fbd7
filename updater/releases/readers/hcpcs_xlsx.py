"""HCPCS Level II file (CMS), Excel: the annual ``HCPC2018_CONTR_ANWEB_disc.xlsx`` and the
quarterly ``anweb.xlsx``.

One row per procedure or modifier, under disclaimer rows; the header row
(``HCPC, SEQNUM, RECID, LONG DESCRIPTION, SHORT DESCRIPTION, ... ACTION CD``) is found by
its names. A row with RECID 4 (8) continues the long description of the procedure
(modifier) above it, as a continuation record of the fixed-width file does. The fields and
their normalization are the fixed-width reader's (``hcpcs_fixed.FIELDS``), so both formats
of one year give the same table.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from updater.errors import UpdaterError
from updater.files.sources import Source
from updater.files.workbooks import open_workbook
from updater.model import CODE, LONG, RECORD, SHORT
from updater.releases.readers._cells import column_text
from updater.releases.readers.base import ReaderOutput, ReadOptions
from updater.releases.readers.hcpcs_fixed import (
    FIELDS,
    FIRST_RECIDS,
    finish,
    joined_descriptions,
    with_report,
)
from updater.vocabulary import CodeSystem, RecordType, ReleaseKind

CODE_HEADER, RECID_HEADER = "HCPC", "RECID"
LONG_HEADER, SHORT_HEADER = "LONG DESCRIPTION", "SHORT DESCRIPTION"
HEADERS = (CODE_HEADER, RECID_HEADER, LONG_HEADER, SHORT_HEADER, *(f.header for f in FIELDS))
HEADER_ROWS = 50  # the header row is among the first rows, under the disclaimer
# Cheap content test: header names as cell text in the workbook's XML.
_MARKERS = tuple(f">{h}<".encode() for h in (CODE_HEADER, LONG_HEADER, "ACT EFF DT",
                                              "ACTION CD"))
# A continuation row (4 after a procedure's 3, 8 after a modifier's 7) carries only more of
# the long description, as the fixed-width file's continuation records do; the quarterly
# files have them (the annual xlsx so far joined them into one cell).
CONTINUES = ("4", "8")
FIRST_OF = {"4": "3", "8": "7"}
_CODE_SHAPE = {"3": r"^[A-Z0-9]{5}$", "7": r"^[A-Z0-9]{2}$"}
_HINT = "is this the CMS alpha-numeric HCPCS file? re-download it from CMS"


def find_header(rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    """Index of the header row and the position of each name in it, or None."""
    for i, row in enumerate(rows[:HEADER_ROWS]):
        names = {str(v).strip().upper(): j for j, v in enumerate(row) if isinstance(v, str)}
        if CODE_HEADER in names and LONG_HEADER in names and RECID_HEADER in names:
            return i, names
    return None


def _fail(mask: np.ndarray, rows: np.ndarray, message: str, file: str) -> None:
    bad = np.flatnonzero(mask)
    if len(bad):
        more = f" (and {len(bad) - 1} more rows)" if len(bad) > 1 else ""
        raise UpdaterError(message + more, file=file, row=int(rows[bad[0]]), hint=_HINT)


def parse_hcpcs_sheet(rows: list[list[Any]], file: str) -> pd.DataFrame:
    """The sheet's rows (as python-calamine gives them, from cell A1) as the normalized
    table. Errors name the spreadsheet row (1-based, as Excel shows it)."""
    found = find_header(rows)
    if found is None:
        raise UpdaterError(f"no header row with {CODE_HEADER}, {RECID_HEADER} and "
                           f"{LONG_HEADER} in the first {HEADER_ROWS} rows", file=file,
                           hint=_HINT)
    at, names = found
    missing = [h for h in HEADERS if h not in names]
    if missing:
        raise UpdaterError(f"the header row lacks the columns {', '.join(missing)}", file=file,
                           row=at + 1, hint=_HINT)
    width = max(names.values()) + 1
    body = pd.DataFrame([[*r[:width], *[""] * (width - len(r))] for r in rows[at + 1:]],
                        columns=range(width), dtype=object)  # short rows: cells left empty
    row_numbers = np.arange(at + 2, at + 2 + len(body))
    text = {h: column_text(body[names[h]]) for h in HEADERS}
    empty = np.logical_and.reduce([pc.equal(a, "").to_numpy(zero_copy_only=False)
                                   for a in text.values()])
    keep = pa.array(~empty)  # blank rows (under the table, or between) carry nothing
    text = {h: a.filter(keep) for h, a in text.items()}
    row_numbers = row_numbers[~empty]
    if not len(row_numbers):
        raise UpdaterError("no codes under the header row", file=file, row=at + 1, hint=_HINT)

    code = pc.utf8_upper(text[CODE_HEADER])
    recid = text[RECID_HEADER].to_numpy(zero_copy_only=False)
    _fail(~np.isin(recid, [*FIRST_RECIDS, *CONTINUES]), row_numbers,
          f"{RECID_HEADER} must be 3 (procedure) or 7 (modifier), or 4 / 8 for a row that "
          "continues the long description of the procedure / modifier above it", file)
    codes = code.to_numpy(zero_copy_only=False)
    first = np.isin(recid, FIRST_RECIDS)
    group = np.cumsum(first) - 1  # the first row each row belongs to
    _fail(group < 0, row_numbers, f"a continuation row ({RECID_HEADER} 4 or 8) above the "
          "first procedure or modifier row", file)
    starts = np.flatnonzero(first)
    owner = starts[np.maximum(group, 0)]
    _fail(codes != codes[owner], row_numbers, f"a continuation row ({RECID_HEADER} 4 or 8) "
          "for another code than the row above it", file)
    continues = np.select([recid == c for c in CONTINUES], [FIRST_OF[c] for c in CONTINUES],
                          default="")
    _fail(~first & (continues != recid[owner]), row_numbers,
          f"{RECID_HEADER} 4 continues a procedure (3), {RECID_HEADER} 8 a modifier (7)", file)
    long_text = joined_descriptions(text[LONG_HEADER], starts)
    keep = pa.array(first)
    text = {h: a.filter(keep) for h, a in text.items()}
    code, codes, recid, row_numbers = code.filter(keep), codes[first], recid[first], row_numbers[
        first]
    for rid, shape in _CODE_SHAPE.items():
        wrong = (recid == rid) & ~pc.match_substring_regex(code, shape).to_numpy(
            zero_copy_only=False)
        what = "a 5-character procedure code" if rid == "3" else "a 2-character modifier"
        _fail(wrong, row_numbers, f"{CODE_HEADER} must be {what} for {RECID_HEADER} {rid}",
              file)
    repeated = pd.Series(codes).duplicated().to_numpy()
    if repeated.any():
        again = int(np.flatnonzero(repeated)[0])
        first_at = int(np.flatnonzero(codes == codes[again])[0])
        raise UpdaterError(f"duplicate code {codes[again]} (also on row "
                           f"{row_numbers[first_at]})", file=file,
                           row=int(row_numbers[again]),
                           hint="each code may appear once; re-download the file from CMS")
    columns: dict[str, pa.Array] = {
        CODE: code,
        RECORD: pa.array(np.where(recid == "7", RecordType.MODIFIER.value,
                                  RecordType.CODE.value), type=pa.string()),
        SHORT: text[SHORT_HEADER],
        LONG: long_text,
        **{f.name: text[f.header] for f in FIELDS},
    }
    return finish(columns, file=file, rows=row_numbers)


def looks_like_hcpcs_xlsx(data: bytes) -> bool:
    """The header names appear as cell text in the workbook (shared strings or a sheet):
    a few milliseconds, where loading the sheet takes a tenth of a second."""
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            parts = [n for n in book.namelist() if n == "xl/sharedStrings.xml"
                     or (n.startswith("xl/worksheets/") and n.endswith(".xml"))]
            for name in parts:
                xml = book.read(name)
                if all(m in xml for m in _MARKERS):
                    return True
    except (zipfile.BadZipFile, OSError, EOFError):
        return False
    return False


def read_rows(source: Source) -> list[list[Any]]:
    """The first sheet that has the header row (else the first sheet), from cell A1, so
    that row numbers are the ones Excel shows."""
    book = open_workbook(source.read(), source.display,
                         hint="re-download it from CMS, or open and save it in Excel")
    found = book.sheet_with(lambda rows: find_header(rows) is not None)
    if found is not None:
        return found[0]
    return book.rows(0) if book.sheet_names else []


class HcpcsXlsxReader:
    name = "hcpcs-xlsx"
    title = "HCPCS Level II file (CMS, annual or quarterly, Excel; procedures and modifiers)"
    system = CodeSystem.HCPCS
    kind = ReleaseKind.FULL
    rank = 20  # below hcpcs-fixed: the CMS zip holds both, and the txt is the layout's own

    def sniff(self, source: Source) -> bool:
        if source.suffix not in {".xlsx", ".xlsm", ""} and not source.head(4).startswith(b"PK"):
            return False
        return looks_like_hcpcs_xlsx(source.read())

    def read(self, source: Source, options: ReadOptions, bundle: list[Source]) -> ReaderOutput:
        return with_report(source, parse_hcpcs_sheet(read_rows(source), source.display))


READER = HcpcsXlsxReader()
