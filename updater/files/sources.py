"""Files as the publishers ship them: a plain file, or members of a zip archive.

A ``Source`` reads lazily, so detection can look at the head of every member of a
CDC zip without inflating the PDFs, and names every problem after the file
(``FY2025.zip!icd10cm-order-2025.txt``) the user can find. A zip is checked before any
member is read (:func:`updater.files.limits.check_archive`: no zip bomb, no member path
climbing out of its folder); nothing is ever unpacked to disk.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from updater.errors import UpdaterError
from updater.files.limits import check_archive, read_member
from updater.files.text import decode_text

HEAD_BYTES = 8192
_OFFICE = {".xlsx", ".xlsm", ".xls", ".docx", ".ods"}  # zips of their own


@dataclass
class Source:
    """One readable file: on disk, or a member of a zip on disk."""

    path: Path
    member: str | None = None
    _data: bytes | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """The base name of the file itself (the member's, for a zip member)."""
        return Path(self.member).name if self.member else self.path.name

    @property
    def display(self) -> str:
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    @property
    def names(self) -> list[str]:
        """Names to infer a version from, innermost first."""
        out = [self.member, str(Path(self.member).parent)] if self.member else []
        return [n for n in [*out, self.path.name, self.path.parent.name] if n and n != "."]

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()

    def read(self) -> bytes:
        if self._data is None:
            self._data = self._read_all()
        return self._data

    def head(self, size: int = HEAD_BYTES) -> bytes:
        if self._data is not None:
            return self._data[:size]
        if self.member is None:
            with self.path.open("rb") as fh:
                return fh.read(size)
        try:
            with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as fh:
                return fh.read(size)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise _damaged(self, exc) from None

    def sha256(self) -> str:
        return hashlib.sha256(self.read()).hexdigest()

    def text(self) -> str:
        """The file decoded: UTF-8 (with or without BOM), else Windows-1252; else an error
        naming the line with the bad bytes."""
        return decode_text(self.read(), self.display)

    def _read_all(self) -> bytes:
        if self.member is None:
            return self.path.read_bytes()
        try:
            with zipfile.ZipFile(self.path) as archive:
                return read_member(archive, self.member)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise _damaged(self, exc) from None


def _damaged(source: Source, exc: Exception) -> UpdaterError:
    return UpdaterError(
        f"the zip is damaged or truncated ({exc})",
        file=source.display,
        hint="download the release again from the publisher",
    )


def require_file(p: Path, *, what: str, hint: str) -> None:
    """A path the user gave must be an existing file, not a folder: one line if not."""
    if not p.exists():
        raise UpdaterError("no such file", file=p, hint="check the path")
    if p.is_dir():
        raise UpdaterError(f"is a folder, not {what}", file=p, hint=hint)


def open_sources(path: str | Path) -> list[Source]:
    """The file itself, or every member of a zip (folders inside the zip included)."""
    p = Path(path)
    require_file(p, what="a release file", hint="name the zip or the release file inside it")
    with p.open("rb") as fh:
        magic = fh.read(4)
    office = p.suffix.lower() in _OFFICE
    if p.suffix.lower() == ".zip" or (magic == b"PK\x03\x04" and not office):
        if not zipfile.is_zipfile(p):
            raise UpdaterError(
                "not a zip file, or a truncated one (no zip directory at its end)",
                file=p, hint="download the release again from the publisher")
        try:
            with zipfile.ZipFile(p) as archive:
                members = [i.filename for i in archive.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, OSError) as exc:
            raise UpdaterError(f"the zip cannot be opened ({exc})", file=p,
                               hint="download the release again from the publisher") from None
        if magic[:2] != b"PK":
            raise UpdaterError("not a zip file (it does not start like one)", file=p,
                               hint="download the release again from the publisher")
        check_archive(p, str(p))
        sources = [Source(p, m) for m in members if not Path(m).name.startswith(".")
                   and "__MACOSX" not in m]
        for source in sources:  # a workbook in the zip is itself a zip: checked too
            if source.suffix in _OFFICE:
                check_archive(source.read(), source.display)
        return sources
    if office:
        check_archive(p, str(p))
    return [Source(p)]
