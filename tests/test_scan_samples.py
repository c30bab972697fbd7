"""The scan on the committed sample chargemaster and crosswalks, against the sample
releases and the real CDC/CMS releases (see chargemasters/README.md for the inventory)."""

from __future__ import annotations

from pathlib import Path

import pytest

from updater.scan_run import run_scan

REPO = Path(__file__).resolve().parents[1]
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
    assert c["rows_read"] == data_rows == 2946
    assert c["inactive_rows"] == 98
    assert c["lines_checked"] + c["inactive_rows"] == data_rows


def test_sample_findings_by_kind(cdm_result):
    assert rows_of(cdm_result, "deleted") == [59, 68, 74, 80, 86, 2221, 2229, 2235, 2241, 2247]
    assert rows_of(cdm_result, "terminated") == [338, 339, 340, 2162, 2163, 2490, 2491, 2492,
                                                 2941, 2942]
    assert rows_of(cdm_result, "not_in_release") == [93, 430]
    assert rows_of(cdm_result, "malformed") == [44, 2135]
    assert rows_of(cdm_result, "description_mismatch") == [54, 127, 2152]
    assert len(rows_of(cdm_result, "revised")) == 46
    f = cdm_result.findings
    j2001 = f[(f["kind"] == "terminated") & (f["code"] == "J2001")].iloc[0]
    assert [c["code"] for c in j2001["candidates"]] == ["J2002"]
    assert cdm_result.summary["charges_at_risk"] == pytest.approx(3122492.06)


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
        assert set(not_billable["code"]) == {"J455"}
        assert {c["code"] for c in not_billable.iloc[0]["candidates"]} == {"J4550", "J4551",
                                                                          "J4552"}


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
