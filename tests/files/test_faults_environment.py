"""Faults of the machine and of files people edit: a read-only output folder, a full disk,
a tampered saved scan, plan or change log, an absurd number, paths under /proc, a cell too
long for Excel. Each is one line and exit status 2, with no temporary file left."""

from __future__ import annotations

import builtins
import copy
import errno
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from updater.cli import app
from updater.cycle.sample import sample_chargemasters_dir
from updater.patch.journal import pending_runs

CDM = sample_chargemasters_dir() / "sample-cdm.csv"
WRITE_HINT = "check that the folder exists, is writable and has free space"


def invoke(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback: the test must fail on it
    return result.exit_code, result.stderr


def one_line(stderr: str) -> str:
    assert stderr.startswith("updater: error: ") and stderr.count("\n") == 1, stderr
    return stderr[len("updater: error: "):-1]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".tmp")
                  or p.name.startswith(".updater-pending-"))


@pytest.fixture
def inputs(demo_out: Path) -> dict[str, str]:
    return {"store": str(demo_out / "store"), "plan": str(demo_out / "2026-01-01" / "plan.json"),
            "from": "hcpcs:2025", "to": "hcpcs:2026"}


def writers(inputs: dict[str, str], folder: Path) -> dict[str, tuple[list[str], Path]]:
    """Each writer, and the file it is expected to fail on in ``folder``."""
    store = ["--store", inputs["store"]]
    scan = ["scan", "--chargemaster", str(CDM), "--from", inputs["from"], "--to",
            inputs["to"], *store]
    return {
        "scan --csv": ([*scan, "--csv", str(folder / "scan.csv")], folder / "scan.csv"),
        "scan --xlsx": ([*scan, "--xlsx", str(folder / "scan.xlsx")], folder / "scan.xlsx"),
        "diff --xlsx": (["diff", inputs["from"], inputs["to"], *store, "--xlsx",
                         str(folder / "diff.xlsx")], folder / "diff.xlsx"),
        "diff --csv": (["diff", inputs["from"], inputs["to"], *store, "--csv",
                        str(folder / "diff.csv")], folder / "diff.csv"),
        "plan": (["plan", "--chargemaster", str(CDM), "--from", inputs["from"], "--to",
                  inputs["to"], *store, "--out", str(folder)], folder / "plan.json"),
        "report": (["report", "release", inputs["from"], inputs["to"], *store, "--out",
                    str(folder / "release.html")], folder / "release.html"),
        "apply --out": (["apply", inputs["plan"], "--chargemaster", str(CDM), "--out",
                         str(folder / "cdm.csv"), *store], folder),
    }


# ------------------------------------------------------------------ read-only folder


