"""`updater check` and `updater init`: what the coming dates need, and the exit status a
scheduled job reads (0 ready, 1 action needed, 2 error)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from updater.cli import app
from updater.cycle.check import check_readiness
from updater.cycle.config import (
    ChargemasterConfig,
    Config,
    CrosswalkConfig,
    default_config_text,
    load_config,
)
from updater.cycle.sample import sample_chargemasters_dir, sample_releases
from updater.impact.scan import run_scan
from updater.plan.make import make_plan
from updater.plan.plan_file import write_plan_json
from updater.releases.readers import load_release
from updater.releases.store import ReleaseStore
from updater.vocabulary import AT_RISK_KINDS, CodeSystem, Decision

runner = CliRunner()
ICD, HCPCS, CPT = CodeSystem.ICD10CM, CodeSystem.HCPCS, CodeSystem.CPT


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded sample releases: ICD-10-CM FY2025, FY2026, FY2026-April; HCPCS and CPT
    2025 and 2026."""
    root = tmp_path_factory.mktemp("store")
    store = ReleaseStore(root)
    for files in sample_releases().values():
        for file in files:
            store.import_release(load_release(file)[0])
    assert [r.id for r in store.list()] == [
        "cpt:2025", "cpt:2026", "hcpcs:2025", "hcpcs:2026", "icd10cm:FY2025", "icd10cm:FY2026",
        "icd10cm:FY2026-April"]
    return root


def config_for(store: Path, *systems: CodeSystem, output: Path | None = None,
               chargemaster: Path | None = None) -> Config:
    return Config(path=None, store=store, output=output or store / "out",
                  systems=systems or (ICD, HCPCS, CPT),
                  chargemasters=(ChargemasterConfig(chargemaster),) if chargemaster else ())


def write_config(folder: Path, store: Path, systems: list[str], extra: str = "") -> Path:
    path = folder / "updater.toml"
    path.write_text(f'store = "{store}"\nsystems = {json.dumps(systems)}\n{extra}',
                    encoding="utf-8")
    return path


# ------------------------------------------------------------------ releases in the store


def test_ready_when_the_new_release_and_the_one_before_are_stored(sample_store: Path) -> None:
    result = check_readiness(config_for(sample_store, ICD), as_of=date(2026, 3, 1),
                             horizon_days=45)
    assert (result.ready, result.exit_code, result.actions) == (True, 0, ())
    [day] = result.dates
    assert (day.effective, day.days_left, day.within_horizon) == (date(2026, 4, 1), 31, True)
    [r] = day.releases
    assert (r.expected, r.new, r.state, r.before_expected, r.before, r.before_state) == (
        "icd10cm:FY2026-April", "icd10cm:FY2026-April", "stored", "icd10cm:FY2026",
        "icd10cm:FY2026", "stored")


def test_a_published_release_missing_within_the_horizon_needs_action(sample_store: Path) -> None:
    result = check_readiness(config_for(sample_store, ICD), as_of=date(2026, 8, 1))
    assert result.exit_code == 1
    assert result.actions == (
        "import icd10cm:FY2027 for 2026-10-01 (the publisher usually has it out by 2026-06-01)",)
    r = result.dates[0].releases[0]
    assert (r.state, r.before, r.before_state) == ("missing", "icd10cm:FY2026-April", "stored")


def test_a_release_not_out_yet_is_awaited_not_missing(sample_store: Path) -> None:
    result = check_readiness(config_for(sample_store, ICD), as_of=date(2026, 5, 1))
    assert (result.exit_code, result.dates[0].releases[0].state) == (0, "awaited")


def test_a_missing_release_beyond_the_horizon_asks_for_nothing_yet(sample_store: Path) -> None:
    result = check_readiness(config_for(sample_store, ICD), as_of=date(2026, 8, 1),
                             horizon_days=30)
    assert (result.exit_code, result.dates[0].within_horizon) == (0, False)
    assert result.dates[0].releases[0].state == "missing"


