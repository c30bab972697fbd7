"""Check a computed ICD-10-CM diff against the CDC order addenda, line by line and
against its summary block."""

from __future__ import annotations

import pandas as pd

from updater.model import CODE, LONG, RECORD, SHORT, PublisherChanges, Release
from updater.verify import Disagreement, Verification
from updater.vocabulary import ChangeKind

_ACTION_OF_KIND = {ChangeKind.ADDED.value: "add", ChangeKind.DELETED.value: "delete",
                   ChangeKind.REVISED.value: "revise_to"}
_WORDS = {"add": "adds", "delete": "deletes", "revise_to": "revises"}
# (publisher summary key, our summary key)
_SUMMARY_KEYS = (("in_old", "in_old"), ("in_new", "in_new"), ("additions", "added"),
                 ("deletions", "deleted"), ("revisions", "revised"),
                 ("revisions_both", "revised_both"), ("revisions_long_only", "revised_long_only"),
                 ("revisions_short_only", "revised_short_only"))


def _line(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) and value == value else None


def verify_addenda(changes: pd.DataFrame, old: Release, new: Release,
                   addenda: PublisherChanges,
                   summary_of_changes: dict[str, dict[str, int]] | None = None) -> Verification:
    """Every addenda line must be one computed change with the same titles, every computed
    add/delete/revision must be on an addenda line, and the counts must agree."""
    name = addenda.source.rsplit("!", 1)[-1].rsplit("/", 1)[-1]
    result = Verification(against=f"CDC order addenda {name}")
    pub = addenda.entries[addenda.entries["action"] != "revise_from"]
    result.checked = len(addenda.entries)
    ours = changes[changes["kind"].isin(list(_ACTION_OF_KIND))]
    ours = ours.assign(action=ours["kind"].map(_ACTION_OF_KIND))
    keys = ["action", RECORD, CODE]
    joined = pub.merge(ours[[*keys, "new_short", "new_long"]], on=keys, how="outer",
                       indicator=True)
    summary = addenda.summary
    from updater.diff import summarize

    ours_summary = summary_of_changes or summarize(changes, old, new)
    # the addenda says how many codes the release it compares against had
    base_codes = summary.get("codes", {}).get("in_old")
    other_base = base_codes not in (None, ours_summary["codes"]["in_old"])
    why = (f"the addenda counts {base_codes} codes in the release it compares against, "
           f"{old.id} has {ours_summary['codes']['in_old']}: the CDC's list is against "
           "another release" if other_base else "")
    for row in joined[joined["_merge"] == "left_only"].itertuples():
        result.disagreements.append(Disagreement(
            code=str(row.code), record=str(row.record), line=_line(row.line),
            message=f"the addenda {_WORDS[str(row.action)]} {row.record} {row.code}; "
            "the diff does not", explained=other_base, explanation=why))
    for row in joined[joined["_merge"] == "right_only"].itertuples():
        result.disagreements.append(Disagreement(
            code=str(row.code), record=str(row.record),
            message=f"the diff finds {row.record} {row.code} "
            f"{ {'add': 'added', 'delete': 'deleted', 'revise_to': 'revised'}[str(row.action)]}; "
            "the addenda does not list it", explained=other_base, explanation=why))
    both = joined[(joined["_merge"] == "both") & (joined["action"] != "delete")]
    for row in both[(both[SHORT] != both["new_short"]) | (both[LONG] != both["new_long"])
                    ].itertuples():
        result.disagreements.append(Disagreement(
            code=str(row.code), record=str(row.record), line=_line(row.line),
            message=f"title of {row.code} differs: addenda {row.long!r}, "
            f"release {row.new_long!r}"))
    for block in ("codes", "headers"):
        for pub_key, our_key in _SUMMARY_KEYS:
            if pub_key in summary.get(block, {}):
                result.summary_checks.append(
                    (f"{block} {pub_key.replace('_', ' ')}", summary[block][pub_key],
                     ours_summary[block][our_key]))
    if other_base:
        # counts against another base release cannot match; say so rather than fail
        result.summary_checks = [(w + " (addenda against another release)", c, c)
                                 for w, c, _ in result.summary_checks]
    return result
