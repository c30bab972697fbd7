"""Apply and revert killed (SIGKILL) at every step, and the hash-chained audit log.

Killed anywhere, the input is untouched and each output is absent or complete; the next
apply or revert in that folder finishes the run, after which the change logs and the
audit log agree with the outputs and ``updater audit verify`` finds the chain intact.
"""

from __future__ import annotations

import csv
import hashlib
import json
import signal
from pathlib import Path

import pytest
from faults_helpers import run_updater
from typer.testing import CliRunner

from updater.cli import app
from updater.cycle.sample import sample_chargemasters_dir
from updater.patch import audit
from updater.patch.audit import AUDIT_LOG
from updater.patch.journal import pending_runs
from updater.patch.logs import changelog_paths

CDM = sample_chargemasters_dir() / "sample-cdm.csv"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_out: Path) -> dict[str, Path]:
    """The demo's store and January plan, a crosswalk with an End Date column, and the
    outputs of an apply that was not interrupted (the reference)."""
    root = tmp_path_factory.mktemp("apply-faults")
    crosswalk = root / "crosswalk-dated.csv"
    rows = list(csv.reader((sample_chargemasters_dir() / "sample-crosswalk.csv").open()))
    with crosswalk.open("w", newline="") as fh:
        csv.writer(fh).writerows([[*rows[0], "End Date"], *([*r, ""] for r in rows[1:])])
    paths = {"plan": demo_out / "2026-01-01" / "plan.json", "store": demo_out / "store",
             "crosswalk": crosswalk}
    ref = root / "ref"
    ref.mkdir()
    result = CliRunner().invoke(app, apply_args(paths, ref))
    assert result.exit_code == 0, result.output
    return {**paths, "ref": ref}


def apply_args(demo: dict[str, Path], out: Path) -> list[str]:
    return ["apply", str(demo["plan"]), "--chargemaster", str(CDM), "--out",
            str(out / "cdm.csv"), "--crosswalk", str(demo["crosswalk"]), "--crosswalk-out",
            str(out / "cw.csv"), "--force", "--store", str(demo["store"])]


