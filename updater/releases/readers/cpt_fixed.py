"""CPT long descriptors, fixed width (AMA ``LONGULF.txt``).

Code in columns 1-5, sequence number in 6-7, a blank in 8, text from 9 (72 characters).
A descriptor longer than one record goes on in the next records of the same code with
the sequence number counting up (01, 02, ...); the AMA breaks the text between words, so
the pieces are joined, in sequence order, with one space. The file opens with the same
copyright notice as the other CPT data files; ``MEDU.txt`` / ``SHORTU.txt`` beside it fill
the medium and short descriptors (see ``cpt_tab``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from updater.errors import UpdaterError
from updater.files.sources import Source
from updater.model import CODE, LONG, RECORD
from updater.releases.readers import _lines
from updater.releases.readers.base import ReaderOutput, ReadOptions
from updater.releases.readers.cpt_tab import (
    CPT_CODE,
    HINT,
    MODIFIER,
    Layout,
    data_lines,
    head_matches,
    read_cpt_set,
    record_of,
)
from updater.vocabulary import CodeSystem, ReleaseKind

FIXED = Layout(
    code_line=rf"^{CPT_CODE}\d\d ", data_line=rf"^(?:{CPT_CODE}|{MODIFIER}   )\d\d ",
    fields="", describe="a LONGULF line is the code in columns 1-5, a sequence number in "
    "6-7, a blank in 8 and the descriptor text from 9")


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


class CptFixedReader:
    name = "cpt-fixed"
    title = ("CPT long descriptors, fixed width (AMA LONGULF.txt; with MEDU.txt and "
             "SHORTU.txt beside it)")
    system = CodeSystem.CPT
    kind = ReleaseKind.FULL
    rank = 15  # below cpt-tab: LONGULT says the same without the record joining

    def sniff(self, source: Source) -> bool:
        return source.suffix in {".txt", ""} and head_matches(source.head(), FIXED)

    def read(self, source: Source, options: ReadOptions, bundle: list[Source]) -> ReaderOutput:
        return read_cpt_set(source, bundle)


READER = CptFixedReader()
