"""Publisher cells and fields as trimmed Arrow text, shared by the HCPCS readers (the
alpha-numeric file, fixed width or Excel) and the CMS transaction report beside it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def trimmed(values: pa.Array) -> pa.Array:
    """Blanks cut at both ends: fixed-width fields are padded, xlsx cells sometimes too."""
    return pc.utf8_trim_whitespace(values)


def cell_text(value: Any) -> str:
    """A cell as the text the fixed-width file has: whole numbers without ``.0``
    (ACT EFF DT is sometimes a number), dates as YYYYMMDD, empty as ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%Y%m%d")
    return str(value)


def column_text(values: pd.Series) -> pa.Array:
    """A sheet column as trimmed Arrow strings; only columns holding non-text cells are
    converted cell by cell."""
    if pd.api.types.infer_dtype(values, skipna=False) != "string":
        values = values.map(cell_text)
    return trimmed(pa.array(values.to_numpy(dtype=object), type=pa.string()))
