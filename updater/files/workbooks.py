"""Workbook reading: the one loader of XLSX (or XLS/ODS) workbooks whose values are read,
over python-calamine (fast, values only). Opened from a path or from bytes; a damaged,
encrypted or not-a-workbook file is one ``UpdaterError`` naming the file and what to do.

openpyxl stays where a workbook's formatting must be kept or written: patching a
chargemaster sheet (``updater.patch.grids``) and the review workbook
(``updater.plan.workbook``).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from updater.errors import UpdaterError
from updater.files.limits import check_archive

HINT = "open it in Excel and save it again as .xlsx"


class Workbook:
    """An open workbook: its sheet names and the rows of a sheet (from cell A1, so that
    row numbers are the ones Excel shows; cells as calamine gives them)."""

    def __init__(self, book: CalamineWorkbook, display: str, hint: str) -> None:
        self._book, self.display, self.hint = book, display, hint
        self.sheet_names: list[str] = list(book.sheet_names)

    def rows(self, sheet: str | int, *, nrows: int | None = None) -> list[list[Any]]:
        """The rows of a sheet by name or position (the first ``nrows`` only if given)."""
        try:
            found = (self._book.get_sheet_by_index(sheet) if isinstance(sheet, int)
                     else self._book.get_sheet_by_name(sheet))
            rows: list[list[Any]] = found.to_python(skip_empty_area=False, nrows=nrows)
        except Exception as exc:  # calamine raises its own error types
            name = sheet if isinstance(sheet, str) else self.sheet_names[sheet]
            raise UpdaterError(f"sheet {name!r} cannot be read ({exc})", file=self.display,
                               hint=self.hint) from None
        return rows

    def sheet_with(self, has_table: Callable[[list[list[Any]]], bool], *,
                   order: Sequence[int] | None = None) -> tuple[list[list[Any]], str] | None:
        """The rows and name of the first sheet (in ``order``, else the workbook's) whose
        rows ``has_table`` accepts (the publisher's sheet among notes and cover sheets);
        None when no sheet does."""
        for i in order if order is not None else range(len(self.sheet_names)):
            rows = self.rows(i)
            if has_table(rows):
                return rows, self.sheet_names[i]
        return None

    def sheet(self, wanted: str | None) -> str:
        """The sheet named ``wanted`` (else the first): one error listing the sheets when
        there is no such sheet."""
        name = wanted or (self.sheet_names[0] if self.sheet_names else None)
        if name is None or name not in self.sheet_names:
            listed = ", ".join(repr(n) for n in self.sheet_names) or "none"
            raise UpdaterError(f"no sheet named {name!r}; the workbook's sheets: {listed}",
                               file=self.display, hint="name one of them with --sheet")
        return name


def open_workbook(data: bytes | Path, display: str | Path, *, hint: str = HINT) -> Workbook:
    """The workbook in ``data`` (its bytes, or its path), checked as a zip first (limits),
    else one ``UpdaterError``: ``not a readable XLSX workbook (why)`` and ``hint``."""
    display = str(display)
    check_archive(data, display)
    try:
        book = (CalamineWorkbook.from_filelike(io.BytesIO(data)) if isinstance(data, bytes)
                else CalamineWorkbook.from_path(str(data)))
    except Exception as exc:  # calamine raises its own error types
        raise UpdaterError(f"not a readable XLSX workbook ({exc})", file=display,
                           hint=hint) from None
    return Workbook(book, display, hint)
