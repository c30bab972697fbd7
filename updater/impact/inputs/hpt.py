"""The CMS Hospital Price Transparency CSV (v3, tall and wide): a chargemaster in a public,
standard shape.

Row 1 names the general data elements (``hospital_name``, ...), row 2 gives them, row 3 is
the header: ``description``, ``code|1``, ``code|1|type``, ``code|2``, ...,
``modifiers``, ``standard_charge|gross``; a tall file repeats an item once per payer and
plan (``payer_name``, ``plan_name``), a wide file has one column per payer and plan
(``standard_charge|[payer]|[plan]|negotiated_dollar``). Every ``code|i`` of type CPT or
HCPCS is a code of the line; the CDM and RC codes give its charge and revenue codes.
Headers and types are case-insensitive and may have spaces around the pipes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from updater.errors import UpdaterError, reads_file
from updater.files.tables import (
    TEXT,
    CsvFile,
    RawTable,
    amounts,
    blank_column,
    header_cells,
    normalize_modifiers,
    normalize_revenue_codes,
    open_table,
    shown_columns,
)
from updater.impact.inputs import ITEM_ROW, PAYER, ROW, ChargemasterInput
from updater.impact.inputs.cdm_table import CodeCells, Lines, build_table

HEADER_AT = 2  # row 3, 0-based
PROCEDURE_TYPES = ("CPT", "HCPCS")
CHARGE_TYPE = "CDM"
REVENUE_TYPE = "RC"
GROSS = "standard_charge|gross"
# What a tall file's payer rows of one charge item have in common (the payer, plan and
# negotiated columns are what differ): the item's identity.
ITEM_KEYS = ("description", "setting", "modifiers", "drug_unit_of_measurement",
             "drug_type_of_measurement", GROSS, "standard_charge|discounted_cash")
PAYER_KEYS = ("payer_name", "plan_name")
_CODE = re.compile(r"^code\|(\d+)$")
_CODE_TYPE = re.compile(r"^code\|(\d+)\|type$")


def hpt_key(header: str) -> str:
    """``Code | 1 | Type`` -> ``code|1|type``: the dictionary's names, as CMS compares them."""
    return re.sub(r"\s*\|\s*", "|", header.strip().lstrip("\ufeff").lower())


def looks_like_hpt(rows: Sequence[Sequence[str]]) -> bool:
    """Row 1 starts with hospital_name and row 3 has description and code|1."""
    if len(rows) <= HEADER_AT or not rows[0]:
        return False
    keys = {hpt_key(c) for c in rows[HEADER_AT]}
    return hpt_key(rows[0][0]) == "hospital_name" and {"description", "code|1"} <= keys


@reads_file
def read_hpt(path: str | Path) -> ChargemasterInput:
    """An HPT CSV as the normalized chargemaster table."""
    file = open_table(path)
    if not isinstance(file, CsvFile) or not looks_like_hpt(file.split_head(",")[0]):
        raise UpdaterError("not a Hospital Price Transparency CSV (row 1 should start with "
                           "hospital_name, row 3 have description and code|1)", file=path,
                           hint="read other chargemasters with read_chargemaster")
    return read_hpt_file(file)


def read_hpt_file(file: CsvFile) -> ChargemasterInput:
    keys = [hpt_key(h) for h in header_cells(file, ",", HEADER_AT)]
    tall = "payer_name" in keys
    wanted = [i for i, k in enumerate(keys)
              if k in ("description", "modifiers", GROSS) or _CODE.match(k)
              or _CODE_TYPE.match(k) or (tall and k in (*ITEM_KEYS, *PAYER_KEYS))]
    table = file.body(",", HEADER_AT, only=wanted)
    n = table.rows
    if n == 0:
        raise UpdaterError("no items under the header row (row 3)", file=table.source,
                           hint="is this the hospital's complete file?")

    def column(key: str) -> pa.ChunkedArray:
        return table.column(keys.index(key)) if key in keys else blank_column(n)

    pairs = _code_pairs(table, keys)
    charge = _first_of_type(pairs, CHARGE_TYPE, n)
    revenue = normalize_revenue_codes(_first_of_type(pairs, REVENUE_TYPE, n))
    lines = Lines(
        n=n, charge_code=charge, description=column("description"),
        modifiers=normalize_modifiers([column("modifiers")]), revenue_code=revenue,
        department=blank_column(n), status=blank_column(n), active=np.ones(n, dtype=bool),
        effective_date=blank_column(n), end_date=blank_column(n),
        price=amounts(column(GROSS), table, table.header[keys.index(GROSS)])
        if GROSS in keys else np.full(n, np.nan),
        volume=np.full(n, np.nan))
    cells = [CodeCells(table.header[at], pc.if_else(_is_procedure(kind), code, ""), kind)
             for at, code, kind in pairs]
    frame = build_table(lines, cells, blank_type=_other_type(pairs, n), blank_column_name="")
    if tall:
        first, payer = _items(table, keys, pairs)
        at = frame[ROW].to_numpy() - 1
        frame[ITEM_ROW] = first[at]
        frame[PAYER] = pd.Series(payer.take(pa.array(at)).to_numpy(zero_copy_only=False),
                                 index=frame.index, dtype="str")
    used = {"code": ", ".join(table.header[at] for at, _, _ in pairs)}
    for name, key in (("description", "description"), ("modifiers", "modifiers"),
                      ("price", GROSS)):
        if key in keys:
            used[name] = table.header[keys.index(key)]
    return ChargemasterInput(table=frame, rows_read=n, source=table.source, columns=used,
                             format="hpt-tall" if tall else "hpt-wide", sha256=table.sha256)


