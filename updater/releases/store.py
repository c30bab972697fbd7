"""The release store: every release read once, kept as parquet, found again by id.

Layout under the store folder (other files in it are left alone)::

    manifest.json                       what is stored, written last
    store/<system>/<version>-<sha>.parquet            the normalized table
    store/<system>/<version>-<sha>.changes.parquet    the publisher's change list
    store/<system>/<version>-<sha>.notes.parquet      instructional notes (ICD-10-CM tabular)

Parsing a publisher's zip takes a fraction of a second; reloading the parquet takes a
few hundredths, so the diff, the history and the scans reuse imported releases. Every
write goes to a temporary file first and the manifest is replaced last, so an import
that fails half-way, or is killed at any point, leaves the store exactly as it was (the
next import removes what a killed one left: temporary files, tables no manifest entry
names). Imports into one store take turns: each holds ``.updater.lock`` (see
:mod:`updater.files.locking`) from reading the manifest to replacing it, so two at once never
lose a release.
"""

from __future__ import annotations

import builtins
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from updater.errors import StoreError, UpdaterError, WriteError
from updater.files.faults import checkpoint
from updater.files.locking import exclusive
from updater.files.output import atomic_path
from updater.model import CODE, RECORD, PublisherChanges, Release, SourceFile
from updater.releases.changes_only import APPLIED_ONTO, apply_changes
from updater.releases.readers import ReadOptions, load_release, with_user_labels
from updater.vocabulary import CodeSystem, RecordType, ReleaseKind

