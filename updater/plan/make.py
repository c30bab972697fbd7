"""The migration plan: the scan's findings turned into one proposed action per row.

Each chargemaster finding becomes one action on its line (replace, split, retire, update
the description, or a person must review); each crosswalk pair whose code is gone becomes
``end_pair`` plus one ``add_pair`` per successor. Only a one-to-one successor from an
authoritative source starts ``approved``; everything else waits for a reviewer.

The plan's shape (columns, identity) is the contract in :mod:`updater.plan.model`; its
files are :mod:`updater.plan.plan_file` (``plan.json``, documented in
``docs/plan-schema.md``) and :mod:`updater.plan.workbook` (the review workbook).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from updater import __version__
from updater.codes import DOTTED, file_spelling, spell_code_lists
from updater.codeshapes import procedure_system
from updater.errors import UpdaterError
from updater.files.output import file_sha256
from updater.impact.findings import ScanResult, read_scan_json
from updater.impact.inputs import DIAGNOSIS_AS_WRITTEN, ChargemasterInput, CrosswalkInput
from updater.model import official_titles
from updater.plan import model as P
from updater.plan.model import Plan, empty_table, typed_table
from updater.releases.lookup import resolve_side
from updater.releases.readers import ReadOptions
from updater.vocabulary import (
    AT_RISK_KINDS,
    CodeSystem,
    Decision,
    FindingKind,
    PlanAction,
    Relation,
)

_AT_RISK = {k.value for k in AT_RISK_KINDS}
_REVIEW_KINDS = {FindingKind.NOT_IN_RELEASE.value, FindingKind.MALFORMED.value,
                 FindingKind.DESCRIPTION_MISMATCH.value}
_WHAT_HAPPENED = {
    FindingKind.DELETED.value: "is deleted",
    FindingKind.TERMINATED.value: "is discontinued",
    FindingKind.EXPANDED.value: "became a header, no longer billable",
    FindingKind.NOT_BILLABLE.value: "is a header, not billable",
    FindingKind.DELETED_EARLIER.value: "was deleted in an earlier release",
}



# --------------------------------------------------------------------------- make_plan


def _successors(findings: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per finding (by index): successor codes, their count, relation and sources; and the
    successors one per row (for ``add_pair``). A candidate with relation ``none`` or no
    code names no successor, only where the verdict came from."""
    flat = pd.DataFrame(
        [(i, c.get("code", "") or "", c.get("relation", "") or "", c.get("source", "") or "",
          bool(c.get("automatic", False)), _unit_change(c))
         for i, cands in zip(findings.index, findings["candidates"], strict=True)
         for c in (cands if isinstance(cands, list) else [])],
        columns=["finding", "code", "relation", "source", "automatic", "units"])
    flat = flat.astype({"finding": int, "code": str, "relation": str, "source": str,
                        "automatic": bool, "units": str})
    succ = flat[(flat["code"] != "") & (flat["relation"] != Relation.NONE.value)]
    # a successor two sources name (the CDC table and the hierarchy) is one successor, with
    # both sources: one add_pair row, one code in a split; the first source's relation
    key = ["finding", "code"]
    named = succ.drop_duplicates([*key, "source"]).groupby(key, sort=False)["source"].agg(
        "; ".join)
    succ = succ.drop_duplicates(key).set_index(key)
    succ = succ.assign(source=named.reindex(succ.index).to_numpy()).reset_index()
    by = succ.groupby("finding", sort=False)
    per = pd.DataFrame({
        "codes": by["code"].agg(",".join),
        "n": by["code"].size(),
        "relations": by["relation"].agg(list),
    })
    # one relation when the successors agree, else one per proposed code, in order
    per["relation"] = [r[0] if len(set(r)) == 1 else ",".join(r) for r in per["relations"]]
    sources = flat[flat["source"] != ""].groupby("finding", sort=False)["source"].agg(
        lambda s: "; ".join(dict.fromkeys(s)))
    units = flat[flat["units"] != ""].groupby("finding", sort=False)["units"].agg(
        lambda u: ", ".join(dict.fromkeys(u)))
    out = pd.DataFrame(index=findings.index)
    def text(values: pd.Series) -> pd.Series:  # object first: an empty Series is float
        return values.astype(object).reindex(out.index).fillna("").astype(str)

    out["codes"] = text(per["codes"])
    out["n"] = per["n"].reindex(out.index).fillna(0).astype(int)
    out["relation"] = text(per["relation"])
    out["source"] = text(sources)
    out["units"] = text(units)
    return out, succ.reset_index(drop=True)


