"""Chargemasters (CDM) as hospitals export them, read into the one normalized table.

Exports differ by system: title rows above the header, ``CDM #`` or ``Chg Cd`` for the
charge code, CPT and HCPCS in one column or two, one to four modifier columns, money as
``$1,234.50``, dates as 1/15/2026 or Excel serials. Columns are found by their usual
names; a TOML profile (``chargemasters/profiles/``) or ``columns=`` names them when a
system's names are unusual. A CMS Hospital Price Transparency CSV is recognised by its
content and read by ``updater.impact.inputs.hpt``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from updater.errors import UpdaterError, reads_file
from updater.files.tables import (
    EFFECTIVE_DATE_NAMES,
    END_DATE_NAMES,
    HEADER_ROWS,
    STATUS_NAMES,
    CsvFile,
    Profile,
    RawTable,
    TableFile,
    active_flags,
    amounts,
    blank_column,
    column_key,
    excel_integers,
    find_column,
    find_columns,
    first_nonblank,
    first_rows,
    header_cells,
    inactive_values_for,
    iso_dates,
    load_profile,
    locate_header,
    merge_columns,
    normalize_modifiers,
    normalize_revenue_codes,
    open_table,
    shown_columns,
)
from updater.files.tables import INACTIVE_VALUES as INACTIVE_VALUES  # re-exported
from updater.files.tables import INACTIVE_WHEN_SET as INACTIVE_WHEN_SET  # re-exported
from updater.impact.inputs import (
    CHARGE_CODE,
    CODE,
    CODE_TYPE,
    DEPARTMENT,
    DESCRIPTION,
    EFFECTIVE_DATE,
    END_DATE,
    MODIFIERS,
    PRICE,
    REVENUE_CODE,
    STATUS,
    VOLUME,
    ChargemasterInput,
    hpt,
)
from updater.impact.inputs.cdm_table import CodeCells, Lines, build_table

# Our names for the columns a profile or ``columns=`` may name; code and modifiers
# may be several columns.
FIELDS = (CHARGE_CODE, DESCRIPTION, CODE, REVENUE_CODE, MODIFIERS, PRICE, DEPARTMENT,
          STATUS, EFFECTIVE_DATE, END_DATE, VOLUME, CODE_TYPE)
MULTI_FIELDS = (CODE, MODIFIERS)

# The procedure code: every column with one of these names is read (CPT and HCPCS may be
# separate columns) ...
CODE_NAMES = ("CPT", "HCPCS", "CPT/HCPCS", "HCPCS/CPT", "CPT Code", "HCPCS Code",
              "CPT/HCPCS Code", "HCPCS/CPT Code", "CPT4", "CPT-4", "CPT4 Code",
              "HCPCS Level II", "HCPCS II", "CPT HCPCS")
# ... and when none is there, the first of these.
GENERIC_CODE_NAMES = ("Proc Code", "Procedure Code", "Code", "Billing Code", "Proc", "Bill Code")
USUAL_NAMES: dict[str, tuple[str, ...]] = {
    CHARGE_CODE: ("Charge Code", "CDM #", "CDM", "CDM Number", "CDM Code", "CDM No",
                  "Charge #", "Charge Number", "Charge No", "Chg Cd", "Chg Code", "Chg #",
                  "Charge ID", "Item Code", "Item Number", "Item #", "Item ID",
                  "Service Code", "Svc Code", "Chargemaster #"),
    DESCRIPTION: ("Description", "Charge Description", "Charge Desc", "Item Description",
                  "Desc", "Service Description", "CDM Description", "Long Description",
                  "Procedure Description", "Charge Name", "Item Name", "Service Name",
                  "Chg Desc"),
    REVENUE_CODE: ("Revenue Code", "Rev Code", "Rev Cd", "UB Rev", "UB Rev Code",
                   "UB-04 Rev Code", "UB04 Revenue Code", "Rev", "Revenue", "RC"),
    PRICE: ("Price", "Charge", "Charge Amount", "Charge Amt", "Std Charge", "Standard Charge",
            "Gross Charge", "Amount", "Unit Price", "Current Price", "Chg Amt", "Price Amount",
            "Rate", "Fee"),
    DEPARTMENT: ("Department", "Dept", "Cost Center", "Cost Centre", "Dept Name",
                 "Department Name", "Dept Code", "Department Code", "Dept #"),
    STATUS: STATUS_NAMES,
    EFFECTIVE_DATE: EFFECTIVE_DATE_NAMES,
    END_DATE: END_DATE_NAMES,
    VOLUME: ("Annual Volume", "Volume", "Units", "Qty", "Quantity", "Annual Units",
             "Annual Qty", "Utilization", "Annual Utilization"),
    CODE_TYPE: ("Code Type", "Type", "Code System", "Coding System"),
}
MODIFIER_KEY = re.compile(r"^(?:cpt|hcpcs)?(?:mod|modifier|modifiers)\d*$")

@dataclass
class Layout:
    """Which header cell holds each of our columns."""

    code: list[int]
    modifiers: list[int]
    single: dict[str, int]  # our name -> position, for the columns found

    def positions(self) -> set[int]:
        return {*self.code, *self.modifiers, *self.single.values()}


@reads_file
def read_chargemaster(path: str | Path, *, profile: str | Path | None = None,
                      sheet: str | None = None,
                      columns: Mapping[str, str | Sequence[str]] | None = None,
                      ) -> ChargemasterInput:
    """A chargemaster export (CSV/XLSX, or an HPT CSV) as the normalized table."""
    prof = load_profile(profile, FIELDS, MULTI_FIELDS) if profile else None
    overrides = merge_columns(prof, columns, FIELDS)
    file = open_table(path, sheet=sheet or (prof.sheet if prof else None))
    if isinstance(file, CsvFile) and hpt.looks_like_hpt(file.split_head(",")[0]):
        return hpt.read_hpt_file(file)
    header_row = prof.header_row if prof else None
    located = locate_header(file, lambda row: _is_header(row, overrides), header_row)
    if located is None or not _is_header(header_cells(file, *located), overrides):
        raise _no_header(file, overrides, prof, header_row)
    layout = _layout(header_cells(file, *located), overrides)
    table = file.body(*located, only=layout.positions())
    if table.rows == 0:
        raise UpdaterError(f"no data rows under the header row (row {table.header_row})",
                           file=table.source, hint="is this the right file or sheet?")
    frame = _normalize(table, layout, prof)
    used = {name: table.header[i] for name, i in layout.single.items()}
    used[CODE] = ", ".join(table.header[i] for i in layout.code)
    if layout.modifiers:
        used[MODIFIERS] = ", ".join(table.header[i] for i in layout.modifiers)
    return ChargemasterInput(table=frame, rows_read=table.rows, source=table.source,
                             columns=used, format=f"cdm-{table.kind}", sha256=table.sha256)


# ---------------------------------------------------------------- the header row


def _code_columns(header: Sequence[str]) -> list[int]:
    found = find_columns(header, CODE_NAMES)
    if found:
        return found
    generic = find_column(header, GENERIC_CODE_NAMES)
    return [generic] if generic is not None else []


def _has(header: Sequence[str], names: Sequence[str]) -> bool:
    return all(find_columns(header, [n]) for n in names)


def _unclaimed(row: Sequence[str], overrides: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The row with the columns the user named blanked out, for the usual-name search."""
    claimed = {i for names in overrides.values() for n in names
               for i in find_columns(row, [n])}
    return [h if i not in claimed else "" for i, h in enumerate(row)]


