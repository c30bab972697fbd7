"""The audit log (``updater-audit.jsonl``): one JSON line per apply or revert, appended,
never rewritten, each line chained to the one before it.

Every entry carries ``seq`` (1, 2, ... in the log), ``prev_sha256`` (the sha256 of the
previous line as written; 64 zeros for the first) and ``sha256`` (of the entry itself,
its keys sorted, without ``sha256``), whatever other fields it has. Appends take a lock,
so two applies into one folder keep one chain. Checking the chain (``updater audit
verify``): :mod:`updater.patch.audit_verify`.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from updater.errors import UpdaterError
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


def line_sha256(line: bytes) -> str:
    """The checksum the next entry's ``prev_sha256`` carries: the line as written."""
    return hashlib.sha256(line.rstrip(b"\r\n")).hexdigest()


def log_lines(log: Path, raw: bytes | None = None) -> list[bytes]:
    """The log's non-blank lines (of ``raw`` when the caller has read it already)."""
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
        lines = log_lines(log, raw)
        entry: dict[str, Any] = _json({"time": datetime.now(UTC).isoformat(timespec="seconds"),
                                       **record})
        for key in CHAIN_FIELDS:
            entry.pop(key, None)
        entry["seq"] = _last_seq(lines) + 1
        entry["prev_sha256"] = line_sha256(lines[-1]) if lines else GENESIS
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
    for line in log_lines(log):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("run_id"):
            found.add(str(entry["run_id"]))
    return found
