"""CPT data files (AMA): ``LONGULT.txt`` with ``MEDU.txt`` and ``SHORTU.txt`` beside it.

The AMA ships one descriptor length per file: ``LONGULT.txt`` (long descriptors, upper
and lower case; code, tab, descriptor), ``MEDU.txt`` and ``SHORTU.txt`` (medium and short,
upper case; code, one space, descriptor), ``LONGULF.txt`` (the long ones again, fixed
width) and all-capitals twins ``LONGUT.txt`` / ``LONGUF.txt``. How each file's lines read:
``cpt_lines``.

Whichever of these files the loader hands over, the release is the set found beside it
(same folder of the zip, or same folder on disk): ``long`` from LONGULT (else LONGULF,
LONGUT, LONGUF), ``medium`` from MEDU, ``short`` from SHORTU. MEDU/SHORTU without a long
file load too, with ``long`` empty. A code missing from one file gets "" there.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import pandas as pd

from updater.errors import UpdaterError
from updater.files.sources import Source
from updater.model import CODE, CORE_COLUMNS, LONG, MEDIUM, RECORD, SHORT
from updater.releases.readers import _lines
from updater.releases.readers.base import ReaderOutput, ReadOptions
from updater.releases.readers.cpt_lines import (
    FIXED,
    HINT,
    SPACE,
    TAB,
    head_matches,
    parse_descriptor_lines,
    parse_fixed_lines,
)
from updater.releases.readers.icd10cm_order import ORDER_LINE
from updater.vocabulary import CodeSystem, ReleaseKind

SHORT_MAX = 28  # the AMA's short descriptors never exceed 28 characters

# Which file of the AMA's set a name is, and which long file is preferred when there are
# several: mixed case before all capitals, the tab-delimited before the fixed-width.
ROLE_BY_NAME = {"LONGULT.TXT": "long_tab", "LONGULF.TXT": "long_fixed",
                "LONGUT.TXT": "long_tab_caps", "LONGUF.TXT": "long_fixed_caps",
                "MEDU.TXT": MEDIUM, "SHORTU.TXT": SHORT}
LONG_PREFERENCE = ("long_tab", "long_fixed", "long_tab_caps", "long_fixed_caps")


def role_by_content(source: Source) -> str | None:
    """Which file of the set an oddly named file is, from its first lines."""
    head = source.head()
    if head_matches(head, TAB):
        return "long_tab"
    if head_matches(head, FIXED):
        return "long_fixed"
    if not head_matches(head, SPACE) or ORDER_LINE.search(head):
        return None
    name = source.name.upper()
    if "SHORT" in name or "MED" in name:
        return SHORT if "SHORT" in name else MEDIUM
    texts = [line.split(b" ", 1)[1].strip() for line in _lines.complete_lines(head)
             if re.match(SPACE.code_line.encode(), line)]
    return SHORT if max(map(len, texts)) <= SHORT_MAX else MEDIUM


def siblings(source: Source, bundle: list[Source]) -> list[Source]:
    """The AMA-named files beside ``source``: same folder of the zip, or of the disk."""
    if source.member is not None:
        folder = PurePosixPath(source.member).parent
        return [s for s in bundle if s.member is not None
                and PurePosixPath(s.member).parent == folder
                and s.name.upper() in ROLE_BY_NAME]
    return [Source(p) for p in sorted(source.path.parent.iterdir())
            if p.is_file() and p.name.upper() in ROLE_BY_NAME]


def cpt_files(source: Source, bundle: list[Source]) -> tuple[dict[str, Source], str]:
    """The files of the set ``source`` belongs to, by role (long_tab, medium, short, ...),
    and the role of ``source`` itself."""
    named = [s for s in bundle if s.member and s.name.upper() in ROLE_BY_NAME]
    if source.name.upper() not in ROLE_BY_NAME and named:
        # the loader handed over another file of the zip that looks alike (a PLA list,
        # say): the AMA's own set is the release
        source = named[0]
    files: dict[str, Source] = {}
    for s in siblings(source, bundle):
        files.setdefault(ROLE_BY_NAME[s.name.upper()], s)
    own = ROLE_BY_NAME.get(source.name.upper()) or role_by_content(source)
    if own is None:
        raise UpdaterError("not a CPT data file (no code, tab, descriptor lines nor code, "
                           "space, descriptor lines after the notice)", file=source.display,
                           hint=HINT)
    files[own] = source
    return files, own


def read_long(source: Source, role: str) -> pd.DataFrame:
    lines = _lines.read_lines(source)
    if role.startswith("long_fixed"):
        return parse_fixed_lines(lines, file=source.display)
    return parse_descriptor_lines(lines, TAB, LONG, file=source.display)


def read_cpt_set(source: Source, bundle: list[Source]) -> ReaderOutput:
    """The normalized table from every file of the set: ``code, record, short, long,
    medium``, codes in order; every file read is named in ``used`` for the audit trail."""
    files, own = cpt_files(source, bundle)
    parts = [parse_descriptor_lines(_lines.read_lines(files[role]), SPACE, role,
                                    file=files[role].display)
             for role in (MEDIUM, SHORT) if role in files]
    # the long file handed over is used, unless it is all capitals and a mixed-case one
    # sits beside it (the loader hands over whichever file of a zip comes first)
    long_role = own if own in LONG_PREFERENCE[:2] else next(
        (r for r in LONG_PREFERENCE if r in files), None)
    used = [files[role] for role in (MEDIUM, SHORT) if role in files]
    if long_role is not None:
        parts.insert(0, read_long(files[long_role], long_role))
        used.insert(0, files[long_role])
    table = parts[0]
    for part in parts[1:]:
        table = table.merge(part, on=[CODE, RECORD], how="outer", sort=False)
    for column in (*CORE_COLUMNS, MEDIUM):
        if column not in table:
            table[column] = ""
    table = table[[*CORE_COLUMNS, MEDIUM]].fillna("")
    table = table.sort_values(CODE, kind="stable", ignore_index=True).astype("str")
    return ReaderOutput(table=table, used=tuple(used))


class CptTabReader:
    name = "cpt-tab"
    title = ("CPT data files (AMA LONGULT.txt, tab-delimited, with MEDU.txt and SHORTU.txt "
             "beside it; or MEDU/SHORTU alone)")
    system = CodeSystem.CPT
    kind = ReleaseKind.FULL
    rank = 20  # above cpt-fixed: a zip with LONGULT and LONGULF is read from LONGULT

    def sniff(self, source: Source) -> bool:
        if source.suffix not in {".txt", ""}:
            return False
        head = source.head()
        if head_matches(head, TAB):
            return True
        return head_matches(head, SPACE) and not ORDER_LINE.search(head)

    def read(self, source: Source, options: ReadOptions, bundle: list[Source]) -> ReaderOutput:
        return read_cpt_set(source, bundle)


READER = CptTabReader()
