"""Publisher cells and fields as trimmed Arrow text, shared by the HCPCS readers (the
alpha-numeric file, fixed width or Excel) and the CMS transaction report beside it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from updater.files.cells import cell_text


def trimmed(values: pa.Array) -> pa.Array:
    """Blanks cut at both ends: fixed-width fields are padded, xlsx cells sometimes too."""
    return pc.utf8_trim_whitespace(values)


def fixed_width_text(value: Any) -> str:
    """A cell as the text the fixed-width file has: dates as YYYYMMDD (the file's dates),
    else :func:`updater.files.cells.cell_text` (whole numbers without ``.0``: ACT EFF DT
    is sometimes a number; empty as "")."""
    if isinstance(value, datetime | date):
        return value.strftime("%Y%m%d")
    return cell_text(value)


def column_text(values: pd.Series) -> pa.Array:
    """A sheet column as trimmed Arrow strings; only columns holding non-text cells are
    converted cell by cell."""
    if pd.api.types.infer_dtype(values, skipna=False) != "string":
        values = values.map(fixed_width_text)
    return trimmed(pa.array(values.to_numpy(dtype=object), type=pa.string()))
