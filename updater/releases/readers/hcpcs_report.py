"""CMS HCPCS transaction report: the publisher's own list of a release's changes.

CMS ships it beside the alpha-numeric file (``HCPC18_Trans_Report_Alpha.xlsx``,
``HCPC2019_Trans_Alpha.xlsx``, the quarterly ``trans_alpha.xlsx``) and as fixed-width text
(``..._ChangesbyAction.prn``, ``Changes_by_HCPCSCode.prn``). Every procedure and modifier
of the release is one row: the code, the type of change in words (``ADD``,
``Long Description Change``, ``No Change``, ...) and, since 2019, the short and long
descriptions. The words are read as the ACTION CD letter they name, by their key words, so
CMS's changing phrasings ("Coverage & Long Desc Change", "Coverage and Long Desc Change",
the cut "Long Description Chang" of the .prn) all read alike; words naming no letter stay
entries with action ``?``, and a row that cannot be read at all is kept the same way, so the
reconciliation reports it by its row instead of losing it.

The report is detected by its content, not its name: a header row with an HCPCS code column
and a type-of-change column, and no ACT EFF DT column (which only the alpha-numeric file has).
It is the change list of the alpha-numeric file it came with (same zip, or the same folder),
never a release by itself.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from updater.errors import UpdaterError
from updater.files.sources import Source
from updater.files.workbooks import open_workbook
from updater.model import CODE, LONG, RECORD, SHORT, PublisherChanges
from updater.releases.readers import _lines
from updater.releases.readers._cells import column_text, trimmed
from updater.vocabulary import RecordType

UNKNOWN = "?"  # action of a row whose type of change names no ACTION CD letter
TYPE = "type"  # entries column: the type of change as published
ENTRY_COLUMNS = ("action", RECORD, CODE, SHORT, LONG, "line", TYPE)
LETTERS = frozenset("ABCDFNPRST")
HEADER_ROWS = 50
_CODE_TITLE = re.compile(r"^\s*HCPCS?\b", re.IGNORECASE)
_TYPE_TITLE = re.compile(r"type\s+of\s+change|action\s*c(?:o)?d(?:e)?\b", re.IGNORECASE)
_HEADER_LINE = re.compile(r"^\s*HCPCS?\b.*?(type\s+of\s+change|action\s*cd)", re.IGNORECASE)
_XML_CODE_TITLE = re.compile(rb">\s*HCPCS?\b[^<]{0,40}<", re.IGNORECASE)
_XML_TYPE_TITLE = re.compile(rb">\s*(?:type\s+of\s+change|action\s+cd)\s*<", re.IGNORECASE)
_FULL_FILE = b">ACT EFF DT<"  # a column of the alpha-numeric file, not of the report
# Key words of the type of change, most specific first; the report's words and those of
# its Action Code Key sheet both read this way.
_KEYWORDS = (
    ("N", re.compile(r"\bno\s+change", re.I)),
    ("D", re.compile(r"discontinu", re.I)),
    ("R", re.compile(r"re-?\s*activ", re.I)),
    ("B", re.compile(r"coverage.*\blong|\blong.*coverage", re.I)),
    ("C", re.compile(r"\blong\b", re.I)),
    ("S", re.compile(r"\bshort\b", re.I)),
    ("F", re.compile(r"coverage", re.I)),
    ("P", re.compile(r"payment|pricing", re.I)),
    ("T", re.compile(r"\bmisc|\btos\b|betos|type\s+of\s+service", re.I)),
    ("A", re.compile(r"\badd(?:ed)?\b", re.I)),
)
_HINT = "is this the CMS HCPCS transaction report? re-download it from CMS"


def letter_of(words: str) -> str:
    """The ACTION CD letter a type of change names (``"Long Description Change"`` -> C),
    or ``?`` when it names none."""
    text = words.strip()
    if len(text) == 1 and text.upper() in LETTERS:
        return text.upper()
    return next((letter for letter, pattern in _KEYWORDS if pattern.search(text)), UNKNOWN)


def _entries(code: pa.Array, words: pa.Array, short: pa.Array, long: pa.Array,
             line: np.ndarray) -> pd.DataFrame:
    """The entries table from whole columns; the words are mapped once per distinct value."""
    code, words = pc.utf8_upper(trimmed(code)), trimmed(words)
    distinct = pc.unique(words)
    letters = pa.array([letter_of(w) for w in distinct.to_pylist()], type=pa.string())
    action = pc.take(letters, pc.index_in(words, value_set=distinct))
    action = pc.if_else(pc.equal(code, ""), UNKNOWN, action)
    record = pc.if_else(pc.equal(pc.utf8_length(code), 2), RecordType.MODIFIER.value,
                        RecordType.CODE.value)
    frame = _lines.to_frame({"action": action, RECORD: record, CODE: code,
                             SHORT: trimmed(short), LONG: trimmed(long), TYPE: words})
    frame["line"] = line.astype(np.int64)
    return frame[list(ENTRY_COLUMNS)]


def _header(rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    """The header row (index) and the columns of code, type, short and long in it."""
    for i, row in enumerate(rows[:HEADER_ROWS]):
        cells = [str(v).strip() if isinstance(v, str) else "" for v in row]
        code = next((j for j, c in enumerate(cells) if _CODE_TITLE.match(c)), None)
        kind = next((j for j, c in enumerate(cells) if _TYPE_TITLE.search(c)), None)
        if code is None or kind is None or code == kind:
            continue
        found = {CODE: code, TYPE: kind}
        for j, c in enumerate(cells):
            upper = c.upper()
            if "SHORT" in upper and "DESC" in upper:
                found[SHORT] = j
            elif "LONG" in upper and "DESC" in upper:
                found[LONG] = j
        return i, found
    return None


def parse_report_rows(rows: list[list[Any]], file: str) -> pd.DataFrame:
    """A report sheet (rows from cell A1) as entries; ``line`` is the row as Excel numbers
    it. Blank rows carry nothing and are left out."""
    found = _header(rows)
    if found is None:
        raise UpdaterError(f"no header row with an HCPCS code column and a type of change "
                           f"column in the first {HEADER_ROWS} rows", file=file, hint=_HINT)
    at, columns = found
    width = max(columns.values()) + 1
    body = pd.DataFrame([[*r[:width], *[""] * (width - len(r))] for r in rows[at + 1:]],
                        columns=range(width), dtype=object)  # short rows: cells left empty
    text = {name: column_text(body[j]) for name, j in columns.items()}
    numbers = np.arange(at + 2, at + 2 + len(body))
    blank = np.logical_and.reduce([pc.equal(t, "").to_numpy(zero_copy_only=False)
                                   for t in text.values()])
    keep = pa.array(~blank)
    text = {name: t.filter(keep) for name, t in text.items()}
    count = len(text[CODE])
    empty = pa.array([""] * count, type=pa.string())
    return _entries(text[CODE], text[TYPE], text.get(SHORT, empty), text.get(LONG, empty),
                    numbers[~blank])


def parse_report_lines(lines: list[str], file: str) -> pd.DataFrame:
    """A .prn report as entries: the code is the first word of a line, the type of change
    the rest up to the SHORT DESCRIPTION column (when the header has one); short and long
    descriptions start where their titles start (the .prn cuts long ones at its line
    width)."""
    header = next((i for i, line in enumerate(lines[:HEADER_ROWS]) if _HEADER_LINE.search(line)),
                  None)
    if header is None:
        raise UpdaterError("no header line naming the HCPCS code and the type of change",
                           file=file, hint=_HINT)
    title = lines[header].upper()
    short_at, long_at = title.find("SHORT DESC"), title.find("LONG DESC")
    body = pa.array(lines[header + 1:], type=pa.string())
    numbers = np.arange(header + 2, header + 2 + len(body))
    keep = pc.not_equal(trimmed(body), "")
    body, numbers = body.filter(keep), numbers[keep.to_numpy(zero_copy_only=False)]
    head = pc.utf8_slice_codeunits(body, 0, short_at) if short_at > 0 else body
    parts = pc.extract_regex(head, r"^\s*(?P<code>\S+)(?:\s+(?P<words>.*?))?\s*$")
    code = pc.fill_null(pc.struct_field(parts, "code"), "")
    words = pc.fill_null(pc.struct_field(parts, "words"), "")
    empty = pa.array([""] * len(body), type=pa.string())
    short = (pc.utf8_slice_codeunits(body, short_at, long_at if long_at > short_at else 1 << 20)
             if short_at > 0 else empty)
    long = pc.utf8_slice_codeunits(body, long_at, 1 << 20) if long_at > 0 else empty
    return _entries(code, words, short, long, numbers)


def _sheet_rows(data: bytes, file: str) -> tuple[list[list[Any]], str]:
    """The rows of the report's code-ordered sheet (``Changes by HCPCS Code``), else of the
    first sheet with the header row; and the sheet's name."""
    book = open_workbook(data, file, hint="re-download it from CMS, or open and save it in "
                                          "Excel")
    names = book.sheet_names
    order = sorted(range(len(names)), key=lambda i: (
        not ("HCPC" in names[i].upper() and "ACTION" not in names[i].upper()), i))
    found = book.sheet_with(lambda rows: _header(rows) is not None, order=order)
    if found is not None:
        return found
    raise UpdaterError("no sheet with an HCPCS code column and a type of change column",
                       file=file, hint=_HINT)


