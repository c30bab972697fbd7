"""The normalized chargemaster table (``CDM_COLUMNS``): one row per input line and code.

Both chargemaster readers end here, the house export (``chargemaster``) and the CMS
price-transparency file (``hpt``): each gathers one value per line (``Lines``) and its
code columns (``CodeCells``), and ``build_table`` fans the lines out by their codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from updater.files.tables import TEXT, blank_column, frame_of, normalize_codes
from updater.impact.inputs import (
    ACTIVE,
    CDM_COLUMNS,
    CHARGE_CODE,
    CODE,
    CODE_COLUMN,
    CODE_TYPE,
    DEPARTMENT,
    DESCRIPTION,
    EFFECTIVE_DATE,
    END_DATE,
    MODIFIERS,
    PRICE,
    RAW_CODE,
    REVENUE_CODE,
    ROW,
    STATUS,
    VOLUME,
)


@dataclass
class Lines:
    """One value per input line (data row), before the line's codes fan it out."""

    n: int
    charge_code: pa.ChunkedArray
    description: pa.ChunkedArray
    modifiers: pa.ChunkedArray
    revenue_code: pa.ChunkedArray
    department: pa.ChunkedArray
    status: pa.ChunkedArray
    active: np.ndarray
    effective_date: pa.ChunkedArray
    end_date: pa.ChunkedArray
    price: np.ndarray
    volume: np.ndarray


@dataclass
class CodeCells:
    """One code column of the input: its name, the cells as written, their code type."""

    name: str
    raw: pa.ChunkedArray
    code_type: pa.ChunkedArray


def build_table(lines: Lines, cells: Sequence[CodeCells], *, blank_type: pa.ChunkedArray,
                blank_column_name: str | None = None) -> pd.DataFrame:
    """The normalized table: one row per (line x non-blank code cell), the same code twice
    on a line once; a line without any code once, with code "" (the scan reports it).
    ``blank_type`` is the code type shown on such a line."""
    n, k = lines.n, len(cells)
    if k:
        raw = pa.chunked_array([c for cell in cells for c in cell.raw.chunks], TEXT)
        code = normalize_codes(raw)
        kinds = pa.chunked_array([c for cell in cells for c in cell.code_type.chunks],
                                 TEXT)
        present = np.array(pc.not_equal(raw, "").to_numpy(zero_copy_only=False), dtype=bool)
    else:
        raw = code = kinds = blank_column(0)
        present = np.zeros(0, dtype=bool)
    line = np.tile(np.arange(n), k)
    if k > 1:  # CPT and HCPCS columns with the same code: one row
        for j in range(1, k):
            later = code.slice(j * n, n)
            for i in range(j):
                same = pc.equal(later, code.slice(i * n, n)).to_numpy(zero_copy_only=False)
                present[j * n:(j + 1) * n] &= ~(same & present[i * n:(i + 1) * n])
    coded = present.reshape(k, n).any(axis=0) if k else np.zeros(n, dtype=bool)
    blank_lines = np.flatnonzero(~coded)
    picked = np.flatnonzero(present)
    if k == 0:
        take = np.zeros(0, dtype=np.int64)
    else:
        take = np.concatenate([picked, blank_lines])  # blank line i: cell 0 of line i
        take = take[np.argsort(line[take] * k + take // n, kind="stable")]
    line_of = line[take] if k else blank_lines
    is_blank = ~present[take] if k else np.ones(n, dtype=bool)
    names = pa.array([c.name for c in cells] or [""], TEXT)
    column = names.take(pa.array(take // n if k else np.zeros(n, dtype=np.int64)))
    if blank_column_name is not None and is_blank.any():
        column = pc.if_else(pa.array(is_blank), blank_column_name, column)
    whole = len(line_of) == n and bool((line_of == np.arange(n)).all())

    def per_line(arr: pa.ChunkedArray) -> pa.ChunkedArray:
        return arr if whole else arr.take(pa.array(line_of))

    if k:
        idx = pa.array(take)
        code_sel, raw_sel, kind_sel = code.take(idx), raw.take(idx), kinds.take(idx)
        if is_blank.any():
            kind_sel = pc.if_else(pa.array(is_blank), per_line(blank_type), kind_sel)
    else:
        code_sel = raw_sel = blank_column(n)
        kind_sel = blank_type
    frame = frame_of({
        ROW: pa.array(line_of + 1, pa.int64()),
        CHARGE_CODE: per_line(lines.charge_code),
        DESCRIPTION: per_line(lines.description),
        CODE: code_sel,
        RAW_CODE: raw_sel,
        CODE_COLUMN: column,
        CODE_TYPE: kind_sel,
        MODIFIERS: per_line(lines.modifiers),
        REVENUE_CODE: per_line(lines.revenue_code),
        DEPARTMENT: per_line(lines.department),
        STATUS: per_line(lines.status),
        ACTIVE: pa.array(lines.active[line_of], pa.bool_()),
        EFFECTIVE_DATE: per_line(lines.effective_date),
        END_DATE: per_line(lines.end_date),
        PRICE: pa.array(lines.price[line_of], pa.float64()),
        VOLUME: pa.array(lines.volume[line_of], pa.float64()),
    })
    return frame[list(CDM_COLUMNS)]
