"""The scan on the committed sample chargemaster and crosswalks, against the sample
releases and the real CDC/CMS releases (see chargemasters/README.md for the inventory)."""

from __future__ import annotations

from pathlib import Path

import pytest

from updater.impact.scan import run_scan

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "releases" / "sample"
CDM = REPO / "chargemasters" / "sample-cdm.csv"
CDM_XLSX = REPO / "chargemasters" / "sample-cdm-titled.xlsx"
XW = REPO / "chargemasters" / "sample-crosswalk.csv"
XW_WIDE = REPO / "chargemasters" / "sample-crosswalk-wide.csv"
SAMPLE_PAIRS = {
    "cpt": ("cpt/2025/CPT 2025 data files.zip", "cpt/2026/CPT 2026 data files.zip"),
    "hcpcs": ("hcpcs/2025/2025-Alpha-Numeric-HCPCS-File.zip",
              "hcpcs/2026/2026-Alpha-Numeric-HCPCS-File.zip"),
    "icd10cm": ("icd10cm/FY2025/icd10cm-Code-Descriptions-2025.zip",
                "icd10cm/FY2026/icd10cm-Code-Descriptions-2026.zip"),
}


def sample_scan(**inputs):
    old = [str(SAMPLE / a) for a, _ in SAMPLE_PAIRS.values()]
    new = [str(SAMPLE / b) for _, b in SAMPLE_PAIRS.values()]
    return run_scan(old=old, new=new, chargemaster=inputs.get("cdm"),
                    crosswalk=inputs.get("xw"))[0]


def rows_of(result, kind, source="chargemaster"):
    f = result.findings
    return sorted(set(f.loc[(f["kind"] == kind) & (f["source"] == source), "row"]))


@pytest.fixture(scope="module")
def cdm_result():
    return sample_scan(cdm=CDM)


def test_every_row_accounted_for(cdm_result):
    c = cdm_result.summary["chargemaster"]
    data_rows = len(CDM.read_text().splitlines()) - 1
    assert c["rows_read"] == data_rows == 2950
    assert c["inactive_rows"] == 98
    assert c["lines_checked"] + c["inactive_rows"] == data_rows


def test_sample_findings_by_kind(cdm_result):
    assert rows_of(cdm_result, "deleted") == [59, 68, 74, 80, 86, 2221, 2229, 2235, 2241, 2247]
    assert rows_of(cdm_result, "terminated") == [338, 339, 340, 2162, 2163, 2490, 2491, 2492,
                                                 2941, 2942, 2947, 2948, 2949, 2950]
    assert rows_of(cdm_result, "not_in_release") == [93, 430]
    assert rows_of(cdm_result, "malformed") == [44, 2135]
    assert rows_of(cdm_result, "description_mismatch") == [54, 127, 2152]
    assert len(rows_of(cdm_result, "revised")) == 46
    f = cdm_result.findings
    j2001 = f[(f["kind"] == "terminated") & (f["code"] == "J2001")].iloc[0]
    assert [c["code"] for c in j2001["candidates"]] == ["J2002"]
    assert cdm_result.summary["charges_at_risk"] == pytest.approx(4019599.44)
    # every line has a volume: every line at risk is counted
    assert cdm_result.summary["chargemaster"]["lines_at_risk_without_volume"] == 0


def test_unit_changes_are_carried_and_never_automatic(cdm_result):
    """C9465 (per dose) -> J7318 (1 mg) and J9310 (100 mg) -> J9312 (10 mg): the XREF is
    one-to-one, but the lines' prices and units were set for the old unit."""
    from updater.plan.make import make_plan

    f = cdm_result.findings
    got = {}
    for code in ("C9465", "J9310", "J2001"):
        first = f[(f["code"] == code) & (f["kind"] == "terminated")].iloc[0]
        got[code] = [(c["code"], c["relation"], c["automatic"], c.get("unit_change"))
                     for c in first["candidates"]]
    assert got == {
        "C9465": [("J7318", "equivalent", False, {"old": "per dose", "new": "1 mg"})],
        "J9310": [("J9312", "equivalent", False, {"old": "100 mg", "new": "10 mg"})],
        "J2001": [("J2002", "equivalent", True, None)]}  # the same unit: 10 mg
    plan = make_plan(cdm_result).table
    rows = plan[plan["old_code"].isin(["C9465", "J9310"])]
    assert set(rows["source_row"]) == {2947, 2948, 2949, 2950}
    assert set(rows["action"]) == {"replace"} and set(rows["decision"]) == {"pending"}
    assert set(rows["default_decision"]) == {"pending"}
    c9465 = rows[rows["old_code"] == "C9465"].iloc[0]
    assert c9465["reason"].endswith("; the billing unit changes (J7318: per dose -> 1 mg): "
                                    "review the price and units before approving")
    j2001 = plan[plan["old_code"] == "J2001"]
    assert set(j2001["decision"]) == {"approved"}


