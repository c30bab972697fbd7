"""The change rows between two releases and the counts the publisher would give them.

The comparison is one outer join of the two normalized tables on (code, record), so a
code that became a header shows as the publisher shows it: the billable code deleted,
a header added, and an ``expanded`` row listing its new billable children. Titles are
compared as published; what counts as a revision is ``updater.revisions``' one rule: the
publisher's change list for the step decides, and without one a change in whitespace or
letter case only is a revision marked ``cosmetic``. One step, no chaining and no
verification: ``updater.releases.diff`` builds the diff over several steps from these rows
and has each step checked (``updater.releases.verify``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from updater.codes import display_codes
from updater.errors import UpdaterError
from updater.model import (
    ACTION_CODE,
    ACTION_EFFECTIVE_DATE,
    ADD_DATE,
    BOOKKEEPING_COLUMNS,
    CODE,
    LONG,
    RECORD,
    SHORT,
    TERMINATION_DATE,
    Release,
)
from updater.releases.notes import compared, note_changes, notes_summary
from updater.releases.verify.lists import step_list
from updater.revisions import TITLES, decide, listed_revisions
from updater.vocabulary import ChangeKind, RecordType, ReleaseKind, RevisionScope

CHANGE_COLUMNS = ("code", "display", "record", "kind", "revision", "cosmetic", "old_short",
                  "new_short", "old_long", "new_long", "children", "fields", "note", "via")
# note on a deleted HCPCS code that was discontinued long before (CMS keeps them four years)
ALREADY_DISCONTINUED = "no longer listed; discontinued "


def _is_terminated(table: pd.DataFrame, release: Release) -> pd.Series:
    """HCPCS: a TERM DT on or before the release's effective date."""
    if TERMINATION_DATE not in table:
        return pd.Series(False, index=table.index)
    term = table[TERMINATION_DATE].fillna("")
    return (term != "") & (term <= release.effective.isoformat())


def _title_changes(both: pd.DataFrame, listed: pd.DataFrame | None,
                   unshared: frozenset[str]) -> pd.DataFrame:
    """Rows of codes present on both sides whose titles changed, with their kind, scope
    and cosmetic mark as ``revisions.decide`` gives them; ``unshared`` titles (one whole
    side has none) are not compared."""
    titles = [t for t in TITLES if f"{t}_old" in both and f"{t}_new" in both
              and t not in unshared]
    raw = np.zeros(len(both), dtype=bool)
    for t in titles:
        raw |= (both[f"{t}_old"] != both[f"{t}_new"]).to_numpy()
    changed = both[raw].copy()
    if changed.empty:
        return changed.assign(kind=[], revision=[], cosmetic=[])
    decided = decide(changed.drop(columns=[f"{t}_{side}" for t in unshared
                                           for side in ("old", "new")], errors="ignore"),
                     listed)
    return changed.assign(kind=decided["kind"], revision=decided["revision"],
                          cosmetic=decided["cosmetic"])


