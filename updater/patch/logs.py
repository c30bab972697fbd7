"""The change logs apply writes beside each output (``<out>.changes.csv`` for people,
``<out>.changes.json`` for revert and for applying the same plan again), and the audit
log entry of each output; read back by ``updater revert`` (:mod:`updater.patch.revert`).
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from updater.errors import UpdaterError
from updater.files.output import defuse_formulas
from updater.patch.grids import check_layout, check_saved

CHANGE_COLUMNS = ("output_row", "input_row", "kind", "column", "before", "after",
                  "plan_row", "action", "note", "decision", "reviewer", "reviewed_on",
                  "comment", "file")
SIGN_OFF = ("decision", "reviewer", "reviewed_on", "comment")  # per plan row, from the plan
_NOT_A_LOG = "name the .changes.json file apply wrote"


def changelog_paths(out: Path) -> tuple[Path, Path]:
    """``<out>.changes.csv`` and ``<out>.changes.json`` beside the output."""
    return (out.with_name(out.stem + ".changes.csv"), out.with_name(out.stem + ".changes.json"))


def change_table(changes: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The changes as the CSV change log has them (``CHANGE_COLUMNS``)."""
    return pd.DataFrame([{k: c.get(k) for k in CHANGE_COLUMNS} for c in changes],
                        columns=list(CHANGE_COLUMNS), dtype=object)


def change_log_texts(output: Path, meta: Mapping[str, Any],
                     changes: Sequence[Mapping[str, Any]]) -> dict[Path, str]:
    """The two change logs of one output, path -> text (the journal writes them): the JSON
    with everything revert needs (``meta``), the CSV with the changes, formulas defused."""
    csv_log, json_log = changelog_paths(output)
    return {json_log: json.dumps(_serializable(meta), indent=1, ensure_ascii=False) + "\n",
            csv_log: defuse_formulas(change_table(changes).astype("object")).to_csv(index=False)}


def changelog_meta(output: Path) -> dict[str, Any] | None:
    """The JSON change log beside ``output`` (``{}`` when it cannot be read), None when there
    is none: tells this plan's own output, which may be applied again."""
    log = changelog_paths(output)[1]
    if not log.is_file():
        return None
    try:
        meta = json.loads(log.read_text(encoding="utf-8"))
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def read_changelog(changelog: Path
                   ) -> tuple[Path, dict[str, Any], list[dict[str, Any]], Any]:
    """The JSON change log revert reads (given the CSV, the JSON beside it), checked to be
    one apply wrote: its path, its content, its changes and the patched file's layout."""
    if changelog.suffix.lower() == ".csv":
        changelog = changelog.with_suffix(".json")
    if not changelog.is_file():
        raise UpdaterError("no such change log", file=changelog, hint=_NOT_A_LOG)
    try:
        meta = json.loads(changelog.read_text(encoding="utf-8"))
        changes = meta["changes"]
        layout = meta["layout"]
        if not isinstance(changes, list) or not all(isinstance(c, dict) for c in changes):
            raise ValueError("changes")
    except (ValueError, KeyError, TypeError):
        raise UpdaterError("not a change log written by updater apply", file=changelog,
                           hint=_NOT_A_LOG) from None
    return changelog, meta, changes, layout


def check_changelog(changelog: Path, layout: object, changes: list[dict[str, Any]],
                    kind: str) -> None:
    """A change log edited by hand (a list for an object, text for a number) is refused
    with the field named, before anything is read with it."""
    hint = "revert with the change log apply wrote, as it wrote it"
    why = check_layout(layout, kind)
    if why:
        raise UpdaterError(f"a damaged change log: {why}", file=changelog, hint=hint)
    for n, change in enumerate(changes, start=1):
        if change.get("kind") == "cell" and (why := check_saved(change.get("restore"), kind)):
            raise UpdaterError(f"change log row {n}: {why}", file=changelog, hint=hint)


def audit_entry(*, kind: str, source: Path | None, input_sha256: str, output: Path,
                output_sha256: str, counts: dict[str, int], forced: bool,
                reviews: list[dict[str, Any]], warnings: list[dict[str, Any]]
                ) -> dict[str, Any]:
    """One output's part of the audit log entry (the chargemaster's at the top of the
    entry, the crosswalk's under ``crosswalk``)."""
    return {kind: str(source), "input_sha256": input_sha256, "output": str(output),
            "output_sha256": output_sha256, "counts": counts, "forced": forced,
            "reviews": reviews, "warnings": warnings}


def current_user() -> str:
    """Who runs apply or revert, for the audit log (``--user`` says otherwise)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _serializable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))
