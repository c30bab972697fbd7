"""HCPCS Level II file (CMS), fixed width: the annual ``HCPC2018_CONTR_ANWEB_disc.txt`` and
the quarterly files, which have the same layout.

320-character records, one procedure or modifier spread over several of them: RECID 3
(procedure) or 7 (modifier) is the first record and carries every field; RECID 4 / 8
continue its long description in columns 12-91. Columns are those of the CMS record
layout (``HCPCS18_recordlayout.txt``); fields that OCCUR several times (pricing
indicator x4, CIM x3, MCM x3, lab certification x8, XREF x5, type of service x5) become
numbered columns. The 2018 file starts with disclaimer lines; the 2017 file trims
continuation records to 91 characters. ``FIELDS`` is shared with the xlsx reader, so the
two formats give the same table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from updater.errors import UpdaterError
from updater.files.sources import Source
from updater.model import (
    ACTION_CODE,
    ACTION_EFFECTIVE_DATE,
    ADD_DATE,
    CODE,
    LONG,
    RECORD,
    SHORT,
    TERMINATION_DATE,
    XREF_COLUMNS,
)
from updater.releases.readers import _lines
from updater.releases.readers._cells import trimmed
from updater.releases.readers.base import ReaderOutput, ReadOptions
from updater.releases.readers.hcpcs_report import report_for
from updater.vocabulary import CodeSystem, RecordType, ReleaseKind


@dataclass(frozen=True)
class Field:
    """One attribute of a first record: where the layout puts it, what the xlsx calls it."""

    name: str  # column of the normalized table
    first: int  # 1-based, inclusive, as the record layout numbers columns
    last: int
    header: str  # column name in the CMS xlsx
    date: bool = False  # YYYYMMDD, normalized to ISO


def _occurs(name: str, header: str, first: int, width: int, times: int) -> list[Field]:
    """A field the layout repeats (``OCCURS``): ``name_1``..``name_n``, side by side."""
    return [Field(f"{name}{i}", first + (i - 1) * width, first + i * width - 1, f"{header}{i}")
            for i in range(1, times + 1)]


# The record layout's fields, in the order of the normalized table (after code, record,
# short, long). Bookkeeping first, then the administrative fields in layout order.
FIELDS: tuple[Field, ...] = (
    Field(ADD_DATE, 269, 276, "ADD DT", date=True),
    Field(ACTION_EFFECTIVE_DATE, 277, 284, "ACT EFF DT", date=True),
    Field(TERMINATION_DATE, 285, 292, "TERM DT", date=True),
    Field(ACTION_CODE, 293, 293, "ACTION CD"),
    *(Field(name, 205 + 5 * i, 209 + 5 * i, f"XREF{i + 1}")
      for i, name in enumerate(XREF_COLUMNS)),
    *_occurs("pricing_indicator_", "PRICE", 120, 2, 4),
    Field("multiple_pricing", 128, 128, "MULT_PI"),
    *_occurs("cim_", "CIM", 129, 6, 3),  # Coverage Issues Manual section
    *_occurs("mcm_", "MCM", 147, 8, 3),  # Medicare Carriers Manual section
    Field("statute", 171, 180, "STATUTE"),
    *_occurs("lab_cert_", "LABCERT", 181, 3, 8),
    Field("coverage", 230, 230, "COV"),
    Field("asc_group", 231, 232, "ASC_GRP"),
    Field("asc_effective_date", 233, 240, "ASC_DT", date=True),
    # The layout's "MOG payment group"; the xlsx calls it OPPS.
    Field("opps_group", 241, 243, "OPPS"),
    Field("opps_indicator", 244, 244, "OPPS_PI"),
    Field("opps_effective_date", 245, 252, "OPPS_DT", date=True),
    Field("processing_note", 253, 256, "PROCNOTE"),
    Field("betos", 257, 259, "BETOS"),
    *_occurs("type_of_service_", "TOS", 261, 1, 5),
    Field("anesthesia_units", 266, 268, "ANEST_BU"),
)
COLUMNS: tuple[str, ...] = (CODE, RECORD, SHORT, LONG, *(f.name for f in FIELDS))

FIRST_RECORD_MIN = 293  # a first record carries every field up to ACTION CD (column 293)
CONTINUATION_MIN = 12  # a continuation record has description text from column 12
FIRST_RECIDS = ("3", "7")
# A record: procedure code (5) or blank-padded modifier (3 + 2), sequence number, RECID.
RECORD_PATTERN = r"^(?:[A-Za-z0-9]{5}|   [A-Za-z0-9]{2})\d{5}[3478]"
_RECORD_BYTES = re.compile(RECORD_PATTERN.encode(), re.MULTILINE)
DATE_PATTERN = r"^(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$"
_LAYOUT_HINT = "the file looks damaged or truncated; re-download it from CMS"


class Columns(_lines.Columns):
    """The shared fixed-width slicer, trimming both ends: CMS pads some fields on the left."""

    def __call__(self, first: int, last: int | None = None) -> pa.Array:
        return trimmed(self.raw_slice(first, last))


def squeeze(values: pa.Array) -> pa.Array:
    """Runs of blanks folded to one: CMS's own xlsx folds them (2018) or not (2017), and the
    txt breaks lines at arbitrary blanks, so only the folded text is the same everywhere."""
    return trimmed(pc.replace_substring_regex(values, r"\s+", " "))


def joined_descriptions(parts: pa.Array, starts: np.ndarray) -> pa.Array:
    """One long description per first record: its text and that of the continuation
    records after it (``starts``: the index of each first record in ``parts``), joined
    with a blank and folded as ``squeeze`` does."""
    offsets = pa.array(np.append(starts, len(parts)).astype(np.int32))
    return squeeze(pc.binary_join(pa.ListArray.from_arrays(offsets, parts), " "))


def iso_dates(values: pa.Array, field: Field, *, file: str, lines: np.ndarray | None = None,
              rows: np.ndarray | None = None) -> pa.Array:
    """``YYYYMMDD`` -> ``YYYY-MM-DD``, blank stays ""; a value that is no date is an error
    naming its line (txt) or row (xlsx)."""
    present = pc.not_equal(values, "").to_numpy(zero_copy_only=False)
    valid = pc.match_substring_regex(values, DATE_PATTERN).to_numpy(zero_copy_only=False)
    bad = np.flatnonzero(present & ~valid)
    if len(bad):
        at = int(bad[0])
        place = f" (columns {field.first}-{field.last})" if lines is not None else ""
        raise UpdaterError(
            f"{field.header}{place} is not a date YYYYMMDD: {values[at].as_py()!r}",
            file=file, line=None if lines is None else int(lines[at]),
            row=None if rows is None else int(rows[at]), hint=_LAYOUT_HINT)
    iso = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(values, 0, 4), pc.utf8_slice_codeunits(values, 4, 6),
        pc.utf8_slice_codeunits(values, 6, 8), "-")
    return pc.if_else(pa.array(present), iso, values)


def shift_asc_dates(group: pa.Array, when: pa.Array) -> tuple[pa.Array, pa.Array]:
    """CMS's 2018 file (txt and xlsx alike) writes five ASC dates two columns early, so the
    ASC group reads "20" and the date "170401". The group is "YY" or blank (record layout),
    so such a pair is a blank group and the date 20170401."""
    shifted = pc.and_(pc.is_in(group, pa.array(["19", "20"])),
                      pc.match_substring_regex(when, r"^\d{6}$"))
    return (pc.if_else(shifted, "", group),
            pc.if_else(shifted, pc.binary_join_element_wise(group, when, ""), when))


def finish(columns: dict[str, pa.Array], *, file: str, lines: np.ndarray | None = None,
           rows: np.ndarray | None = None) -> pd.DataFrame:
    """The fields as read (trimmed) -> the normalized table: known publisher slips mended,
    dates in ISO form, string columns in ``COLUMNS`` order."""
    columns["asc_group"], columns["asc_effective_date"] = shift_asc_dates(
        columns["asc_group"], columns["asc_effective_date"])
    for f in FIELDS:
        if f.date:
            columns[f.name] = iso_dates(columns[f.name], f, file=file, lines=lines, rows=rows)
    return as_frame(columns)


def as_frame(columns: dict[str, pa.Array]) -> pd.DataFrame:
    """The normalized table: string columns in ``COLUMNS`` order."""
    return _lines.to_frame({name: columns[name] for name in COLUMNS})


def parse_hcpcs_lines(lines: pa.Array, file: str) -> pd.DataFrame:
    """The fixed-width file as the normalized table, validated column by column.

    Lines before the first record (the disclaimer) are skipped; after it every non-blank
    line must be a record.
    """
    numbers = np.arange(1, len(lines) + 1)
    is_record = pc.match_substring_regex(lines, RECORD_PATTERN).to_numpy(zero_copy_only=False)
    if not is_record.any():
        raise UpdaterError("no HCPCS records (a code in columns 1-5, a sequence number in 6-10 "
                           "and RECID 3, 4, 7 or 8 in column 11)", file=file,
                           hint="is this the CMS alpha-numeric HCPCS file?")
    start = int(np.argmax(is_record))
    lines, numbers, is_record = lines[start:], numbers[start:], is_record[start:]
    blank = _lines.lengths(trimmed(lines)) == 0
    _lines.fail_at(~is_record & ~blank, numbers,
                   "not an HCPCS record: expected a procedure code in columns 1-5 (or a "
                   "modifier in 4-5), a sequence number in 6-10 and RECID 3, 4, 7 or 8 in "
                   "column 11", file=file, hint=_LAYOUT_HINT)
    lines, numbers = lines.filter(pa.array(is_record)), numbers[is_record]

    col = Columns(lines)  # a record trimmed short just gives blank fields past its end
    recid = col(11, 11).to_numpy(zero_copy_only=False)
    first = np.isin(recid, FIRST_RECIDS)
    length = _lines.lengths(lines)
    _lines.fail_at(first & (length < FIRST_RECORD_MIN), numbers,
                   f"record cut short: a first record (RECID 3 or 7) has its fields up to "
                   f"ACTION CD in column {FIRST_RECORD_MIN}", file=file, hint=_LAYOUT_HINT)
    _lines.fail_at(~first & (length < CONTINUATION_MIN), numbers,
                   "record cut short: a continuation record (RECID 4 or 8) has description "
                   f"text from column {CONTINUATION_MIN}", file=file, hint=_LAYOUT_HINT)
    is_modifier = np.isin(recid, ("7", "8"))
    modifier_shape = pc.starts_with(lines, "   ").to_numpy(zero_copy_only=False)
    _lines.fail_at(is_modifier & ~modifier_shape, numbers,
                   "a modifier record (RECID 7 or 8) has its 2-character modifier in columns "
                   "4-5 and columns 1-3 blank", file=file, hint=_LAYOUT_HINT)
    _lines.fail_at(~is_modifier & modifier_shape, numbers,
                   "a procedure record (RECID 3 or 4) has a 5-character code in columns 1-5",
                   file=file, hint=_LAYOUT_HINT)

    code = pc.utf8_upper(col(1, 5)).to_numpy(zero_copy_only=False)
    group = np.cumsum(first) - 1  # index of the first record each record belongs to
    _lines.fail_at(group < 0, numbers, "continuation record (RECID 4 or 8) before any first "
                   "record", file=file, hint=_LAYOUT_HINT)
    starts = np.flatnonzero(first)
    _lines.fail_at(code != code[starts][group], numbers,
                   "continuation record for another code than the first record before it",
                   file=file, hint=_LAYOUT_HINT)

    long_text = joined_descriptions(col(12, 91), starts)
    heads = Columns(lines.filter(pa.array(first)))
    where = numbers[starts]
    columns: dict[str, pa.Array] = {
        CODE: pa.array(code[starts], type=pa.string()),
        RECORD: pa.array(np.where(is_modifier[starts], RecordType.MODIFIER.value,
                                  RecordType.CODE.value), type=pa.string()),
        SHORT: heads(92, 119),
        LONG: long_text,
    }
    for f in FIELDS:
        columns[f.name] = heads(f.first, f.last)
    table = finish(columns, file=file, lines=where)
    _lines.check_unique(table[CODE], where, file=file)
    return table


def changes_effective(table: pd.DataFrame) -> date | None:
    """When the file's changes take effect: the most common ACT EFF DT of the codes it flags
    with an action (ACTION CD other than N), the latest on a tie; None when it flags none.
    A quarterly file flags its quarter's changes; an annual one also re-flags the year's
    quarterly changes, but January's are by far the most."""
    flagged = table.loc[~table[ACTION_CODE].isin(["", "N"]), ACTION_EFFECTIVE_DATE]
    counts = flagged[flagged != ""].value_counts()
    if counts.empty:
        return None
    most = counts[counts == counts.max()].index.max()
    return date.fromisoformat(str(most))


