"""Apply reads and writes a chargemaster by the reader's own rules (a profile's date_format
and inactive_values, every date spelling the reader takes), and every user mistake in
apply, revert and the plan/scan readers ends in one line, not a traceback."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import make_release
from test_apply import ALL_ACTIONS, RELEASES, make_plan, plan_row, read_rows, run, write_csv
from typer.testing import CliRunner

from updater.cli import app
from updater.errors import UpdaterError
from updater.impact import inputs as I
from updater.impact.change_sets import ChangeSet
from updater.impact.findings import read_scan_json, scan
from updater.impact.inputs.chargemaster import read_chargemaster
from updater.patch.apply import apply_plan
from updater.patch.grids import open_grid
from updater.patch.logs import changelog_paths
from updater.patch.revert import revert
from updater.releases.diff import diff_releases
from updater.vocabulary import CodeSystem

PROFILES = Path(__file__).resolve().parents[2] / "chargemasters" / "profiles"
MEDITECH = PROFILES / "meditech-export.toml"
MEDITECH_HEADER = ["Chg Mnemonic", "Chg Long Name", "Proc CPT", "Proc HCPCS", "UB Rev Ctr",
                   "Mod A", "Mod B", "Std Chg Amt", "GL Dept", "Chg Status", "Act Date",
                   "Deact Date", "Yr Util"]
MEDITECH_LINES = [
    ["LAB001", "Synthetic visit low", "99211", "", "0510", "", "", "100.00", "CLIN", "ACTIVE",
     "01/01/20", "", "12"],
    ["LAB002", "Synthetic visit mid", "99212", "", "0510", "", "", "150.00", "CLIN", "ACTIVE",
     "01/01/20", "12/31/98", "30"],
]


def cpt_change_set() -> ChangeSet:
    old = make_release([("99211", "code", "Synthetic visit low", "Synthetic visit low"),
                        ("99212", "code", "Synthetic visit mid", "Synthetic visit mid")],
                       version="2025", effective=date(2025, 1, 1), system=CodeSystem.CPT)
    new = make_release([("99212", "code", "Synthetic visit mid", "Synthetic visit mid")],
                       version="2026", effective=date(2026, 1, 1), system=CodeSystem.CPT)
    cands = pd.DataFrame([], columns=["system", "old_code", "new_code", "relation", "source",
                                      "automatic", "via", "step"])
    return ChangeSet(CodeSystem.CPT, old, new, diff_releases(old, new), cands)


def flagged_rows(path: Path, profile: Path) -> set[int]:
    cdm = read_chargemaster(path, profile=profile)
    return set(scan([cpt_change_set()], chargemaster=cdm).findings["row"].astype(int))


# ---------------------------------------------------------------- 1. date_format


def test_profile_date_format_written_and_read_back(tmp_path: Path) -> None:
    cdm = write_csv(tmp_path / "cdm.csv", MEDITECH_LINES, MEDITECH_HEADER,
                    titles=["CDM Dictionary Report", "Synthetic hospital"])
    assert 1 in flagged_rows(cdm, MEDITECH)  # the deleted code's line, before apply
    out = tmp_path / "patched.csv"
    result = run(cdm, [plan_row(1, "retire", 1, "99211", charge="LAB001")], out,
                 profile=MEDITECH)
    assert result.counts["retire"] == 1
    assert read_rows(out, skip=3)[0][11] == "12/31/25"  # the profile's %m/%d/%y
    table = read_chargemaster(out, profile=MEDITECH).table
    assert table.loc[table[I.ROW] == 1, I.END_DATE].tolist() == ["2025-12-31"]
    assert 1 not in flagged_rows(out, MEDITECH)


@pytest.mark.parametrize("spelling", [
    ("2020/01/01", "2025/06/30", "2025/12/31", "2026/01/01"),
    ("01-01-2020", "06-30-2025", "12-31-2025", "01-01-2026"),
])
def test_reader_date_spellings_read_and_kept(tmp_path: Path,
                                             spelling: tuple[str, ...]) -> None:
    start, ended, end, effective = spelling
    header = ["Charge Code", "Description", "CPT", "Effective Date", "End Date"]
    lines = [["1001", "Office visit low", "99211", start, ended],
             ["1002", "Office visit mid", "99212", start, ""]]
    cdm = write_csv(tmp_path / "cdm.csv", lines, header)
    result = run(cdm, [plan_row(1, "retire", 1, "99211", charge="1001"),
                       plan_row(2, "replace", 2, "99212", "99213", charge="1002")],
                 tmp_path / "p.csv")
    # the first line already ended (in the file's own spelling): left alone
    assert [s["reason"] for s in result.skipped] == ["already applied: line already ended"]
    rows = read_rows(tmp_path / "p.csv", skip=1)
    assert rows[0] == lines[0]
    assert rows[1] == ["1002", "Office visit mid", "99212", start, end]
    assert rows[2] == ["1002", "Office visit mid", "99213", effective, ""]


# ---------------------------------------------------------------- 2. inactive_values


STATUS_PROFILE = """header_row = 1
inactive_values = ["INACT", "RETIRED", "DEL"]
[columns]
charge_code = "Chg Mnemonic"
description = "Chg Long Name"
code = "Proc CPT"
status = "Chg Status"
"""


@pytest.mark.parametrize("statuses", [("INACT", "ACTIVE", "ACTIVE"),
                                      ("ACTIVE", "ACTIVE", "ACTIVE")])
def test_profile_inactive_values(tmp_path: Path, statuses: tuple[str, ...]) -> None:
    profile = tmp_path / "house.toml"
    profile.write_text(STATUS_PROFILE, encoding="utf-8")
    header = ["Chg Mnemonic", "Chg Long Name", "Proc CPT", "Chg Status"]
    lines = [["A1", "Synthetic visit low", "99211", statuses[0]],
             ["A2", "Synthetic visit mid", "99212", statuses[1]],
             ["A3", "Synthetic visit high", "99215", statuses[2]]]
    cdm = write_csv(tmp_path / "cdm.csv", lines, header)
    result = run(cdm, [plan_row(1, "retire", 1, "99211", charge="A1"),
                       plan_row(2, "retire", 2, "99212", charge="A2")],
                 tmp_path / "p.csv", profile=profile)
    already = statuses[0] == "INACT"
    assert result.counts["retire"] == (1 if already else 2)
    assert result.counts["already_applied"] == (1 if already else 0)
    rows = read_rows(tmp_path / "p.csv", skip=1)
    assert [r[3] for r in rows] == ["INACT", "INACT", "ACTIVE"]
    table = read_chargemaster(tmp_path / "p.csv", profile=profile).table
    assert table.sort_values(I.ROW)[I.ACTIVE].tolist() == [False, False, True]


def test_inactive_value_worked_out_once(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from updater.patch.grids import CsvGrid

    header = ["Charge Code", "Description", "CPT", "Status"]
    lines = [["1001", "Visit low", "99211", "A"], ["1002", "Visit mid", "99212", "A"],
             ["1003", "Visit high", "99215", "A"]]
    cdm = write_csv(tmp_path / "cdm.csv", lines, header)
    calls: list[int] = []
    real = CsvGrid.column_texts
    monkeypatch.setattr(CsvGrid, "column_texts",
                        lambda self, j: calls.append(j) or real(self, j))
    rows = [plan_row(n, "retire", n, code, charge=charge)
            for n, (charge, _, code, _) in enumerate(lines, start=1)]
    assert run(cdm, rows, tmp_path / "p.csv").counts["retire"] == 3
    assert calls.count(3) == 1
    assert [r[3] for r in read_rows(tmp_path / "p.csv", skip=1)] == ["I", "I", "I"]


# ---------------------------------------------------------------- 3. errors, not tracebacks


def test_undecodable_csv_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "xw.csv"
    path.write_bytes(b"Procedure Code,ICD-10-CM\n20610,M17.10 \x81\n")
    with pytest.raises(UpdaterError) as caught:
        open_grid(path, wanted=["Procedure Code"])
    assert str(caught.value) == (f"{path}, line 2: bytes that are neither UTF-8 nor "
                                 "Windows-1252 text (byte 0x81); save the export again as "
                                 "CSV (UTF-8) or XLSX")


def applied(tmp_path: Path) -> tuple[Path, Path, list[dict[str, object]]]:
    cdm = write_csv(tmp_path / "cdm.csv")
    out = tmp_path / "p.csv"
    run(cdm, ALL_ACTIONS, out)
    log = changelog_paths(out)[1]
    return out, log, json.loads(log.read_text(encoding="utf-8"))["changes"]


def test_revert_force_on_a_file_without_the_column(tmp_path: Path) -> None:
    out, log, changes = applied(tmp_path)
    out.write_bytes(out.read_bytes().replace(b"Description", b"Desc", 1))
    n = max(k for k, c in enumerate(changes, start=1)
            if c["kind"] == "cell" and c["column"] == "Description")
    got = CliRunner().invoke(app, ["revert", str(log), "--chargemaster", str(out), "--out",
                                   str(tmp_path / "back.csv"), "--force"])
    assert got.exit_code == 2, got.output
    assert got.output.strip() == (f"updater: error: {log}: change log row {n}: the patched "
                                  "file has no column 'Description'; revert the file apply "
                                  "wrote")


def test_revert_change_log_naming_a_row_not_there(tmp_path: Path) -> None:
    out, log, _ = applied(tmp_path)
    meta = json.loads(log.read_text(encoding="utf-8"))
    k = next(k for k, c in enumerate(meta["changes"]) if c["kind"] == "insert")
    meta["changes"][k]["output_row"] = 999
    log.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(UpdaterError) as caught:
        revert(log, out, tmp_path / "back.csv")
    assert str(caught.value) == (f"{log}: change log row {k + 1}: the patched file has no "
                                 "data row 999 (it has 8); revert the file apply wrote")
    assert not (tmp_path / "back.csv").exists()


def test_plan_and_scan_readers_refuse_a_folder(tmp_path: Path) -> None:
    from updater.plan.plan_file import read_plan, read_plan_json

    for reader in (read_plan_json, read_plan, read_scan_json):
        with pytest.raises(UpdaterError, match="a folder, not a"):
            reader(tmp_path)
    got = CliRunner().invoke(app, ["apply", str(tmp_path), "--chargemaster", "x.csv",
                                   "--out", "y.csv"])
    assert got.exit_code == 2
    assert got.output.strip() == (f"updater: error: {tmp_path}: a folder, not a plan file; "
                                  "give the plan.json or the reviewed plan.xlsx")


# ---------------------------------------------------------------- 4. --code-col


def test_cli_apply_code_col(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    header = ["Charge Code", "Description", "Billing Ident", "Status", "End Date"]
    lines = [["1001", "Office visit low", "99211", "A", ""],
             ["1002", "Office visit mid", "99212", "A", ""]]
    cdm = write_csv(tmp_path / "cdm.csv", lines, header)
    table, identity = make_plan([plan_row(1, "retire", 1, "99211", charge="1001")], cdm)
    from updater.plan import plan_file as plan_module
    class FakePlan:
        def __init__(self) -> None:
            self.table, self.identity = table, identity

    monkeypatch.setattr(plan_module, "read_plan_json", lambda p: FakePlan())
    plan_file = tmp_path / "plan.json"
    plan_file.write_text("{}")
    out = tmp_path / "p.csv"
    args = ["apply", str(plan_file), "--chargemaster", str(cdm), "--out", str(out)]
    runner = CliRunner()
    assert runner.invoke(app, args).exit_code == 2  # the code column is not found
    got = runner.invoke(app, [*args, "--code-col", "Billing Ident"])
    assert got.exit_code == 0, got.output
    assert read_rows(out, skip=1)[0] == ["1001", "Office visit low", "99211", "A",
                                         "2025-12-31"]


# ---------------------------------------------------------------- 5, 6


def test_one_file_sha256(tmp_path: Path) -> None:
    from updater.files.output import file_sha256

    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 3_000_001)  # more than one block
    assert file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_plan_of_another_kind_refused(tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.txt"
    plan_file.write_text("{}")
    got = CliRunner().invoke(app, ["apply", str(plan_file), "--chargemaster", "x.csv",
                                   "--out", "y.csv"])
    assert got.exit_code == 2
    assert got.output.strip() == (f"updater: error: {plan_file}: a plan is a .json or .xlsx "
                                  "file; give the plan.json or the reviewed plan.xlsx")
    missing = tmp_path / "nope.json"
    got = CliRunner().invoke(app, ["apply", str(missing), "--chargemaster", "x.csv",
                                   "--out", "y.csv"])
    assert got.output.strip() == f"updater: error: {missing}: no such plan file; check the path"



# ---------------------------------------------------------------- 7. the line moved


def test_forced_plan_finds_moved_lines_and_refuses_ambiguous(tmp_path: Path) -> None:
    header = ["Charge Code", "Description", "CPT", "HCPCS", "Status"]
    lines = [["1001", "Visit low", "99211", "", "A"], ["1002", "Visit mid", "", "99212", "A"],
             ["1005", "Visit high", "99215", "", "A"]]
    cdm = write_csv(tmp_path / "cdm.csv", lines, header)
    rows = [plan_row(1, "retire", 1, "99211", charge="1001"),
            plan_row(2, "replace", 2, "99212", "99213", charge="1002")]
    table, identity = make_plan(rows, cdm)
    # another chargemaster: a line added on top, so every line is one row lower
    other = write_csv(tmp_path / "other.csv", [["0999", "New", "99215", "", "A"], *lines],
                      header)
    out = tmp_path / "p.csv"
    result = apply_plan(table, identity, other, out, force=True, new_releases=RELEASES)
    assert result.forced and result.counts["applied"] == 2
    got = read_rows(out, skip=1)
    assert got[1][4] == "I" and got[2][3] == "99213" and got[3] == lines[2]
    # applied again to its own output (moved lines, code already in place): nothing to do
    again = apply_plan(table, identity, out, tmp_path / "q.csv", force=True,
                       new_releases=RELEASES)
    assert again.counts["applied"] == 0 and again.counts["already_applied"] == 2
    doubled = write_csv(tmp_path / "doubled.csv", [["0999", "New", "99215", "", "A"],
                                                   lines[0], lines[0]], header)
    with pytest.raises(UpdaterError) as caught:
        apply_plan(table.iloc[:1], identity, doubled, tmp_path / "r.csv", force=True,
                   new_releases=RELEASES)
    assert str(caught.value) == ("plan row 1: the line is not at row 1 and several lines "
                                 "have charge code '1001' and code 99211 (rows 2, 3); apply "
                                 "the plan to the chargemaster it was made from")
