"""Turning what the user typed (a store id or a file path) into releases to diff."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from updater.model import Release
from updater.releases.changes_only import apply_changes
from updater.releases.diff import Diff, diff_releases
from updater.releases.readers import ReadOptions, load_release
from updater.releases.store import ReleaseStore
from updater.vocabulary import ReleaseKind


def looks_like_id(spec: str) -> bool:
    return ":" in spec and not Path(spec).exists() and "/" not in spec and "\\" not in spec


_READ: dict[tuple[object, ...], Release] = {}  # release files read in this process


def resolve_side(spec: str, store_root: Path, options: ReadOptions) -> Release:
    """A store id (``icd10cm:FY2025``) from the store, anything else read from disk (once
    per process for an unchanged file: a scan asks for the same release twice)."""
    if looks_like_id(spec):
        return ReleaseStore(store_root).load(spec)
    path = Path(spec)
    stat = path.stat() if path.is_file() else None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, options) if stat else None
    if key is not None and key in _READ:
        return _READ[key]
    release = load_release(spec, options)[0]
    if key is not None:
        if len(_READ) >= 8:
            _READ.clear()
        _READ[key] = release
    return release


def resolve_pair(old_spec: str, new_spec: str, store_root: Path,
                 options: ReadOptions, *, new_options: ReadOptions | None = None,
                 reverse: bool = False) -> tuple[Release, Release, list[Release]]:
    """OLD and NEW releases, plus the stored releases between them when both are store ids
    (in the order of the diff: newest first when ``reverse``).

    ``options`` describe OLD, and NEW too unless ``new_options`` are given. A NEW that
    lists only changes (an addenda file) is applied onto OLD.
    """
    # the two sides load in parallel: unzipping and Arrow's column kernels release the GIL
    with ThreadPoolExecutor(max_workers=2) as pool:
        old_job = pool.submit(resolve_side, old_spec, store_root, options)
        new_job = pool.submit(resolve_side, new_spec, store_root, new_options or options)
        old, new = old_job.result(), new_job.result()
    if new.kind is ReleaseKind.CHANGES:
        new = apply_changes(old, new)
    steps: list[Release] = []
    if looks_like_id(old_spec) and looks_like_id(new_spec):
        store = ReleaseStore(store_root)
        first, last = sorted((old.effective, new.effective))
        steps = [store.load(s.id) for s in store.between(old.system, first, last)]
        if reverse:
            steps.reverse()
    return old, new, steps


def diff_specs(old_spec: str, new_spec: str, store_root: Path, options: ReadOptions, *,
               new_options: ReadOptions | None = None, reverse: bool = False) -> Diff:
    """``updater diff OLD NEW`` as a library call: both sides resolved (store ids or
    files), and diffed through the stored releases between them. OLD must be the older
    release unless ``reverse``."""
    old, new, steps = resolve_pair(old_spec, new_spec, store_root, options,
                                   new_options=new_options, reverse=reverse)
    return diff_releases(old, new, steps=steps, reverse=reverse)