def test_the_release_in_force_before_is_missing(sample_store: Path) -> None:
    # before 2025-10-01 the calendar's release in force is FY2025-April; the sample has
    # only FY2025, which stands in: said, but no action (the full release holds it all)
    result = check_readiness(config_for(sample_store, ICD), as_of=date(2025, 9, 15))
    r = result.dates[0].releases[0]
    assert (r.new, r.before_expected, r.before, r.before_state) == (
        "icd10cm:FY2026", "icd10cm:FY2025-April", "icd10cm:FY2025", "older")
    assert not r.action_needed
    assert result.actions == ()
    assert ("icd10cm:FY2025 in the store (icd10cm:FY2025-April is not; the diff runs from "
            "icd10cm:FY2025" in "\n".join(result.lines()))


def test_an_empty_store(tmp_path: Path) -> None:
    result = check_readiness(config_for(tmp_path / "empty", HCPCS), as_of=date(2026, 12, 1))
    assert result.actions == (
        "import hcpcs:2027 for 2027-01-01 (the publisher usually has it out by 2026-11-01)",
        "import hcpcs:2026-October, the release in force before 2027-01-01")
    assert result.dates[0].releases[0].before_state == "missing"


def test_across_the_year_end_and_on_the_day(sample_store: Path) -> None:
    before = check_readiness(config_for(sample_store, CPT), as_of=date(2025, 12, 31))
    on_the_day = check_readiness(config_for(sample_store, CPT), as_of=date(2026, 1, 1))
    after = check_readiness(config_for(sample_store, CPT), as_of=date(2026, 1, 2))
    assert [(d.effective, d.days_left) for d in before.dates][:1] == [(date(2026, 1, 1), 1)]
    assert [(d.effective, d.days_left) for d in on_the_day.dates][:1] == [(date(2026, 1, 1), 0)]
    assert after.dates[0].effective == date(2026, 4, 1)
    assert before.exit_code == on_the_day.exit_code == after.exit_code == 0
    # Category III and PLA updates are optional: not in the store, yet no action
    april = after.dates[0].releases[0]
    assert (april.expected, april.state, april.before_expected, april.before) == (
        "cpt:2026-April", "optional", "cpt:2026", "cpt:2026")


def test_a_later_date_does_not_repeat_an_earlier_dates_release(tmp_path: Path) -> None:
    result = check_readiness(config_for(tmp_path / "empty", HCPCS), as_of=date(2026, 12, 1),
                             horizon_days=200)
    april = result.dates[1].releases[0]
    assert (april.expected, april.before_expected, april.before_state) == (
        "hcpcs:2027-April", "hcpcs:2027", "coming")
    assert april.state == "awaited"  # published about 2027-02-01
    assert result.actions == (
        "import hcpcs:2027 for 2027-01-01 (the publisher usually has it out by 2026-11-01)",
        "import hcpcs:2026-October, the release in force before 2027-01-01")


# ------------------------------------------------------------------ open findings


@pytest.fixture(scope="module")
def cdm() -> Path:
    return sample_chargemasters_dir() / "sample-cdm.csv"


def cpt_plan(sample_store: Path, cdm: Path, folder: Path, decide: str | None) -> int:
    """Write the 2026-01-01 cycle's plan; every row set to ``decide`` (None: as made).
    Returns the at-risk findings the scan has."""
    result, _ = run_scan(chargemaster=cdm, crosswalk=None, old=["cpt:2025"], new=["cpt:2026"],
                         store=sample_store)
    plan = make_plan(result)
    plan.identity.chargemaster = str(cdm.resolve())
    if decide is not None:
        plan.table["decision"] = decide
    folder.mkdir(parents=True, exist_ok=True)
    write_plan_json(plan, folder / "plan.json")
    return int(result.findings["kind"].isin({k.value for k in AT_RISK_KINDS}).sum())


