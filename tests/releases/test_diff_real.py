"""The CDC's own published summaries reproduced from the real release zips, on every pair
of releases in ../shared: where the CDC's list counts from OLD it is matched line by line
and count by count; where it counts from another release the check says so, fails, and
explains every difference by code."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from updater.releases.diff import diff_releases
from updater.releases.readers import load_release
from updater.releases.verify.icd_addenda import OTHER_BASE, UNLISTED, line_counts
from updater.releases.verify.lists import counts_from
from updater.revisions import listed_revisions

VERSIONS = ("FY2018", "FY2022", "FY2023", "FY2023-April", "FY2024", "FY2024-April", "FY2025")
PAIRS = list(itertools.combinations(VERSIONS, 2))  # every pair, oldest first

# (old, new): codes added, deleted, revised (both, long only, short only); headers added,
# deleted, revised. From the addenda summary blocks the CDC published with each release.
PUBLISHED = {
    ("FY2023", "FY2023-April"): ((42, 7, 1, 1, 0, 0), (15, 0, 0)),
    ("FY2023-April", "FY2024"): ((395, 25, 22, 13, 0, 9), (131, 0, 4)),
    ("FY2024", "FY2024-April"): ((0, 0, 0, 0, 0, 0), (0, 0, 0)),
    ("FY2024", "FY2025"): ((252, 36, 13, 13, 0, 0), (72, 0, 1)),
    ("FY2024-April", "FY2025"): ((252, 36, 13, 13, 0, 0), (72, 0, 1)),  # April changed nothing
}
_OURS = {"additions": "added", "deletions": "deleted", "revisions": "revised",
         "revisions_both": "revised_both", "revisions_long_only": "revised_long_only",
         "revisions_short_only": "revised_short_only", "in_old": "in_old", "in_new": "in_new"}


@pytest.fixture(scope="module")
def releases(icd_zip):
    cache = {}

    def get(version):
        if version not in cache:
            cache[version] = load_release(icd_zip(version))[0]
        return cache[version]

    return get


@pytest.fixture(scope="module")
def diffs(releases):
    cache = {}

    def get(old, new):
        if (old, new) not in cache:
            cache[(old, new)] = diff_releases(releases(old), releases(new))
        return cache[(old, new)]

    return get


def test_the_official_pairs_are_the_ones_whose_list_counts_from_old(releases):
    official = {(a, b) for a, b in PAIRS
                if counts_from(releases(b).publisher_changes, releases(a))}
    assert official == set(PUBLISHED)


@pytest.mark.parametrize(("old", "new"), PAIRS)
def test_every_pair_matches_the_cdc_or_explains_each_difference_by_code(diffs, releases,
                                                                        old, new):
    result = diffs(old, new)
    [check] = result.verifications
    assert check.unexplained == [], [d.as_dict() for d in check.unexplained[:5]]
    assert check.checked == len(releases(new).publisher_changes.entries)
    if (old, new) in PUBLISHED:
        assert check.ok and not check.unverifiable
        assert diff_summary_is_the_cdcs(result, releases(new))
        assert {d.explanation.split(" (")[0] for d in check.disagreements} <= {UNLISTED}
    else:
        assert not check.ok and result.verified is False
        assert check.unverifiable.startswith("the CDC list counts from ")
        assert check.unverifiable.endswith(": cannot verify line by line")
        assert check.disagreements  # another base: differences, each named by code
        assert {d.explanation.split(":")[0] for d in check.disagreements} <= {OTHER_BASE,
                                                                            UNLISTED}
        assert [w for w, _, _ in check.summary_checks] == ["codes in new", "headers in new"]
        assert check.summary_matches


def diff_summary_is_the_cdcs(result, new) -> bool:
    cdc = new.publisher_changes.summary
    for block in ("codes", "headers"):
        for key, value in cdc[block].items():
            assert result.summary[block][_OURS[key]] == value, (block, key)
    return True


@pytest.mark.parametrize(("old", "new"), list(PUBLISHED))
def test_reproduces_the_cdc_summary(diffs, old, new):
    result = diffs(old, new)
    codes, headers = result.summary["codes"], result.summary["headers"]
    assert (codes["added"], codes["deleted"], codes["revised"], codes["revised_both"],
            codes["revised_long_only"], codes["revised_short_only"]) == PUBLISHED[(old, new)][0]
    assert (headers["added"], headers["deleted"], headers["revised"]) == PUBLISHED[(old, new)][1]


@pytest.mark.parametrize(("old", "new"), list(PUBLISHED))
def test_revision_scope_agrees_line_by_line(diffs, releases, old, new):
    result = diffs(old, new)
    listed = listed_revisions(releases(new).publisher_changes).set_index(["code", "record"])
    ours = result.changes[result.changes["kind"] == "revised"].set_index(["code", "record"])
    assert ours["revision"].sort_index().to_dict() == listed["revision"].sort_index().to_dict()


@pytest.mark.parametrize("version", VERSIONS)
def test_each_list_adds_up_to_its_own_summary(releases, version):
    """Read line by line (the Revise from/to pairs give the scope), every CDC list gives
    the counts its summary block states, FY2018's whitespace-only revision of Z05 too."""
    changes = releases(version).publisher_changes
    lines = line_counts(changes)
    for block in ("codes", "headers"):
        stated = {k: v for k, v in changes.summary[block].items() if k not in ("in_old",
                                                                               "in_new")}
        assert {k: lines[block][k] for k in stated} == stated, block


