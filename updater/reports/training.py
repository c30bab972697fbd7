"""The coder-training report: what is new, gone and changed in the codes a specialty
works with, grouped by category, with a short summary written from the data.

The focus is a list of code ranges (``M00-M99,S00-T88``; ``27000-27899``;
``L0000-L9999``) or a specialty profile from ``specialties.toml``. A code is in a range
when its first characters fall between the bounds, so ``M00-M99`` holds ``M17.11``.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

import pandas as pd
from markupsafe import Markup

from updater.codes import normalize_code
from updater.codeshapes import ICD10CM_TYPED, PATTERNS
from updater.diff import Diff
from updater.errors import UpdaterError
from updater.model import CODE, LONG, RECORD, SHORT
from updater.reports.release import expanded_children, release_inputs, title_change, title_of
from updater.reports.render import render
from updater.reports.sections import category_of
from updater.vocabulary import ChangeKind, CodeSystem, RecordType

# the shape of a range bound, per code set (normalized: upper case, no dot)
BOUND_SHAPES = {system: re.compile(pattern) for system, pattern in
                {**PATTERNS, CodeSystem.ICD10CM: ICD10CM_TYPED}.items()}
RANGE_EXAMPLES = "e.g. M00-M99,S00-T88 (ICD-10-CM), 27000-27899 (CPT), L0000-L9999 (HCPCS)"

# what a coder is told about each kind of change, by the group it falls in
NEW_KINDS = (ChangeKind.ADDED,)
GONE_KINDS = (ChangeKind.DELETED, ChangeKind.TERMINATED)
CHANGED_KINDS = (ChangeKind.REVISED, ChangeKind.EXPANDED)
GROUP_OF = {**{k.value: "new" for k in NEW_KINDS}, **{k.value: "gone" for k in GONE_KINDS},
            **{k.value: "changed" for k in CHANGED_KINDS}}


@dataclass(frozen=True)
class CodeRange:
    """Codes whose first characters lie between ``start`` and ``end`` (inclusive)."""

    start: str
    end: str
    text: str  # as the user or the profile wrote it

    def mask(self, codes: pd.Series) -> pd.Series:
        return ((codes.str.slice(0, len(self.start)) >= self.start)
                & (codes.str.slice(0, len(self.end)) <= self.end))


def _systems_of(bound: str) -> set[CodeSystem]:
    return {s for s, shape in BOUND_SHAPES.items() if shape.fullmatch(bound)}


def parse_ranges(text: str, system: CodeSystem, *, what: str = "--focus") -> list[CodeRange]:
    """The ranges of ``system`` in a comma-separated list; ranges of other code sets are
    left out (one list may hold ICD-10-CM and CPT ranges), malformed ones are an error."""
    found: list[CodeRange] = []
    pieces = [p.strip() for p in text.split(",") if p.strip()]
    if not pieces:
        raise UpdaterError(f"{what} is empty", hint=f"give code ranges, {RANGE_EXAMPLES}")
    for piece in pieces:
        ends = [normalize_code(e) for e in piece.split("-")]
        if len(ends) == 1:
            ends = ends * 2
        if len(ends) != 2 or not all(ends):
            raise UpdaterError(f"bad code range {piece!r} in {what}",
                               hint=f"write FIRST-LAST, {RANGE_EXAMPLES}")
        start, end = ends
        systems = _systems_of(start) & _systems_of(end)
        if not systems:
            raise UpdaterError(f"bad code range {piece!r} in {what}: not an ICD-10-CM, CPT or "
                               "HCPCS code range", hint=RANGE_EXAMPLES)
        if start[:len(end)] > end:
            raise UpdaterError(f"bad code range {piece!r} in {what}: {start} comes after {end}",
                               hint="write the lower code first")
        if system in systems:
            found.append(CodeRange(start, end, piece))
    if not found:
        raise UpdaterError(f"{what} {text!r} has no {system.label} code ranges",
                           hint=RANGE_EXAMPLES)
    return found


@functools.cache
def _profiles() -> dict[str, dict[str, Any]]:
    """The shipped profiles, read once per process (callers must not change them)."""
    text = resources.files("updater.reports").joinpath("specialties.toml").read_text("utf-8")
    return tomllib.loads(text)


def list_specialties() -> list[str]:
    """The specialty profiles shipped with updater, by name."""
    return sorted(_profiles())


def _key(name: str) -> str:
    return " ".join(name.lower().replace("-", " ").replace("_", " ").split())


def is_specialty(name: str) -> bool:
    """Whether ``name`` names a shipped profile, as ``--specialty`` reads it."""
    return _key(name) in _profiles()


def specialty_profile(name: str) -> dict[str, Any]:
    """A specialty's profile (title and ranges per code set); case, ``-`` and ``_`` do not
    matter in the name."""
    profiles = _profiles()
    profile = profiles.get(_key(name))
    if profile is None:
        raise UpdaterError(f"unknown specialty {name!r}",
                           hint=f"choose one of: {', '.join(sorted(profiles))}")
    return profile


def check_request(focus: str | None, specialty: str | None) -> None:
    """The mistakes that need no release to find: both given, an unknown specialty."""
    if focus and specialty:
        raise UpdaterError("give --focus or --specialty, not both",
                           hint="--focus takes your own code ranges")
    if specialty:
        specialty_profile(specialty)


def specialty_ranges(name: str, system: CodeSystem) -> tuple[str, list[CodeRange]]:
    """A specialty's title and its ranges in ``system``."""
    profile = specialty_profile(name)
    ranges = profile.get(system.value, [])
    if not ranges:
        raise UpdaterError(f"the {_key(name)} profile has no {system.label} ranges",
                           hint="give --focus with your own ranges")
    return str(profile.get("title", name)), parse_ranges(",".join(ranges), system,
                                                         what=f"specialty {_key(name)}")


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _category_titles(categories: pd.Series, diff: Diff) -> pd.Series:
    """ICD-10-CM: each 3-character category with its title from the newer release (the
    older one for a category that is gone); others are already named ranges."""
    if diff.new.system is not CodeSystem.ICD10CM:
        return categories
    found = []
    for release in (diff.new, diff.old):
        t = release.table
        rows = t[t[CODE].isin(categories.unique())].drop_duplicates(CODE)
        found.append(pd.Series(title_of(rows[LONG], rows[SHORT]).to_numpy(),
                               index=rows[CODE]))
    titles = pd.concat(found)
    titles = titles[~titles.index.duplicated()]
    named = categories.map(titles.astype(object)).astype(object).fillna("")
    return categories.where(named == "", categories + " " + named)


