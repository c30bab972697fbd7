"""A plan's crosswalk steps on a long crosswalk, one procedure and one diagnosis per row
(``PairPatcher``): pairs ended and added, the crosswalk's columns found as its reader
finds them."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from updater.codes import file_spelling, normalize_code, spell_like
from updater.errors import UpdaterError
from updater.files.tables import column_key, merge_columns
from updater.impact.inputs import EFFECTIVE_DATE, END_DATE, STATUS
from updater.impact.inputs.crosswalk import FIELDS, code_columns, dated_columns, is_crosswalk_header
from updater.patch.grids import Grid, HeaderTest, open_grid
from updater.patch.lines import Columns, Insert, LinePatcher, normalized_column
from updater.patch.steps import Step
from updater.vocabulary import PlanAction


class PairPatcher(LinePatcher):
    """The plan's crosswalk steps on a long crosswalk (one procedure, one diagnosis per
    row). An ended pair is end-dated (the day before the effective date) where the
    crosswalk has an end date column, else set inactive in its status column; a crosswalk
    with neither is refused (a pair is never removed). An added pair is a copy of the pair
    it replaces, inserted right after it, with the new code, effective on the plan's date
    (when there is an effective date column) and as open as the old pair was."""

    def __init__(self, grid: Grid, cols: Columns, procedure: int, diagnosis: int,
                 steps: Sequence[Step] = (), descriptions: Mapping[str, int] | None = None
                 ) -> None:
        super().__init__(grid, cols)
        self.procedure, self.diagnosis = procedure, diagnosis
        self.steps = list(steps)
        # side ("procedure" / "diagnosis") -> the column describing that side's code
        self.descriptions = dict(descriptions or {})
        self._spelling: str | None = None
        self._rows_of: dict[tuple[str, str], list[int]] | None = None
        self._added: set[tuple[str, str, str]] = set()  # (procedure, diagnosis, effective)
        self._ended: set[int] = set()  # rows this apply ended

    def spelling(self) -> str:
        """How the crosswalk writes its diagnoses (``updater.codes.file_spelling``), worked
        out once, from the whole diagnosis column."""
        if self._spelling is None:
            self._spelling = file_spelling(self.grid.column_texts(self.diagnosis))
        return self._spelling

    def pair_at(self, i: int) -> tuple[str, str]:
        return (normalize_code(self.grid.text(i, self.procedure)),
                normalize_code(self.grid.text(i, self.diagnosis)))

    def locate_pair(self, step: Step) -> int:
        """The row of the plan row's pair: its own row first, else the only row with it."""
        n = len(self.grid)
        i = self.row_of.get(step.source_row, step.source_row) - 1
        if 0 <= i < n and self.pair_at(i) == step.pair:
            return i
        found = self.rows_of().get(step.pair, [])
        if len(found) == 1:
            return found[0]
        shown = f"{step.pair[0]} with {step.pair[1]}"
        if found:
            rows = ", ".join(str(k + 1) for k in found[:5])
            raise UpdaterError(
                f"plan row {step.plan_row}: the pair {shown} is not at row "
                f"{step.source_row} and is on several rows ({rows})",
                hint="apply the plan to the crosswalk it was made from")
        raise UpdaterError(
            f"plan row {step.plan_row}: no crosswalk row pairs {shown} (the plan's row "
            f"{step.source_row})", hint="is this the crosswalk the plan was made from?")

    def rows_of(self) -> dict[tuple[str, str], list[int]]:
        """The rows of every pair the steps name (old pairs and the pairs they add),
        found column-wise (a crosswalk has millions of rows)."""
        if self._rows_of is None:
            wanted = {s.pair for s in self.steps} | {
                (s.pair[0], c) if s.dx_side else (c, s.pair[1])
                for s in self.steps for c in s.codes}
            # a space joins the two: normalized codes have none
            key = (normalized_column(self.grid.column_texts(self.procedure)) + " "
                   + normalized_column(self.grid.column_texts(self.diagnosis)))
            hits = key[key.isin([f"{p} {d}" for p, d in wanted])]
            self._rows_of = {}
            for i, k in zip(hits.index, hits, strict=True):
                p, d = k.split(" ")
                self._rows_of.setdefault((p, d), []).append(int(i))
        return self._rows_of

    def in_force(self, i: int, effective: str) -> bool:
        """Row i's pair still holds on the effective date (not ended before, not inactive)."""
        if self.cols.end is not None:
            end = self.grid.date_at(i, self.cols.end)
            if end is not None and end < date.fromisoformat(effective):
                return False
        return self.cols.status is None or not self._is_inactive(i)

    def apply(self, step: Step) -> None:
        i = self.locate_pair(step)
        done = False
        if step.action is PlanAction.END_PAIR:
            done = self.end_line(i, step)
            if done:
                self._ended.add(i)
            elif not step.codes:
                self.skip(step, "already applied: pair already ended")
                return
        j = self.diagnosis if step.dx_side else self.procedure
        described = self.descriptions.get("diagnosis" if step.dx_side else "procedure")
        for code in step.codes:
            new = (step.pair[0], code) if step.dx_side else (code, step.pair[1])
            there = any(self.in_force(k, step.effective) for k in self.rows_of().get(new, []))
            if there or (*new, step.effective) in self._added:
                self.skip(step, f"already applied: {new[0]} with {new[1]} already in the "
                                "crosswalk")
                continue
            if i not in self._ended and not self.in_force(i, step.effective):
                self.skip(step, f"not added: the pair it replaces ({step.pair[0]} with "
                                f"{step.pair[1]}) had ended before this plan")
                continue
            shown = (spell_like(code, step.system, self.grid.text(i, j), self.spelling())
                     if step.dx_side else code)
            ops: list[tuple[str, int, Any]] = [("text", j, shown)]
            note = ""
            if described is not None:  # the new code's official title, not the old one's
                title = step.titles.get(code, "")
                ops.append(("text", described, title))
                if not title:
                    note = f"no official title known for {shown}: description left blank"
            if self.cols.effective is not None:
                ops.append(("date", self.cols.effective, date.fromisoformat(step.effective)))
            self.inserts.append(Insert(i, step, code, ops, note=note, restore_row=True))
            self._added.add((*new, step.effective))
            done = True
        if done:
            self.applied[step.action.value] += 1


