"""Reconciling a computed HCPCS diff with CMS's change list (the transaction report, else
the newer file's ACTION CD): each kind of agreement and disagreement, and each category of
publisher inconsistency, on tiny synthetic releases; then CMS 2017 -> 2018 -> 2019 ->
2020-April."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from updater.model import PublisherChanges, Release
from updater.releases.diff import diff_releases
from updater.releases.readers import load_release
from updater.releases.readers.hcpcs_report import parse_report_rows
from updater.releases.verify import Verification
from updater.releases.verify.hcpcs_actions import (
    codes_by_category,
    explanation_categories,
    reconcile,
    spelling_fixes,
)
from updater.vocabulary import CodeSystem

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
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


# A change the newer file dates as its own (ACT EFF DT moved to 2030-01-01) and does not
# flag, or a letter naming a change the diff does not find, has no known cause: it stays
# unexplained.
DATED_2030 = {"action_effective_date": "2030-01-01"}


@pytest.mark.parametrize("old, new, message", [
    ({}, {"action_code": "A", **DATED_2030},
     "ACTION CD A (add), but the code is in the older release too"),
    ({}, {"long": "Synthetic supply, two each", **DATED_2030},
     "the diff finds the long description revised, but ACTION CD is N"),
    ({"long": "Supply, 10 mg"}, {"long": "Supply, 20 mg", **DATED_2030},
     "the diff finds the long description revised, but ACTION CD is N"),
    ({}, {"action_code": "D", **DATED_2030},
     "ACTION CD D (discontinue), but the code is not discontinued here"),
    ({}, {"action_code": "C", **DATED_2030},
     "ACTION CD C (change in long description), but the long description did not change"),
    ({}, {"action_code": "P", **DATED_2030},
     "ACTION CD P (payment change), but no payment field changed"),
    ({}, {"action_code": "C", "long": "Synthetic supply, two each", "coverage": "M"},
     "the diff finds a coverage change (coverage), but ACTION CD is C"),
    ({}, {"action_code": "S", "long": "Synthetic supply, two each", "short": "Synth two"},
     "the diff finds the long and short descriptions revised, but ACTION CD is S"),
    ({}, {"action_code": "X"}, "unknown ACTION CD 'X'"),
    (None, {"add_date": "2030-01-01", **DATED_2030},
     "the diff finds the code added, but ACTION CD is N"),
    # dated before the older release's year: no late action, and not undated either
    ({}, {"long": "Synthetic supply, two each", "action_effective_date": "2025-01-01"},
     "the diff finds the long description revised, but ACTION CD is N"),
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
    # --- publisher inconsistencies
    ({"add_date": "2029-04-01", "action_effective_date": "2029-04-01", "action_code": "A"},
     {"add_date": "2029-04-01", "action_effective_date": "2029-04-01", "action_code": "A"},
     None, "ACTION CD A (add), but the code is in the older release too",
     "flagged A, already listed: the 2029 file already lists it, added 2029-04-01, after "
     "2029 took effect, and the newer file flags the addition again: its list counts from "
     "an earlier release than that file"),
    ({"add_date": "2029-01-01", "action_effective_date": "2029-01-01", "action_code": "A"},
     {"add_date": "2029-01-01", "action_effective_date": "2029-01-01", "action_code": "A"},
     None, "ACTION CD A (add), but the code is in the older release too",
     "flagged A, already listed: the 2029 file already lists it, added 2029-01-01, and the "
     "newer file flags the addition again: its list counts from an earlier release than "
     "that file"),
    ({"action_effective_date": "2029-01-01", "action_code": "C", "long": "Revised text"},
     {"action_effective_date": "2029-01-01", "action_code": "C", "long": "Revised text"},
     None,
     "ACTION CD C (change in long description), but the long description did not change",
     "flagged again: the 2029 file already has this action (ACT EFF DT 2029-01-01), and "
     "ACTION CD C repeats it: the 2030 list counts from an earlier release than 2029"),
    ({}, {"add_date": "2029-07-01", "action_effective_date": "2029-07-01", "action_code": "A",
          "long": "Another synthetic supply", "short": "Another supply"}, None,
     "ACTION CD A (add), but the code is in the older release too; the diff finds the long "
     "and short descriptions revised, but ACTION CD is A",
     "flagged A, already listed: added again 2029-07-01 (ADD DT 2020-01-01 in 2029), and "
     "the newer file flags the new addition, not a change"),
    (None, {"add_date": "2029-04-01", "action_effective_date": "2030-01-01",
            "action_code": "C"}, None,
     "ACTION CD C (change in long description), but the long description did not change; "
     "the diff finds the code added, but ACTION CD is C",
     "new, flagged as a change: added 2029-04-01 (ADD DT), after 2029 took effect, and "
     "changed 2030-01-01 (ACT EFF DT), and ACTION CD C names the later change, not the "
     "addition"),
    (None, {}, None, "the diff finds the code added, but ACTION CD is N",
     "listed again without A or R: not in the 2029 file, yet its ADD DT 2020-01-01 is "
     "before 2029 took effect, and CMS lists it again with ACTION CD N, not A (add) or R "
     "(re-activate)"),
    (None, {"add_date": "2025-01-01", "action_effective_date": "2025-01-01"}, None,
     "the diff finds the code added, but ACTION CD is N",  # no late action: another year
     "listed again without A or R: not in the 2029 file, yet its ADD DT 2025-01-01 is "
     "before 2029 took effect, and CMS lists it again with ACTION CD N, not A (add) or R "
     "(re-activate)"),
    ({"termination_date": "2025-12-31"},
     {"termination_date": "2025-12-31", "long": "Synthetic supply, mended text"}, None,
     "the diff finds the long description revised, but ACTION CD is N",
     "change to a discontinued code: discontinued 2025-12-31 (TERM DT in 2029), and CMS "
     "changed it since with ACTION CD N"),
    ({"action_effective_date": "2029-01-01", "action_code": "C", "long": "Newer text"},
     {"action_effective_date": "2020-01-01", "long": "Synthetic supply, one each"}, None,
     "the diff finds the long description revised, but ACTION CD is N",
     "action undone: ACT EFF DT went back from 2029-01-01 to 2020-01-01: the 2030 file "
     "withdraws the 2029 file's action (ACTION CD C there) with ACTION CD N"),
    ({}, {"long": "Synthetic supply, two each"}, None,
     "the diff finds the long description revised, but ACTION CD is N",
     "unflagged, undated change: ACTION CD N and ACT EFF DT stays 2020-01-01: nothing in "
     "the 2030 file flags or dates the change"),
    ({}, {"pricing_indicator_1": "52", "action_effective_date": ""}, None,
     "the diff finds a payment change (pricing_indicator_1), but ACTION CD is N",
     "unflagged, undated change: ACTION CD N and ACT EFF DT is blank (was 2020-01-01): "
     "nothing in the 2030 file flags or dates the change"),
])
def test_explained(old: dict[str, str] | None, new: dict[str, str],
                   others: list[dict[str, str]] | None, message: str,
                   explanation: str) -> None:
    result = check(old, new, others)
    assert only(result) == (message, True, explanation)
    assert result.ok


def test_type_of_service_unflagged_in_a_file_that_uses_t() -> None:
    """The "no T in the file" explanation holds only when CMS used no T at all; the change
    is then one CMS neither flagged nor dated."""
    result = check({}, {"type_of_service_1": "9"},
                   others=[{"code": "Z9005", "action_code": "T"}])
    by_code = {d.code: (d.explained, d.explanation.split(":")[0]) for d in result.disagreements}
    assert by_code["Z9001"] == (True, "unflagged, undated change")
    assert not by_code["Z9005"][0]  # a T naming no change


def test_late_action_needs_the_action_date_to_have_moved() -> None:
    """A revision under an ACT EFF DT the older file already had is not a late action."""
    result = check({"action_effective_date": "2029-01-01"},
                   {"action_effective_date": "2029-01-01", "long": "Other synthetic text"})
    message, explained, explanation = only(result)
    assert message == "the diff finds the long description revised, but ACTION CD is N"
    assert explained and explanation.startswith("unflagged, undated change: ")


@pytest.mark.parametrize("termination, explanation", [
    ("", "dropped without TERM DT: CMS removed it from the 2030 file without discontinuing "
         "it first"),
    ("2030-06-30", "dropped without TERM DT: CMS removed it before its TERM DT"),
    ("2025-12-31", None)])
def test_codes_dropped_from_the_file(termination: str, explanation: str | None) -> None:
    result = check({"termination_date": termination}, None)
    if explanation is None:  # CMS drops discontinued codes after some years
        assert result.disagreements == []
        return
    message = ("Z9001 left the file without being discontinued (no TERM DT in 2029)"
               if not termination else
               f"Z9001 left the file although its TERM DT {termination} is after 2030-01-01")
    assert only(result) == (message, True, explanation)


# --- changes made by a release in between ----------------------------------------------------

IN_BETWEEN = {"add_date": "2029-07-01", "action_effective_date": "2029-07-01"}


def test_changes_of_a_release_in_between_cannot_be_verified() -> None:
    """OLD 2029, NEW 2030: a code added 2029-07-01 (a quarterly in between) and flagged N
    because the 2030 list counts from that release: named, but the check cannot pass."""
    result = check(None, IN_BETWEEN, others=[
        {"code": "Z9005", "action_code": "A", "add_date": "2029-07-01",
         "action_effective_date": "2029-07-01"}])  # flagged on that very day: a late add
    assert only(result) == (
        "the diff finds the code added, but ACTION CD is N", True,
        "made by a release in between: ACT EFF DT 2029-07-01 is after 2029 (2029-01-01) and "
        "before 2030 (2030-01-01), and the 2030 list counts from a later release")
    assert result.unverifiable == (
        "the 2030 list counts from a later release than 2029: it flags no change made before "
        "2029-07-01, and 1 codes changed by releases in between (ACT EFF DT 2029-07-01) "
        "cannot be checked against it line by line; import those releases and diff through "
        "them")
    assert not result.ok
    assert result.as_dict()["unverifiable"] == result.unverifiable


def test_changes_in_between_with_earlier_flags_stay_unexplained() -> None:
    """When the newer file flags a change made before the unflagged one, its list does
    count from before it: the unflagged change has no known cause."""
    result = check(None, IN_BETWEEN, others=[
        {"code": "Z9005", "action_code": "A", "add_date": "2029-04-01",
         "action_effective_date": "2029-04-01"}])
    assert only(result) == ("the diff finds the code added, but ACTION CD is N", False, "")
    assert result.unverifiable == ""


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


# --- the transaction report, line by line ---------------------------------------------------

def report_of(rows: list[list[object]]) -> PublisherChanges:
    header = ["HCPC/MOD", "ACTION CD", "SHORT DESCRIPTION", "LONG DESCRIPTION"]
    return PublisherChanges(entries=parse_report_rows([header, *rows], "trans.xlsx"),
                            summary={}, source="trans.xlsx (sheet 'Changes by HCPC code')")


def check_report(new: dict[str, str], rows: list[list[object]],
                 others: list[dict[str, str]] | None = None) -> Verification:
    """Reconcile 2029 -> 2030 against a transaction report for 2030."""
    before = release([STEADY, DEFAULTS], 2029)
    after = replace(release([STEADY, DEFAULTS | new, *(others or [])], 2030),
                    publisher_changes=report_of(rows))
    return reconcile(diff_releases(before, after, verify=False).changes, before, after)


SUPPLY = ["Synthetic supply", "Synthetic supply, one each"]
STEADY_ROW = ["Z0000", "No Change", *SUPPLY]


def test_report_that_agrees() -> None:
    result = check_report({"action_code": "C", "long": "Synthetic supply, two each"},
                          [STEADY_ROW, ["Z9001", "Long Description Change",
                                        "Synthetic supply", "Synthetic supply, two each"]])
    assert result.against == "CMS transaction report trans.xlsx (sheet 'Changes by HCPC code')"
    assert (result.checked, result.disagreements, result.ok) == (2, [], True)


def test_report_letter_is_the_one_checked() -> None:
    """The report says C where the file says N: the report is CMS's change list, so the
    revision is flagged; the two lists' disagreement is named on the report's row."""
    result = check_report({"long": "Synthetic supply, two each"},
                          [STEADY_ROW, ["Z9001", "Long Description Change", "Synthetic supply",
                                        "Synthetic supply, two each"]])
    [d] = result.disagreements
    assert (d.code, d.line, d.explained) == ("Z9001", 3, True)
    assert d.message == ("the transaction report says 'Long Description Change' (C), the "
                         "file's ACTION CD is N")
    assert d.explanation == ("transaction report and ACTION CD differ: CMS's two lists "
                             "disagree, and the report's letter is checked")


@pytest.mark.parametrize("rows, others, code, message, explanation", [
    ([["Z9001", "No Change", *SUPPLY]], None, "Z0000",
     "the transaction report does not list Z0000 (its ACTION CD is N)",
     "not in the transaction report: CMS left it out of trans.xlsx, so the file's ACTION CD "
     "is checked"),
    ([STEADY_ROW, ["Z9001", "No Change", *SUPPLY], ["Z9009", "ADD", "Other", "Other"]], None,
     "Z9009", "the transaction report lists Z9009 (ADD), the file does not have it",
     "in the transaction report, not in the file: CMS's report names a code its file lacks"),
    ([STEADY_ROW, ["Z9001", "No Change", "Synthetic supplies", SUPPLY[1]]], None, "Z9001",
     "the transaction report's short description of Z9001 is 'Synthetic supplies', the "
     "file's 'Synthetic supply'",
     "transaction report description differs: CMS's report and file describe the code "
     "differently"),
])
def test_report_and_file_disagree(rows: list[list[object]], others: list[dict[str, str]] | None,
                                  code: str, message: str, explanation: str) -> None:
    result = check_report({}, rows, others)
    [d] = result.disagreements
    assert (d.code, d.message, d.explained, d.explanation) == (code, message, True,
                                                               explanation)
    assert result.ok


def test_report_descriptions_compare_as_far_as_the_report_goes() -> None:
    """The report's long description may hold only its first part (the first record), and
    blanks are folded as the readers fold them."""
    result = check_report({}, [STEADY_ROW, ["Z9001", "No Change", "Synthetic supply",
                                            "Synthetic  supply, one"]])
    assert result.disagreements == []


@pytest.mark.parametrize("rows, code, message", [
    ([STEADY_ROW, ["Z9001", "Something new", *SUPPLY]], "Z9001",
     "row 3 of the transaction report cannot be read: type of change 'Something new' names "
     "no ACTION CD letter"),
    ([STEADY_ROW, ["Z9001", "No Change", *SUPPLY], ["Z9001", "ADD", *SUPPLY]], "Z9001",
     "the transaction report lists Z9001 twice (rows 3 and 4)"),
])
def test_report_rows_that_cannot_be_checked(rows: list[list[object]], code: str,
                                            message: str) -> None:
    result = check_report({}, rows)
    [d] = result.disagreements
    assert (d.code, d.message, d.explained) == (code, message, False)
    assert not result.ok


# --- the real CMS files ------------------------------------------------------------------

@pytest.fixture(scope="module")
def real() -> dict[str, Release]:
    paths = {y: DATA / "hcpcs" / y / f"{y}-Alpha-Numeric-HCPCS-File.zip"
             for y in ("2017", "2018", "2019")}
    paths["2020-April"] = DATA / "hcpcs" / "2020-April" / "anweb.xlsx"
    missing = [p for p in paths.values() if not p.exists()]
    if missing:
        pytest.skip(f"real CMS HCPCS files not present ({missing[0]} is missing)")
    return {y: load_release(p)[0] for y, p in paths.items()}


@pytest.fixture(scope="module")
def real_pair(real: dict[str, Release]) -> tuple[Release, Release]:
    return real["2017"], real["2018"]


def test_real_2017_to_2018_every_disagreement_explained(real_pair) -> None:
    old, new = real_pair
    diff = diff_releases(old, new)
    [result] = diff.verifications
    assert result.against == ("CMS transaction report 2018-Alpha-Numeric-HCPCS-File.zip!"
                              "HCPC18_Trans_Report_Alpha.xlsx (sheet 'Changes by HCPCS Code')")
    assert result.checked == 6558
    assert [d.code for d in result.unexplained] == []
    assert diff.verified is True
    assert codes_by_category(result) == {
        "not in the transaction report": ["L1"],
        "late action for the older year": ["C1842", "G0477", "G0478", "G0479", "G0480",
                                           "G0481", "G0482", "G0483", "G0659"],
        "no T in the file": ["E0210", "E0776", "G0500"],
        "field no letter covers": ["E0627", "E0628", "E0629", "G0475", "G0476", "G0499"],
        "spelling correction": ["G0259", "G8896", "J3010", "J3060", "J7342"],
        "one letter for several changes": ["J7328"],
    }
    assert explanation_categories(result)["late action for the older year"] == 9


BY_CATEGORY_2018_2019 = {
    "flagged A, already listed": ["QQ", "VM", "G9890", "G9891"],
    "unflagged, undated change": ["C9488", "C9745", "C9746", "C9747", "G9801"],
    "late action for the older year": ["G0279", "G9367", "G9368", "G9481", "G9482", "G9483",
                                       "G9484", "G9485", "G9486", "G9487", "G9488", "G9489",
                                       "G9490", "G9868", "G9869", "G9870"],
    "field no letter covers": ["G0499"],
    "change to a discontinued code": ["G8891"],
    "action undone": ["G9637", "G9638"],
    "spelling correction": ["G9898"],
    "new, flagged as a change": ["Q2041"],
    "dropped without TERM DT": ["DA", "G9976", "G9977"],
}


def test_real_2018_to_2019_every_disagreement_named(real: dict[str, Release]) -> None:
    diff = diff_releases(real["2018"], real["2019"])
    [result] = diff.verifications
    assert result.against.endswith("HCPC2019_Trans_Alpha.xlsx (sheet 'Changes by HCPCS Code')")
    assert result.checked == 6800
    assert codes_by_category(result) == BY_CATEGORY_2018_2019
    assert (result.ok, result.unverifiable, diff.verified) == (True, "", True)
    lines = {d.code: d.line for d in result.disagreements}
    assert all(isinstance(lines[c], int) for c in lines if c not in ("DA", "G9976", "G9977"))


def test_real_2018_to_2019_same_without_the_report(real: dict[str, Release]) -> None:
    """The file's ACTION CD alone names the same codes the same way (the report and the
    file agree in 2019)."""
    old, new = real["2018"], replace(real["2019"], publisher_changes=None)
    result = reconcile(diff_releases(old, new, verify=False).changes, old, new)
    assert result.against == "ACTION CD of hcpcs:2019"
    assert codes_by_category(result) == BY_CATEGORY_2018_2019


def test_real_2019_to_2020_april_every_disagreement_named(real: dict[str, Release]) -> None:
    """The April quarterly flags only what changed since the 2020 annual, which this pair
    skips: the changes dated in between are named, and the check says it cannot pass."""
    old, new = real["2019"], real["2020-April"]
    diff = diff_releases(old, new)
    [result] = diff.verifications
    assert result.against == ("CMS transaction report trans_alpha.xlsx (sheet 'Changes by "
                              "HCPC code')")
    assert result.checked == 7097
    by_category = codes_by_category(result)
    between = by_category.pop("made by a release in between")
    assert by_category == {
        "field no letter covers": ["AX", "B4105", "C9408", "C9468", "Q9994", "V5289"],
        "listed again without A or R": ["DA"],
        "unflagged, undated change": ["B4105", "C9600", "G9448", "G9676", "J7329"],
        "late action for the older year": ["C1890", "C9034", "G2001", "G2002", "G2003",
                                           "G2004", "G2005", "G2006", "G2007", "G2008",
                                           "G2009", "G2013", "G2014", "G2015", "J1095",
                                           "J2186", "J2787", "Q5111"],
        "no T in the file": ["E0210", "E0776", "G9949"],
        "new, flagged as a change": ["G2061", "G2062", "G2063"],
        "change to a discontinued code": ["Q9994"],
    }
    assert len(between) == 426
    acted = new.table.set_index("code").loc[between, "action_effective_date"]
    assert sorted(acted.unique()) == ["2019-04-01", "2019-07-01", "2019-10-01", "2020-01-01"]
    assert result.unexplained == []
    assert result.unverifiable == (
        "the 2020-April list counts from a later release than 2019: it flags no change made "
        "before 2020-01-01, and 426 codes changed by releases in between (ACT EFF DT "
        "2019-04-01, 2019-07-01, 2019-10-01, 2020-01-01) cannot be checked against it line "
        "by line; import those releases and diff through them")
    assert (result.ok, diff.verified) == (False, False)


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
