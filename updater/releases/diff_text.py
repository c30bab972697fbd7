"""Plain-text renderings for the terminal (the publisher-style summary table)."""

from __future__ import annotations

from updater.releases.diff import Diff
from updater.releases.notes import not_compared_reason
from updater.releases.verify import Verification

SUMMARY_ROWS = (("added", "added"), ("deleted", "deleted"),
                ("deleted_already_discontinued", "  discontinued earlier"), ("revised", "revised"),
                ("revised_both", "  both titles"), ("revised_long_only", "  long title only"),
                ("revised_short_only", "  short title only"),
                ("revised_medium_only", "  medium descriptor only"),
                ("revised_cosmetic", "  whitespace/case only"),
                ("cosmetic", "not counted (unlisted)"),
                ("expanded", "expanded (now a header)"), ("terminated", "terminated"),
                ("reinstated", "reinstated"), ("attributes", "other fields changed"))


def summary_table(diff: Diff) -> str:
    """The counts as the CDC's addenda summary shows them, codes and headers side by side."""
    blocks = [b for b in ("codes", "headers", "modifiers") if b in diff.summary]
    if "headers" in blocks and not any(diff.summary["headers"].values()):
        blocks.remove("headers")
    old, new = diff.old, diff.new
    lines = [f"{new.system.label}: {old.version} (effective {old.effective}) -> "
             f"{new.version} (effective {new.effective})"]
    if len(diff.steps) > 1:
        lines.append(f"through {', '.join(diff.steps)}")
    lines.append(f"{'':26}" + "".join(f"{b:>10}" for b in blocks))
    lines.append(f"{'in ' + old.version:26}"
                 + "".join(f"{diff.summary[b]['in_old']:>10}" for b in blocks))
    lines.append(f"{'in ' + new.version:26}"
                 + "".join(f"{diff.summary[b]['in_new']:>10}" for b in blocks))
    for key, label in SUMMARY_ROWS:
        values = [diff.summary[b].get(key) for b in blocks]
        if key not in ("added", "deleted", "revised") and not any(values):
            continue
        lines.append(f"{label:26}" + "".join(
            f"{'' if v is None else v:>10}" for v in values))
    notes = diff.summary.get("notes")
    if notes is not None:
        lines.append(f"instructional notes: {notes['changed']} changed in {notes['elements']} "
                     f"codes, headers, sections or chapters ({notes['added']} notes added, "
                     f"{notes['removed']} removed)")
    elif reason := not_compared_reason(old, new):
        lines.append(reason)
    return "\n".join(lines)


def verification_text(v: Verification, limit: int = 20) -> str:
    if v.ok and not v.disagreements and not v.summary_explanations:
        return (f"verified against {v.against}: match ({v.checked} lines; "
                f"summary block agrees)" if v.summary_checks else
                f"verified against {v.against}: match ({v.checked} entries)")
    verdict = ("match, with explained differences" if v.ok else
               "CANNOT CHECK EVERY CHANGE" if v.unverifiable and not v.unexplained else
               "DISAGREES")
    out = [f"verified against {v.against}: {verdict}"]
    if v.unverifiable:
        out.append(f"  {v.unverifiable}")
    for what, pub, ours in v.summary_checks:
        if pub != ours:
            why = v.summary_explanations.get(what)
            out.append(f"  summary {what}: publisher {pub}, computed {ours}"
                       + (f" - explained: {why}" if why else ""))
    shown = sorted(v.disagreements, key=lambda d: d.explained)[:limit]
    for d in shown:
        where = f" (line {d.line})" if d.line else ""
        tail = f" - explained: {d.explanation}" if d.explained else ""
        out.append(f"  {d.code}{where}: {d.message}{tail}")
    if len(v.disagreements) > limit:
        out.append(f"  ... {len(v.disagreements) - limit} more (see --json)")
    return "\n".join(out)


def diff_report(diff: Diff) -> str:
    parts = [summary_table(diff)]
    parts += [verification_text(v) for v in diff.verifications]
    if not diff.verifications:
        parts.append("no publisher change list to verify against")
    return "\n\n".join(parts)
