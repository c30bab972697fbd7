"""The FHIR R4 ConceptMap: structure, URIs, versions, equivalence codes."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pytest
from conftest import make_release
from test_plan import CAND_COLUMNS, CDM_FINDINGS, XW_FINDINGS, scan_result

from updater.changesets import ChangeSet
from updater.diff import diff_releases
from updater.fhir import R4_EQUIVALENCES, concept_map
from updater.plan import make_plan
from updater.vocabulary import CodeSystem

URIS = {"http://hl7.org/fhir/sid/icd-10-cm", "http://www.ama-assn.org/go/cpt",
        "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"}


def check_r4(cm: dict) -> None:
    """The ConceptMap rules this map can break (R4 cardinalities, value sets, cmd-1)."""
    assert cm["resourceType"] == "ConceptMap"
    assert cm["status"] in {"draft", "active", "retired", "unknown"}
    assert re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", cm["id"])
    assert cm["url"].startswith("urn:uuid:")
    assert cm["identifier"]["value"] == cm["url"]  # R4: identifier 0..1, an object
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", cm["date"])
    json.dumps(cm)  # JSON as it is
    for group in cm["group"]:
        assert group["source"] in URIS and group["target"] in URIS
        assert group["element"]
        for element in group["element"]:
            assert element["code"] and element["target"]
            for target in element["target"]:
                assert target["equivalence"] in R4_EQUIVALENCES
                if target["equivalence"] in ("narrower", "inexact"):
                    assert target.get("comment")  # cmd-1
                if target["equivalence"] == "unmatched":
                    assert "code" not in target
                else:
                    assert target["code"]


def test_concept_map_from_a_plan():
    plan = make_plan(scan_result(CDM_FINDINGS + XW_FINDINGS), chargemaster=None,
                     crosswalk=None)
    cm = concept_map(plan)
    check_r4(cm)
    assert cm["id"] == plan.identity.plan_id and cm["status"] == "draft"
    groups = {g["source"]: g for g in cm["group"]}
    assert set(groups) == {"http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
                           "http://hl7.org/fhir/sid/icd-10-cm"}
    hcpcs = groups["http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"]
    assert (hcpcs["sourceVersion"], hcpcs["targetVersion"]) == ("2025", "2026")
    elements = {e["code"]: e["target"] for e in hcpcs["element"]}
    assert elements["J2001"] == [{"code": "J2002", "equivalence": "equivalent",
                                  "comment": "HCPCS XREF1 (2026)"}]
    assert [t["code"] for t in elements["J4001"]] == ["J4002", "J4003"]
    assert {t["equivalence"] for t in elements["J4001"]} == {"narrower"}
    assert [t["equivalence"] for t in elements["J5001"]] == ["unmatched"]
    assert [t["equivalence"] for t in elements["J6001"]] == ["unmatched"]
    assert "J7001" not in elements and "J9999" not in elements  # revised, review
    icd = {e["code"]: e["target"] for e in groups["http://hl7.org/fhir/sid/icd-10-cm"][
        "element"]}
    assert (groups["http://hl7.org/fhir/sid/icd-10-cm"]["sourceVersion"],
            groups["http://hl7.org/fhir/sid/icd-10-cm"]["targetVersion"]) == ("FY2025",
                                                                              "FY2026")
    assert [t["code"] for t in icd["M171"]] == ["M1711", "M1712"]  # end_pair not unmatched
    assert [t["equivalence"] for t in icd["A082"]] == ["unmatched"]


def test_concept_map_from_change_sets_maps_broader_to_wider():
    old = make_release([("99201", "code", "s", "s"), ("99202", "code", "s", "s"),
                        ("99203", "code", "s", "s")], system=CodeSystem.CPT, version="2025",
                       effective=date(2025, 1, 1))
    new = make_release([("99202", "code", "s", "s")], system=CodeSystem.CPT, version="2026",
                       effective=date(2026, 1, 1))
    cands = pd.DataFrame([("cpt", "99201", "99202", "broader", "your map", False, "", 1),
                          ("cpt", "99203", "", "none", "no successor", False, "", 1)],
                         columns=CAND_COLUMNS)
    cs = ChangeSet(CodeSystem.CPT, old, new, diff_releases(old, new), cands)
    cm = concept_map([cs])
    check_r4(cm)
    (group,) = cm["group"]
    assert group["source"] == group["target"] == "http://www.ama-assn.org/go/cpt"
    assert (group["sourceVersion"], group["targetVersion"]) == ("2025", "2026")
    assert group["element"] == [
        {"code": "99201", "target": [{"code": "99202", "equivalence": "wider",
                                      "comment": "your map"}]},
        {"code": "99203", "target": [{"equivalence": "unmatched",
                                      "comment": "no successor"}]}]


@pytest.mark.parametrize("relation", ["equivalent", "narrower", "broader", "none"])
def test_every_relation_has_an_r4_equivalence(relation):
    from updater.fhir import EQUIVALENCE

    assert EQUIVALENCE[relation] in R4_EQUIVALENCES


def test_empty_plan_has_no_group():
    cm = concept_map(make_plan(scan_result([]), chargemaster=None, crosswalk=None))
    assert cm["resourceType"] == "ConceptMap" and "group" not in cm
