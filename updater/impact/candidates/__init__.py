"""Replacement candidates: for every code a release deletes, expands or terminates, the
codes that may take its place, how they relate, and whether a machine may apply them.

One table shape serves scan, plan and reports (``CANDIDATE_COLUMNS``): one row per
(old code, new code, source). Sources, in the words a compliance analyst uses:

- the CDC conversion table (ICD-10-CM), read backwards: previous code -> current codes,
  only rows of the updates between the two releases;
- the hierarchy (ICD-10-CM): an expanded code's billable descendants in the new release;
- HCPCS XREF1..5 of a discontinued code, followed through codes that are themselves
  discontinued (``C9487 -> Q9989 -> J3358``), stopping on cycles;
- the user's own maps and overrides (``user_maps``).

Relations follow the terminology systems (SNOMED CT history, the German ICD-10-GM
transition tables): one old -> one new whose only predecessor it is: ``equivalent``;
one old -> several new: ``narrower``; several old -> one new: ``broader``; no
successor: ``none``. ``automatic`` is True only for an equivalent row from an
authoritative source (CDC conversion table, HCPCS XREF) whose new code is billable;
the hierarchy and user maps are suggestions a person confirms. Rows from other
sources never change a row's flag, except a user map that names another code for the
same old code (a person must choose) and an override, which replaces every other row
of its old code.

Everything is joins over whole tables: a full ICD-10-CM year takes milliseconds.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from updater.codeshapes import SHAPES
from updater.errors import UpdaterError
from updater.impact.candidates.conversion import (
    CURRENT,
    EFFECTIVE,
    PREVIOUS,
    PREVIOUS_TO,
    TABLE,
    SkippedRow,
    codes_in_ranges,
    combine_conversion_tables,
    find_conversion_tables,
    read_conversion_table,
)
from updater.impact.candidates.units import billing_units
from updater.impact.candidates.user_maps import read_user_map
from updater.model import CODE, LONG, RECORD, TERMINATION_DATE, XREF_COLUMNS, Release
from updater.releases.diff import Diff, diff_releases
from updater.releases.versions import version_for_effective
from updater.vocabulary import ChangeKind, CodeSystem, RecordType, Relation

__all__ = ["CANDIDATE_COLUMNS", "SkippedRow", "build_candidates", "candidates_for_codes",
           "candidates_for_step", "chain", "check_new_codes", "combine_conversion_tables",
           "find_conversion_tables", "read_conversion_table", "read_user_map", "with_units"]

CANDIDATE_COLUMNS = ("system", "old_code", "new_code", "relation", "source", "automatic",
                     "via", "step", "old_unit", "new_unit")
# Code systems whose descriptors name a billing unit (a diagnosis has none).
UNIT_SYSTEMS = (CodeSystem.HCPCS, CodeSystem.CPT)
# Changes that leave a code without a billable self in the new release.
GONE_KINDS = (ChangeKind.DELETED.value, ChangeKind.EXPANDED.value,
              ChangeKind.TERMINATED.value)
_BILLABLE = (RecordType.CODE.value, RecordType.MODIFIER.value)
# Codes of the other procedure code set, which a HCPCS XREF (or a CPT user map) may name:
# they are not in this release, so they cannot be checked against it.
_OTHER_SET = {CodeSystem.HCPCS: (SHAPES[CodeSystem.CPT], "CPT"),
              CodeSystem.CPT: (SHAPES[CodeSystem.HCPCS], "HCPCS Level II")}
_ARROW = " -> "


# ----------------------------------------------------------------------------- helpers

def _empty() -> pd.DataFrame:
    return _finish(pd.DataFrame({c: [] for c in CANDIDATE_COLUMNS}))


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    """The documented columns and types, sorted by old code (units "" until
    ``_with_units`` sets them)."""
    frame = frame.assign(**{c: "" for c in ("old_unit", "new_unit") if c not in frame})
    out = frame[list(CANDIDATE_COLUMNS)].astype(
        {c: "str" for c in CANDIDATE_COLUMNS if c not in ("automatic", "step")})
    out = out.astype({"automatic": "bool", "step": "int64"})
    return out.sort_values(["old_code", "via", "source", "new_code"],
                           kind="stable").reset_index(drop=True)


def _isin(values: pd.Series, pool: pd.Series | pd.Index) -> np.ndarray:
    """Arrow's hash lookup: pandas' ``isin`` on Arrow strings walks the pool in Python,
    a tenth of a second for a release's 8,000 codes."""
    if len(values) == 0 or len(pool) == 0:
        return np.zeros(len(values), dtype=bool)
    found = pc.is_in(pa.array(values.astype("str"), type=pa.large_string()),
                     value_set=pa.array(pd.Series(pool).astype("str"),
                                        type=pa.large_string()).unique())
    return found.to_numpy(zero_copy_only=False).astype(bool)


