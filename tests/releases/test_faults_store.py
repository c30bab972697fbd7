"""The release store under faults: concurrent imports take turns (the lock), a held lock
gets a clear message, a dead holder's lock is recovered, and an import killed (SIGKILL)
at any point leaves the store as it was or fully updated."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from faults_helpers import REPO, run_updater, snapshot
from typer.testing import CliRunner

from updater.cli import app
from updater.files.faults import ENV
from updater.files.locking import exclusive
from updater.releases.store import LOCK_FILE, ReleaseStore

SAMPLE_ICD = REPO / "releases" / "sample" / "icd10cm"
FY2025 = SAMPLE_ICD / "FY2025" / "icd10cm-Code-Descriptions-2025.zip"
FY2026 = SAMPLE_ICD / "FY2026" / "icd10cm-Code-Descriptions-2026.zip"

# one import, parsed first, then held at a barrier so that all of them reach the store
# at the same moment; "nolock" swaps the store's lock for nothing (to show the test fails)
IMPORTER = """
import contextlib, sys, time
from datetime import date
from pathlib import Path
import updater.releases.store as store_module
from updater.releases.readers import ReadOptions, load_release
from updater.vocabulary import CodeSystem

root, file, n, go, nolock = sys.argv[1:6]
year = 2000 + int(n)
release = load_release(Path(file), ReadOptions(system=CodeSystem.HCPCS, version=str(year),
                                               effective=date(year, 1, 1)))[0]
if nolock == "1":
    store_module.exclusive = lambda *a, **k: contextlib.nullcontext()
Path(go + ".ready" + n).touch()
while not Path(go).exists():
    time.sleep(0.005)
print(store_module.ReleaseStore(root).import_release(release).status)
"""


def code_table(folder: Path, n: int) -> Path:
    path = folder / f"codes-{n}.csv"
    path.write_text("Code,Description\n" + "".join(
        f"A{n:02d}{k:02d},Synthetic supply {n}-{k}\n" for k in range(1, 6)), encoding="utf-8")
    return path


def concurrent_imports(tmp_path: Path, count: int, *, nolock: bool,
                       pause: float) -> list[subprocess.CompletedProcess[str]]:
    """``count`` imports of different releases into one store, all let go at once, each
    pausing ``pause`` s between reading the manifest and writing it."""
    root, go = tmp_path / "store", tmp_path / "go"
    files = [code_table(tmp_path, n) for n in range(1, count + 1)]
    env = {**os.environ, ENV: f"pause:store.manifest_read:{pause}"}
    procs = [subprocess.Popen([sys.executable, "-c", IMPORTER, str(root), str(f), str(n),
                               str(go), "1" if nolock else "0"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n, f in enumerate(files, start=1)]
    deadline = time.monotonic() + 60
    while (len(list(tmp_path.glob("go.ready*"))) < count
           and time.monotonic() < deadline
           and all(p.poll() is None for p in procs)):
        time.sleep(0.01)
    go.touch()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        results.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
    return results


def test_ten_concurrent_imports_lose_nothing(tmp_path: Path) -> None:
    results = concurrent_imports(tmp_path, 10, nolock=False, pause=0.05)
    assert [(r.returncode, r.stdout.strip()) for r in results] == [(0, "added")] * 10, [
        r.stderr for r in results]
    store = ReleaseStore(tmp_path / "store")
    assert [r.id for r in store.list()] == [f"hcpcs:{2000 + n}" for n in range(1, 11)]
    for n in range(1, 11):  # every table whole and its own
        table = store.load(f"hcpcs:{2000 + n}").table
        assert table["code"].tolist() == [f"A{n:02d}{k:02d}" for k in range(1, 6)]
    manifest = json.loads((tmp_path / "store" / "manifest.json").read_text())
    assert len(manifest["releases"]) == 10


def test_without_the_lock_the_same_imports_lose_releases(tmp_path: Path) -> None:
    """The test above can fail: with the lock swapped for nothing, imports that meet
    overwrite each other's manifest."""
    results = concurrent_imports(tmp_path, 4, nolock=True, pause=0.3)
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    assert len(ReleaseStore(tmp_path / "store").list()) < 4