def _unit_change(candidate: dict[str, Any]) -> str:
    """``"J7318: per dose -> 1 mg"`` when the candidate bills another unit, else ``""``."""
    change = candidate.get("unit_change")
    if not isinstance(change, dict) or not change.get("old"):
        return ""
    return f"{candidate.get('code', '')}: {change.get('old', '')} -> {change.get('new', '')}"


def _reasons(f: pd.DataFrame, succ: pd.DataFrame, labels: dict[str, str]) -> pd.Series:
    """Plain words for each finding, e.g. "J2001 is discontinued (TERM DT 2025-12-31);
    HCPCS XREF1 (2026) names J2002 one-to-one"; codes spelled as the finding's file
    spells them (``succ["codes"]`` already is)."""
    code, kind = f["shown_code"], f["kind"]
    detail = _spelled(f["detail"], f["system"], f["spelling"])  # "children: E11650, ..."
    release = f["system"].map(labels).astype(object).fillna("the new release").astype(str)
    happened = kind.map(_WHAT_HAPPENED).fillna("").astype(str)
    happened = happened.where(kind != FindingKind.DELETED.value, happened + " in " + release)
    happened = happened.where(detail == "", happened + " (" + detail + ")")
    names = np.select(
        [succ["n"] == 0, f["automatic"] & (succ["n"] == 1), succ["n"] == 1],
        [pd.Series(np.where(succ["source"] != "", succ["source"], "no successor is named"),
                   index=f.index, dtype=str) + "; retire the line",
         succ["source"] + " names " + succ["codes"] + " one-to-one",
         succ["source"] + " names " + succ["codes"] + " (" + succ["relation"]
         + "); confirm it fits"],
        succ["source"] + " names " + succ["n"].astype(str) + " successors (" + succ["codes"]
        + "); choose by documentation")
    at_risk = code + " " + happened + "; " + names
    # another billing unit: the line's price and units were set for the old one
    at_risk = at_risk.where(succ["units"] == "", at_risk + "; the billing unit changes ("
                            + succ["units"] + "): review the price and units before "
                            "approving")
    revised = ("the official title of " + code + " changed: '" + f["previous_title"]
               + "' -> '" + f["official_title"] + "'")
    guessed = detail.str.contains("; did you mean ", regex=False)
    not_in = (code + " is " + detail + ": a typo or another code set? check the line").where(
        ~guessed, code + " is " + detail.str.replace("; did you mean ", ": a typo? did you mean ",
                                                     regex=False) + " check the line")
    malformed = detail + "; correct the code"
    mismatch = code + ": " + detail + "; check the description or the code"
    return pd.Series(np.select(
        [kind.isin(_AT_RISK), kind == FindingKind.REVISED.value,
         kind == FindingKind.NOT_IN_RELEASE.value, kind == FindingKind.MALFORMED.value,
         kind == FindingKind.DESCRIPTION_MISMATCH.value],
        [at_risk, revised, not_in, malformed, mismatch], detail), index=f.index, dtype=str)


def _base(f: pd.DataFrame, succ: pd.DataFrame, effective: pd.Series, reason: pd.Series
          ) -> pd.DataFrame:
    """Plan columns that every row made from a finding shares."""
    old_title = f["previous_title"].where(f["previous_title"] != "", f["official_title"])
    return pd.DataFrame({
        P.SECTION: f["source"], P.SOURCE_ROW: f["row"].astype(int),
        P.CHARGE_CODE: f["charge_code"], P.DESCRIPTION: f["description"],
        P.OLD_CODE: f["code"], P.OLD_TITLE: old_title, P.PROPOSED: "", P.PROPOSED_TEXT: "",
        P.RELATION: "", P.CANDIDATE_SOURCE: succ["source"], P.SYSTEM: f["system"],
        P.EFFECTIVE: effective, P.REASON: reason, P.FINDING: f["kind"],
        P.DECISION: Decision.PENDING.value, P.REPLACEMENT: "", P.REVIEWER: "",
        P.REVIEWED_ON: "", P.COMMENT: "",
        P.CHARGES_AT_RISK: pd.to_numeric(f["charges_at_risk"], errors="coerce"),
        P.PAIR_PROCEDURE: f["procedure"], P.PAIR_DIAGNOSIS: f["diagnosis"],
        "_finding": f.index, "_sub": 0})


