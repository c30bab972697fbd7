"""The publisher's change list decides what a revision is, its scope is checked line by
line, a list counted from another release cannot pass, and releases are diffed in order
and never with themselves. Synthetic CDC-style files (made-up codes and titles)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests_helpers import addenda_row, summary_block, write_icd_zip
from typer.testing import CliRunner

from updater.cli import app
from updater.errors import UpdaterError
from updater.releases.diff import diff_releases
from updater.releases.readers import load_release
from updater.revisions import substantive_title_change

runner = CliRunner()

CAT = ("Q10", "0", "Synth cat ten", "Synthetic category ten")
OLD_ROWS = [
    CAT,
    ("Q100", "1", "Synth zero", "Synthetic code zero"),
    ("Q101", "1", "Synth one", "Synthetic code one"),
    ("Q102", "1", "Synth  two", "Synthetic  code two"),
    ("Q103", "1", "Synth three", "synthetic code three"),
    ("Q104", "1", "Synth four", "Synthetic code four"),
    ("Q105", "1", "Synth five", "Synthetic code five"),
]
NEW_ROWS = [
    CAT,
    ("Q100", "1", "Synth zero", "Synthetic code zero, revised"),  # listed: long only
    ("Q101", "1", "Synth one", "Synthetic code one"),
    ("Q102", "1", "Synth two", "Synthetic code two"),  # spacing only, listed
    ("Q103", "1", "Synth three", "Synthetic code three"),  # case only, not listed
    ("Q104", "1", "Synth 4", "Synthetic code four"),  # short title, not listed
    ("Q105", "1", "Synth  five", "Synthetic code five, new"),  # long + short spacing, listed
    ("Q106", "1", "Synth six", "Synthetic code six"),
]
LISTED = [
    addenda_row("Revise from:", "Q100", "1", "Synth zero", "Synthetic code zero"),
    addenda_row("Revise to:", "Q100", "1", "Synth zero", "Synthetic code zero, revised"),
    addenda_row("Revise from:", "Q102", "1", "Synth  two", "Synthetic  code two"),
    addenda_row("Revise to:", "Q102", "1", "Synth two", "Synthetic code two"),
    addenda_row("Revise from:", "Q105", "1", "Synth five", "Synthetic code five"),
    addenda_row("Revise to:", "Q105", "1", "Synth  five", "Synthetic code five, new"),
    addenda_row("Add:", "Q106", "1", "Synth six", "Synthetic code six"),
]
OCTOBER_LIST = [*LISTED, *summary_block("icd10cm_order_2030.txt", "icd10cm_order_2031.txt",
                                        (1, 1, 0, 0, 0, 0, 0, 0), (6, 7, 1, 0, 3, 2, 1, 0))]
APRIL_ROWS = [*NEW_ROWS, ("Q107", "1", "Synth seven", "Synthetic code seven")]
APRIL_LIST = [addenda_row("Add:", "Q107", "1", "Synth seven", "Synthetic code seven"),
              *summary_block("icd10cm_order_2031.txt", "icd10cm_order_2031.txt",
                             (1, 1, 0, 0, 0, 0, 0, 0), (7, 8, 1, 0, 0, 0, 0, 0))]
# the January update's list counts from FY2030, not from the October release before it
JANUARY_LIST = [*LISTED,
                addenda_row("Add:", "Q107", "1", "Synth seven", "Synthetic code seven"),
                *summary_block("icd10cm_order_2030.txt", "icd10cm_order_2031jan.txt",
                               (1, 1, 0, 0, 0, 0, 0, 0), (6, 8, 2, 0, 3, 2, 1, 0))]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "FY2030": write_icd_zip(tmp_path / "icd10cm-Code-Descriptions-2030.zip",
                                "icd10cm_order_2030.txt", OLD_ROWS),
        "FY2031": write_icd_zip(tmp_path / "icd10cm-Code-Descriptions-2031.zip",
                                "icd10cm_order_2031.txt", NEW_ROWS,
                                ("icd10cm_order_addenda_2031.txt", OCTOBER_LIST)),
        "bare FY2031": write_icd_zip(tmp_path / "bare" / "icd10cm-Code-Descriptions-2031.zip",
                                     "icd10cm_order_2031.txt", NEW_ROWS),
        # the April update's files are named for the fiscal year; only the zip says April
        "FY2031-April": write_icd_zip(tmp_path / "icd10cm-April-2031-Code-Descriptions.zip",
                                      "icd10cm_order_2031.txt", APRIL_ROWS,
                                      ("icd10cm_order_addenda_2031.txt", APRIL_LIST)),
        "FY2031-January": write_icd_zip(tmp_path / "icd10cm-codes-order-Jan-2031.zip",
                                        "icd10cm_order_2031.txt", APRIL_ROWS,
                                        ("icd10cm_order_addenda_2031.txt", JANUARY_LIST)),
    }


def load(path: Path):
    return load_release(path)[0]


def by_code(diff, kinds=("revised", "cosmetic")):
    rows = diff.changes[diff.changes["kind"].isin(kinds)]
    return {r.code: (r.kind, r.revision, bool(r.cosmetic)) for r in rows.itertuples()}


# ------------------------------------------------------------------ who decides a revision

def test_the_list_decides_what_a_revision_is_and_its_scope(files):
    diff = diff_releases(load(files["FY2030"]), load(files["FY2031"]))
    assert by_code(diff) == {
        "Q100": ("revised", "long", False),
        "Q102": ("revised", "both", True),  # the list counts a spacing fix: a revision
        "Q103": ("cosmetic", "", True),  # a case fix it does not list: not counted
        "Q104": ("cosmetic", "", False),  # a real change it does not list: not counted...
        "Q105": ("revised", "both", False),  # one title in substance, one in spacing: "both"
    }
    codes = diff.summary["codes"]
    assert (codes["revised"], codes["revised_both"], codes["revised_long_only"],
            codes["revised_cosmetic"], codes["cosmetic"]) == (3, 2, 1, 1, 2)
    [check] = diff.verifications
    assert check.ok and not check.unverifiable
    assert all(p == c for _, p, c in check.summary_checks) and len(check.summary_checks) == 16
    # ... but reported, by code, as real changes the publisher did not list
    assert [(d.code, d.explained, d.explanation) for d in check.disagreements] == [
        ("Q103", True, "in the files, not in the publisher's list (whitespace or letter case "
                       "only)"),
        ("Q104", True, "in the files, not in the publisher's list (a change in substance)")]
    assert check.disagreements[1].message == (
        "code Q104 changed in the files (short title 'Synth four' -> 'Synth 4'); the addenda "
        "does not list it")


def test_without_a_list_every_title_change_is_a_revision_marked_cosmetic_when_it_is(files):
    diff = diff_releases(load(files["FY2030"]), load(files["bare FY2031"]))
    assert by_code(diff) == {
        "Q100": ("revised", "long", False),
        "Q102": ("revised", "both", True),
        "Q103": ("revised", "long", True),
        "Q104": ("revised", "short", False),
        "Q105": ("revised", "long", False),  # the title that changed in substance
    }
    assert diff.summary["codes"]["revised_cosmetic"] == 2
    assert diff.verifications == []
    data = diff.to_dict()["changes"]
    assert {c["code"]: c["cosmetic"] for c in data if c["kind"] == "revised"} == {
        "Q100": False, "Q102": True, "Q103": True, "Q104": False, "Q105": False}


@pytest.mark.parametrize("new", ["FY2031", "bare FY2031"])
def test_only_changes_in_substance_need_a_description_update(files, new):
    diff = diff_releases(load(files["FY2030"]), load(files[new]))
    changed = diff.changes[substantive_title_change(diff.changes)]
    assert sorted(changed["code"]) == ["Q100", "Q104", "Q105"]


def test_scope_is_compared_line_by_line_and_names_the_code(files, tmp_path):
    """A list whose 'Revise from' short title is not OLD's: its scope (both titles) is not
    the files' (long only), and the disagreement says which code."""
    wrong = [line.replace("Synth zero  ", "Synth nought") if line.startswith("Revise from")
             else line for line in OCTOBER_LIST]
    assert wrong != OCTOBER_LIST
    new = write_icd_zip(tmp_path / "w" / "icd10cm-Code-Descriptions-2031.zip",
                        "icd10cm_order_2031.txt", NEW_ROWS,
                        ("icd10cm_order_addenda_2031.txt", wrong))
    [check] = diff_releases(load(files["FY2030"]), load(new)).verifications
    assert not check.ok
    assert sorted((d.code, d.message) for d in check.unexplained) == [
        ("Q100", "the 'Revise from' line of Q100 differs from FY2030: short title: addenda "
                 "'Synth nought', FY2030 'Synth zero'"),
        ("Q100", "the addenda revises the long and short titles of Q100; in the files the "
                 "long title changed")]
    # the summary still agrees: the counts cannot show it, the lines do
    assert check.summary_matches


