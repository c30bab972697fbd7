"""The plan's code mappings as a FHIR R4 ConceptMap (draft), for terminology servers and
interface engines: one group per (source code system, target code system) pair, with their
versions (a HCPCS code whose successor is a CPT code, as a CMS XREF may say, is in a
HCPCS -> CPT group), one element per old code, one target per successor (or ``unmatched``
when there is none). Codes are written as the FHIR code systems write them: ICD-10-CM with
its dot (``M17.11``; ``http://hl7.org/fhir/sid/icd-10-cm`` uses the dotted form)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from updater.codes import DOTTED, spell_codes
from updater.codeshapes import procedure_system
from updater.impact.change_sets import ChangeSet
from updater.plan import model as P
from updater.plan.model import Plan
from updater.vocabulary import CodeSystem, PlanAction, Relation

SYSTEM_URIS = {  # HL7 Terminology (THO) canonical URIs
    CodeSystem.ICD10CM.value: "http://hl7.org/fhir/sid/icd-10-cm",
    CodeSystem.CPT.value: "http://www.ama-assn.org/go/cpt",
    CodeSystem.HCPCS.value: "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
}
# our Relation -> R4 ConceptMapEquivalence (http://hl7.org/fhir/concept-map-equivalence)
EQUIVALENCE = {
    Relation.EQUIVALENT.value: "equivalent",
    Relation.NARROWER.value: "narrower",
    Relation.BROADER.value: "wider",
    Relation.NONE.value: "unmatched",
}
R4_EQUIVALENCES = frozenset({"relatedto", "equivalent", "equal", "wider", "subsumes",
                             "narrower", "specializes", "inexact", "unmatched", "disjoint"})
_MAPPING_ACTIONS = {PlanAction.REPLACE.value, PlanAction.SPLIT.value, PlanAction.RETIRE.value,
                    PlanAction.END_PAIR.value, PlanAction.ADD_PAIR.value}


def system_uri(system: str) -> str:
    return SYSTEM_URIS.get(system, f"urn:updater:code-system:{system}")


def _target_systems(rows: pd.DataFrame) -> pd.Series:
    """The code system of each new code: an ICD-10-CM code's successor is ICD-10-CM; a
    procedure code's is CPT or HCPCS as its shape says (a HCPCS XREF may name a CPT code);
    no successor, or a code of no known shape: the old code's own system."""
    by_shape = procedure_system(rows["new_code"])
    procedure = (rows["system"] != CodeSystem.ICD10CM.value) & (by_shape != "")
    return rows["system"].where(~procedure, by_shape)


def _fhir_codes(codes: pd.Series, systems: pd.Series) -> pd.Series:
    """Codes as the FHIR code system writes them: ICD-10-CM dotted (``updater.codes``)."""
    icd = (systems == CodeSystem.ICD10CM.value).to_numpy()
    out = codes.astype(str).copy()
    if icd.any():
        out[icd] = spell_codes(out[icd], CodeSystem.ICD10CM, DOTTED)
    return out


def _pairs_from_plan(plan: Plan) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    """(system, old_code, new_code, relation, source) from the plan's mapping rows."""
    t = plan.table
    t = t[t[P.ACTION].isin(_MAPPING_ACTIONS)]
    # replace/split rows list their successors; add_pair rows one each; end_pair rows and
    # retire rows stand for "no successor" only when nothing else maps the code
    codes = t[P.PROPOSED].str.split(",")
    relations = t[P.RELATION].str.split(",")
    rows = pd.DataFrame({"system": t[P.SYSTEM], "old_code": t[P.OLD_CODE], "new_code": codes,
                         # an end_pair row lists its successors' relations, not its
                         # codes (it proposes none): one relation per code either way
                         "relation": [r if len(r) == len(c) else r[:1] * len(c)
                                      for r, c in zip(relations, codes, strict=True)],
                         "source": t[P.CANDIDATE_SOURCE]})
    rows = rows.explode(["new_code", "relation"], ignore_index=True)
    rows["new_code"] = rows["new_code"].fillna("").astype(str).str.strip()
    rows["relation"] = rows["relation"].fillna("").astype(str)
    rows["relation"] = rows["relation"].where(rows["new_code"] != "", Relation.NONE.value)
    versions = {r.get("system", ""): (r.get("previous_version", ""), r.get("version", ""))
                for r in plan.identity.releases}
    return rows, versions