def test_findings_are_open_without_a_plan(sample_store: Path, cdm: Path, tmp_path: Path) -> None:
    config = config_for(sample_store, CPT, output=tmp_path / "out", chargemaster=cdm)
    result = check_readiness(config, as_of=date(2025, 12, 1))
    f = result.findings
    assert f is not None
    at_risk = cpt_plan(sample_store, cdm, tmp_path / "elsewhere", None)
    assert at_risk > 0
    assert (f.effective, f.state, f.at_risk, f.open, f.plans, f.releases) == (
        date(2026, 1, 1), "open", at_risk, at_risk, (), ("cpt:2025 -> cpt:2026",))
    assert f.note == (f"{at_risk} of {at_risk} at-risk findings undecided; no plan in "
                      f"{tmp_path / 'out' / '2026-01-01'}")
    assert result.exit_code == 1
    assert result.actions == (f"decide {at_risk} open findings for 2026-01-01: run 'updater "
                              "run --cycle 2026-01-01', then set the decisions in its "
                              "plan.xlsx",)


def test_findings_close_when_every_plan_row_is_decided(sample_store: Path, cdm: Path,
                                                       tmp_path: Path) -> None:
    config = config_for(sample_store, CPT, output=tmp_path / "out", chargemaster=cdm)
    cycle = tmp_path / "out" / "2026-01-01"
    at_risk = cpt_plan(sample_store, cdm, cycle, Decision.APPROVED.value)
    result = check_readiness(config, as_of=date(2025, 12, 1))
    assert result.findings is not None
    assert (result.findings.state, result.findings.open, result.findings.plans) == (
        "closed", 0, (str(cycle / "plan.json"),))
    assert (result.exit_code, result.actions) == (0, ())
    cpt_plan(sample_store, cdm, cycle, Decision.REJECTED.value)
    assert check_readiness(config, as_of=date(2025, 12, 1)).exit_code == 0
    cpt_plan(sample_store, cdm, cycle, Decision.PENDING.value)
    still = check_readiness(config, as_of=date(2025, 12, 1))
    assert still.findings is not None and still.findings.open == at_risk


def test_pending_rows_stay_open(sample_store: Path, cdm: Path, tmp_path: Path) -> None:
    config = config_for(sample_store, CPT, output=tmp_path / "out", chargemaster=cdm)
    cycle = tmp_path / "out" / "2026-01-01"
    at_risk = cpt_plan(sample_store, cdm, cycle, None)
    from updater.plan.plan_file import read_plan_json

    plan = read_plan_json(cycle / "plan.json")
    table = plan.table
    risky = table[table["finding"].isin({k.value for k in AT_RISK_KINDS})]
    assert set(risky["decision"]) == {"pending"}  # the sample's CPT changes need a person
    first = risky.iloc[0]
    same = ((table["source_row"] == first["source_row"]) & (table["old_code"] == first["old_code"])
            & (table["finding"] == first["finding"]))
    table.loc[same, "decision"] = "changed"
    write_plan_json(plan, cycle / "plan.json")
    result = check_readiness(config, as_of=date(2025, 12, 1))
    assert result.findings is not None and result.findings.open == at_risk - 1
    assert result.actions == (f"decide {at_risk - 1} open findings for 2026-01-01 in "
                              f"{cycle / 'plan.json'}",)
    # a finding with no plan row (new since the plan was made) is open
    table.loc[:, "decision"] = "approved"
    write_plan_json(replace(plan, table=table[~same]), cycle / "plan.json")
    result = check_readiness(config, as_of=date(2025, 12, 1))
    assert result.findings is not None and result.findings.open == 1


def test_findings_not_checked_until_the_releases_are_stored(tmp_path: Path, cdm: Path) -> None:
    config = config_for(tmp_path / "empty", CPT, chargemaster=cdm)
    result = check_readiness(config, as_of=date(2026, 12, 1))
    assert result.findings is not None
    assert (result.findings.state, result.findings.note) == (
        "not checked", "the releases to compare are not in the store yet: cpt:2027")


