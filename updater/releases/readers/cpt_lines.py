"""How the AMA's CPT data files put a code and its text on a line, and reading those lines.

``LONGULT.txt`` (long descriptors, upper and lower case) is the code, a tab and the
descriptor; ``MEDU.txt`` and ``SHORTU.txt`` (medium and short, upper case) the code, one
space and the descriptor. ``LONGULF.txt`` is fixed width: code in columns 1-5, sequence
number in 6-7, a blank in 8, text from 9 (72 characters); a descriptor longer than one
record goes on in the next records of the same code with the sequence number counting up
(01, 02, ...), and since the AMA breaks the text between words, the pieces are joined, in
sequence order, with one space. Each file opens with the AMA's copyright notice (prose,
then a blank line) before the first code. Which files make up a release: ``cpt_tab``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from updater.errors import UpdaterError
from updater.model import CODE, LONG, RECORD
from updater.releases.readers import _lines
from updater.vocabulary import RecordType

CPT_CODE = r"\d{4}[0-9A-Za-z]"  # 99214, Category II 1234F, III 0042T, PLA 0001U
MODIFIER = r"[0-9A-Za-z]{2}"  # 25, 59, 1P
SNIFF_LINES = 40
HINT = "is this the AMA's CPT data file? take it unchanged from the AMA's zip"


@dataclass(frozen=True)
class Layout:
    """How one kind of CPT data file puts a code and its text on a line."""

    code_line: str  # regex: a line with a 5-character code; the first one ends the notice
    data_line: str  # regex: a line with a code or a modifier
    fields: str  # regex with groups ``code`` and ``text``
    describe: str  # the layout in words, for error messages


TAB = Layout(
    code_line=rf"^{CPT_CODE}\t", data_line=rf"^(?:{CPT_CODE}|{MODIFIER})\t",
    fields=r"^(?P<code>[0-9A-Za-z]+)\t(?P<text>.*)$",
    describe="a CPT long-descriptor line is the code, a tab and the descriptor")
SPACE = Layout(
    code_line=rf"^{CPT_CODE} \S", data_line=rf"^(?:{CPT_CODE}|{MODIFIER}) ",
    fields=r"^(?P<code>[0-9A-Za-z]+) (?P<text>.*)$",
    describe="a CPT medium or short descriptor line is the code, one space and the "
    "descriptor")
FIXED = Layout(
    code_line=rf"^{CPT_CODE}\d\d ", data_line=rf"^(?:{CPT_CODE}|{MODIFIER}   )\d\d ",
    fields="", describe="a LONGULF line is the code in columns 1-5, a sequence number in "
    "6-7, a blank in 8 and the descriptor text from 9")


def _np(values: pa.Array) -> np.ndarray:
    return values.to_numpy(zero_copy_only=False)


def data_lines(lines: pa.Array, layout: Layout, *, file: str) -> tuple[pa.Array, np.ndarray]:
    """The lines after the copyright notice, every one checked to be data; with their
    1-based line numbers. The notice ends at the last non-data line before the first code
    line, so a column-header line ("Code<TAB>Descriptor") is skipped as part of it."""
    numbers = np.arange(1, len(lines) + 1)
    is_code = _np(pc.match_substring_regex(lines, layout.code_line))
    if not is_code.any():
        raise UpdaterError(f"no CPT codes in the file ({layout.describe})", file=file,
                           hint=HINT)
    is_data = _np(pc.match_substring_regex(lines, layout.data_line))
    first = int(np.argmax(is_code))
    notice = np.flatnonzero(~is_data[:first])
    start = int(notice[-1]) + 1 if len(notice) else 0
    lines, numbers, is_data = lines[start:], numbers[start:], is_data[start:]
    blank = _np(pc.equal(pc.utf8_trim_whitespace(lines), ""))
    _lines.fail_at(~is_data & ~blank, numbers, f"not a CPT data line: {layout.describe}",
                   file=file, hint=HINT)
    return lines.filter(pa.array(is_data)), numbers[is_data]


def unquote(text: pa.Array) -> pa.Array:
    """A descriptor a spreadsheet wrote in double quotes, as tab-delimited readers take it."""
    quoted = pc.and_(pc.and_(pc.starts_with(text, '"'), pc.ends_with(text, '"')),
                     pc.greater_equal(pc.utf8_length(text), 2))
    inner = pc.replace_substring(pc.utf8_slice_codeunits(text, 1, -1), '""', '"')
    return pc.if_else(quoted, inner, text)


def record_of(code: pa.Array) -> pa.Array:
    """Two characters is a modifier, five a code."""
    return pc.if_else(pc.equal(pc.utf8_length(code), 2), RecordType.MODIFIER.value,
                      RecordType.CODE.value)


def parse_descriptor_lines(lines: pa.Array, layout: Layout, column: str, *,
                           file: str) -> pd.DataFrame:
    """One descriptor file (LONGULT, MEDU or SHORTU) as ``code, record, <column>``."""
    lines, numbers = data_lines(lines, layout, file=file)
    parts = pc.extract_regex(lines, layout.fields)
    code = pc.utf8_upper(pc.struct_field(parts, "code"))
    text = pc.utf8_trim_whitespace(pc.struct_field(parts, "text"))
    if layout is TAB:
        text = unquote(text)
    _lines.fail_at(pc.equal(text, ""), numbers, "no descriptor after the code", file=file,
                   hint=HINT)
    table = _lines.to_frame({CODE: code, RECORD: record_of(code), column: text})
    _lines.check_unique(table[CODE], numbers, file=file)
    return table


def head_matches(head: bytes, layout: Layout) -> bool:
    """A code line in the head, and the lines after it are data (or blank)."""
    lines = _lines.complete_lines(head)
    code, data = re.compile(layout.code_line.encode()), re.compile(layout.data_line.encode())
    first = next((i for i, line in enumerate(lines) if code.match(line)), None)
    return first is not None and all(
        data.match(line) or not line.strip() for line in lines[first:first + SNIFF_LINES])


def parse_fixed_lines(lines: pa.Array, *, file: str) -> pd.DataFrame:
    """The records joined per code, as ``code, record, long`` in the file's code order."""
    lines, numbers = data_lines(lines, FIXED, file=file)
    text = pc.utf8_trim_whitespace(pc.utf8_slice_codeunits(lines, 8, 1 << 20))
    _lines.fail_at(pc.equal(text, ""), numbers, "no descriptor text from column 9",
                   file=file, hint=HINT)
    records = pd.DataFrame({
        "code": _lines.column(lines, 1, 5).to_numpy(zero_copy_only=False),
        "seq": pc.cast(pc.utf8_slice_codeunits(lines, 5, 7), pa.int32())
        .to_numpy(zero_copy_only=False),
        "text": text.to_numpy(zero_copy_only=False),
        "line": numbers,
    })
    records["code"] = records["code"].str.upper()
    records["key"] = pd.factorize(records["code"])[0]  # codes in the order they come
    twice = np.flatnonzero(records.duplicated(["code", "seq"], keep=False).to_numpy())
    if len(twice):
        code_of, seq_of, line_of = (records[c].to_numpy()[twice] for c in ("code", "seq", "line"))
        same = np.flatnonzero((code_of == code_of[0]) & (seq_of == seq_of[0]))
        raise UpdaterError(
            f"sequence number {seq_of[0]:02d} of code {code_of[0]} appears twice (also on "
            f"line {line_of[same[0]]})", file=file, line=int(line_of[same[1]]), hint=HINT)
    records = records.sort_values(["key", "seq"], kind="stable", ignore_index=True)
    key, seq = records["key"].to_numpy(), records["seq"].to_numpy()
    gap = np.flatnonzero((key[1:] == key[:-1]) & (seq[1:] != seq[:-1] + 1)) + 1
    if len(gap):
        at = int(gap[0])
        raise UpdaterError(
            f"the records of code {records['code'].to_numpy()[at]} jump from sequence "
            f"number {seq[at - 1]:02d} to {seq[at]:02d}: a continuation record is missing",
            file=file, line=int(records["line"].to_numpy()[at]), hint=HINT)
    joined = records.groupby("key", sort=True).agg(code=("code", "first"),
                                                   text=("text", " ".join))
    code = pa.array(joined["code"].to_numpy(), type=pa.string())
    return _lines.to_frame({CODE: code, RECORD: record_of(code),
                            LONG: pa.array(joined["text"].to_numpy(), type=pa.string())})
