"""The audit log (``updater-audit.jsonl``): one JSON line per apply or revert, appended,
never rewritten, each line chained to the one before it.

Every entry carries ``seq`` (1, 2, ... in the log), ``prev_sha256`` (the sha256 of the
previous line as written; 64 zeros for the first) and ``sha256`` (of the entry itself,
its keys sorted, without ``sha256``), whatever other fields it has. ``verify_log`` finds
an edited entry (its own checksum), a removed one (the next entry's ``seq`` and
``prev_sha256``), a line that is no JSON, and an apply whose change log beside the log
has no entry in it. Entries written before the chain existed are reported as unchained,
not as errors. Appends take a lock, so two applies into one folder keep one chain.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from updater.errors import UpdaterError, reads_file
from updater.files.locking import exclusive

AUDIT_LOG = "updater-audit.jsonl"
LOCK = ".updater-audit.lock"
GENESIS = "0" * 64
CHAIN_FIELDS = ("seq", "prev_sha256", "sha256")


def _json(value: Any) -> Any:
    """Plain JSON values (dates, paths and numpy numbers as text or numbers)."""
    return json.loads(json.dumps(value, default=str))


def entry_sha256(entry: dict[str, Any]) -> str:
    """The entry's own checksum: its fields but ``sha256``, keys sorted, compact."""
    body = {k: v for k, v in entry.items() if k != "sha256"}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _line_sha256(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\r\n")).hexdigest()


def _lines(log: Path, raw: bytes | None = None) -> list[bytes]:
    if raw is None:
        raw = log.read_bytes() if log.exists() else b""
    return [line for line in raw.splitlines() if line.strip()]


def append(folder: str | Path, record: dict[str, Any]) -> dict[str, Any]:
    """Append ``record`` (with the time first) to the folder's audit log, chained to the
    last entry; returns the entry as written."""
    folder = Path(folder)
    log = folder / AUDIT_LOG
    with exclusive(folder / LOCK, f"the audit log {log}"):
        raw = log.read_bytes() if log.exists() else b""
        lines = _lines(log, raw)
        entry: dict[str, Any] = _json({"time": datetime.now(UTC).isoformat(timespec="seconds"),
                                       **record})
        for key in CHAIN_FIELDS:
            entry.pop(key, None)
        entry["seq"] = _last_seq(lines) + 1
        entry["prev_sha256"] = _line_sha256(lines[-1]) if lines else GENESIS
        entry["sha256"] = entry_sha256(entry)
        data = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            if raw and not raw.endswith(b"\n"):
                data = b"\n" + data  # a line cut short stays visible, on its own line
            with log.open("ab") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise UpdaterError(f"cannot append to the audit log ({exc.strerror or exc})",
                               file=log, hint="check that the folder is writable and has "
                                              "free space") from None
    return entry


def _last_seq(lines: list[bytes]) -> int:
    """The seq of the last entry; for a log older than the chain, its number of lines."""
    if not lines:
        return 0
    try:
        last = json.loads(lines[-1])
        if isinstance(last, dict) and isinstance(last.get("seq"), int):
            return int(last["seq"])
    except ValueError:
        pass
    return len(lines)


def run_ids(log: Path) -> set[str]:
    """The ``run_id`` of every entry that has one (to tell what a log already records)."""
    found = set()
    for line in _lines(log):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("run_id"):
            found.add(str(entry["run_id"]))
    return found


@dataclass
class Verification:
    log: Path
    entries: int = 0
    unchained: int = 0  # entries from before the chain (not verifiable)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        if self.ok:
            older = (f" ({self.unchained} older entries without a checksum, written before "
                     "the chain)" if self.unchained else "")
            return [f"{self.log}: {self.entries} entries, hash chain intact{older}"]
        return [f"{self.log}: {p}" for p in self.problems]


@reads_file
def verify_log(log: str | Path) -> Verification:
    """Check the chain of ``log`` (and that the change logs beside it are recorded)."""
    log = Path(log)
    if log.is_dir():
        log = log / AUDIT_LOG
    result = Verification(log)
    if not log.is_file():
        if log.parent.is_dir() and (problems := _unrecorded_changelogs(log)):
            result.problems = problems  # a first apply killed before its entry
            return result
        raise UpdaterError("no such audit log", file=log,
                           hint=f"name the {AUDIT_LOG} beside the files apply wrote")
    prev_line: bytes | None = None
    prev_seq = 0
    chained = prev_edited = False
    for n, line in enumerate(_lines(log), start=1):
        result.entries += 1
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if not isinstance(entry, dict):
            result.problems.append(f"entry {n} (line {n}) is not a JSON object: edited or "
                                   "cut short")
            prev_line, prev_seq, prev_edited = line, prev_seq + 1, True
            continue
        if "sha256" not in entry:
            if chained:
                result.problems.append(f"entry {n} (line {n}) has no checksum: added or "
                                       "edited by hand")
            else:
                result.unchained += 1
            prev_line, prev_seq, prev_edited = line, prev_seq + 1, chained
            continue
        chained = True
        what = f"entry {n} (line {n}, {entry.get('command', '?')} at {entry.get('time', '?')})"
        edited = entry_sha256(entry) != entry.get("sha256")
        if edited:
            result.problems.append(f"{what} was edited: its content does not match its sha256")
        seq = entry.get("seq")
        expected_prev = _line_sha256(prev_line) if prev_line is not None else GENESIS
        if not isinstance(seq, int) or seq != prev_seq + 1:
            result.problems.append(
                f"{what}: seq {seq!r} where {prev_seq + 1} was due: "
                + (f"{seq - prev_seq - 1} entr{'y' if seq - prev_seq == 2 else 'ies'} "
                   "before it removed" if isinstance(seq, int) and seq > prev_seq + 1
                   else "entries reordered, duplicated or edited"))
        elif entry.get("prev_sha256") != expected_prev and not prev_edited:
            result.problems.append(f"{what}: prev_sha256 does not match the line before it: "
                                   "that entry was edited or removed")
        prev_line, prev_seq = line, seq if isinstance(seq, int) else prev_seq + 1
        prev_edited = edited  # the next link then breaks too: named once, here
    result.problems += _unrecorded_changelogs(log)
    return result


def _unrecorded_changelogs(log: Path) -> list[str]:
    """Change logs beside the log whose apply (run_id) has no entry in it, and runs an
    apply or revert did not finish (see ``updater.patch.journal``)."""
    from updater.patch.journal import pending_runs

    recorded = run_ids(log)
    problems = []
    for changelog in sorted(log.parent.glob("*.changes.json")):
        try:
            meta = json.loads(changelog.read_text(encoding="utf-8"))
        except (ValueError, OSError, UnicodeDecodeError):
            continue
        run = meta.get("run_id") if isinstance(meta, dict) else None
        if run and str(run) not in recorded:
            problems.append(f"the apply that wrote {changelog.name} (run {run}) has no entry: "
                            "its entry was removed")
    for pending in pending_runs(log.parent):
        problems.append(f"an {pending.command} (run {pending.run_id}) was interrupted and is "
                        "not recorded yet; the next apply or revert writing into this "
                        "folder completes it")
    return problems