def test_xlsx_export_gives_the_same_findings(cdm_result):
    from_xlsx = sample_scan(cdm=CDM_XLSX)
    cols = ["row", "code", "kind"]
    assert from_xlsx.findings[cols].equals(cdm_result.findings[cols])


def test_sample_crosswalks(tmp_path):
    for path in (XW, XW_WIDE):
        result = sample_scan(xw=path)
        f = result.findings[result.findings["source"] == "crosswalk"]
        expanded = f[(f["kind"] == "expanded") & (f["code"] == "E1165")]
        assert len(expanded) == (6 if path == XW else 5)
        assert {c["code"] for c in expanded.iloc[0]["candidates"]} == {"E11650", "E11651",
                                                                      "E11659"}
        not_billable = f[f["kind"] == "not_billable"]
        j455 = not_billable[not_billable["code"] == "J455"]
        assert {c["code"] for c in j455.iloc[0]["candidates"]} == {"J4550", "J4551", "J4552"}
        assert set(j455["detail"]) == {"a header new in FY2026"}
        # U09.9 (new in FY2026) is a code like any other: no finding, least of all malformed
        assert not (f["code"] == "U099").any()


def test_stale_headers_on_a_long_crosswalk_are_not_billable():
    """One pair per row: M17.1 and R51 (headers in both years) are pairs that will be
    denied, with their billable children to choose from; nothing is expanded in silence."""
    result = sample_scan(xw=XW)
    f = result.findings
    stale = f[f["kind"] == "not_billable"]
    assert sorted(zip(stale["row"], stale["code"], strict=True)) == [
        (115, "J455"), (476, "J455"), (504, "M171"), (505, "R51")]
    m171 = stale[stale["code"] == "M171"].iloc[0]
    assert m171["detail"] == "a header in FY2025 and FY2026"
    assert [(c["code"], c["relation"], c["automatic"]) for c in m171["candidates"]] == [
        (c, "narrower", False) for c in ("M1711", "M1712", "M1713", "M1719")]
    x = result.summary["crosswalk"]
    assert (x["rows_read"], x["pairs"], x["items_expanded"], x["pairs_from_expansion"]) == (
        506, 506, 0, 0)


def test_a_wide_crosswalk_says_how_many_pairs_came_from_expansion():
    from updater.impact.scan import summary_text

    result = sample_scan(xw=XW_WIDE)
    x = result.summary["crosswalk"]
    assert (x["rows_read"], x["pairs"], x["items_expanded"], x["pairs_from_expansion"]) == (
        24, 325, 42, 304)
    assert (f"crosswalk: 24 rows read, 325 pairs (304 of them from expanding 42 ranges and "
            f"header codes in list cells), {x['pairs_affected']} pairs affected"
            ) in summary_text(result).splitlines()


def test_crosswalk_descriptions_are_checked_without_false_alarms():
    """The long sample's honest descriptions (official titles, capitals with abbreviations,
    short titles) raise nothing; the three planted ones each name what is wrong."""
    f = sample_scan(xw=XW).findings
    mismatch = f[f["kind"] == "description_mismatch"]
    assert list(zip(mismatch["row"], mismatch["code"], mismatch["system"],
                    mismatch["detail"], strict=True)) == [
        (501, "M1711", "icd10cm", "the pair's description says body part 'hip'; the title "
                                  "says knee"),
        (502, "M1712", "icd10cm", "the pair's description says side 'right'; the title says "
                                  "left"),
        (503, "S72001A", "icd10cm", "the pair's description says condition 'dislocation'; "
                                    "the title says fracture")]
    assert mismatch.iloc[0]["description"] == "Osteoarthritis of hip, primary, right side"
    assert mismatch.iloc[0]["official_title"] == "Osteoarthritis of knee, secondary, right side"
    # the wide sample's procedure descriptions agree with the CPT and HCPCS titles too
    wide = sample_scan(xw=XW_WIDE).findings
    assert not (wide["kind"] == "description_mismatch").any()