def _attribute_changes(both: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Rows whose other publisher fields (pricing, coverage, XREF ...) changed, with a
    field -> {old, new} dict for the few rows and fields that differ."""
    if not columns:
        return both.iloc[0:0].assign(fields=[])
    old = both[[f"{c}_old" for c in columns]].fillna("").to_numpy()
    new = both[[f"{c}_new" for c in columns]].fillna("").to_numpy()
    differs = (old != new).any(axis=1)
    rows = both[differs].copy()
    if rows.empty:
        return rows.assign(fields=[])
    names = np.array(columns)
    o, n = old[differs], new[differs]
    changed = o != n
    fields = [{str(name): {"old": str(a), "new": str(b)}  # changed rows and fields only
               for name, a, b in zip(names[m], ov[m], nv[m], strict=True)}
              for m, ov, nv in zip(changed, o, n, strict=True)]
    return rows.assign(fields=pd.Series(fields, index=rows.index, dtype=object))


def _children_of(expanded: pd.Index, added_codes: pd.Series) -> dict[str, list[str]]:
    """New billable descendants of each expanded code, by code prefix."""
    if expanded.empty or added_codes.empty:
        return {}
    parent = pd.Series("", index=added_codes.index)
    for k in range(3, int(added_codes.str.len().max())):
        prefix = added_codes.str.slice(0, k)
        parent = parent.mask(prefix.isin(expanded), prefix)
    found = added_codes[parent != ""]
    grouped = found.groupby(parent[parent != ""]).agg(list)
    return {str(k): [str(c) for c in v] for k, v in grouped.items()}


def _arrow(frame: pd.DataFrame, columns: list[str]) -> pa.Table:
    """The columns as one Arrow table (zero-copy for pandas' Arrow-backed strings)."""
    return pa.Table.from_pandas(frame[columns].fillna(""), preserve_index=False)


def _unshared_titles(o: pd.DataFrame, n: pd.DataFrame) -> frozenset[str]:
    """Title columns one whole release leaves blank (the tabular XML has no short titles, a
    codes file none either): comparing them would call every code revised."""
    return frozenset(t for t in TITLES if t in o and t in n
                     and not ((o[t].fillna("") != "").any() and (n[t].fillna("") != "").any()))


def _candidates(o: pd.DataFrame, n: pd.DataFrame, unshared: frozenset[str]
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows that may differ: a row identical on both sides is dropped before the join,
    so a full release pair joins a few hundred rows instead of 100,000. Rows with a
    termination date stay, since their status depends on each release's effective date.

    Codes are unique within a release, so rows are aligned by code (Arrow's hash lookup)
    and compared column by column over the aligned arrays.
    """
    columns = sorted(set(o.columns) & set(n.columns)
                     - {ACTION_CODE, ACTION_EFFECTIVE_DATE, ADD_DATE} - unshared)
    old, new = _arrow(o, columns), _arrow(n, columns)
    at = pc.index_in(old.column(CODE), value_set=new.column(CODE).combine_chunks())
    matched = pc.is_valid(at)
    positions = at.filter(matched)
    same = pa.array(np.ones(int(pc.sum(matched).as_py() or 0), dtype=bool))
    for c in columns:
        if c == CODE:
            continue
        equal = pc.equal(old.column(c).filter(matched), new.column(c).take(positions))
        same = pc.and_(same, equal.combine_chunks() if isinstance(equal, pa.ChunkedArray)
                       else equal)
    same_np = same.to_numpy(zero_copy_only=False)
    keep_o = np.ones(len(o), dtype=bool)
    keep_o[np.flatnonzero(matched.to_numpy(zero_copy_only=False))[same_np]] = False
    keep_n = np.ones(len(n), dtype=bool)
    keep_n[positions.to_numpy(zero_copy_only=False)[same_np]] = False
    if TERMINATION_DATE in o and TERMINATION_DATE in n:
        keep_o |= (o[TERMINATION_DATE].fillna("") != "").to_numpy()
        keep_n |= (n[TERMINATION_DATE].fillna("") != "").to_numpy()
    return o[keep_o], n[keep_n]


def compare(old: Release, new: Release, *, listed: pd.DataFrame | None = None) -> pd.DataFrame:
    """The change rows from ``old`` to ``new`` (no chaining, no verification); ``listed``
    is the publisher's revisions for this step (``revisions.listed_revisions``), which
    decide what is a revision, or None when no list applies."""
    check_comparable(old, new)
    keys = [CODE, RECORD]
    unshared = _unshared_titles(old.table, new.table)
    o, n = _candidates(old.table, new.table, unshared)
    merged = o.merge(n, on=keys, how="outer", suffixes=("_old", "_new"), indicator=True,
                     sort=False)
    side = merged.pop("_merge").to_numpy()
    only_old, only_new, both = (merged[side == "left_only"], merged[side == "right_only"],
                                merged[side == "both"])
    frames = []
    term_new_only = _is_terminated(only_new.rename(columns=lambda c: c.removesuffix("_new")), new)
    frames.append(only_new.assign(
        kind=np.where(term_new_only, ChangeKind.TERMINATED.value, ChangeKind.ADDED.value),
        note=np.where(term_new_only, "added and discontinued since the older release", "")))
    gone_before = _is_terminated(only_old.rename(columns=lambda c: c.removesuffix("_old")), old)
    frames.append(only_old.assign(kind=ChangeKind.DELETED.value, note=np.where(
        gone_before, ALREADY_DISCONTINUED + only_old.get(f"{TERMINATION_DATE}_old", ""), "")))
    titles = _title_changes(both, listed, unshared)
    frames.append(titles.assign(note=""))
    if TERMINATION_DATE in o and TERMINATION_DATE in n:
        t_old = _is_terminated(both.rename(columns={f"{TERMINATION_DATE}_old": TERMINATION_DATE}),
                               old)
        t_new = _is_terminated(both.rename(columns={f"{TERMINATION_DATE}_new": TERMINATION_DATE}),
                               new)
        frames.append(both[~t_old & t_new].assign(
            kind=ChangeKind.TERMINATED.value,
            note="TERM DT " + both[f"{TERMINATION_DATE}_new"][~t_old & t_new]))
        frames.append(both[t_old & ~t_new].assign(kind=ChangeKind.REINSTATED.value, note=""))
    attributes = sorted((set(o.columns) & set(n.columns)) - BOOKKEEPING_COLUMNS)
    frames.append(_attribute_changes(both, attributes).assign(
        kind=ChangeKind.ATTRIBUTES.value, note=""))

    # A billable code that became a header: the publisher's Delete 1 / Add 0 pair, plus
    # an "expanded" row naming its new billable children.
    deleted_codes = only_old.loc[only_old[RECORD] == RecordType.CODE.value, CODE]
    new_headers = only_new.loc[only_new[RECORD] == RecordType.HEADER.value, CODE]
    expanded = pd.Index(deleted_codes[deleted_codes.isin(new_headers)])
    added_codes = only_new.loc[only_new[RECORD] == RecordType.CODE.value, CODE]
    children = _children_of(expanded, added_codes)
    if len(expanded):
        rows = only_old[only_old[CODE].isin(expanded)
                        & (only_old[RECORD] == RecordType.CODE.value)]
        kids = rows[CODE].map(lambda c: ", ".join(children.get(c, [])))
        frames.append(rows.assign(kind=ChangeKind.EXPANDED.value, children=kids,
                                  note="became a header"))
    changes = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(
        len(f) for f in frames) else pd.DataFrame(columns=[*keys, "kind"])
    return _with_notes(_shape(changes, old, new), old, new)


def _with_notes(changes: pd.DataFrame, old: Release, new: Release) -> pd.DataFrame:
    """The changed instructional notes (``updater.releases.notes``), after the code changes."""
    notes = note_changes(old, new)
    if notes.empty:
        return changes
    notes = notes.assign(revision="", cosmetic=False, old_short="", new_short="", children="",
                         via=new.version)
    return pd.concat([changes, notes[list(CHANGE_COLUMNS)]], ignore_index=True)


def _shape(changes: pd.DataFrame, old: Release, new: Release) -> pd.DataFrame:
    """The documented change columns, sorted by code, in the publisher's kind order."""
    out = pd.DataFrame({CODE: changes[CODE].astype("str")})
    out["display"] = display_codes(out[CODE], new.system)
    out[RECORD] = changes[RECORD].astype("str")
    out["kind"] = changes["kind"].astype("str")
    for col in ("revision", "children", "note"):
        out[col] = changes[col].fillna("").astype("str") if col in changes else ""
    out["cosmetic"] = changes["cosmetic"].eq(True) if "cosmetic" in changes else False
    for side in ("old", "new"):
        for t in (SHORT, LONG):
            src = f"{t}_{side}"
            out[f"{side}_{t}"] = changes[src].astype("str") if src in changes else ""
    # what a deleted code had is not "new", what an added code has is not "old"
    added = out["kind"].isin([ChangeKind.ADDED.value]) | (
        (out["kind"] == ChangeKind.TERMINATED.value) & out["old_long"].isna())
    out.loc[added, ["old_short", "old_long"]] = ""
    gone = out["kind"].isin([ChangeKind.DELETED.value, ChangeKind.EXPANDED.value])
    out.loc[gone, ["new_short", "new_long"]] = ""
    out[["old_short", "new_short", "old_long", "new_long"]] = (
        out[["old_short", "new_short", "old_long", "new_long"]].fillna(""))
    out["fields"] = changes.get("fields", None)
    out["fields"] = out["fields"].astype(object).where(out["fields"].notna(), None)
    out["via"] = new.version
    order = {k.value: i for i, k in enumerate(ChangeKind)}
    out = out.assign(_k=out["kind"].map(order)).sort_values([CODE, "_k", RECORD], kind="stable")
    return out.drop(columns="_k").reset_index(drop=True)[list(CHANGE_COLUMNS)]


def summarize(changes: pd.DataFrame, old: Release, new: Release) -> dict[str, dict[str, int]]:
    """Counts as the publisher counts them (CDC addenda summary block)."""
    kind, record, revision = changes["kind"], changes[RECORD], changes["revision"]
    cosmetic = changes["cosmetic"].eq(True) if "cosmetic" in changes else False
    in_old, in_new = old.table[RECORD].value_counts(), new.table[RECORD].value_counts()

    def count(mask: pd.Series) -> int:
        return int(mask.sum())

    def block(rec: RecordType) -> dict[str, int]:
        r = record == rec.value
        revised = r & (kind == ChangeKind.REVISED.value)
        return {
            "in_old": int(in_old.get(rec.value, 0)),
            "in_new": int(in_new.get(rec.value, 0)),
            "added": count(r & (kind == ChangeKind.ADDED.value)),
            "deleted": count(r & (kind == ChangeKind.DELETED.value)),
            "revised": count(revised),
            "revised_both": count(revised & (revision == RevisionScope.BOTH.value)),
            "revised_long_only": count(revised & (revision == RevisionScope.LONG.value)),
            "revised_short_only": count(revised & (revision == RevisionScope.SHORT.value)),
            "revised_medium_only": count(revised & (revision == RevisionScope.MEDIUM.value)),
            "revised_cosmetic": count(revised & cosmetic),
            "cosmetic": count(r & (kind == ChangeKind.COSMETIC.value)),
            "expanded": count(r & (kind == ChangeKind.EXPANDED.value)),
            "terminated": count(r & (kind == ChangeKind.TERMINATED.value)),
            "reinstated": count(r & (kind == ChangeKind.REINSTATED.value)),
            "attributes": count(r & (kind == ChangeKind.ATTRIBUTES.value)),
            "deleted_already_discontinued": count(
                r & (kind == ChangeKind.DELETED.value)
                & changes["note"].str.startswith(ALREADY_DISCONTINUED)),
        }

    summary = {"codes": block(RecordType.CODE)}
    headers = block(RecordType.HEADER)
    summary["headers"] = {k: headers[k] for k in ("in_old", "in_new", "added", "deleted",
                                                  "revised", "revised_both",
                                                  "revised_long_only", "revised_short_only")}
    if RecordType.MODIFIER.value in in_old or RecordType.MODIFIER.value in in_new:
        summary["modifiers"] = block(RecordType.MODIFIER)
    if compared(old, new):
        summary["notes"] = notes_summary(changes)
    return summary


def step_changes(before: Release, after: Release) -> pd.DataFrame:
    """The change rows of one step, its kinds decided by the publisher's list for the step
    when that list counts from ``before``."""
    found = step_list(before, after)
    listed = (listed_revisions(found.changes) if found is not None and found.counts_from_before
              else None)
    return compare(before, after, listed=listed)


def check_comparable(old: Release, new: Release) -> None:
    if old.system is not new.system:
        raise UpdaterError(
            f"cannot diff {old.id} against {new.id}: different code systems",
            hint="diff two releases of the same code set")
    for r in (old, new):
        if r.kind is ReleaseKind.CHANGES:
            raise UpdaterError(f"{r.id} lists only changes; apply it onto the release before it "
                               "first (updater import, or give the full release as OLD)")