def _is_header(row: Sequence[str], overrides: Mapping[str, tuple[str, ...]]) -> bool:
    """A code column and a charge code or description column (usual names or the
    user's), and every column the user named."""
    if not all(_has(row, names) for names in overrides.values()):
        return False
    code = CODE in overrides or bool(_code_columns(_unclaimed(row, overrides)))
    named = any(f in overrides or find_column(row, USUAL_NAMES[f]) is not None
                for f in (CHARGE_CODE, DESCRIPTION))
    return code and named


def _no_header(file: TableFile, overrides: Mapping[str, tuple[str, ...]],
               prof: Profile | None, header_row: int | None) -> UpdaterError:
    """Why no row is the header, said as precisely as the first rows allow."""
    rows = first_rows(file)
    where = file.source
    if overrides:
        loose = locate_header(file, lambda r: _is_header(r, {}) or any(
            _has(r, [n]) for names in overrides.values() for n in names), header_row)
        header = header_cells(file, *loose) if loose is not None else []
        missing = [(f, n) for f, names in overrides.items() for n in names
                   if not _has(header, [n])]
        if loose is not None and missing:
            field, name = missing[0]
            said = f"in the profile {prof.source}" if prof and field in prof.columns \
                else "on the command line"
            return UpdaterError(
                f"no column named {name!r} (the {field} column {said}); the header row "
                f"(row {loose[1] + 1}) has: {shown_columns(header)}", file=where,
                hint="correct the column name to one of the file's")
    if header_row is not None:
        located = locate_header(file, lambda r: False, header_row)
        cells = header_cells(file, *located) if located is not None else []
        return UpdaterError(
            f"row {header_row} (header_row in the profile) is not a header row with a code "
            f"column and a charge code or description column; it has: "
            f"{shown_columns(cells)}", file=where, hint="correct header_row in the profile")
    for _, head in file.heads():
        for i, row in enumerate(head[:HEADER_ROWS]):
            code = _code_columns(_unclaimed(row, overrides))
            if code and CODE not in overrides:
                looked = ", ".join(USUAL_NAMES[CHARGE_CODE] + USUAL_NAMES[DESCRIPTION])
                return UpdaterError(
                    f"row {i + 1} has a code column ({row[code[0]]!r}) but no charge code "
                    f"or description column; looked for {looked}", file=where,
                    hint="name one of them in a --profile ([columns] description = ...)")
    looked = ", ".join(CODE_NAMES + GENERIC_CODE_NAMES)
    return UpdaterError(
        f"no code column in the first {HEADER_ROWS} rows; looked for {looked}", file=where,
        hint=f"use --code-col or a --profile to name it (the first row has: "
             f"{shown_columns(first_nonblank(rows))})")


