"""The diff's kinds of change on tiny releases built in code."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import make_release

from updater.errors import UpdaterError
from updater.releases.diff import diff_releases
from updater.vocabulary import CodeSystem, ReleaseKind

OLD = [
    ("M17", "header", "Osteoarthritis of knee", "Osteoarthritis of knee"),
    ("M170", "code", "Bilateral primary OA of knee", "Bilateral primary osteoarthritis of knee"),
    ("M171", "code", "Unilateral primary OA of knee", "Unilateral primary osteoarthritis of knee"),
    ("M179", "code", "Osteoarthritis of knee, unspecified", "Osteoarthritis of knee, unspecified"),
    ("A00", "header", "Cholera", "Cholera"),
    ("A000", "code", "Cholera due to V cholerae", "Cholera due to Vibrio cholerae"),
    ("A001", "code", "Cholera eltor", "Cholera due to Vibrio cholerae eltor"),
    ("B01", "header", "Varicella", "Varicella [chickenpox]"),
    ("Z99", "code", "Old code", "Old code to delete"),
]
NEW = [
    ("M17", "header", "Osteoarthritis of knee", "Osteoarthritis of knee"),
    ("M170", "code", "Bilateral primary OA of knee", "Bilateral primary osteoarthritis of knee"),
    ("M171", "header", "Unilateral primary OA of knee",
     "Unilateral primary osteoarthritis of knee"),
    ("M1711", "code", "Unilateral primary OA, right knee", "Unilateral primary OA, right knee"),
    ("M1712", "code", "Unilateral primary OA, left knee", "Unilateral primary OA, left knee"),
    ("M179", "code", "Osteoarthritis of knee,  unspecified", "osteoarthritis of knee, unspecified"),
    ("A00", "header", "Cholera", "Cholera (revised header)"),
    ("A000", "code", "Cholera, V cholerae", "Cholera due to Vibrio cholerae"),
    ("A001", "code", "Cholera eltor NEW", "Cholera due to Vibrio cholerae biovar eltor"),
    ("B01", "code", "Varicella", "Varicella [chickenpox]"),
    ("N99", "code", "New code", "A brand new code"),
]


@pytest.fixture
def result():
    return diff_releases(make_release(OLD, version="FY2024", effective=date(2023, 10, 1)),
                         make_release(NEW))


def kinds(result, code):
    return sorted(result.changes.loc[result.changes["code"] == code, "kind"])


def test_each_kind_is_found(result):
    assert kinds(result, "N99") == ["added"]
    assert kinds(result, "Z99") == ["deleted"]
    assert kinds(result, "M171") == ["added", "deleted", "expanded"]  # Delete 1 / Add 0 / expanded
    assert kinds(result, "M179") == ["revised"]  # whitespace and case only: no list, counted
    assert kinds(result, "A000") == ["revised"]
    assert kinds(result, "B01") == ["added", "deleted"]  # header became billable
    assert kinds(result, "M170") == []


def test_expanded_lists_new_billable_children(result):
    row = result.changes[(result.changes["code"] == "M171")
                         & (result.changes["kind"] == "expanded")].iloc[0]
    assert row["children"] == "M1711, M1712"
    assert row["display"] == "M17.1"


def test_revision_scope_split_as_the_publisher_splits_it(result):
    rev = result.changes[result.changes["kind"] == "revised"].set_index("code")
    assert rev["revision"].to_dict() == {"A00": "long", "A000": "short", "A001": "both",
                                         "M179": "both"}
    # without a publisher's list a whitespace/case-only change is marked, for readers to filter
    assert rev["cosmetic"].to_dict() == {"A00": False, "A000": False, "A001": False,
                                         "M179": True}


def test_summary_counts_as_the_publisher_counts(result):
    codes, headers = result.summary["codes"], result.summary["headers"]
    assert (codes["added"], codes["deleted"], codes["revised"]) == (4, 2, 3)  # M1711 M1712 N99 B01
    assert (codes["revised_both"], codes["revised_short_only"]) == (2, 1)
    assert (codes["revised_cosmetic"], codes["cosmetic"], codes["expanded"]) == (1, 0, 1)
    assert (headers["added"], headers["deleted"], headers["revised"]) == (1, 1, 1)
    assert (headers["revised_long_only"], codes["in_old"], codes["in_new"]) == (1, 6, 8)


def test_json_shape(result):
    data = result.to_dict()
    assert data["old"] == {"system": "icd10cm", "version": "FY2024", "effective": "2023-10-01"}
    assert set(data["summary"]["codes"]) >= {"added", "deleted", "revised", "revised_both",
                                            "revised_long_only", "revised_short_only",
                                            "revised_cosmetic", "cosmetic", "expanded",
                                            "terminated"}
    assert all(isinstance(c["cosmetic"], bool) for c in data["changes"])
    assert all(isinstance(v, int) for v in data["summary"]["codes"].values())
    kinds_ = {c["kind"] for c in data["changes"]}
    assert kinds_ <= {"added", "deleted", "revised", "cosmetic", "expanded", "terminated",
                      "reinstated", "attributes"}


def test_hcpcs_terminated_reinstated_and_attributes():
    old = make_release(
        [("J0001", "code", "Drug A", "Injection, drug A"),
         ("J0002", "code", "Drug B", "Injection, drug B"),
         ("J0003", "code", "Drug C", "Injection, drug C")],
        system=CodeSystem.HCPCS, version="2025", effective=date(2025, 1, 1),
        termination_date=["", "2024-12-31", ""], xref1=["", "", ""], coverage=["C", "C", "C"])
    new = make_release(
        [("J0001", "code", "Drug A", "Injection, drug A"),
         ("J0002", "code", "Drug B", "Injection, drug B"),
         ("J0003", "code", "Drug C", "Injection, drug C"),
         ("J0004", "code", "Drug D", "Injection, drug D")],
        system=CodeSystem.HCPCS, version="2026", effective=date(2026, 1, 1),
        termination_date=["2025-12-31", "", "", "2025-09-30"], xref1=["J0003", "", "", ""],
        coverage=["C", "C", "M", "C"])
    result = diff_releases(old, new)
    by_code = result.changes.groupby("code")["kind"].agg(sorted).to_dict()
    assert by_code == {"J0001": ["attributes", "terminated"],
                       "J0002": ["reinstated"], "J0003": ["attributes"],
                       "J0004": ["terminated"]}
    fields = result.changes.set_index(["code", "kind"]).loc[("J0003", "attributes"), "fields"]
    assert fields == {"coverage": {"old": "C", "new": "M"}}
    assert result.summary["codes"]["terminated"] == 2


def test_different_systems_cannot_be_diffed():
    with pytest.raises(UpdaterError, match="different code systems"):
        diff_releases(make_release(OLD), make_release(NEW, system=CodeSystem.HCPCS))


def test_a_change_list_is_never_compared_as_a_full_release():
    from dataclasses import replace

    partial = replace(make_release(NEW[:1]), kind=ReleaseKind.CHANGES)
    with pytest.raises(UpdaterError, match="lists only changes"):
        diff_releases(make_release(OLD), partial)


def test_display_code_agrees_with_display_codes():
    import pandas as pd

    from updater.codes import display_code, display_codes
    from updater.vocabulary import CodeSystem

    codes = ["M1711", "A00", "S72001A", "Z9989", "U071", "A0"]
    for system in CodeSystem:
        assert [display_code(c, system) for c in codes] == list(
            display_codes(pd.Series(codes, dtype="str"), system))
    assert display_code("M1711", CodeSystem.ICD10CM) == "M17.11"
    assert display_code("27447", CodeSystem.CPT) == "27447"


def test_a_title_one_whole_release_lacks_is_not_compared():
    """A release read from a file without short titles (the tabular XML, the codes file)
    against one with them: the short titles are not all "revised"; the long still count."""
    with_short = make_release([("A000", "code", "Synthetic short A", "Synthetic long A"),
                               ("A001", "code", "Synthetic short B", "Synthetic long B")],
                              version="FY2030", effective=date(2029, 10, 1))
    no_short = make_release([("A000", "code", "", "Synthetic long A"),
                             ("A001", "code", "", "Synthetic long B, revised")],
                            version="FY2031", effective=date(2030, 10, 1))
    changes = diff_releases(with_short, no_short, verify=False).changes
    assert changes["code"].tolist() == ["A001"]
    assert changes["kind"].tolist() == ["revised"]
    assert changes["revision"].tolist() == ["long"]
    back = diff_releases(no_short, with_short, verify=False, reverse=True).changes
    assert back["code"].tolist() == ["A001"]
