"""Changed instructional notes between two ICD-10-CM tabular releases: the excludes1,
code first, use additional code ... notes coders are trained on.

One change row per element (code, header, section or chapter) and note type whose notes
differ, with the notes added and removed: ``fields`` is ``{type: {"added": [...],
"removed": [...]}}`` and ``note`` the type. Notes are compared as published, each type as
a set (the order of an element's notes is not a change). Notes are compared only when
both releases have them (read from the tabular XML); the notes of a code or header that
is gone from the newer release go with it and are not listed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from updater.model import CODE, LONG, RECORD, Release
from updater.vocabulary import ChangeKind, NoteType, RecordType

_LEVELS = {RecordType.CHAPTER.value: 0, RecordType.SECTION.value: 1}  # else 2: a diag
_TYPE_ORDER = {t.value: i for i, t in enumerate(NoteType)}
_KEY = ["level", CODE, "type"]


def compared(old: Release, new: Release) -> bool:
    """Whether the notes of these releases can be compared (both have them)."""
    return old.notes is not None and new.notes is not None


def not_compared_reason(old: Release, new: Release) -> str:
    """Why a diff shows no notes changes when one side has notes, else ``""``."""
    if compared(old, new) or (old.notes is None and new.notes is None):
        return ""
    missing = old if old.notes is None else new
    return (f"instructional notes not compared: {missing.version} was not read from the "
            "CDC's tabular XML")


def _keyed(notes: pd.DataFrame) -> pd.DataFrame:
    level = notes[RECORD].map(_LEVELS).fillna(2).astype(int)
    return notes.assign(level=level, _seq=np.arange(len(notes))).drop_duplicates(
        [*_KEY, "text"])


def _lists(rows: pd.DataFrame, seq: str) -> pd.Series:
    """The texts of each key, in the publisher's order."""
    if rows.empty:
        return pd.Series([], dtype=object)
    return rows.sort_values(seq).groupby(_KEY, sort=False)["text"].agg(list)


def note_changes(old: Release, new: Release) -> pd.DataFrame:
    """The ``notes`` change rows from ``old`` to ``new`` (empty when not ``compared``)."""
    columns = [CODE, "display", RECORD, "kind", "old_long", "new_long", "fields", "note"]
    if old.notes is None or new.notes is None:
        return pd.DataFrame(columns=columns)
    o, n = _keyed(old.notes), _keyed(new.notes)
    merged = o[[*_KEY, "text", "_seq"]].merge(n[[*_KEY, "text", "_seq"]], on=[*_KEY, "text"],
                                              how="outer", indicator=True,
                                              suffixes=("_old", "_new"))
    side = merged.pop("_merge").to_numpy()
    removed = _lists(merged[side == "left_only"], "_seq_old")
    added = _lists(merged[side == "right_only"], "_seq_new")
    keys = removed.index.union(added.index) if len(removed) or len(added) else None
    if keys is None or not len(keys):
        return pd.DataFrame(columns=columns)
    rows = pd.DataFrame(index=keys).reset_index()
    rows["added"] = added.reindex(keys).to_numpy()
    rows["removed"] = removed.reindex(keys).to_numpy()
    # a code or header gone from the newer release takes its notes with it
    gone = (rows["level"] == 2) & ~rows[CODE].isin(new.table[CODE]) & rows["added"].isna()
    rows = rows[~gone]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    element = _KEY[:2]
    first_new = n.drop_duplicates(element).set_index(element)
    first_old = o.drop_duplicates(element).set_index(element)
    at = pd.MultiIndex.from_frame(rows[element])
    for col in ("display", RECORD):
        rows[col] = first_new[col].reindex(at).fillna(first_old[col].reindex(at)).to_numpy()
    for which, release, first in (("old", old, first_old), ("new", new, first_new)):
        # an element whose notes all went is titled by its release's table
        titles = release.table.drop_duplicates(CODE).set_index(CODE)[LONG]
        by_code = rows[CODE].map(titles).where(rows["level"] == 2)
        rows[f"{which}_long"] = first["title"].reindex(at).fillna(
            pd.Series(by_code.to_numpy(), index=at)).fillna("").to_numpy()
    rows["fields"] = pd.Series([
        {str(t): {"added": a if isinstance(a, list) else [],
                  "removed": r if isinstance(r, list) else []}}
        for t, a, r in zip(rows["type"], rows["added"], rows["removed"], strict=True)],
        index=rows.index, dtype=object)
    rows["kind"] = ChangeKind.NOTES.value
    rows["note"] = rows["type"]
    start = rows[CODE].str.split("-").str[0]
    rank = rows["type"].map(_TYPE_ORDER).fillna(len(_TYPE_ORDER))
    rows = rows.assign(_start=start, _rank=rank).sort_values(
        ["_start", "level", CODE, "_rank", "type"], kind="stable")
    out = rows[columns].reset_index(drop=True)
    text = [c for c in columns if c != "fields"]
    out[text] = out[text].astype("str")
    return out


def notes_summary(changes: pd.DataFrame) -> dict[str, int]:
    """The counts of the ``notes`` rows: rows, elements, notes added and removed."""
    rows = changes[changes["kind"] == ChangeKind.NOTES.value]
    texts: list[Any] = [next(iter(f.values())) for f in rows["fields"]]
    return {"changed": len(rows),
            "elements": int(rows[[RECORD, CODE]].drop_duplicates().shape[0]),
            "added": sum(len(t["added"]) for t in texts),
            "removed": sum(len(t["removed"]) for t in texts)}