def _pairs_from_change_sets(sets: Sequence[ChangeSet]
                            ) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    frames = []
    for cs in sets:
        c = cs.candidates
        if not len(c):
            continue
        frames.append(pd.DataFrame({"system": cs.system.value, "old_code": c["old_code"],
                                    "new_code": c["new_code"].fillna("").astype(str),
                                    "relation": c["relation"].astype(str),
                                    "source": c["source"].astype(str)}))
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["system", "old_code", "new_code", "relation", "source"])
    versions = {cs.system.value: (cs.old.version, cs.new.version) for cs in sets}
    return rows, versions


def _only_codes_of(rows: pd.DataFrame, releases: dict[str, Any]) -> pd.DataFrame:
    """A target code its target system's new release does not have (a HCPCS XREF naming a
    code CMS never published) is no target: the map says the source named it, and the old
    code is unmatched unless another target maps it."""
    target = _target_systems(rows)
    missing = pd.Series(False, index=rows.index)
    for system, release in releases.items():
        at = (target == system) & (rows["new_code"] != "")
        if at.any():
            missing |= at & ~rows["new_code"].isin(release.table["code"])
    if not missing.any():
        return rows
    rows = rows.copy()
    gone = rows.loc[missing, "new_code"]
    versions = target[missing].map({s: r.version for s, r in releases.items()})
    rows.loc[missing, "source"] = (rows.loc[missing, "source"] + "; it names " + gone
                                   + ", which is not in " + versions).str.lstrip("; ")
    rows.loc[missing, "new_code"] = ""
    rows.loc[missing, "relation"] = Relation.NONE.value
    return rows


def concept_map(source: Plan | Sequence[ChangeSet], *, map_id: str | None = None
                ) -> dict[str, Any]:
    """A FHIR R4 ConceptMap (JSON as a dict) from a plan (the codes the plan touches) or
    from change sets (every mapped code of the releases)."""
    if isinstance(source, Plan):
        rows, versions = _pairs_from_plan(source)
        ident = map_id or source.identity.plan_id
        date = source.identity.created
    else:
        rows, versions = _pairs_from_change_sets(source)
        rows = _only_codes_of(rows, {cs.system.value: cs.new for cs in source})
        ident = map_id or uuid.uuid4().hex
        date = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        urn = uuid.UUID(ident).urn
    except ValueError:
        urn = f"urn:updater:plan:{ident}"
    rows = rows[rows["old_code"] != ""]
    # a code mapped somewhere is not also "unmatched"; same target once per element
    mapped = rows[rows["new_code"] != ""]
    rows = rows[(rows["new_code"] != "") | ~rows.set_index(["system", "old_code"]).index.isin(
        mapped.set_index(["system", "old_code"]).index)]
    rows = rows.drop_duplicates(["system", "old_code", "new_code"])
    rows = rows.assign(target_system=_target_systems(rows))
    rows = rows.assign(old_code=_fhir_codes(rows["old_code"], rows["system"]),
                       new_code=_fhir_codes(rows["new_code"], rows["target_system"]))
    groups = []
    for (system, target_system), part in rows.groupby(["system", "target_system"],
                                                      sort=True):
        old_version = versions.get(str(system), ("", ""))[0]
        new_version = versions.get(str(target_system), ("", ""))[1]
        group: dict[str, Any] = {"source": system_uri(str(system))}
        if old_version:
            group["sourceVersion"] = old_version
        group["target"] = system_uri(str(target_system))
        if new_version:
            group["targetVersion"] = new_version
        elements = []
        for code, targets in part.groupby("old_code", sort=True):
            element_targets = []
            for new_code, relation, src in zip(targets["new_code"], targets["relation"],
                                               targets["source"], strict=True):
                equivalence = EQUIVALENCE.get(relation, "relatedto")
                target: dict[str, Any] = {}
                if new_code and equivalence != "unmatched":
                    target["code"] = new_code
                target["equivalence"] = equivalence
                if src:
                    target["comment"] = src
                elif equivalence in ("narrower", "inexact"):  # R4 invariant cmd-1
                    target["comment"] = "successor narrower than the old code"
                element_targets.append(target)
            elements.append({"code": str(code), "target": element_targets})
        group["element"] = elements
        groups.append(group)
    result: dict[str, Any] = {
        "resourceType": "ConceptMap",
        "id": ident[:64],
        "url": urn,
        "identifier": {"system": "urn:ietf:rfc:3986", "value": urn},
        "version": date,
        "name": "UpdaterMigrationMap",
        "title": "Code-set migration map (updater)",
        "status": "draft",
        "experimental": False,
        "date": date,
        "publisher": "updater",
        "description": "Old codes of the releases in force and their successors in the new "
                       "releases, as proposed by updater's migration plan (draft: not yet "
                       "reviewed).",
    }
    if groups:
        result["group"] = groups
    return result