def _relations(n_successors: pd.Series, n_predecessors: pd.Series,
               new_code: pd.Series) -> np.ndarray:
    """One old -> several new: narrower (also when several old share them: a person
    chooses either way); several old -> one new: broader; else equivalent."""
    return np.select(
        [(new_code == "").to_numpy(), (n_successors > 1).to_numpy(),
         (n_predecessors > 1).to_numpy()],
        [Relation.NONE.value, Relation.NARROWER.value, Relation.BROADER.value],
        default=Relation.EQUIVALENT.value)


def _live(release: Release) -> pd.DataFrame:
    """Each code of the release with whether it may be billed on its effective date."""
    table = release.table
    billable = table[RECORD].isin(_BILLABLE)
    if TERMINATION_DATE in table:
        term = table[TERMINATION_DATE].fillna("")
        billable &= ~((term != "") & (term <= release.effective.isoformat()))
    return pd.DataFrame({CODE: table[CODE].astype("str"), "billable": billable.to_numpy()})


def check_new_codes(frame: pd.DataFrame, release: Release) -> pd.DataFrame:
    """A new code that cannot be billed in ``release`` stays a candidate for a person to
    see, with the reason in ``source``, but is never applied automatically. A code of the
    other procedure code set (a HCPCS XREF naming CPT 80305) cannot be checked here: it
    keeps its flag and says so."""
    if frame.empty:
        return frame
    live = _live(release)
    live = live[_isin(live[CODE], frame["new_code"])]  # a few hundred rows, not 100,000
    status = frame[["new_code"]].merge(live, left_on="new_code", right_on=CODE, how="left")
    known = status[CODE].notna().to_numpy()
    billable = status["billable"].fillna(False).astype(bool).to_numpy()
    named = (frame["new_code"] != "").to_numpy()
    other = _OTHER_SET.get(release.system)
    foreign = (frame["new_code"].str.fullmatch(other[0]).fillna(False).to_numpy(
        dtype=bool) & ~known) if other else np.zeros(len(frame), dtype=bool)
    note = np.select(
        [~named | billable, foreign, known],
        ["", f" ({other[1] if other else ''} code, not in the {release.system.label} file)",
         f" (not billable in {release.version})"],
        default=f" (not in {release.version})")
    bad = named & ~billable & ~foreign
    return frame.assign(source=frame["source"] + note,
                        automatic=frame["automatic"].to_numpy() & ~bad)


def _targets(old: Release, new: Release, diff: Diff) -> pd.Series:
    """Codes this step takes away: deleted, expanded, terminated, or a billable code of
    ``old`` that is a header in ``new``."""
    if diff.old.id != old.id or diff.new.id != new.id:
        raise UpdaterError(f"the diff is {diff.old.id} -> {diff.new.id}, not "
                           f"{old.id} -> {new.id}", hint="give the diff of this step")
    ch = diff.changes
    gone = ch.loc[ch["kind"].isin(GONE_KINDS) & ch[RECORD].isin(_BILLABLE), CODE]
    old_billable = old.table.loc[old.table[RECORD] == RecordType.CODE.value, CODE]
    headers = new.table.loc[new.table[RECORD] == RecordType.HEADER.value, CODE]
    became_header = old_billable[_isin(old_billable, headers)]
    return pd.Series(pd.concat([gone, became_header]).unique(), dtype="str")


# ----------------------------------------------------------------------------- sources