def _items(table: RawTable, keys: list[str],
           pairs: Sequence[tuple[int, pa.ChunkedArray, pa.ChunkedArray]]
           ) -> tuple[np.ndarray, pa.ChunkedArray]:
    """Per row of a tall file: the first row (1-based) of its charge item, the rows that
    agree on every item column and every code; and the row's payer and plan."""
    def column(key: str) -> pa.ChunkedArray:
        return table.column(keys.index(key)) if key in keys else blank_column(table.rows)

    parts = [column(k) for k in ITEM_KEYS] + [c for _, code, kind in pairs for c in (code, kind)]
    joined = pc.binary_join_element_wise(*(p.cast(TEXT) for p in parts),
                                         pa.scalar("\x1f", TEXT))
    item = pc.index_in(joined, value_set=pc.unique(joined)).to_numpy(zero_copy_only=False)
    _, first = np.unique(item, return_index=True)
    payer = pc.binary_join_element_wise(column("payer_name").cast(TEXT),
                                        column("plan_name").cast(TEXT), pa.scalar(" / ", TEXT))
    payer = pc.utf8_trim(payer, characters=" /")
    return first[item] + 1, payer


def _code_pairs(table: RawTable,
                keys: list[str]) -> list[tuple[int, pa.ChunkedArray, pa.ChunkedArray]]:
    """(position, code cells, upper-case type cells) of every ``code|i``, by i."""
    found = sorted((int(m.group(1)), at) for at, k in enumerate(keys) if (m := _CODE.match(k)))
    if not found:
        raise UpdaterError(f"no code|1 column in row 3; it has: {shown_columns(table.header)}",
                           file=table.source, hint="is this an HPT v2/v3 CSV file?")
    out = []
    for i, at in found:
        kind_key = f"code|{i}|type"
        if kind_key not in keys:
            raise UpdaterError(f"{table.header[at]!r} has no {kind_key!r} column beside it",
                               file=table.source,
                               hint="every code|i column needs its code|i|type")
        out.append((at, table.column(at), pc.utf8_upper(table.column(keys.index(kind_key)))))
    return out


def _is_procedure(kind: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.is_in(kind, value_set=pa.array(PROCEDURE_TYPES))


def _first_of_type(pairs: Sequence[tuple[int, pa.ChunkedArray, pa.ChunkedArray]],
                   wanted: str, n: int) -> pa.ChunkedArray:
    """Per line, the first code whose type is ``wanted`` ("" when none)."""
    out = blank_column(n)
    for _, code, kind in reversed(pairs):
        out = pc.if_else(pc.equal(kind, wanted), code, out)
    return out


def _other_type(pairs: Sequence[tuple[int, pa.ChunkedArray, pa.ChunkedArray]],
                n: int) -> pa.ChunkedArray:
    """For a line without CPT/HCPCS code, what it is billed by (MS-DRG, NDC, ...): the first
    type other than CDM and RC, else the first type; the scan can tell it from a blank."""
    first = blank_column(n)
    other = blank_column(n)
    for _, _, kind in reversed(pairs):
        filled = pc.not_equal(kind, "")
        first = pc.if_else(filled, kind, first)
        other = pc.if_else(pc.and_(filled, pc.invert(pc.is_in(
            kind, value_set=pa.array([CHARGE_TYPE, REVENUE_TYPE])))), kind, other)
    return pc.if_else(pc.equal(other, ""), first, other)
