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
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from updater.codes import display_codes, normalize_code
from updater.codeshapes import ICD10CM_TYPED, PATTERNS
from updater.errors import UpdaterError
from updater.impact.candidates import (
    candidates_for_step,
    combine_conversion_tables,
    find_conversion_tables,
    read_conversion_table,
)
from updater.model import CODE, LONG, RECORD, SHORT, Release, official_titles
from updater.releases.diff import Diff
from updater.releases.notes import compared, not_compared_reason
from updater.reports.release import (
    expanded_children,
    notes_cells,
    release_inputs,
    title_change,
    title_of,
)
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
NOTE_KINDS = (ChangeKind.NOTES,)  # the instructional notes of a code, header or section
GROUP_OF = {**{k.value: "new" for k in NEW_KINDS}, **{k.value: "gone" for k in GONE_KINDS},
            **{k.value: "changed" for k in CHANGED_KINDS},
            **{k.value: "notes" for k in NOTE_KINDS}}
GROUPS = ("new", "gone", "changed", "notes")
# tabular elements that are not codes: their notes are shown under their own span
_SPANS = (RecordType.CHAPTER.value, RecordType.SECTION.value)


@dataclass(frozen=True)
class CodeRange:
    """Codes whose first characters lie between ``start`` and ``end`` (inclusive)."""

    start: str
    end: str
    text: str  # as the user or the profile wrote it

    def mask(self, codes: pd.Series) -> pd.Series:
        return ((codes.str.slice(0, len(self.start)) >= self.start)
                & (codes.str.slice(0, len(self.end)) <= self.end))

    def overlaps(self, first: pd.Series, last: pd.Series) -> pd.Series:
        """Whether the codes ``first`` .. ``last`` and everything under ``last`` (a header,
        a section ``S50-S59``) share a code with the range: a category's note applies to
        every code beneath it."""
        under = last + "~"  # "~" sorts after every letter and digit
        return ((under.str.slice(0, len(self.start)) >= self.start)
                & (first.str.slice(0, len(self.end)) <= self.end))


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
    notes = (f" {_plural(counts['notes'], 'change')} to instructional notes (includes, "
             "excludes, code first, use additional code ...) to review."
             if counts["notes"] else "")
    if not (new or gone or changed):
        return (f"{release} (effective {diff.new.effective.isoformat()}) changes nothing in "
                f"{scope}: no code is added, deleted or revised.{notes}")
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
    return (text + notes).strip()


def release_candidates(diff: Diff) -> pd.DataFrame:
    """The replacement candidates of the diff's gone codes, from the layer the scan uses
    (:mod:`updater.impact.candidates`): HCPCS XREF, the ICD-10-CM hierarchy and the CDC conversion
    table shipped beside the new release (found as ``updater scan`` finds it)."""

    tables: list[Path] = []
    if diff.new.system is CodeSystem.ICD10CM:
        folders = {Path(s.name.split("!", 1)[0]).resolve().parent for s in diff.new.sources}
        tables = [t for f in sorted(folders) if f.is_dir() for t in find_conversion_tables(f)]
    conversion = (combine_conversion_tables([read_conversion_table(t) for t in tables])
                  if tables else None)
    return candidates_for_step(diff.old, diff.new, diff, conversion=conversion)


def successor_lists(codes: pd.Series, candidates: pd.DataFrame, new: Release
                    ) -> list[Markup]:
    """For each gone code (``codes``, one per row): what to use instead, each successor
    code with its official title in the new release and how it relates, or that no
    successor is named; escaped, built a column at a time."""
    c = candidates[candidates["old_code"].isin(codes)]
    named = c[(c["new_code"] != "") & (c["relation"] != "none")]
    named = named.drop_duplicates(["old_code", "new_code"])
    titles = official_titles(new.table)
    shown = display_codes(named["new_code"], new.system)
    title = named["new_code"].map(titles).fillna("").astype(str)
    items = ("<li><code>" + shown.map(lambda v: str(escape(v))) + "</code> "
             + title.map(lambda v: str(escape(v))) + ' <span class="muted">('
             + named["relation"].map(lambda v: str(escape(v))) + ", "
             + named["source"].map(lambda v: str(escape(v))) + ")</span></li>")
    lists = items.groupby(named["old_code"].to_numpy()).agg("".join)
    none = c[c["relation"] == "none"].drop_duplicates("old_code").set_index("old_code")
    out = []
    for code in codes:
        if code in lists.index:
            out.append(Markup('<span class="muted">use instead:</span><ul class="children">')
                       + Markup(lists[code]) + Markup("</ul>"))
        elif code in none.index:
            out.append(Markup('<span class="muted">no successor: </span>')
                       + escape(none.at[code, "source"]))
        else:
            out.append(Markup(""))
    return out