def with_report(source: Source, table: pd.DataFrame) -> ReaderOutput:
    """The release table, the effective date its changes give, and the CMS transaction
    report beside it on disk, if there is one (in a zip, the loader attaches it)."""
    found = report_for(source, table[CODE])
    if found is None:
        return ReaderOutput(table=table, effective=changes_effective(table))
    report, report_source = found
    return ReaderOutput(table=table, changes=report, used=(source, report_source),
                        effective=changes_effective(table))


def looks_like_hcpcs_fixed(head: bytes) -> bool:
    """At least one record, and every complete line after the first record is one."""
    match = _RECORD_BYTES.search(head)
    if not match:
        return False
    body = head[match.start():].split(b"\n")[:-1]  # the last piece may be cut mid-line
    return all(_RECORD_BYTES.match(line) or not line.strip() for line in body)


class HcpcsFixedReader:
    name = "hcpcs-fixed"
    title = ("HCPCS Level II file (CMS, annual or quarterly, fixed width 320; procedures and "
             "modifiers)")
    system = CodeSystem.HCPCS
    kind = ReleaseKind.FULL
    rank = 30  # the CMS zip has the txt and the xlsx: the txt is the layout's own format

    def sniff(self, source: Source) -> bool:
        return looks_like_hcpcs_fixed(source.head().lstrip(b"\xef\xbb\xbf"))

    def read(self, source: Source, options: ReadOptions, bundle: list[Source]) -> ReaderOutput:
        return with_report(source, parse_hcpcs_lines(_lines.read_lines(source), source.display))


READER = HcpcsFixedReader()
