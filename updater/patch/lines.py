"""A plan's steps on a chargemaster's lines (``LinePatcher``): the line found by its plan
row, end-dated or inactivated, its code or description changed in place, or copies
inserted after it; every cell change recorded for the change log."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import pyarrow as pa

from updater.codes import normalize_code
from updater.errors import UpdaterError
from updater.files.tables import TEXT, column_key, inactive_values_for, normalize_codes
from updater.impact.inputs import (
    CHARGE_CODE,
    CODE,
    DESCRIPTION,
    EFFECTIVE_DATE,
    END_DATE,
    MODIFIERS,
    STATUS,
)
from updater.patch.grids import Grid, day_before
from updater.patch.steps import Step
from updater.vocabulary import PlanAction

NEW_CHARGE_CODE = "new charge code needed"


@dataclass
class Columns:
    code: list[int]
    charge: int | None
    description: int | None
    status: int | None
    effective: int | None
    end: int | None
    header: list[str]

    @classmethod
    def of(cls, header: list[str], used: Mapping[str, str]) -> Columns:
        def at(name: str) -> int | None:
            text = used.get(name)
            return header.index(text) if text and text in header else None

        code_text = used.get(CODE, "")
        code = [header.index(code_text)] if code_text in header else [
            header.index(t) for t in code_text.split(", ") if t in header]
        if not code:
            raise UpdaterError(f"code column {code_text!r} not found in the header again")
        return cls(code, at(CHARGE_CODE), at(DESCRIPTION), at(STATUS), at(EFFECTIVE_DATE),
                   at(END_DATE), header)


def wanted_headers(used: Mapping[str, str]) -> list[str]:
    out = []
    for name, text in used.items():
        if name in (CODE, MODIFIERS):
            out += text.split(", ")
        else:
            out.append(text)
    return out


@dataclass
class Insert:
    source: int  # grid row copied
    step: Step
    code: str
    ops: list[tuple[str, int, Any]]  # ("text"|"date"|"restore", column, value)
    note: str = ""
    restore_row: bool = False  # first put back every cell this apply changed on the source


class LinePatcher:
    """The plan's steps on the grid's rows (before any line is inserted): each step's
    cell changes are made at once, the lines it inserts (``inserts``) are placed by apply
    when every step is done."""

    def __init__(self, grid: Grid, cols: Columns,
                 inactive: Collection[str] | None = None) -> None:
        """``inactive``: the status values meaning retired, exactly the reader's (a
        profile's ``inactive_values``; by default those for the status column's name)."""
        self.grid, self.cols = grid, cols
        if inactive is None:
            inactive = inactive_values_for(
                cols.header[cols.status] if cols.status is not None else None)
        self.inactive = frozenset(v.strip().upper() for v in inactive)
        self._inactive_text: str | None = None
        # code -> rows per code column, built once when a line is not at its plan row
        self._code_index: list[dict[str, Any]] | None = None
        self._written: dict[str, set[tuple[int, int]]] = {}  # codes put in place since
        self.cells: list[dict[str, Any]] = []  # cell changes on input rows
        self.inserts: list[Insert] = []
        self.skipped: list[dict[str, Any]] = []
        self.applied: dict[str, int] = {a.value: 0 for a in PlanAction}
        self.aliases: dict[tuple[str, str], set[str]] = {}  # (charge, old) -> new codes
        self.row_of: dict[int, int] = {}  # the plan's row -> row here (own output only)

    # -- locating the line

    def _codes_on(self, i: int) -> list[tuple[int, str]]:
        return [(j, normalize_code(self.grid.text(i, j))) for j in self.cols.code]

    def _charge_ok(self, i: int, step: Step) -> bool:
        if self.cols.charge is None or not step.charge_code:
            return True
        return normalize_code(self.grid.text(i, self.cols.charge)) == normalize_code(
            step.charge_code)

    def _has(self, i: int, step: Step, code: str) -> int | None:
        if not self._charge_ok(i, step):
            return None
        return next((j for j, c in self._codes_on(i) if c == code and code), None)

    def locate(self, step: Step) -> tuple[int, int] | None:
        """(row, code column) of the plan row's line; None when it already shows the new
        code in place (already applied). The line is found by its row first (so a charge
        code on several lines is no problem), the charge code and old code checking it;
        only when that row does not match is the line looked for by charge code and code
        (a chargemaster that is not the plan's, applied with --force)."""
        n = len(self.grid)
        i = self.row_of.get(step.source_row, step.source_row) - 1
        if 0 <= i < n and (j := self._has(i, step, step.old_code)) is not None:
            return i, j
        aliases = sorted(self.aliases.get((step.charge_code, step.old_code), ()))
        if 0 <= i < n:  # the plan's line shows the code this plan puts in: applied before
            for code in aliases:
                if (j := self._has(i, step, code)) is not None:
                    return None if step.action is PlanAction.REPLACE else (i, j)
        found = self._lines_with(step, step.old_code)
        if len(found) == 1:
            return found[0]
        if found:
            rows = ", ".join(str(k + 1) for k, _ in found[:5])
            raise UpdaterError(
                f"plan row {step.plan_row}: the line is not at row {step.source_row} and "
                f"several lines have charge code {step.charge_code!r} and code "
                f"{step.old_code} (rows {rows})",
                hint="apply the plan to the chargemaster it was made from")
        # the line's code was already replaced in place (by this step or another on it)
        for code in aliases:
            moved = self._lines_with(step, code)
            if len(moved) == 1:
                return None if step.action is PlanAction.REPLACE else moved[0]
        raise UpdaterError(
            f"plan row {step.plan_row}: no line with charge code {step.charge_code!r} and "
            f"code {step.old_code} (the plan's row {step.source_row})",
            hint="is this the chargemaster the plan was made from?")

    def _lines_with(self, step: Step, code: str) -> list[tuple[int, int]]:
        """(row, code column) of every line with this code and the step's charge code, in
        row order, from an index of the code columns built once (columns, not a loop over
        the rows for every plan row)."""
        if self._code_index is None:
            self._code_index = [_positions(normalized_column(self.grid.column_texts(j)))
                                for j in self.cols.code]
        rows: set[int] = {k for (k, _) in self._written.get(code, set())}
        for index in self._code_index:
            rows.update(int(k) for k in index.get(code, ()))
        return [(k, j) for k in sorted(rows) if (j := self._has(k, step, code)) is not None]

    # -- editing

    def _log(self, i: int, j: int, step: Step, before_raw: Any, before: str,
             note: str = "") -> None:
        self.cells.append({"i": i, "j": j, "restore": before_raw, "before": before,
                           "after": self.grid.text(i, j), "plan_row": step.plan_row,
                           "action": step.action.value, "note": note})

    def set_text(self, i: int, j: int, value: str, step: Step, note: str = "") -> None:
        raw, before = self.grid.raw(i, j), self.grid.text(i, j)
        self.grid.set_text(i, j, value)
        if j in self.cols.code:
            self._written.setdefault(normalize_code(value), set()).add((i, j))
        self._log(i, j, step, raw, before, note)

    def set_date(self, i: int, j: int, value: date, step: Step, note: str = "") -> None:
        raw, before = self.grid.raw(i, j), self.grid.text(i, j)
        self.grid.set_date(i, j, value)
        self._log(i, j, step, raw, before, note)

    def _inactive_value(self) -> str:
        """The value a retired line's status gets: one the reader reads as inactive, in
        the column's own spelling; worked out once (it looks at the whole column)."""
        if self._inactive_text is None:
            self._inactive_text = self._pick_inactive()
        return self._inactive_text

    def _pick_inactive(self) -> str:
        j = self.cols.status
        assert j is not None
        column = [v for v in self.grid.column_texts(j) if v]
        guess = self._guess_inactive(set(column), column_key(self.cols.header[j]))
        if guess.upper() in self.inactive:
            return guess
        used = pd.Series(column, dtype=object)
        used = used[used.str.upper().isin(self.inactive)]
        if len(used):  # the column's own most used inactive spelling
            return str(used.value_counts().index[0])
        for word in ("INACTIVE", "INACT", "RETIRED", "I", "N", "DELETED", "DEL", "D"):
            if word in self.inactive:
                return word
        if not self.inactive:
            raise UpdaterError("no status value means inactive (the profile's "
                               "inactive_values is empty), so a line cannot be retired",
                               hint="list the inactive values in the profile")
        return sorted(self.inactive)[0]

    @staticmethod
    def _guess_inactive(values: set[str], key: str) -> str:
        upper = {v.upper() for v in values}
        flag = key.startswith("inactive")
        pairs = [({"Y", "N", "YES", "NO"}, "Y" if flag else "N"),
                 ({"TRUE", "FALSE"}, "TRUE" if flag else "FALSE"),
                 ({"1", "0"}, "1" if flag else "0"), ({"X"}, "X")]
        if not flag and upper & {"A", "I"}:
            return "I"
        for options, value in pairs:
            if upper & options:
                word = next(v for v in values if v.upper() in options)
                return value.lower() if word.islower() else value.capitalize() \
                    if word[:1].isupper() and word[1:].islower() else value
        if flag:
            return "Y"
        word = next((v for v in values if v.upper() in ("ACTIVE", "INACTIVE")), "Active")
        return "INACTIVE" if word.isupper() else "inactive" if word.islower() else "Inactive"

    def _is_inactive(self, i: int) -> bool:
        j = self.cols.status
        assert j is not None
        return self.grid.text(i, j).upper() in self.inactive

    def end_line(self, i: int, step: Step) -> bool:
        """End-date or inactivate line i; False when it already is."""
        if self.cols.end is not None:
            target = day_before(step.effective)
            current = self.grid.date_at(i, self.cols.end)
            if current is not None and current <= target:
                return False
            self.set_date(i, self.cols.end, target, step)
            return True
        if self.cols.status is not None:
            if self._is_inactive(i):
                return False
            self.set_text(i, self.cols.status, self._inactive_value(), step)
            return True
        raise UpdaterError(
            f"plan row {step.plan_row}: the chargemaster has no end date or status column "
            f"to retire a line with", hint="add an 'End Date' or 'Status' column (or name "
            "it in a --profile); updater never removes a chargemaster line")

    def skip(self, step: Step, why: str) -> None:
        self.skipped.append({"plan_row": step.plan_row, "action": step.action.value,
                             "reason": why})

    def apply(self, step: Step) -> None:
        where = self.locate(step)
        if where is None:
            self.skip(step, f"already applied: {step.codes[0]} already in place")
            return
        i, j = where
        dated = self.cols.end is not None and self.cols.effective is not None
        if step.action is PlanAction.UPDATE_DESCRIPTION:
            k = self.cols.description
            if k is None:
                raise UpdaterError(f"plan row {step.plan_row}: the chargemaster has no "
                                   "description column", hint="name it in a --profile")
            if self.grid.text(i, k) in (step.text.strip(), "'" + step.text.strip()):
                self.skip(step, "already applied: description already updated")
                return
            self.set_text(i, k, step.text, step)
        elif step.action is PlanAction.RETIRE:
            if not self.end_line(i, step):
                self.skip(step, "already applied: line already ended")
                return
        elif step.action is PlanAction.REPLACE and not dated:
            self.set_text(i, j, step.codes[0], step)
        else:
            ended_before = len(self.cells)
            if not self.end_line(i, step):
                self.skip(step, "already applied: line already ended")
                return
            restore = [("restore", c["j"], c["restore"]) for c in self.cells[ended_before:]]
            for code in step.codes:
                ops: list[tuple[str, int, Any]] = [*restore, ("text", j, code)]
                if self.cols.effective is not None:
                    ops.append(("date", self.cols.effective, date.fromisoformat(step.effective)))
                note = ""
                if step.action is PlanAction.SPLIT:
                    note = NEW_CHARGE_CODE
                    if self.cols.charge is not None:
                        ops.append(("text", self.cols.charge, ""))
                self.inserts.append(Insert(i, step, code, ops, note))
        self.applied[step.action.value] += 1


def normalized_column(texts: list[str]) -> pd.Series:
    """``normalize_code`` on a whole column of cell texts (its column form,
    ``normalize_codes``: Arrow's kernels, millions of cells)."""
    a = normalize_codes(pa.chunked_array([pa.array(texts, TEXT)], TEXT))
    return pd.Series(a.to_numpy(), dtype=object)


def _positions(column: pd.Series) -> dict[str, Any]:
    """Each value of a column -> the positions holding it (an array), blanks left out."""
    column = column[(column != "").to_numpy()]
    if not len(column):
        return {}
    labels = column.index.to_numpy()
    return {str(k): labels[v] for k, v in column.groupby(column, sort=False).indices.items()}
