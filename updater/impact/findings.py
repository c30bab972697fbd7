"""Impact scan: which chargemaster lines and crosswalk pairs a release touches.

Everything is decided per distinct code first (a few thousand codes, even for a
1,000,000-line chargemaster or 10,000,000 crosswalk pairs), then joined back onto the
input rows, so the work over rows is a handful of column operations and joins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from updater.codes import display_codes
from updater.codeshapes import is_icd10cm, procedure_system
from updater.errors import UpdaterError
from updater.impact import inputs as I
from updater.impact.candidates.earlier import (
    did_you_mean,
    earlier_deletions,
    headers_since,
    near_misses,
)
from updater.impact.change_sets import ChangeSet
from updater.impact.descriptions import agreement, codes_named, contradictions
from updater.model import CODE, LONG, RECORD, TERMINATION_DATE, Release
from updater.revisions import substantive_title_change
from updater.vocabulary import AT_RISK_KINDS, ChangeKind, CodeSystem, FindingKind, RecordType

FINDING_COLUMNS = ("source", "row", "charge_code", "description", "department", "code",
                   "system", "kind", "official_title", "previous_title", "detail",
                   "procedure", "diagnosis", "charges_at_risk", "candidates", "automatic")
_KIND_ORDER = {k.value: i for i, k in enumerate(FindingKind)}
OTHER_CODE_SET = "other"  # a line coded in a code set the scan does not check (DRG, NDC ...)

def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts, missing numbers as None; built column-wise (pandas' to_dict takes
    seconds for 100,000s of findings)."""
    columns = []
    for name in frame.columns:
        values = frame[name]
        if pd.api.types.is_float_dtype(values):
            columns.append([None if v != v else v for v in values.tolist()])
        else:
            columns.append(values.tolist())
    names = list(frame.columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


@dataclass
class ScanResult:
    """Findings for every affected line and pair, and the summary a CDM coordinator reads."""

    findings: pd.DataFrame
    summary: dict[str, Any]
    change_sets: list[ChangeSet] = field(default_factory=list)
    # the input files scanned: {"chargemaster"|"crosswalk": {"path", "sha256"}}, so a plan
    # made later from the saved JSON can still check that apply gets the same files
    inputs: dict[str, dict[str, str]] = field(default_factory=dict)
    # a result read back from JSON has no change sets: its "releases" entries, as written
    releases: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON shape of ``updater scan --json``. Each release side also
        carries its store ``id``, the ``source`` file it was read from and that file's
        ``sha256`` (for ``updater plan --scan``)."""
        releases = [{"system": cs.system.value,
                     "old": {**cs.old.describe(), **release_origin(cs.old)},
                     "new": {**cs.new.describe(), **release_origin(cs.new)}}
                    for cs in self.change_sets] if self.change_sets else self.releases
        return {
            "releases": releases,
            "summary": self.summary,
            "findings": records(self.findings),
            "inputs": self.inputs,
        }

    @classmethod
    def from_dict(cls, data: object, source: str = "") -> ScanResult:
        """A result back from ``to_dict`` (the saved ``updater scan --json``), without
        change sets: ``releases`` holds what the JSON says about them."""
        def refuse(why: str) -> UpdaterError:
            return UpdaterError(f"not a scan result ({why})", file=source or None,
                                hint="give the file `updater scan --json FILE` wrote")

        if not isinstance(data, dict):
            raise refuse("not a JSON object")
        missing = [k for k in ("releases", "summary", "findings") if k not in data]
        if missing:
            raise refuse("no " + ", ".join(f'"{k}"' for k in missing))
        found, releases = data["findings"], data["releases"]
        if not isinstance(found, list) or not all(isinstance(f, dict) for f in found):
            raise refuse('"findings" is not a list of objects')
        if not isinstance(releases, list) or not all(
                isinstance(r, dict) and isinstance(r.get("new"), dict)
                and isinstance(r.get("old") or {}, dict) for r in releases):
            raise refuse('"releases" is not a list of {"system", "old", "new"} objects')
        gone = [c for c in FINDING_COLUMNS if found and c not in found[0]]
        if gone:
            raise refuse("findings without " + ", ".join(gone))
        findings = pd.DataFrame(found, columns=list(FINDING_COLUMNS))
        findings["candidates"] = findings["candidates"].map(
            lambda c: c if isinstance(c, list) else [])
        findings["automatic"] = findings["automatic"].fillna(False).astype(bool)
        for col in FINDING_COLUMNS:
            if col not in ("row", "charges_at_risk", "candidates", "automatic"):
                findings[col] = findings[col].fillna("").astype(str)
        try:
            findings["row"] = findings["row"].astype(int)
            findings["charges_at_risk"] = pd.to_numeric(findings["charges_at_risk"]
                                                        ).astype(float)
        except (TypeError, ValueError):
            raise refuse("a finding's row or charges_at_risk is not a number") from None
        inputs = data.get("inputs") if isinstance(data.get("inputs"), dict) else {}
        if not all(isinstance(v, dict) for v in (inputs or {}).values()):
            raise refuse('"inputs" holds something other than {"path", "sha256"} objects')
        summary = data["summary"] if isinstance(data["summary"], dict) else {}
        return cls(findings=findings, summary=summary, inputs=inputs or {},
                   releases=releases)

    def count(self, kinds: set[str]) -> int:
        return int(self.findings["kind"].isin(kinds).sum())


def release_origin(release: Release) -> dict[str, str]:
    """Where a release came from: its store id, the file it can be read from again (the
    archive for a zip member, absolute when it exists) and that file's sha256 ("" when
    it was read from several files)."""
    names = [s.name for s in release.sources]
    source = names[0].split("!", 1)[0] if names else ""
    if source and Path(source).is_file():
        source = str(Path(source).resolve())
    sha = release.sources[0].sha256 if len(release.sources) == 1 else ""
    return {"id": release.id, "source": source, "sha256": sha}


def read_scan_json(path: str | Path) -> ScanResult:
    """A saved ``updater scan --json`` output, read back (see ``ScanResult.from_dict``)."""
    if Path(path).is_dir():
        raise UpdaterError("a folder, not a scan file", file=path,
                           hint="give the file `updater scan --json FILE` wrote")
    try:
        data = orjson.loads(Path(path).read_bytes())
    except FileNotFoundError:
        raise UpdaterError("no such scan file", file=path, hint="check the path") from None
    except orjson.JSONDecodeError:
        raise UpdaterError("not a scan result (not JSON)", file=path,
                           hint="give the file `updater scan --json FILE` wrote") from None
    return ScanResult.from_dict(data, str(path))


def _descendants(codes: pd.Series, release: Release) -> pd.DataFrame:
    """Billable codes of ``release`` that start with each code (a header's children)."""
    table = release.table
    billable = np.sort(table.loc[table[RECORD] == RecordType.CODE.value, CODE]
                       .to_numpy(dtype=str))
    wanted = codes.to_numpy(dtype=str)
    lo = np.searchsorted(billable, wanted, side="left")
    hi = np.searchsorted(billable, np.char.add(wanted, "\uffff"), side="left")
    counts = hi - lo
    parents = np.repeat(wanted, counts)
    # positions lo..hi-1 of every code, one run after another, without a loop per code
    idx = np.arange(int(counts.sum())) + np.repeat(lo - (np.cumsum(counts) - counts), counts)
    children = billable[idx] if len(idx) else np.array([], dtype=str)
    keep = children != parents
    return pd.DataFrame({"old_code": parents[keep], "new_code": children[keep]})


def _arrow(values: pd.Series | np.ndarray | pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column as one Arrow string array (zero-copy for pandas' Arrow-backed strings)."""
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    array = pa.array(values, type=pa.string(), from_pandas=True)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _isin(values: pd.Series, wanted: object) -> np.ndarray:
    """``values.isin(wanted)`` by Arrow's hash table (pandas loops in Python on Arrow strings,
    which costs seconds on 10,000,000 crosswalk pairs)."""
    found = pc.is_in(_arrow(values), value_set=_arrow(wanted))  # type: ignore[arg-type]
    return found.to_numpy(zero_copy_only=False).astype(bool)


def _unique(values: pd.Series) -> pd.Series:
    """Distinct non-blank values, as a ``str`` Series (Arrow's hash table)."""
    uniq = pc.unique(_arrow(values))
    return pd.Series(uniq.filter(pc.not_equal(uniq, "")).to_pandas(
        types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get),
        dtype="str", name=CODE)


def _lookup(keys: pd.Series, index: pd.Series, values: pd.Series) -> pd.Series:
    """``values`` at the position of each key in ``index`` (unique), ``""`` where absent."""
    at = pc.index_in(_arrow(keys), value_set=_arrow(index))
    found = pc.fill_null(_arrow(values).take(at), "")
    return pd.Series(found.to_numpy(zero_copy_only=False), index=keys.index, dtype="str")


def _code_facts(codes: pd.Series, cs: ChangeSet) -> pd.DataFrame:
    """For each distinct code: one row per finding kind it gets in this change set."""
    codes = _unique(codes)
    new, old = cs.new.table, cs.old.table
    facts = pd.DataFrame({CODE: codes})
    facts["in_new"] = _isin(codes, new[CODE])
    facts["in_old"] = _isin(codes, old[CODE])
    facts["new_record"] = _lookup(codes, new[CODE], new[RECORD]).to_numpy()
    facts["official_title"] = _lookup(codes, new[CODE], new[LONG]).to_numpy()
    facts["previous_title"] = _lookup(codes, old[CODE], old[LONG]).to_numpy()
    terminated = np.zeros(len(codes), dtype=bool)
    if TERMINATION_DATE in new:
        term = _lookup(codes, new[CODE], new[TERMINATION_DATE])
        terminated = ((term != "") & (term <= cs.new.effective.isoformat())).to_numpy()
        facts["term_date"] = term.to_numpy()
    changes = cs.diff.changes
    changes = changes[changes[RECORD] != RecordType.MODIFIER.value]
    expanded = _isin(codes, changes.loc[changes["kind"] == ChangeKind.EXPANDED.value, CODE])
    revised = _isin(codes, changes.loc[substantive_title_change(changes)
                                       & (changes[RECORD] == RecordType.CODE.value), CODE])
    in_new, in_old = facts["in_new"].to_numpy(), facts["in_old"].to_numpy()
    header = (facts["new_record"] == RecordType.HEADER.value).to_numpy()
    primary = np.select(
        [expanded, in_old & ~in_new, in_new & terminated, header, ~in_old & ~in_new],
        [FindingKind.EXPANDED.value, FindingKind.DELETED.value, FindingKind.TERMINATED.value,
         FindingKind.NOT_BILLABLE.value, FindingKind.NOT_IN_RELEASE.value], default="")
    grown = changes[changes["kind"] == ChangeKind.EXPANDED.value]
    detail = np.where(expanded, "new billable children: "
                      + _lookup(codes, grown[CODE], grown["children"]), "")
    if "term_date" in facts:
        detail = np.where(primary == FindingKind.TERMINATED.value,
                          "TERM DT " + facts["term_date"], detail)
    detail = np.where(primary == FindingKind.NOT_IN_RELEASE.value,
                      f"in neither {cs.old.id} nor {cs.new.id}", detail)
    # a stale header is as wrong as a new one: say which it is
    old_header = (_lookup(codes, old[CODE], old[RECORD]) == RecordType.HEADER.value).to_numpy()
    detail = np.where(primary == FindingKind.NOT_BILLABLE.value,
                      np.where(old_header, f"a header in {cs.old.version} and {cs.new.version}",
                               f"a header new in {cs.new.version}"), detail)
    rows = [facts.assign(kind=primary, detail=detail)[primary != ""]]
    rev = facts[revised & (primary == "")]
    rows.append(rev.assign(kind=FindingKind.REVISED.value,
                           detail="official title changed"))
    out = pd.concat(rows, ignore_index=True)
    out["system"] = cs.system.value
    return out[[CODE, "system", "kind", "official_title", "previous_title", "detail"]]


def _candidate_lists(facts: pd.DataFrame, cs: ChangeSet,
                     extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """``candidates`` (list of dicts) and ``automatic`` per (code, kind) at risk, and per
    code of ``extra`` (candidates found by the scan itself: deleted earlier, near misses).
    A candidate whose billing unit differs from the old code's carries
    ``unit_change: {"old": "per dose", "new": "1 mg"}``."""
    at_risk = facts[facts["kind"].isin({k.value for k in AT_RISK_KINDS})]
    cands = cs.candidates
    cands = cands[cands["old_code"].isin(at_risk[CODE])] if len(cands) else cands
    # a header without a mapped successor still has its billable children
    missing = at_risk.loc[at_risk["kind"].isin({FindingKind.NOT_BILLABLE.value,
                                                FindingKind.EXPANDED.value})
                          & ~at_risk[CODE].isin(cands.get("old_code", pd.Series(dtype=str))),
                          CODE]
    if len(missing):
        kids = _descendants(missing, cs.new)
        kids = kids.assign(relation="narrower", automatic=False,
                           source=f"hierarchy (billable children in {cs.new.version})")
        cands = pd.concat([cands, kids], ignore_index=True) if len(cands) else kids
    if extra is not None and len(extra):
        cands = pd.concat([cands, extra], ignore_index=True) if len(cands) else extra
    if not len(cands):
        return pd.DataFrame({CODE: pd.Series([], dtype="str"),
                             "candidates": pd.Series([], dtype=object),
                             "automatic": pd.Series([], dtype=bool)})
    units = [(o, n) for o, n in zip(
        cands["old_unit"].fillna("") if "old_unit" in cands else [""] * len(cands),
        cands["new_unit"].fillna("") if "new_unit" in cands else [""] * len(cands),
        strict=True)]
    entries: list[object] = [
        {"code": c, "relation": r, "source": s, "automatic": bool(a)}
        | ({"unit_change": {"old": u[0], "new": u[1]}} if u[0] else {})
        for c, r, s, a, u in zip(cands["new_code"], cands["relation"], cands["source"],
                                 cands["automatic"], units, strict=True)]  # candidates only
    cands = cands.assign(entry=pd.Series(entries, index=cands.index, dtype=object))
    grouped = cands.groupby("old_code", sort=False)
    lists = grouped["entry"].agg(list)
    automatic = grouped["automatic"].agg(lambda a: bool(len(a) == 1 and a.iloc[0]))
    return pd.DataFrame({CODE: lists.index, "candidates": lists.to_numpy(),
                         "automatic": automatic.reindex(lists.index).to_numpy()})


def _from_history(facts: pd.DataFrame, cs: ChangeSet) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Codes in neither release: those the store's history had, ``deleted_earlier`` with
    when and what the step that deleted them names; the others keep ``not_in_release``,
    with "did you mean" candidates of the new release one look-alike character or one
    swap away. A header of both releases that the store's history had billable says since
    when it is a header. Returns the facts and the candidates found (per old code)."""
    stale = (facts["kind"] == FindingKind.NOT_BILLABLE.value).to_numpy() & facts[
        "detail"].str.startswith("a header in ").to_numpy()
    if stale.any() and cs.store is not None:
        since = headers_since(facts.loc[stale, CODE], cs.old, cs.store)
        if len(since):
            facts = facts.copy()
            hit = stale & _isin(facts[CODE], pd.Series(since.index, dtype="str"))
            facts.loc[hit, "detail"] = ("a header since " + facts.loc[hit, CODE].map(since)
                                        + f", still in {cs.new.version}").to_numpy()
    gone = (facts["kind"] == FindingKind.NOT_IN_RELEASE.value).to_numpy(copy=True)
    if not gone.any():
        return facts, pd.DataFrame()
    found = []
    facts = facts.copy()
    earlier = earlier_deletions(facts.loc[gone, CODE], cs.old, cs.new, cs.store,
                                conversion=cs.conversion)
    deleted = earlier.deletions
    if len(deleted):
        info = deleted.set_index(CODE)
        hit = gone & _isin(facts[CODE], deleted[CODE])
        codes = facts.loc[hit, CODE]
        facts.loc[hit, "kind"] = FindingKind.DELETED_EARLIER.value
        facts.loc[hit, "previous_title"] = codes.map(info["previous_title"]).to_numpy()
        facts.loc[hit, "detail"] = ("deleted in " + codes.map(info["deleted_in"])
                                    + " (effective " + codes.map(info["deleted_effective"])
                                    + "), last in " + codes.map(info["last_in"])).to_numpy()
        found.append(earlier.candidates)
        gone &= ~hit
    if gone.any():
        near = near_misses(facts.loc[gone, CODE], cs.new)
        if len(near):
            shown = display_codes(near["new_code"].astype("str"), cs.system)
            guess = did_you_mean(near, dict(zip(near["new_code"], shown, strict=True)))
            hit = gone & _isin(facts[CODE], near["old_code"])
            facts.loc[hit, "detail"] = (facts.loc[hit, "detail"] + "; "
                                        + facts.loc[hit, CODE].map(guess)).to_numpy()
            found.append(near)
    found = [f for f in found if len(f)]
    return facts, pd.concat(found, ignore_index=True) if found else pd.DataFrame()


def facts_of_codes(codes_by_system: dict[str, pd.Series],
                   change_sets: dict[str, ChangeSet]) -> pd.DataFrame:
    frames = []
    for system, codes in codes_by_system.items():
        cs = change_sets.get(system)
        if cs is None or not len(codes):
            continue
        facts, extra = _from_history(_code_facts(codes, cs), cs)
        cands = _candidate_lists(facts, cs, extra)
        frames.append(facts.merge(cands, on=CODE, how="left"))
    if not frames:
        return pd.DataFrame(columns=[CODE, "system", "kind", "official_title", "previous_title",
                                     "detail", "candidates", "automatic"])
    return pd.concat(frames, ignore_index=True)


def _mismatches(lines: pd.DataFrame, titles: pd.DataFrame, *, diagnoses: bool = False,
                said: str = "the line says", code: str = I.CODE,
                description: str = I.DESCRIPTION) -> pd.DataFrame:
    """Lines whose own description contradicts the official title of their code ("right
    knee" on a code whose title says right hip; see ``updater.impact.descriptions``), with the
    ``detail``. Only lines whose code's title names a side, body part or condition are
    looked at, and each distinct (code, description) once, on Arrow's columns: 10,000,000
    pairs cost their few thousand distinct descriptions; only the lines a finding names
    are taken out of the table."""
    none = lines.iloc[0:0].assign(detail=pd.Series([], dtype="str"))
    if lines.empty or titles.empty:
        return none
    named = codes_named(titles, diagnoses=diagnoses)
    codes, texts = _arrow(lines[code]), _arrow(lines[description])
    keep = pc.and_(pc.is_in(codes, value_set=_arrow(named)), pc.not_equal(texts, ""))
    distinct = pa.table({"code": codes, "description": texts}).filter(keep).group_by(
        ["code", "description"], use_threads=False).aggregate([])
    if not distinct.num_rows:
        return none
    found = contradictions(distinct.to_pandas(types_mapper={pa.string(): pd.StringDtype(
        "pyarrow", na_value=np.nan)}.get), titles.rename(columns={CODE: "code"}),
        diagnoses=diagnoses, said=said)
    if found.empty:
        return none
    found = found.rename(columns={"code": code, "description": description})
    # back onto the lines: only those whose code and description a finding names
    subset = lines[_isin(lines[code], found[code]) & _isin(lines[description],
                                                            found[description])]
    return subset.merge(found, on=[code, description], how="inner")


def _new_in_family(codes_by_system: dict[str, pd.Series],
                   change_sets: dict[str, ChangeSet]) -> pd.DataFrame:
    """New codes in the categories (first three characters) of codes the input uses."""
    frames = []
    for system, codes in codes_by_system.items():
        cs = change_sets.get(system)
        if cs is None:
            continue
        changes = cs.diff.changes
        added = changes.loc[(changes["kind"] == ChangeKind.ADDED.value)
                            & (changes[RECORD] == RecordType.CODE.value), CODE]
        if added.empty:
            continue
        used = pd.Series(pd.unique(codes[codes != ""]), dtype="str")
        family = added.groupby(added.str.slice(0, 3)).agg(lambda c: ", ".join(sorted(c)))
        hit = used[used.str.slice(0, 3).isin(family.index) & ~used.isin(added)]
        if hit.empty:
            continue
        frames.append(pd.DataFrame({
            CODE: hit.to_numpy(), "system": system, "kind": FindingKind.NEW_IN_FAMILY.value,
            "detail": ("new in " + cs.new.version + " beside it: "
                       + hit.str.slice(0, 3).map(family)).to_numpy()}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=[CODE, "system", "kind", "detail"])


def _effective_by_system(change_sets: dict[str, ChangeSet]) -> dict[str, str]:
    return {s: cs.new.effective.isoformat() for s, cs in change_sets.items()}


def scan_chargemaster(cdm: I.ChargemasterInput, change_sets: dict[str, ChangeSet]
                      ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Findings for chargemaster lines, and the CDM part of the summary.

    A price-transparency tall file repeats each charge item once per payer and plan: the
    item is judged once, on its first row, and its payer rows are named in the finding's
    detail (``payer_rows`` counts the rows folded in)."""
    t = cdm.table
    repeats = np.zeros(len(t), dtype=bool)
    if I.ITEM_ROW in t:
        repeats = (t[I.ROW] != t[I.ITEM_ROW]).to_numpy()
        if repeats.any():
            t = t[~repeats]
    codes = _unique(t[I.CODE])
    system_of = procedure_system(codes)
    system = _lookup(t[I.CODE], codes, system_of)  # per line, decided once per distinct code
    effective = _effective_by_system(change_sets)
    latest = max(effective.values(), default="9999-12-31")
    ends_before = _lookup(system, pd.Series(list(effective), dtype="str"),
                          pd.Series(list(effective.values()), dtype="str")).replace("", latest)
    ended = ((t[I.END_DATE] != "") & (t[I.END_DATE] < ends_before)).to_numpy()
    inactive = ~t[I.ACTIVE].to_numpy(dtype=bool) | ended
    # price transparency lines coded only as DRG, NDC, RC ... are not procedure lines
    other_type = ((t[I.CODE] == "") & (t[I.CODE_TYPE] != "")
                  & ~t[I.CODE_TYPE].str.upper().isin(["CPT", "HCPCS"])).to_numpy()
    system = system.where(~other_type, OTHER_CODE_SET)
    live = t[~inactive].assign(system=system[~inactive])
    checked = live["system"].isin(list(change_sets)).to_numpy()
    base_cols = [I.ROW, I.CHARGE_CODE, I.DESCRIPTION, I.DEPARTMENT, I.CODE, "system",
                 I.PRICE, I.VOLUME]
    frames = []
    # a line with no CPT/HCPCS code (room and board, many supplies) bills by revenue code:
    # counted, not flagged; a code that is no code at all is flagged
    no_code = (live[I.CODE] == "").to_numpy()
    malformed = live[(live["system"] == "").to_numpy() & ~no_code]
    _check_code_column(malformed, no_code.size - int(no_code.sum()), cdm.source)
    if len(malformed):
        frames.append(malformed[base_cols].assign(
            kind=FindingKind.MALFORMED.value,
            detail="not a CPT or HCPCS code: '" + malformed[I.RAW_CODE] + "'")
            .assign(code=malformed[I.RAW_CODE]))
    wanted = [s for s in change_sets if s != CodeSystem.ICD10CM.value]
    codes_by_system = {s: codes[(system_of == s).to_numpy()] for s in wanted}
    lines = live[checked][base_cols]
    facts = facts_of_codes(codes_by_system, change_sets)
    if len(facts):
        hit = lines[_isin(lines[I.CODE], facts[CODE])]
        frames.append(hit.merge(facts, on=[I.CODE, "system"], how="inner"))
    # the description check looks at every checked code's official title, changed or not
    all_titles = _titles(codes_by_system, change_sets)
    mism = _mismatches(lines, all_titles)
    if len(mism):
        frames.append(mism.assign(kind=FindingKind.DESCRIPTION_MISMATCH.value).merge(
            all_titles, on=I.CODE, how="left"))
    fam = _new_in_family(codes_by_system, change_sets)
    if len(fam):
        first = lines[_isin(lines[I.CODE], fam[CODE])].drop_duplicates(I.CODE)
        frames.append(first.merge(fam, on=[I.CODE, "system"], how="inner"))
    findings = _finish(frames, "chargemaster")
    if I.ITEM_ROW in cdm.table and len(findings):
        findings = _with_payers(findings, cdm.table)
    at_risk_rows = findings.loc[findings["kind"].isin({k.value for k in AT_RISK_KINDS}),
                                ["row", "charges_at_risk"]].drop_duplicates("row")
    rows = t[I.ROW].to_numpy()
    live_rows = rows[~inactive]
    summary = {
        "rows_read": cdm.rows_read,
        "lines_checked": _distinct(live_rows[checked | (live["system"] == "").to_numpy()]),
        "inactive_rows": _distinct(rows[inactive]),
        "lines_without_code": _distinct(live_rows[no_code]),
        "not_checked_rows": _distinct(live_rows[~checked & (live["system"] != "")
                                                .to_numpy()]),
        "charges_at_risk": round(float(at_risk_rows["charges_at_risk"].fillna(0).sum()), 2),
        # at-risk lines without a price or volume: their charges are unknown, not $0.00
        "lines_at_risk": len(at_risk_rows),
        "lines_at_risk_without_volume": int(at_risk_rows["charges_at_risk"].isna().sum()),
        "has_volume": bool(cdm.table[I.VOLUME].notna().any()),
    }
    if I.ITEM_ROW in cdm.table:
        summary["charge_items"] = _distinct(rows)
        summary["payer_rows"] = _distinct(cdm.table.loc[repeats, I.ROW].to_numpy())
    return findings, summary


def _distinct(rows: np.ndarray) -> int:
    """How many distinct row numbers (1-based, dense): a mark per row, not a sort of a
    million rows."""
    if not len(rows):
        return 0
    seen = np.zeros(int(rows.max()) + 1, dtype=bool)
    seen[rows] = True
    return int(seen.sum())


MAX_PAYERS_SHOWN = 6


def _with_payers(findings: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Each finding of a price-transparency item with the item's payer rows in its detail
    ("payer rows: Platform Health Insurance / PPO (row 4), ..."): one finding per item,
    and the reader can still find every row of it."""
    rows = table.loc[_isin(table[I.ITEM_ROW].astype(str), findings["row"].astype(str)),
                     [I.ROW, I.ITEM_ROW, I.PAYER]].drop_duplicates(I.ROW)
    if rows.empty:
        return findings
    named = rows[I.PAYER].where(rows[I.PAYER] != "", "payer not named") + " (row " \
        + rows[I.ROW].astype(str) + ")"
    by_item = named.groupby(rows[I.ITEM_ROW].to_numpy(), sort=False).agg(
        lambda p: ", ".join(p.iloc[:MAX_PAYERS_SHOWN]) + (
            f" and {len(p) - MAX_PAYERS_SHOWN} more" if len(p) > MAX_PAYERS_SHOWN else ""))
    counts = rows.groupby(I.ITEM_ROW).size()
    said = findings["row"].map(by_item)
    n = findings["row"].map(counts).fillna(0).astype(int)
    text = (n.astype(str) + " payer rows: " + said.fillna("")).where(said.notna(), "")
    detail = findings["detail"].where(findings["detail"] == "", findings["detail"] + "; ")
    return findings.assign(detail=(detail + text).where(text != "", findings["detail"]))


def _check_code_column(malformed: pd.DataFrame, coded: int, source: str) -> None:
    """A code column where most values are no code at all is the wrong column (a
    description or price column picked up), not a chargemaster full of typos."""
    if coded < 5 or len(malformed) * 2 < coded:
        return
    first = malformed.iloc[0]
    column = str(first[I.CODE_COLUMN]) if I.CODE_COLUMN in malformed else "code"
    raise UpdaterError(
        f"the code column '{column}' holds no CPT or HCPCS codes ({len(malformed)} of "
        f"{coded} values are not codes, e.g. '{first[I.RAW_CODE]}' on row {first[I.ROW]})",
        file=source, hint="is it the right column? name it with --code-col or a --profile")


def _titles(codes_by_system: dict[str, pd.Series],
            change_sets: dict[str, ChangeSet]) -> pd.DataFrame:
    frames = []
    for system, codes in codes_by_system.items():
        table = change_sets[system].new.table
        used = table[_isin(table[CODE], codes)]
        frames.append(pd.DataFrame({CODE: used[CODE], "official_title": used[LONG]}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=[CODE, "official_title"])


def _pairs_out_of_force(t: pd.DataFrame, effective: dict[str, str]
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(inactive, ended, ends_between) per pair: its status says inactive; else it is
    end-dated before the earliest effective date of the scan (no change set touches it);
    else it is end-dated before the latest one (only the earlier change sets touch it).
    A pair written ended by ``updater apply`` (the day before the effective date) is
    ended. Tables without these columns (built in code) are all in force."""
    n = len(t)
    inactive = ~t[I.ACTIVE].to_numpy(dtype=bool) if I.ACTIVE in t else np.zeros(n, bool)
    ended = np.zeros(n, dtype=bool)
    between = np.zeros(n, dtype=bool)
    if I.END_DATE not in t or not effective:
        return inactive, ended, between
    end = t[I.END_DATE]
    dated = (end != "").to_numpy(dtype=bool) & ~inactive
    if dated.any():
        at = np.flatnonzero(dated)
        ends = end.iloc[at]
        ended[at] = (ends < min(effective.values())).to_numpy(dtype=bool)
        between[at] = ~ended[at] & (ends < max(effective.values())).to_numpy(dtype=bool)
    return inactive, ended, between


def _in_force_on_side(found: pd.DataFrame, effective: dict[str, str]) -> pd.DataFrame:
    """Findings without those on pairs that end before the effective date of the finding's
    own change set (a malformed code, of no code set: the latest date)."""
    cut = found["system"].map(effective).fillna(max(effective.values())).astype(str)
    ends = found[I.END_DATE].astype(str)
    return found[~((ends != "") & (ends < cut)).to_numpy(dtype=bool)]


def scan_crosswalk(xw: I.CrosswalkInput, change_sets: dict[str, ChangeSet]
                   ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Findings for crosswalk pairs: each side checked against its own code set. The codes
    are judged once each, then only the pairs holding a flagged code are taken out.

    A pair that no longer holds is not flagged, only counted, as a retired CDM line:
    ``pairs_inactive`` (its status says inactive) and ``pairs_ended`` (end-dated before
    the effective date: what ``updater apply`` writes when it ends a pair). With change
    sets of different effective dates, a pair ending between them is checked against the
    earlier ones only. A pair whose effective (start) date is after the release's
    effective date is checked like any other: it will hold while the new release is in
    force, so a code this release deleted is wrong there too (the successor pairs apply
    adds start on the effective date itself)."""
    effective = _effective_by_system(change_sets)
    inactive, ended, between = _pairs_out_of_force(xw.table, effective)
    out = inactive | ended
    t = xw.table[~out] if out.any() else xw.table
    frames = []
    proc_codes, dx_codes = _unique(t[I.PROCEDURE]), _unique(t[I.DIAGNOSIS])
    proc_system = procedure_system(proc_codes)
    dx_ok = is_icd10cm(dx_codes).to_numpy()
    by_system: dict[str, pd.Series] = {s: proc_codes[(proc_system == s).to_numpy()]
                                       for s in ("cpt", "hcpcs") if s in change_sets}
    if CodeSystem.ICD10CM.value in change_sets:
        by_system[CodeSystem.ICD10CM.value] = dx_codes[dx_ok]
    facts = facts_of_codes(by_system, change_sets)
    pair_cols = [I.ROW, I.PROCEDURE, I.DIAGNOSIS]
    if between.any():
        pair_cols.append(I.END_DATE)
    icd = (facts["system"] == CodeSystem.ICD10CM.value).to_numpy() if len(facts) else None
    for column, side_facts in ((I.PROCEDURE, facts[~icd] if icd is not None else facts),
                               (I.DIAGNOSIS, facts[icd] if icd is not None else facts)):
        if side_facts.empty:
            continue
        affected = t.loc[_isin(t[column], side_facts[CODE]), pair_cols]
        frames.append(affected.assign(code=affected[column]).merge(side_facts, on=CODE,
                                                                   how="inner"))
    # Each side's blanks compared once (10,000,000 pairs): the summary and the findings.
    empty = {column: (t[column] == "").to_numpy(dtype=bool)
             for column in (I.PROCEDURE, I.DIAGNOSIS)}
    blank = empty[I.PROCEDURE] | empty[I.DIAGNOSIS]
    for column, bad, a, what in ((I.PROCEDURE, proc_codes[(proc_system == "").to_numpy()],
                                  "a", "CPT or HCPCS"),
                                 (I.DIAGNOSIS, dx_codes[~dx_ok], "an", "ICD-10-CM")):
        mask = _isin(t[column], bad) | empty[column]
        if mask.any():
            rows = t.loc[mask, pair_cols]
            frames.append(rows.assign(
                code=rows[column], system="", kind=FindingKind.MALFORMED.value,
                detail=np.where(empty[column][mask], f"no {what} code in this pair",
                                f"not {a} {what} code: '" + rows[column] + "'")))
    described, notes = _crosswalk_descriptions(t, by_system, change_sets, pair_cols,
                                               xw.columns)
    frames += described
    if between.any():
        frames = [_in_force_on_side(f, effective) for f in frames]
    findings = _finish(frames, "crosswalk")
    summary: dict[str, Any] = {
        "rows_read": xw.rows_read, "pairs": len(xw.table),
        "pairs_with_blank_code": int(blank.sum()),
        "pairs_affected": int(findings[[I.ROW, I.PROCEDURE, I.DIAGNOSIS]]
                              .drop_duplicates().shape[0]) if len(findings) else 0,
        "pairs_checked": len(t), "pairs_inactive": int(inactive.sum()),
        "pairs_ended": int(ended.sum()),
        # "20 pairs from 16 rows": the ranges and header codes of list cells expanded
        # against the release, and the pairs they gave
        "items_expanded": xw.items_expanded,
        "pairs_from_expansion": xw.pairs_from_expansion}
    if notes:
        summary["notes"] = notes
    return findings, summary


# A description column describes a side's codes when at least this share of its pairs has
# a word in common with the official title (honest descriptions: 75-100%; the procedure's
# description next to a diagnosis code: a few percent).
MIN_AGREEMENT = 0.5


def _crosswalk_descriptions(t: pd.DataFrame, by_system: dict[str, pd.Series],
                            change_sets: dict[str, ChangeSet], pair_cols: list[str],
                            columns: dict[str, str]) -> tuple[list[pd.DataFrame], list[str]]:
    """``description_mismatch`` for pairs whose own description column contradicts the
    official title of its code: the diagnosis description against the ICD-10-CM title
    (side, body part, condition), the procedure description against the CPT/HCPCS one.
    A column whose descriptions mostly share no word with the titles describes something
    else (which code a plain "Description" belongs to is a guess): it is not checked, and
    a note says so, rather than raising an alarm on every pair."""
    frames, notes = [], []
    sides = ((I.DIAGNOSIS_DESCRIPTION, I.DIAGNOSIS, [CodeSystem.ICD10CM.value], True),
             (I.PROCEDURE_DESCRIPTION, I.PROCEDURE,
              [CodeSystem.CPT.value, CodeSystem.HCPCS.value], False))
    for column, code, systems, diagnoses in sides:
        wanted = {s: by_system[s] for s in systems if s in by_system}
        if column not in t or not wanted:
            continue
        titles = _titles(wanted, change_sets)
        lines = t[[*pair_cols, column]]
        share = agreement(lines[[code, column]].set_axis(["code", "description"], axis=1),
                          titles)
        if share < MIN_AGREEMENT:
            if (lines[column] != "").any():
                notes.append(f"the crosswalk's column '{columns.get(column, column)}' does "
                             f"not describe its {code} codes (only {share:.0%} of its "
                             "descriptions share a word with the official titles): not "
                             "checked")
            continue
        found = _mismatches(lines, titles, diagnoses=diagnoses,
                            said="the pair's description says", code=code,
                            description=column)
        if found.empty:
            continue
        system = pd.Series("", index=found.index, dtype="str")
        for s in wanted:
            system = system.where(~_isin(found[code], wanted[s]), s)
        frames.append(found.assign(
            code=found[code], system=system, description=found[column],
            kind=FindingKind.DESCRIPTION_MISMATCH.value).drop(columns=column).merge(
                titles, on=CODE, how="left"))
    return frames, notes


def _finish(frames: list[pd.DataFrame], source: str) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    out["source"] = source
    for col in FINDING_COLUMNS:
        if col not in out:
            out[col] = None
    at_risk = out["kind"].isin({k.value for k in AT_RISK_KINDS})
    if I.PRICE in out and I.VOLUME in out:
        value = pd.to_numeric(out[I.PRICE], errors="coerce") * pd.to_numeric(
            out[I.VOLUME], errors="coerce")
        out["charges_at_risk"] = value.where(at_risk).round(2)
    missing = out["candidates"].isna().to_numpy()
    if missing.any():  # only those rows, all one empty list: findings are read, not added to
        candidates = out["candidates"].to_numpy(dtype=object, copy=True)
        none = np.empty(1, dtype=object)
        none[0] = []
        candidates[missing] = none
        out["candidates"] = candidates
    out["automatic"] = out["automatic"].fillna(False).astype(bool)
    for col in ("charge_code", "description", "department", "official_title",
                "previous_title", "detail", "procedure", "diagnosis", "system"):
        out[col] = out[col].fillna("").astype(str)
    out["row"] = out["row"].astype(int)
    # the kinds' order by Arrow's hash table (a dict .map goes cell by cell on Arrow strings)
    order = pc.index_in(_arrow(out["kind"]), value_set=pa.array(list(_KIND_ORDER), pa.string()))
    out = out.assign(_k=order.to_numpy(zero_copy_only=False)).sort_values(
        ["row", "_k", "code"], kind="stable")
    return out[list(FINDING_COLUMNS)].reset_index(drop=True)


def scan(change_sets: list[ChangeSet], *, chargemaster: I.ChargemasterInput | None = None,
         crosswalk: I.CrosswalkInput | None = None) -> ScanResult:
    """Scan a chargemaster and/or a crosswalk against the given change sets."""
    by_system = {cs.system.value: cs for cs in change_sets}
    frames: list[pd.DataFrame] = []
    summary: dict[str, Any] = {"rows_read": 0}
    if chargemaster is not None:
        found, part = scan_chargemaster(chargemaster, by_system)
        frames.append(found)
        summary["chargemaster"] = part
        summary["rows_read"] += part["rows_read"]
    if crosswalk is not None:
        found, part = scan_crosswalk(crosswalk, by_system)
        frames.append(found)
        summary["crosswalk"] = part
        summary["rows_read"] += part["rows_read"]
    findings = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(
        len(f) for f in frames) else pd.DataFrame(columns=list(FINDING_COLUMNS))
    counts = findings["kind"].value_counts()
    summary["findings_by_kind"] = {k.value: int(counts.get(k.value, 0)) for k in FindingKind}
    cdm = summary.get("chargemaster", {})
    summary["charges_at_risk"] = cdm.get("charges_at_risk", 0.0)
    # lines at risk whose charges are unknown (no price or volume): not a reassuring $0.00
    summary["lines_at_risk_without_volume"] = cdm.get("lines_at_risk_without_volume", 0)
    summary["notes"] = [n for cs in change_sets for n in cs.notes] + summary.get(
        "crosswalk", {}).get("notes", [])
    return ScanResult(findings=findings, summary=summary, change_sets=change_sets)