def _chargemaster_rows(f: pd.DataFrame, succ: pd.DataFrame, base: pd.DataFrame
                       ) -> pd.DataFrame:
    kind = f["kind"]
    n = succ["n"]
    action = np.select(
        [kind.isin(_AT_RISK) & (n == 0), kind.isin(_AT_RISK) & (n == 1), kind.isin(_AT_RISK),
         kind == FindingKind.REVISED.value, kind.isin(_REVIEW_KINDS)],
        [PlanAction.RETIRE.value, PlanAction.REPLACE.value, PlanAction.SPLIT.value,
         PlanAction.UPDATE_DESCRIPTION.value, PlanAction.REVIEW.value], "")
    rows = base.copy()
    rows[P.ACTION] = action
    moving = kind.isin(_AT_RISK).to_numpy()
    rows[P.PROPOSED] = np.where(moving, succ["codes"], "")
    rows[P.RELATION] = np.where(moving, np.where(n > 0, succ["relation"], Relation.NONE.value),
                                "")
    rows[P.PROPOSED_TEXT] = np.select(
        [action == PlanAction.UPDATE_DESCRIPTION.value, moving],
        [f["official_title"], succ["titles"]], "")
    # never by default when the billing unit changes: the price and units need a person
    approved = ((action == PlanAction.REPLACE.value) & f["automatic"].to_numpy(dtype=bool)
                & (succ["units"] == "").to_numpy())
    rows[P.DECISION] = np.where(approved, Decision.APPROVED.value, Decision.PENDING.value)
    return rows[action != ""]


def _crosswalk_rows(f: pd.DataFrame, succ: pd.DataFrame, flat: pd.DataFrame,
                    base: pd.DataFrame) -> pd.DataFrame:
    kind = f["kind"]
    at_risk = kind.isin(_AT_RISK).to_numpy()
    review = kind.isin(_REVIEW_KINDS).to_numpy()
    approved = f["automatic"].to_numpy(dtype=bool) & (succ["n"] == 1).to_numpy()
    ends = base[at_risk].copy()
    ends[P.ACTION] = PlanAction.END_PAIR.value
    ends[P.RELATION] = np.where(succ["n"][at_risk] > 0, succ["relation"][at_risk],
                                Relation.NONE.value)
    ends[P.DECISION] = np.where(approved[at_risk], Decision.APPROVED.value,
                                Decision.PENDING.value)
    reviews = base[review].copy()
    reviews[P.ACTION] = PlanAction.REVIEW.value
    # one add_pair per successor: the pair with the gone code swapped for the successor
    adds_from = flat[flat["finding"].isin(ends["_finding"])].reset_index(drop=True)
    adds = base.loc[adds_from["finding"]].reset_index(drop=True)
    diagnosis_side = (adds[P.SYSTEM] == CodeSystem.ICD10CM.value).to_numpy()
    new_code = adds_from["code"].astype(str)
    adds[P.ACTION] = PlanAction.ADD_PAIR.value
    adds[P.PROPOSED] = new_code
    adds[P.PROPOSED_TEXT] = adds_from["title"].to_numpy()
    adds[P.RELATION] = adds_from["relation"]
    adds[P.CANDIDATE_SOURCE] = adds_from["source"]
    adds[P.PAIR_PROCEDURE] = np.where(diagnosis_side, adds[P.PAIR_PROCEDURE], new_code)
    adds[P.PAIR_DIAGNOSIS] = np.where(diagnosis_side, new_code, adds[P.PAIR_DIAGNOSIS])
    adds[P.CHARGES_AT_RISK] = np.nan
    shown_old = f["shown_code"].loc[adds["_finding"]].to_numpy()
    adds[P.REASON] = ("add the successor pair: " + adds_from["shown"].to_numpy() + " replaces "
                      + shown_old + " (" + adds_from["relation"] + ", " + adds_from["source"]
                      + ")")
    adds[P.DECISION] = np.where(
        pd.Series(approved, index=f.index).reindex(adds["_finding"]).to_numpy(dtype=bool),
        Decision.APPROVED.value, Decision.PENDING.value)
    # A pair whose procedure and diagnosis are both retired: each successor pair keeps the
    # other retired code, so none is approved by default and the reason says why.
    sides = pd.DataFrame({"row": ends[P.SOURCE_ROW],
                          "dx": ends[P.SYSTEM] == CodeSystem.ICD10CM.value})
    both = sides.groupby("row")["dx"].nunique()
    both_rows = both.index[both.to_numpy() > 1]
    other = adds[P.SOURCE_ROW].isin(both_rows).to_numpy()
    adds.loc[other, P.DECISION] = Decision.PENDING.value
    adds.loc[other, P.REASON] = (adds.loc[other, P.REASON] + "; the pair's other code is "
                                 "retired too (see its own rows): review before approving")
    adds["_sub"] = np.arange(1, len(adds) + 1)
    frames = [x for x in (ends, reviews, adds) if len(x)]
    if frames:
        return pd.concat(frames, ignore_index=True)
    empty = base.iloc[0:0].copy()
    empty[P.ACTION] = ""
    return empty


