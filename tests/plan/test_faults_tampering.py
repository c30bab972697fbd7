"""A plan.xlsx edited beyond its Decision and Replacement cells: identity sheet deleted or
edited, rows deleted, cleared, reordered, duplicated, renumbered or edited, nonsense
decisions. Each is one line naming the sheet row; a deleted row is never skipped."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from updater.cli import app
from updater.cycle.sample import sample_chargemasters_dir
from updater.plan.workbook import HEADERS, IDENTITY_SHEET, PLAN_SHEET

CDM = sample_chargemasters_dir() / "sample-cdm.csv"
# the plan rows of the demo's 2026-01-01 plan (the fixture checks it)
ROWS = 111
REBUILD = "make the plan again with 'updater plan' (or 'updater run'), or undo the edit"


@pytest.fixture
def workbook(demo_out: Path, tmp_path: Path) -> Path:
    path = tmp_path / "plan.xlsx"
    shutil.copy(demo_out / "2026-01-01" / "plan.xlsx", path)
    assert load_workbook(path, read_only=True)[PLAN_SHEET].max_row == ROWS + 1
    return path


def apply(demo_out: Path, plan: Path, tmp_path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["apply", str(plan), "--chargemaster", str(CDM), "--out",
                                      str(tmp_path / "out.csv"), "--store",
                                      str(demo_out / "store"), "--dry-run"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stderr


def edit(path: Path, change: Callable[[Any], None]) -> None:
    book = load_workbook(path)
    change(book)
    book.save(path)


def col(ws: Any, column: str) -> int:
    return [c.value for c in ws[1]].index(HEADERS[column]) + 1


def first_row(ws: Any, action: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col(ws, "action")).value
                == action)


def ident_row(ws: Any, key: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == key)


def test_an_untampered_reviewed_workbook_applies(demo_out: Path, workbook: Path,
                                                 tmp_path: Path) -> None:
    def review(book: Any) -> None:
        ws = book[PLAN_SHEET]
        r = first_row(ws, "replace")
        ws.cell(r, col(ws, "decision")).value = "Change"
        ws.cell(r, col(ws, "replacement")).value = ws.cell(r, col(ws, "proposed_codes")).value
        ws.cell(first_row(ws, "review"), col(ws, "decision")).value = "Reject"
        ws.auto_filter.ref = None  # a filter taken off, as reviewers do

    edit(workbook, review)
    code, stderr = apply(demo_out, workbook, tmp_path)
    assert code == 0, stderr


def sheet(where: str, path: Path) -> str:
    return f"updater: error: {path}, sheet {where!r}"


CASES: dict[str, tuple[Callable[[Any], None], Callable[[Path], str]]] = {
    "identity sheet deleted": (
        lambda b: b.remove(b[IDENTITY_SHEET]),
        lambda p: f"updater: error: {p}: no sheet 'Plan identity' (sheets: Summary, Plan); give "
                  "the plan.xlsx written by `updater plan`"),
    "identity value edited": (
        lambda b: b[IDENTITY_SHEET].cell(ident_row(b[IDENTITY_SHEET], "chargemaster_sha256"),
                                         2).__setattr__("value", "0" * 64),
        lambda p: f"{sheet(IDENTITY_SHEET, p)}: row 6 (chargemaster_sha256) was edited: the "
                  f"plan's identity says what it was made from and may not change; {REBUILD}"),
    "identity row deleted": (
        lambda b: b[IDENTITY_SHEET].delete_rows(ident_row(b[IDENTITY_SHEET], "tool_version")),
        lambda p: f"{sheet(IDENTITY_SHEET, p)}: no row for 'tool_version' (deleted?); "
                  f"{REBUILD}"),
    "rows deleted": (
        lambda b: (b[PLAN_SHEET].delete_rows(9), b[PLAN_SHEET].delete_rows(5)),
        lambda p: f"{sheet(PLAN_SHEET, p)}: plan rows 4, 8 were deleted (the plan has rows 1 "
                  f"to {ROWS}); restore them (reject a row instead of deleting it), or {REBUILD}"),
    "last row deleted": (
        lambda b: b[PLAN_SHEET].delete_rows(ROWS + 1),
        lambda p: f"{sheet(PLAN_SHEET, p)}: plan row {ROWS} was deleted (the plan has rows 1 to "
                  f"{ROWS}); restore them (reject a row instead of deleting it), or {REBUILD}"),
    "every row deleted": (
        lambda b: b[PLAN_SHEET].delete_rows(2, ROWS),
        lambda p: f"{sheet(PLAN_SHEET, p)}: plan rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and "
                  f"{ROWS - 10} "
                  f"more were deleted (the plan has rows 1 to {ROWS}); restore them (reject a row "
                  f"instead of deleting it), or {REBUILD}"),
    "row cleared": (
        lambda b: [c.__setattr__("value", None) for c in b[PLAN_SHEET][12]],
        lambda p: f"{sheet(PLAN_SHEET, p)}: plan row 11 was deleted (the plan has rows 1 to "
                  f"{ROWS}); restore them (reject a row instead of deleting it), or {REBUILD}"),
    "rows reordered": (
        lambda b: _swap(b[PLAN_SHEET], 3, 4),
        lambda p: f"{sheet(PLAN_SHEET, p)}: row 4 holds plan row 2 after plan row 3: the rows "
                  "were reordered; sort the sheet by Plan row, smallest first, and save it "
                  "again (filter rather than sort)"),
    "plan row out of range": (
        lambda b: b[PLAN_SHEET].cell(6, col(b[PLAN_SHEET], "plan_row")).__setattr__(
            "value", 999),
        lambda p: f"{sheet(PLAN_SHEET, p)}: row 6: plan row '999' does not exist (the plan has "
                  f"rows 1 to {ROWS}); {REBUILD}"),
    "plan row not a number": (
        lambda b: b[PLAN_SHEET].cell(6, col(b[PLAN_SHEET], "plan_row")).__setattr__(
            "value", "five"),
        lambda p: f"{sheet(PLAN_SHEET, p)}: row 6: plan row 'five' does not exist (the plan "
                  f"has rows 1 to {ROWS}); {REBUILD}"),
    "row duplicated": (
        lambda b: _copy(b[PLAN_SHEET], 6, 7),
        lambda p: f"{sheet(PLAN_SHEET, p)}: row 7: plan row 5 appears twice (also on row 6); "
                  f"{REBUILD}"),
    "old code edited": (
        lambda b: b[PLAN_SHEET].cell(3, col(b[PLAN_SHEET], "old_code")).__setattr__(
            "value", "99213"),
        lambda p: f"{sheet(PLAN_SHEET, p)}: row 3 (plan row 2) was edited: only Decision and "
                  f"Replacement (and the reviewer's columns) may change; {REBUILD}"),
    "action edited": (
        lambda b: b[PLAN_SHEET].cell(4, col(b[PLAN_SHEET], "action")).__setattr__(
            "value", "retire"),
        lambda p: f"{sheet(PLAN_SHEET, p)}: row 4 (plan row 3) was edited: only Decision and "
                  f"Replacement (and the reviewer's columns) may change; {REBUILD}"),
    "row check column deleted": (
        lambda b: b[PLAN_SHEET].delete_cols(b[PLAN_SHEET].max_column),
        lambda p: f"{sheet(PLAN_SHEET, p)}: no 'Row check' column (deleted?); keep the "
                  "columns `updater plan` wrote"),
    "decision nonsense": (
        lambda b: b[PLAN_SHEET].cell(5, col(b[PLAN_SHEET], "decision")).__setattr__(
            "value", "Maybe later"),
        lambda p: f"{sheet(PLAN_SHEET, p)}, row 5: Decision 'Maybe later' is not one of "
                  "Approve, Reject, Change, Pending; pick a value from the dropdown"),
    "change on a review row": (
        lambda b: b[PLAN_SHEET].cell(_row_of(b, "review"), col(b[PLAN_SHEET], "decision"))
        .__setattr__("value", "Change"),
        lambda p: f"{sheet(PLAN_SHEET, p)}: row {_REVIEW_ROW[0]}: Change on a review row: "
                  "apply changes nothing for a review row, so the change would be lost; make "
                  "the change in the chargemaster or crosswalk by hand, and set the row to "
                  "Approve, Reject or Pending"),
    "replacement under approve": (
        lambda b: _approve_with(b[PLAN_SHEET], "J9999"),
        lambda p: f"{sheet(PLAN_SHEET, p)}: row {_REPLACE_ROW[0]}: Replacement 'J9999' under "
                  "Approve: Approve applies the proposed code, not the Replacement; set the "
                  "decision to Change to use the Replacement, or clear it"),
}
_REVIEW_ROW: list[int] = []
_REPLACE_ROW: list[int] = []


def _row_of(book: Any, action: str) -> int:
    r = first_row(book[PLAN_SHEET], action)
    _REVIEW_ROW[:] = [r]
    return r


def _approve_with(ws: Any, code: str) -> None:
    r = first_row(ws, "replace")
    _REPLACE_ROW[:] = [r]
    ws.cell(r, col(ws, "decision")).value = "Approve"
    ws.cell(r, col(ws, "replacement")).value = code


def _swap(ws: Any, a: int, b: int) -> None:
    for j in range(1, ws.max_column + 1):
        x, y = ws.cell(a, j), ws.cell(b, j)
        x.value, y.value = y.value, x.value


def _copy(ws: Any, source: int, target: int) -> None:
    for j in range(1, ws.max_column + 1):
        ws.cell(target, j).value = ws.cell(source, j).value


@pytest.mark.parametrize("case", list(CASES))
def test_a_tampered_workbook_is_one_line_naming_the_row(demo_out: Path, workbook: Path,
                                                        tmp_path: Path, case: str) -> None:
    change, expected = CASES[case]
    edit(workbook, change)
    code, stderr = apply(demo_out, workbook, tmp_path)
    assert (code, stderr) == (2, expected(workbook) + "\n")
