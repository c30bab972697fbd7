"""``run_cycle``: inbox -> store -> diff -> scan -> plan -> the cycle's folder, and a
reviewer's decisions surviving the next run."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from updater.cycle.config import ChargemasterConfig, Config, CrosswalkConfig
from updater.cycle.inbox import inbox_files
from updater.cycle.run import cycle_date, run_cycle
from updater.cycle.sample import sample_chargemasters_dir, sample_dir
from updater.errors import UpdaterError
from updater.plan import model as P
from updater.plan.merge import NEW_MARK, ROW_KEY, merge_reviewed
from updater.plan.plan_file import read_plan
from updater.plan.workbook import HEADERS
from updater.releases.diff import diff_releases
from updater.releases.readers import load_release
from updater.vocabulary import CodeSystem, Decision, PlanAction

JAN = date(2026, 1, 1)
SAMPLE = sample_dir()
HCPCS_25 = SAMPLE / "hcpcs" / "2025" / "2025-Alpha-Numeric-HCPCS-File.zip"
HCPCS_26 = SAMPLE / "hcpcs" / "2026" / "2026-Alpha-Numeric-HCPCS-File.zip"


def facility(tmp_path: Path, inbox: Path | None = None, **kw) -> Config:
    """A facility with its own copies of the sample chargemaster and crosswalk (so a test
    can change them) and the sample releases as its inbox."""
    own = tmp_path / "facility"
    own.mkdir(exist_ok=True)
    for name in ("sample-cdm.csv", "sample-crosswalk.csv"):
        if not (own / name).exists():
            shutil.copy(sample_chargemasters_dir() / name, own / name)
    values = dict(path=None, store=tmp_path / "store", inbox=inbox or SAMPLE,
                  output=tmp_path / "out",
                  chargemasters=(ChargemasterConfig(own / "sample-cdm.csv", name="main"),),
                  crosswalks=(CrosswalkConfig(own / "sample-crosswalk.csv"),),
                  sign_off=("CDM coordinator",))
    values.update(kw)
    return Config(**values)  # type: ignore[arg-type]


def hrefs(html: str) -> set[str]:
    return set(re.findall(r'href="([^"#]+)"', html))


# --------------------------------------------------------------------------- one run


def test_run_writes_the_cycle_folder(tmp_path):
    config = facility(tmp_path)
    steps: list[tuple[str, int, int]] = []
    result = run_cycle(config, cycle=JAN, progress=lambda *a: steps.append(a))
    folder = tmp_path / "out" / "2026-01-01"
    assert result.folder == folder and result.index == folder / "index.html"
    expected = {"release-cpt.html", "release-hcpcs.html", "diff-cpt.json", "diff-hcpcs.json",
                "impact.html", "plan.xlsx", "plan.json", "scan.json", "conceptmap.json",
                "index.html", "cycle.json"}
    assert {p.name for p in folder.iterdir()} == expected
    assert set(result.files) == expected
    # every file is linked from the index, and every link points at a file
    assert hrefs(result.index.read_text()) == expected - {"index.html"}
    # cycle.json is the result; the output folder's index links the cycle
    assert json.loads((folder / "cycle.json").read_text()) == json.loads(
        json.dumps(result.to_dict()))
    assert hrefs((tmp_path / "out" / "index.html").read_text()) == {"2026-01-01/index.html"}
    # the pairs: the release taking effect that day and the one in force before it
    by_system = {r.system: r for r in result.systems}
    assert set(by_system) == {CodeSystem.CPT, CodeSystem.HCPCS}
    hcpcs = by_system[CodeSystem.HCPCS]
    assert (hcpcs.old, hcpcs.new, hcpcs.missing, hcpcs.verified) == (
        "hcpcs:2025", "hcpcs:2026", "", True)
    # the diff written is the one the releases give, and verified against ACTION CD
    direct = diff_releases(load_release(HCPCS_25)[0], load_release(HCPCS_26)[0])
    written = json.loads((folder / "diff-hcpcs.json").read_text())
    assert written["summary"] == json.loads(json.dumps(direct.summary))
    assert hcpcs.summary == direct.summary["codes"]
    assert written["verification"][0]["ok"] is True
    # the scan saw both code sets together; the plan is the scan's plan
    scan = json.loads((folder / "scan.json").read_text())
    assert {r["system"] for r in scan["releases"]} == {"cpt", "hcpcs"}
    assert scan["summary"]["findings_by_kind"]["terminated"] == 26
    plan = read_plan(folder / "plan.xlsx")
    assert len(plan.table) == result.plans[0].rows > 0
    assert {r["id"] for r in plan.identity.releases} == {"cpt:2026", "hcpcs:2026"}
    assert plan.identity.chargemaster_sha256 != ""
    assert scan["inputs"]["chargemaster"] == {
        "path": str(config.chargemasters[0].path), "sha256": plan.identity.chargemaster_sha256}
    assert scan["inputs"]["crosswalk"]["sha256"] == plan.identity.crosswalk_sha256 != ""
    assert read_plan(folder / "plan.json").table.equals(plan.table)
    # every sample release went into the store, and progress was reported
    assert sorted(f.status for f in result.inbox) == ["added"] * 7
    assert {s for s, _, _ in steps} >= {"import", "diff", "scan", "plan", "index"}
    assert all(0 < done <= total for _, done, total in steps)
    assert "CDM coordinator" in result.index.read_text()


def test_second_run_imports_nothing_and_keeps_an_unreviewed_plan_fresh(tmp_path):
    config = facility(tmp_path)
    run_cycle(config, cycle=JAN)
    again = run_cycle(config, cycle=JAN)
    assert {f.status for f in again.inbox} == {"unchanged"}
    assert again.plans[0].backup == "" and again.plans[0].kept == 0
    assert not list(again.folder.glob("plan.reviewed-*"))


def test_systems_without_a_release_are_listed_missing(tmp_path):
    result = run_cycle(facility(tmp_path), cycle=date(2026, 4, 1))
    missing = {r.system: r.missing for r in result.systems if r.missing}
    assert missing == {
        CodeSystem.HCPCS: "no HCPCS Level II release taking effect 2026-04-01 in the store "
                          "(expected hcpcs:2026-April)",
        # only the PLA quarterly update takes effect: optional, and said so
        CodeSystem.CPT: "cpt:2026-April not in the store (optional: the AMA publishes "
                        "CPT PLA April 2026 quarterly update as code lists; the next annual "
                        "CPT release carries them)"}
    assert [r.new for r in result.systems if r.ready] == ["icd10cm:FY2026-April"]
    page = result.index.read_text()
    assert "expected hcpcs:2026-April" in page and "cpt:2026-April not in the store" in page


def test_nothing_in_the_store_for_the_cycle(tmp_path):
    empty = tmp_path / "inbox"
    empty.mkdir()
    with pytest.raises(UpdaterError) as err:
        run_cycle(facility(tmp_path, inbox=empty), cycle=date(2026, 10, 1))
    assert str(err.value) == (
        f"nothing to compare for the 2026-10-01 cycle: the store {tmp_path / 'store'} has no "
        "release taking effect that day (icd10cm:FY2027, hcpcs:2026-October, "
        f"cpt:2026-October); put the publisher's files in the inbox {empty} and run again")
    assert not (tmp_path / "out").exists()


def test_a_release_without_one_before_it(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(HCPCS_26, inbox)
    with pytest.raises(UpdaterError) as err:
        run_cycle(facility(tmp_path, inbox=inbox, systems=(CodeSystem.HCPCS,)), cycle=JAN)
    assert str(err.value) == (
        f"nothing to compare for the 2026-01-01 cycle: the store {tmp_path / 'store'} has no "
        "release before hcpcs:2026; put the previous release's files in the inbox "
        f"{inbox} too and run again")


def test_an_unreadable_inbox_file_is_reported_and_the_others_imported(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "2026").mkdir(parents=True)
    shutil.copy(HCPCS_25, inbox)
    shutil.copy(HCPCS_26, inbox / "2026")
    (inbox / "HCPCS-2026-broken.zip").write_bytes(b"PK\x03\x04 cut short")
    (inbox / "notes.txt").write_text("call CMS about J2001\n")
    (inbox / "README.md").write_text("what this folder is for\n")  # not a publisher file
    before = {p: p.read_bytes() for p in inbox.rglob("*") if p.is_file()}
    config = facility(tmp_path, inbox=inbox, systems=(CodeSystem.HCPCS,))
    result = run_cycle(config, cycle=JAN)
    status = {Path(f.file).name: f.status for f in result.inbox}
    assert status == {"2025-Alpha-Numeric-HCPCS-File.zip": "added",
                      "2026-Alpha-Numeric-HCPCS-File.zip": "added",
                      "HCPCS-2026-broken.zip": "unreadable", "notes.txt": "unreadable"}
    broken = next(f for f in result.inbox if f.status == "unreadable")
    assert broken.message and "\n" not in broken.message
    assert len(result.warnings) == 2
    assert result.warnings[0].startswith(str(inbox / "HCPCS-2026-broken.zip") + ": ")
    assert [r.new for r in result.systems] == ["hcpcs:2026"]
    page = result.index.read_text()
    assert "HCPCS-2026-broken.zip" in page and "notes.txt" in page
    # nothing in the inbox moved or changed
    assert {p: p.read_bytes() for p in inbox.rglob("*") if p.is_file()} == before


def test_inbox_files_skip_hidden_lock_and_readme_files(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("a.zip", ".DS_Store", "~$plan.xlsx", "README.md", "sub/b.txt"):
        (tmp_path / name).write_text("x")
    assert [p.relative_to(tmp_path).as_posix() for p in inbox_files(tmp_path)] == [
        "a.zip", "sub/b.txt"]
    assert inbox_files(tmp_path / "missing") == []


def test_no_chargemaster_configured_still_writes_the_releases(tmp_path):
    config = facility(tmp_path, chargemasters=(), crosswalks=())
    result = run_cycle(config, cycle=JAN)
    assert result.plans == []
    assert {"release-hcpcs.html", "diff-hcpcs.json", "conceptmap.json", "index.html"} <= {
        p.name for p in result.folder.iterdir()}
    assert not (result.folder / "plan.xlsx").exists()
    assert any("no chargemaster or crosswalk configured" in m for m in result.missing)


def test_training_reports_per_focus_and_system(tmp_path):
    config = facility(tmp_path, training=("orthopedics", "M00-M99,S00-T88"),
                      chargemasters=(), crosswalks=())
    october = run_cycle(config, cycle=date(2025, 10, 1))
    names = {"training-orthopedics-icd10cm.html", "training-m00-m99-s00-t88-icd10cm.html"}
    assert names <= {p.name for p in october.folder.iterdir()}
    assert names <= hrefs(october.index.read_text())
    # ICD-10-CM ranges say nothing about CPT and HCPCS: a note, no page
    january = run_cycle(config, cycle=JAN)
    assert {p.name for p in january.folder.glob("training-*")} == {
        "training-orthopedics-cpt.html", "training-orthopedics-hcpcs.html"}
    notes = [m for m in january.missing if m.startswith("training report")]
    assert len(notes) == 2 and all("'M00-M99,S00-T88'" in m for m in notes)


# --------------------------------------------------------------------------- reviewers


def review(path: Path, decisions: dict[int, tuple[str, str]]) -> None:
    """Set Decision (and Replacement) of some plan rows, as a reviewer does in Excel."""
    wb = load_workbook(path)
    ws = wb["Plan"]
    header = [c.value for c in ws[1]]
    at = {name: header.index(HEADERS[col]) + 1 for name, col in
          (("row", P.PLAN_ROW), ("decision", P.DECISION), ("replacement", P.REPLACEMENT))}
    for r in range(2, ws.max_row + 1):
        plan_row = ws.cell(r, at["row"]).value
        if plan_row in decisions:
            word, replacement = decisions[plan_row]
            ws.cell(r, at["decision"]).value = word
            ws.cell(r, at["replacement"]).value = replacement or None
    wb.save(path)


def keyed(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index(list(ROW_KEY))


def test_rerun_keeps_reviewed_decisions_and_marks_new_rows(tmp_path):
    config = facility(tmp_path)
    first = run_cycle(config, cycle=JAN)
    book = first.folder / "plan.xlsx"
    table = read_plan(book).table
    pending = table[table[P.DECISION] == Decision.PENDING.value]
    approved = table[table[P.DECISION] == Decision.APPROVED.value]
    rejected_row = int(pending[P.PLAN_ROW].iloc[0])
    changed_row = int(pending[pending[P.ACTION] == PlanAction.RETIRE.value][P.PLAN_ROW].iloc[0])
    unapproved_row = int(approved[P.PLAN_ROW].iloc[0])
    review(book, {rejected_row: ("Reject", ""), changed_row: ("Change", "J2002"),
                  unapproved_row: ("Pending", "")})
    reviewed_bytes = book.read_bytes()
    reviewed = read_plan(book).table

    # the chargemaster gains a line billing a code deleted in CPT 2026
    cdm = config.chargemasters[0].path
    with cdm.open("a", encoding="utf-8") as fh:
        fh.write("19900001,SYNTH: TCAT PLACEMENT NEW LINE,0481,0075T,,,,100.00,"
                 "CARDIAC CATH LAB,A,01/01/2025,,5\n")
    second = run_cycle(config, cycle=JAN)
    plan = second.plans[0]
    merged = read_plan(book).table
    # the reviewed workbook was kept, byte for byte, before the merged one replaced it
    assert plan.backup.startswith("plan.reviewed-") and plan.backup.endswith(".xlsx")
    assert (second.folder / plan.backup).read_bytes() == reviewed_bytes
    assert plan.backup in hrefs(second.index.read_text())
    # the reviewer's three decisions survive, matched by the row's identity
    old = keyed(reviewed)
    new = keyed(merged)
    for row in (rejected_row, changed_row, unapproved_row):
        key = old[old[P.PLAN_ROW] == row].index[0]
        assert new.loc[key, P.DECISION] == old.loc[key, P.DECISION]
        assert new.loc[key, P.REPLACEMENT] == old.loc[key, P.REPLACEMENT]
    assert (merged[P.DECISION] == Decision.REJECTED.value).sum() == 1
    assert (merged[P.REPLACEMENT] == "J2002").sum() == 1
    assert plan.kept == 3
    # the new line's row is new, and only it
    fresh = merged[merged[P.REASON].str.startswith(NEW_MARK)]
    assert list(fresh[P.CHARGE_CODE]) == ["19900001"]
    assert fresh[P.OLD_CODE].tolist() == ["0075T"]
    assert plan.new_rows == 1 and plan.dropped == 0
    assert fresh[P.DECISION].tolist() == fresh[P.DEFAULT_DECISION].tolist()
    # plan.json says the same as the workbook (apply may be given either)
    as_json = read_plan(second.folder / "plan.json").table
    assert as_json[[P.PLAN_ROW, P.DECISION, P.REPLACEMENT, P.REASON]].equals(
        merged[[P.PLAN_ROW, P.DECISION, P.REPLACEMENT, P.REASON]])
    assert read_plan(second.folder / "plan.json").identity.chargemaster_sha256 == \
        read_plan(book).identity.chargemaster_sha256

    # a third run with nothing changed leaves the workbook alone; the new row stays
    # marked until someone decides it
    merged_bytes = book.read_bytes()
    third = run_cycle(config, cycle=JAN)
    assert book.read_bytes() == merged_bytes
    assert third.plans[0].backup == ""
    assert len(list(third.folder.glob("plan.reviewed-*.xlsx"))) == 1
    assert third.plans[0].new_rows == 1 and third.plans[0].kept == 3


def test_a_broken_workbook_is_never_overwritten(tmp_path):
    config = facility(tmp_path)
    folder = tmp_path / "out" / "2026-01-01"
    folder.mkdir(parents=True)
    (folder / "plan.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(UpdaterError) as err:
        run_cycle(config, cycle=JAN)
    assert str(err.value).startswith(
        f"{folder / 'plan.xlsx'}: the plan workbook in the cycle folder cannot be read (")
    assert str(err.value).endswith("; fix it, or move it away to start a fresh plan; it is "
                                   "never overwritten unread")
    assert (folder / "plan.xlsx").read_bytes() == b"not a workbook"


def _plan_for(rows: list[dict]) -> object:
    from updater.plan.model import Plan
    from updater.plan.model import typed_table as _typed

    base = {c: "" for c in P.PLAN_COLUMNS} | {P.SOURCE_ROW: 1, P.CHARGES_AT_RISK: None,
                                              P.SECTION: "chargemaster"}
    table = pd.DataFrame([base | {P.PLAN_ROW: i} | r for i, r in enumerate(rows, start=1)])
    return Plan(table=_typed(table), identity=P.PlanIdentity(plan_id="x", created=""))


def test_merge_rule_on_small_plans():
    def row(n: int, decision: str = "pending", default: str = "pending", repl: str = "",
            reason: str = "why") -> dict:
        return {P.SOURCE_ROW: n, P.CHARGE_CODE: f"C{n}", P.OLD_CODE: f"X{n}",
                P.ACTION: "replace", P.DECISION: decision, P.DEFAULT_DECISION: default,
                P.REPLACEMENT: repl, P.REASON: reason}

    reviewed = _plan_for([row(1, "rejected"), row(2), row(3, "changed", repl="Y3"),
                          row(5, reason=NEW_MARK + "why"), row(6, "approved",
                                                               reason=NEW_MARK + "why")])
    fresh = _plan_for([row(1), row(2, "approved", "approved"), row(3), row(4), row(5),
                       row(6)])
    merge = merge_reviewed(fresh, reviewed)  # type: ignore[arg-type]
    t = merge.plan.table.set_index(P.CHARGE_CODE)
    assert t[P.DECISION].to_dict() == {"C1": "rejected", "C2": "approved", "C3": "changed",
                                       "C4": "pending", "C5": "pending", "C6": "approved"}
    assert t.loc["C3", P.REPLACEMENT] == "Y3"
    # new: never seen (C4) or seen as new and still undecided (C5); C6 was decided
    assert sorted(t.index[t[P.REASON].str.startswith(NEW_MARK)]) == ["C4", "C5"]
    assert (merge.kept, merge.new_rows, merge.dropped, merge.changed) == (3, 2, 0, True)
    gone = merge_reviewed(_plan_for([row(1)]), reviewed)  # type: ignore[arg-type]
    assert gone.dropped == 4 and gone.kept == 1


# --------------------------------------------------------------------------- which cycle


def test_cycle_date_needs_exactly_one_of_cycle_and_next():
    for kw in ({"cycle": None, "next_": False}, {"cycle": JAN, "next_": True}):
        with pytest.raises(UpdaterError) as err:
            cycle_date(as_of=None, **kw)  # type: ignore[arg-type]
        assert str(err.value) == ("give exactly one of --cycle YYYY-MM-DD and --next; e.g. "
                                  "updater run --cycle 2026-10-01, or updater run --next")
    assert cycle_date(cycle=JAN, next_=False, as_of=None) == JAN
    assert cycle_date(cycle=None, next_=True, as_of=date(2025, 11, 15)) == JAN
    assert cycle_date(cycle=None, next_=True, as_of=date(2025, 12, 15),
                      systems=[CodeSystem.ICD10CM]) == date(2026, 4, 1)


def test_next_runs_the_coming_cycle(tmp_path):
    result = run_cycle(facility(tmp_path, chargemasters=(), crosswalks=()), next_=True,
                       as_of=date(2025, 11, 20))
    assert result.cycle == JAN
    assert {r.new for r in result.systems} == {"cpt:2026", "hcpcs:2026"}


def test_a_fresh_folder_has_a_plain_plan(tmp_path):
    """Without a reviewed workbook nothing is marked new and every decision is the default."""
    result = run_cycle(facility(tmp_path), cycle=JAN)
    plan = read_plan(result.folder / "plan.json")
    assert not plan.table[P.REASON].str.startswith(NEW_MARK).any()
    assert (plan.table[P.DECISION] == plan.table[P.DEFAULT_DECISION]).all()


def test_a_second_chargemaster_gets_files_of_its_own(tmp_path):
    titled = sample_chargemasters_dir() / "sample-cdm-titled.xlsx"
    config = facility(tmp_path)
    config = facility(tmp_path, chargemasters=(
        *config.chargemasters, ChargemasterConfig(titled, name="Titled export")))
    result = run_cycle(config, cycle=JAN)
    main, second = result.plans
    assert (main.name, second.name) == ("", "titled-export")
    assert second.crosswalk == "" and second.chargemaster == str(titled)
    assert second.files == ["impact-titled-export.html", "plan-titled-export.xlsx",
                            "plan-titled-export.json", "scan-titled-export.json",
                            "conceptmap-titled-export.json"]
    assert set(second.files) <= hrefs(result.index.read_text())
    plan = read_plan(result.folder / "plan-titled-export.xlsx")
    assert plan.identity.chargemaster == str(titled) and plan.identity.crosswalk == ""
    assert len(plan.table) == second.rows > 0
    assert read_plan(result.folder / "plan.xlsx").identity.crosswalk != ""


def test_unzipped_cpt_files_and_hcpcs_txt_beside_xlsx_import_as_one_release_each(tmp_path):
    """As a licensee unpacks the AMA's data files, and CMS's txt and xlsx side by side:
    each release is read once, its other files are 'included', nothing is refused, on
    the first run and the next."""
    import zipfile

    inbox = tmp_path / "inbox"
    for year in ("2025", "2026"):
        with zipfile.ZipFile(SAMPLE / "cpt" / year / f"CPT {year} data files.zip") as z:
            z.extractall(inbox / f"cpt{year}")
    with zipfile.ZipFile(HCPCS_26) as z:
        z.extractall(inbox / "hcpcs2026")
    shutil.copy(HCPCS_25, inbox)
    config = facility(tmp_path, inbox=inbox)
    first = run_cycle(config, cycle=JAN)
    assert first.warnings == []
    by_status: dict[str, list[str]] = {}
    for f in first.inbox:
        by_status.setdefault(f.status, []).append(Path(f.file).name)
    assert sorted(by_status) == ["added", "included"]
    assert len(by_status["added"]) == 4  # cpt:2025, cpt:2026, hcpcs:2025, hcpcs:2026
    assert len(by_status["included"]) == 2 * 3 + 1  # the other CPT files, the other HCPCS
    assert [r.ready for r in first.systems] == [True, True]
    again = run_cycle(config, cycle=JAN)
    assert again.warnings == []
    assert {f.status for f in again.inbox} == {"unchanged"}


def test_a_check_that_cannot_cover_every_change_is_said_so(tmp_path):
    """The cycle's line and index page say "cannot check every change" (with the reason)
    for a publisher list counted from another release, not "verified" or "disagrees"."""
    from updater.cycle.run import CycleResult, SystemRun, _write_index, summary_lines

    why = "the CDC list counts from FY2029; OLD is FY2030: cannot verify line by line"
    runs = [SystemRun(system=CodeSystem.ICD10CM, cycles=["ICD-10-CM"], expected="icd10cm:FY2031",
                      new="icd10cm:FY2031", old="icd10cm:FY2030", summary={"added": 2},
                      verified=False, unverifiable=why),
            SystemRun(system=CodeSystem.HCPCS, cycles=["HCPCS"], expected="hcpcs:2031",
                      new="hcpcs:2031", old="hcpcs:2030", summary={"added": 1},
                      verified=False)]
    result = CycleResult(cycle=date(2030, 10, 1), folder=tmp_path, index=tmp_path / "index.html",
                         systems=runs, inbox=[], plans=[], files=[], missing=[], sign_off=[])
    lines = summary_lines(result)
    assert ("ICD-10-CM: icd10cm:FY2030 -> icd10cm:FY2031: 2 added "
            "(cannot check every change)") in lines
    assert "HCPCS Level II: hcpcs:2030 -> hcpcs:2031: 1 added (NOT verified)" in lines
    _write_index(result, Config(path=None))
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert f'title="{why}">cannot check every change</span>' in page
    assert page.count(">disagrees</span>") == 1
    assert result.to_dict()["systems"][0]["unverifiable"] == why

def test_an_unreadable_conversion_table_row_does_not_stop_the_run(tmp_path):
    """The CDC's FY2026 table stopped `updater run` on its row 2946 ('QA0.0101' ...): now a
    row that cannot be read is named and skipped, and the cycle is written."""
    from openpyxl import Workbook

    from updater.cycle.run import summary_lines

    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE / "icd10cm" / "FY2025", inbox / "FY2025")
    shutil.copytree(SAMPLE / "icd10cm" / "FY2026", inbox / "FY2026")
    book = Workbook()
    ws = book.active
    assert ws is not None
    for row in (["ICD-10-CM Conversion Table (synthetic)"],
                ["Current code assignment", "Effective", "Previous Code(s) Assignment"],
                ["E11.650", 2025, "E11.65"], ["QA0.0101", 2025, "Z99.89"],
                ["see the note below", 2025, "E11.65"]):
        ws.append(row)
    book.save(inbox / "FY2026" / "ICD-10-CM-Conversion-Table-FY2026.xlsx")
    result = run_cycle(facility(tmp_path, inbox=inbox, systems=(CodeSystem.ICD10CM,)),
                       cycle=date(2025, 10, 1))
    note = ("ICD-10-CM-Conversion-Table-FY2026.xlsx row 5: 'see the note below' is not the "
            "shape of an ICD-10-CM code; the row was skipped")
    assert result.notes == [note]
    assert f"note: {note}" in summary_lines(result)
    assert json.loads((result.folder / "cycle.json").read_text())["notes"] == [note]
    scan = json.loads((result.folder / "scan.json").read_text())
    e1165 = [f for f in scan["findings"] if f["code"] == "E1165" and f["kind"] == "expanded"]
    assert any("CDC conversion table FY2026" in c["source"] for c in e1165[0]["candidates"])