def _path_of(source: str) -> str:
    """The file of an input's ``source`` ("cdm.xlsx, sheet 'CDM'" -> "cdm.xlsx")."""
    return re.sub(r", sheet '.*'$", "", source)


def _release_file(names: list[str]) -> str:
    """The file a release can be read from again: the archive for a zip member, absolute
    when it exists (so ``apply`` finds it from another folder)."""
    if not names:
        return ""
    name = names[0].split("!", 1)[0]
    return str(Path(name).resolve()) if Path(name).is_file() else name


def _spelled(codes: pd.Series, systems: pd.Series, spelling: pd.Series) -> pd.Series:
    """Lists of normalized codes (one code, or ``A,B``) spelled per row: each row's code
    system, and its file's spelling (``updater.codes``)."""
    out = codes.astype(str).copy()
    icd = ((systems == CodeSystem.ICD10CM.value) & (spelling == DOTTED)).to_numpy()
    if icd.any():
        out[icd] = spell_code_lists(out[icd], CodeSystem.ICD10CM, DOTTED)
    return out


def _candidate_titles(flat: pd.DataFrame, systems: pd.Series,
                      titles: Mapping[str, pd.Series]) -> pd.Series:
    """The official title of each candidate code in the new release of its own code system
    (an ICD-10-CM finding's candidates are ICD-10-CM codes; a procedure's may be CPT or
    HCPCS, whatever the code's shape says); "" where no release of it is at hand."""
    finding_system = systems.reindex(flat["finding"]).to_numpy()
    by_shape = procedure_system(flat["code"]).to_numpy()
    system = np.where(finding_system == CodeSystem.ICD10CM.value, finding_system,
                      np.where(by_shape != "", by_shape, finding_system))
    out = pd.Series("", index=flat.index, dtype=object)
    for name, table in titles.items():
        at = system == name
        if at.any():
            out[at] = flat.loc[at, "code"].map(table).fillna("").astype(str)
    return out.astype(str)


def _proposed_titles(flat: pd.DataFrame, index: pd.Index) -> pd.Series:
    """Per finding: the one successor's title, or one "CODE title" line per successor."""
    if not len(flat):
        return pd.Series("", index=index, dtype=str)
    by = flat.groupby("finding", sort=False)
    lines = (flat["shown"] + " " + flat["title"]).str.strip()
    several = by["code"].transform("size").to_numpy() > 1
    text = pd.Series(np.where(several, lines, flat["title"]), index=flat.index)
    joined = text.groupby(flat["finding"], sort=False).agg("\n".join)
    return joined.reindex(index).fillna("").astype(str)


def release_titles(releases: Sequence[Any]) -> dict[str, pd.Series]:
    """Official titles (code -> title) of each code system's new release."""
    return {r.system.value: official_titles(r.table) for r in releases}


