"""The inbox: publisher files dropped in a folder, imported into the release store by
``updater run`` (and listed by ``updater check``).

A file already stored is a no-op (known by its checksum); nothing in the inbox is moved or
changed; a file that cannot be read is reported with its reason and the others still go
in; a file read with another one of the same release (MEDU.txt beside LONGULF.txt, CMS's
transaction report beside its HCPCS file) is "included"; a CDC conversion table in the
inbox is used for ICD-10-CM candidates, not imported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from updater.errors import UpdaterError
from updater.files.locking import LockedError
from updater.files.output import file_sha256
from updater.impact.candidates.conversion import looks_like_conversion_table
from updater.model import Release
from updater.releases.readers import load_release
from updater.releases.store import ReleaseStore
from updater.vocabulary import ReleaseKind

Progress = Callable[[str, int, int], None]
_SKIPPED_NAMES = re.compile(r"^(\.|~\$)|^readme(\.|$)", re.IGNORECASE)


def no_progress(step: str, done: int, total: int) -> None:
    """The ``Progress`` of a caller that shows none."""
    return None


@dataclass
class InboxFile:
    """What the run did with one file in the inbox."""

    file: str
    # added, unchanged, replaced, included (read with another file of the same release:
    # MEDU.txt beside LONGULF.txt, LONGULT.txt when LONGULF.txt was read), conversion_table,
    # unreadable, refused
    status: str
    release: str = ""  # store id
    message: str = ""  # the one-line reason for an unreadable file

    def to_dict(self) -> dict[str, str]:
        return {"file": self.file, "status": self.status, "release": self.release,
                "message": self.message}


def inbox_files(inbox: Path) -> list[Path]:
    """The files waiting in the inbox (sub-folders too), by name; hidden files, Excel lock
    files and READMEs are not publisher files."""
    if not inbox.is_dir():
        return []
    return sorted((p for p in inbox.rglob("*") if p.is_file()
                   and not any(_SKIPPED_NAMES.search(part)
                               for part in p.relative_to(inbox).parts)),
                  key=lambda p: p.relative_to(inbox).as_posix())


def _same_content(a: Release, b: Release) -> bool:
    """The same release read from two files: same kind and the same codes and titles."""
    if a.kind is not b.kind or len(a.table) != len(b.table):
        return False
    columns = [c for c in ("code", "record", "short", "long") if c in a.table.columns
               and c in b.table.columns]
    left = a.table[columns].sort_values("code", kind="stable").reset_index(drop=True)
    right = b.table[columns].sort_values("code", kind="stable").reset_index(drop=True)
    return bool(left.equals(right))


def _stored_alike(store: ReleaseStore, release: Release) -> bool:
    """The store already holds this release, read from another file with the same codes
    and titles."""
    try:
        return _same_content(store.load(release.id), release)
    except UpdaterError:
        return False


def import_inbox(store: ReleaseStore, files: Sequence[Path], *,
                 progress: Progress = no_progress) -> tuple[list[InboxFile], list[Path]]:
    """Each file read and imported (a change list after the full release it follows);
    returns what happened to each file and the conversion tables found among them."""
    done: list[InboxFile] = []
    tables: list[Path] = []
    loaded = []
    total = len(files) * 2
    # a file stored before is known by its checksum, without parsing it again (a
    # companion file read with another, like MEDU.txt, is known the same way)
    stored = {s.sha256: r.id for r in store.list() for s in r.sources}
    failed: list[tuple[Path, str | None, str]] = []
    for i, path in enumerate(files, start=1):
        progress("import", i, total)
        if path.suffix.lower() in (".xlsx", ".xlsm") and looks_like_conversion_table(path):
            tables.append(path)
            done.append(InboxFile(str(path), "conversion_table"))
            continue
        checksum: str | None = None
        try:
            checksum = file_sha256(path)
            known = stored.get(checksum)
            if known is not None:
                done.append(InboxFile(str(path), "unchanged", release=known))
                continue
            loaded.append((load_release(path)[0], path, checksum))
        except (UpdaterError, OSError) as exc:
            message = (_one_line(exc, path) if isinstance(exc, UpdaterError)
                       else f"cannot be read ({exc.strerror or exc})")
            failed.append((path, checksum, message))
    # a file that is no release by itself but was read with one (CMS's transaction report
    # beside its HCPCS file) is part of that release, not unreadable
    part_of = {s.sha256: (r.id, p) for r, p, _ in loaded for s in r.sources}
    for bad, bad_sha, message in failed:
        if bad_sha in part_of and part_of[bad_sha][1] != bad:
            release_id, read_by = part_of[bad_sha]
            done.append(InboxFile(str(bad), "included", release=release_id,
                                  message=f"read with {read_by.name}"))
        else:
            done.append(InboxFile(str(bad), "unreadable", message=message))
    # oldest first, a full release before a change list of the same day; a release read
    # from several files first, so its companions are recognised below
    loaded.sort(key=lambda rp: (rp[0].system.value, rp[0].effective,
                                rp[0].kind is ReleaseKind.CHANGES, -len(rp[0].sources)))
    first: dict[str, tuple[Release, Path]] = {}
    read_with: dict[str, Path] = {}  # checksum of every file a release here was read from
    for i, (release, path, sha) in enumerate(loaded, start=len(files) + 1):
        progress("import", i, total)
        same = first.get(release.id)
        companion = read_with.get(sha)
        if companion is None and same is not None and _same_content(same[0], release):
            companion = same[1]
        if companion is not None:
            # a file of a release already read from this inbox: the CPT data files read
            # as a set (MEDU.txt beside LONGULF.txt), or the HCPCS .txt beside its .xlsx
            done.append(InboxFile(str(path), "included", release=release.id,
                                  message=f"read with {companion.name}"))
            continue
        first.setdefault(release.id, (release, path))
        read_with |= {s.sha256: path for s in release.sources}
        try:
            result = store.import_release(release)
        except LockedError:
            raise  # another updater is importing: stop here, nothing is half done
        except UpdaterError as exc:
            if _stored_alike(store, release):  # LONGULT.txt after LONGULF.txt was stored
                done.append(InboxFile(str(path), "unchanged", release=release.id,
                                      message="the stored release, read from another file"))
            else:
                done.append(InboxFile(str(path), "refused", message=_one_line(exc, path)))
            continue
        done.append(InboxFile(str(path), result.status, release=result.release.id))
    order = {str(p): i for i, p in enumerate(files)}
    done.sort(key=lambda f: order.get(f.file, len(order)))
    return done, tables


def _one_line(exc: UpdaterError, path: Path) -> str:
    """The error without the file name it starts with (the report names the file)."""
    text = str(exc)
    for prefix in (f"{exc.file}, ", f"{exc.file}: "):
        if exc.file and text.startswith(prefix):
            return text[len(prefix):]
    return text
