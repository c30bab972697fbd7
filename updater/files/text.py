"""Text decoding: the one rule for every text file updater reads (a release's text files,
a chargemaster or crosswalk CSV, a conversion or user map) and writes back (a patched CSV).

A byte-order mark decides: UTF-8, UTF-16 (Excel's "Unicode text" export: UTF-16 LE,
tab-delimited, CRLF) or UTF-32, little or big endian. Without one, strict UTF-8, else
Windows-1252 (refused when the text holds UTF-8 characters too: two encodings in one
file). NUL bytes are looked for in the decoded text, so that UTF-16's zero bytes are
not mistaken for binary content. ``encode`` writes text back as it was read: the same
encoding and the same BOM.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from updater.errors import UpdaterError
from updater.files.limits import check_mixed_encoding

UTF8 = "utf-8"
CP1252 = "cp1252"

# the longest first: UTF-32 LE's mark begins with UTF-16 LE's
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, UTF8),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class Decoded:
    """A file's text, the encoding it was read in and its byte-order mark (b"" if none)."""

    text: str
    encoding: str
    bom: bytes = b""


def sniff_bom(head: bytes) -> tuple[str, bytes] | None:
    """(encoding, mark) when ``head`` starts with a byte-order mark, else None."""
    for mark, encoding in BOMS:
        if head.startswith(mark):
            return encoding, mark
    return None


def wide_bom(head: bytes) -> bool:
    """Whether the mark says UTF-16 or UTF-32: text that has zero bytes in it and is not
    UTF-8, so it cannot be streamed as UTF-8 from the disk."""
    found = sniff_bom(head)
    return found is not None and found[0] != UTF8


TABLE_HINT = "save the export again as CSV (UTF-8) or XLSX"
TABLE_NUL_HINT = "export the table as CSV or XLSX"


def decode(data: bytes, display: str, *, hint: str = TABLE_HINT,
           nul_hint: str | None = TABLE_NUL_HINT) -> Decoded:
    """The text of a file's bytes by the one rule (see the module); one ``UpdaterError``
    with the line for bytes no rule reads, and (unless ``nul_hint`` is None) for a NUL in
    the decoded text."""
    found = sniff_bom(data)
    if found is not None and found[0] != UTF8:
        encoding, bom = found
        body = data[len(bom):]
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError as exc:
            raise UpdaterError(
                f"bytes that are not {encoding.upper()} text though the file starts with "
                f"its byte-order mark (byte {exc.start + len(bom):,})", file=display,
                line=_lines_before(body, exc.start, encoding) + 1, hint=hint) from None
    else:  # a UTF-8 mark or none: UTF-8, else Windows-1252 (mark kept, as it was)
        bom = codecs.BOM_UTF8 if found is not None else b""
        data = data[len(bom):]
        try:
            text, encoding = data.decode(UTF8), UTF8
        except UnicodeDecodeError:
            check_mixed_encoding(data, display)
            try:
                text, encoding = data.decode(CP1252), CP1252
            except UnicodeDecodeError as exc:
                raise UpdaterError(
                    "bytes that are neither UTF-8 nor Windows-1252 text "
                    f"(byte 0x{data[exc.start]:02x})", file=display,
                    line=data.count(b"\n", 0, exc.start) + 1, hint=hint) from None
    if nul_hint is not None:
        refuse_nul(text, display, hint=nul_hint)
    return Decoded(text, encoding, bom)


def decode_text(data: bytes, display: str) -> str:
    """The text of a publisher's (or a user's) text file, by :func:`decode`."""
    return decode(data, display,
                  hint="is this the publisher's text file? re-download it or save it as UTF-8",
                  nul_hint="is this the publisher's text file? re-download it").text


def refuse_nul(text: str, display: str, *, hint: str = TABLE_NUL_HINT) -> None:
    """One error, with its line, for decoded text holding a NUL character (binary)."""
    nul = text.find("\x00")
    if nul >= 0:
        raise UpdaterError("binary content (NUL bytes) where text was expected",
                           file=display, line=text.count("\n", 0, nul) + 1, hint=hint)


def encode(text: str, encoding: str, bom: bytes = b"") -> bytes:
    """Text written back as :func:`decode` read it: the same encoding, the same mark."""
    return bom + text.encode(encoding)


def _lines_before(body: bytes, at: int, encoding: str) -> int:
    return body[:at - at % 4].decode(encoding, errors="ignore").count("\n")
