"""The plan as a review workbook (``plan.xlsx``) and back.

Sheets: "Summary" (counts, charges at risk, releases, how to review), "Plan" (one row per
plan row, human headers, a Decision dropdown, and the reviewer's cells: Replacement,
Reviewer, Reviewed on, Comment) and "Plan identity" (key/value rows). ``read_workbook``
maps the headers back to the plan columns, reads the reviewer's Decision
case-insensitively and returns a :class:`Plan`. Every text cell goes through
:func:`updater.files.output.defuse_formulas`.

ICD-10-CM codes are written the way the file they come from writes them (the crosswalk's
spelling in the plan identity, :mod:`updater.codes`), and read back to their stored form.
The Plan sheet prints landscape, one page wide, its header row on every page; the
columns a reviewer works in stay in view (frozen) with the codes beside them.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from updater.codes import DOTTED, spell_code_lists, unspell_codes
from updater.errors import UpdaterError
from updater.files.limits import check_archive
from updater.files.output import atomic_path, check_cell_lengths, defuse_formulas
from updater.files.tables import iso_date
from updater.plan import model as P
from updater.plan.model import (
    FLOAT_COLUMNS,
    IDENTITY_FIELDS,
    INT_COLUMNS,
    Plan,
    check_table,
    empty_table,
    identity_from,
)
from updater.plan.seal import (
    CHECK,
    FIXED,
    ROW_CHECK,
    ROWS_KEY,
    canonical,
    check_decisions,
    check_identity,
    check_rows,
    identity_check,
    row_check,
)
from updater.vocabulary import Decision, PlanAction

SUMMARY_SHEET = "Summary"
PLAN_SHEET = "Plan"
IDENTITY_SHEET = "Plan identity"

# Plan column -> header on the "Plan" sheet (read back exactly; the column names work too),
# in sheet order: the row, its codes and the Decision (frozen), the reviewer's cells, what
# to read to decide, then the bookkeeping.
HEADERS = {
    P.PLAN_ROW: "Plan row", P.ACTION: "Action", P.CHARGE_CODE: "Charge code",
    P.OLD_CODE: "Old code", P.PROPOSED: "Proposed code(s)", P.DECISION: "Decision",
    P.REPLACEMENT: "Replacement", P.REVIEWER: "Reviewer", P.REVIEWED_ON: "Reviewed on",
    P.COMMENT: "Comment", P.OLD_TITLE: "Old code title",
    P.PROPOSED_TEXT: "Proposed description", P.PAIR_PROCEDURE: "Pair procedure",
    P.PAIR_DIAGNOSIS: "Pair diagnosis", P.DESCRIPTION: "Description", P.REASON: "Reason",
    P.CHARGES_AT_RISK: "Charges at risk", P.SECTION: "Section", P.SOURCE_ROW: "Source row",
    P.RELATION: "Relation", P.CANDIDATE_SOURCE: "Candidate source", P.SYSTEM: "Code system",
    P.EFFECTIVE: "Effective", P.FINDING: "Finding", P.DEFAULT_DECISION: "Default decision",
}
SHEET_ORDER = tuple(HEADERS)
assert set(SHEET_ORDER) == set(P.PLAN_COLUMNS)
FROZEN = SHEET_ORDER[:SHEET_ORDER.index(P.DECISION) + 1]  # always in view
PRINTED = SHEET_ORDER[:SHEET_ORDER.index(P.CHARGES_AT_RISK) + 1]  # the print area
REVIEWER_COLUMNS = (P.DECISION, P.REPLACEMENT, P.REVIEWER, P.REVIEWED_ON, P.COMMENT)
MONEY_FORMAT = '"$"#,##0.00'
DATE_FORMAT = "yyyy-mm-dd"

# Decision <-> the word in the dropdown
DECISION_WORDS = {Decision.APPROVED.value: "Approve", Decision.REJECTED.value: "Reject",
                  Decision.CHANGED.value: "Change", Decision.PENDING.value: "Pending"}
_WORD_TO_DECISION = {w.lower(): d for d, w in DECISION_WORDS.items()} | {
    d: d for d in DECISION_WORDS}
_DECISION_COLUMNS = (P.DECISION, P.DEFAULT_DECISION)

ACTION_FILLS = {  # light fills, one per action
    PlanAction.REPLACE.value: "DDEBF7", PlanAction.SPLIT.value: "FCE4D6",
    PlanAction.RETIRE.value: "F8CBAD", PlanAction.UPDATE_DESCRIPTION.value: "E2EFDA",
    PlanAction.REVIEW.value: "EDEDED", PlanAction.END_PAIR.value: "F4B084",
    PlanAction.ADD_PAIR.value: "C6E0B4",
}
EDITABLE_FILL = "FFF2CC"  # Decision, Replacement, Reviewer, Reviewed on, Comment
# Column widths (characters); the long texts wrap, so the print area fits a page's width
WIDTHS = {P.REASON: 40, P.DESCRIPTION: 26, P.PROPOSED_TEXT: 34, P.OLD_TITLE: 28,
          P.CANDIDATE_SOURCE: 30, P.COMMENT: 22, P.REVIEWER: 14, P.REVIEWED_ON: 12}
WRAPPED = (P.REASON, P.DESCRIPTION, P.PROPOSED_TEXT, P.OLD_TITLE, P.COMMENT,
           P.CANDIDATE_SOURCE)
HOW_TO_REVIEW = (
    "How to review",
    "1. Go to the Plan sheet; filter by Action, Section or Decision with the header arrows.",
    "2. In Decision pick Approve, Reject, Change or Pending. Rows start at their default: "
    "Approve only for a one-to-one successor from an authoritative source.",
    "3. Change means: approve with your own code(s) - type them in Replacement "
    "(comma-separated for several).",
    "4. Sign each row you decide: your name in Reviewer, the date in Reviewed on, a note in "
    "Comment if you like. `updater apply` writes them into its change log and audit log.",
    "5. Leave every other column and the row order as they are, and delete no row (Reject "
    "it instead): `updater apply` checks each row and refuses an edited, sorted or "
    "shortened sheet (sorted by mistake? sort by Plan row again).",
    "6. Save the workbook and give it to `updater apply` (rows still Pending are not applied).",
)


def _summary_rows(plan: Plan) -> list[list[Any]]:
    counts = plan.counts()
    rows: list[list[Any]] = [["Migration plan", plan.identity.plan_id],
                             ["Created (UTC)", plan.identity.created], []]
    rows.append(["Action", *(DECISION_WORDS[d] for d in counts.columns), "Total"])
    for action, line in counts.iterrows():
        rows.append([str(action), *(int(v) for v in line), int(line.sum())])
    rows.append(["Total", *(int(v) for v in counts.sum()), int(counts.to_numpy().sum())])
    rows += [[], ["Charges at risk (price x annual volume)", plan.charges_at_risk()], [],
             ["Releases", "Version", "Effective", "Previous", "File"]]
    for r in plan.identity.releases:
        rows.append([r.get("system", ""), r.get("version", r.get("id", "")),
                     r.get("effective", ""), r.get("previous_version", ""),
                     r.get("source", "")])
    rows += [[], ["Chargemaster", plan.identity.chargemaster],
             ["Crosswalk", plan.identity.crosswalk], []]
    rows += [[line] for line in HOW_TO_REVIEW]
    return rows


def _identity_rows(plan: Plan) -> list[list[str]]:
    data = asdict(plan.identity)
    return [[key, json.dumps(data[key]) if key == "releases" else str(data[key])]
            for key in IDENTITY_FIELDS]


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    return defuse_formulas(frame.astype(str))


def _defused(values: list[Any]) -> list[Any]:
    """A row of cells: the text ones through ``defuse_formulas``, numbers as they are."""
    at = [i for i, v in enumerate(values) if isinstance(v, str)]
    if not at:
        return list(values)
    safe = _text(pd.DataFrame({"v": [values[i] for i in at]}, dtype=object))["v"].tolist()
    out = list(values)
    for i, v in zip(at, safe, strict=True):
        out[i] = v
    return out


def spelled_table(plan: Plan) -> pd.DataFrame:
    """The plan's codes as their files write them: ICD-10-CM codes of crosswalk rows in the
    crosswalk's spelling (the plan identity's), all others (and a crosswalk of unknown
    spelling) in the publishers' display, dotted. Only normalized codes change, so
    :func:`read_workbook` gets the stored form back by taking the dots out again."""
    t = plan.table.copy()
    spelling = plan.identity.crosswalk_spelling or DOTTED
    crosswalk = (t[P.SECTION] == "crosswalk").to_numpy()
    icd = (t[P.SYSTEM] == "icd10cm").to_numpy()
    dotted = np.where(crosswalk, spelling == DOTTED, True)
    for col, rows in ((P.OLD_CODE, icd & dotted), (P.PROPOSED, icd & dotted),
                      (P.PAIR_DIAGNOSIS, crosswalk & dotted)):
        if rows.any():
            t.loc[rows, col] = spell_code_lists(t.loc[rows, col], "icd10cm", DOTTED)
    return t


def _unspelled(table: pd.DataFrame) -> pd.DataFrame:
    """The stored form of the codes :func:`spelled_table` spelled."""
    icd = table[P.SYSTEM].str.lower() == "icd10cm"
    crosswalk = table[P.SECTION].str.lower() == "crosswalk"
    table[P.OLD_CODE] = unspell_codes(table[P.OLD_CODE], icd.map({True: "icd10cm",
                                                                   False: ""}))
    table[P.PROPOSED] = unspell_codes(table[P.PROPOSED], icd.map({True: "icd10cm",
                                                                   False: ""}))
    table[P.PAIR_DIAGNOSIS] = unspell_codes(table[P.PAIR_DIAGNOSIS], crosswalk.map(
        {True: "icd10cm", False: ""}))
    return table


def _reviewed_on(value: Any, row: int, where: str) -> str:
    """A Reviewed on cell as ISO yyyy-mm-dd: a date cell, or a date typed as text in one
    of the spellings the chargemaster reader takes; anything else is refused."""

    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _cell_text(value)
    if not text:
        return ""
    iso = iso_date(text, excel=isinstance(value, int | float))
    if not iso:
        raise UpdaterError(f"Reviewed on {text!r} is not a date", file=where, row=row,
                           hint="write the date as YYYY-MM-DD (or pick it in Excel)")
    return iso


def write_workbook(plan: Plan, path: str | Path) -> None:
    """The review workbook, written atomically."""
    # openpyxl (0.15 s to import) only when a workbook is written or read
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = SUMMARY_SHEET
    for row in _summary_rows(plan):
        summary.append(_defused(row))
    summary["A1"].font = Font(bold=True, size=14)
    summary.column_dimensions["A"].width = 45
    for letter in "BCDEF":
        summary.column_dimensions[letter].width = 14
    summary.column_dimensions["B"].width = 36
    for cells in summary.iter_rows(min_col=1, max_col=2):
        if str(cells[0].value or "").startswith("Charges at risk"):
            cells[1].number_format = MONEY_FORMAT

    ws = wb.create_sheet(PLAN_SHEET)
    table = spelled_table(plan)[list(SHEET_ORDER)]
    for col in _DECISION_COLUMNS:
        table[col] = table[col].map(DECISION_WORDS).fillna(table[col])
    text_cols = [c for c in SHEET_ORDER if c not in INT_COLUMNS + FLOAT_COLUMNS]
    table[text_cols] = _text(table[text_cols])
    check_cell_lengths(table[text_cols], path, PLAN_SHEET)
    ws.append([HEADERS[c] for c in SHEET_ORDER] + [ROW_CHECK])
    charges = table[P.CHARGES_AT_RISK].astype(object).where(table[P.CHARGES_AT_RISK].notna(),
                                                            None)
    table[P.CHARGES_AT_RISK] = charges
    # a reviewed-on date goes in as a date cell (Excel shows and sorts it as one)
    table[P.REVIEWED_ON] = [_as_date(v) for v in table[P.REVIEWED_ON]]
    fixed_at = [SHEET_ORDER.index(c) for c in FIXED]
    for values in table.itertuples(index=False, name=None):
        cells = [v.item() if hasattr(v, "item") else v for v in values]
        ws.append([*cells, row_check(plan.identity.plan_id, [cells[i] for i in fixed_at])])
    ws.column_dimensions[get_column_letter(len(SHEET_ORDER) + 1)].hidden = True
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
    col_of = {c: i + 1 for i, c in enumerate(SHEET_ORDER)}
    ws.freeze_panes = ws.cell(2, len(FROZEN) + 1).coordinate
    last = get_column_letter(len(SHEET_ORDER))
    n = len(table)
    ws.auto_filter.ref = f"A1:{last}{n + 1}"
    decision_letter = get_column_letter(col_of[P.DECISION])
    dv = DataValidation(type="list", formula1='"' + ",".join(DECISION_WORDS.values()) + '"',
                        allow_blank=False, showDropDown=False, showErrorMessage=True,
                        errorTitle="Decision", error="Pick Approve, Reject, Change or Pending",
                        promptTitle="Decision",
                        prompt="Approve, Reject, Change (give a Replacement) or Pending")
    dv.add(f"{decision_letter}2:{decision_letter}{max(n + 1, 2)}")
    ws.add_data_validation(dv)
    date_letter = get_column_letter(col_of[P.REVIEWED_ON])
    dates = DataValidation(type="date", operator="greaterThan",
                           formula1=str((date(2000, 1, 1) - date(1899, 12, 30)).days),
                           allow_blank=True, showErrorMessage=True, errorTitle="Reviewed on",
                           error="Enter the date you reviewed the row (YYYY-MM-DD)")
    dates.add(f"{date_letter}2:{date_letter}{max(n + 1, 2)}")
    ws.add_data_validation(dates)
    editable = PatternFill("solid", fgColor=EDITABLE_FILL)
    fills = {a: PatternFill("solid", fgColor=c) for a, c in ACTION_FILLS.items()}
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    action_col, repl_col = col_of[P.ACTION], col_of[P.REPLACEMENT]
    money, reviewed = col_of[P.CHARGES_AT_RISK], col_of[P.REVIEWED_ON]
    wrapped = {col_of[c] for c in WRAPPED}
    for r, action in enumerate(plan.table[P.ACTION], start=2):
        if action in fills:
            ws.cell(r, action_col).fill = fills[action]
        for col in REVIEWER_COLUMNS:
            ws.cell(r, col_of[col]).fill = editable
        ws.cell(r, repl_col).number_format = "@"  # a typed 00100 stays 00100
        ws.cell(r, money).number_format = MONEY_FORMAT
        ws.cell(r, reviewed).number_format = DATE_FORMAT
        for i in range(1, len(SHEET_ORDER) + 1):
            ws.cell(r, i).alignment = wrap if i in wrapped else top
    for col in REVIEWER_COLUMNS:
        ws.cell(1, col_of[col]).fill = editable
    for col, i in col_of.items():
        sample = [len(HEADERS[col]), *(len(str(v)) for v in table[col].head(200))]
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS.get(
            col, min(30, max(sample) + 2))
    # print: landscape, one page wide (as many tall as it takes), the header on every page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = "1:1"
    ws.print_area = f"A1:{get_column_letter(len(PRINTED))}{n + 1}"
    ws.print_options.gridLines = True

    ident = wb.create_sheet(IDENTITY_SHEET)
    ident.append(["key", "value", CHECK])
    for key, value in [*_identity_rows(plan), [ROWS_KEY, str(len(table))]]:
        ident.append([*_defused([key, value]), identity_check(plan.identity.plan_id, key,
                                                              value)])
    ident["A1"].font = bold
    ident["B1"].font = bold
    ident.column_dimensions["A"].width = 22
    ident.column_dimensions["B"].width = 100

    with atomic_path(path) as tmp:
        wb.save(tmp)


def _as_date(value: str) -> Any:
    """An ISO date text as a date (for a date cell); anything else as it is."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return value