def crosswalk_patcher(path: Path, *, sheet: str | None = None,
                      columns: Mapping[str, str | Sequence[str]] | None = None,
                      steps: Sequence[Step] = ()) -> PairPatcher:
    """The crosswalk as a grid with its procedure, diagnosis, end date, status and
    effective date columns found (as the crosswalk reader finds them). A wide crosswalk
    (several diagnosis columns, or lists and ranges in a cell) is refused when there is
    something to apply: a pair there is part of a cell, which apply does not rewrite."""
    overrides = merge_columns(None, columns, FIELDS)
    test: HeaderTest = lambda row: is_crosswalk_header(row, overrides)  # noqa: E731
    try:
        grid = open_grid(path, sheet=sheet, is_header=test)
    except UpdaterError as exc:
        if "header row" not in str(exc):
            raise
        raise UpdaterError("no procedure and diagnosis columns in the first rows",
                           file=path, hint="name them with --proc-col and --dx-col, as for "
                                           "'updater plan'") from None
    proc, dx = code_columns(grid.header, overrides, str(path))
    # the status and date columns exactly as the reader (and so the scan) finds them
    dated = dated_columns(grid.header, overrides, {proc, *dx})
    cols = Columns([proc, *dx], None, None, dated.get(STATUS), dated.get(EFFECTIVE_DATE),
                   dated.get(END_DATE), grid.header)
    grid.date_columns = [k for k in (cols.end, cols.effective) if k is not None]
    if steps:
        cells = pd.Series(grid.column_texts(dx[0]), dtype=object)
        hit = cells.str.contains(_LIST_CELL, na=False)
        listed = int(hit.to_numpy().argmax()) if hit.any() else None
        if len(dx) > 1 or listed is not None:
            where = (f"{len(dx)} diagnosis columns" if len(dx) > 1 else
                     f"a list or range in a cell, e.g. row {(listed or 0) + 1}: "
                     f"{grid.text(listed or 0, dx[0])!r}")
            raise UpdaterError(
                f"apply patches a crosswalk with one procedure and one diagnosis per row; "
                f"this one is wide ({where})", file=path,
                hint="make the crosswalk changes by hand (plan.xlsx lists them), or keep the "
                     "crosswalk as one pair per row")
        ending = [s for s in steps if s.action is PlanAction.END_PAIR]
        if ending and cols.end is None and cols.status is None:
            raise UpdaterError(
                f"plan row {ending[0].plan_row}: the crosswalk has no end date or status "
                "column to end a pair with", file=path,
                hint="add an 'End Date' or 'Status' column to the crosswalk (updater never "
                     "removes a pair), or reject the end_pair rows and remove those pairs "
                     "yourself")
    return PairPatcher(grid, cols, proc, dx[0], steps,
                       description_columns(grid.header, {proc, *dx, *dated.values()}))


# A crosswalk's description of one side of the pair: "Diagnosis Description", "dx desc",
# "ICD-10-CM Title", "CPT Description", "Procedure Desc" (a bare "Description" names no
# side, and is left as it is). Compared as column keys (updater.files.tables.column_key).
_DESCRIPTION_KEYS = {
    "diagnosis": re.compile(r"^(?:icd(?:10(?:cm)?)?|dx|diag|diagnos[ie]s)(?:codes?)?"
                            r"(?:desc|descr|description|title|text|name)s?$"),
    "procedure": re.compile(r"^(?:cpt|hcpcs|cpthcpcs|hcpcscpt|cpt4|proc|procedure)(?:codes?)?"
                            r"(?:desc|descr|description|title|text|name)s?$"),
}


def description_columns(header: Sequence[str], taken: Collection[int] = ()
                        ) -> dict[str, int]:
    """The columns describing the procedure and the diagnosis of a pair, by their names,
    among the columns not ``taken``: an added pair gets its new code's official title
    there, not the old code's description."""
    found: dict[str, int] = {}
    for side, key in _DESCRIPTION_KEYS.items():
        at = next((i for i, h in enumerate(header)
                   if i not in taken and key.match(column_key(h))), None)
        if at is not None:
            found[side] = at
    return found


_LIST_CELL = re.compile(r"[,;|\s]|\S-|\bthru\b", re.IGNORECASE)
