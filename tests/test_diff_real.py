"""The CDC's own published summaries reproduced from the real release zips."""

from __future__ import annotations

import pytest

from updater.diff import diff_releases
from updater.readers import load_release

# (old, new): codes added, deleted, revised (both, long only, short only); headers added,
# deleted, revised. From the addenda summary blocks the CDC published with each release.
PUBLISHED = {
    ("FY2023", "FY2023-April"): ((42, 7, 1, 1, 0, 0), (15, 0, 0)),
    ("FY2023-April", "FY2024"): ((395, 25, 22, 13, 0, 9), (131, 0, 4)),
    ("FY2024", "FY2024-April"): ((0, 0, 0, 0, 0, 0), (0, 0, 0)),
    ("FY2024", "FY2025"): ((252, 36, 13, 13, 0, 0), (72, 0, 1)),
}


@pytest.fixture(scope="module")
def releases(icd_zip):
    cache = {}

    def get(version):
        if version not in cache:
            cache[version] = load_release(icd_zip(version))[0]
        return cache[version]

    return get


@pytest.mark.parametrize(("old", "new"), list(PUBLISHED))
def test_reproduces_the_cdc_summary(releases, old, new):
    result = diff_releases(releases(old), releases(new))
    codes, headers = result.summary["codes"], result.summary["headers"]
    assert (codes["added"], codes["deleted"], codes["revised"], codes["revised_both"],
            codes["revised_long_only"], codes["revised_short_only"]) == PUBLISHED[(old, new)][0]
    assert (headers["added"], headers["deleted"], headers["revised"]) == PUBLISHED[(old, new)][1]


@pytest.mark.parametrize(("old", "new"), list(PUBLISHED))
def test_addenda_check_passes_line_by_line(releases, old, new):
    result = diff_releases(releases(old), releases(new))
    [check] = result.verifications
    assert check.ok, check.as_dict()
    assert check.disagreements == []
    assert check.checked == len(releases(new).publisher_changes.entries)
    assert check.summary_checks and all(p == c for _, p, c in check.summary_checks)


def test_whitespace_only_change_is_cosmetic_not_a_revision(releases):
    result = diff_releases(releases("FY2023-April"), releases("FY2024"))
    cosmetic = result.changes[result.changes["kind"] == "cosmetic"]
    assert cosmetic["code"].tolist() == ["Y0745"]


def test_expanded_codes_carry_their_children(releases):
    result = diff_releases(releases("FY2024"), releases("FY2025"))
    expanded = result.changes[result.changes["kind"] == "expanded"].set_index("code")
    assert expanded.loc["C8339", "children"] == "C83390, C83398"
    assert expanded.loc["Z86010", "children"] == "Z860100, Z860101, Z860102, Z860109"
    # "deleted" counts the code that became a header, as the CDC counts it
    deleted = set(result.changes.loc[(result.changes["kind"] == "deleted")
                                     & (result.changes["record"] == "code"), "code"])
    assert set(expanded.index) <= deleted


def test_addenda_against_another_release_is_explained(releases):
    """The FY2023 addenda counts from an April 2022 release that is not among the files."""
    result = diff_releases(releases("FY2022"), releases("FY2023"))
    [check] = result.verifications
    assert check.disagreements, "FY2022 -> FY2023 is not the CDC's pair: differences expected"
    assert check.unexplained == []
    assert all("another release" in d.explanation for d in check.disagreements)


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