def make_plan(result: ScanResult, *, chargemaster: ChargemasterInput | None = None,
              crosswalk: CrosswalkInput | None = None, plan_id: str | None = None,
              titles: Mapping[str, pd.Series] | None = None) -> Plan:
    """The migration plan for a scan: one row per proposed action (see the module doc).
    ``titles`` (code system -> official titles of its new release) name the proposed
    codes; by default those of the scan's change sets."""
    f = result.findings
    f = f[f["kind"] != FindingKind.NEW_IN_FAMILY.value].reset_index(drop=True)
    f = f.assign(automatic=f["automatic"].fillna(False).astype(bool))
    releases = release_entries(result)
    effective_of = {r["system"]: r["effective"] for r in releases}
    labels = {r["system"]: _label(r["system"], r["version"]) for r in releases}
    earliest = min(effective_of.values(), default="")
    effective = f["system"].map(effective_of).astype(object).fillna(earliest).astype(str)
    if titles is None:
        titles = release_titles([cs.new for cs in result.change_sets])
    if crosswalk is not None:
        spelling = file_spelling(crosswalk.table[DIAGNOSIS_AS_WRITTEN])
    else:
        spelling = str(result.inputs.get("crosswalk", {}).get("icd10cm_spelling", ""))
    row_spelling = pd.Series(np.where(f["source"] == "crosswalk", spelling or DOTTED, DOTTED),
                             index=f.index)
    f = f.assign(shown_code=_spelled(f["code"], f["system"], row_spelling),
                 spelling=row_spelling)
    succ, flat = _successors(f)
    flat = flat.assign(title=_candidate_titles(flat, f["system"], titles),
                       shown=_spelled(flat["code"], f["system"].reindex(flat["finding"])
                                      .reset_index(drop=True),
                                      row_spelling.reindex(flat["finding"])
                                      .reset_index(drop=True)))
    succ = succ.assign(titles=_proposed_titles(flat, f.index),
                       shown=_spelled(succ["codes"], f["system"], row_spelling))
    base = _base(f, succ, effective, _reasons(f, succ.assign(codes=succ["shown"]), labels))
    cdm = (f["source"] == "chargemaster").to_numpy()
    frames = [_chargemaster_rows(f[cdm], succ[cdm], base[cdm]),
              _crosswalk_rows(f[~cdm], succ[~cdm], flat, base[~cdm])]
    frames = [x for x in frames if len(x)]
    if frames:
        table = pd.concat(frames, ignore_index=True).sort_values(["_finding", "_sub"],
                                                                 kind="stable")
        table[P.PLAN_ROW] = np.arange(1, len(table) + 1)
        table[P.DEFAULT_DECISION] = table[P.DECISION]
        table = typed_table(table)
    else:
        table = empty_table()
    identity = P.PlanIdentity(
        plan_id=plan_id or uuid.uuid4().hex,
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        releases=releases,
        chargemaster=_path_of(chargemaster.source) if chargemaster is not None else "",
        chargemaster_sha256=chargemaster.sha256 if chargemaster is not None else "",
        crosswalk=_path_of(crosswalk.source) if crosswalk is not None else "",
        crosswalk_sha256=crosswalk.sha256 if crosswalk is not None else "",
        tool_version=__version__, crosswalk_spelling=spelling)
    for name, recorded in result.inputs.items():  # a scan that says what it read
        if name in ("chargemaster", "crosswalk") and not getattr(identity, name):
            setattr(identity, name, str(recorded.get("path", "")))
            setattr(identity, name + "_sha256", str(recorded.get("sha256", "")))
    return Plan(table=table, identity=identity)


def _label(system: str, version: str) -> str:
    try:
        return f"{CodeSystem(system).label} {version}"
    except ValueError:
        return f"{system} {version}"