def _from_conversion(targets: pd.Series, old: Release, new: Release,
                     conversion: pd.DataFrame) -> pd.DataFrame:
    """The conversion table read backwards, restricted to the updates between the two
    releases (effective after ``old`` and on or before ``new``): the table is cumulative,
    and a row of an earlier year describes a code that already existed in ``old``."""
    window = conversion[(conversion[EFFECTIVE] > old.effective.isoformat())
                        & (conversion[EFFECTIVE] <= new.effective.isoformat())]
    if window.empty:
        return pd.DataFrame(columns=["old_code", "new_code", "relation", "source",
                                     "automatic"])
    single = window[window[PREVIOUS_TO] == ""]
    ranged = window[window[PREVIOUS_TO] != ""]
    # predecessors of each current code in this step; a range stands for several codes
    predecessors = single.groupby(CURRENT)[PREVIOUS].nunique().add(
        ranged.groupby(CURRENT).size() * 2, fill_value=0)
    direct = single[_isin(single[PREVIOUS], targets)].rename(columns={PREVIOUS: "old_code"})
    covered = codes_in_ranges(ranged, targets).rename(columns={"code": "old_code"})
    rows = pd.concat([direct, covered], ignore_index=True).rename(
        columns={CURRENT: "new_code"}).drop_duplicates(["old_code", "new_code"])
    if rows.empty:
        return pd.DataFrame(columns=["old_code", "new_code", "relation", "source",
                                     "automatic"])
    n_succ = rows.groupby("old_code")["new_code"].transform("nunique")
    n_pred = rows["new_code"].map(predecessors).fillna(1)
    relation = _relations(n_succ, n_pred, rows["new_code"])
    # named after the update that made the change; the edition too when a later one
    update = rows[EFFECTIVE].map({e: version_for_effective(CodeSystem.ICD10CM,
                                                           date.fromisoformat(e))
                                  for e in rows[EFFECTIVE].unique()}).astype("str")
    edition = np.where(rows[TABLE] != update, " (" + rows[TABLE] + " edition)", "")
    return pd.DataFrame({"old_code": rows["old_code"], "new_code": rows["new_code"],
                         "relation": relation,
                         "source": "CDC conversion table " + update + edition,
                         "automatic": relation == Relation.EQUIVALENT.value})


def _from_hierarchy(targets: pd.Series, new: Release) -> pd.DataFrame:
    """Billable codes of ``new`` under a target code: its descendants (C8339 -> C83390,
    C83398), and for a code with placeholder X before its 7th character the codes that
    fill the placeholder (T8132XA -> T81320A, T81321A, ...: same stem, same 7th
    character). One prefix join per code length, not one step per code."""
    live = _live(new)
    codes = live.loc[live["billable"], CODE]
    lengths = codes.str.len()
    pairs = []
    for n in sorted(set(targets.str.len())):
        longer = codes[lengths > n]
        prefix = longer.str.slice(0, n)
        hit = _isin(prefix, targets)
        pairs.append(pd.DataFrame({"old_code": prefix[hit], "new_code": longer[hit]}))
    placeholder = targets[(targets.str.len() == 7) & (targets.str.slice(5, 6) == "X")]
    if len(placeholder):
        stem = placeholder.str.slice(0, 6).str.rstrip("X")
        keys = pd.DataFrame({"old_code": placeholder,
                             "key": stem + "|" + placeholder.str.slice(6, 7)})
        seven = codes[lengths == 7]
        for n in sorted(set(stem.str.len())):
            found = pd.DataFrame({"new_code": seven,
                                  "key": seven.str.slice(0, n) + "|" + seven.str.slice(6, 7)})
            joined = keys.merge(found, on="key")
            pairs.append(joined.loc[joined["new_code"] != joined["old_code"],
                                    ["old_code", "new_code"]])
    rows = pd.concat(pairs, ignore_index=True).drop_duplicates() if pairs else pd.DataFrame(
        {"old_code": [], "new_code": []})
    n_succ = rows.groupby("old_code")["new_code"].transform("nunique")
    return rows.assign(
        relation=_relations(n_succ, pd.Series(1, index=rows.index), rows["new_code"]),
        source=f"hierarchy (billable children in {new.version})", automatic=False)


def _xref_edges(old: Release, new: Release, dead: pd.Index) -> pd.DataFrame:
    """code -> xref code, one row per filled XREF cell of a discontinued code: the new
    release's cells for codes it lists, the old release's for codes it no longer lists
    (a live code's XREF often names its predecessor: it is never followed)."""
    frames = []
    for release, listed in ((new, None), (old, new.table[CODE])):
        table = release.table
        columns = [c for c in XREF_COLUMNS if c in table]
        if not columns:
            continue
        keep = _isin(table[CODE], dead)
        if listed is not None:
            keep &= ~_isin(table[CODE], listed)
        long = table.loc[keep, [CODE, *columns]].melt(id_vars=CODE, var_name="column",
                                                       value_name="to")
        frames.append(long[(long["to"].fillna("") != "") & (long["to"] != long[CODE])])
    if not frames:
        return pd.DataFrame({CODE: [], "column": [], "to": []}, dtype="str")
    edges = pd.concat(frames, ignore_index=True)
    edges["to"] = edges["to"].str.strip().str.upper()
    return edges.astype("str")