DEFAULT_ROOT = Path("releases")
MANIFEST = "manifest.json"
LOCK_FILE = ".updater.lock"
DATA_DIR = "store"
STORE_FORMAT = "updater-release-store"
STORE_FORMAT_VERSION = 1
_ID = re.compile(r"^\s*([A-Za-z0-9]+)\s*:\s*(\S.*?)\s*$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

ImportStatus = Literal["added", "unchanged", "replaced"]


@dataclass(frozen=True)
class StoredRelease:
    """What the store knows about one release without loading its table."""

    id: str
    system: CodeSystem
    version: str
    effective: date
    format: str  # reader that read the imported file
    kind: ReleaseKind  # what is stored: always a full release
    sources: tuple[SourceFile, ...]
    codes: int
    headers: int
    modifiers: int
    imported_at: str  # ISO timestamp, UTC
    has_publisher_changes: bool
    publisher_summary: dict[str, dict[str, int]] = field(default_factory=dict)
    publisher_source: str = ""  # the change list's file, as the publisher named it
    publisher_files: dict[str, str] = field(default_factory=dict)  # what its counts are of
    applied_onto: str | None = None  # set when imported from a changes-only file
    extra: dict[str, str] = field(default_factory=dict)
    table_file: str = ""  # relative to the store folder
    changes_file: str | None = None
    notes_file: str | None = None  # the instructional notes, when the release has them


@dataclass(frozen=True)
class ImportResult:
    """What an import did: ``added``, ``unchanged`` (the same file again) or ``replaced``."""

    status: ImportStatus
    release: StoredRelease
    previous: StoredRelease | None = None  # the release a ``replaced`` import displaced


class ReleaseStore:
    """Releases kept in a folder, one manifest listing them (see the module docstring)."""

    def __init__(self, root: str | Path = DEFAULT_ROOT) -> None:
        self.root = Path(root)
        self.manifest_path = self.root / MANIFEST

    # ----------------------------------------------------------------- reading

    def list(self) -> builtins.list[StoredRelease]:
        """Every stored release, by system and then effective date."""
        return sorted(self._entries(), key=lambda r: (r.system.value, r.effective, r.version))

    def get(self, release_id: str) -> StoredRelease:
        """The stored release an id names (``icd10cm:FY2025``, ``ICD10CM:2025``, ...)."""
        found = self.find(release_id)
        if found is None:
            raise StoreError(f"no release {release_id.strip()} in the store {self.root}",
                             hint=self._what_it_has())
        return found

    def find(self, release_id: str) -> StoredRelease | None:
        """Like ``get`` but None when the store does not have it.

        Case does not matter; for ICD-10-CM the ``FY`` may be left out (``icd10cm:2025``),
        and a bare version (``FY2025``) is enough when only one system has it.
        """
        entries = self._entries()
        m = _ID.match(release_id)
        if m:
            system = _system_named(m.group(1))
            if system is None:
                return None
            wanted = m.group(2).casefold()
            pool = [r for r in entries if r.system is system]
        else:
            wanted = release_id.strip().casefold()
            pool = entries
        names = [wanted] + ([f"fy{wanted}"] if not wanted.startswith("fy") else [])
        for name in names:
            hits = [r for r in pool if r.version.casefold() == name
                    and (r.system is CodeSystem.ICD10CM or name == wanted)]
            if len(hits) == 1:
                return hits[0]
        return None

    def load(self, release_id: str) -> Release:
        """The stored release as a ``Release``, publisher changes included."""
        entry = self.get(release_id)
        table = self._read_table(entry.table_file)
        changes = None
        if entry.changes_file:
            changes = PublisherChanges(entries=self._read_table(entry.changes_file),
                                       summary=entry.publisher_summary,
                                       source=entry.publisher_source,
                                       files=dict(entry.publisher_files))
        notes = self._read_table(entry.notes_file) if entry.notes_file else None
        return Release(system=entry.system, version=entry.version, effective=entry.effective,
                       table=table, sources=entry.sources, format=entry.format,
                       kind=ReleaseKind.FULL, publisher_changes=changes, extra=dict(entry.extra),
                       notes=notes)

    def rows(self, release_id: str, *, codes: Sequence[str] | None = None,
             prefix: str | None = None) -> pd.DataFrame:
        """Rows of a stored table for some codes only (or codes starting with ``prefix``),
        filtered while reading, so looking one code up in every release stays quick."""
        entry = self.get(release_id)
        condition = None
        if codes is not None:
            condition = pc.field(CODE).isin(builtins.list(codes))
        if prefix is not None:
            starts = pc.starts_with(pc.field(CODE), prefix)
            condition = starts if condition is None else condition | starts
        return self._read_table(entry.table_file, condition)

    def publisher_rows(self, release_id: str, codes: Sequence[str]) -> pd.DataFrame | None:
        """The lines of a stored release's own change list about some codes (filtered while
        reading), or None when it came without one."""
        entry = self.get(release_id)
        if not entry.changes_file:
            return None
        return self._read_table(entry.changes_file, pc.field(CODE).isin(builtins.list(codes)))

    def between(self, system: CodeSystem | str, old_effective: date,
                new_effective: date) -> builtins.list[StoredRelease]:
        """Stored releases of ``system`` strictly between two effective dates, oldest first:
        the steps a change from the old release to the new one came through."""
        sys_ = CodeSystem(system)
        return [r for r in self.list()
                if r.system is sys_ and old_effective < r.effective < new_effective]

    def latest(self, system: CodeSystem | str, before: date | None = None,
               on: date | None = None) -> StoredRelease | None:
        """The newest stored release of ``system`` effective before ``before`` (exclusive)
        or on ``on`` (inclusive: the release in force that day), or the newest of all."""
        sys_ = CodeSystem(system)
        pool = [r for r in self.list() if r.system is sys_
                and (before is None or r.effective < before)
                and (on is None or r.effective <= on)]
        return pool[-1] if pool else None

    def resolve(self, spec: str, options: ReadOptions | None = None) -> Release:
        """A release named on the command line: a store id when the store has it, else a
        file read with the readers.

        A changes-only file comes back as read (kind CHANGES): the caller knows which
        release it follows and applies it with ``apply_changes``.
        """
        options = options or ReadOptions()
        looks_like_id = bool(_ID.match(spec)) and _system_named(spec.split(":")[0]) is not None
        if looks_like_id and self.find(spec) is not None:
            return with_user_labels(self.load(spec), options)
        path = Path(spec)
        if path.exists():
            return load_release(path, options)[0]
        if looks_like_id:
            self.get(spec)  # raises the store's "no release ..." error
        if self.find(spec) is not None:  # a bare version such as FY2025
            return with_user_labels(self.load(spec), options)
        raise UpdaterError(f"{spec!r} is neither a file nor a release in the store {self.root}",
                           hint="give a path to a release file, or a stored release id "
                                f"such as icd10cm:FY2025 ({self._what_it_has()})")

    # ----------------------------------------------------------------- writing

    def import_release(self, release: Release, *, replace: bool = False) -> ImportResult:
        """Store ``release``; a changes-only release is first applied onto the stored
        release before it.

        The same file again (same system, version and checksum) changes nothing; another
        file for a stored id is refused unless ``replace``, so a release an
        auditor saw cannot be swapped silently. Holds the store's lock throughout.
        """
        with exclusive(self.root / LOCK_FILE, f"the release store {self.root}"):
            checkpoint("store.locked")
            self._sweep()
            return self._import_locked(release, replace)

    def _import_locked(self, release: Release, replace: bool) -> ImportResult:
        entries = self._entries()
        checkpoint("store.manifest_read")
        existing = next((r for r in entries if r.id.casefold() == release.id.casefold()), None)
        if existing is not None:
            if _checksums(existing.sources) == _checksums(release.sources):
                return ImportResult("unchanged", existing)
            if not replace:
                was = ", ".join(f"{Path(s.name).name} (sha256 {s.sha256[:12]})"
                                for s in existing.sources)
                raise StoreError(
                    f"{existing.id} is already in the store, read from another file: {was}",
                    file=release.sources[0].name if release.sources else None,
                    hint="import with --replace to store this file in its place")
        same_day = next((r for r in entries if r.system is release.system
                         and r.effective == release.effective and r is not existing), None)
        if same_day is not None:
            raise StoreError(
                f"{same_day.id} in the store already takes effect "
                f"{release.effective.isoformat()}; {release.id} would take effect the same day",
                file=release.sources[0].name if release.sources else None,
                hint=f"one release is in force per day: to store this file instead, import it "
                     f"with --label {same_day.version} --replace")
        if release.kind is ReleaseKind.CHANGES:
            release = apply_changes(self._base_for(release), release)
        stored = self._write(release, entries, existing)
        return ImportResult("replaced" if existing else "added", stored, existing)

    # ----------------------------------------------------------------- internals

    def _base_for(self, partial: Release) -> Release:
        base = self.latest(partial.system, before=partial.effective)
        if base is None:
            raise StoreError(
                f"{partial.id} lists only changes, and the store {self.root} has no "
                f"{partial.system.label} release before {partial.effective.isoformat()} to "
                "apply them onto",
                file=partial.sources[0].name if partial.sources else None,
                hint="import the full release before it first (the publisher's zip with the "
                     "complete order file)")
        return self.load(base.id)

    def _sweep(self) -> None:
        """Remove what an import killed half-way left (under the lock, so no import is
        writing them): temporary files, and tables no manifest entry names."""
        data = self.root / DATA_DIR
        for tmp in [*self.root.glob(".*.tmp"), *data.glob("*/.*.tmp")]:
            tmp.unlink(missing_ok=True)
        if not data.is_dir():
            return
        in_use = {f for r in self._entries() for f in (r.table_file, r.changes_file) if f}
        for table in data.glob("*/*.parquet"):
            if table.relative_to(self.root).as_posix() not in in_use:
                table.unlink(missing_ok=True)

    def _what_it_has(self) -> str:
        ids = [r.id for r in self.list()]
        if not ids:
            return "the store is empty; add releases with 'updater import FILE'"
        return "the store has: " + ", ".join(ids)

    def _entries(self) -> builtins.list[StoredRelease]:
        if not self.manifest_path.exists():
            return []
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            if data.get("format") != STORE_FORMAT:
                raise ValueError("not an updater release store manifest")
            return [_entry_from_json(item) for item in data["releases"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"the store manifest cannot be read ({exc})",
                             file=self.manifest_path,
                             hint="restore it from a backup, or point --store at another "
                                  "folder") from None

    def _read_table(self, relative: str, condition: Any = None) -> pd.DataFrame:
        path = self.root / relative
        try:
            table = pq.read_table(path, filters=condition)
        except (OSError, pa.ArrowInvalid) as exc:
            raise StoreError(f"a stored table cannot be read ({exc})", file=path,
                             hint="the store is damaged; import the release again with "
                                  "--replace") from None
        frame = table.to_pandas()
        for col in frame.columns:  # every text column comes back as the "str" dtype
            if frame[col].dtype == object:
                frame[col] = frame[col].astype("str")
        return frame

    def _write(self, release: Release, entries: builtins.list[StoredRelease],
               existing: StoredRelease | None) -> StoredRelease:
        """Data files first, the manifest last; on any failure remove what was written."""
        stem = _file_stem(release)
        folder = Path(DATA_DIR) / release.system.value
        table_file = (folder / f"{stem}.parquet").as_posix()
        changes = release.publisher_changes
        changes_file = (folder / f"{stem}.changes.parquet").as_posix() if changes else None
        notes_file = (folder / f"{stem}.notes.parquet").as_posix() if (
            release.notes is not None) else None
        counts = release.table[RECORD].value_counts()
        stored = StoredRelease(
            id=release.id, system=release.system, version=release.version,
            effective=release.effective, format=release.format, kind=ReleaseKind.FULL,
            sources=release.sources,
            codes=int(counts.get(RecordType.CODE.value, 0)),
            headers=int(counts.get(RecordType.HEADER.value, 0)),
            modifiers=int(counts.get(RecordType.MODIFIER.value, 0)),
            imported_at=datetime.now(UTC).isoformat(timespec="seconds"),
            has_publisher_changes=changes is not None,
            publisher_summary=changes.summary if changes else {},
            publisher_source=changes.source if changes else "",
            publisher_files=dict(changes.files) if changes else {},
            applied_onto=release.extra.get(APPLIED_ONTO), extra=dict(release.extra),
            table_file=table_file, changes_file=changes_file, notes_file=notes_file)
        kept = [r for r in entries if r is not existing]
        in_use = {f for r in kept for f in (r.table_file, r.changes_file, r.notes_file) if f}
        written: builtins.list[Path] = []
        try:
            written.append(self._write_parquet(release.table, table_file))
            checkpoint("store.table_written")
            if changes is not None and changes_file is not None:
                written.append(self._write_parquet(changes.entries, changes_file))
                checkpoint("store.changes_written")
            if release.notes is not None and notes_file is not None:
                written.append(self._write_parquet(release.notes, notes_file))
            self._write_manifest([*kept, stored])
            checkpoint("store.manifest_written")
        except BaseException as exc:
            old = ({existing.table_file, existing.changes_file, existing.notes_file}
                   if existing else set())
            for path in written:
                if path.relative_to(self.root).as_posix() not in in_use | old:
                    path.unlink(missing_ok=True)
            if isinstance(exc, OSError | WriteError):
                why = exc.reason if isinstance(exc, WriteError) else exc
                raise StoreError(f"could not write to the store ({why})", file=self.root,
                                 hint="check free space and permissions; the store is "
                                      "unchanged") from exc
            raise
        if existing is not None:  # only now is the old data unreferenced
            for old_file in (existing.table_file, existing.changes_file, existing.notes_file):
                if old_file and old_file not in in_use | {table_file, changes_file, notes_file}:
                    (self.root / old_file).unlink(missing_ok=True)
        return stored

    def _write_parquet(self, frame: pd.DataFrame, relative: str) -> Path:
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        with atomic_path(target, durable=True) as tmp:
            pq.write_table(table, tmp)
        return target

    def _write_manifest(self, entries: Iterable[StoredRelease]) -> None:
        ordered = sorted(entries, key=lambda r: (r.system.value, r.effective, r.version))
        data = {"format": STORE_FORMAT, "version": STORE_FORMAT_VERSION,
                "releases": [_entry_to_json(r) for r in ordered]}
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        self.root.mkdir(parents=True, exist_ok=True)
        with atomic_path(self.manifest_path, durable=True) as tmp:
            tmp.write_text(text, encoding="utf-8")


def _file_stem(release: Release) -> str:
    digest = "".join(sorted(s.sha256 for s in release.sources))[:12] or "nosource"
    return f"{_UNSAFE.sub('_', release.version)}-{digest}"


def _checksums(sources: Iterable[SourceFile]) -> builtins.list[str]:
    return sorted(s.sha256 for s in sources)


def _system_named(name: str) -> CodeSystem | None:
    try:
        return CodeSystem(name.strip().lower())
    except ValueError:
        return None


def _entry_to_json(entry: StoredRelease) -> dict[str, Any]:
    data = asdict(entry)
    data["effective"] = entry.effective.isoformat()
    data["system"] = entry.system.value
    data["kind"] = entry.kind.value
    data["sources"] = [asdict(s) for s in entry.sources]
    return data


def _entry_from_json(data: dict[str, Any]) -> StoredRelease:
    values = dict(data)
    values["system"] = CodeSystem(data["system"])
    values["kind"] = ReleaseKind(data["kind"])
    values["effective"] = date.fromisoformat(data["effective"])
    values["sources"] = tuple(SourceFile(**s) for s in data["sources"])
    return StoredRelease(**values)


def import_line(result: ImportResult, file: str | Path) -> str:
    """``imported icd10cm:FY2025 (effective 2024-10-01, 74260 codes, 23324 headers) from F``."""
    r = result.release
    word = {"added": "imported", "unchanged": "unchanged", "replaced": "replaced"}[result.status]
    counts = [f"{r.codes} codes"] + [f"{n} {what}" for n, what in
                                     ((r.headers, "headers"), (r.modifiers, "modifiers")) if n]
    applied = f"; changes applied onto {r.applied_onto}" if r.applied_onto else ""
    return (f"{word} {r.id} (effective {r.effective.isoformat()}, {', '.join(counts)}{applied}) "
            f"from {file}")


def releases_lines(releases: Sequence[StoredRelease]) -> builtins.list[str]:
    """The store as an aligned table, one release a line."""
    head = ("release", "effective", "codes", "headers", "modifiers", "change list", "imported",
            "file")
    rows = [(r.id, r.effective.isoformat(), str(r.codes), str(r.headers), str(r.modifiers),
             f"applied onto {r.applied_onto}" if r.applied_onto
             else ("publisher's" if r.has_publisher_changes else "none"),
             r.imported_at[:10], ", ".join(Path(s.name).name for s in r.sources))
            for r in releases]
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    numeric = {2, 3, 4}
    return [
        "  ".join(cell.rjust(w) if i in numeric and row is not head else cell.ljust(w)
                  for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
        for row in [head, *rows]]