def release_entries(result: ScanResult) -> list[dict[str, str]]:
    """The identity's ``releases``: from the scan's change sets, or, for a scan read back
    from its JSON, from the JSON's ``releases`` (the store id and source file are there
    since scans record them; an older JSON gives the id from system and version)."""
    if result.change_sets:
        return [{
            "id": cs.new.id, "system": cs.system.value, "version": cs.new.version,
            "effective": cs.new.effective.isoformat(),
            "source": _release_file([s.name for s in cs.new.sources]),
            "sha256": cs.new.sources[0].sha256 if len(cs.new.sources) == 1 else "",
            "previous_id": cs.old.id, "previous_version": cs.old.version,
            "previous_source": _release_file([s.name for s in cs.old.sources]),
        } for cs in result.change_sets]
    out = []
    for r in result.releases:
        new, old = r.get("new") or {}, r.get("old") or {}
        system = str(r.get("system") or new.get("system") or "")

        def get(side: dict[str, Any], key: str, system: str = system) -> str:
            value = side.get(key)
            if key == "id" and not value and side.get("version"):
                value = f"{system}:{side['version']}"
            return "" if value is None else str(value)

        out.append({"id": get(new, "id"), "system": system, "version": get(new, "version"),
                    "effective": get(new, "effective")[:10], "source": get(new, "source"),
                    "sha256": get(new, "sha256"), "previous_id": get(old, "id"),
                    "previous_version": get(old, "version"),
                    "previous_source": get(old, "source")})
    return out


def load_titles(entries: Sequence[Mapping[str, str]], store: Path) -> dict[str, pd.Series]:
    """Official titles of the new releases a plan identity (or a saved scan) names, read
    again from their source file, else from the store by id; a release that cannot be
    read any more gives no titles (the plan's descriptions stay blank, nothing else
    changes)."""
    found = []
    for entry in entries:
        for spec in (entry.get("source", ""), entry.get("id", "")):
            if not spec or (spec == entry.get("source") and not Path(spec).is_file()):
                continue
            try:
                found.append(resolve_side(spec, store, ReadOptions()))
                break
            except (OSError, UpdaterError):
                continue
    return release_titles(found)


def plan_from_scan_json(path: str | Path, *, chargemaster: Path | None = None,
                        crosswalk: Path | None = None, plan_id: str | None = None,
                        store: Path = Path("releases")) -> Plan:
    """The plan of a saved ``updater scan --json`` (no new scan). The identity takes the
    releases and the input files (path, sha256) the scan recorded; a chargemaster or
    crosswalk given here must be the very file the scan read (same sha256), and is
    recorded as given. The proposed codes' titles come from the new releases, read again
    (:func:`load_titles`)."""
    result = read_scan_json(path)
    made = make_plan(result, plan_id=plan_id,
                     titles=load_titles(release_entries(result), store))
    for name, given in (("chargemaster", chargemaster), ("crosswalk", crosswalk)):
        if given is None:
            continue
        if not Path(given).is_file():
            raise UpdaterError(f"no such {name}", file=given, hint="check the path")
        actual = file_sha256(given)
        recorded = getattr(made.identity, name + "_sha256")
        if recorded and recorded != actual:
            raise UpdaterError(
                f"the {name} is not the file the scan read (sha256 {actual[:12]}, the "
                f"scan's {recorded[:12]})", file=given,
                hint=f"scan this {name} again, or give the one the scan read")
        setattr(made.identity, name, str(given))
        setattr(made.identity, name + "_sha256", actual)
    return made


def summary_text(plan: Plan, paths: list[Path] = ()) -> str:  # type: ignore[assignment]
    """What ``updater plan`` prints: rows by action and default decision, charges at risk."""
    t = plan.table
    lines = [f"Migration plan {plan.identity.plan_id}: {len(t)} rows", ""]
    decisions = [d.value for d in Decision]
    lines.append(f"{'action':20}" + "".join(f"{d:>10}" for d in decisions) + f"{'total':>8}")
    counts = (pd.crosstab(t[P.ACTION], t[P.DEFAULT_DECISION]) if len(t) else pd.DataFrame())
    for action in PlanAction:
        if action.value not in counts.index:
            continue
        row: pd.Series = counts.loc[action.value]  # type: ignore[assignment]
        lines.append(f"{action.value:20}" + "".join(
            f"{int(row.get(d, 0)):>10}" for d in decisions) + f"{int(row.sum()):>8}")
    if not len(t):
        lines.append("nothing to do: no finding needs an action")
    risk = t[(t[P.SECTION] == "chargemaster") & t[P.FINDING].isin(_AT_RISK)]
    unknown = len(risk) > 0 and bool(risk[P.CHARGES_AT_RISK].isna().all())
    lines += ["", "charges at risk (price x annual volume): "
              + ("unknown (no volume)" if unknown else f"${plan.charges_at_risk():,.2f}")]
    if paths:
        lines += ["", "written: " + ", ".join(str(p) for p in paths)]
    return "\n".join(lines)