# ------------------------------------------------------------------ the command


def test_cli_exit_0_ready(sample_store: Path, tmp_path: Path) -> None:
    path = write_config(tmp_path, sample_store, ["icd10cm"])
    result = runner.invoke(app, ["check", "--config", str(path), "--as-of", "2026-03-01",
                                 "--horizon", "45"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2:7] == [
        "2026-04-01  in 31 days",
        "  ICD-10-CM FY2026-April (April 1 update)",
        "    new:    icd10cm:FY2026-April in the store",
        "    before: icd10cm:FY2026 in the store",
        ""]
    assert result.output.splitlines()[-1] == "ready: nothing to do"


def test_cli_exit_1_before_and_0_after_the_publisher_date(sample_store: Path,
                                                          tmp_path: Path) -> None:
    path = write_config(tmp_path, sample_store, ["icd10cm"])
    early = runner.invoke(app, ["check", "--config", str(path), "--as-of", "2026-05-31",
                                "--horizon", "130"])
    late = runner.invoke(app, ["check", "--config", str(path), "--as-of", "2026-06-01",
                               "--horizon", "130"])
    assert (early.exit_code, late.exit_code) == (0, 1), late.output
    assert "    new:    icd10cm:FY2027 not out yet (usually published about 2026-06-01)" in \
        early.output.splitlines()
    assert late.output.splitlines()[-2:] == [
        "action needed:",
        "  - import icd10cm:FY2027 for 2026-10-01 (the publisher usually has it out by "
        "2026-06-01)"]


def test_cli_reads_updater_toml_in_the_working_folder(sample_store: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(tmp_path, sample_store, ["cpt"])
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "--as-of", "2025-12-01"])
    assert result.exit_code == 0, result.output
    assert f"store {sample_store}; config {tmp_path / 'updater.toml'})" in result.output


def test_cli_json_equals_the_library(sample_store: Path, tmp_path: Path) -> None:
    path = write_config(tmp_path, sample_store, ["icd10cm", "hcpcs", "cpt"])
    result = runner.invoke(app, ["check", "--config", str(path), "--as-of", "2026-11-23",
                                 "--json", "-"])
    assert result.exit_code == 1
    expected = check_readiness(load_config(path), as_of=date(2026, 11, 23)).to_dict()
    assert json.loads(result.output) == expected
    assert expected["ready"] is False and expected["dates"][0]["effective"] == "2027-01-01"


def test_cli_errors_exit_2(sample_store: Path, tmp_path: Path) -> None:
    bad_date = runner.invoke(app, ["check", "--as-of", "2026-13-01", "--config",
                                   str(write_config(tmp_path, sample_store, ["cpt"]))])
    assert (bad_date.exit_code, bad_date.output) == (
        2, "updater: error: --as-of '2026-13-01' is not a date; write it as YYYY-MM-DD, e.g. "
           "2025-10-01\n")
    missing = runner.invoke(app, ["check", "--config", str(tmp_path / "nope.toml")])
    assert (missing.exit_code, missing.output) == (
        2, f"updater: error: {tmp_path / 'nope.toml'}: the configuration file does not exist; "
           "write one with 'updater init', or give the right --config\n")
    bad = tmp_path / "bad.toml"
    bad.write_text('store = "s"\nhorizon = 30\n')
    wrong_key = runner.invoke(app, ["check", "--config", str(bad)])
    assert wrong_key.exit_code == 2
    assert wrong_key.output.startswith(f"updater: error: {bad}, line 2: unknown key 'horizon'")
    negative = runner.invoke(app, ["check", "--horizon", "-1", "--config", str(bad)])
    assert negative.exit_code == 2


