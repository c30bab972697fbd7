"""Reader registry and the one loader: a path in, ``(Release, detected_format)`` out.

Adding a format is one module with a ``READER`` object (see ``base.Reader``) and one
line in ``_MODULES``.
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from functools import cache
from pathlib import Path

from updater.errors import UnknownFormatError, UpdaterError, reads_file
from updater.files.output import file_sha256
from updater.files.sources import Source, open_sources
from updater.model import Release, SourceFile, empty_table
from updater.releases.readers.base import NotesReader, Reader, ReaderOutput, ReadOptions
from updater.releases.versions import resolve_version
from updater.vocabulary import CodeSystem, ReleaseKind

__all__ = ["ReadOptions", "Reader", "ReaderOutput", "load_release", "readers", "supported_formats"]

_MODULES = (
    "icd10cm_order",
    "icd10cm_order_addenda",
    "icd10cm_tabular",
    "icd10cm_codes",
    "hcpcs_fixed",
    "hcpcs_xlsx",
    "hcpcs_trans",
    "cpt_tab",
    "cpt_fixed",
    "generic_table",
)


@cache
def readers() -> tuple[Reader, ...]:
    found = []
    for module in _MODULES:
        try:
            found.append(importlib.import_module(f"updater.releases.readers.{module}").READER)
        except ModuleNotFoundError as exc:  # a format not written yet
            if exc.name != f"updater.releases.readers.{module}":
                raise
    return tuple(found)


def supported_formats() -> str:
    return "; ".join(f"{r.name} ({r.title})" for r in readers())


def _reader_named(name: str) -> Reader:
    for r in readers():
        if r.name == name:
            return r
    raise UpdaterError(f"unknown format {name!r}",
                       hint=f"choose one of: {', '.join(r.name for r in readers())}")


def _detect(sources: list[Source], options: ReadOptions) -> list[tuple[Reader, Source]]:
    forced = options.format or (
        "generic-table" if options.code_col or options.desc_col or options.short_col else None)
    candidates = [_reader_named(forced)] if forced else list(readers())
    matches = []
    for source in sources:
        for reader in candidates:
            if options.system and reader.system and reader.system is not options.system:
                continue
            if reader.sniff(source):
                matches.append((reader, source))
    if not matches and forced and len(sources) == 1:
        matches = [(candidates[0], sources[0])]  # the user said what it is: let the reader judge
    return matches


@reads_file
def load_release(path: str | Path, options: ReadOptions | None = None) -> tuple[Release, str]:
    """Read a publisher's file (or a zip of them) into a normalized ``Release``.

    Returns the release and the name of the reader that detected it. A zip holding a
    full release and its change list (CDC order file + order addenda) gives the full
    release with ``publisher_changes`` attached; a change list alone gives a
    ``ReleaseKind.CHANGES`` release to apply onto the one before it. A zip holding the
    order file and the tabular XML gives the order file's release (the authority for codes
    and titles, short titles included) with the tabular's instructional notes joined on.
    """
    options = options or ReadOptions()
    path = Path(path)
    sources = open_sources(path)
    matches = _detect(sources, options)
    if not matches:
        inside = ""
        if len(sources) != 1 or sources[0].member:
            listed = ", ".join(s.member or s.name for s in sources) or "nothing"
            inside = f"; the zip holds: {listed}"
            message = "no release file inside the zip"
            nested = [s.member for s in sources if s.member and s.suffix == ".zip"]
            if nested:
                raise UnknownFormatError(
                    f"no release file inside the zip, only another zip ({', '.join(nested)})",
                    file=path, hint="updater does not open a zip inside a zip: unzip this "
                                    "one and import the zip inside it")
        else:
            message = "not a release file updater knows"
        raise UnknownFormatError(message + inside, file=path,
                                 hint=f"supported formats: {supported_formats()}")
    full = sorted((m for m in matches if m[0].kind is ReleaseKind.FULL),
                  key=lambda m: -m[0].rank)
    changes = sorted((m for m in matches if m[0].kind is ReleaseKind.CHANGES),
                     key=lambda m: -m[0].rank)
    primary = full[0] if full else changes[0]
    reader, source = primary
    output = reader.read(source, options, sources)
    system = output.system or reader.system or options.system or CodeSystem.CUSTOM
    publisher = output.changes
    used = list(output.used) or [source]
    notes = output.notes
    if notes is None:
        lender = next((m for m in full[1:] if m[0].system is system
                       and isinstance(m[0], NotesReader)), None)
        if lender is not None:
            notes = lender[0].read_notes(lender[1])  # type: ignore[attr-defined]
            used.append(lender[1])
    if full:
        change_match = next((m for m in changes if m[0].system in (None, system)), None)
        if change_match:
            change_list = change_match[0].read(change_match[1], options, sources)
            publisher = change_list.changes
            used.extend(change_list.used or [change_match[1]])
    kind = ReleaseKind.FULL if full else ReleaseKind.CHANGES
    table = output.table if output.table is not None else empty_table()
    # the month of a mid-year update may be named only by the zip, another file in it, or
    # the file the change list says it counts to
    hints = [s.member or s.name for s in sources if s is not source]
    if publisher is not None and publisher.files.get("new"):
        hints.append(publisher.files["new"])
    version, effective = resolve_version(
        system, source.names, version=options.version, effective=options.effective,
        file=source.display, hints=hints, content=output.effective)
    # the file the user named, and any other file on disk that went into the release
    on_disk = [path, *(s.path for s in used if s.member is None and s.path != path)]
    release = Release(
        system=system, version=version, effective=effective, table=table,
        sources=tuple(SourceFile(name=str(p), sha256=file_sha256(p))
                      for p in dict.fromkeys(on_disk)),
        format=reader.name, kind=kind, publisher_changes=publisher,
        extra={"members": ", ".join(s.member for s in used if s.member)}
        if any(s.member for s in used) else {},
        notes=notes,
    )
    return release, reader.name


def with_user_labels(release: Release, options: ReadOptions) -> Release:
    """Apply --version / --effective to an already-loaded release (e.g. from the store)."""
    changes: dict[str, object] = {}
    if options.version:
        changes["version"] = options.version
    if options.effective:
        changes["effective"] = options.effective
    return replace(release, **changes) if changes else release  # type: ignore[arg-type]
