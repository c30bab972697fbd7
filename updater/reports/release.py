"""The release change report: what a compliance reviewer signs off on before a new code
set goes live. The publisher-style summary, the check against the publisher's own change
list, changes by chapter or section, and every added, deleted, revised and expanded code.

The page is built from ``Diff`` alone (its summary and change rows), so the numbers in it
are the numbers ``updater diff`` prints.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from updater.codes import display_codes
from updater.model import CODE, LONG, RECORD, SHORT, Release, title_of
from updater.releases.diff import Diff
from updater.releases.diff_text import SUMMARY_ROWS
from updater.releases.notes import not_compared_reason
from updater.releases.verify import Verification
from updater.reports.render import render, word_diff
from updater.reports.sections import section_of, sections_for
from updater.vocabulary import ChangeKind, CodeSystem, NoteType, RecordType

# the kinds drawn in the chart, stacked, in the publisher's order
CHART_KINDS = (ChangeKind.ADDED, ChangeKind.DELETED, ChangeKind.REVISED, ChangeKind.TERMINATED)


def release_inputs(diff: Diff) -> list[str]:
    """The releases a report was made from, for its footer."""
    return [f"{r.id} ({r.effective.isoformat()}): "
            f"{', '.join(s.name for s in r.sources) or r.format}" for r in (diff.old, diff.new)]


def summary_rows(diff: Diff) -> tuple[list[str], list[dict[str, Any]]]:
    """The blocks (codes, headers, modifiers) and the rows of the publisher-style summary,
    the same rows ``updater diff`` prints."""
    blocks: list[str] = [b for b in ("codes", "headers", "modifiers") if b in diff.summary]
    if "headers" in blocks and not any(diff.summary["headers"].values()):
        blocks.remove("headers")
    rows: list[dict[str, Any]] = [{"key": "in_old", "label": f"in {diff.old.version}"},
            {"key": "in_new", "label": f"in {diff.new.version}"}]
    for key, label in SUMMARY_ROWS:
        values = [diff.summary[b].get(key) for b in blocks]
        if key not in ("added", "deleted", "revised") and not any(values):
            continue
        rows.append({"key": key, "label": label.strip(), "indent": label.startswith(" ")})
    for row in rows:
        row["values"] = {b: diff.summary[b].get(row["key"]) for b in blocks}
    return blocks, rows


def cards(diff: Diff) -> list[dict[str, Any]]:
    """The headline counts (codes block) as cards."""
    codes = diff.summary["codes"]
    out = [{"key": f"codes-{k}", "label": f"codes {k}", "value": codes[k], "cls": k}
           for k in ("added", "deleted", "revised")]
    for k in ("expanded", "terminated", "reinstated"):
        if codes.get(k):
            out.append({"key": f"codes-{k}", "label": f"codes {k}", "value": codes[k],
                        "cls": k})
    headers = diff.summary.get("headers", {})
    for k in ("added", "deleted", "revised"):
        if headers.get(k):
            out.append({"key": f"headers-{k}", "label": f"headers {k}", "value": headers[k]})
    if "modifiers" in diff.summary:
        mods = diff.summary["modifiers"]
        for k in ("added", "deleted", "revised"):
            if mods.get(k):
                out.append({"key": f"modifiers-{k}", "label": f"modifiers {k}",
                            "value": mods[k]})
    if "notes" in diff.summary:
        out.append({"key": "notes-changed", "label": "instructional notes changed",
                    "value": diff.summary["notes"]["changed"], "cls": "notes"})
    return out


def note_type_label(note_type: str) -> str:
    """``excludes1`` -> ``Excludes1``; a note type the CDC adds later keeps its own name."""
    try:
        return NoteType(note_type).label
    except ValueError:
        return note_type


def _note_list(texts: list[str], tag: str) -> Markup:
    if not texts:
        return Markup("")
    items = "".join(f"<li><{tag}>{escape(t)}</{tag}></li>" for t in texts)
    return Markup(f'<ul class="notes">{items}</ul>')


def notes_cells(fields: Any) -> tuple[str, Markup, Markup]:
    """A ``notes`` change row's note type (for people), and its removed and added notes
    as lists (each note escaped)."""
    if not isinstance(fields, dict) or not fields:
        return "", Markup(""), Markup("")
    note_type, texts = next(iter(fields.items()))
    return (note_type_label(str(note_type)), _note_list(list(texts.get("removed", [])), "del"),
            _note_list(list(texts.get("added", [])), "ins"))


def verification_context(v: Verification) -> dict[str, Any]:
    """One publisher check as plain data for the template."""
    return {
        "against": v.against, "ok": v.ok, "checked": v.checked,
        "line_by_line": not v.unverifiable, "note": v.unverifiable,
        "unexplained": len(v.unexplained), "explained": len(v.disagreements) - len(v.unexplained),
        "summary": [{"what": w, "publisher": p, "computed": c, "agrees": p == c,
                     "explanation": v.summary_explanations.get(w, "")}
                    for w, p, c in v.summary_checks],
        "disagreements": [{"code": d.code, "record": d.record, "line": d.line,
                           "message": d.message, "explained": "yes" if d.explained else "no",
                           "explanation": d.explanation}
                          for d in sorted(v.disagreements, key=lambda d: d.explained)],
    }


def chart(changes: pd.DataFrame, system: CodeSystem) -> list[dict[str, Any]]:
    """Changed codes (not headers) per chapter or section, stacked by kind, in code order."""
    codes = changes[(changes[RECORD] == RecordType.CODE.value)
                    & changes["kind"].isin([k.value for k in CHART_KINDS])]
    if codes.empty:
        return []
    counts = (pd.crosstab(section_of(codes[CODE], system), codes["kind"])
              .reindex(columns=[k.value for k in CHART_KINDS], fill_value=0))
    order = [s.label for s in sections_for(system)]
    labels = [s for s in order if s in counts.index]
    labels += sorted(set(counts.index) - set(labels))
    rows = []
    for label, values in zip(labels, counts.loc[labels].to_numpy().tolist(), strict=True):
        parts = [{"kind": str(k), "value": int(v)} for k, v in zip(counts.columns, values,
                                                                 strict=True)]
        rows.append({"label": label, "value": int(sum(values)), "parts": parts})
    return rows


def expanded_children(changes: pd.DataFrame, new: Release) -> list[Markup]:
    """An expanded code's new billable children as a list with their titles (escaped):
    all children exploded into one column, displayed and titled at once."""
    kids = changes["children"].fillna("").str.split(", ").explode()
    kids = kids[kids.astype(bool)].astype("str")
    table = new.table[new.table[CODE].isin(kids)].drop_duplicates(CODE)
    titles = pd.Series(title_of(table[LONG], table[SHORT]).to_numpy(), index=table[CODE])
    shown = display_codes(kids, new.system)
    items = ("<li><code>" + shown.map(lambda v: str(escape(v))) + "</code> "
             + kids.map(titles).fillna("").map(lambda v: str(escape(v))) + "</li>")
    lists = items.groupby(level=0).agg("".join)
    return [Markup(f'<ul class="children">{lists[i]}</ul>') if i in lists.index else Markup("")
            for i in changes.index]


def title_change(row: dict[Any, Any]) -> Markup:
    """Old -> new title with the changed words marked; the short title below when it
    changed in substance too."""
    parts = []
    if row["old_long"] != row["new_long"]:
        parts.append(word_diff(row["old_long"], row["new_long"]))
    if row["old_short"] != row["new_short"]:
        label = Markup('<span class="muted">short:</span> ') if parts else Markup("")
        parts.append(label + word_diff(row["old_short"], row["new_short"]))
    return Markup("<br>").join(parts)


def _fields(fields: Any) -> str:
    """HCPCS field changes as ``name: old -> new; ...`` (text, escaped by the template)."""
    if not isinstance(fields, dict):
        return ""
    return "; ".join(f"{k}: {v.get('old', '')} -> {v.get('new', '')}"
                     for k, v in fields.items())


def tables(diff: Diff) -> list[dict[str, Any]]:
    """The change tables, one per kind present, as rows of plain data."""
    ch = diff.changes
    base = ch.assign(title=title_of(ch["new_long"], ch["new_short"]),
                     old_title=title_of(ch["old_long"], ch["old_short"]))
    via = len(diff.steps) > 1
    code_col = {"key": "code", "label": "Code", "fmt": "code"}
    record_col = {"key": "record", "label": "Record"}
    via_col = [{"key": "via", "label": "Via"}] if via else []
    specs: list[tuple[ChangeKind, str, list[dict[str, Any]]]] = [
        (ChangeKind.ADDED, "Added", [code_col, record_col,
                                     {"key": "title", "label": "Title"}, *via_col]),
        (ChangeKind.DELETED, "Deleted", [code_col, record_col,
                                         {"key": "old_title", "label": "Title"},
                                         {"key": "note", "label": "Note"}, *via_col]),
        (ChangeKind.REVISED, "Revised", [code_col, record_col,
                                         {"key": "revision", "label": "Title changed"},
                                         {"key": "diff", "label": "Old -> new"}, *via_col]),
        (ChangeKind.EXPANDED, "Expanded (now a header)",
         [code_col, {"key": "old_title", "label": "Title"},
          {"key": "kids", "label": "New billable children"}, *via_col]),
        (ChangeKind.TERMINATED, "Terminated", [code_col, record_col,
                                               {"key": "title", "label": "Title"},
                                               {"key": "note", "label": "Note"}, *via_col]),
        (ChangeKind.REINSTATED, "Reinstated", [code_col, record_col,
                                               {"key": "title", "label": "Title"}, *via_col]),
        (ChangeKind.COSMETIC, "Title changes the publisher's list does not count",
         [code_col, record_col, {"key": "diff", "label": "Old -> new"}]),
        (ChangeKind.ATTRIBUTES, "Other fields changed",
         [code_col, record_col, {"key": "title", "label": "Title"},
          {"key": "changed", "label": "Fields (old -> new)"}]),
        (ChangeKind.NOTES, "Instructional notes changed",
         [code_col, record_col, {"key": "title", "label": "Title"},
          {"key": "note_type", "label": "Note"}, {"key": "removed", "label": "Removed"},
          {"key": "added", "label": "Added"}, *via_col]),
    ]
    out = []
    for kind, heading, columns in specs:
        rows_df = base[base["kind"] == kind.value]
        if rows_df.empty and kind not in (ChangeKind.ADDED, ChangeKind.DELETED,
                                          ChangeKind.REVISED):
            continue
        keep = ["code", "display", "record", "kind", "title", "old_title", "note", "via",
                "revision", "cosmetic", "old_long", "new_long", "old_short", "new_short"]
        rows: list[dict[str, Any]] = rows_df[keep].to_dict(orient="records")  # type: ignore[assignment]
        if kind in (ChangeKind.REVISED, ChangeKind.COSMETIC):
            for row in rows:
                row["diff"] = title_change(row)
                if kind is ChangeKind.REVISED and row["cosmetic"]:
                    row["revision"] = f"{row['revision']} (whitespace or letter case only)"
        if kind is ChangeKind.EXPANDED:
            for row, kids in zip(rows, expanded_children(rows_df, diff.new), strict=True):
                row["kids"] = kids
        if kind is ChangeKind.ATTRIBUTES:
            for row, fields in zip(rows, rows_df["fields"], strict=True):
                row["changed"] = _fields(fields)
        if kind is ChangeKind.NOTES:
            for row, fields in zip(rows, rows_df["fields"], strict=True):
                row["note_type"], row["removed"], row["added"] = notes_cells(fields)
                row["title"] = row["title"] or row["old_title"]
        out.append({"id": f"changes-{kind.value}", "kind": kind.value, "heading": heading,
                    "columns": columns, "rows": rows})
    return out


def release_context(diff: Diff) -> dict[str, Any]:
    """Everything the release template shows, as plain data."""
    blocks, rows = summary_rows(diff)
    system = diff.new.system
    return {
        "system": system.value, "system_label": system.label,
        "old": diff.old, "new": diff.new, "steps": diff.steps,
        "blocks": blocks, "summary_rows": rows, "cards": cards(diff),
        "verifications": [verification_context(v) for v in diff.verifications],
        "verified": diff.verified,
        "chart": chart(diff.changes, system),
        "chart_title": {CodeSystem.ICD10CM: "Changed codes by chapter",
                        CodeSystem.CPT: "Changed codes by section",
                        CodeSystem.HCPCS: "Changed codes by letter range"
                        }.get(system, "Changed codes"),
        "tables": tables(diff),
        "notes_status": not_compared_reason(diff.old, diff.new),
    }


def release_report(diff: Diff, *, inputs: list[str] | None = None) -> str:
    """The release change report as one self-contained HTML page."""
    sources = inputs if inputs is not None else release_inputs(diff)
    return render("release.html.j2", inputs=sources, **release_context(diff))