@pytest.fixture
def read_only(tmp_path: Path, monkeypatch) -> Path:
    """A folder nobody may write into (as root, where chmod does not stop writes, the
    system calls refuse it the way a read-only share does)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):  # root
        real_mkstemp, real_mkdir = tempfile.mkstemp, Path.mkdir

        def mkstemp(*args: Any, **kwargs: Any) -> Any:
            if Path(str(kwargs.get("dir", ""))).resolve() == folder.resolve():
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
            return real_mkstemp(*args, **kwargs)

        def mkdir(self: Path, *args: Any, **kwargs: Any) -> None:
            if self.resolve().parent == folder.resolve() and not self.exists():
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
            return real_mkdir(self, *args, **kwargs)

        monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
        monkeypatch.setattr(Path, "mkdir", mkdir)
    yield folder
    folder.chmod(0o755)


WRITERS = ["scan --csv", "scan --xlsx", "diff --xlsx", "diff --csv", "plan", "report",
           "apply --out"]


@pytest.mark.parametrize("writer", WRITERS)
def test_a_read_only_output_folder_is_one_line(inputs, read_only: Path, writer: str) -> None:
    args, target = writers(inputs, read_only)[writer]
    code, stderr = invoke(args)
    assert code == 2
    line = one_line(stderr)
    if writer == "apply --out":  # the first file apply writes: its journal
        assert line.startswith(f"{read_only}/.updater-pending-")
        assert line.endswith(f".json: cannot write the file (Permission denied); {WRITE_HINT}")
    else:
        assert line == f"{target}: cannot write the file (Permission denied); {WRITE_HINT}"
    assert list(read_only.iterdir()) == []


def test_an_output_folder_that_cannot_be_made_is_one_line(inputs, read_only: Path) -> None:
    args, _ = writers(inputs, read_only / "plans")["plan"]
    code, stderr = invoke(args)
    assert (code, one_line(stderr)) == (2, f"{read_only / 'plans'}: cannot create the folder "
                                           "(Permission denied); choose a folder you can "
                                           "write to")


# ------------------------------------------------------------------ full disk


class _Full:
    """A file on a full disk: the first bytes go in, then ENOSPC."""

    def __init__(self, real: Any) -> None:
        self._real, self._taken = real, 0

    def write(self, data: Any) -> int:
        if self._taken + len(data) > 64:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._taken += len(data)
        return self._real.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def __enter__(self) -> _Full:
        return self

    def __exit__(self, *exc: object) -> None:
        self._real.close()


@pytest.fixture
def full_disk(tmp_path: Path, monkeypatch) -> Iterator[Path]:
    """A folder on a disk that fills up after 64 bytes of any file written in it."""
    folder = tmp_path / "full"
    folder.mkdir()
    real_open = builtins.open

    def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        inside = isinstance(file, str | os.PathLike) and Path(file).resolve().is_relative_to(
            folder.resolve())
        return _Full(handle) if inside and any(m in mode for m in "wax+") else handle

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)
    yield folder


# the zip a failed XLSX write leaves open tries to finish on the same full disk when it
# is collected; nothing reaches the user, and its temporary file is already gone
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("writer", WRITERS)
def test_a_full_disk_is_one_line_and_leaves_nothing(inputs, full_disk: Path,
                                                    writer: str) -> None:
    args, target = writers(inputs, full_disk)[writer]
    code, stderr = invoke(args)
    assert code == 2
    line = one_line(stderr)
    if writer == "apply --out":
        assert line.startswith(f"{full_disk}/.updater-pending-")
        assert line.endswith(".json: cannot write the file (No space left on device); "
                             f"{WRITE_HINT}")
    else:
        assert line == (f"{target}: cannot write the file (No space left on device); "
                        f"{WRITE_HINT}")
    assert list(full_disk.iterdir()) == []  # no temporary file, no half a file


def test_a_disk_full_after_the_patched_file_is_finished_by_the_next_apply(
        inputs, tmp_path: Path, monkeypatch) -> None:
    """The patched file was written, its change log was not: the journal stays, the line
    says so, and the next apply there finishes the record."""
    out = tmp_path / "out"
    out.mkdir()
    args = ["apply", inputs["plan"], "--chargemaster", str(CDM), "--out", str(out / "cdm.csv"),
            "--store", inputs["store"]]
    import updater.patch.journal as journal

    real = journal.atomic_path

    def failing(path: Any, **kwargs: Any) -> Any:
        if str(path).endswith(".changes.json"):
            raise journal.UpdaterError("cannot write the file (No space left on device)",
                                       file=path, hint=WRITE_HINT)
        return real(path, **kwargs)

    monkeypatch.setattr(journal, "atomic_path", failing)
    code, stderr = invoke(args)
    assert code == 2
    assert one_line(stderr) == (
        f"{out / 'cdm.changes.json'}: cannot write the file (No space left on device); "
        f"{out / 'cdm.csv'} written but not yet recorded; once that is fixed, run apply "
        f"again writing into {out}: it first finishes recording this run")
    assert len(pending_runs(out)) == 1
    monkeypatch.setattr(journal, "atomic_path", real)
    code, _ = invoke(args)
    assert code == 0 and not pending_runs(out)
    assert invoke(["audit", "verify", str(out)])[0] == 0


# ------------------------------------------------------------------ tampered files


def _paths(value: Any, deepest: int, prefix: tuple[Any, ...] = ()) -> Iterator[tuple]:
    """Where a value can be swapped: every key of the objects, the first item of lists,
    down to ``deepest`` levels."""
    if len(prefix) >= deepest:
        return
    items = (value.items() if isinstance(value, dict) else
             enumerate(value[:1]) if isinstance(value, list) else ())
    for key, inner in items:
        yield (*prefix, key)
        yield from _paths(inner, deepest, (*prefix, key))


def _swapped(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(data)
    if not path:
        return value
    inner = out
    for key in path[:-1]:
        inner = inner[key]
    inner[path[-1]] = value
    return out


SWAPS = [[], "x", 10**30, None]  # a list for an object, text for a number, absurd, null


def tampered(data: Any, deepest: int, skip: Callable[[tuple[Any, ...]], bool] | None = None,
             ) -> Iterator[tuple[tuple[Any, ...], Any, Any]]:
    yield (), [1, 2], [1, 2]  # a JSON list where an object was expected
    for path in _paths(data, deepest):
        if skip is None or not skip(path):
            for value in SWAPS:
                yield path, value, _swapped(data, path, value)


def no_traceback(args: list[str], target: Path, data: Any, deepest: int = 4,
                 skip: Callable[[tuple[Any, ...]], bool] | None = None) -> list[str]:
    """Every tampered version of ``data`` written to ``target``: run ``args``, expect
    exit 0 (harmless) or 2 with one line; a traceback or several lines is a failure."""
    failures = []
    for path, value, variant in tampered(data, deepest, skip):
        target.write_text(json.dumps(variant))
        result = CliRunner().invoke(app, args)
        crashed = result.exception is not None and not isinstance(result.exception,
                                                                   SystemExit)
        if crashed or result.exit_code not in (0, 2) or (
                result.exit_code == 2 and (not result.stderr.startswith("updater: error: ")
                                           or result.stderr.count("\n") != 1)):
            failures.append(f"{path} = {value!r}: {result.exception!r} {result.stderr!r}")
    return failures


def test_a_tampered_change_log_is_one_line(inputs, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    code, _ = invoke(["apply", inputs["plan"], "--chargemaster", str(CDM), "--out",
                      str(out / "cdm.csv"), "--store", inputs["store"]])
    assert code == 0
    log = json.loads((out / "cdm.changes.json").read_text())
    log["changes"] = log["changes"][:2]
    target = tmp_path / "t.changes.json"
    assert no_traceback(["revert", str(target), "--chargemaster", str(out / "cdm.csv"),
                         "--out", str(tmp_path / "back.csv"), "--force"], target, log) == []
    # the two the issue names, word for word
    for layout, why in (("x", "its layout is str, not an object"),
                        ({**log["layout"], "header_index": "x"},
                         "its layout's 'header_index' is 'x', not a row number")):
        target.write_text(json.dumps({**log, "layout": layout}))
        code, stderr = invoke(["revert", str(target), "--chargemaster", str(out / "cdm.csv"),
                               "--out", str(tmp_path / "back.csv"), "--force"])
        assert (code, one_line(stderr)) == (2, f"{target}: a damaged change log: {why}; "
                                               "revert with the change log apply wrote, as "
                                               "it wrote it")


def test_a_tampered_saved_scan_is_one_line(demo_out: Path, tmp_path: Path) -> None:
    scan = json.loads((demo_out / "2026-01-01" / "scan.json").read_text())
    scan["findings"] = scan["findings"][:1]
    scan["summary"] = {k: v for k, v in scan["summary"].items() if not isinstance(v, dict)}
    target = tmp_path / "t.scan.json"
    # a finding's text fields are read as text whatever they hold: its numbers and lists
    # are what can break
    text_field = lambda p: (p[0] == "findings" and len(p) == 3  # noqa: E731
                            and p[2] not in ("row", "charges_at_risk", "candidates",
                                             "automatic"))
    assert no_traceback(["plan", "--scan", str(target), "--out", str(tmp_path / "p")],
                        target, scan, deepest=3, skip=text_field) == []


def test_a_tampered_plan_json_is_one_line(inputs, demo_out: Path, tmp_path: Path) -> None:
    plan = json.loads((demo_out / "2026-01-01" / "plan.json").read_text())
    plan["rows"] = plan["rows"][:2]
    target = tmp_path / "t.plan.json"
    assert no_traceback(["apply", str(target), "--chargemaster", str(CDM), "--out",
                         str(tmp_path / "o.csv"), "--store", inputs["store"], "--dry-run"],
                        target, plan, deepest=3) == []


# ------------------------------------------------------------------ numbers and /proc


@pytest.mark.parametrize(("args", "line"), [
    (["check", "--horizon", "9" * 30],
     f"a horizon of {'9' * 30} days is more than 3653 days (ten years) ahead; give the days "
     "to look ahead, e.g. --horizon 120"),
    (["check", "--as-of", "9999-12-01"],
     "9999-12-01 plus 120 days is past the year 9999; check --as-of and --horizon"),
])
def test_an_absurd_number_is_one_line(tmp_path: Path, monkeypatch, args, line) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke(args) == (2, f"updater: error: {line}\n")


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux's /proc")
@pytest.mark.parametrize("args", [
    ["scan", "--chargemaster", "/proc/self/mem", "--from", "hcpcs:2025", "--to", "hcpcs:2026"],
    ["import", "/proc/self/mem"],
    ["diff", "hcpcs:2025", "/proc/self/mem"],
    ["apply", "PLAN", "--chargemaster", "/proc/self/mem", "--out", "OUT"],
    ["revert", "/proc/self/mem", "--chargemaster", "/proc/self/mem", "--out", "OUT"],
    ["audit", "verify", "/proc/self/mem"],
])
def test_a_path_under_proc_is_one_line(inputs, tmp_path: Path, args: list[str]) -> None:
    args = [inputs["plan"] if a == "PLAN" else str(tmp_path / "o.csv") if a == "OUT" else a
            for a in args]
    store = [] if args[0] in ("revert", "audit") else ["--store", inputs["store"]]
    code, stderr = invoke([*args, *store])
    assert (code, one_line(stderr)) == (2, "/proc/self/mem: cannot read the file "
                                           "(Input/output error); check the path, and that "
                                           "it is a file you may read")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
@pytest.mark.parametrize("writer", WRITERS)
def test_an_output_under_proc_is_one_line(inputs, writer: str) -> None:
    args, _ = writers(inputs, Path("/proc"))[writer]
    code, stderr = invoke(args)
    assert code == 2
    line = one_line(stderr)
    assert line.startswith("/proc/") and ": cannot write the file (" in line, line


# ------------------------------------------------------------------ Excel's cell limit


def test_a_cell_too_long_for_excel_is_named_by_row(tmp_path: Path) -> None:
    long = "Synthetic " + "x" * 40_000
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text("Code,Description\nA0001,Synthetic one\nA0002,Synthetic two\n")
    new.write_text(f"Code,Description\nA0001,Synthetic one\nA0002,{long}\n")
    common = ["--system", "hcpcs", "--store", str(tmp_path / "s")]
    for path, label in ((old, "2030"), (new, "2031")):
        assert invoke(["import", str(path), "--label", label, "--effective",
                       f"{label}-01-01", *common])[0] == 0
    target = tmp_path / "diff.xlsx"
    code, stderr = invoke(["diff", "hcpcs:2030", "hcpcs:2031", "--store", str(tmp_path / "s"),
                           "--xlsx", str(target)])
    assert code == 2
    line = one_line(stderr)
    assert line.startswith(f"{target}: sheet 'changes', row 2, column ")
    assert line.endswith(f": a cell of {len(long):,} characters, more than the 32,767 an "
                         "Excel cell holds; write this table as .csv instead, or shorten the "
                         "text in the input")
    assert not target.exists() and leftovers(tmp_path) == []
    assert invoke(["diff", "hcpcs:2030", "hcpcs:2031", "--store", str(tmp_path / "s"),
                   "--csv", str(tmp_path / "diff.csv")])[0] == 0  # CSV has no such limit


def test_a_description_too_long_for_the_workbook_is_named_by_row(demo_out: Path,
                                                                 tmp_path: Path) -> None:
    plan = json.loads((demo_out / "2026-01-01" / "plan.json").read_text())
    source_row = next(r["source_row"] for r in plan["rows"] if r["section"] == "chargemaster")
    lines = CDM.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines[0].split(",").index("Description")
    cells = lines[source_row].split(",")  # the sample's header is its first line
    cells[at] = "SYNTH " + "X" * 33_000
    lines[source_row] = ",".join(cells)
    cdm = tmp_path / "cdm.csv"
    cdm.write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "plan"
    code, stderr = invoke(["plan", "--chargemaster", str(cdm), "--from", "hcpcs:2025",
                           "--from", "cpt:2025", "--to", "hcpcs:2026", "--to", "cpt:2026",
                           "--store", str(demo_out / "store"), "--out", str(out)])
    assert code == 2
    line = one_line(stderr)
    assert line.startswith(f"{out / 'plan.xlsx'}: sheet 'Plan', row ")
    assert line.endswith(", column 'description': a cell of 33,006 characters, more than "
                         "the 32,767 an Excel cell holds; write this table as .csv instead, "
                         "or shorten the text in the input")
    assert not (out / "plan.xlsx").exists() and leftovers(out) == []
