"""Writing results: always to a temporary file beside the target, then renamed, so a
failure never leaves a half-written file where the user expects a finished one."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from updater.errors import UpdaterError

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """A temporary path in the target's folder; renamed onto the target on success."""
    target = Path(target)
    if target.parent and not target.parent.exists():
        raise UpdaterError("the output folder does not exist", file=target.parent,
                           hint="create it first or choose another path")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
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
    import orjson

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
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            text = values.astype("str")
            risky = text.str.startswith(_FORMULA_START).fillna(False).astype(bool)
            if risky.any():
                out[col] = values.where(~risky, "'" + text)
    return out


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
    writers: dict[str, Callable[[Path], None]] = {
        ".csv": lambda p: defuse_formulas(_flatten(frame)).to_csv(p, index=False),
        ".xlsx": lambda p: _write_xlsx(p, {**(sheets or {}), main_sheet: frame}),
    }
    if suffix not in writers:
        raise UpdaterError(f"cannot write {suffix or 'a file without extension'}",
                           file=target, hint="name the output .csv or .xlsx")
    with atomic_path(target) as tmp:
        writers[suffix](tmp)


def _write_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            defuse_formulas(_flatten(frame)).to_excel(xl, sheet_name=name[:31], index=False)
            ws = xl.sheets[name[:31]]
            ws.freeze_panes = "A2"
            for i, col in enumerate(frame.columns, start=1):
                width = max([len(str(col)), *(len(str(v)) for v in frame[col].head(200))])
                ws.column_dimensions[ws.cell(1, i).column_letter].width = min(60, width + 2)