def _from_xref(targets: pd.Series, old: Release, new: Release) -> tuple[pd.DataFrame,
                                                                         pd.Series]:
    """Each target's XREF codes, followed on while a code is itself discontinued (or no
    longer listed) in ``new``; a branch that comes back to a code it passed is dropped.

    Returns the candidates and, for targets whose every branch ended at a discontinued
    code or in a cycle, the first such path (for the ``none`` row's wording).
    """
    live = _live(new)
    dead = pd.concat([live.loc[~live["billable"], CODE],
                      old.table.loc[~_isin(old.table[CODE], new.table[CODE]), CODE], targets])
    dead_set = pd.Index(dead.unique())
    edges = _xref_edges(old, new, dead_set)
    empty = pd.DataFrame(columns=["old_code", "new_code", "relation", "source", "automatic"])
    if edges.empty:
        return empty, pd.Series(dtype="str")
    start = edges[_isin(edges[CODE], targets)]
    paths = pd.DataFrame({"origin": start[CODE], "at": start["to"], "column": start["column"],
                          "path": start[CODE] + _ARROW + start["to"], "hops": 1})
    hops = pd.DataFrame({"origin": start[CODE], "u": start[CODE], "v": start["to"]})
    visited = pd.concat([pd.DataFrame({"origin": targets, "at": targets}),
                         paths[["origin", "at"]]], ignore_index=True)
    finished, stuck, hop_frames = [], [], [hops]
    while len(paths):
        onward = _isin(paths["at"], dead_set)
        finished.append(paths[~onward])
        going = paths[onward]
        step = going.merge(edges, left_on="at", right_on=CODE, suffixes=("", "_next"))
        been = visited.drop_duplicates().rename(columns={"at": "to"}).assign(_seen=True)
        seen = step[["origin", "to"]].merge(been, on=["origin", "to"], how="left")["_seen"]
        seen = seen.fillna(False)
        step = step[~seen.to_numpy(dtype=bool)]
        ended = going[~going.set_index(["origin", "path"]).index.isin(
            step.set_index(["origin", "path"]).index)]
        stuck.append(ended)
        hop_frames.append(pd.DataFrame({"origin": step["origin"], "u": step["at"],
                                        "v": step["to"]}))
        paths = pd.DataFrame({"origin": step["origin"], "at": step["to"],
                              "column": step["column"],
                              "path": step["path"] + _ARROW + step["to"],
                              "hops": step["hops"] + 1})
        visited = pd.concat([visited, paths[["origin", "at"]]], ignore_index=True)
    ends = pd.concat(finished, ignore_index=True).sort_values(["origin", "hops", "path"])
    ends = ends.drop_duplicates(["origin", "at"])
    if ends.empty:
        rows = empty
    else:
        hop = pd.concat(hop_frames, ignore_index=True).drop_duplicates()
        hop["n_pred"] = hop.groupby("v")["u"].transform("nunique")
        merged_in = hop.groupby("origin")["n_pred"].max()  # any hop where codes merge
        n_succ = ends.groupby("origin")["at"].transform("nunique")
        n_pred = ends["origin"].map(merged_in).fillna(1)
        relation = _relations(n_succ, n_pred, ends["at"])
        label = "HCPCS" if new.system is CodeSystem.HCPCS else new.system.label
        source = np.where(ends["hops"] == 1,
                          f"{label} " + ends["column"].str.upper() + f" ({new.version})",
                          f"{label} XREF chain " + ends["path"] + f" ({new.version})")
        rows = pd.DataFrame({"old_code": ends["origin"], "new_code": ends["at"],
                             "relation": relation, "source": source,
                             "automatic": relation == Relation.EQUIVALENT.value})
    stuck_paths = pd.concat(stuck, ignore_index=True) if stuck else paths
    stuck_paths = stuck_paths[~_isin(stuck_paths["origin"], rows["old_code"])]
    return rows, stuck_paths.groupby("origin")["path"].first()