def _summary_text(diff: Diff, scope: str, groups: pd.DataFrame, counts: dict[str, int]) -> str:
    """A few sentences a trainer would say first: how much changed and where most of it is."""
    release = f"{diff.new.system.label} {diff.new.version}"
    new, gone, changed = counts["new"], counts["gone"], counts["changed"]
    if not (new or gone or changed):
        return (f"{release} (effective {diff.new.effective.isoformat()}) changes nothing in "
                f"{scope}: no code is added, deleted or revised.")
    text = f"{release} (effective {diff.new.effective.isoformat()}) brings "
    if new:
        text += f"{_plural(new, 'new code')} in {scope}"
        top = (groups[groups["group"] == "new"].groupby("category_label", sort=False).size()
               .sort_values(ascending=False, kind="stable"))
        if len(top) > 1 and top.iloc[0] > 1:
            named = [f"{label} ({n})" for label, n in top[top > 1].head(3).items()]
            shown = ", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0]
            text += f", most of them in {shown}"
        elif len(top) == 1:
            text += f", all in {top.index[0]}"
        text += ". "
    else:
        text += f"no new codes in {scope}. "
    rest = []
    if gone:
        rest.append(f"{_plural(gone, 'code')} {'is' if gone == 1 else 'are'} gone")
    if changed:
        expanded = counts["expanded"]
        part = f"{_plural(changed, 'code')} changed"
        if expanded:
            part += (f" ({expanded:,} now {'a header' if expanded == 1 else 'headers'} with "
                     "new, more specific codes to use instead)")
        rest.append(part)
    if rest:
        sentence = " and ".join(rest)
        text += sentence[0].upper() + sentence[1:] + "."
    return text.strip()


