"""Reconciling a computed HCPCS diff with the newer file's ACTION CD: each kind of
agreement and disagreement on tiny synthetic releases, then CMS 2017 -> 2018."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from updater.diff import diff_releases
from updater.model import Release
from updater.readers import load_release
from updater.verify import Verification
from updater.verify.hcpcs_actions import explanation_categories, reconcile, spelling_fixes
from updater.vocabulary import CodeSystem

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DEFAULTS = {
    "code": "Z9001", "record": "code", "short": "Synthetic supply",
    "long": "Synthetic supply, one each", "add_date": "2020-01-01",
    "action_effective_date": "2020-01-01", "termination_date": "", "action_code": "N",
    "xref1": "", "pricing_indicator_1": "51", "coverage": "C", "lab_cert_1": "",
    "type_of_service_1": "1",
}
STEADY = {"code": "Z0000"}  # a code that never changes, in both releases


def release(rows: list[dict[str, str]], year: int) -> Release:
    table = pd.DataFrame([DEFAULTS | r for r in rows], columns=list(DEFAULTS), dtype="str")
    return Release(system=CodeSystem.HCPCS, version=str(year), effective=date(year, 1, 1),
                   table=table, sources=(), format="test")


def check(old: dict[str, str] | None, new: dict[str, str] | None,
          others: list[dict[str, str]] | None = None) -> Verification:
    """Reconcile Z9001 going from ``old`` to ``new`` (None: not in that release)."""
    before = release([STEADY, *([DEFAULTS | old] if old is not None else [])], 2029)
    after = release([STEADY, *([DEFAULTS | new] if new is not None else []), *(others or [])],
                    2030)
    changes = diff_releases(before, after, verify=False).changes
    return reconcile(changes, before, after)


def only(result: Verification) -> tuple[str, bool, str]:
    assert len(result.disagreements) == 1, result.disagreements
    d = result.disagreements[0]
    return d.message, d.explained, d.explanation


NEW_CODE = {"action_code": "A", "add_date": "2030-01-01", "action_effective_date": "2030-01-01"}


@pytest.mark.parametrize("old, new, others", [
    (None, NEW_CODE, None),
    ({}, {"action_code": "D", "termination_date": "2029-12-31", "coverage": "I",
          "pricing_indicator_1": "00"}, None),
    ({}, {"action_code": "C", "long": "Synthetic supply, two each"}, None),
    ({}, {"action_code": "C", "long": "Synthetic supply, two each", "short": "Synth two"}, None),
    ({}, {"action_code": "S", "short": "Synthetic supplies"}, None),
    ({}, {"action_code": "F", "coverage": "M", "lab_cert_1": "140"}, None),
    ({}, {"action_code": "B", "coverage": "M", "long": "Synthetic supply, two each"}, None),
    ({}, {"action_code": "P", "pricing_indicator_1": "52"}, None),
    ({}, {"action_code": "T", "type_of_service_1": "9"}, None),
    ({"termination_date": "2025-12-31"}, {"action_code": "R"}, None),
    ({}, {"long": "SYNTHETIC supply,  one each"}, None),  # cosmetic needs no letter
])
def test_agreement(old: dict[str, str] | None, new: dict[str, str],
                   others: list[dict[str, str]] | None) -> None:
    result = check(old, new, others)
    assert result.disagreements == []
    assert result.ok
    assert result.checked == 1 + (new is not None) + len(others or [])


@pytest.mark.parametrize("old, new, message", [
    ({}, {"action_code": "A"}, "ACTION CD A (add), but the code is in the older release too"),
    ({}, {"long": "Synthetic supply, two each"},
     "the diff finds the long description revised, but ACTION CD is N"),
    ({"long": "Supply, 10 mg"}, {"long": "Supply, 20 mg"},
     "the diff finds the long description revised, but ACTION CD is N"),
    ({}, {"action_code": "D"},
     "ACTION CD D (discontinue), but the code is not discontinued here"),
    ({}, {"action_code": "C"},
     "ACTION CD C (change in long description), but the long description did not change"),
    ({}, {"action_code": "P"}, "ACTION CD P (payment change), but no payment field changed"),
    ({}, {"action_code": "C", "long": "Synthetic supply, two each", "coverage": "M"},
     "the diff finds a coverage change (coverage), but ACTION CD is C"),
    ({}, {"action_code": "S", "long": "Synthetic supply, two each", "short": "Synth two"},
     "the diff finds the long and short descriptions revised, but ACTION CD is S"),
    ({}, {"action_code": "X"}, "unknown ACTION CD 'X'"),
    (None, {"action_effective_date": "2029-04-01"},
     "the diff finds the code added, but ACTION CD is N"),
])
def test_unexplained(old: dict[str, str] | None, new: dict[str, str], message: str) -> None:
    result = check(old, new)
    assert only(result) == (message, False, "")
    assert not result.ok


@pytest.mark.parametrize("old, new, others, message, explanation", [
    ({"long": "Synthetic suppyl, one each"}, {},  None,
     "the diff finds the long description revised, but ACTION CD is N",
     "spelling correction: 'suppyl' -> 'supply', which CMS does not flag"),
    ({}, {"action_code": "D", "termination_date": "2030-03-31"}, None,
     "ACTION CD D (discontinue), but the code is not discontinued here",
     "discontinued after the effective date: TERM DT 2030-03-31 is after 2030-01-01, so "
     "the code is still valid in 2030"),
    ({}, {"action_code": "C", "long": "Synthetic Supply, one each"}, None,
     "ACTION CD C (change in long description), but the long description did not change",
     "cosmetic title change: the long description changed in letter case or whitespace "
     "only"),
    ({}, {"action_code": "P", "pricing_indicator_1": "52", "long": "Synthetic supply, pair"},
     None, "the diff finds the long description revised, but ACTION CD is P",
     "one letter for several changes: ACTION CD P names the payment change, and no one "
     "letter names both"),
    ({}, {"lab_cert_1": "140", "xref1": "Z9002"}, None,
     "the diff finds LABCERT1 '' -> '140', XREF1 '' -> 'Z9002' changed, but ACTION CD is N",
     "field no letter covers: the action code key limits F and B to coverage, P to payment, "
     "T to BETOS and type of service"),
    ({}, {"type_of_service_1": "9"}, None,
     "the diff finds a BETOS or type of service change (type_of_service_1), but ACTION CD "
     "is N",
     "no T in the file: no code of 2030 has ACTION CD T, so CMS flagged no BETOS or type "
     "of service change"),
    (None, {"add_date": "2029-01-01", "action_effective_date": "2029-01-01"}, None,
     "the diff finds the code added, but ACTION CD is N",
     "late action for the older year: made by an update effective 2029-01-01 (the code is "
     "not in that file), published after the 2029 file, so the 2030 ACTION CD does not "
     "flag it"),
    ({"action_effective_date": "2025-01-01"},
     {"action_effective_date": "2029-01-01", "termination_date": "2028-12-31"}, None,
     "the diff finds the code discontinued, but ACTION CD is N",
     "late action for the older year: made by an update effective 2029-01-01 (ACT EFF DT "
     "was 2025-01-01), published after the 2029 file, so the 2030 ACTION CD does not flag "
     "it"),
])
def test_explained(old: dict[str, str] | None, new: dict[str, str],
                   others: list[dict[str, str]] | None, message: str,
                   explanation: str) -> None:
    result = check(old, new, others)
    assert only(result) == (message, True, explanation)
    assert result.ok


def test_type_of_service_unflagged_in_a_file_that_uses_t() -> None:
    """The "no T in the file" explanation holds only when CMS used no T at all."""
    result = check({}, {"type_of_service_1": "9"},
                   others=[{"code": "Z9005", "action_code": "T"}])
    by_code = {d.code: (d.explained, d.message) for d in result.disagreements}
    assert by_code == {
        "Z9001": (False, "the diff finds a BETOS or type of service change "
                         "(type_of_service_1), but ACTION CD is N"),
        "Z9005": (False, "ACTION CD T (miscellaneous change (BETOS, type of service)), but "
                         "no BETOS or type of service field changed; the diff finds the code "
                         "added, but ACTION CD is T")}


def test_late_action_needs_the_action_date_to_have_moved() -> None:
    """A revision under an ACT EFF DT the older file already had is not a late action."""
    result = check({"action_effective_date": "2029-01-01"},
                   {"action_effective_date": "2029-01-01", "long": "Other synthetic text"})
    assert only(result) == ("the diff finds the long description revised, but ACTION CD is N",
                            False, "")


@pytest.mark.parametrize("termination, disagrees", [("", True), ("2025-12-31", False)])
def test_codes_dropped_from_the_file(termination: str, disagrees: bool) -> None:
    result = check({"termination_date": termination}, None)
    if disagrees:
        assert only(result) == (
            "Z9001 left the file without being discontinued (no TERM DT in 2029)", False, "")
    else:
        assert result.disagreements == []


@pytest.mark.parametrize("old, new, fixes", [
    ("Injection, fentanyl citrate injeciton", "Injection, fentanyl citrate injection",
     [("injeciton", "injection")]),
    ("Arthrograpy, sacroiliac joint", "Arthrography, sacroiliac joint",
     [("arthrograpy", "arthrography")]),
    ("Supply, 10 mg", "Supply, 20 mg", None),  # numbers are never spelling
    ("Lower limb device", "Upper limb device", None),  # a different word
    ("Adult supply", "Adults supply", None),  # a plural
    ("Synthetic supply", "Synthetic supply kit", None),  # a word added
    ("Splint, cast", "Splint; cast", None),  # punctuation
])
def test_spelling_fixes(old: str, new: str, fixes: list[tuple[str, str]] | None) -> None:
    assert spelling_fixes(old, new) == fixes


# --- CMS 2017 -> 2018 ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_pair() -> tuple[Release, Release]:
    paths = [DATA / "hcpcs" / y / f"{y}-Alpha-Numeric-HCPCS-File.zip" for y in ("2017", "2018")]
    missing = [p for p in paths if not p.exists()]
    if missing:
        pytest.skip(f"real CMS HCPCS files not present ({missing[0]} is missing)")
    return load_release(paths[0])[0], load_release(paths[1])[0]


def test_real_2017_to_2018_every_disagreement_explained(real_pair) -> None:
    old, new = real_pair
    diff = diff_releases(old, new)
    [result] = diff.verifications
    assert result.against == "ACTION CD of hcpcs:2018"
    assert result.checked == 6559
    assert [d.code for d in result.unexplained] == []
    assert diff.verified is True
    assert explanation_categories(result) == {
        "late action for the older year": 9, "field no letter covers": 6,
        "spelling correction": 5, "no T in the file": 3,
        "one letter for several changes": 1,
    }
    by_category: dict[str, list[str]] = {}
    for d in result.disagreements:
        by_category.setdefault(d.explanation.split(":")[0], []).append(d.code)
    assert by_category == {
        "late action for the older year": ["C1842", "G0477", "G0478", "G0479", "G0480",
                                           "G0481", "G0482", "G0483", "G0659"],
        "no T in the file": ["E0210", "E0776", "G0500"],
        "field no letter covers": ["E0627", "E0628", "E0629", "G0475", "G0476", "G0499"],
        "spelling correction": ["G0259", "G8896", "J3010", "J3060", "J7342"],
        "one letter for several changes": ["J7328"],
    }


def test_real_2017_to_2018_letters_match_the_diff(real_pair) -> None:
    """Where the letter agrees, it agrees in numbers: all 152 A are additions, all 40 D
    discontinuations, every C a long description revision, every S a short one."""
    old, new = real_pair
    changes = diff_releases(old, new, verify=False).changes
    letter = new.table.set_index("code")["action_code"]
    kinds = changes.assign(letter=changes["code"].map(letter))
    added = kinds[kinds["kind"].isin(["added", "terminated"]) & ~kinds["code"].isin(
        old.table["code"])]
    assert added["letter"].value_counts().to_dict() == {"A": 152, "D": 14, "N": 2}
    revised = kinds[kinds["kind"] == "revised"]
    assert pd.crosstab(revised["revision"], revised["letter"]).to_dict() == {
        "C": {"both": 48, "long": 2, "short": 0}, "N": {"both": 1, "long": 7, "short": 1},
        "P": {"both": 1, "long": 0, "short": 0}, "S": {"both": 0, "long": 0, "short": 19}}
    deleted = kinds[kinds["kind"] == "deleted"]
    assert len(deleted) == 107
    assert (old.table.set_index("code").loc[deleted["code"], "termination_date"]
            <= "2013-12-31").all()