def test_cli_a_named_chargemaster_that_is_gone(sample_store: Path, tmp_path: Path) -> None:
    path = write_config(tmp_path, sample_store, ["cpt"],
                        '[[chargemaster]]\nname = "Main"\npath = "cdm.csv"\n')
    result = runner.invoke(app, ["check", "--config", str(path), "--as-of", "2025-12-01"])
    assert (result.exit_code, result.output) == (
        2, f"updater: error: {path}, line 5: the chargemaster 'cdm.csv' does not exist; "
           f"relative paths are read from {tmp_path}; fix the path or remove the entry\n")


def test_cli_open_findings_exit_1(sample_store: Path, cdm: Path, tmp_path: Path) -> None:
    path = write_config(tmp_path, sample_store, ["cpt"],
                        f'[[chargemaster]]\npath = "{cdm}"\n')
    result = runner.invoke(app, ["check", "--config", str(path), "--as-of", "2025-12-01"])
    assert result.exit_code == 1, result.output
    assert "findings for 2026-01-01: open (" in result.output


# ------------------------------------------------------------------ init


def test_init_writes_a_loadable_config_and_the_inbox(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "--dir", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    path = tmp_path / "site" / "updater.toml"
    assert path.read_text(encoding="utf-8") == default_config_text()
    assert (tmp_path / "site" / "inbox").is_dir()
    assert result.output.splitlines()[0] == f"wrote {path}"
    assert load_config(path) == Config(path=path, store=tmp_path / "site" / "releases",
                                       inbox=tmp_path / "site" / "inbox",
                                       output=tmp_path / "site" / "updater-out")


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "updater.toml"
    path.write_text('store = "ours"\n')
    result = runner.invoke(app, ["init", "--dir", str(tmp_path)])
    assert (result.exit_code, result.output) == (
        2, f"updater: error: {path}: the configuration already exists; edit it, or give "
           "--force to write a fresh one over it\n")
    assert path.read_text() == 'store = "ours"\n'
    forced = runner.invoke(app, ["init", "--dir", str(tmp_path), "--force"])
    assert forced.exit_code == 0
    assert path.read_text(encoding="utf-8") == default_config_text()


def test_init_into_a_file_is_one_line(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("not a folder")
    result = runner.invoke(app, ["init", "--dir", str(taken)])
    assert (result.exit_code, result.output) == (
        2, f"updater: error: {taken}: cannot write the configuration: File exists; give "
           "--dir a folder you can write to\n")
    assert taken.read_text() == "not a folder"


def test_init_in_the_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert load_config().path == Path.cwd() / "updater.toml"
    assert (Path.cwd() / "inbox").is_dir()


@pytest.mark.parametrize("command", ["check", "init"])
def test_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    words = {"check": ["--as-of", "--config", "--json", "--horizon", "Exit status 0 ready"],
             "init": ["--force", "--dir", "updater.toml"]}[command]
    for word in words:
        assert word in " ".join(result.output.split())


def test_the_reviewed_workbook_wins_over_plan_json(sample_store: Path, cdm: Path,
                                                   tmp_path: Path) -> None:
    from updater.plan.plan_file import read_plan_json
    from updater.plan.workbook import write_workbook

    config = config_for(sample_store, CPT, output=tmp_path / "out", chargemaster=cdm)
    cycle = tmp_path / "out" / "2026-01-01"
    at_risk = cpt_plan(sample_store, cdm, cycle, Decision.PENDING.value)
    plan = read_plan_json(cycle / "plan.json")
    plan.table["decision"] = Decision.APPROVED.value
    write_workbook(plan, cycle / "plan.xlsx")
    (cycle / "plan.reviewed-20260101T000000Z.xlsx").write_bytes(b"not a plan")
    result = check_readiness(config, as_of=date(2025, 12, 1))
    assert result.findings is not None
    assert (result.findings.open, result.findings.plans) == (0, (str(cycle / "plan.xlsx"),))
    (cycle / "plan.xlsx").unlink()
    result = check_readiness(config, as_of=date(2025, 12, 1))
    assert result.findings is not None and result.findings.open == at_risk


def test_a_second_chargemasters_plan_is_found_by_its_input(sample_store: Path, cdm: Path,
                                                          tmp_path: Path) -> None:
    second = tmp_path / "west.csv"
    second.write_bytes(cdm.read_bytes())
    config = replace(config_for(sample_store, CPT, output=tmp_path / "out", chargemaster=cdm),
                     chargemasters=(ChargemasterConfig(cdm), ChargemasterConfig(second,
                                                                                name="West")))
    cycle = tmp_path / "out" / "2026-01-01"
    at_risk = cpt_plan(sample_store, cdm, cycle, Decision.APPROVED.value)
    result = check_readiness(config, as_of=date(2025, 12, 1))
    assert result.findings is not None
    assert (result.findings.at_risk, result.findings.open) == (2 * at_risk, at_risk)
    cpt_plan(sample_store, second, tmp_path / "tmp", Decision.APPROVED.value)
    (tmp_path / "tmp" / "plan.json").rename(cycle / "plan-west.json")
    result = check_readiness(config, as_of=date(2025, 12, 1))
    assert result.findings is not None
    assert (result.findings.open, result.findings.plans) == (
        0, (str(cycle / "plan-west.json"), str(cycle / "plan.json")))


def test_a_crosswalk_with_ranges_is_checked_on_a_january_date(sample_store: Path,
                                                               tmp_path: Path) -> None:
    """January brings only CPT/HCPCS pairs; the crosswalk's ICD-10-CM ranges still expand,
    against the release in force (as `updater run` does), instead of stopping the check."""


    wide = sample_chargemasters_dir() / "sample-crosswalk-wide.csv"
    config = Config(path=None, store=sample_store, output=tmp_path / "out",
                    systems=(HCPCS, CPT), crosswalks=(CrosswalkConfig(wide),))
    result = check_readiness(config, as_of=date(2025, 12, 1), horizon_days=45)
    assert result.findings is not None
    assert result.findings.releases == ("hcpcs:2025 -> hcpcs:2026", "cpt:2025 -> cpt:2026")
    assert result.findings.inputs == (str(wide),)
    assert result.findings.state in ("open", "closed")


# ------------------------------------------------------------------ the inbox


def inbox_config(store: Path, inbox: Path, *systems: CodeSystem,
                 chargemaster: Path | None = None, output: Path | None = None) -> Config:
    return replace(config_for(store, *systems, chargemaster=chargemaster, output=output),
                   inbox=inbox)


def test_a_release_waiting_in_the_inbox_asks_to_import_it(tmp_path: Path) -> None:
    import shutil

    store = tmp_path / "store"
    ReleaseStore(store).import_release(load_release(sample_releases()["cpt"][0])[0])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    waiting = inbox / "CPT 2026 data files.zip"
    shutil.copy(sample_releases()["cpt"][1], waiting)
    shutil.copy(sample_releases()["cpt"][0], inbox / "again.zip")  # stored already: no news
    (inbox / "notes.pdf").write_bytes(b"%PDF-1.4 not a release")
    result = check_readiness(inbox_config(store, inbox, CPT), as_of=date(2025, 12, 1))
    jan = next(d for d in result.dates if d.effective == date(2026, 1, 1))
    annual = jan.releases[0]
    assert (annual.state, annual.new, annual.new_file) == ("inbox", "cpt:2026", str(waiting))
    assert result.exit_code == 1
    assert result.actions[0] == (
        f"import cpt:2026 waiting in the inbox ({waiting}): run 'updater run --cycle "
        f"2026-01-01' (it imports the inbox first), or 'updater import {waiting}'")
    text = "\n".join(result.lines())
    assert f"new:    cpt:2026 waiting in the inbox ({waiting}), not imported yet" in text
    assert f"  {waiting}: cpt:2026 (effective 2026-01-01)" in text
    assert f"  {inbox / 'notes.pdf'}: cannot be read (" in text
    assert "again.zip" not in text
    assert [i["release"] for i in result.to_dict()["inbox"]] == ["cpt:2026", ""]
    # imported, the same check is ready
    ReleaseStore(store).import_release(load_release(waiting)[0])
    again = check_readiness(inbox_config(store, inbox, CPT), as_of=date(2025, 12, 1))
    assert again.exit_code == 0 and not any("waiting" in a for a in again.actions)


def test_the_release_in_force_waiting_in_the_inbox(tmp_path: Path, cdm: Path) -> None:
    import shutil

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for file in sample_releases()["cpt"]:
        shutil.copy(file, inbox / file.name)
    config = inbox_config(tmp_path / "store", inbox, CPT, chargemaster=cdm)
    result = check_readiness(config, as_of=date(2025, 12, 1))
    annual = next(d for d in result.dates if d.effective == date(2026, 1, 1)).releases[0]
    assert (annual.state, annual.before_state) == ("inbox", "inbox")
    assert annual.before_file == str(inbox / "CPT 2025 data files.zip")
    assert any(a.startswith("import cpt:2025 waiting in the inbox") for a in result.actions)
    assert result.findings is not None
    assert result.findings.state == "not checked"
    assert result.findings.note.endswith("(cpt:2026 waiting in the inbox: import them first)")


def test_an_older_full_release_in_the_inbox_stands_in(tmp_path: Path) -> None:
    """HCPCS 2026 follows 2025-October by the calendar; the 2025 annual file in the inbox
    stands in for it (it holds every change since), as it would in the store."""
    import shutil

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for file in sample_releases()["hcpcs"]:
        shutil.copy(file, inbox / file.name)
    result = check_readiness(inbox_config(tmp_path / "store", inbox, HCPCS),
                             as_of=date(2025, 12, 1))
    annual = next(d for d in result.dates if d.effective == date(2026, 1, 1)).releases[0]
    assert (annual.before_state, annual.before_waiting, annual.before_expected) == (
        "inbox", "hcpcs:2025", "hcpcs:2025-October")
    older = inbox / sample_releases()["hcpcs"][0].name
    assert (f"    before: hcpcs:2025 waiting in the inbox ({older}), not imported yet (it "
            "stands in for hcpcs:2025-October)") in result.lines()
    assert not any("MISSING" in line for line in result.lines())


# ------------------------------------------------------------------ open findings, named


def test_open_findings_are_named_by_row_and_code(sample_store: Path, cdm: Path,
                                                 tmp_path: Path) -> None:
    config = config_for(sample_store, CPT, output=tmp_path / "out", chargemaster=cdm)
    result = check_readiness(config, as_of=date(2025, 12, 1))
    f = result.findings
    assert f is not None and f.open == len(f.undecided) > 0
    scan, _ = run_scan(chargemaster=cdm, crosswalk=None, old=["cpt:2025"], new=["cpt:2026"],
                       store=sample_store)
    risky = scan.findings[scan.findings["kind"].isin({k.value for k in AT_RISK_KINDS})]
    assert {(u["row"], u["code"], u["kind"]) for u in f.undecided} == set(
        zip(risky["row"], risky["code"], risky["kind"], strict=True))
    first = f.undecided[0]
    line = (f"  chargemaster row {first['row']} (charge code {first['charge_code']}): "
            f"{first['code']} {first['kind']}; no plan yet")
    assert line in result.lines()
    # with a plan, the line names the plan row still pending
    cycle = tmp_path / "out" / "2026-01-01"
    cpt_plan(sample_store, cdm, cycle, None)
    named = check_readiness(config, as_of=date(2025, 12, 1)).findings
    assert named is not None
    assert all(u["plan"].startswith("pending in plan.json (plan row ") for u in named.undecided)
    assert named.to_dict()["undecided"][0]["file"] == str(cdm)


def test_many_open_findings_print_the_first_ten(sample_store: Path, cdm: Path,
                                                tmp_path: Path) -> None:
    from updater.cycle.check import FindingsCheck

    many = FindingsCheck(date(2026, 1, 1), "open", "x", open=12, undecided=tuple(
        {"source": "crosswalk", "file": "xw.csv", "row": n, "code": "E11.65",
         "kind": "expanded", "charge_code": "", "procedure": "99213", "diagnosis": "E11.65",
         "plan": ""} for n in range(1, 13)))
    lines = many.undecided_lines()
    assert lines[0] == "  crosswalk row 1 (99213 with E11.65): E11.65 expanded"
    assert len(lines) == 11 and lines[-1] == ("  ... and 2 more (all of them in updater check "
                                              "--json)")


# ------------------------------------------------------------------ unscheduled updates


def _icd(version: str, effective: date):
    from conftest import make_release

    return make_release([("U071", "code", "Sample COVID", "Sample COVID-19")],
                        version=version, effective=effective)


def test_an_unscheduled_update_in_the_store_is_listed(tmp_path: Path) -> None:
    store = ReleaseStore(tmp_path / "store")
    store.import_release(_icd("FY2021", date(2020, 10, 1)))
    store.import_release(_icd("FY2021-January", date(2021, 1, 1)))
    result = check_readiness(config_for(tmp_path / "store", ICD), as_of=date(2020, 12, 15))
    days = {d.effective: d for d in result.dates}
    assert date(2021, 1, 1) in days
    covid = days[date(2021, 1, 1)].releases[0]
    assert (covid.state, covid.new, covid.before) == ("stored", "icd10cm:FY2021-January",
                                                      "icd10cm:FY2021")
    text = "\n".join(result.lines())
    assert ("ICD-10-CM FY2021-January (unscheduled update, effective 2021-01-01)\n"
            "    new:    icd10cm:FY2021-January in the store (an update off the usual "
            "calendar)") in text
    # after it took effect it is the release in force for the next date
    later = check_readiness(config_for(tmp_path / "store", ICD), as_of=date(2021, 2, 1))
    assert date(2021, 1, 1) not in {d.effective for d in later.dates}
    april = next(d for d in later.dates if d.effective == date(2021, 4, 1)).releases[0]
    assert april.before == "icd10cm:FY2021-January"


def test_an_unscheduled_update_in_the_inbox_is_listed(tmp_path: Path) -> None:
    """A January update's file in the inbox (named as the CDC named the January 2021 one):
    check lists it for its own date and asks to import it. The readers infer the month
    from such a name once issue 11 item 4 (mid-year updates in any month) is in."""
    from updater.releases.versions import infer_version

    name = "icd10cm-codes-order-Jan-2021.zip"
    inferred = infer_version(ICD, [name])
    if inferred is None or inferred[1] != date(2021, 1, 1):
        pytest.skip("the readers do not infer a January ICD-10-CM update from its file name "
                    "yet (issue 11 item 4)")
    import zipfile

    store = ReleaseStore(tmp_path / "store")
    store.import_release(_icd("FY2021", date(2020, 10, 1)))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with zipfile.ZipFile(inbox / name, "w") as z:
        z.writestr("icd10cm_order_Jan_2021.txt",
                   "00001 U071    1 Sample COVID".ljust(77) + "Sample COVID-19\r\n")
    result = check_readiness(replace(config_for(tmp_path / "store", ICD), inbox=inbox),
                             as_of=date(2020, 12, 15))
    covid = next(d for d in result.dates if d.effective == date(2021, 1, 1)).releases[0]
    assert covid.state == "inbox" and covid.cycles[0].kind == "unscheduled"
    assert covid.new == f"icd10cm:{inferred[0]}"
    assert any(a.startswith(f"import {covid.new} waiting in the inbox")
               for a in result.actions)