def training_context(diff: Diff, *, focus: str | None = None,
                     specialty: str | None = None) -> dict[str, Any]:
    """Everything the training template shows, as plain data."""
    system = diff.new.system
    check_request(focus, specialty)
    if specialty:
        scope, ranges = specialty_ranges(specialty, system)
        scope = scope.lower()
    elif focus:
        ranges = parse_ranges(focus, system)
        scope = ", ".join(r.text for r in ranges)
    else:
        ranges, scope = [], f"all of {system.label}"
    ch = diff.changes
    wanted = ch["kind"].isin(list(GROUP_OF)) & (
        (ch[RECORD] != RecordType.HEADER.value) | (ch["kind"] == ChangeKind.REVISED.value))
    # an expanded code is shown once, as expanded with its children, not also as deleted
    expanded = ch.loc[ch["kind"] == ChangeKind.EXPANDED.value, CODE]
    wanted &= ~((ch["kind"] == ChangeKind.DELETED.value) & ch[CODE].isin(expanded))
    if ranges:
        inside = pd.Series(False, index=ch.index)
        for r in ranges:
            inside |= r.mask(ch[CODE])
        wanted &= inside
    rows_df = ch[wanted].copy()
    rows_df["group"] = rows_df["kind"].map(GROUP_OF)
    rows_df["category"] = category_of(rows_df[CODE], system).mask(
        rows_df[RECORD] == RecordType.MODIFIER.value, "Modifiers")
    rows_df["category_label"] = _category_titles(rows_df["category"], diff)
    counts = {g: int((rows_df["group"] == g).sum()) for g in ("new", "gone", "changed")}
    counts["expanded"] = int((rows_df["kind"] == ChangeKind.EXPANDED.value).sum())
    counts["categories"] = int(rows_df["category"].nunique())

    rows_df["title"] = title_of(rows_df["new_long"], rows_df["new_short"])
    old_title = title_of(rows_df["old_long"], rows_df["old_short"])
    gone = rows_df["group"] == "gone"
    rows_df.loc[gone, "title"] = old_title[gone]
    records = rows_df.to_dict(orient="records")
    kids = expanded_children(rows_df, diff.new)
    for row, child in zip(records, kids, strict=True):
        if row["kind"] == ChangeKind.REVISED.value:
            row["detail"] = title_change(row)
        elif row["kind"] == ChangeKind.EXPANDED.value:
            row["title"] = row["old_long"] or row["old_short"]
            row["detail"] = Markup('<span class="muted">now a header; use:</span>') + child
        else:
            row["detail"] = row["note"]
    order = {"new": 0, "gone": 1, "changed": 2}
    categories = []
    for (category, label), group in pd.DataFrame({
            "category": rows_df["category"], "label": rows_df["category_label"],
            "i": range(len(rows_df))}).groupby(["category", "label"], sort=True):
        rows = sorted((records[i] for i in group["i"]),
                      key=lambda r: (order[r["group"]], r["code"]))
        categories.append({
            "category": category, "label": label, "rows": rows,
            "counts": {g: sum(1 for r in rows if r["group"] == g) for g in order}})
    return {
        "system": system.value, "system_label": system.label, "old": diff.old,
        "new": diff.new, "steps": diff.steps, "scope": scope,
        "ranges": [r.text for r in ranges],
        "summary_text": _summary_text(diff, scope, rows_df, counts),
        "cards": [{"key": "new", "label": "new codes", "value": counts["new"], "cls": "added"},
                  {"key": "gone", "label": "codes gone", "value": counts["gone"],
                   "cls": "deleted"},
                  {"key": "changed", "label": "codes changed", "value": counts["changed"],
                   "cls": "revised"},
                  {"key": "categories", "label": "categories", "value": counts["categories"]}],
        "counts": counts, "categories": categories,
    }


def training_report(diff: Diff, *, focus: str | None = None, specialty: str | None = None,
                    inputs: list[str] | None = None) -> str:
    """The coder-training report as one self-contained, printable HTML page."""
    sources = inputs if inputs is not None else release_inputs(diff)
    return render("training.html.j2", inputs=sources,
                  **training_context(diff, focus=focus, specialty=specialty))
