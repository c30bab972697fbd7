"""Which publisher check applies to which step of a diff."""

from __future__ import annotations

import itertools

import pandas as pd

from updater.model import ACTION_CODE, Release
from updater.releases.compare import step_changes as changes_of
from updater.releases.verify import Verification
from updater.releases.verify.hcpcs_actions import reconcile
from updater.releases.verify.icd_addenda import verify_addenda
from updater.releases.verify.lists import step_list
from updater.vocabulary import CodeSystem


def verify_chain(chain: list[Release], changes: pd.DataFrame,
                 summary: dict[str, dict[str, int]],
                 step_changes: list[pd.DataFrame] | None = None) -> list[Verification]:
    """Verify each step ``before -> after`` against the publisher's list that describes it
    (``after``'s own, or ``before``'s read backwards for a step back in time), if any.
    ``changes`` and ``summary`` are the diff's over the whole chain; ``step_changes`` are
    the steps' change rows when the caller has them already."""
    results = []
    for i, (before, after) in enumerate(itertools.pairwise(chain)):
        listed = step_list(before, after)
        checkable = listed is not None or (after.system is CodeSystem.HCPCS and (
            after.publisher_changes is not None or ACTION_CODE in after.table))
        if not checkable:
            continue
        if len(chain) == 2:
            step = changes
        elif step_changes is not None:
            step = step_changes[i]
        else:
            step = changes_of(before, after)
        if after.system is CodeSystem.HCPCS:
            if before.effective < after.effective:  # its letters describe its own year
                results.append(reconcile(step, before, after))
        elif listed is not None:
            results.append(verify_addenda(step, before, after, listed,
                                          summary if len(chain) == 2 else None))
    return results
