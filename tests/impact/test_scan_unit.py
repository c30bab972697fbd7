"""The scan's findings on tiny releases and inputs built in code."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from conftest import make_release

from updater.impact import inputs as I
from updater.impact.change_sets import ChangeSet
from updater.impact.findings import scan
from updater.releases.diff import diff_releases
from updater.vocabulary import CodeSystem

CAND_COLUMNS = ["system", "old_code", "new_code", "relation", "source", "automatic", "via",
                "step"]


def change_set(old, new, candidates=()):
    cands = pd.DataFrame(list(candidates), columns=CAND_COLUMNS)
    return ChangeSet(old.system, old, new, diff_releases(old, new), cands)


def hcpcs(rows, version, terms):
    eff = date(int(version), 1, 1)
    return make_release(rows, system=CodeSystem.HCPCS, version=version, effective=eff,
                        termination_date=terms)


HCPCS_OLD = hcpcs([("J0001", "code", "Drug A", "Injection, drug A, 10 mg"),
                   ("J0002", "code", "Drug B", "Injection, drug B, 5 mg"),
                   ("L8000", "code", "Brace", "Knee brace, right side")], "2025",
                  ["", "", ""])
HCPCS_NEW = hcpcs([("J0001", "code", "Drug A", "Injection, drug A, 10 mg"),
                   ("J0002", "code", "Drug B", "Injection, drug B, 5 mg"),
                   ("J0003", "code", "Drug C", "Injection, drug C, 1 mg"),
                   ("L8000", "code", "Brace", "Hip brace, right side")], "2026",
                  ["", "2025-12-31", "", ""])
ICD_OLD = make_release([("M17", "header", "OA knee", "Osteoarthritis of knee"),
                        ("M171", "code", "Unilat OA knee", "Unilateral OA of knee"),
                        ("A082", "code", "Adenoviral enteritis", "Adenoviral enteritis")],
                       version="FY2025", effective=date(2024, 10, 1))
ICD_NEW = make_release([("M17", "header", "OA knee", "Osteoarthritis of knee"),
                        ("M171", "header", "Unilat OA knee", "Unilateral OA of knee"),
                        ("M1711", "code", "Unilat OA right knee", "Unilateral OA, right knee"),
                        ("M1712", "code", "Unilat OA left knee", "Unilateral OA, left knee")],
                       version="FY2026", effective=date(2025, 10, 1))


def cdm(rows):
    """rows: (charge_code, description, code, price, volume, active, end_date)"""
    n = len(rows)
    cols = list(zip(*rows, strict=True))
    table = pd.DataFrame({
        I.ROW: np.arange(1, n + 1), I.CHARGE_CODE: cols[0], I.DESCRIPTION: cols[1],
        I.CODE: cols[2], I.RAW_CODE: cols[2], I.CODE_COLUMN: "HCPCS", I.CODE_TYPE: "",
        I.MODIFIERS: "", I.REVENUE_CODE: "0636", I.DEPARTMENT: "PHARMACY", I.STATUS: "",
        I.ACTIVE: cols[5], I.EFFECTIVE_DATE: "", I.END_DATE: cols[6],
        I.PRICE: np.array(cols[3], dtype=float), I.VOLUME: np.array(cols[4], dtype=float)})
    return I.ChargemasterInput(table=table, rows_read=n, source="test.csv")


@pytest.fixture
def result():
    sets = [change_set(HCPCS_OLD, HCPCS_NEW, [
        ("hcpcs", "J0002", "J0003", "equivalent", "HCPCS XREF1 (2026)", True, "2026", 1)])]
    lines = cdm([("100", "INJ DRUG A 10MG", "J0001", 10.0, 5, True, ""),
                 ("101", "INJ DRUG B 5MG", "J0002", 20.0, 100, True, ""),
                 ("102", "BRACE KNEE RT", "L8000", 50.0, 2, True, ""),
                 ("103", "OLD DRUG", "J0002", 20.0, 100, False, ""),
                 ("104", "ENDED DRUG", "J0002", 20.0, 100, True, "2025-06-30"),
                 ("105", "GARBAGE", "J00X1", 1.0, 1, True, ""),
                 ("106", "NO CODE", "", 1.0, 1, True, ""),
                 ("107", "TYPO", "J9999", 1.0, 1, True, "")])
    return scan(sets, chargemaster=lines)


def kinds(result, row):
    return sorted(result.findings.loc[result.findings["row"] == row, "kind"])


def test_findings_per_line(result):
    assert kinds(result, 1) == ["new_in_family"]  # J0003 is new in the J00 family
    assert kinds(result, 2) == ["new_in_family", "terminated"]
    assert kinds(result, 3) == ["description_mismatch", "revised"]
    assert kinds(result, 4) == [] and kinds(result, 5) == []  # inactive, end-dated
    assert kinds(result, 6) == ["malformed"]
    assert kinds(result, 7) == []  # no code: bills by revenue code, counted not flagged
    assert kinds(result, 8) == ["not_in_release"]


def test_candidates_and_charges_at_risk(result):
    row = result.findings[result.findings["kind"] == "terminated"].iloc[0]
    assert row["candidates"] == [{"code": "J0003", "relation": "equivalent",
                                  "source": "HCPCS XREF1 (2026)", "automatic": True}]
    assert row["automatic"] is True or row["automatic"] == True  # noqa: E712
    assert row["charges_at_risk"] == 2000.0
    assert result.summary["charges_at_risk"] == 2000.0


def test_summary_accounts_for_every_row(result):
    c = result.summary["chargemaster"]
    assert (c["rows_read"], c["inactive_rows"], c["lines_checked"]) == (8, 2, 6)
    assert result.summary["findings_by_kind"]["malformed"] == 1
    assert c["lines_without_code"] == 1
    mismatch = result.findings[result.findings["kind"] == "description_mismatch"].iloc[0]
    assert mismatch["detail"] == "the line says body part 'knee'; the title says hip"


def test_crosswalk_expanded_diagnosis_gets_its_children():
    sets = [change_set(ICD_OLD, ICD_NEW)]
    pairs = pd.DataFrame({I.ROW: [1, 2, 3], I.PROCEDURE: ["27447", "27447", "27447"],
                          I.DIAGNOSIS: ["M171", "A082", "M17X"],
                          I.DIAGNOSIS_AS_WRITTEN: ["M17.1", "A08.2", "M17.X"]})
    xw = I.CrosswalkInput(table=pairs, rows_read=3, source="xw.csv")
    result = scan(sets, crosswalk=xw)
    f = result.findings.set_index("row")
    assert f.loc[1, "kind"] == "expanded"
    assert [c["code"] for c in f.loc[1, "candidates"]] == ["M1711", "M1712"]
    assert {c["relation"] for c in f.loc[1, "candidates"]} == {"narrower"}
    assert f.loc[2, "kind"] == "deleted" and f.loc[2, "candidates"] == []
    assert f.loc[3, "kind"] == "not_in_release"
    assert result.summary["crosswalk"]["pairs_affected"] == 3


def pairs_of(rows):
    """rows: (procedure, diagnosis, active, effective_date, end_date), as the reader gives
    them for a crosswalk with status and date columns."""
    cols = list(zip(*rows, strict=True))
    n = len(rows)
    table = pd.DataFrame({I.ROW: np.arange(1, n + 1), I.PROCEDURE: cols[0],
                          I.DIAGNOSIS: cols[1], I.DIAGNOSIS_AS_WRITTEN: cols[1],
                          I.STATUS: ["A" if a else "I" for a in cols[2]],
                          I.ACTIVE: np.array(cols[2], dtype=bool),
                          I.EFFECTIVE_DATE: cols[3], I.END_DATE: cols[4]})
    return I.CrosswalkInput(table=table, rows_read=n, source="xw.csv")


def test_crosswalk_ended_and_inactive_pairs_are_counted_not_flagged():
    xw = pairs_of([("27447", "A082", True, "", ""),  # in force: deleted
                   ("27447", "A082", True, "", "2025-09-30"),  # ended the day before
                   ("27447", "A082", False, "", ""),  # inactive
                   ("27447", "A082", True, "", "2025-10-01"),  # holds on the effective day
                   ("27447", "A082", True, "2026-01-01", ""),  # starts later: checked
                   ("27447", "M1711", True, "2025-10-01", ""),  # a successor pair
                   ("", "A082", True, "", "2025-06-30"),  # ended: not even malformed
                   ("27447", "A082", False, "", "2025-06-30")])  # inactive and ended
    result = scan([change_set(ICD_OLD, ICD_NEW)], crosswalk=xw)
    f = result.findings
    assert sorted(zip(f["row"], f["kind"], strict=True)) == [
        (1, "deleted"), (4, "deleted"), (5, "deleted")]
    x = result.summary["crosswalk"]
    assert (x["pairs"], x["pairs_inactive"], x["pairs_ended"], x["pairs_checked"]) == (
        8, 2, 2, 4)
    assert (x["pairs_affected"], x["pairs_with_blank_code"], x["rows_read"]) == (3, 0, 8)
    from updater.impact.scan import summary_text

    assert ("crosswalk: 8 rows read, 8 pairs, 3 pairs affected, 4 inactive or end-dated "
            "(not flagged)") in summary_text(result)


def test_crosswalk_pair_ending_between_two_effective_dates():
    # ICD-10-CM FY2026 takes effect 2025-10-01, HCPCS 2026 on 2026-01-01: a pair ended
    # 2025-12-31 still holds under FY2026, but no longer when HCPCS 2026 takes effect
    sets = [change_set(ICD_OLD, ICD_NEW), change_set(HCPCS_OLD, HCPCS_NEW)]
    xw = pairs_of([("J0002", "A082", True, "", ""),
                   ("J0002", "A082", True, "", "2025-12-31"),
                   ("J0002", "A082", True, "", "2025-09-30"),
                   ("", "A082", True, "", "2025-12-31")])
    result = scan(sets, crosswalk=xw)
    f = result.findings
    assert sorted(zip(f["row"], f["kind"], f["system"], strict=True)) == [
        (1, "deleted", "icd10cm"), (1, "terminated", "hcpcs"), (2, "deleted", "icd10cm"),
        (4, "deleted", "icd10cm")]
    x = result.summary["crosswalk"]
    assert (x["pairs_ended"], x["pairs_inactive"], x["pairs_checked"]) == (1, 0, 3)
    assert x["pairs_affected"] == 3


def test_crosswalk_blank_and_malformed_sides_after_ended_pairs():
    """Blank and malformed codes on either side, among pairs taken out of the scan (the
    pairs left keep their own index); a finding without candidates gets an empty list."""
    xw = pairs_of([("27447", "A082", True, "", "2025-06-30"),  # ended: left out
                   ("", "M1711", True, "", ""),
                   ("27447", "", True, "", ""),
                   ("27447", "A082", False, "", ""),  # inactive: left out
                   ("2744X7", "NOT-A-DX", True, "", ""),
                   ("27447", "A082", True, "", "")])
    result = scan([change_set(ICD_OLD, ICD_NEW)], crosswalk=xw)
    f = result.findings
    assert list(zip(f["row"], f["kind"], f["code"], f["detail"], strict=True)) == [
        (2, "malformed", "", "no CPT or HCPCS code in this pair"),
        (3, "malformed", "", "no ICD-10-CM code in this pair"),
        (5, "malformed", "2744X7", "not a CPT or HCPCS code: '2744X7'"),
        (5, "malformed", "NOT-A-DX", "not an ICD-10-CM code: 'NOT-A-DX'"),
        (6, "deleted", "A082", "")]
    assert [c for c in f["candidates"]] == [[], [], [], [], []]
    assert all(isinstance(c, list) for c in f["candidates"])
    x = result.summary["crosswalk"]
    assert (x["pairs_with_blank_code"], x["pairs_checked"], x["pairs_affected"]) == (2, 4, 4)


def test_descendants_of_several_codes_in_one_pass():
    from updater.impact.findings import _descendants

    release = make_release([("M17", "header", "t", "t"), ("M170", "code", "t", "t"),
                            ("M1711", "code", "t", "t"), ("M1712", "code", "t", "t"),
                            ("M179", "code", "t", "t"), ("Z00", "header", "t", "t")],
                           version="FY2026", effective=date(2025, 10, 1))
    found = _descendants(pd.Series(["M171", "A08", "M179", "M17", "Z00"]), release)
    assert list(zip(found["old_code"], found["new_code"], strict=True)) == [
        ("M171", "M1711"), ("M171", "M1712"),
        ("M17", "M170"), ("M17", "M1711"), ("M17", "M1712"), ("M17", "M179")]
    assert _descendants(pd.Series([], dtype="str"), release).empty
