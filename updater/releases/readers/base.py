"""What a reader is: a small object that recognises one publisher format and turns it
into the normalized release table (see ``updater.model``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

import pandas as pd

from updater.files.sources import Source
from updater.model import PublisherChanges
from updater.vocabulary import CodeSystem, ReleaseKind


@dataclass(frozen=True)
class ReadOptions:
    """What the user may say about a file; none of it is needed for publishers' files."""

    format: str | None = None  # force a reader by name
    system: CodeSystem | None = None  # for generic tables
    version: str | None = None
    effective: date | None = None
    code_col: str | None = None
    desc_col: str | None = None  # long description
    short_col: str | None = None
    sheet: str | None = None


@dataclass(frozen=True)
class ReaderOutput:
    """A full table, or the publisher's change list, or both."""

    table: pd.DataFrame | None = None
    changes: PublisherChanges | None = None
    system: CodeSystem | None = None  # set by readers that decide it from the content
    used: tuple[Source, ...] = ()  # every file read, when more than the one handed over
    notes: pd.DataFrame | None = None  # instructional notes (model.NOTE_COLUMNS), if any
    # the effective date the file's own content gives, for files whose names may not say it
    # (a quarterly HCPCS ``anweb.xlsx``: the ACT EFF DT of its changes)
    effective: date | None = None


class Reader(Protocol):
    name: str  # e.g. "icd10cm-order"; what --format takes
    title: str  # one line for people: "ICD-10-CM order file (CDC, fixed width)"
    system: CodeSystem | None  # None: decided per file (generic tables)
    kind: ReleaseKind
    rank: int  # when a zip holds several files this reader could read, higher wins

    def sniff(self, source: Source) -> bool:
        """True when the file is in this reader's format (cheap: looks at the head)."""
        ...

    def read(self, source: Source, options: ReadOptions, bundle: list[Source]) -> ReaderOutput:
        """Parse the file. ``bundle`` is every file shipped alongside it (same zip or folder),
        for formats spread over several files (CPT's LONGULT/MEDU/SHORTU)."""
        ...


@runtime_checkable
class NotesReader(Protocol):
    """A reader whose format also carries instructional notes (the ICD-10-CM tabular XML),
    so a zip that holds it beside a fuller release can lend its notes to that release."""

    def read_notes(self, source: Source) -> pd.DataFrame:
        """The file's instructional notes (``model.NOTE_COLUMNS``)."""
        ...