def test_near_misses_get_a_did_you_mean_candidate(cdm_result):
    cdm = cdm_result.findings
    typo = cdm[(cdm["kind"] == "not_in_release") & (cdm["code"] == "85052")].iloc[0]
    assert typo["detail"] == "in neither cpt:2025 nor cpt:2026; did you mean 85025?"
    assert [(c["code"], c["automatic"]) for c in typo["candidates"]] == [("85025", False)]
    f = sample_scan(xw=XW).findings
    i1o = f[f["code"] == "I1O"].iloc[0]
    assert (i1o["kind"], i1o["detail"]) == (
        "not_in_release", "in neither icd10cm:FY2025 nor icd10cm:FY2026; did you mean I10?")
    assert [c["source"] for c in i1o["candidates"]] == [
        "near miss: letter O written for 0 (a code of FY2026)"]
    from updater.plan.make import make_plan

    reasons = make_plan(sample_scan(xw=XW)).table.set_index("old_code")["reason"]
    assert reasons["I1O"] == ("I1O is in neither icd10cm:FY2025 nor icd10cm:FY2026: a typo? "
                              "did you mean I10? check the line")


def test_codes_deleted_in_an_earlier_release(tmp_path):
    """With the store's history, a crosswalk scanned FY2026 -> FY2026-April learns that
    A08.2, K57.8 and M54.8 went in FY2026: deleted_earlier, not a typo."""
    from updater.releases.readers import load_release
    from updater.releases.store import ReleaseStore

    store = ReleaseStore(tmp_path / "store")
    for folder in ("FY2025", "FY2026", "FY2026-April"):
        zip_ = next((SAMPLE / "icd10cm" / folder).glob("*.zip"))
        store.import_release(load_release(zip_)[0])
    result = run_scan(chargemaster=None, crosswalk=XW, old=["icd10cm:FY2026"],
                      new=["icd10cm:FY2026-April"], store=tmp_path / "store")[0]
    f = result.findings
    earlier = f[f["kind"] == "deleted_earlier"]
    assert sorted(set(earlier["code"])) == ["A082", "K578", "M548"]
    assert set(earlier["detail"]) == {"deleted in FY2026 (effective 2025-10-01), last in "
                                      "FY2025"}
    a082 = earlier[earlier["code"] == "A082"].iloc[0]
    assert a082["previous_title"] == "Viral intestinal infection, recurrent"
    assert [(c["code"], c["relation"]) for c in a082["candidates"]] == [("", "none")]
    # still never in any release: a typo, with its near miss
    assert set(f.loc[f["kind"] == "not_in_release", "code"]) == {"C8339", "I1O"}

def test_real_releases(shared_data):
    icd, hcpcs = shared_data / "icd10cm", shared_data / "hcpcs"
    result = run_scan(
        chargemaster=CDM, crosswalk=XW,
        old=[str(icd / "FY2024/icd10cm-CodesDescriptions-2024.zip"),
             str(hcpcs / "2017/2017-Alpha-Numeric-HCPCS-File.zip")],
        new=[str(icd / "FY2025/ICD10-CM Code Descriptions 2025.zip"),
             str(hcpcs / "2018/2018-Alpha-Numeric-HCPCS-File.zip")])[0]
    f = result.findings
    xw = f[(f["source"] == "crosswalk") & (f["kind"] == "expanded")]
    assert sorted(set(xw["code"])) == ["C8339", "Z86010"]
    assert sorted(set(xw.loc[xw["code"] == "C8339", "row"])) == [174, 201, 243]
    c8339 = xw[xw["code"] == "C8339"].iloc[0]
    assert sorted(c["code"] for c in c8339["candidates"]) == ["C83390", "C83398"]
    cdm = f[f["source"] == "chargemaster"]
    g0202 = cdm[(cdm["code"] == "G0202") & (cdm["kind"] == "terminated")].iloc[0]
    assert g0202["row"] == 128
    assert [(c["code"], c["relation"]) for c in g0202["candidates"]] == [("77067",
                                                                          "equivalent")]
    assert sorted(set(cdm.loc[cdm["kind"] == "deleted", "code"])) == ["C1204", "J1441",
                                                                      "J3487"]
    assert 2152 in set(cdm.loc[cdm["kind"] == "description_mismatch", "row"])
    xw_all = f[f["source"] == "crosswalk"]
    # sample codes the real releases have as headers (some for years: L03.01 since before
    # FY2024) are stale pairs, reported with their real billable children
    stale = xw_all[xw_all["kind"] == "not_billable"]
    assert {"L0301", "M548", "K578", "M171", "R51"} <= set(stale["code"])
    l0301 = stale[stale["code"] == "L0301"].iloc[0]
    assert l0301["detail"] == "a header in FY2024 and FY2025"
    assert sorted(c["code"] for c in l0301["candidates"]) == ["L03011", "L03012", "L03019"]
    # the real titles differ from the sample's invented ones, yet only the planted
    # descriptions contradict them
    mismatch = xw_all[xw_all["kind"] == "description_mismatch"]
    assert list(mismatch["row"]) == [501, 502, 503]
