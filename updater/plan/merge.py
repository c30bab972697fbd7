"""Reviewed decisions kept: a fresh plan merged into the reviewed one (``updater run``
writes the cycle's plan again each time it runs).

When ``plan.xlsx`` has a decision a reviewer made (a Decision other than its Default
decision, or a Replacement, Reviewer, Reviewed on or Comment typed in), it is never
overwritten blindly. A fresh row matching a reviewed row (same section, source row, charge
code, old code, action, finding and crosswalk pair) takes the reviewer's Decision,
Replacement, Reviewer, Reviewed on and Comment; a fresh row with no such match is new, and
its Reason starts with ``[new]`` (it stays marked on later runs until a reviewer decides
it); reviewed rows the fresh scan no longer produces are dropped (their finding is gone).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from updater.plan import model as P
from updater.plan.model import Plan

NEW_MARK = "[new] "  # start of the Reason of a plan row a reviewer has not seen yet
# what makes two plan rows "the same row" across runs
ROW_KEY = (P.SECTION, P.SOURCE_ROW, P.CHARGE_CODE, P.OLD_CODE, P.ACTION, P.FINDING,
           P.PAIR_PROCEDURE, P.PAIR_DIAGNOSIS)
# what a reviewer writes in a row, carried over to the fresh plan
REVIEWED_COLUMNS = (P.DECISION, P.REPLACEMENT, P.REVIEWER, P.REVIEWED_ON, P.COMMENT)


def reviewed_rows(table: pd.DataFrame) -> pd.Series:
    """Rows a reviewer decided or signed: a decision other than the default, or a
    replacement, reviewer, date or comment written."""
    written = pd.Series(False, index=table.index)
    for col in REVIEWED_COLUMNS[1:]:
        written |= table[col].str.strip() != ""
    return (table[P.DECISION] != table[P.DEFAULT_DECISION]) | written


@dataclass
class Merge:
    """What merging a fresh plan into a reviewed one did."""

    plan: Plan
    kept: int  # reviewer decisions carried over
    new_rows: int  # fresh rows marked new
    dropped: int  # reviewed rows no longer produced
    changed: bool  # False when the merged plan equals the reviewed one


def _keyed(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    out["_n"] = out.groupby(list(ROW_KEY), sort=False).cumcount()
    return out


def merge_reviewed(fresh: Plan, reviewed: Plan) -> Merge:
    """The fresh plan with the reviewer's decisions kept and new rows marked (the rule is
    in the module doc)."""
    new = _keyed(fresh.table)
    old = _keyed(reviewed.table)
    old["_reviewed"] = reviewed_rows(old)
    old["_was_new"] = old[P.REASON].str.startswith(NEW_MARK)
    key = [*ROW_KEY, "_n"]
    kept = {c: f"_{c}" for c in REVIEWED_COLUMNS}
    matched = new[key].merge(
        old[[*key, *kept, "_reviewed", "_was_new"]].rename(columns=kept),
        on=key, how="left", validate="one_to_one", indicator=True)
    found = (matched["_merge"] == "both").to_numpy()
    carried = found & matched["_reviewed"].fillna(False).to_numpy(dtype=bool)
    is_new = ~found | (matched["_was_new"].fillna(False).to_numpy(dtype=bool) & ~carried)
    table = fresh.table.copy()
    for col, theirs in kept.items():
        table[col] = np.where(carried, matched[theirs], table[col])
    reason = table[P.REASON].str.removeprefix(NEW_MARK)
    table[P.REASON] = np.where(is_new, NEW_MARK + reason, reason)
    dropped = len(old) - int(found.sum())
    merged = replace(fresh, table=table)
    same = (len(table) == len(reviewed.table)
            and table.reset_index(drop=True).equals(reviewed.table.reset_index(drop=True))
            and _same_inputs(fresh, reviewed))
    return Merge(plan=reviewed if same else merged, kept=int(carried.sum()),
                 new_rows=int(is_new.sum()), dropped=dropped, changed=not same)


def _same_inputs(a: Plan, b: Plan) -> bool:
    ia, ib = a.identity, b.identity

    def releases(i: P.PlanIdentity) -> list[tuple[str, str]]:
        return sorted((r.get("id", ""), r.get("sha256", "")) for r in i.releases)

    return (ia.chargemaster_sha256 == ib.chargemaster_sha256
            and ia.crosswalk_sha256 == ib.crosswalk_sha256 and releases(ia) == releases(ib))