def test_unlisted_whitespace_fix_is_reported_by_code(diffs):
    result = diffs("FY2023-April", "FY2024")
    cosmetic = result.changes[result.changes["kind"] == "cosmetic"]
    assert cosmetic["code"].tolist() == ["Y0745"]
    [check] = result.verifications
    assert [(d.code, d.explanation) for d in check.disagreements] == [
        ("Y0745", "in the files, not in the publisher's list (whitespace or letter case "
                  "only)")]


def test_a_listed_whitespace_fix_is_a_revision(releases):
    """FY2018's list counts the respacing of header Z05 as a revision of both titles. The
    release it counts from (FY2017) is not in ../shared: it is rebuilt from FY2018 and the
    list (additions removed, deletions back, Revise from titles), and the diff of the two
    reproduces the CDC's FY2018 summary, with Z05 revised and marked cosmetic."""
    from dataclasses import replace

    new = releases("FY2018")
    entries = new.publisher_changes.entries
    table = new.table.set_index(["code", "record"])
    added = entries[entries["action"] == "add"].set_index(["code", "record"]).index
    back = entries[entries["action"].isin(["delete", "revise_from"])].set_index(
        ["code", "record"])[["short", "long"]]
    base = table.drop(index=added)
    base = pd.concat([base.drop(index=back.index, errors="ignore"), back]).reset_index()
    fy2017 = replace(new, version="FY2017", effective=new.effective.replace(year=2016),
                     table=base.astype("str"), publisher_changes=None, sources=())
    result = diff_releases(fy2017, new)
    [check] = result.verifications
    assert check.ok and check.disagreements == []
    assert diff_summary_is_the_cdcs(result, new)
    z05 = result.changes.set_index(["code", "kind"]).loc[("Z05", "revised")]
    assert (z05["revision"], bool(z05["cosmetic"])) == ("both", True)


def test_net_change_across_several_releases(releases):
    steps = [releases("FY2023-April"), releases("FY2024"), releases("FY2024-April")]
    result = diff_releases(releases("FY2023"), releases("FY2025"), steps=steps)
    assert result.steps == ["icd10cm:FY2023-April", "icd10cm:FY2024", "icd10cm:FY2024-April",
                            "icd10cm:FY2025"]
    via = result.changes.set_index(["code", "kind"])["via"]
    assert via[("C8339", "expanded")].startswith("FY2025")
    added_april = result.changes[(result.changes["kind"] == "added")
                                 & result.changes["via"].str.startswith("FY2023-April")]
    assert len(added_april) > 0
    assert len(result.verifications) == 4 and all(v.ok for v in result.verifications)


def test_a_reversed_pair_is_verified_against_the_list_read_backwards(releases):
    result = diff_releases(releases("FY2025"), releases("FY2024"), reverse=True)
    [check] = result.verifications
    assert check.ok and check.disagreements == []
    codes = result.summary["codes"]
    assert (codes["added"], codes["deleted"], codes["revised"]) == (36, 252, 13)


def test_expanded_codes_carry_their_children(diffs):
    result = diffs("FY2024", "FY2025")
    expanded = result.changes[result.changes["kind"] == "expanded"].set_index("code")
    assert expanded.loc["C8339", "children"] == "C83390, C83398"
    assert expanded.loc["Z86010", "children"] == "Z860100, Z860101, Z860102, Z860109"
    # "deleted" counts the code that became a header, as the CDC counts it
    deleted = set(result.changes.loc[(result.changes["kind"] == "deleted")
                                     & (result.changes["record"] == "code"), "code"])
    assert set(expanded.index) <= deleted


def test_the_april_2022_changes_explain_fy2022_to_fy2023(diffs):
    """The FY2023 list counts from the April 2022 update (not in ../shared): every
    difference is a code that update changed, named."""
    [check] = diffs("FY2022", "FY2023").verifications
    assert check.unverifiable == (
        "the CDC list counts from a release with 72750 codes and 22778 headers "
        "(icd10cm_order_2022.txt); OLD is FY2022 (72748 codes and 22776 headers): cannot "
        "verify line by line")
    assert sorted({d.code for d in check.disagreements}) == [
        "O1001", "Z283", "Z2831", "Z28310", "Z28311", "Z2839"]
