"""ICD-10-CM order addenda (CDC): the publisher's own change list for a release.

Lines ``Add:``, ``Delete:``, ``Revise from:``/``Revise to:`` (padded to 13 characters),
then the flag (column 14), the code (7 wide), the short title (60 wide) and the long
title, one space between fields; and a summary block of counts for headers and codes
that names the files it counts. It is read two ways: inside a release zip it is the list
the diff is verified against; on its own it is a changes-only release, applied onto the
release before it.

Years differ in small ways, so the reader is tolerant where the layout allows it: the
action word in any letter case and spacing (``Revise From :``, ``Revised to:``), the
fields placed from the flag rather than from column 14, blank lines anywhere, and a
summary block in any order, with or without a headers block, counts with thousands
separators, and labels worded a little differently (``revisions to both short and long
titles``, ``revision to long title only``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from updater.errors import UpdaterError
from updater.files.sources import Source
from updater.model import CODE, LONG, RECORD, SHORT, PublisherChanges
from updater.releases.readers import _lines
from updater.releases.readers.base import ReaderOutput, ReadOptions
from updater.vocabulary import CodeSystem, RecordType, ReleaseKind

# an entry: the action word(s), a colon, the flag, one space, then code, short and long
_ENTRY = r"^\s*(?P<action>add(?:ed)?|delete[ds]?|revised?\s*from|revised?\s*to)\s*:\s*" \
         r"(?P<flag>\S)(?P<rest>.*)$"
_ACTION_WORD = rb"^[ \t]*(?:add(?:ed)?|delete[ds]?|revised?[ \t]*from|revised?[ \t]*to)[ \t]*:"
ENTRY = re.compile(_ACTION_WORD + rb"[ \t]*[01] +[A-Za-z0-9]", re.MULTILINE | re.IGNORECASE)
ANY_ACTION = re.compile(_ACTION_WORD, re.MULTILINE | re.IGNORECASE)
CODE_WIDTH, SHORT_WIDTH = 7, 60  # from the flag: " CODE    SHORT...60... LONG"
_SECTION = re.compile(r"^\s*(headers?|codes?)\b[^0-9]*$", re.IGNORECASE)
_COUNT = re.compile(r"^\s*(\d[\d,]*)\s+(.*?)\s*$")
_COUNT_AFTER = re.compile(r"^\s*(\D*?)\s*[:=]?\s*(\d[\d,]*)\s*$")
_IN_FILE = re.compile(r"^(?:headers?|codes?)?\s*in\s+(?:the\s+)?(\S.*?)\s*$", re.IGNORECASE)


def _action(word: str) -> str:
    w = re.sub(r"[^a-z]", "", word.lower())
    if w.startswith("add"):
        return "add"
    if w.startswith("delete"):
        return "delete"
    return "revise_from" if w.endswith("from") else "revise_to"


def _summary_key(label: str) -> str | None:
    """What a summary label counts, in the words of any year."""
    words = " ".join(re.sub(r"[^a-z ]", " ", label.lower()).split())
    if "addition" in words or words.startswith("added"):
        return "additions"
    if "deletion" in words or words.startswith("deleted"):
        return "deletions"
    if "revision" in words or words.startswith("revised"):
        if "both" in words:
            return "revisions_both"
        if "long" in words and "short" not in words:
            return "revisions_long_only"
        if "short" in words and "long" not in words:
            return "revisions_short_only"
        return "revisions"
    return None


def parse_summary(lines: list[str]) -> tuple[dict[str, dict[str, int]], dict[str, str]]:
    """The counts block, ``{"headers": {...}, "codes": {...}}`` with ``in_old``/``in_new``
    (the release counted from, the one counted to), and the files those two counts name,
    ``{"old": ..., "new": ...}``."""
    summary: dict[str, dict[str, int]] = {}
    files: dict[str, str] = {}
    section: dict[str, int] | None = None
    for line in lines:  # a dozen lines
        m = _SECTION.match(line)
        if m:
            name = m.group(1).lower()
            section = summary.setdefault("headers" if name.startswith("header") else "codes",
                                         {})
            continue
        m = _COUNT.match(line)
        if m:
            count, label = int(m.group(1).replace(",", "")), m.group(2)
        else:
            m2 = _COUNT_AFTER.match(line)
            if not m2 or not m2.group(1):
                continue
            label, count = m2.group(1), int(m2.group(2).replace(",", ""))
        in_file = _IN_FILE.match(label)
        if section is None:
            lowered = label.lower()  # "22344 headers in ..." before any section line
            if lowered.startswith(("header", "code")):
                section = summary.setdefault(
                    "headers" if lowered.startswith("header") else "codes", {})
            else:
                continue
        key = _summary_key(label)
        if in_file and key is None:
            side = "in_new" if "in_old" in section else "in_old"
            section[side] = count
            files.setdefault("new" if side == "in_new" else "old", in_file.group(1))
        elif key is not None:
            section.setdefault(key, count)
    return summary, files


def parse_addenda(text: str, file: str) -> PublisherChanges:
    raw = text.splitlines()
    frame = pd.DataFrame({"text": pd.array(raw, dtype="str")})
    found = frame["text"].str.extract(_ENTRY, flags=re.IGNORECASE)
    is_entry = found["action"].notna().to_numpy()
    where = np.flatnonzero(is_entry) + 1
    found = found[is_entry]
    flag = found["flag"].astype(str).to_numpy()
    _lines.fail_at((flag != "0") & (flag != "1"), where,
                   "the flag after the action must be 1 (billable code) or 0 (header)",
                   file=file)
    rest = found["rest"].astype(str)
    # the fields from the flag: one space, code (7), space, short title (60), space, long
    code_at, short_at = 1, 1 + CODE_WIDTH + 1
    long_at = short_at + SHORT_WIDTH + 1
    _lines.fail_at((rest.str.len() <= long_at).to_numpy(), where,
                   "addenda line cut short: after the flag come the code (7 wide), the short "
                   "title (60 wide) and the long title, a space between each", file=file)
    table = pd.DataFrame({
        "action": pd.array([_action(a) for a in found["action"]], dtype="str"),
        RECORD: pd.array(np.where(flag == "1", RecordType.CODE.value, RecordType.HEADER.value),
                         dtype="str"),
        CODE: rest.str.slice(code_at, code_at + CODE_WIDTH).str.strip().str.upper().to_numpy(),
        SHORT: rest.str.slice(short_at, short_at + SHORT_WIDTH).str.rstrip().to_numpy(),
        LONG: rest.str.slice(long_at).str.rstrip().to_numpy(),
        "line": where,
    }).astype({CODE: "str", SHORT: "str", LONG: "str"})
    _lines.fail_at((table[CODE] == "").to_numpy(), where, "no code after the flag", file=file)
    _check_revise_pairs(table, file)
    others = [line for line, entry in zip(raw, is_entry, strict=True) if not entry]
    summary, files = parse_summary(others)
    return PublisherChanges(entries=table.reset_index(drop=True), summary=summary,
                            source=file, files=files)


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
        # an addenda with no changes at all (FY2024-April) is only its summary block, which
        # counts headers (the codes addenda beside it counts codes only, and its action
        # lines have no flag)
        lowered = head.lower()
        return (b"headers in " in lowered and b"addition" in lowered
                and ANY_ACTION.search(head) is None)

    def read(self, source: Source, options: ReadOptions, bundle: list[Source]) -> ReaderOutput:
        return ReaderOutput(changes=parse_addenda(source.text(), source.display))


READER = IcdOrderAddendaReader()