def training_context(diff: Diff, *, focus: str | None = None,
                     specialty: str | None = None,
                     candidates: pd.DataFrame | None = None) -> dict[str, Any]:
    """Everything the training template shows, as plain data. ``candidates`` (the change
    set's, :mod:`updater.impact.candidates`) say what to use instead of a gone code; by default they
    are built from the diff (:func:`release_candidates`)."""
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
    is_notes = ch["kind"] == ChangeKind.NOTES.value
    wanted = ch["kind"].isin(list(GROUP_OF)) & (
        (ch[RECORD] != RecordType.HEADER.value) | (ch["kind"] == ChangeKind.REVISED.value)
        | is_notes)
    # an expanded code is shown once, as expanded with its children, not also as deleted
    expanded = ch.loc[ch["kind"] == ChangeKind.EXPANDED.value, CODE]
    wanted &= ~((ch["kind"] == ChangeKind.DELETED.value) & ch[CODE].isin(expanded))
    # a title fixed in whitespace or letter case only is nothing to train coders on
    wanted &= ~((ch["kind"] == ChangeKind.REVISED.value) & ch["cosmetic"].eq(True))
    if ranges:
        inside = pd.Series(False, index=ch.index)
        first, last = ch[CODE].str.split("-").str[0], ch[CODE].str.split("-").str[-1]
        for r in ranges:
            inside |= r.mask(ch[CODE]).where(~is_notes, r.overlaps(first, last))
        wanted &= inside
    rows_df = ch[wanted].copy()
    rows_df["group"] = rows_df["kind"].map(GROUP_OF)
    rows_df["category"] = category_of(rows_df[CODE], system).mask(
        rows_df[RECORD] == RecordType.MODIFIER.value, "Modifiers")
    spans = rows_df[RECORD].isin(_SPANS)
    rows_df["category"] = rows_df["category"].mask(spans, rows_df[CODE])
    rows_df["category_label"] = _category_titles(rows_df["category"], diff).mask(
        spans, rows_df[CODE] + " " + title_of(rows_df["new_long"], rows_df["old_long"]))
    counts = {g: int((rows_df["group"] == g).sum()) for g in GROUPS}
    counts["expanded"] = int((rows_df["kind"] == ChangeKind.EXPANDED.value).sum())
    counts["categories"] = int(rows_df["category"].nunique())

    rows_df["title"] = title_of(rows_df["new_long"], rows_df["new_short"])
    old_title = title_of(rows_df["old_long"], rows_df["old_short"])
    gone = rows_df["group"] == "gone"
    rows_df.loc[gone, "title"] = old_title[gone]
    records = rows_df.to_dict(orient="records")
    kids = expanded_children(rows_df, diff.new)
    if gone.any() and candidates is None:
        candidates = release_candidates(diff)
    instead = (successor_lists(rows_df[CODE], candidates, diff.new)
               if gone.any() and candidates is not None else [Markup("")] * len(rows_df))
    for row, child, use in zip(records, kids, instead, strict=True):
        if row["kind"] == ChangeKind.REVISED.value:
            row["detail"] = title_change(row)
        elif row["kind"] == ChangeKind.EXPANDED.value:
            row["title"] = row["old_long"] or row["old_short"]
            row["detail"] = Markup('<span class="muted">now a header; use:</span>') + child
        elif row["kind"] == ChangeKind.NOTES.value:
            note_type, removed, added = notes_cells(row["fields"])
            row["title"] = row["title"] or row["old_long"]
            row["detail"] = (Markup('<span class="muted">{}:</span>').format(note_type)
                             + removed + added)
        elif row["group"] == "gone":
            note = escape(row["note"] or "")
            row["detail"] = note + (Markup("<br>") if note and use else Markup("")) + use
        else:
            row["detail"] = row["note"]
    order = {g: i for i, g in enumerate(GROUPS)}
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
                  *([{"key": "notes", "label": "note changes", "value": counts["notes"],
                      "cls": "notes"}] if compared(diff.old, diff.new) else []),
                  {"key": "categories", "label": "categories", "value": counts["categories"]}],
        "counts": counts, "categories": categories,
        "notes_status": not_compared_reason(diff.old, diff.new),
    }


def training_report(diff: Diff, *, focus: str | None = None, specialty: str | None = None,
                    inputs: list[str] | None = None,
                    candidates: pd.DataFrame | None = None) -> str:
    """The coder-training report as one self-contained, printable HTML page."""
    sources = inputs if inputs is not None else release_inputs(diff)
    return render("training.html.j2", inputs=sources,
                  **training_context(diff, focus=focus, specialty=specialty,
                                     candidates=candidates))
