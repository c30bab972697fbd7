"""What counts as a revision of a title: the one rule shared by the diff, the history and
the checks against the publishers' own change lists.

- A title change the publisher's change list for the step lists is a revision (kind
  ``revised``), with the scope the list gives (both titles, long only, short only): the
  ``Revise from:``/``Revise to:`` pair says which titles changed. One the list does not
  list is ``cosmetic``: the publisher does not count it (it is still reported, by code,
  as "in the files, not in the publisher's list").
- Without a list every title change is a revision. One that changes whitespace or letter
  case only is marked ``cosmetic=True`` so that a reader can filter it; its scope is the
  titles that changed in substance, or every changed title when none did.

The CDC has counted whitespace-only fixes as revisions in some years and not in others,
which is why the list decides and no whitespace rule is hard-coded here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from updater.model import CODE, LONG, MEDIUM, RECORD, SHORT, PublisherChanges
from updater.vocabulary import ChangeKind, RevisionScope

TITLES = (SHORT, LONG, MEDIUM)
REVISE_FROM, REVISE_TO = "revise_from", "revise_to"


def folded(title: str) -> str:
    """A title with whitespace collapsed and letter case ignored: what is left is substance."""
    return " ".join(title.split()).lower()


def same_in_substance(old: str, new: str) -> bool:
    """True when two titles differ in whitespace or letter case only (or not at all)."""
    return folded(old) == folded(new)


def folded_titles(titles: pd.Series) -> pd.Series:
    """``folded`` over a column (Python's notion of whitespace, as ``folded`` has it)."""
    return titles.fillna("").astype(object).map(folded)


def scope_of(long: np.ndarray, short: np.ndarray, medium: np.ndarray | None = None
             ) -> np.ndarray:
    """The revision scope of each row from which titles changed ("" when none did)."""
    medium = np.zeros(len(long), dtype=bool) if medium is None else medium
    return np.select(
        [long & short, long, short, medium],
        [RevisionScope.BOTH.value, RevisionScope.LONG.value, RevisionScope.SHORT.value,
         RevisionScope.MEDIUM.value], default="").astype(object)


def listed_revisions(changes: PublisherChanges) -> pd.DataFrame:
    """The publisher's revisions: ``code``, ``record``, ``revision`` (the scope its
    ``Revise from``/``Revise to`` pair gives: the titles that differ between the two lines),
    ``line`` (of the ``Revise to`` line)."""
    e = changes.entries
    action = e["action"].to_numpy(dtype=object)
    code, record = e[CODE].to_numpy(dtype=object), e[RECORD].to_numpy(dtype=object)
    short, long_ = e[SHORT].to_numpy(dtype=object), e[LONG].to_numpy(dtype=object)
    key = code + "\x1f" + record
    frm, to = np.flatnonzero(action == REVISE_FROM), np.flatnonzero(action == REVISE_TO)
    frm, to = frm[~pd.Index(key[frm]).duplicated()], to[~pd.Index(key[to]).duplicated()]
    at = pd.Index(key[frm]).get_indexer(key[to]) if len(frm) else np.full(len(to), -1)
    paired = at >= 0
    src = frm[np.where(paired, at, 0)] if len(frm) else to
    long_changed = ~paired | (long_[to] != long_[src])
    short_changed = ~paired | (short[to] != short[src])
    return pd.DataFrame({CODE: code[to], RECORD: record[to],
                         "revision": scope_of(long_changed, short_changed),
                         "line": e["line"].to_numpy()[to]})


def decide(changed: pd.DataFrame, listed: pd.DataFrame | None) -> pd.DataFrame:
    """``kind``, ``revision`` and ``cosmetic`` for rows whose titles changed.

    ``changed`` has ``code``, ``record`` and ``{title}_old``/``{title}_new`` for each title
    both releases have; ``listed`` is ``listed_revisions`` of the publisher's list for
    this step, or None when no list applies to it.
    """
    titles = [t for t in TITLES if f"{t}_old" in changed and f"{t}_new" in changed]
    n = len(changed)
    raw: dict[str, np.ndarray] = {}
    real: dict[str, np.ndarray] = {}
    for t in titles:
        old, new = changed[f"{t}_old"].fillna(""), changed[f"{t}_new"].fillna("")
        raw[t] = (old != new).to_numpy()
        real[t] = raw[t] & (folded_titles(old) != folded_titles(new)).to_numpy()
    none = np.zeros(n, dtype=bool)

    def scope(by: dict[str, np.ndarray]) -> np.ndarray:
        return scope_of(by.get(LONG, none), by.get(SHORT, none), by.get(MEDIUM, none))

    substantive = np.zeros(n, dtype=bool)
    for t in titles:
        substantive |= real[t]
    cosmetic = ~substantive
    own_scope = np.where(substantive, scope(real), scope(raw))
    if listed is None:
        kind = np.full(n, ChangeKind.REVISED.value, dtype=object)
        revision = own_scope
    else:
        scope_given = dict(zip(_keys(listed), listed["revision"], strict=True))
        given = np.array([scope_given.get(k) for k in _keys(changed)], dtype=object)
        on_list = given != None  # noqa: E711 - elementwise
        kind = np.where(on_list, ChangeKind.REVISED.value, ChangeKind.COSMETIC.value)
        revision = np.where(on_list, given, "")
    return pd.DataFrame({"kind": kind, "revision": revision, "cosmetic": cosmetic},
                        index=changed.index)


def _keys(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(code, record) of each row, for the few rows of a step's title changes."""
    return list(zip(frame[CODE].astype(str), frame[RECORD].astype(str), strict=True))


def substantive_title_change(changes: pd.DataFrame) -> pd.Series:
    """Change rows whose titles changed in substance, whatever the publisher counted: the
    ones a chargemaster description or a coder may need to follow."""
    kinds = changes["kind"].isin([ChangeKind.REVISED.value, ChangeKind.COSMETIC.value])
    cosmetic = changes["cosmetic"] if "cosmetic" in changes else pd.Series(
        changes["kind"] == ChangeKind.COSMETIC.value, index=changes.index)
    return kinds & ~cosmetic.fillna(False).astype(bool)