def _none_rows(missing: pd.Series, old: Release, new: Release, *, conversion: bool,
               stuck: pd.Series) -> pd.DataFrame:
    """One ``none`` row per code no source gives a successor, saying what was consulted."""
    if new.system is CodeSystem.ICD10CM:
        said = (f"no successor in the CDC conversion table or the {new.version} hierarchy"
                if conversion else
                f"no successor in the {new.version} hierarchy (no CDC conversion table given)")
    elif new.system is CodeSystem.HCPCS:
        said = f"no successor in HCPCS XREF ({new.version})"
    else:
        said = (f"no successor named in {new.system.label} {new.version} "
                "(give the publisher's guidance as a user map)")
    source = pd.Series(said, index=missing.index, dtype="str")
    if len(stuck):
        path = missing.map(stuck)
        source = source.where(path.isna(), "no successor: HCPCS XREF " + path.fillna("")
                              + f" ends at discontinued codes ({new.version})")
    return pd.DataFrame({"old_code": missing, "new_code": "", "relation": Relation.NONE.value,
                         "source": source, "automatic": False})


# ----------------------------------------------------------------------------- public

def candidates_for_step(old: Release, new: Release, diff: Diff, *,
                        conversion: pd.DataFrame | None = None) -> pd.DataFrame:
    """Candidates for every code ``old -> new`` deletes, expands or terminates.

    ``conversion`` is a CDC conversion table (``read_conversion_table``, or several
    combined); only its rows for the updates between the two releases are used. Each
    source's rows are kept (the scan shows them all); a code no source maps gets one
    ``none`` row.
    """
    return candidates_for_codes(_targets(old, new, diff), old, new, conversion=conversion)


def candidates_for_codes(targets: pd.Series, old: Release, new: Release, *,
                         conversion: pd.DataFrame | None = None) -> pd.DataFrame:
    """Candidates for the given codes, which ``old -> new`` took away (the step's own
    targets, or codes a scan found deleted in an earlier step of the store's history)."""
    targets = pd.Series(pd.unique(targets.astype("str")), dtype="str")
    if targets.empty:
        return _empty()
    parts = []
    if new.system is CodeSystem.ICD10CM:
        if conversion is not None and len(conversion):
            parts.append(_from_conversion(targets, old, new, conversion))
        parts.append(_from_hierarchy(targets, new))
    stuck = pd.Series(dtype="str")
    if any(c in new.table or c in old.table for c in XREF_COLUMNS):
        xref, stuck = _from_xref(targets, old, new)
        parts.append(xref)
    found = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(
        len(p) for p in parts) else pd.DataFrame(columns=["old_code", "new_code", "relation",
                                                          "source", "automatic"])
    missing = targets[~_isin(targets, found["old_code"])]
    rows = pd.concat([found, _none_rows(missing, old, new, stuck=stuck,
                                        conversion=conversion is not None)],
                     ignore_index=True)
    rows = rows.assign(system=new.system.value, via=f"{old.version}{_ARROW}{new.version}",
                       step=1, automatic=rows["automatic"].astype(bool))
    return _finish(check_new_codes(rows, new))