def parse_report(source: Source) -> PublisherChanges:
    """The report (xlsx or text), as the publisher's change list of its release."""
    data = source.read()
    if data.startswith(b"PK"):
        rows, sheet = _sheet_rows(data, source.display)
        entries = parse_report_rows(rows, source.display)
        where = f"{source.display} (sheet {sheet!r})"
    else:
        entries = parse_report_lines(source.text().splitlines(), source.display)
        where = source.display
    return PublisherChanges(entries=entries, summary={}, source=where)


def looks_like_report(source: Source) -> bool:
    """Cheap: header titles as cell text of the workbook's XML, or as the text's header
    line; the alpha-numeric file (with its ACT EFF DT column) is not a report."""
    head = source.head(4)
    if head.startswith(b"PK"):
        if source.suffix not in {".xlsx", ".xlsm", ""}:
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(source.read())) as book:
                parts = [n for n in book.namelist() if n == "xl/sharedStrings.xml"
                         or (n.startswith("xl/worksheets/") and n.endswith(".xml"))]
                for name in parts:
                    xml = book.read(name)
                    if _FULL_FILE in xml:
                        return False  # the alpha-numeric file
                    if _XML_TYPE_TITLE.search(xml) and _XML_CODE_TITLE.search(xml):
                        return True
        except (zipfile.BadZipFile, OSError, EOFError):
            return False
        return False
    lines = source.head().lstrip(b"\xef\xbb\xbf").decode("latin-1").splitlines()
    first = next((line for line in lines if line.strip()), "")
    return bool(_HEADER_LINE.search(first))


