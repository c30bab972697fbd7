"""One error type for every user mistake, so the CLI can print one line and exit 2."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])


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


def reads_file(func: F) -> F:
    """An OSError while the function reads its first argument (a path: a device, a /proc
    file, a file gone or unreadable) becomes one UpdaterError naming that file."""
    @functools.wraps(func)
    def wrapper(path: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return func(path, *args, **kwargs)
        except OSError as exc:
            raise UpdaterError(f"cannot read the file ({exc.strerror or exc})",
                               file=exc.filename or path,
                               hint="check the path, and that it is a file you may read"
                               ) from None
    return cast(F, wrapper)
