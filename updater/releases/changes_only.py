"""Apply a changes-only release (CDC order addenda on its own) onto the release before it.

Publishers sometimes ship only the list of changes, or a user has only that file at hand.
Applied onto the full release it follows, it gives the full release the diff, the store
and the history work with, while the publisher's own list stays attached so the diff can
still be verified against it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from updater.errors import UpdaterError
from updater.model import CODE, LONG, RECORD, SHORT, Release
from updater.vocabulary import ReleaseKind

KEY = [CODE, RECORD]
APPLIED_ONTO = "applied_onto"  # Release.extra key: the id of the base release


def apply_changes(base: Release, partial: Release) -> Release:
    """``partial`` (kind CHANGES) applied onto ``base``: a full release labelled as ``partial``.

    Keyed by (code, record): ``delete`` removes the row, ``revise_to`` sets its titles,
    ``add`` inserts it. Every inconsistency names the line of the change list, since that
    is the file the user can open.
    """
    changes = partial.publisher_changes
    file = changes.source if changes is not None else (
        partial.sources[0].name if partial.sources else partial.id)
    _check_pair(base, partial, file)
    if changes is None:
        raise UpdaterError(f"{partial.id} carries no list of changes to apply", file=file,
                           hint="import the full release instead")
    entries = changes.entries
    table = base.table
    _check_unique_actions(entries, file)
    have = _key(table)
    deletes = entries.loc[entries["action"] == "delete", [*KEY, "line"]]
    revise_from = entries.loc[entries["action"] == "revise_from", [*KEY, "line"]]
    revise_to = entries.loc[entries["action"] == "revise_to", [*KEY, SHORT, LONG, "line"]]
    adds = entries.loc[entries["action"] == "add", [*KEY, SHORT, LONG, "line"]]

    gone = pc.is_in(have, value_set=_key(deletes)).to_numpy(zero_copy_only=False)
    kept = table.loc[~gone]
    problems = [
        _missing(have, deletes, "deletes", base), _missing(have, revise_from, "revises", base),
        _missing(have, revise_to, "revises", base), _already_there(kept, adds, base)]
    found = [p for p in problems if p is not None]
    if found:  # the first problem in the file, whatever its kind
        line, message = min(found)
        raise UpdaterError(message, file=file, line=line,
                           hint=f"is this change list meant to follow {base.id}? apply it onto "
                                "the release just before it")
    kept = _revise(kept, revise_to)
    result = _insert(kept, adds.drop(columns="line"))
    return replace(
        partial, table=result, kind=ReleaseKind.FULL,
        extra={**partial.extra, APPLIED_ONTO: base.id})


def _check_pair(base: Release, partial: Release, file: str) -> None:
    if partial.kind is not ReleaseKind.CHANGES:
        raise UpdaterError(f"{partial.id} is a full release, not a list of changes", file=file,
                           hint="only a changes-only release (order addenda) is applied onto "
                                "another one")
    if base.kind is not ReleaseKind.FULL:
        raise UpdaterError(f"{base.id} is itself only a list of changes", file=file,
                           hint="apply changes onto a full release")
    if partial.system is not base.system:
        raise UpdaterError(
            f"a {partial.system.label} change list cannot be applied onto {base.id} "
            f"({base.system.label})", file=file,
            hint=f"apply it onto a {partial.system.label} release")
    if partial.effective <= base.effective:
        raise UpdaterError(
            f"{partial.id} takes effect {partial.effective.isoformat()}, not after {base.id} "
            f"({base.effective.isoformat()})", file=file,
            hint="a change list applies onto the release before it: a mid-year update named "
                 "for its fiscal year needs its date (--new-effective YYYY-MM-DD for diff, "
                 "--effective for import); else choose an earlier base release")


def _check_unique_actions(entries: pd.DataFrame, file: str) -> None:
    """A code is added, deleted or revised at most once per record type in one list."""
    dup = entries.duplicated(subset=["action", *KEY], keep="first").to_numpy()
    if dup.any():
        row = entries.iloc[int(np.flatnonzero(dup)[0])]
        raise UpdaterError(f"{row[CODE]} is listed twice as '{row['action']}'", file=file,
                           line=int(row["line"]),
                           hint="each change may appear once; re-download the change list")


def _key(frame: pd.DataFrame) -> pa.Array:
    """(code, record) as one Arrow string, so membership is one hash lookup per row."""
    return pc.binary_join_element_wise(
        pa.array(frame[CODE], type=pa.string()), pa.array(frame[RECORD], type=pa.string()),
        "\x1f")


def _missing(have: pa.Array, keys: pd.DataFrame, verb: str, base: Release
             ) -> tuple[int, str] | None:
    """The first deleted or revised (code, record) the base release does not have."""
    if keys.empty:
        return None
    wanted = _key(keys)
    found = have.filter(pc.is_in(have, value_set=wanted))  # hash the few keys, not the table
    present = pc.is_in(wanted, value_set=found).to_numpy(zero_copy_only=False)
    if present.all():
        return None
    row = keys.iloc[int(np.flatnonzero(~present)[0])]
    return int(row["line"]), f"{verb} {row[CODE]} ({row[RECORD]}), which {base.id} does not have"


def _already_there(kept: pd.DataFrame, adds: pd.DataFrame, base: Release
                   ) -> tuple[int, str] | None:
    """The first added code the base release still has (under any record type)."""
    if adds.empty:
        return None
    clash = pc.is_in(pa.array(adds[CODE], type=pa.string()),
                     value_set=pa.array(kept[CODE], type=pa.string())).to_numpy(
                         zero_copy_only=False)
    if not clash.any():
        return None
    row = adds.iloc[int(np.flatnonzero(clash)[0])]
    had = kept.loc[kept[CODE] == row[CODE], RECORD].iat[0]
    return (int(row["line"]),
            f"adds {row[CODE]} as a {row[RECORD]}, but {base.id} already has it as a {had}")


def _revise(table: pd.DataFrame, revise_to: pd.DataFrame) -> pd.DataFrame:
    """Set the titles of the revised rows; every other column stays as it was."""
    if revise_to.empty:
        return table
    at = pc.index_in(_key(table), value_set=_key(revise_to))  # null where not revised
    out = table.copy()
    for col in (SHORT, LONG):
        titles = pa.array(revise_to[col], type=pa.string()).take(at)
        current = pa.array(table[col], type=pa.string())
        merged = pc.coalesce(titles, current)
        out[col] = pd.array(merged, dtype=table[col].dtype)
    return out


def _insert(table: pd.DataFrame, adds: pd.DataFrame) -> pd.DataFrame:
    """Add rows, each placed after the code that precedes it in code order.

    Publishers list codes in tabular order (``C4A`` before ``C44``), which plain sorting
    does not reproduce; placing a new code after its nearest predecessor keeps the base
    release's order and puts new children under their parent.
    """
    if adds.empty:
        return table.reset_index(drop=True)
    adds = adds.reindex(columns=table.columns, fill_value="").astype(table.dtypes.to_dict())
    both = pd.concat([table.reset_index(drop=True), adds], ignore_index=True)
    position = np.concatenate([np.arange(len(table), dtype=float),
                               np.full(len(adds), np.nan)])
    by_code = np.argsort(both[CODE].to_numpy(dtype=object), kind="stable")
    placed = pd.Series(position[by_code]).ffill().fillna(-1).to_numpy()
    anchor = np.empty(len(both))
    anchor[by_code] = placed
    rank = np.empty(len(both))
    rank[by_code] = np.arange(len(both))
    is_added = np.isnan(position)
    order = np.lexsort((rank, is_added, anchor))
    return both.iloc[order].reset_index(drop=True)