def _prefer_workbook(found: list[Source]) -> list[Source]:
    """Workbooks first: the .prn variants cut the type of change and the descriptions."""
    return sorted(found, key=lambda s: (not s.head(4).startswith(b"PK"), s.name))


def reports_beside(source: Source) -> list[Source]:
    """Transaction reports in the folder of a file on disk (not in a zip), workbooks first."""
    if source.member is not None:
        return []
    folder = source.path.parent
    found = [Source(p) for p in sorted(folder.iterdir())
             if p.is_file() and p != source.path and not p.name.startswith((".", "~$"))
             and p.suffix.lower() in {".xlsx", ".xlsm", ".prn", ".txt", ""}]
    return _prefer_workbook([s for s in found if _readable(s) and looks_like_report(s)])


def _readable(source: Source) -> bool:
    try:
        source.head(4)
    except (OSError, UpdaterError):
        return False
    return True


def report_for(source: Source, codes: pd.Series) -> tuple[PublisherChanges, Source] | None:
    """The transaction report beside an alpha-numeric file on disk: the one that lists the
    most of its ``codes`` (a folder of downloads may hold other releases' reports)."""
    best: tuple[int, PublisherChanges, Source] | None = None
    wanted = set(codes)
    for candidate in reports_beside(source):
        try:
            report = parse_report(candidate)
        except UpdaterError:
            continue  # another file that only looks like a report
        shared = len(wanted & set(report.entries[CODE]))
        if shared and (best is None or shared > best[0]):
            best = (shared, report, candidate)
    return None if best is None else (best[1], best[2])
