"""Writing results: always to a temporary file beside the target, then renamed, so a
failure never leaves a half-written file where the user expects a finished one.

Every file updater writes goes through :func:`atomic_path`: it is created with the mode a
plain ``open()`` would give it (0666 less the umask, so colleagues on a shared drive can
read what the umask lets them), and a folder that is read-only, a full disk or a path that
cannot hold files (``/proc``) ends in one :class:`WriteError` naming the file, with the
temporary file removed. Every text cell of a CSV or XLSX goes through
:func:`defuse_text`, the one formula sanitizer.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from updater.errors import UpdaterError, WriteError

# Text a spreadsheet could run as a formula: one starting with = + - @ (or their
# full-width forms), also behind leading blanks, and text starting with a tab or a line
# break (OWASP's CSV injection list, widened to what Excel and LibreOffice trim or map)
_FORMULA = re.compile(r"^(?:[\t\r\n]|[\s\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20])")
EXCEL_CELL_LIMIT = 32_767  # characters an Excel cell holds


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could take this text for a formula."""
    return bool(_FORMULA.match(text))


def defuse_text(text: str) -> str:
    """Text safe in a CSV or XLSX cell: formula-like text gets a leading apostrophe."""
    return "'" + text if _FORMULA.match(text) else text


def undefuse_text(text: str) -> str:
    """Undo :func:`defuse_text` (reading back a workbook updater wrote)."""
    if len(text) > 1 and text[0] == "'" and _FORMULA.match(text[1:]):
        return text[1:]
    return text


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _cannot_write(target: Path, exc: OSError) -> WriteError:
    why = exc.strerror or str(exc)
    error = WriteError(f"cannot write the file ({why})", file=target,
                       hint="check that the folder exists, is writable and has free space")
    error.reason = str(exc)
    return error


def make_folder(folder: str | Path) -> Path:
    """The output folder, created with its parents when missing; one WriteError when it
    cannot be (a read-only place, a file in the way, /proc)."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot create the folder ({exc.strerror or exc})", file=folder,
                         hint="choose a folder you can write to") from None
    return folder


@contextmanager
def atomic_path(target: str | Path, *, durable: bool = False) -> Iterator[Path]:
    """A temporary path in the target's folder; renamed onto the target on success.

    The file gets the umask's mode (``mkstemp`` alone makes it 0600). Any OSError while
    creating, writing or renaming it becomes a ``WriteError`` naming ``target``, and the
    temporary file is removed. ``durable``: the file is flushed to the disk before the
    rename (the store's and apply's records)."""
    target = Path(target)
    if target.parent and not target.parent.exists():
        raise UpdaterError("the output folder does not exist", file=target.parent,
                           hint="create it first or choose another path")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                   dir=target.parent)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    try:
        try:
            os.fchmod(fd, 0o666 & ~_umask())
        finally:
            os.close(fd)
        yield Path(tmp)
        if durable:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _cannot_write(target, exc) from exc
        raise


def file_sha256(path: str | Path) -> str:
    """The file's sha256 (hex), read in blocks: identities of inputs and outputs, one
    function for every module so the same file always gets the same checksum."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def to_json_bytes(data: Any) -> bytes:
    """Indented UTF-8 JSON; numpy numbers and NaN (as null) understood, dates as ISO."""
    return orjson.dumps(data, default=str, option=orjson.OPT_INDENT_2
                        | orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS) + b"\n"


def write_json(data: Any, target: str | Path) -> None:
    """JSON to a file, or to standard output for ``-``."""
    payload = to_json_bytes(data)
    if str(target) == "-":
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
        return
    with atomic_path(target) as tmp:
        tmp.write_bytes(payload)


def defuse_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell through :func:`defuse_text` (whole columns at a time)."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            text = values.astype("str")
            risky = text.str.match(_FORMULA.pattern).fillna(False).astype(bool)
            if risky.any():
                out[col] = values.where(~risky, "'" + text)
    return out


def check_cell_lengths(frame: pd.DataFrame, target: str | Path, sheet: str,
                       first_row: int = 2) -> None:
    """Refuse a text cell longer than an Excel cell holds, naming its sheet, row and
    column (Excel would cut it, or refuse to open the workbook)."""
    for col in frame.columns:
        values = frame[col]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue
        lengths = values.astype("str").str.len().to_numpy()
        if len(lengths) and lengths.max() > EXCEL_CELL_LIMIT:
            at = int(lengths.argmax())
            raise UpdaterError(
                f"sheet {sheet!r}, row {first_row + at}, column {str(col)!r}: a cell of "
                f"{int(lengths[at]):,} characters, more than the {EXCEL_CELL_LIMIT:,} an "
                "Excel cell holds", file=target,
                hint="write this table as .csv instead, or shorten the text in the input")


def _flatten(frame: pd.DataFrame) -> pd.DataFrame:
    """Nested values (dicts, lists) as JSON text, for CSV and Excel."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(
                lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v)
    return out


def write_table(frame: pd.DataFrame, target: str | Path,
                sheets: dict[str, pd.DataFrame] | None = None,
                main_sheet: str = "changes") -> None:
    """A table as CSV (by extension .csv) or XLSX (.xlsx; ``sheets`` adds more sheets first,
    ``frame`` is the sheet ``main_sheet``)."""
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UpdaterError(f"cannot write {suffix or 'a file without extension'}",
                           file=target, hint="name the output .csv or .xlsx")
    if suffix == ".csv":
        cells = defuse_formulas(_flatten(frame))
        write: Callable[[Path], None] = lambda p: cells.to_csv(p, index=False)  # noqa: E731
    else:
        book = {name[:31]: defuse_formulas(_flatten(f))
                for name, f in {**(sheets or {}), main_sheet: frame}.items()}
        for name, cells in book.items():
            check_cell_lengths(cells, target, name)
        write = lambda p: _write_xlsx(p, book)  # noqa: E731
    with atomic_path(target) as tmp:
        write(tmp)


def _write_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    """Sheets already defused and checked (``write_table``)."""
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            frame.to_excel(xl, sheet_name=name, index=False)
            ws = xl.sheets[name]
            ws.freeze_panes = "A2"
            for i, col in enumerate(frame.columns, start=1):
                width = max([len(str(col)), *(len(str(v)) for v in frame[col].head(200))])
                ws.column_dimensions[ws.cell(1, i).column_letter].width = min(60, width + 2)
