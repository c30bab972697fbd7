"""Helpers shared by the fixed-width readers: whole-column slicing with pyarrow."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from updater.errors import UpdaterError
from updater.files.sources import HEAD_BYTES, Source
from updater.files.text import decode_text

_ONE_COLUMN = dict(
    read_options=pcsv.ReadOptions(column_names=["line"], block_size=1 << 24),
    parse_options=pcsv.ParseOptions(delimiter="\x1f", quote_char=False, escape_char=False,
                                    ignore_empty_lines=False),
    convert_options=pcsv.ConvertOptions(column_types={"line": pa.string()},
                                        strings_can_be_null=False,
                                        quoted_strings_can_be_null=False),
)
STR = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' "str" dtype


def complete_lines(head: bytes) -> list[bytes]:
    """The lines of a file's head (for sniffing), less the last one when the head stops
    inside it."""
    lines = head.removeprefix(b"\xef\xbb\xbf").splitlines()
    cut = len(head) >= HEAD_BYTES and not head.endswith((b"\n", b"\r"))
    return lines[:-1] if cut else lines


def split_lines(text: str) -> pa.Array:
    """The text's lines (CRLF or LF) as one Arrow string array."""
    return pa.array(text.splitlines(), type=pa.string())


def read_lines(source: Source) -> pa.Array:
    """A text file's lines as one Arrow string array, parsed by Arrow's multi-threaded
    reader; anything unusual (not UTF-8, NUL bytes) goes through ``decode_text`` so the
    user gets the line number of the bad bytes."""
    data = source.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data and b"\x00" not in data:
        try:
            table = pcsv.read_csv(io.BytesIO(data), **_ONE_COLUMN)  # type: ignore[arg-type]
            return table.column("line").combine_chunks()
        except pa.ArrowInvalid:
            pass
    return split_lines(decode_text(data, source.display))


class Columns:
    """Fixed-width slicing of one set of lines. Pure ASCII text (every publisher file so
    far) is sliced as bytes, several times faster than Arrow's UTF-8 slicing; other text
    by characters. The ASCII check is made once per set of lines."""

    def __init__(self, lines: pa.Array) -> None:
        self.lines = lines
        self.ascii = bool(pc.all(pc.string_is_ascii(lines)).as_py() is not False)
        self.raw = lines.view(pa.binary()) if self.ascii else lines

    def raw_slice(self, first: int, last: int | None = None) -> pa.Array:
        """Characters ``first``..``last`` (1-based, inclusive, as record layouts number
        them), untrimmed; ``last=None`` takes the rest of the line."""
        stop = last if last is not None else 1 << 20
        if not self.ascii:
            return pc.utf8_slice_codeunits(self.lines, first - 1, stop)
        return pc.binary_slice(self.raw, first - 1, stop).view(pa.string())

    def __call__(self, first: int, last: int | None = None) -> pa.Array:
        """The field right-trimmed (fixed-width fields are blank-padded on the right)."""
        sliced = self.raw_slice(first, last)
        return pc.ascii_rtrim_whitespace(sliced) if self.ascii else pc.utf8_rtrim_whitespace(
            sliced)


def column(lines: pa.Array, first: int, last: int | None = None) -> pa.Array:
    """One right-trimmed field of ``lines`` (see ``Columns`` for several)."""
    return Columns(lines)(first, last)


def lengths(lines: pa.Array) -> np.ndarray:
    return pc.utf8_length(lines).to_numpy(zero_copy_only=False)


def to_frame(columns: dict[str, pa.Array]) -> pd.DataFrame:
    """Arrow columns as a pandas frame of ``str`` columns, without copying the strings."""
    return pa.table(columns).to_pandas(
        types_mapper={pa.string(): STR, pa.large_string(): STR}.get)


def fail_at(mask: np.ndarray | pa.Array, line_numbers: np.ndarray, message: str, *, file: str,
            hint: str | None = None) -> None:
    """Raise for the first line where ``mask`` is true, if any."""
    if isinstance(mask, pa.Array | pa.ChunkedArray):
        mask = mask.to_numpy(zero_copy_only=False)
    bad = np.flatnonzero(mask)
    if len(bad):
        more = f" (and {len(bad) - 1} more lines)" if len(bad) > 1 else ""
        raise UpdaterError(message + more, file=file, line=int(line_numbers[bad[0]]), hint=hint)


def check_unique(codes: pd.Series, line_numbers: np.ndarray, *, file: str,
                 what: str = "code") -> None:
    """A release lists each code once; a repeat means a damaged or hand-edited file."""
    dup = codes.duplicated(keep=False).to_numpy()
    if dup.any():
        where = np.flatnonzero(dup)
        code = codes.iat[where[0]]
        same = where[codes.to_numpy()[where] == code]
        raise UpdaterError(
            f"duplicate {what} {code} (also on line {int(line_numbers[same[0]])})",
            file=file, line=int(line_numbers[same[1]]),
            hint="each code may appear once; re-download the publisher's file")
