"""``updater audit verify``: the audit log's hash chain checked entry by entry.

``verify_log`` finds an edited entry (its own checksum), a removed one (the next entry's
``seq`` and ``prev_sha256``), a line that is no JSON, an apply whose change log beside the
log has no entry in it, and a run an apply or revert did not finish. Entries written
before the chain existed are reported as unchained, not as errors. How the chain is
written: :mod:`updater.patch.audit`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from updater.errors import UpdaterError, reads_file
from updater.patch.audit import AUDIT_LOG, GENESIS, entry_sha256, line_sha256, log_lines, run_ids
from updater.patch.journal import pending_runs


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
    for n, line in enumerate(log_lines(log), start=1):
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
        expected_prev = line_sha256(prev_line) if prev_line is not None else GENESIS
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
