"""The FHIR R4 ConceptMap: structure, URIs, versions, equivalence codes."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pytest
from conftest import make_release
from test_plan import CAND_COLUMNS, CDM_FINDINGS, XW_FINDINGS, cand, finding, scan_result

from updater.impact.change_sets import ChangeSet
from updater.plan.fhir import R4_EQUIVALENCES, concept_map
from updater.plan.make import make_plan
from updater.releases.diff import diff_releases
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
    # ICD-10-CM dotted, as FHIR's ICD-10-CM code system writes it
    assert [t["code"] for t in icd["M17.1"]] == ["M17.11", "M17.12"]  # end_pair not unmatched
    assert [t["equivalence"] for t in icd["A08.2"]] == ["unmatched"]


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
    from updater.plan.fhir import EQUIVALENCE

    assert EQUIVALENCE[relation] in R4_EQUIVALENCES


def test_empty_plan_has_no_group():
    cm = concept_map(make_plan(scan_result([]), chargemaster=None, crosswalk=None))
    assert cm["resourceType"] == "ConceptMap" and "group" not in cm


# ---------------------------------------------------------------- an independent R4 model


def validate(cm: dict) -> None:
    """The resource through an independent FHIR model (fhir.resources, R4B: the R4
    ConceptMap with group/element/target/equivalence), then our own checks."""
    r4b = pytest.importorskip("fhir.resources.R4B.conceptmap",
                              reason="fhir.resources is a test extra (pip install '.[test]')")
    parsed = r4b.ConceptMap.model_validate(cm)
    assert parsed.status == cm["status"]
    assert len(parsed.group or []) == len(cm.get("group", []))
    check_r4(cm)


def test_a_cpt_target_of_a_hcpcs_code_has_its_own_group():
    rows = [finding("chargemaster", 1, "C8904", "terminated",
                    candidates=[cand("77046", source="HCPCS XREF1 (2026) (CPT code)",
                                     automatic=True)], automatic=True),
            finding("chargemaster", 2, "J2001", "terminated",
                    candidates=[cand("J2002", automatic=True)], automatic=True)]
    cm = concept_map(make_plan(scan_result(rows)))
    validate(cm)
    pairs = {(g["source"].rsplit("/", 1)[-1], g["target"].rsplit("/", 1)[-1]): g
             for g in cm["group"]}
    assert set(pairs) == {("HCPCSReleaseCodeSets", "HCPCSReleaseCodeSets"),
                          ("HCPCSReleaseCodeSets", "cpt")}
    cpt = pairs[("HCPCSReleaseCodeSets", "cpt")]
    assert cpt["element"] == [{"code": "C8904", "target": [
        {"code": "77046", "equivalence": "equivalent",
         "comment": "HCPCS XREF1 (2026) (CPT code)"}]}]
    assert cpt["sourceVersion"] == "2025" and "targetVersion" not in cpt  # no CPT release
    same = pairs[("HCPCSReleaseCodeSets", "HCPCSReleaseCodeSets")]
    assert [e["code"] for e in same["element"]] == ["J2001"]


def test_sample_plan_conceptmap_is_valid_r4(tmp_path):
    from updater.cycle.sample import sample_chargemasters_dir, sample_scan_pairs
    from updater.impact.scan import run_scan

    pairs = sample_scan_pairs()
    folder = sample_chargemasters_dir()
    result, _ = run_scan(chargemaster=folder / "sample-cdm.csv",
                         crosswalk=folder / "sample-crosswalk.csv",
                         old=[str(o) for o, _ in pairs], new=[str(n) for _, n in pairs],
                         store=tmp_path / "store")
    for cm in (concept_map(make_plan(result)), concept_map(result.change_sets)):
        validate(cm)
        _codes_in_releases(cm, result.change_sets)


def _codes_in_releases(cm: dict, change_sets) -> None:
    """Every element code is a code of its source system's releases (the old one, or the
    new one for a code added and discontinued between two annual files, or a stale
    header), every target code one of its target system's new release (when the map has
    that release), written as the FHIR code system writes it (ICD-10-CM dotted)."""
    from updater.plan.fhir import system_uri

    new = {system_uri(cs.system.value): set(cs.new.table["code"]) for cs in change_sets}
    old = {system_uri(cs.system.value): set(cs.old.table["code"]) | new[system_uri(
        cs.system.value)] for cs in change_sets}
    icd = system_uri("icd10cm")
    checked = 0
    for group in cm["group"]:
        for element in group["element"]:
            code = element["code"]
            if group["source"] == icd and len(code) > 3:
                assert code[3] == "." and "." not in code[4:], code
            assert code.replace(".", "") in old[group["source"]], code
            for target in element["target"]:
                if "code" not in target or group["target"] not in new:
                    continue
                if group["target"] == icd and len(target["code"]) > 3:
                    assert target["code"][3] == ".", target
                assert target["code"].replace(".", "") in new[group["target"]], target
                checked += 1
    assert checked


def test_real_releases_conceptmaps_are_valid_r4(shared_data, icd_zip, tmp_path):
    """The ConceptMaps of the real CDC FY2024 -> FY2025 and CMS HCPCS 2018 -> 2019 change
    sets: valid R4, codes of the releases, ICD-10-CM dotted, C8904's CPT successor 77046
    in a HCPCS -> CPT group."""
    from updater.impact.change_sets import build_change_sets

    folder = shared_data / "hcpcs"
    hcpcs = (folder / "2018" / "2018-Alpha-Numeric-HCPCS-File.zip",
             folder / "2019" / "2019-Alpha-Numeric-HCPCS-File.zip")
    if not all(p.exists() for p in hcpcs):
        pytest.skip("HCPCS 2018/2019 files are missing")
    sets = build_change_sets([(str(icd_zip("FY2024")), str(icd_zip("FY2025"))),
                              (str(hcpcs[0]), str(hcpcs[1]))], store=tmp_path / "store")
    cm = concept_map(sets)
    validate(cm)
    _codes_in_releases(cm, sets)
    groups = {(g["source"], g["target"]): g for g in cm["group"]}
    cpt = groups[("http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
                  "http://www.ama-assn.org/go/cpt")]
    c8904 = next(e for e in cpt["element"] if e["code"] == "C8904")
    assert [t["code"] for t in c8904["target"]] == ["77046"]
    icd = groups[("http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10-cm")]
    assert (icd["sourceVersion"], icd["targetVersion"]) == ("FY2024", "FY2025")


def test_a_target_the_new_release_lacks_is_no_target():
    old = make_release([("J7001", "code", "s", "s"), ("J7002", "code", "s", "s")],
                       system=CodeSystem.HCPCS, version="2018", effective=date(2018, 1, 1))
    new = make_release([("J7003", "code", "s", "s")], system=CodeSystem.HCPCS,
                       version="2019", effective=date(2019, 1, 1))
    cands = pd.DataFrame([("hcpcs", "J7001", "J7099", "equivalent", "HCPCS XREF1 (2019)",
                           False, "", 1),
                          ("hcpcs", "J7002", "J7099", "equivalent", "HCPCS XREF1 (2019)",
                           False, "", 1),
                          ("hcpcs", "J7002", "J7003", "equivalent", "HCPCS XREF2 (2019)",
                           False, "", 1)], columns=CAND_COLUMNS)
    cm = concept_map([ChangeSet(CodeSystem.HCPCS, old, new, diff_releases(old, new), cands)])
    validate(cm)
    elements = {e["code"]: e["target"] for e in cm["group"][0]["element"]}
    assert elements["J7001"] == [{"equivalence": "unmatched", "comment":
                                  "HCPCS XREF1 (2019); it names J7099, which is not in 2019"}]
    assert [t.get("code") for t in elements["J7002"]] == ["J7003"]