def chain(steps: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Per-step candidates (oldest step first) composed across the releases.

    A candidate whose new code a later step takes away is followed on to that step's
    candidates: ``source`` joins the sources (``CDC conversion table FY2024; hierarchy
    (billable children in FY2025)``), ``via`` lists the versions where the code changed,
    ``step`` counts the steps. The relation is equivalent only if every step was;
    narrower if any step was; else broader. ``automatic`` only if every step was.
    Candidates of each step's own old codes stay as they are.
    """
    frames = list(steps)
    if not frames or all(f.empty for f in frames):
        return _empty()

    def flagged(frame: pd.DataFrame, k: int) -> pd.DataFrame:
        rel = frame["relation"]
        return frame.assign(_last=k, _eq=rel == Relation.EQUIVALENT.value,
                            _narrower=rel == Relation.NARROWER.value)

    work = pd.concat([flagged(f, k) for k, f in enumerate(frames)], ignore_index=True)
    for j in range(1, len(frames)):
        right = flagged(frames[j], j)
        if right.empty:
            continue
        pending = work[(work["_last"] < j) & (work["new_code"] != "")]
        matched = pending.reset_index().merge(right, left_on="new_code", right_on="old_code",
                                              suffixes=("", "_r"))
        if matched.empty:
            continue
        composed = pd.DataFrame({
            "system": matched["system"], "old_code": matched["old_code"],
            "new_code": matched["new_code_r"],
            "relation": matched["relation_r"],
            "source": matched["source"] + "; " + matched["source_r"],
            "automatic": matched["automatic"] & matched["automatic_r"],
            "via": matched["via"] + _ARROW + matched["via_r"].str.rsplit(_ARROW, n=1).str[-1],
            "step": matched["step"] + matched["step_r"], "_last": j,
            "_eq": matched["_eq"] & matched["_eq_r"],
            "_narrower": matched["_narrower"] | matched["_narrower_r"]})
        work = pd.concat([work.drop(index=pd.Index(matched["index"].unique())), composed],
                         ignore_index=True)
    relation = np.select(
        [(work["new_code"] == "").to_numpy(), work["_eq"].to_numpy(dtype=bool),
         work["_narrower"].to_numpy(dtype=bool)],
        [Relation.NONE.value, Relation.EQUIVALENT.value, Relation.NARROWER.value],
        default=Relation.BROADER.value)
    work = work.assign(relation=relation,
                       automatic=work["automatic"].astype(bool)
                       & (relation == Relation.EQUIVALENT.value))
    work = work.drop_duplicates(["system", "old_code", "new_code", "source", "via"])
    return _finish(work)


def _user_rows(paths: Sequence[Path], *, override: bool,
               releases: Sequence[Release]) -> pd.DataFrame:
    """Rows of the user's maps (or overrides) for this code system.

    A map may mix code systems (one file for a whole chargemaster): a row is kept when
    its ``system`` column names this system, or, without one, when its old code is in
    one of the releases or its new code in the newest. The relation is the file's, or
    counted within the file. User maps are never automatic; overrides only when their
    ``automatic``/``approve`` column says yes.
    """
    if not paths:
        return _empty()
    newest, system = releases[-1], releases[-1].system
    all_codes = pd.concat([r.table[CODE] for r in releases]).drop_duplicates()
    maps = [read_user_map(p, old_codes=all_codes, new_codes=newest.table[CODE])
            for p in paths]
    rows = pd.concat(maps, ignore_index=True)
    if system in (CodeSystem.CPT, CodeSystem.HCPCS):  # 00100 that a spreadsheet made 100
        for side in ("old_code", "new_code"):
            short = rows[side].str.fullmatch(r"\d{3,4}")
            rows[side] = rows[side].where(~short, rows[side].str.zfill(5))
    named = rows["system"] != ""
    known = _isin(rows["old_code"], all_codes) | _isin(rows["new_code"], newest.table[CODE])
    ours = np.where(named, rows["system"] == system.value, known)
    rows = rows[ours]
    if rows.empty:
        return _empty()
    n_succ = rows.groupby(["file", "old_code"])["new_code"].transform("nunique")
    n_pred = rows.groupby(["file", "new_code"])["old_code"].transform("nunique")
    counted = _relations(n_succ, n_pred, rows["new_code"])
    relation = np.where(rows["relation"] != "", rows["relation"], counted)
    relation = np.where(rows["new_code"] == "", Relation.NONE.value, relation)
    frame = pd.DataFrame({
        "system": system.value, "old_code": rows["old_code"], "new_code": rows["new_code"],
        "relation": relation,
        "source": ("override " if override else "user map ") + rows["file"],
        "automatic": rows["automatic"].to_numpy(dtype=bool) if override else False,
        "via": f"{releases[0].version}{_ARROW}{newest.version}", "step": 0})
    return _finish(check_new_codes(frame, newest))


def build_candidates(releases: Sequence[Release], diffs: Sequence[Diff] | None = None, *,
                     conversion_tables: Sequence[str | Path | pd.DataFrame] = (),
                     user_maps: Sequence[str | Path] = (),
                     overrides: Sequence[str | Path] = (),
                     skipped: list[SkippedRow] | None = None) -> pd.DataFrame:
    """All candidates for consecutive releases of one code system (oldest first).

    ``diffs`` are the steps' diffs (computed when not given). Conversion tables apply to
    ICD-10-CM; several editions are combined, the newest edition winning for each update.
    User-map rows are added beside the publishers' rows (and replace a ``none`` row of
    the same old code); an override replaces every other row of its old code. A user map
    that names another code for an old code with an automatic row makes that row need a
    person. Rows of a conversion table that cannot be read are left out and added to
    ``skipped`` (see ``read_conversion_table``).
    """
    releases = list(releases)
    if len(releases) < 2:
        raise UpdaterError("candidates need at least two releases (old and new)",
                           hint="give the old release and the new one")
    systems = {r.system for r in releases}
    if len(systems) > 1:
        names = ", ".join(sorted(s.value for s in systems))
        raise UpdaterError(f"releases of several code systems ({names})",
                           hint="build candidates once per code system")
    for a, b in itertools.pairwise(releases):
        if not a.effective < b.effective:
            raise UpdaterError(f"releases out of order: {a.id} ({a.effective}) before "
                               f"{b.id} ({b.effective})", hint="list them oldest first")
    if diffs is None:
        diffs = [diff_releases(a, b, verify=False) for a, b in itertools.pairwise(releases)]
    elif len(diffs) != len(releases) - 1:
        raise UpdaterError(f"{len(diffs)} diffs for {len(releases) - 1} steps",
                           hint="give one diff per pair of consecutive releases, or none")
    system = releases[0].system
    conversion = None
    if conversion_tables and system is CodeSystem.ICD10CM:
        conversion = combine_conversion_tables(
            [p if isinstance(p, pd.DataFrame) else read_conversion_table(p, skipped=skipped)
             for p in conversion_tables])
    steps = [candidates_for_step(a, b, d, conversion=conversion)
             for (a, b), d in zip(itertools.pairwise(releases), diffs, strict=True)]
    out = chain(steps)
    users = _user_rows([Path(p) for p in user_maps], override=False, releases=releases)
    forced = _user_rows([Path(p) for p in overrides], override=True, releases=releases)
    if len(users):
        said = users[["old_code", "new_code"]].assign(_agrees=True)
        check = out[["old_code", "new_code"]].merge(said, how="left", on=["old_code",
                                                                          "new_code"])
        disagrees = (out["automatic"] & _isin(out["old_code"], users["old_code"])
                     & check["_agrees"].isna().to_numpy())
        out = out.assign(automatic=out["automatic"] & ~disagrees,
                         source=out["source"].where(~disagrees, out["source"]
                                                    + " (a user map names another code)"))
        # "no successor" stops being true once the user names one
        covered = users.loc[users["new_code"] != "", "old_code"]
        out = out[~((out["relation"] == Relation.NONE.value) & _isin(out["old_code"], covered))]
        out = pd.concat([out, users], ignore_index=True)
    if len(forced):
        out = pd.concat([out[~_isin(out["old_code"], forced["old_code"])], forced],
                        ignore_index=True)
    return with_units(_finish(out), releases[:-1], releases[-1]) if len(out) else _empty()


def with_units(candidates: pd.DataFrame, olds: Sequence[Release], new: Release
               ) -> pd.DataFrame:
    """``old_unit`` and ``new_unit`` set where the old code's descriptor (in the latest of
    ``olds`` that has it, else in ``new``) and the new code's (in ``new``) name different
    billing units (``per dose`` -> ``1 mg``); such a row is never automatic, whatever its
    source: a person must check the line's price and units."""
    if candidates.empty or new.system not in UNIT_SYSTEMS:
        return candidates
    named = candidates[candidates["new_code"] != ""]
    if named.empty:
        return candidates
    # the old code as the latest old release has it, else as the new one still lists it
    # (a code added by a quarterly update and ended by the next annual file)
    before = pd.concat([r.table[[CODE, LONG]] for r in [*reversed(list(olds)), new]]
                       ).drop_duplicates(CODE)
    before = before[_isin(before[CODE], named["old_code"])]
    after = new.table.loc[_isin(new.table[CODE], named["new_code"]), [CODE, LONG]]
    old_text = named["old_code"].map(before.set_index(CODE)[LONG]).fillna("")
    new_text = named["new_code"].map(after.drop_duplicates(CODE).set_index(CODE)[LONG]
                                     ).fillna("")
    old_unit, new_unit = billing_units(old_text), billing_units(new_text)
    changed = ((old_unit["unit"] != "") & (new_unit["unit"] != "")
               & (old_unit["unit"] != new_unit["unit"]))
    if not changed.any():
        return candidates
    at = changed[changed].index
    out = candidates.copy()
    out.loc[at, "old_unit"] = old_unit.loc[at, "unit_as_written"]
    out.loc[at, "new_unit"] = new_unit.loc[at, "unit_as_written"]
    out.loc[at, "automatic"] = False
    return out
