"""ICD-10-CM order file (CDC): fixed width, one line per code or header.

Columns (1-based): 1-5 order number, 7-13 code without dot, 15 flag (1 billable,
0 header), 17-76 short title, 78- long title.
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

ORDER_LINE = re.compile(rb"^\d{5} [A-Z0-9]{3}[A-Z0-9 ]{4} [01] .{60} \S", re.MULTILINE)
MIN_LENGTH = 78  # a long title starts at column 78


def parse_order_lines(lines: pa.Array, file: str) -> pd.DataFrame:
    """The order file's lines as the normalized table, validated column by column."""
    numbers = np.arange(1, len(lines) + 1)
    length = _lines.lengths(lines)
    keep = length > 0
    lines, numbers, length = lines.filter(keep), numbers[keep], length[keep]
    if not len(lines):
        raise UpdaterError("the file is empty", file=file, hint="re-download it from the CDC")
    _lines.fail_at(
        length < MIN_LENGTH, numbers,
        "line cut short: an ICD-10-CM order line has the code in columns 7-13, the flag "
        "in 15, the short title in 17-76 and the long title from 78",
        file=file, hint="the file looks truncated; re-download it from the CDC")
    col = _lines.Columns(lines)
    order = col.raw_slice(1, 6)
    _lines.fail_at(pc.invert(pc.match_substring_regex(order, r"^\d{5} $")), numbers,
                   "not an order-file line (columns 1-5 should be an order number)", file=file)
    flag = col.raw_slice(15, 15)
    _lines.fail_at(pc.invert(pc.is_in(flag, pa.array(["0", "1"]))), numbers,
                   "column 15 must be 1 (billable code) or 0 (header)", file=file)
    code = pc.utf8_upper(col(7, 13))
    _lines.fail_at(pc.equal(code, ""), numbers, "no code in columns 7-13", file=file)
    record = pc.if_else(pc.equal(flag, "1"), RecordType.CODE.value, RecordType.HEADER.value)
    table = _lines.to_frame({CODE: code, RECORD: record, SHORT: col(17, 76), LONG: col(78)})
    _lines.check_unique(table[CODE], numbers, file=file)
    return table


class IcdOrderReader:
    name = "icd10cm-order"
    title = "ICD-10-CM order file (CDC, fixed width; codes and headers)"
    system = CodeSystem.ICD10CM
    kind = ReleaseKind.FULL
    rank = 20

    def sniff(self, source: Source) -> bool:
        if source.suffix not in {".txt", ""}:
            return False
        head = source.head().lstrip(b"\xef\xbb\xbf")
        return len(ORDER_LINE.findall(head)) >= min(3, head.count(b"\n") or 1)

    def read(self, source: Source, options: ReadOptions, bundle: list[Source]) -> ReaderOutput:
        return ReaderOutput(table=parse_order_lines(_lines.read_lines(source), source.display))


READER = IcdOrderReader()
