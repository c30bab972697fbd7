"""One error type for every user mistake, so the CLI can print one line and exit 2."""

from __future__ import annotations

from pathlib import Path


class UpdaterError(Exception):
    """A problem with the user's input or request (not a bug in updater).

    The message names the file, the line or row when there is one, what is wrong
    and what to do about it, e.g.
    ``order.txt, line 12: line cut short (40 characters, expected at least 77); ...``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        row: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.row = row
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.row is not None:
            where.append(f"row {self.row}")
        text = (", ".join(where) + ": " if where else "") + self.message
        if self.hint:
            text += f"; {self.hint}"
        return text


class UnknownFormatError(UpdaterError):
    """No reader recognises the file."""


class StoreError(UpdaterError):
    """The release store is missing something or would be made inconsistent."""


class WriteError(UpdaterError):
    """An output could not be written (a read-only folder, a full disk, a path that holds
    no files); the temporary file was removed and the target left as it was. ``reason``
    is the system's word for it ("No space left on device")."""

    reason: str = ""
