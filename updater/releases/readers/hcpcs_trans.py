"""The CMS HCPCS transaction report handed over by itself (``updater import`` of the
report file, or a zip whose first match is the report): it lists what changed, not the
codes with their fields, so it is read only with the alpha-numeric file it came with.
Reading the report and finding it beside that file: ``updater.releases.readers.hcpcs_report``.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from updater.errors import UpdaterError
from updater.files.sources import Source
from updater.releases.readers import hcpcs_fixed, hcpcs_xlsx
from updater.releases.readers.base import ReaderOutput, ReadOptions
from updater.releases.readers.hcpcs_report import looks_like_report, parse_report
from updater.vocabulary import CodeSystem, ReleaseKind

_WORKBOOKS = (".xlsx", ".xlsm")


class HcpcsTransactionReader:
    name = "hcpcs-transactions"
    title = "HCPCS transaction report (CMS change list beside the alpha-numeric file; xlsx, prn)"
    system = CodeSystem.HCPCS
    kind = ReleaseKind.CHANGES
    rank = 20

    def sniff(self, source: Source) -> bool:
        return looks_like_report(source)

    def read(self, source: Source, options: ReadOptions, bundle: list[Source]) -> ReaderOutput:
        folder = PurePosixPath(source.member or "").parent
        others = [s for s in bundle if s.member is not None and s.member != source.member
                  and s.path == source.path and PurePosixPath(s.member).parent == folder]
        # text first: a fixed-width file is told by its head, a workbook only when opened
        if not any(_is_hcpcs_file(s) for s in sorted(others, key=lambda s: s.suffix != ".txt")):
            raise UpdaterError(
                "a CMS transaction report lists what changed, not the codes with their "
                "fields: it cannot be a release by itself", file=source.display,
                hint="load the alpha-numeric HCPCS file it came with (the CMS zip, or the "
                     "xlsx / txt in the same folder): the report is read with it")
        chosen = source
        if source.suffix not in _WORKBOOKS:  # a .prn: read the workbook beside it, if any
            chosen = next((s for s in others if s.suffix in _WORKBOOKS
                           and looks_like_report(s)), source)
        return ReaderOutput(changes=parse_report(chosen), used=(chosen,))


def _is_hcpcs_file(source: Source) -> bool:
    return bool(hcpcs_fixed.READER.sniff(source) or hcpcs_xlsx.READER.sniff(source))


READER = HcpcsTransactionReader()