_cell_text = canonical  # a cell read back: one rule, the one the row checks use


def _replacement(value: Any) -> str:
    """Reviewer's code(s): Excel may have turned a typed 00100 into the number 100; an
    all-digit code is a CPT code, five digits."""
    text = _cell_text(value)
    parts = [p.strip().upper() for p in text.replace(";", ",").split(",") if p.strip()]
    return ",".join(p.zfill(5) if p.isdigit() else p for p in parts)


def read_workbook(path: str | Path) -> Plan:
    """A plan back from its review workbook, with the reviewer's decisions."""
    from openpyxl import load_workbook  # 0.15 s to import: only when a workbook is read

    path = Path(path)
    if path.is_file():
        check_archive(path, str(path))
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise UpdaterError("no such plan workbook", file=path) from exc
    except Exception as exc:  # openpyxl raises several types for a file that is no xlsx
        raise UpdaterError(f"not an Excel workbook ({exc})", file=path,
                           hint="give the plan.xlsx written by `updater plan`") from exc
    try:
        for name in (PLAN_SHEET, IDENTITY_SHEET):
            if name not in wb.sheetnames:
                raise UpdaterError(f"no sheet {name!r} (sheets: {', '.join(wb.sheetnames)})",
                                   file=path, hint="give the plan.xlsx written by "
                                   "`updater plan`")
        identity_data: dict[str, Any] = {}
        keyed = [(r, str(row[0]).strip(), row[1] if len(row) > 1 else None,
                  row[2] if len(row) > 2 else None)
                 for r, row in enumerate(wb[IDENTITY_SHEET].iter_rows(min_row=2,
                                                                       values_only=True),
                                         start=2) if row and row[0] is not None]
        check_identity(keyed, [*IDENTITY_FIELDS, ROWS_KEY], f"{path}, sheet {IDENTITY_SHEET!r}")
        for _, key, cell, _ in keyed:
            value = _cell_text(cell)
            if key == "releases":
                try:
                    identity_data[key] = json.loads(value or "[]")
                except json.JSONDecodeError as exc:
                    raise UpdaterError(f"the plan identity's releases are not JSON ({exc})",
                                       file=f"{path}, sheet {IDENTITY_SHEET!r}") from exc
            else:
                identity_data[key] = value
        identity = identity_from(identity_data, path)
        rows_text = str(identity_data[ROWS_KEY])
        if not rows_text.isdigit():
            raise UpdaterError(f"the plan identity's {ROWS_KEY!r} is {rows_text!r}, not a "
                               "number", file=f"{path}, sheet {IDENTITY_SHEET!r}")
        count = int(rows_text)
        rows = list(wb[PLAN_SHEET].iter_rows(values_only=True))
    finally:
        wb.close()
    where = f"{path}, sheet {PLAN_SHEET!r}"
    if not rows:
        raise UpdaterError("the Plan sheet is empty", file=where)
    by_header = {h.lower(): c for c, h in HEADERS.items()} | {c: c for c in P.PLAN_COLUMNS}
    header = [by_header.get(str(h).strip().lower(), "") if h is not None else ""
              for h in rows[0]]
    missing = [HEADERS[c] for c in P.PLAN_COLUMNS if c not in header
               and c not in P.OPTIONAL_COLUMNS]
    if missing:
        raise UpdaterError(f"column(s) {', '.join(missing)} missing on the Plan sheet",
                           file=where, hint="keep the columns `updater plan` wrote")
    titles = [str(h).strip() if h is not None else "" for h in rows[0]]
    if ROW_CHECK not in titles:
        raise UpdaterError(f"no {ROW_CHECK!r} column (deleted?)", file=where,
                           hint="keep the columns `updater plan` wrote")
    check_at, fixed_at = titles.index(ROW_CHECK), [header.index(c) for c in FIXED]
    numbered = [(n, r) for n, r in enumerate(rows[1:], start=2)
                if any(v not in (None, "") for v in r)]
    sheet_rows, body = [n for n, _ in numbered], [r for _, r in numbered]
    check_rows(identity.plan_id, count, sheet_rows,
               [[r[i] if i < len(r) else None for i in fixed_at] for r in body],
               [r[check_at] if check_at < len(r) else None for r in body], where)
    if not body:
        return Plan(table=empty_table(), identity=identity)
    columns = {c: [r[i] if i < len(r) else None for r in body]
               for i, c in enumerate(header) if c}
    for col in P.OPTIONAL_COLUMNS:  # a workbook written before these columns existed
        columns.setdefault(col, [None] * len(body))
    for col in P.PLAN_COLUMNS:  # cell values converted before pandas infers a dtype
        if col == P.REPLACEMENT:
            columns[col] = [_replacement(v) for v in columns[col]]
        elif col == P.REVIEWED_ON:
            columns[col] = [_reviewed_on(v, i, where) for i, v in enumerate(columns[col], 2)]
        elif col not in INT_COLUMNS + FLOAT_COLUMNS:
            columns[col] = [_cell_text(v) for v in columns[col]]
    table = pd.DataFrame({c: pd.Series(columns[c], dtype=object) for c in P.PLAN_COLUMNS})
    table = _unspelled(table)
    for col in FLOAT_COLUMNS:
        table[col] = pd.to_numeric(table[col], errors="coerce")
    for col in _DECISION_COLUMNS:
        words = table[col].str.lower()
        decided = words.map(_WORD_TO_DECISION)
        decided = decided.where(words != "", Decision.PENDING.value)
        bad = decided.isna()
        if bad.any():
            at = int(bad.to_numpy().nonzero()[0][0])
            raise UpdaterError(f"{HEADERS[col]} {table[col].iloc[at]!r} is not one of "
                               f"{', '.join(DECISION_WORDS.values())}", file=where,
                               row=sheet_rows[at], hint="pick a value from the dropdown")
        table[col] = decided
    check_decisions(sheet_rows, table[P.ACTION].tolist(), table[P.DECISION].tolist(),
                    table[P.REPLACEMENT].tolist(), where)
    return Plan(table=check_table(table, where), identity=identity)