def entries(folder: Path) -> list[dict]:
    log = folder / AUDIT_LOG
    return [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []


APPLY_POINTS = ["apply.journal_written", "apply.chargemaster_written",
                "apply.json_log_written", "apply.csv_log_written", "apply.crosswalk_written",
                "apply.audit_written"]


@pytest.mark.parametrize("point", APPLY_POINTS)
def test_an_apply_killed_at_any_point_is_whole_once_finished(demo, tmp_path: Path,
                                                            point: str) -> None:
    inputs = {p: sha(p) for p in (CDM, demo["crosswalk"])}
    expected = {name: sha(demo["ref"] / name) for name in ("cdm.csv", "cw.csv")}
    out = tmp_path / "out"
    out.mkdir()
    killed = run_updater(apply_args(demo, out), fault=f"kill:{point}")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert {p: sha(p) for p in inputs} == inputs  # the inputs untouched
    for name, digest in expected.items():  # each output absent or complete
        assert not (out / name).exists() or sha(out / name) == digest
    assert not list(out.glob(".*.tmp"))
    pending = pending_runs(out)
    assert len(pending) == 1  # the run is known to be unfinished
    check = CliRunner().invoke(app, ["audit", "verify", str(out)])
    assert check.exit_code == 1
    assert (f"an apply (run {pending[0].run_id}) was interrupted and is not recorded yet; "
            "the next apply or revert writing into this folder completes it") in check.output

    again = CliRunner().invoke(app, apply_args(demo, out))  # the next apply finishes it
    assert again.exit_code == 0, again.output
    assert again.output.startswith(
        f"updater apply: completed an interrupted apply (run {pending[0].run_id}): ")
    assert not pending_runs(out)
    for name, digest in expected.items():
        assert sha(out / name) == digest
        meta = json.loads(changelog_paths(out / name)[1].read_text())
        assert meta["output_sha256"] == digest  # the change log agrees with the output
    log = entries(out)
    killed_run = [e for e in log if e["run_id"] == pending[0].run_id]
    if point in ("apply.journal_written",):  # nothing had been written: nothing recorded
        assert killed_run == []
    else:  # the outputs it wrote are recorded, once
        assert len(killed_run) == 1
        assert killed_run[0]["output_sha256"] == expected["cdm.csv"]
        crosswalk_done = point in ("apply.crosswalk_written", "apply.audit_written")
        assert ("crosswalk" in killed_run[0]) is crosswalk_done
        assert ("not_written" in killed_run[0]) is not crosswalk_done
    assert log[-1]["output_sha256"] == expected["cdm.csv"]
    assert log[-1]["crosswalk"]["output_sha256"] == expected["cw.csv"]
    verified = CliRunner().invoke(app, ["audit", "verify", str(out / AUDIT_LOG)])
    assert verified.exit_code == 0, verified.output
    assert verified.output == f"{out / AUDIT_LOG}: {len(log)} entries, hash chain intact\n"


REVERT_POINTS = ["revert.journal_written", "revert.output_written", "revert.audit_written"]


@pytest.mark.parametrize("point", REVERT_POINTS)
def test_a_revert_killed_at_any_point_is_whole_once_finished(demo, tmp_path: Path,
                                                             point: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert CliRunner().invoke(app, apply_args(demo, out)).exit_code == 0
    patched = {p: sha(p) for p in (out / "cdm.csv", out / "cdm.changes.json")}
    args = ["revert", str(out / "cdm.changes.json"), "--chargemaster", str(out / "cdm.csv"),
            "--out", str(out / "restored.csv")]
    killed = run_updater(args, fault=f"kill:{point}")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert {p: sha(p) for p in patched} == patched
    restored = out / "restored.csv"
    assert not restored.exists() or sha(restored) == sha(CDM)
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert again.output.startswith("updater revert: completed an interrupted revert (run ")
    assert sha(restored) == sha(CDM)
    reverts = [e for e in entries(out) if e["command"] == "revert"]
    assert len(reverts) == (1 if point == "revert.journal_written" else 2)
    assert CliRunner().invoke(app, ["audit", "verify", str(out)]).exit_code == 0


# ------------------------------------------------------------------ the chain


@pytest.fixture
def log(tmp_path: Path) -> Path:
    for n in range(1, 5):
        audit.append(tmp_path, {"command": "apply", "user": f"user{n}", "plan_id": "p",
                                "reviewer": f"R{n}", "counts": {"applied": n}})
    return tmp_path / AUDIT_LOG


def verify(log: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["audit", "verify", str(log)])
    return result.exit_code, result.output


def lines(log: Path) -> list[str]:
    return log.read_text().splitlines()


def rewrite(log: Path, rows: list[str]) -> None:
    log.write_text("".join(r + "\n" for r in rows))


def test_an_intact_chain_verifies(log: Path) -> None:
    assert verify(log) == (0, f"{log}: 4 entries, hash chain intact\n")
    first, second = (json.loads(x) for x in lines(log)[:2])
    assert first["seq"] == 1 and first["prev_sha256"] == "0" * 64
    assert second["prev_sha256"] == hashlib.sha256(lines(log)[0].encode()).hexdigest()
    assert second["reviewer"] == "R2"  # whatever fields an entry has are chained


def test_an_edited_entry_is_named(log: Path) -> None:
    rows = lines(log)
    time = json.loads(rows[1])["time"]
    rows[1] = rows[1].replace('"reviewer": "R2"', '"reviewer": "R9"')
    rewrite(log, rows)
    assert verify(log) == (1, f"{log}: entry 2 (line 2, apply at {time}) was edited: its "
                              "content does not match its sha256\n")


def test_an_edit_with_a_recomputed_checksum_breaks_the_next_link(log: Path) -> None:
    rows = lines(log)
    entry = json.loads(rows[1])
    entry["user"] = "mallory"
    entry["sha256"] = audit.entry_sha256(entry)
    rows[1] = json.dumps(entry)
    rewrite(log, rows)
    time = json.loads(rows[2])["time"]
    assert verify(log) == (1, f"{log}: entry 3 (line 3, apply at {time}): prev_sha256 does "
                              "not match the line before it: that entry was edited or "
                              "removed\n")


@pytest.mark.parametrize("gone", [0, 1, 2])
def test_a_removed_entry_is_named(log: Path, gone: int) -> None:
    rows = lines(log)
    del rows[gone]
    rewrite(log, rows)
    time = json.loads(rows[gone])["time"]
    assert verify(log) == (1, f"{log}: entry {gone + 1} (line {gone + 1}, apply at {time}): "
                              f"seq {gone + 2} where {gone + 1} was due: 1 entry before it "
                              "removed\n")


def test_reordered_entries_are_named(log: Path) -> None:
    rows = lines(log)
    rows[1], rows[2] = rows[2], rows[1]
    rewrite(log, rows)
    code, output = verify(log)
    assert code == 1
    assert output.splitlines()[0].startswith(f"{log}: entry 2 (line 2, apply at ")
    assert "seq 3 where 2 was due: 1 entry before it removed" in output


def test_a_removed_last_apply_is_found_by_its_change_log(demo, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert CliRunner().invoke(app, apply_args(demo, out)).exit_code == 0
    assert verify(out / AUDIT_LOG)[0] == 0
    run = json.loads((out / "cdm.changes.json").read_text())["run_id"]
    rewrite(out / AUDIT_LOG, lines(out / AUDIT_LOG)[:-1])  # the last (and only) entry
    code, output = verify(out / AUDIT_LOG)
    assert code == 1
    assert output == (f"{out / AUDIT_LOG}: the apply that wrote cdm.changes.json (run {run}) "
                      "has no entry: its entry was removed\n"
                      f"{out / AUDIT_LOG}: the apply that wrote cw.changes.json (run {run}) "
                      "has no entry: its entry was removed\n")


def test_a_line_that_is_no_json_is_named(log: Path) -> None:
    rows = lines(log)
    rows[3] = rows[3][:40]
    rewrite(log, rows)
    assert verify(log) == (1, f"{log}: entry 4 (line 4) is not a JSON object: edited or cut "
                              "short\n")


def test_entries_older_than_the_chain_are_counted_and_the_chain_follows(
        tmp_path: Path) -> None:
    log = tmp_path / AUDIT_LOG
    log.write_text('{"time": "2025-01-01T00:00:00+00:00", "command": "apply"}\n'
                   '{"time": "2025-02-01T00:00:00+00:00", "command": "revert"}\n')
    entry = audit.append(tmp_path, {"command": "apply"})
    assert entry["seq"] == 3
    assert entry["prev_sha256"] == hashlib.sha256(lines(log)[1].encode()).hexdigest()
    assert verify(log) == (0, f"{log}: 3 entries, hash chain intact (2 older entries without "
                              "a checksum, written before the chain)\n")
    rows = lines(log)
    rows[1] = rows[1].replace("revert", "apply")  # the last unchained line is still guarded
    rewrite(log, rows)
    assert verify(log)[0] == 1


def test_no_audit_log_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["audit", "verify", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 2
    assert result.stderr == (f"updater: error: {tmp_path / 'none.jsonl'}: no such audit log; "
                             f"name the {AUDIT_LOG} beside the files apply wrote\n")


def test_the_audit_log_is_only_appended_to(demo, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert CliRunner().invoke(app, apply_args(demo, out)).exit_code == 0
    first = (out / AUDIT_LOG).read_bytes()
    assert CliRunner().invoke(app, apply_args(demo, out)).exit_code == 0
    assert (out / AUDIT_LOG).read_bytes().startswith(first)
    assert [e["seq"] for e in entries(out)] == [1, 2]
