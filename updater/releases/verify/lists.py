"""Which publisher change list describes a step between two releases, and whether it
counts from the step's older side.

A CDC order addenda lists the changes from the release it counts from (its summary says
how many codes and headers that release had, and names its file) to the release it ships
with. It decides the kinds of change of a step, and can be checked line by line, only
when it counts from the step's OLD release; otherwise it is against another base (the
January 2021 list counts from FY2020, the FY2023 list from the April 2022 update) and
only what it says about NEW can be checked. A step taken backwards (``--reverse``) is
described by the newer release's list read the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from updater.model import CODE, RECORD, PublisherChanges, Release
from updater.releases.versions import infer_version
from updater.revisions import REVISE_FROM, REVISE_TO
from updater.vocabulary import CodeSystem, RecordType

_INVERSE = {"add": "delete", "delete": "add", REVISE_FROM: REVISE_TO, REVISE_TO: REVISE_FROM}
_BLOCKS = (("codes", RecordType.CODE), ("headers", RecordType.HEADER))


@dataclass(frozen=True)
class StepList:
    """The publisher's list for one step ``before -> after``, oriented that way."""

    changes: PublisherChanges
    counts_from_before: bool  # the list counts from ``before``: it can decide and be checked
    reason: str = ""  # why it cannot, in words for people ("" when it can)
    reversed: bool = False  # read the other way round (a step taken backwards)


def record_counts(release: Release) -> dict[str, int]:
    """``{"codes": n, "headers": m}`` as the CDC's summary counts them."""
    counts = release.table[RECORD].value_counts()
    return {block: int(counts.get(record.value, 0)) for block, record in _BLOCKS}


def invert(changes: PublisherChanges) -> PublisherChanges:
    """The list read backwards: additions become deletions, ``Revise to`` lines ``Revise
    from`` lines, and the summary counts from the release the list shipped with."""
    entries = changes.entries.assign(action=changes.entries["action"].map(_INVERSE))
    swap = {"in_old": "in_new", "in_new": "in_old", "additions": "deletions",
            "deletions": "additions"}
    summary = {block: {swap.get(k, k): v for k, v in counts.items()}
               for block, counts in changes.summary.items()}
    files = {"old": changes.files["new"], "new": changes.files["old"]} if (
        "old" in changes.files and "new" in changes.files) else {}
    return replace(changes, entries=entries, summary=summary, files=files,
                   source=f"{changes.source} (read backwards)")


def step_list(before: Release, after: Release) -> StepList | None:
    """The list that describes ``before -> after``, if either release carries one: the
    newer release's own list, read backwards when the step goes back in time."""
    backwards = before.effective > after.effective
    carrier = before if backwards else after
    own = carrier.publisher_changes
    if own is None or not is_addenda_form(own):
        return None
    base, side = (after, "NEW") if backwards else (before, "OLD")
    fits = counts_from(own, base)
    counted_from = base_label(own, base.system, base.version)
    reason = "" if fits else (f"the CDC list counts from {counted_from}; {side} is "
                              f"{_counted(base)}: cannot verify line by line")
    return StepList(changes=invert(own) if backwards else own, counts_from_before=fits,
                    reason=reason, reversed=backwards)


def is_addenda_form(changes: PublisherChanges) -> bool:
    """A list of additions, deletions and Revise from/to pairs with a summary or lines (the
    CDC's order addenda), which can decide a step's kinds; CMS's transaction report, with
    its action letters, is reconciled by ``hcpcs_actions`` instead."""
    actions = set(changes.entries["action"].unique()) if len(changes.entries) else set()
    return actions <= set(_INVERSE) and bool(actions or changes.summary)


def counts_from(changes: PublisherChanges, release: Release) -> bool:
    """Whether the list counts from ``release``: by the summary's counts of the release
    it counts from; a list without counts fits when every code it deletes or revises is
    in ``release`` and none it adds is."""
    by_counts = summary_counts_from(changes.summary, record_counts(release))
    if by_counts is not None:
        return by_counts
    entries = changes.entries
    keys = pd.MultiIndex.from_frame(release.table[[CODE, RECORD]].astype(str))
    listed = pd.MultiIndex.from_frame(entries[[CODE, RECORD]].astype(str))
    present = listed.isin(keys)
    action = entries["action"].to_numpy()
    needs = (action == "delete") | (action == REVISE_FROM)
    return bool(present[needs].all() and not present[action == "add"].any())


def summary_counts_from(summary: dict[str, dict[str, int]], have: dict[str, int]
                        ) -> bool | None:
    """Whether a summary's counts of the release it counts from are ``have``
    (``{"codes": n, "headers": m}``); the codes count may include the headers when the
    summary has no headers block. None when the summary gives no such counts."""
    stated = {b: summary.get(b, {}).get("in_old") for b, _ in _BLOCKS}
    if stated["headers"] is None and stated["codes"] is not None:
        return stated["codes"] in (have["codes"], have["codes"] + have["headers"])
    if all(v is None for v in stated.values()):
        return None
    return all(v is None or v == have[b] for b, v in stated.items())


def base_label(changes: PublisherChanges, system: CodeSystem, unlike: str = "") -> str:
    """The release a list counts from, as people name it: ``FY2020`` from the file its
    summary names (unless that is ``unlike``, the release it was found not to be), else
    by its counts (``a release with 71486 codes and 22344 headers``)."""
    name = changes.files.get("old", "")
    inferred = infer_version(system, [name]) if name else None
    stated = {b: changes.summary.get(b, {}).get("in_old") for b, _ in _BLOCKS}
    counts = " and ".join(_count(v, b) for b, v in stated.items() if v is not None)
    if inferred and inferred[0] != unlike:
        return f"{inferred[0]} ({name}{': ' + counts if counts else ''})"
    named = f" ({name})" if name else ""
    return f"a release with {counts}{named}" if counts else f"another release{named}"


def _count(n: int, block: str) -> str:
    return f"{n} {block if n != 1 else block.removesuffix('s')}"


def _counted(release: Release) -> str:
    have = record_counts(release)
    return (f"{release.version} ({_count(have['codes'], 'codes')} and "
            f"{_count(have['headers'], 'headers')})")
