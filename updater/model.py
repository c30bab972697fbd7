"""The normalized release: one table shape for every publisher's format.

Every reader turns its file into a ``pandas.DataFrame`` with the columns below
(all strings, never NaN: a missing value is ``""``), so the diff, the store and
everything after them never care where a release came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from updater.vocabulary import CodeSystem, RecordType, ReleaseKind

# Columns every release table has.
CODE = "code"  # upper case, no dot: M1711, J1100, 99214, modifier RT
RECORD = "record"  # RecordType value
SHORT = "short"  # short title / descriptor
LONG = "long"  # long title / descriptor
CORE_COLUMNS = (CODE, RECORD, SHORT, LONG)

# Optional columns some publishers have.
MEDIUM = "medium"  # CPT medium descriptor (MEDU.txt)
ADD_DATE = "add_date"  # HCPCS ADD DT, ISO yyyy-mm-dd or ""
ACTION_EFFECTIVE_DATE = "action_effective_date"  # HCPCS ACT EFF DT
TERMINATION_DATE = "termination_date"  # HCPCS TERM DT
ACTION_CODE = "action_code"  # HCPCS ACTION CD, the publisher's own change flag
XREF_COLUMNS = tuple(f"xref{i}" for i in range(1, 6))  # HCPCS XREF1..5

# Columns of a release's instructional notes (``Release.notes``, ICD-10-CM tabular): one row
# per note, in the publisher's order. ``code`` and ``record`` name the element that carries
# it: a code or header (``A000``), a section (``A00-A09``) or a chapter (its span,
# ``A00-B99``; record ``chapter``); ``display`` is the element as the publisher writes it
# (``A00.0``, ``Chapter 1``), ``title`` its title, ``type`` the note's element name
# (``excludes1``, see ``vocabulary.NoteType``) and ``text`` the note.
NOTE_COLUMNS = (CODE, RECORD, "display", "title", "type", "text")

# Columns that describe the record's bookkeeping, not the code: never "attribute changes".
BOOKKEEPING_COLUMNS = frozenset({CODE, RECORD, SHORT, LONG, MEDIUM, ACTION_CODE,
                                 ACTION_EFFECTIVE_DATE, ADD_DATE, TERMINATION_DATE})


@dataclass(frozen=True)
class SourceFile:
    """A file a release was read from, with its checksum for the audit trail."""

    name: str  # as the user named it; "archive.zip!member.txt" for a zip member
    sha256: str


@dataclass(frozen=True)
class PublisherChanges:
    """The publisher's own change list (CDC order addenda, ...) as published.

    ``entries`` has columns ``action`` (add, delete, revise_from, revise_to),
    ``record``, ``code``, ``short``, ``long``, ``line`` (1-based line in the file).
    ``summary`` is the counts block, ``{"codes": {"additions": n, ...}, "headers": {...}}``,
    empty when the file has none. ``files`` names the files the counts are of, as the
    summary names them: ``{"old": "icd10cm_order_2020.txt", "new": ...}`` (the list
    counts from ``old``), empty when it names none.
    """

    entries: pd.DataFrame
    summary: dict[str, dict[str, int]]
    source: str
    files: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Release:
    """One release of one code set, normalized."""

    system: CodeSystem
    version: str  # FY2026, FY2026-April, 2019, 2018-April
    effective: date
    table: pd.DataFrame
    sources: tuple[SourceFile, ...]
    format: str  # name of the reader that produced it
    kind: ReleaseKind = ReleaseKind.FULL
    publisher_changes: PublisherChanges | None = None
    extra: dict[str, str] = field(default_factory=dict)
    # the instructional notes (NOTE_COLUMNS), when the release was read from the ICD-10-CM
    # tabular XML; None when its files have none (order file, HCPCS ...)
    notes: pd.DataFrame | None = None

    @property
    def id(self) -> str:
        return f"{self.system.value}:{self.version}"

    def describe(self) -> dict[str, str]:
        return {"system": self.system.value, "version": self.version,
                "effective": self.effective.isoformat()}

    def with_table(self, table: pd.DataFrame) -> Release:
        return replace(self, table=table)


def title_of(long: pd.Series, short: pd.Series) -> pd.Series:
    """The official title: the long title, or the short one where a publisher has no long
    title."""
    return long.where(long != "", short)


def official_titles(table: pd.DataFrame) -> pd.Series:
    """Each code's official title (:func:`title_of`), indexed by code, one per code."""
    titles = pd.Series(title_of(table[LONG], table[SHORT]).to_numpy(), index=table[CODE])
    return titles[~titles.index.duplicated()]


def empty_table(extra_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="str") for c in (*CORE_COLUMNS, *extra_columns)})


def record_is(table: pd.DataFrame, record: RecordType) -> pd.Series:
    return table[RECORD] == record.value