def test_a_summary_that_does_not_add_up_its_own_lines_is_explained(files, tmp_path):
    off = [line.replace("      2 revisions to both", "      3 revisions to both")
           for line in OCTOBER_LIST]
    assert off != OCTOBER_LIST
    new = write_icd_zip(tmp_path / "s" / "icd10cm-Code-Descriptions-2031.zip",
                        "icd10cm_order_2031.txt", NEW_ROWS,
                        ("icd10cm_order_addenda_2031.txt", off))
    [check] = diff_releases(load(files["FY2030"]), load(new)).verifications
    assert ("codes revisions both", 3, 2) in check.summary_checks
    assert check.summary_explanations == {
        "codes revisions both": "the summary does not add up the list's own lines: its "
                                "lines give 2, its summary says 3"}
    assert check.ok


# ------------------------------------------------------------------ mid-year updates

def test_an_april_list_named_for_its_fiscal_year_is_the_april_update(files):
    april = load(files["FY2031-April"])
    assert (april.version, april.effective) == ("FY2031-April", date(2031, 4, 1))
    diff = diff_releases(load(files["FY2031"]), april)
    [check] = diff.verifications
    assert check.ok and check.disagreements == []
    assert diff.summary["codes"]["added"] == 1


def test_the_addenda_alone_needs_its_date_and_takes_it_per_side(files, tmp_path):
    import zipfile

    alone = tmp_path / "downloads" / "icd10cm_order_addenda_2031.txt"
    alone.parent.mkdir()
    with zipfile.ZipFile(files["FY2031-April"]) as z:
        alone.write_bytes(z.read("icd10cm_order_addenda_2031.txt"))
    refused = runner.invoke(app, ["diff", str(files["FY2031"]), str(alone)])
    assert refused.exit_code == 2
    assert refused.output.strip() == (
        f"updater: error: {alone}: icd10cm:FY2031 takes effect 2030-10-01, not after "
        "icd10cm:FY2031 (2030-10-01); a change list applies onto the release before it: a "
        "mid-year update named for its fiscal year needs its date (--new-effective "
        "YYYY-MM-DD for diff, --effective for import); else choose an earlier base release")
    result = runner.invoke(app, ["diff", str(files["FY2031"]), str(alone),
                                 "--new-effective", "2031-04-01"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "ICD-10-CM: FY2031 (effective 2030-10-01) -> FY2031-April (effective 2031-04-01)")
    assert result.output.splitlines()[-1] == (
        "verified against CDC order addenda icd10cm_order_addenda_2031.txt: match (1 lines; "
        "summary block agrees)")


def test_a_january_update_is_its_own_release(files):
    january = load(files["FY2031-January"])
    assert (january.version, january.effective) == ("FY2031-January", date(2031, 1, 1))
    october = load(files["FY2031"])
    assert october.effective < january.effective


def test_a_list_counted_from_another_release_cannot_pass(files):
    diff = diff_releases(load(files["FY2031"]), load(files["FY2031-January"]))
    [check] = diff.verifications
    assert not check.ok and diff.verified is False
    assert check.unverifiable == (
        "the CDC list counts from FY2030 (icd10cm_order_2030.txt: 6 codes and 1 header); OLD "
        "is FY2031 (7 codes and 1 header): cannot verify line by line")
    # what can be compared is: what the list says about NEW, and each difference by code
    assert check.summary_checks == [("codes in new", 8, 8), ("headers in new", 1, 1)]
    assert check.unexplained == []
    explained = {d.code: d.explanation for d in check.disagreements}
    assert explained == {
        "Q100": "OLD differs from the release the list counts from: FY2031 titles Q100 "
                "'Synthetic code zero, revised', that release 'Synthetic code zero'",
        "Q102": "OLD differs from the release the list counts from: FY2031 titles Q102 "
                "'Synthetic code two', that release 'Synthetic  code two'",
        "Q105": "OLD differs from the release the list counts from: FY2031 titles Q105 "
                "'Synthetic code five, new', that release 'Synthetic code five'",
        "Q106": "OLD differs from the release the list counts from: FY2031 has code Q106, "
                "the release the list counts from does not"}


def test_strict_fails_when_nothing_could_be_verified_line_by_line(files):
    old, new = str(files["FY2031"]), str(files["FY2031-January"])
    result = runner.invoke(app, ["diff", old, new, "--strict"])
    assert result.exit_code == 1
    assert ("verified against CDC order addenda icd10cm_order_addenda_2031.txt: CANNOT CHECK "
            "EVERY CHANGE\n  the CDC list counts from FY2030 (icd10cm_order_2030.txt: 6 codes "
            "and 1 header); OLD is FY2031 (7 codes and 1 header): cannot verify line by "
            "line\n") in result.output
    assert runner.invoke(app, ["diff", old, new]).exit_code == 0


def test_a_list_against_another_release_still_checks_new(files, tmp_path):
    """A January list that adds a code NEW does not have is wrong whatever OLD is."""
    extra = [*JANUARY_LIST[:-22],
             addenda_row("Add:", "Q108", "1", "Synth eight", "Synthetic code eight"),
             *JANUARY_LIST[-22:]]
    new = write_icd_zip(tmp_path / "j" / "icd10cm-codes-order-Jan-2031.zip",
                        "icd10cm_order_2031.txt", APRIL_ROWS,
                        ("icd10cm_order_addenda_2031.txt", extra))
    [check] = diff_releases(load(files["FY2031"]), load(new)).verifications
    assert [(d.code, d.message) for d in check.unexplained] == [
        ("Q108", "the addenda adds code Q108, but FY2031-January does not have it"),
        ("Q108", "the addenda adds code Q108; the diff does not")]


# ------------------------------------------------------------------ order and sides

def test_releases_in_the_wrong_order_are_refused_unless_reverse(files):
    old, new = load(files["FY2030"]), load(files["FY2031"])
    with pytest.raises(UpdaterError, match=r"^OLD icd10cm:FY2031 \(effective 2030-10-01\) is "
                       r"newer than NEW icd10cm:FY2030 \(effective 2029-10-01\); give the older "
                       r"release first, or add --reverse"):
        diff_releases(new, old)
    back = diff_releases(new, old, reverse=True)
    assert back.changes.loc[back.changes["kind"] == "deleted", "code"].tolist() == ["Q106"]
    assert by_code(back)["Q100"] == ("revised", "long", False)
    [check] = back.verifications  # FY2031's own list, read backwards
    assert check.ok and check.against == (
        "CDC order addenda icd10cm_order_addenda_2031.txt (read backwards)")
    assert [d.code for d in check.disagreements] == ["Q103", "Q104"]
    with pytest.raises(UpdaterError, match="--reverse, but OLD icd10cm:FY2030"):
        diff_releases(old, new, reverse=True)


@pytest.mark.parametrize("command", [["diff"], ["report", "release"]])
def test_cli_refuses_reversed_releases(files, tmp_path, command):
    args = [*command, str(files["FY2031"]), str(files["FY2030"])]
    out = ["--out", str(tmp_path / "r.html")] if command != ["diff"] else []
    refused = runner.invoke(app, [*args, *out])
    assert refused.exit_code == 2
    assert refused.output.strip() == (
        "updater: error: OLD icd10cm:FY2031 (effective 2030-10-01) is newer than NEW "
        "icd10cm:FY2030 (effective 2029-10-01); give the older release first, or add "
        "--reverse to see the changes going back in time")
    assert not (tmp_path / "r.html").exists()
    assert runner.invoke(app, [*args, *out, "--reverse"]).exit_code == 0


def test_a_release_is_never_diffed_with_itself(files):
    one = str(files["FY2031"])
    result = runner.invoke(app, ["diff", one, one])
    assert (result.exit_code, result.output.strip()) == (2, (
        "updater: error: cannot diff a release with itself: both sides are icd10cm:FY2031; "
        "give two different releases; an option that describes one side is given for that "
        "side (--old-effective, --new-effective, --old-label, --new-label)"))


def test_effective_describes_one_side(files):
    old, new = str(files["FY2031"]), str(files["FY2031-April"])
    both = runner.invoke(app, ["diff", old, new, "--effective", "2031-04-01"])
    assert (both.exit_code, both.output.strip()) == (2, (
        "updater: error: --effective would give OLD and NEW the same date; say which release "
        "it describes: --old-effective or --new-effective"))
    relabelled = runner.invoke(app, ["diff", old, new, "--new-effective", "2031-05-01",
                                     "--new-label", "FY2031-May"])
    assert relabelled.exit_code == 0, relabelled.output
    assert relabelled.output.splitlines()[0] == (
        "ICD-10-CM: FY2031 (effective 2030-10-01) -> FY2031-May (effective 2031-05-01)")
    same_day = runner.invoke(app, ["diff", old, new, "--new-effective", "2030-10-01",
                                   "--new-label", "FY2031-bis"])
    assert (same_day.exit_code, same_day.output.strip()) == (2, (
        "updater: error: cannot diff a release with itself: icd10cm:FY2031 and "
        "icd10cm:FY2031-bis both take effect 2030-10-01; give two different releases; an "
        "option that describes one side is given for that side (--old-effective, "
        "--new-effective, --old-label, --new-label)"))
    bad = runner.invoke(app, ["diff", old, new, "--old-effective", "2031-13-01"])
    assert (bad.exit_code, bad.output.strip()) == (2, (
        "updater: error: --old-effective '2031-13-01' is not a date; write it as YYYY-MM-DD, "
        "e.g. 2025-10-01"))


def test_per_side_options_do_not_apply_to_a_stored_release(files, tmp_path):
    store = tmp_path / "store"
    assert runner.invoke(app, ["import", str(files["FY2031"]), "--store",
                               str(store)]).exit_code == 0
    result = runner.invoke(app, ["diff", "icd10cm:FY2031", str(files["FY2031-April"]),
                                 "--store", str(store), "--old-effective", "2030-10-02"])
    assert (result.exit_code, result.output.strip()) == (2, (
        "updater: error: icd10cm:FY2031 is a stored release: its label, date and format were "
        "fixed when it was imported, so the --old-... options do not apply to it; give the "
        "release file instead of the store id, or leave the option out"))


def test_through_stored_releases_each_step_is_decided_by_its_own_list(files, tmp_path):
    from updater.releases.lookup import diff_specs
    from updater.releases.readers import ReadOptions
    from updater.releases.store import ReleaseStore

    store = ReleaseStore(tmp_path / "store")
    for name in ("FY2030", "FY2031", "FY2031-April"):
        store.import_release(load(files[name]))
    assert store.load("icd10cm:FY2031").publisher_changes.files == {
        "old": "icd10cm_order_2030.txt", "new": "icd10cm_order_2031.txt"}
    net = diff_specs("icd10cm:FY2030", "icd10cm:FY2031-April", store.root, ReadOptions())
    assert net.steps == ["icd10cm:FY2031", "icd10cm:FY2031-April"]
    assert by_code(net) == {"Q100": ("revised", "long", False),
                            "Q102": ("revised", "both", True),
                            "Q103": ("cosmetic", "", True), "Q104": ("cosmetic", "", False),
                            "Q105": ("revised", "both", False)}
    assert [v.ok for v in net.verifications] == [True, True]
    back = diff_specs("icd10cm:FY2031-April", "icd10cm:FY2030", store.root, ReadOptions(),
                      reverse=True)
    assert back.steps == ["icd10cm:FY2031", "icd10cm:FY2030"]
    assert [v.ok for v in back.verifications] == [True, True]
    assert sorted(back.changes.loc[back.changes["kind"] == "deleted", "code"]) == [
        "Q106", "Q107"]


def test_a_revision_in_trailing_spaces_only_is_explained(files, tmp_path):
    """Fixed-width fields keep no trailing spaces: a list revising Q101 by them alone has
    identical Revise from and Revise to lines, and the files show no change."""
    same = [addenda_row("Revise from:", "Q101", "1", "Synth one", "Synthetic code one "),
            addenda_row("Revise to:", "Q101", "1", "Synth one", "Synthetic code one")]
    lines = [line.replace("      3 revisions", "      4 revisions").replace(
        "      2 revisions to both", "      3 revisions to both") for line in OCTOBER_LIST]
    new = write_icd_zip(tmp_path / "t" / "icd10cm-Code-Descriptions-2031.zip",
                        "icd10cm_order_2031.txt", NEW_ROWS,
                        ("icd10cm_order_addenda_2031.txt", [*same, *lines]))
    [check] = diff_releases(load(files["FY2030"]), load(new)).verifications
    assert check.ok
    explained = {d.code: d.explanation for d in check.disagreements}
    assert explained["Q101"].startswith("a revision whose Revise from and Revise to lines "
                                        "read the same")
    assert set(check.summary_explanations) == {"codes revisions", "codes revisions both"}


def test_the_release_page_says_when_it_could_not_verify_line_by_line(files):
    from updater.reports.release import release_report

    html = release_report(diff_releases(load(files["FY2031"]), load(files["FY2031-January"])))
    assert 'data-ok="false" data-line-by-line="false"' in html
    assert '<span class="fail">Cannot check every change</span>' in html
    assert "the CDC list counts from FY2030 (icd10cm_order_2030.txt: 6 codes and 1 header)" in html
    revised = release_report(diff_releases(load(files["FY2030"]), load(files["bare FY2031"])))
    assert "both (whitespace or letter case only)" in revised
