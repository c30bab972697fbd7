"""ICD-10-CM order addenda (CDC): the publisher's own change list for a release.

Lines ``Add:``, ``Delete:``, ``Revise from:``/``Revise to:`` (13 characters), then the
flag in column 14, the code in 16-22, the short title in 24-83, the long title from 85;
then a summary block of counts for headers and codes. It is read two ways: inside a
release zip it is the list the diff is verified against; on its own it is a
changes-only release, applied onto the release before it.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from updater.errors import UpdaterError
from updater.model import CODE, LONG, RECORD, SHORT, PublisherChanges
from updater.readers import _lines
from updater.readers.base import ReaderOutput, ReadOptions
from updater.sources import Source
from updater.vocabulary import CodeSystem, RecordType, ReleaseKind

ACTIONS = {"Add:": "add", "Delete:": "delete", "Revise from:": "revise_from",
           "Revise to:": "revise_to"}
ENTRY = re.compile(rb"^(Add:|Delete:|Revise from:|Revise to:) +[01] [A-Z0-9]", re.MULTILINE)
_SECTION = re.compile(r"^\s*(Headers|Codes)\s*$")
_COUNT = re.compile(r"^\s*(\d+)\s+(.*?)\s*$")
SUMMARY_KEYS = {
    "additions": "additions", "deletions": "deletions", "revisions": "revisions",
    "revisions to both long and short titles": "revisions_both",
    "revisions to long title only": "revisions_long_only",
    "revisions to short title only": "revisions_short_only",
}


def parse_summary(lines: list[str]) -> dict[str, dict[str, int]]:
    """The counts block: ``{"headers": {...}, "codes": {...}}`` with ``in_old``/``in_new``."""
    summary: dict[str, dict[str, int]] = {}
    section: dict[str, int] | None = None
    for line in lines:  # a dozen lines at the end of the file
        m = _SECTION.match(line)
        if m:
            section = summary.setdefault(m.group(1).lower(), {})
            continue
        m = _COUNT.match(line)
        if section is None or not m:
            continue
        count, label = int(m.group(1)), m.group(2)
        if label in SUMMARY_KEYS:
            section[SUMMARY_KEYS[label]] = count
        elif label.startswith(("headers in", "codes in")):
            section["in_new" if "in_old" in section else "in_old"] = count
    return summary


def parse_addenda(text: str, file: str) -> PublisherChanges:
    lines = _lines.split_lines(text)
    numbers = np.arange(1, len(lines) + 1)
    prefix = pc.utf8_trim_whitespace(pc.utf8_slice_codeunits(lines, 0, 13))
    prefixes = prefix.to_numpy(zero_copy_only=False)
    is_entry = np.isin(prefixes, list(ACTIONS))
    entries = lines.filter(is_entry)
    where = numbers[is_entry]
    length = _lines.lengths(entries)
    _lines.fail_at(length < 85, where,
                   "addenda line cut short: the flag is in column 14, the code in 16-22, the "
                   "short title in 24-83 and the long title from 85", file=file)
    col = _lines.Columns(entries)
    flag = col(14, 14).to_numpy(zero_copy_only=False)
    _lines.fail_at((flag != "0") & (flag != "1"), where,
                   "column 14 must be 1 (billable code) or 0 (header)", file=file)
    table = pd.DataFrame({
        "action": pd.array([ACTIONS[p] for p in prefixes[is_entry]], dtype="str"),
        RECORD: pd.array(np.where(flag == "1", RecordType.CODE.value, RecordType.HEADER.value),
                         dtype="str"),
        CODE: pd.array(pc.utf8_upper(col(16, 22)).to_numpy(zero_copy_only=False), dtype="str"),
        SHORT: pd.array(col(24, 83).to_numpy(zero_copy_only=False), dtype="str"),
        LONG: pd.array(col(85).to_numpy(zero_copy_only=False), dtype="str"),
        "line": where,
    })
    _check_revise_pairs(table, file)
    tail = text.splitlines()[int(where[-1]) if len(where) else 0:]
    return PublisherChanges(entries=table, summary=parse_summary(tail), source=file)


def _check_revise_pairs(table: pd.DataFrame, file: str) -> None:
    """Every ``Revise from:`` is followed by the ``Revise to:`` of the same code."""
    action, codes = table["action"].to_numpy(), table[CODE].to_numpy()
    last = len(action) - 1
    frm, to = np.flatnonzero(action == "revise_from"), np.flatnonzero(action == "revise_to")
    nxt = np.minimum(frm + 1, last)
    unpaired = frm[(frm + 1 > last) | (action[nxt] != "revise_to") | (codes[nxt] != codes[frm])]
    orphans = to[~np.isin(to, frm + 1)]
    bad = np.concatenate([unpaired, orphans])
    if len(bad):
        line = int(table["line"].to_numpy()[bad.min()])
        raise UpdaterError("a 'Revise from:' line must be followed by the 'Revise to:' line of "
                           "the same code", file=file, line=line)


class IcdOrderAddendaReader:
    name = "icd10cm-order-addenda"
    title = "ICD-10-CM order addenda (CDC change list: Add/Delete/Revise)"
    system = CodeSystem.ICD10CM
    kind = ReleaseKind.CHANGES
    rank = 20

    def sniff(self, source: Source) -> bool:
        if source.suffix not in {".txt", ""}:
            return False
        head = source.head().lstrip(b"\xef\xbb\xbf")
        if ENTRY.search(head):
            return True
        # an addenda with no changes at all (FY2024-April) is only its summary block
        return b"headers in icd10cm" in head.lower() and b"additions" in head

    def read(self, source: Source, options: ReadOptions, bundle: list[Source]) -> ReaderOutput:
        return ReaderOutput(changes=parse_addenda(source.text(), source.display))


READER = IcdOrderAddendaReader()
