"""Diff two releases of one code set into the kinds of change compliance staff review.

Each step between stored releases is compared (``updater.releases.compare``), the steps'
title changes are netted into one kind per code (a revision when some step counted it as
one), every change names the releases it came through, and each step is checked against
its publisher's own change list (``updater.releases.verify``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from updater.errors import UpdaterError
from updater.model import CODE, RECORD, Release
from updater.releases.compare import check_comparable, compare, step_changes, summarize
from updater.releases.verify import Verification
from updater.releases.verify.run import verify_chain
from updater.revisions import scope_of
from updater.vocabulary import ChangeKind, RevisionScope


@dataclass
class Diff:
    """The change from ``old`` to ``new``: one row per change, and the publisher-style counts."""

    old: Release
    new: Release
    changes: pd.DataFrame
    summary: dict[str, dict[str, int]]
    steps: list[str] = field(default_factory=list)  # release ids the change came through
    verifications: list[Verification] = field(default_factory=list)

    @property
    def verified(self) -> bool | None:
        """True when every check passed, False when one failed, None when none was possible."""
        if not self.verifications:
            return None
        return all(v.ok for v in self.verifications)

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON shape of ``updater diff --json``."""
        rows = self.changes.astype(object).where(self.changes.notna(), None)
        return {
            "old": self.old.describe(),
            "new": self.new.describe(),
            "steps": self.steps,
            "summary": self.summary,
            "verification": [v.as_dict() for v in self.verifications],
            "changes": rows.to_dict(orient="records"),
        }


def _through(steps: list[Release], net: pd.DataFrame, step_changes: list[pd.DataFrame]
             ) -> pd.Series:
    """For each net change, the releases it came through: ``FY2024 added; FY2025 revised``."""
    pieces = [pd.DataFrame({CODE: step[CODE], "label": after.version + " " + step["kind"]})
              for after, step in zip(steps[1:], step_changes, strict=True)]
    if not pieces:
        return net["via"]
    labels = pd.concat(pieces, ignore_index=True).drop_duplicates()
    by_code = labels.groupby(CODE, sort=False)["label"].agg("; ".join)
    return net[CODE].map(by_code).fillna(net["via"])


def _net_titles(net: pd.DataFrame, steps: list[pd.DataFrame]) -> pd.DataFrame:
    """Kinds of the net title changes across several steps: a revision when some step
    counted it as one (scope: the titles those steps revised), cosmetic when every step
    that changed the titles left it uncounted."""
    titled = net["kind"].isin([ChangeKind.REVISED.value, ChangeKind.COSMETIC.value])
    if not titled.any():
        return net
    rows = pd.concat([s[s["kind"].isin([ChangeKind.REVISED.value, ChangeKind.COSMETIC.value])]
                      for s in steps], ignore_index=True)
    key = rows[CODE] + "\x1f" + rows[RECORD]
    revised = rows["kind"] == ChangeKind.REVISED.value
    long_ = rows["revision"].isin([RevisionScope.BOTH.value, RevisionScope.LONG.value])
    short = rows["revision"].isin([RevisionScope.BOTH.value, RevisionScope.SHORT.value])
    medium = rows["revision"] == RevisionScope.MEDIUM.value
    agg = pd.DataFrame({"key": key, "revised": revised, "long": long_ & revised,
                        "short": short & revised, "medium": medium & revised}
                       ).groupby("key").any()
    net_key = net[CODE] + "\x1f" + net[RECORD]
    found = agg.reindex(net_key[titled]).fillna(False).astype(bool)
    known = net_key[titled].isin(agg.index).to_numpy()
    scope = scope_of(found["long"].to_numpy(), found["short"].to_numpy(),
                     found["medium"].to_numpy())
    out = net.copy()
    at = np.flatnonzero(titled.to_numpy())[known]
    is_revised = found["revised"].to_numpy()[known]
    out.loc[out.index[at], "kind"] = np.where(is_revised, ChangeKind.REVISED.value,
                                              ChangeKind.COSMETIC.value)
    out.loc[out.index[at], "revision"] = np.where(is_revised, scope[known], "")
    return out


def check_order(old: Release, new: Release, *, reverse: bool = False) -> None:
    """Refuse a diff of a release with itself, and one that goes back in time unless
    ``reverse`` asks for exactly that."""
    check_comparable(old, new)
    same_files = bool(old.sources) and {s.sha256 for s in old.sources} == {
        s.sha256 for s in new.sources}
    if old.id == new.id or old.effective == new.effective or same_files:
        why = (f"both sides are {old.id}" if old.id == new.id else
               "both sides are read from the same files" if same_files else
               f"{old.id} and {new.id} both take effect {old.effective.isoformat()}")
        raise UpdaterError(
            f"cannot diff a release with itself: {why}",
            hint="give two different releases; an option that describes one side is given "
                 "for that side (--old-effective, --new-effective, --old-label, --new-label)")
    if old.effective > new.effective and not reverse:
        raise UpdaterError(
            f"OLD {old.id} (effective {old.effective.isoformat()}) is newer than NEW {new.id} "
            f"(effective {new.effective.isoformat()})",
            hint="give the older release first, or add --reverse to see the changes going "
                 "back in time")
    if old.effective < new.effective and reverse:
        raise UpdaterError(
            f"--reverse, but OLD {old.id} (effective {old.effective.isoformat()}) is already "
            f"older than NEW {new.id} (effective {new.effective.isoformat()})",
            hint="leave out --reverse")


def diff_releases(old: Release, new: Release, *, steps: list[Release] | None = None,
                  verify: bool = True, reverse: bool = False) -> Diff:
    """The net change from ``old`` to ``new``.

    ``steps`` are the stored releases in between (in the order of the diff); each change
    then says through which of them it came, and each step is verified against its own
    publisher change list. Without steps, ``new`` is taken to follow ``old`` directly.
    ``reverse`` allows ``old`` to be the newer release (the changes going back).
    """
    check_order(old, new, reverse=reverse)
    chain = [old, *(steps or []), new]
    per_step = [step_changes(a, b) for a, b in itertools.pairwise(chain)]
    if steps:
        changes = _net_titles(compare(old, new), per_step)
        changes["via"] = _through(chain, changes, per_step)
    else:
        changes = per_step[0]
    diff = Diff(old=old, new=new, changes=changes, summary=summarize(changes, old, new),
                steps=[r.id for r in chain[1:]])
    if verify:
        diff.verifications = verify_chain(chain, changes, diff.summary, per_step)
    return diff