def _layout(header: Sequence[str], overrides: Mapping[str, tuple[str, ...]]) -> Layout:
    """Our columns' positions: the user's names first, then the usual names among the
    columns the user did not claim."""

    def named(names: tuple[str, ...]) -> list[int]:
        return [find_columns(header, [n])[0] for n in names]

    claimed = {f: named(names) for f, names in overrides.items()}
    used = {i for positions in claimed.values() for i in positions}

    def free() -> list[str]:
        return [h if i not in used else "" for i, h in enumerate(header)]

    code = claimed.get(CODE) or _code_columns(free())
    used |= set(code)
    modifiers = claimed.get(MODIFIERS) or [
        i for i, h in enumerate(free()) if h and MODIFIER_KEY.match(column_key(h))]
    used |= set(modifiers)
    single = {f: positions[0] for f, positions in claimed.items()
              if f not in (CODE, MODIFIERS)}
    for f, names in USUAL_NAMES.items():
        if f not in single:
            at = find_column(free(), names)
            if at is not None:
                single[f] = at
                used.add(at)
    return Layout(code=code, modifiers=modifiers, single=single)


# ---------------------------------------------------------------- the table


def _normalize(table: RawTable, layout: Layout, prof: Profile | None) -> pd.DataFrame:
    n = table.rows

    def text(f: str) -> pa.ChunkedArray:
        at = layout.single.get(f)
        return table.column(at) if at is not None else blank_column(n)

    def header(f: str) -> str:
        return table.header[layout.single[f]] if f in layout.single else f

    status = text(STATUS)
    inactive = prof.inactive_values if prof and prof.inactive_values is not None else \
        inactive_values_for(header(STATUS) if STATUS in layout.single else None)
    active = active_flags(status, inactive)
    date_format = prof.date_format if prof else None
    lines = Lines(
        n=n,
        charge_code=excel_integers(text(CHARGE_CODE)),
        description=text(DESCRIPTION),
        modifiers=normalize_modifiers([table.column(i) for i in layout.modifiers])
        if layout.modifiers else blank_column(n),
        revenue_code=normalize_revenue_codes(text(REVENUE_CODE)),
        department=text(DEPARTMENT),
        status=status,
        active=active,
        effective_date=iso_dates(text(EFFECTIVE_DATE), table, header(EFFECTIVE_DATE),
                                 date_format=date_format),
        end_date=iso_dates(text(END_DATE), table, header(END_DATE), date_format=date_format),
        price=amounts(text(PRICE), table, header(PRICE)) if PRICE in layout.single
        else np.full(n, np.nan),
        volume=amounts(text(VOLUME), table, header(VOLUME)) if VOLUME in layout.single
        else np.full(n, np.nan),
    )
    code_type = text(CODE_TYPE)
    cells = [CodeCells(table.header[i], table.column(i), code_type) for i in layout.code]
    return build_table(lines, cells, blank_type=code_type)
