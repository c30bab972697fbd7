"""Which publisher check applies to which step of a diff."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from updater.model import ACTION_CODE, Release
from updater.verify import Verification
from updater.vocabulary import CodeSystem

if TYPE_CHECKING:
    from updater.diff import Diff


def verify_chain(chain: list[Release], diff: Diff) -> list[Verification]:
    """Verify each step ``before -> after`` against ``after``'s own change list, if it has one."""
    from updater.diff import compare

    results = []
    for before, after in itertools.pairwise(chain):
        checkable = after.publisher_changes is not None or (
            after.system is CodeSystem.HCPCS and ACTION_CODE in after.table)
        if not checkable:
            continue
        changes = diff.changes if len(chain) == 2 else compare(before, after)
        if after.system is CodeSystem.HCPCS:
            from updater.verify.hcpcs_actions import reconcile

            results.append(reconcile(changes, before, after))
        elif after.publisher_changes is not None:
            from updater.verify.icd_addenda import verify_addenda

            summary = diff.summary if len(chain) == 2 else None
            results.append(verify_addenda(changes, before, after, after.publisher_changes,
                                          summary))
    return results
