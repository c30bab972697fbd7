"""TOML files a person wrote (``updater.toml``, a chargemaster ``--profile``), read so that
every mistake names its line.

``tomllib`` gives values without positions, so the line of a key is found again in the
text: one finder for both files, and one reading that turns a decoding or syntax error
into an :class:`UpdaterError` with the file, the line and what to do.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from updater.errors import UpdaterError

ANY_SECTION: Final = "\0any"  # find a key in whatever section it stands

_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")


def read_toml(path: Path, *, what: str,
              hint: str | Callable[[str], str]) -> tuple[dict[str, Any], str]:
    """The parsed document and its text. ``what`` names the file in messages ("the
    profile"); ``hint`` is the fix offered for a syntax error (or makes it from the
    message)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:  # e.g. saved as Windows-1252 by Notepad
        line = bytes(exc.object[:exc.start]).count(b"\n") + 1
        raise UpdaterError(f"{what} is not UTF-8 text", file=path, line=line,
                           hint=f"save {what} as UTF-8 (TOML files are UTF-8)") from None
    except OSError as exc:
        raise UpdaterError(f"cannot read {what}: {exc.strerror or exc}", file=path,
                           hint="check that the file can be opened") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = re.search(r"\s*\(at line (\d+), column (\d+)\)", message)
        if m:
            message = message[:m.start()] + f" at column {m.group(2)}"
        raise UpdaterError(f"not valid TOML: {message[0].lower()}{message[1:]}", file=path,
                           line=int(m.group(1)) if m else None,
                           hint=hint if isinstance(hint, str) else hint(message)) from None


class TomlLines:
    """Where keys and section headers stand in a TOML text (1-based lines)."""

    def __init__(self, text: str) -> None:
        self.rows = text.splitlines()

    def find(self, key: str, section: str | None = ANY_SECTION, index: int | None = None, *,
             value: str | None = None) -> int | None:
        """The line of ``key = ...``: at the top (``section`` None), in the ``index``-th
        ``[[section]]`` (any of them when ``index`` is None), or anywhere (the default);
        with ``value``, only a line that also holds that text. A key written as a
        ``[key]`` table of its own is found by its header when no assignment is."""
        current: str | None = None
        seen = -1
        assignment = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for number, row in enumerate(self.rows, start=1):
            m = _HEADER.match(row)
            if m:
                current = m.group(1).strip("\"'")
                if current == section:
                    seen += 1
                continue
            if section != ANY_SECTION and (
                    current != section or (index is not None and seen != index)):
                continue
            if assignment.match(row) and (value is None or value in row):
                return number
        if section in (None, ANY_SECTION) and value is None:
            return self.header_line(key)
        return None

    def header_line(self, name: str, index: int = 0) -> int | None:
        """The line of the ``index``-th ``[name]`` or ``[[name]]`` header."""
        pattern = re.compile(rf"^\s*\[\[?\s*[\"']?{re.escape(name)}[\"']?\s*\]\]?")
        hits = [n for n, row in enumerate(self.rows, start=1) if pattern.match(row)]
        return hits[index] if index < len(hits) else None
