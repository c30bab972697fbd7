"""A change set: one code system's old and new release, the diff between them and the
replacement candidates, built once and shared by scan, plan and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from updater.errors import UpdaterError
from updater.impact.candidates import (
    SkippedRow,
    build_candidates,
    combine_conversion_tables,
    find_conversion_tables,
    read_conversion_table,
)
from updater.model import Release
from updater.releases.diff import Diff, diff_releases
from updater.releases.lookup import looks_like_id, resolve_pair
from updater.releases.readers import ReadOptions
from updater.vocabulary import CodeSystem


@dataclass
class ChangeSet:
    system: CodeSystem
    old: Release
    new: Release
    diff: Diff
    candidates: pd.DataFrame  # see updater.impact.candidates
    steps: list[Release] = field(default_factory=list)
    # what the user should know about how it was built, one line each (rows of a
    # conversion table that could not be read and were skipped)
    notes: list[str] = field(default_factory=list)
    # the store whose history says when a code in neither release was deleted, and the
    # conversion table(s) the candidates came from (ICD-10-CM), for those older steps
    store: Path | None = None
    conversion: pd.DataFrame | None = None

    @property
    def label(self) -> str:
        return f"{self.system.label} {self.old.version} -> {self.new.version}"


def _conversion_tables_near(spec: str, release: Release, store: Path) -> list[Path]:
    """CDC conversion tables shipped beside the release file (or the file it was imported
    from), so users get the authoritative map without naming it."""
    folders = []
    if not looks_like_id(spec):
        folders.append(Path(spec).resolve().parent)
    folders += [Path(s.name).resolve().parent for s in release.sources]
    found: list[Path] = []
    for folder in dict.fromkeys(folders):
        if folder.is_dir():
            found += [p for p in find_conversion_tables(folder) if p not in found]
    return found


def build_change_sets(
    pairs: list[tuple[str, str]],
    *,
    store: Path,
    options: ReadOptions | None = None,
    conversion_tables: list[Path] = (),  # type: ignore[assignment]
    user_maps: list[Path] = (),  # type: ignore[assignment]
    overrides: list[Path] = (),  # type: ignore[assignment]
) -> list[ChangeSet]:
    """One change set per ``(old, new)`` pair; at most one per code system."""
    options = options or ReadOptions()
    sets: dict[CodeSystem, ChangeSet] = {}
    for old_spec, new_spec in pairs:
        old, new, steps = resolve_pair(old_spec, new_spec, store, options)
        if old.system in sets:
            raise UpdaterError(f"two change sets for {old.system.label} ({sets[old.system].label} "
                               f"and {old.version} -> {new.version})",
                               hint="give one --from/--to pair per code system")
        diff = diff_releases(old, new, steps=steps)
        tables = list(conversion_tables)
        if old.system is CodeSystem.ICD10CM and not tables:
            tables = _conversion_tables_near(new_spec, new, store)
        chain = [old, *steps, new]
        skipped: list[SkippedRow] = []
        conversion = combine_conversion_tables(
            [read_conversion_table(p, skipped=skipped) for p in tables]
        ) if tables and old.system is CodeSystem.ICD10CM else None
        candidates = build_candidates(chain, None if steps else [diff],
                                      conversion_tables=[] if conversion is None
                                      else [conversion], user_maps=list(user_maps),
                                      overrides=list(overrides))
        sets[old.system] = ChangeSet(old.system, old, new, diff, candidates, steps,
                                     notes=[str(s) for s in skipped], store=store,
                                     conversion=conversion)
    return list(sets.values())
