"""ICD-10-CM codes file (CDC ``icd10cm-codes-2026.txt``): billable codes only.

Each line is the code without dot, left-justified in columns 1-7, a space, and the
long title from column 9. No headers (categories), no short titles: the order file
in the same zip says more, so this reader ranks below it and is used only when the
codes file comes alone.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from updater.errors import UpdaterError
from updater.files.sources import Source
from updater.model import CODE, LONG, RECORD, SHORT
from updater.releases.readers import _lines
from updater.releases.readers.base import ReaderOutput, ReadOptions
from updater.vocabulary import CodeSystem, RecordType, ReleaseKind

# An ICD-10-CM code (a letter, a digit, one to five letters or digits) padded to 7.
_PADDED = r"[A-Z][0-9][0-9A-Z](?:[0-9A-Z]{4}|[0-9A-Z]{3} |[0-9A-Z]{2} {2}|[0-9A-Z] {3}| {4})"
_PADDED_CODE = f"^{_PADDED}$"
# A whole codes-file line: the padded code, one space, a title.
_LINE = re.compile(("^" + _PADDED + r" \S").encode())
SNIFF_LINES = 20
MIN_LENGTH = 9  # the title starts at column 9

_LAYOUT = ("an ICD-10-CM codes-file line is the code in columns 1-7 (no dot, padded with "
           "spaces), a space, and the long title from column 9")


def parse_codes_lines(lines: pa.Array, file: str) -> pd.DataFrame:
    """The codes file's lines as the normalized table, validated column by column."""
    numbers = np.arange(1, len(lines) + 1)
    keep = pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(lines)), 0)
    lines, numbers = lines.filter(keep), numbers[keep.to_numpy(zero_copy_only=False)]
    if not len(lines):
        raise UpdaterError("the file is empty", file=file, hint="re-download it from the CDC")
    short = pc.less(pc.utf8_length(pc.utf8_rtrim_whitespace(lines)), MIN_LENGTH)
    _lines.fail_at(short, numbers, f"line cut short: {_LAYOUT}", file=file,
                   hint="the file looks truncated; re-download it from the CDC")
    raw_code = pc.utf8_slice_codeunits(lines, 0, 7)
    code = pc.utf8_upper(pc.utf8_rtrim_whitespace(raw_code))
    title = _lines.column(lines, 9)
    good = pc.and_(
        # a left-justified code of the right shape, a space, a title from column 9
        pc.and_(pc.match_substring_regex(pc.utf8_upper(raw_code), _PADDED_CODE),
                pc.equal(pc.utf8_slice_codeunits(lines, 7, 8), " ")),
        pc.match_substring_regex(pc.utf8_slice_codeunits(lines, 8, 9), r"^\S$"))
    _lines.fail_at(pc.invert(good), numbers, f"not an ICD-10-CM codes-file line: {_LAYOUT}",
                   file=file, hint="is this the CDC's icd10cm-codes file? re-download it")
    table = _lines.to_frame({
        CODE: code,
        RECORD: pa.array(np.full(len(lines), RecordType.CODE.value), type=pa.string()),
        SHORT: pa.array(np.full(len(lines), ""), type=pa.string()),
        LONG: title,
    })
    _lines.check_unique(table[CODE], numbers, file=file)
    return table


class IcdCodesReader:
    name = "icd10cm-codes"
    title = "ICD-10-CM codes file (CDC; billable codes and long titles only)"
    system = CodeSystem.ICD10CM
    kind = ReleaseKind.FULL
    rank = 10  # below the order file, which has headers and short titles too

    def sniff(self, source: Source) -> bool:
        if source.suffix not in {".txt", ""}:
            return False
        head = _lines.complete_lines(source.head())[:SNIFF_LINES]
        lines = [line for line in head if line.strip()]
        # every line must look like one: order files start with digits, addenda with
        # "Add:"/"Delete:"/"Revise", HCPCS records have no space after the code
        return len(lines) >= 1 and all(_LINE.match(line) for line in lines)

    def read(self, source: Source, options: ReadOptions, bundle: list[Source]) -> ReaderOutput:
        return ReaderOutput(table=parse_codes_lines(_lines.read_lines(source), source.display))


READER = IcdCodesReader()
