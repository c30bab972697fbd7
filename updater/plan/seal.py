"""What a reviewer may change in plan.xlsx, and how a workbook edited beyond that is found.

Reviewers change Decision and Replacement (and the reviewer's own columns); every other
cell says what apply will do and must stay as ``updater plan`` wrote it. So the workbook
carries checks: a hidden "Row check" column on the Plan sheet (a sha256 of the plan id and
the row's fixed cells: plan row, section, action, source row, charge code, old code,
proposed codes and description, code system, effective date, the pair), a "check" column
on the Plan identity sheet (a sha256 of the plan id, the key and its value) and an
identity row ``rows`` (how many plan rows there are, numbered 1 to N). Reading back, a row
edited, deleted, reordered or numbered outside 1..N, an identity value edited or missing,
and a decision that makes no sense (Change on a review row, a Replacement left under
Approve) each get one line naming the sheet row. These checks catch mistakes and
careless edits; they are no signature (anyone can recompute them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from updater.errors import UpdaterError
from updater.files.output import undefuse_text
from updater.plan import model as P
from updater.vocabulary import Decision, PlanAction

ROW_CHECK = "Row check"  # the Plan sheet's last, hidden column
ROWS_KEY = "rows"  # identity row: how many plan rows the workbook was written with
CHECK = "check"  # the Plan identity sheet's third column
FIXED = (P.PLAN_ROW, P.SECTION, P.ACTION, P.SOURCE_ROW, P.CHARGE_CODE, P.OLD_CODE, P.PROPOSED,
         P.PROPOSED_TEXT, P.SYSTEM, P.EFFECTIVE, P.PAIR_PROCEDURE, P.PAIR_DIAGNOSIS)
_REBUILD = "make the plan again with 'updater plan' (or 'updater run'), or undo the edit"


def canonical(value: Any) -> str:
    """A cell as compared: blank for None, 12.0 as 12, text stripped and undefused."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return undefuse_text(str(value).strip())


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def row_check(plan_id: str, fixed: Sequence[Any]) -> str:
    """The check of one Plan row from its FIXED cells, in FIXED order."""
    return _digest(plan_id, *(canonical(v) for v in fixed))


def identity_check(plan_id: str, key: str, value: Any) -> str:
    return _digest(plan_id, key, canonical(value))


def check_identity(rows: Sequence[tuple[int, str, Any, Any]], expected: Sequence[str],
                   where: str) -> None:
    """``rows``: (sheet row, key, value, check) of the Plan identity sheet."""
    plan_id = next((canonical(v) for _, k, v, _ in rows if k == "plan_id"), "")
    seen = set()
    for r, key, value, check in rows:
        if key in seen:
            raise UpdaterError(f"row {r}: {key!r} appears twice", file=where, hint=_REBUILD)
        seen.add(key)
        if key in expected and canonical(check) != identity_check(plan_id, key, value):
            raise UpdaterError(f"row {r} ({key}) was edited: the plan's identity says what "
                               "it was made from and may not change", file=where,
                               hint=_REBUILD)
    gone = [k for k in expected if k not in seen]
    if gone:
        raise UpdaterError(f"no row for {', '.join(map(repr, gone))} (deleted?)", file=where,
                           hint=_REBUILD)


def _plan_row(value: Any) -> int | None:
    text = canonical(value)
    return int(text) if text.isdigit() else None


def check_rows(plan_id: str, count: int, sheet_rows: Sequence[int],
               fixed: Sequence[Sequence[Any]], checks: Sequence[Any], where: str) -> None:
    """Every Plan row there once, in order, numbered 1..count and as written."""
    first_at: dict[int, int] = {}
    previous = 0
    for r, cells, check in zip(sheet_rows, fixed, checks, strict=True):
        n = _plan_row(cells[0])
        if n is None or not 1 <= n <= count:
            raise UpdaterError(f"row {r}: plan row {canonical(cells[0])!r} does not exist (the "
                               f"plan has rows 1 to {count})", file=where, hint=_REBUILD)
        if n in first_at:
            raise UpdaterError(f"row {r}: plan row {n} appears twice (also on row "
                               f"{first_at[n]})", file=where, hint=_REBUILD)
        first_at[n] = r
        if n < previous:
            raise UpdaterError(f"row {r} holds plan row {n} after plan row {previous}: the rows "
                               "were reordered", file=where,
                               hint="sort the sheet by Plan row, smallest first, and save it "
                                    "again (filter rather than sort)")
        previous = n
        if canonical(check) != row_check(plan_id, cells):
            raise UpdaterError(f"row {r} (plan row {n}) was edited: only Decision and "
                               "Replacement (and the reviewer's columns) may change",
                               file=where, hint=_REBUILD)
    gone = sorted(set(range(1, count + 1)) - first_at.keys())
    if gone:
        shown = ", ".join(map(str, gone[:10])) + (f" and {len(gone) - 10} more"
                                                  if len(gone) > 10 else "")
        raise UpdaterError(f"plan row{'s' if len(gone) > 1 else ''} {shown} "
                           f"{'were' if len(gone) > 1 else 'was'} deleted (the plan has rows 1 "
                           f"to {count})", file=where,
                           hint="restore them (reject a row instead of deleting it), or "
                                + _REBUILD)


def check_decisions(sheet_rows: Sequence[int], actions: Sequence[str],
                    decisions: Sequence[str], replacements: Sequence[str],
                    where: str) -> None:
    """Decisions that cannot mean what the reviewer wants refused, by sheet row."""
    for r, action, decision, replacement in zip(sheet_rows, actions, decisions, replacements,
                                                strict=True):
        if action == PlanAction.REVIEW.value and decision == Decision.CHANGED.value:
            raise UpdaterError(f"row {r}: Change on a review row: apply changes nothing for a "
                               "review row, so the change would be lost", file=where,
                               hint="make the change in the chargemaster or crosswalk by "
                                    "hand, and set the row to Approve, Reject or Pending")
        if decision == Decision.APPROVED.value and replacement:
            raise UpdaterError(f"row {r}: Replacement {replacement!r} under Approve: Approve "
                               "applies the proposed code, not the Replacement", file=where,
                               hint="set the decision to Change to use the Replacement, or "
                                    "clear it")
