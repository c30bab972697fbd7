"""Apply and revert as one step that a crash cannot leave half done.

A run writes, in this order: a journal (``.updater-pending-<run>.json`` in the audit
log's folder) naming every file it will write with its sha256, and holding the change
logs' text and the audit entry; then each output (atomically); then its change logs (each
atomically); then the audit entry; then it removes the journal. Killed anywhere, the
input is untouched and each output is either absent (or the previous one) or complete.
The next apply or revert writing into that folder finds the journal and finishes the run
(:func:`recover`): an output that was renamed into place gets its change logs and the
audit entry; one that was not is forgotten, with its temporary files. ``updater audit
verify`` reports a journal still waiting.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from updater.errors import UpdaterError
from updater.files.faults import checkpoint
from updater.files.output import atomic_path, file_sha256
from updater.patch import audit

FORMAT = "updater-pending-run"
_PREFIX = ".updater-pending-"


@dataclass
class Part:
    """One output of a run: the file, its bytes, its change logs (path -> text) and its
    piece of the audit entry (merged at the top, else under ``kind``)."""

    kind: str
    output: Path
    data: bytes
    logs: dict[Path, str] = field(default_factory=dict)
    entry: dict[str, Any] = field(default_factory=dict)
    at_top: bool = True


@dataclass
class Pending:
    """A journal found on disk."""

    path: Path
    run_id: str
    command: str
    data: dict[str, Any]


def new_run_id() -> str:
    return uuid.uuid4().hex


def record_of(base: dict[str, Any], parts: Sequence[dict[str, Any]],
              defaults: dict[str, Any]) -> dict[str, Any]:
    """The audit entry: ``base``, each written part's entry (at the top or under its
    kind), then ``defaults`` for what no part gave."""
    record = dict(base)
    for part in parts:
        if part["at_top"]:
            record.update(part["entry"])
        else:
            record[part["kind"]] = part["entry"]
    for key, value in defaults.items():
        record.setdefault(key, value)
    return record


def commit(folder: Path, run_id: str, command: str, base: dict[str, Any],
           parts: Sequence[Part], defaults: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write every part and the audit entry as one run (see the module docstring);
    returns the audit entry."""
    defaults = defaults or {}
    described = [{"kind": p.kind, "output": str(p.output),
                  "output_sha256": hashlib.sha256(p.data).hexdigest(), "entry": p.entry,
                  "at_top": p.at_top,
                  "logs": [{"path": str(k), "text": v} for k, v in p.logs.items()]}
                 for p in parts]
    journal = folder / f"{_PREFIX}{run_id}.json"
    with atomic_path(journal, durable=True) as tmp:
        tmp.write_text(json.dumps({"format": FORMAT, "run_id": run_id, "command": command,
                                   "folder": str(folder), "base": base,
                                   "defaults": defaults, "parts": described},
                                  ensure_ascii=False, default=str), encoding="utf-8")
    checkpoint(f"{command}.journal_written")
    written: list[Path] = []
    try:
        for part in parts:
            with atomic_path(part.output, durable=True) as tmp:
                tmp.write_bytes(part.data)
            written.append(part.output)
            checkpoint(f"{command}.{part.kind}_written")
            for path, text in part.logs.items():
                with atomic_path(path, durable=True) as tmp:
                    tmp.write_text(text, encoding="utf-8")
                checkpoint(f"{command}.{path.name.rsplit('.', 1)[-1]}_log_written")
        entry = audit.append(folder, {**record_of(base, described, defaults),
                                      "run_id": run_id})
    except UpdaterError as exc:
        if not written:  # nothing done: nothing to finish later
            journal.unlink(missing_ok=True)
            raise
        done = ", ".join(str(p) for p in written)
        raise UpdaterError(f"{exc.message}; {done} written but not yet recorded",
                           file=exc.file, line=exc.line, row=exc.row,
                           hint=f"once that is fixed, run {command} again writing into "
                                f"{folder}: it first finishes recording this run") from exc
    checkpoint(f"{command}.audit_written")
    journal.unlink(missing_ok=True)
    return entry


def pending_runs(folder: Path) -> list[Pending]:
    """The journals of runs that did not finish in ``folder``."""
    found = []
    for path in sorted(folder.glob(f"{_PREFIX}*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            data = {"run_id": path.stem[len(_PREFIX):], "command": "apply", "parts": None}
        found.append(Pending(path, str(data.get("run_id", "")), str(data.get("command")),
                             data))
    return found


def _written(part: dict[str, Any]) -> bool:
    path = Path(str(part.get("output", "")))
    return path.is_file() and file_sha256(path) == part.get("output_sha256")


def _remove_temporaries(paths: Sequence[Path]) -> None:
    for path in paths:
        for tmp in path.parent.glob(f".{path.name}.*.tmp"):
            tmp.unlink(missing_ok=True)


def recover(folder: Path) -> list[str]:
    """Finish the runs killed in ``folder``; returns one line per run finished."""
    done = []
    for pending in pending_runs(folder):
        parts = pending.data.get("parts")
        if not isinstance(parts, list) or not all(isinstance(p, dict) for p in parts):
            raise UpdaterError("an interrupted run left a journal updater cannot read",
                               file=pending.path,
                               hint="check the outputs and the audit log by hand, then "
                                    "remove the journal")
        written = [p for p in parts if _written(p)]
        for part in written:  # its change logs, as the run would have written them
            for log in part.get("logs") or []:
                path = Path(str(log["path"]))
                text = str(log["text"])
                if not path.is_file() or path.read_text(encoding="utf-8") != text:
                    with atomic_path(path, durable=True) as tmp:
                        tmp.write_text(text, encoding="utf-8")
        _remove_temporaries([Path(str(p.get("output", ""))) for p in parts]
                            + [Path(str(log["path"])) for p in parts
                               for log in p.get("logs") or []]
                            + [pending.path])
        if written and pending.run_id not in audit.run_ids(folder / audit.AUDIT_LOG):
            missed = [str(p["output"]) for p in parts if p not in written]
            record = record_of(dict(pending.data.get("base") or {}), written,
                               dict(pending.data.get("defaults") or {}))
            record.update({"run_id": pending.run_id, "recovered": True})
            if missed:
                record["not_written"] = missed
            audit.append(folder, record)
        pending.path.unlink(missing_ok=True)
        outputs = ", ".join(str(p["output"]) for p in written) or "nothing"
        done.append(f"completed an interrupted {pending.command} (run {pending.run_id}): "
                    + (f"{outputs} recorded" if written else
                       f"{outputs} had been written; nothing to record"))
    return done
