"""Helpers shared by the fixed-width readers: whole-column slicing with pyarrow."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from updater.errors import UpdaterError


def split_lines(text: str) -> pa.Array:
    """The file's lines (CRLF or LF) as one Arrow string array."""
    return pa.array(text.splitlines(), type=pa.string())


def column(lines: pa.Array, first: int, last: int | None = None) -> pa.Array:
    """Characters ``first``..``last`` (1-based, inclusive, as record layouts number them),
    right-trimmed. ``last=None`` takes the rest of the line."""
    stop = last if last is not None else 1 << 20
    return pc.utf8_rtrim_whitespace(pc.utf8_slice_codeunits(lines, first - 1, stop))


def lengths(lines: pa.Array) -> np.ndarray:
    return pc.utf8_length(lines).to_numpy(zero_copy_only=False)


def fail_at(mask: np.ndarray, line_numbers: np.ndarray, message: str, *, file: str,
            hint: str | None = None) -> None:
    """Raise for the first line where ``mask`` is true, if any."""
    bad = np.flatnonzero(mask)
    if len(bad):
        more = f" (and {len(bad) - 1} more lines)" if len(bad) > 1 else ""
        raise UpdaterError(message + more, file=file, line=int(line_numbers[bad[0]]), hint=hint)


def check_unique(codes: np.ndarray, line_numbers: np.ndarray, *, file: str,
                 what: str = "code") -> None:
    """A release lists each code once; a repeat means a damaged or hand-edited file."""
    order = np.argsort(codes, kind="stable")
    s = codes[order]
    dup = np.flatnonzero(s[1:] == s[:-1])
    if len(dup):
        first, second = order[dup[0]], order[dup[0] + 1]
        raise UpdaterError(
            f"duplicate {what} {s[dup[0]]} (also on line {int(line_numbers[first])})",
            file=file, line=int(line_numbers[second]),
            hint="each code may appear once; re-download the publisher's file")