def test_a_held_lock_gets_a_clear_message(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("UPDATER_LOCK_WAIT", "0")
    root = tmp_path / "store"
    with exclusive(root / LOCK_FILE, "test"):
        result = CliRunner().invoke(app, ["import", str(FY2025), "--store", str(root)])
    assert result.exit_code == 2
    line = result.stderr.strip()
    host = os.uname().nodename
    assert line.startswith(f"updater: error: {root / LOCK_FILE}: the release store {root} is "
                           f"in use by another updater (pid {os.getpid()} on {host}, since ")
    assert line.endswith("; wait for it to finish and try again (waited 0 s; set "
                         "UPDATER_LOCK_WAIT=SECONDS to wait longer)")
    assert not (root / "manifest.json").exists()
    # let go, the same import goes through
    result = CliRunner().invoke(app, ["import", str(FY2025), "--store", str(root)])
    assert result.exit_code == 0, result.output


def test_a_bad_lock_wait_is_one_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("UPDATER_LOCK_WAIT", "soon")
    result = CliRunner().invoke(app, ["import", str(FY2025), "--store", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == ("updater: error: UPDATER_LOCK_WAIT='soon' is not a number of "
                             "seconds; set UPDATER_LOCK_WAIT to e.g. 300, or unset it\n")


def test_the_lock_of_a_killed_import_is_recovered(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "store"
    proc = subprocess.Popen([sys.executable, "-m", "updater", "import", str(FY2025),
                             "--store", str(root)],
                            env={**os.environ, ENV: "pause:store.locked:30"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lock = root / LOCK_FILE
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and b'"pid"' not in (
            lock.read_bytes() if lock.exists() else b""):
        time.sleep(0.02)
    assert json.loads(lock.read_text())["pid"] == proc.pid  # it holds the lock
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    monkeypatch.setenv("UPDATER_LOCK_WAIT", "0")  # no waiting: the lock must be free
    result = CliRunner().invoke(app, ["import", str(FY2025), "--store", str(root)])
    assert result.exit_code == 0, result.output
    assert [r.id for r in ReleaseStore(root).list()] == ["icd10cm:FY2025"]


def test_without_flock_a_lock_file_names_its_holder_and_a_dead_one_is_taken_over(
        tmp_path: Path, monkeypatch) -> None:
    """Where the file system has no flock: a lock file with pid and host, checked."""
    import errno

    import updater.files.locking as locking

    def no_flock(fd, op):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(locking.fcntl, "flock", no_flock)
    monkeypatch.setenv("UPDATER_LOCK_WAIT", "0")
    root = tmp_path / "store"
    root.mkdir()
    held = root / (LOCK_FILE + ".held")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    host = os.uname().nodename
    held.write_text(json.dumps({"pid": int(dead.stdout), "host": host,
                                "since": "2026-01-01T00:00:00+00:00", "command": "updater"}))
    result = CliRunner().invoke(app, ["import", str(FY2025), "--store", str(root)])
    assert result.exit_code == 0, result.output  # the dead holder's lock was stale
    assert not held.exists()
    held.write_text(json.dumps({"pid": os.getpid(), "host": host,
                                "since": "2026-01-01T00:00:00+00:00",
                                "command": "updater run"}))
    result = CliRunner().invoke(app, ["import", str(FY2026), "--store", str(root)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"updater: error: {held}: the release store {root} is in use by another updater "
        f"(pid {os.getpid()} on {host}, since 2026-01-01T00:00:00+00:00: updater run); "
        "wait for it to finish and try again (waited 0 s; set UPDATER_LOCK_WAIT=SECONDS to "
        "wait longer)\n")


def store_files(root: Path) -> set[str]:
    """The files the manifest names, with the manifest and the lock file."""
    data = json.loads((root / "manifest.json").read_text())
    named = {f for r in data["releases"] for f in (r["table_file"], r["changes_file"]) if f}
    return named | {"manifest.json", LOCK_FILE}


POINTS = ["store.locked", "store.manifest_read", "store.table_written",
          "store.changes_written", "store.manifest_written"]


@pytest.mark.parametrize("point", POINTS)
def test_an_import_killed_at_any_point_leaves_the_store_whole(tmp_path: Path,
                                                              point: str) -> None:
    root = tmp_path / "store"
    ReleaseStore(root).import_release(_load(FY2025))
    before = snapshot(root)
    del before[LOCK_FILE]  # holds the last holder's pid, for messages only
    killed = run_updater(["import", str(FY2026), "--store", str(root)], fault=f"kill:{point}")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    ids = [r.id for r in ReleaseStore(root).list()]
    if point == "store.manifest_written":  # fully updated
        assert ids == ["icd10cm:FY2025", "icd10cm:FY2026"]
    else:  # as it was: the manifest and every table it names unchanged
        assert ids == ["icd10cm:FY2025"]
        assert {k: v for k, v in snapshot(root).items() if k in before} == before
    assert ReleaseStore(root).load("icd10cm:FY2025").table.shape[0] > 0
    # the next commands work, and the next import clears what the killed one left
    listed = run_updater(["releases", "--store", str(root)])
    assert listed.returncode == 0 and "icd10cm:FY2025" in listed.stdout, listed.stderr
    again = CliRunner().invoke(app, ["import", str(FY2026), "--store", str(root)])
    assert again.exit_code == 0, again.output
    assert [r.id for r in ReleaseStore(root).list()] == ["icd10cm:FY2025", "icd10cm:FY2026"]
    assert set(snapshot(root)) == store_files(root)
    assert ReleaseStore(root).load("icd10cm:FY2026").publisher_changes is not None


def test_a_replacing_import_killed_after_the_manifest_leaves_no_orphans(
        tmp_path: Path) -> None:
    root = tmp_path / "store"
    first = code_table(tmp_path, 1)
    args = ["--system", "hcpcs", "--label", "2001", "--effective", "2001-01-01",
            "--store", str(root)]
    assert CliRunner().invoke(app, ["import", str(first), *args]).exit_code == 0
    second = tmp_path / "codes-1b.csv"
    second.write_text(first.read_text() + "A0199,Synthetic supply added\n", encoding="utf-8")
    killed = run_updater(["import", str(second), *args, "--replace"],
                         fault="kill:store.manifest_written")
    assert killed.returncode == -signal.SIGKILL
    assert len(ReleaseStore(root).load("hcpcs:2001").table) == 6  # fully updated
    assert len(list((root / "store" / "hcpcs").glob("*.parquet"))) == 2  # the old one left
    third = CliRunner().invoke(app, ["import", str(FY2025), "--store", str(root)])
    assert third.exit_code == 0, third.output
    assert set(snapshot(root)) == store_files(root)


def _load(path: Path):
    from updater.releases.readers import load_release

    return load_release(path)[0]
