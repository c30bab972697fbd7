"""How big and how odd an input may be: the limits that keep a hostile file (a zip bomb,
a member path climbing out of its folder, a 200,000-column header, a megabyte in one
cell, NUL bytes, text in two encodings) to one clear error within bounded memory.

The limits are far above anything a publisher or a spreadsheet writes (the largest CDC
member is 14 MB, a spreadsheet holds 16,384 columns and 32,767 characters a cell), so an
honest file never meets them; they are checked before the content is read.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path, PurePosixPath, PureWindowsPath

from updater.errors import UpdaterError

MAX_MEMBER_BYTES = 1 << 30  # a zip (or xlsx) member inflates to at most 1 GiB
MAX_ARCHIVE_BYTES = 2 << 30  # all members of one archive together
MAX_RATIO = 200  # inflated / compressed, for a member over RATIO_FROM bytes
RATIO_FROM = 16 << 20  # (honest text compresses 5-15 times; a bomb about 1000 times)
MAX_COLUMNS = 50_000  # columns of a table's header row (a spreadsheet has 16,384)
MAX_CELL_CHARS = 131_072  # characters in a cell of a column read (a spreadsheet: 32,767)

_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                            rb"|[\xf0-\xf4][\x80-\xbf]{3}")


def _mib(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MiB"


def unsafe_member(name: str) -> bool:
    """A member path that is absolute or climbs out of the folder it is unpacked into
    (``/etc/x``, ``C:\\x``, ``../x``, ``a/../../x``)."""
    if not name:
        return False
    posix, windows = PurePosixPath(name), PureWindowsPath(name)
    return (posix.is_absolute() or windows.is_absolute() or bool(windows.drive)
            or name.startswith(("/", "\\"))
            or ".." in posix.parts or ".." in windows.parts)


def check_archive(data: bytes | Path, display: str) -> None:
    """Refuse a zip (or an xlsx, itself a zip) that is not safe to read: a member that
    would inflate past the limits, or whose path is absolute or climbs out with ``..``.
    Only the zip's directory is read. Not a zip at all: nothing to say here."""
    try:
        source = io.BytesIO(data) if isinstance(data, bytes) else data
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    total = 0
    for info in members:
        if unsafe_member(info.filename):
            raise UpdaterError(
                f"the zip holds a member with an unsafe path {info.filename!r} (absolute, or "
                "climbing out of its folder with ..)", file=display,
                hint="updater never unpacks such a zip; is this the publisher's file? "
                     "download it again")
        size, packed = info.file_size, max(info.compress_size, 1)
        if size > MAX_MEMBER_BYTES or (size > RATIO_FROM and size > MAX_RATIO * packed):
            raise UpdaterError(
                f"member {info.filename!r} would inflate to {_mib(size)} from "
                f"{packed:,} bytes (a zip bomb?)", file=display,
                hint=f"updater reads members of at most {_mib(MAX_MEMBER_BYTES)}, compressed "
                     f"at most {MAX_RATIO} times; is this the publisher's file? download it "
                     "again")
        total += size
    if total > MAX_ARCHIVE_BYTES:
        raise UpdaterError(f"the zip's members would inflate to {_mib(total)} together "
                           "(a zip bomb?)", file=display,
                           hint=f"updater reads archives of at most {_mib(MAX_ARCHIVE_BYTES)}; "
                                "is this the publisher's file? download it again")


def read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """A member's bytes, read with a cap (never more than ``MAX_MEMBER_BYTES``)."""
    with archive.open(name) as fh:
        data = fh.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise UpdaterError(f"member {name!r} inflates past {_mib(MAX_MEMBER_BYTES)} (a zip "
                           "bomb?)", hint="is this the publisher's file? download it again")
    return data


def check_mixed_encoding(data: bytes, display: str) -> None:
    """Refuse text that is not UTF-8 but holds UTF-8 characters too: part of it was
    saved in another encoding, and reading it either way would garble some of it."""
    try:
        data.decode("utf-8")
        return
    except UnicodeDecodeError as exc:
        bad = exc.start
    if _UTF8_SEQUENCE.search(data) is None:
        return
    line = data.count(b"\n", 0, bad) + 1
    raise UpdaterError(
        f"mixed encodings: UTF-8 text with a byte that is not UTF-8 (0x{data[bad]:02x})",
        file=display, line=line,
        hint="part of the file was saved in another encoding (Windows-1252?); save it again "
             "as UTF-8 from the program that made it")


def check_width(width: int, display: str) -> None:
    """Refuse a header row wider than ``MAX_COLUMNS``."""
    if width > MAX_COLUMNS:
        raise UpdaterError(f"a row of {width:,} columns, more than the {MAX_COLUMNS:,} "
                           "updater reads", file=display,
                           hint="is this the export? a spreadsheet has at most 16,384 columns")


def cell_too_long(display: str, row: int, column: str, length: int) -> UpdaterError:
    """The error for a cell longer than ``MAX_CELL_CHARS`` (``row``: the data row)."""
    return UpdaterError(f"column {column!r}: a cell of {length:,} characters, more than the "
                        f"{MAX_CELL_CHARS:,} updater reads in one cell", file=display,
                        row=row, hint="is this the export? a spreadsheet cell holds at most "
                                      "32,767 characters")
