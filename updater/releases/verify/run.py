"""Which publisher check applies to which step of a diff."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import pandas as pd

from updater.model import ACTION_CODE, Release
from updater.releases.verify import Verification
from updater.releases.verify.lists import step_list
from updater.vocabulary import CodeSystem

if TYPE_CHECKING:
    from updater.releases.diff import Diff


def verify_chain(chain: list[Release], diff: Diff,
                 step_changes: list[pd.DataFrame] | None = None) -> list[Verification]:
    """Verify each step ``before -> after`` against the publisher's list that describes it
    (``after``'s own, or ``before``'s read backwards for a step back in time), if any.
    ``step_changes`` are the steps' change rows when the caller has them already."""
    from updater.releases.diff import step_changes as changes_of

    results = []
    for i, (before, after) in enumerate(itertools.pairwise(chain)):
        listed = step_list(before, after)
        checkable = listed is not None or (after.system is CodeSystem.HCPCS and (
            after.publisher_changes is not None or ACTION_CODE in after.table))
        if not checkable:
            continue
        if len(chain) == 2:
            changes = diff.changes
        elif step_changes is not None:
            changes = step_changes[i]
        else:
            changes = changes_of(before, after)
        if after.system is CodeSystem.HCPCS:
            if before.effective < after.effective:  # its letters describe its own year
                from updater.releases.verify.hcpcs_actions import reconcile

                results.append(reconcile(changes, before, after))
        elif listed is not None:
            from updater.releases.verify.icd_addenda import verify_addenda

            summary = diff.summary if len(chain) == 2 else None
            results.append(verify_addenda(changes, before, after, listed, summary))
    return results
