"""CPT long descriptors, fixed width (AMA ``LONGULF.txt``), read with ``MEDU.txt`` and
``SHORTU.txt`` beside it as one release (``cpt_tab``); the layout: ``cpt_lines``."""

from __future__ import annotations

from updater.files.sources import Source
from updater.releases.readers.base import ReaderOutput, ReadOptions
from updater.releases.readers.cpt_lines import FIXED, head_matches
from updater.releases.readers.cpt_tab import read_cpt_set
from updater.vocabulary import CodeSystem, ReleaseKind


class CptFixedReader:
    name = "cpt-fixed"
    title = ("CPT long descriptors, fixed width (AMA LONGULF.txt; with MEDU.txt and "
             "SHORTU.txt beside it)")
    system = CodeSystem.CPT
    kind = ReleaseKind.FULL
    rank = 15  # below cpt-tab: LONGULT says the same without the record joining

    def sniff(self, source: Source) -> bool:
        return source.suffix in {".txt", ""} and head_matches(source.head(), FIXED)

    def read(self, source: Source, options: ReadOptions, bundle: list[Source]) -> ReaderOutput:
        return read_cpt_set(source, bundle)


READER = CptFixedReader()
