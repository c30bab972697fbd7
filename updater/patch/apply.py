"""``updater apply``: the reviewed migration plan written into a copy of the chargemaster
and/or of the crosswalk, every change logged (``updater revert`` undoes it cell for cell:
:mod:`updater.patch.revert`).

Where each part lives: the plan's rows as steps, their codes checked against the new
releases (:mod:`updater.patch.steps`); a step on a chargemaster line
(:mod:`updater.patch.lines`) or a crosswalk pair (:mod:`updater.patch.pairs`); the change
logs and the audit entry (:mod:`updater.patch.logs`); writing it all as one run a crash
cannot leave half done (:mod:`updater.patch.journal`).

Rules (decision ``approved``, or ``changed`` with the reviewer's codes in ``replacement``;
``pending``, ``rejected`` and every ``review`` row do nothing):

* **retire** - the line gets an end date, the day before the plan row's ``effective``;
  without an end-date column its status becomes the CDM's own inactive value (``I`` in
  an A/I column, ``Inactive`` in a word column, ``Y`` in an "Inactive" flag column,
  ``N`` in a Y/N column), always one the reader reads as inactive (a profile's
  ``inactive_values`` when it has them). Without either column the plan is refused. A
  line is never removed. Dates are read as the reader reads them and written in the
  profile's ``date_format``, else in the column's own style.
* **replace** - with an Effective Date and an End Date column, the old line is end-dated
  and a copy inserted right after it with the new code, effective on the plan's date
  and ending when the old line used to end (blank, or the CDM's open date such as
  12/31/9999); without that pair of columns, the code cell is changed in place. The code
  goes into the column (CPT or HCPCS) the old code was in.
* **split** - the original is end-dated (or inactivated, as for retire); one new line per
  successor code is inserted right after it, a copy of the original with the successor
  code, the plan's effective date (when there is an Effective Date column) and a blank
  charge code: a new charge code must be assigned, and the change log says so.
* **update_description** - the description cell becomes ``proposed_description``
  (decision approved) or the reviewer's text in ``replacement`` (decision changed).
* A ``changed`` decision on retire/replace/split is applied by the number of codes the
  reviewer gave: none retires, one replaces, several split.
* A line is found by the plan's ``source_row``, its charge code and old code checking it,
  so a charge code used on several lines is no problem; only when that row does not match
  (a chargemaster that is not the plan's, with --force) is the line looked for by charge
  code and code, and several candidates are refused.

Crosswalk rows (section ``crosswalk``; a long crosswalk, one procedure and one diagnosis
per row, found by its row and checked by its pair):

* **end_pair** - the pair gets an end date (the day before ``effective``) in the
  crosswalk's end date column, else its status column says inactive. A crosswalk with
  neither is refused (a pair is never removed: reject the end_pair rows and remove the
  pairs by hand if that is what the payer's list needs). Decision ``changed`` with codes
  in ``replacement`` also adds one pair per code, as add_pair does.
* **add_pair** - a copy of the old pair's row is inserted right after it, with the new
  code in place of the old one (a diagnosis written with a dot when the old one was),
  effective on the plan's date when there is an effective date column, and as open as
  the old pair was. A pair already in force in the crosswalk is not added twice, and
  none is added for a pair that had ended (or was inactive) before this plan.
* A wide crosswalk (several diagnosis columns, or lists and ranges in a cell) is refused
  when it has approved rows: apply does not rewrite a list inside a cell.

Every successor code must be a billable, not terminated code of the new release. The
chargemaster (crosswalk) must be the one the plan was made from (same sha256), or this
plan's own earlier output (its change log beside it says so), unless forced. A plan row
whose line already shows the change (end date already set, code already replaced,
description already new, pair already added) is skipped, so applying a plan twice changes
nothing. Each output gets its own change log (``<out>.changes.csv/.json``, every row naming
the file); the run appends one line to the audit log, with a ``crosswalk`` entry when a
crosswalk was patched.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from updater.errors import UpdaterError
from updater.files.output import file_sha256
from updater.files.tables import load_profile
from updater.impact.inputs.chargemaster import FIELDS, MULTI_FIELDS, read_chargemaster
from updater.model import Release
from updater.patch import journal
from updater.patch.grids import Grid, open_grid
from updater.patch.lines import NEW_CHARGE_CODE, Columns, Insert, LinePatcher, wanted_headers
from updater.patch.logs import (
    audit_entry,
    change_log_texts,
    change_table,
    changelog_meta,
    changelog_paths,
    current_user,
)
from updater.patch.pairs import crosswalk_patcher
from updater.patch.steps import Step, check_codes, plan_steps, review_lines, reviews_of
from updater.plan.model import PlanIdentity
from updater.vocabulary import PlanAction


@dataclass
class ApplyResult:
    output: Path
    plan_id: str
    input_sha256: str
    output_sha256: str
    counts: dict[str, int]
    changes: list[dict[str, Any]]
    skipped: list[dict[str, Any]] = field(default_factory=list)
    forced: bool = False
    dry_run: bool = False
    user: str = ""
    kind: str = "chargemaster"  # or "crosswalk": which file this result patched
    source: Path | None = None  # the input file
    crosswalk: ApplyResult | None = None  # the crosswalk's, when both were patched
    waiting: dict[str, int] = field(default_factory=dict)  # approved rows of a file not given
    # codes applied without being checked (no release of their code system in the plan):
    # {"plan_row", "code", "system", "message"}
    warnings: list[dict[str, Any]] = field(default_factory=list)
    # who signed the applied rows: {"reviewer", "reviewed_on", "plan_rows"} per signature
    reviews: list[dict[str, Any]] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)  # interrupted runs finished first

    @property
    def table(self) -> pd.DataFrame:
        return change_table(self.changes)

    def summary_text(self) -> str:
        c = self.counts
        head = "dry run, nothing written" if self.dry_run else f"wrote {self.output}"
        lines = [f"updater apply: {line}" for line in self.recovered]
        lines.append(f"updater apply: plan {self.plan_id}: {self.kind}: {head}")
        if self.kind == "crosswalk":
            lines += [f"  plan rows applied: {c['applied']} (end pair {c['end_pair']}, add "
                      f"pair {c['add_pair']})",
                      f"  already applied, skipped: {c['already_applied']}; not approved or "
                      f"review: {c['not_applied']}",
                      f"  cells changed: {c['cells_changed']}; pairs added: "
                      f"{c['rows_inserted']}"]
        else:
            lines += [f"  plan rows applied: {c['applied']} (retire {c['retire']}, replace "
                      f"{c['replace']}, split {c['split']}, description "
                      f"{c['update_description']})",
                      f"  already applied, skipped: {c['already_applied']}; not approved or "
                      f"review: {c['not_applied']}",
                      f"  cells changed: {c['cells_changed']}; lines inserted: "
                      f"{c['rows_inserted']}; lines needing a new charge code: "
                      f"{c['new_charge_codes']}"]
        lines.append(f"  rows: {c['rows_in']} in, {c['rows_out']} out")
        if self.forced:
            lines.append(f"  FORCED: the {self.kind} is not the one the plan was made from "
                         "(recorded in the audit log)")
        if not self.dry_run:
            csv_log, json_log = changelog_paths(self.output)
            lines.append(f"  change log: {csv_log}, {json_log}")
        lines.append(f"  output sha256: {self.output_sha256}")
        for change in self.changes[:15] if self.dry_run else []:
            lines.append(f"    row {change['output_row']} {change['kind']} "
                         f"{change['column'] or ''}: {change['before']!r} -> "
                         f"{change['after']!r} (plan row {change['plan_row']})")
        if self.dry_run and len(self.changes) > 15:
            lines.append(f"    ... {len(self.changes) - 15} more")
        lines += review_lines(self.reviews)
        lines += [f"  WARNING: {w['message']}" for w in self.warnings]
        if self.crosswalk is not None:
            lines.append(self.crosswalk.summary_text())
        flags = {"chargemaster": "--chargemaster and --out",
                 "crosswalk": "--crosswalk and --crosswalk-out"}
        for kind, n in self.waiting.items():
            lines.append(f"  NOT APPLIED: {n} approved {kind} row(s) of the plan (give "
                         f"{flags[kind]} to apply them)")
        return "\n".join(lines)


def _check_hash(actual: str, identity: PlanIdentity, chargemaster: Path, force: bool,
                what: str = "chargemaster") -> tuple[bool, list[int | None] | None]:
    """(forced past a mismatch, for this plan's own output: the plan's row number of
    each of its rows, None for a line an apply inserted). ``what`` is the chargemaster
    or the crosswalk, checked against the plan's sha256 of it."""
    expected = (identity.crosswalk_sha256 if what == "crosswalk"
                else identity.chargemaster_sha256)
    if expected and actual == expected:
        return False, None
    meta = changelog_meta(chargemaster) or {}  # this plan's own output may be applied again
    if meta.get("plan_id") == identity.plan_id and meta.get("output_sha256") == actual:
        return False, meta.get("source_rows")
    if force:
        return True, None
    if not expected:
        raise UpdaterError(f"the plan records no {what} checksum", file=chargemaster,
                           hint=f"make the plan again from this {what}, or use --force "
                                "(recorded in the audit log)")
    raise UpdaterError(
        f"the {what} is not the one the plan was made from (sha256 {actual[:12]}, "
        f"the plan's {expected[:12]})", file=chargemaster,
        hint=f"make a new plan from this {what}, or use --force to apply anyway "
             "(recorded in the audit log)")


@dataclass
class _Patched:
    """One file patched in memory, ready to write."""

    result: ApplyResult
    data: bytes
    meta: dict[str, Any]


def _finish(kind: str, source: Path, out: Path, sha_in: str, grid: Grid, patcher: LinePatcher,
            ignored: int, forced: bool, plan_id: str, dry_run: bool, user: str,
            steps: Sequence[Step]) -> _Patched:
    """Insert the new rows, log every change (with its plan row's sign-off), count."""
    rows_in = len(grid)
    plan_rows: list[int | None] = []
    changes = _insert_and_log(grid, patcher, plan_rows, out)
    by_row = {s.plan_row: s for s in steps}
    for c in changes:
        step = by_row.get(c["plan_row"])
        if step is None:
            continue
        c.update(step.sign_off())
        if step.unchecked:
            c["note"] = "; ".join(n for n in (c.get("note") or "", step.unchecked) if n)
    data = grid.to_bytes()
    sha = hashlib.sha256(data).hexdigest()
    inserted = len(patcher.inserts)
    actions = (("end_pair", "add_pair") if kind == "crosswalk" else
               ("retire", "replace", "split", "update_description"))
    counts = {**{k: patcher.applied[k] for k in actions},
              "applied": sum(patcher.applied.values()),
              "already_applied": len(patcher.skipped), "not_applied": ignored,
              "cells_changed": sum(1 for c in changes if c["kind"] == "cell"),
              "rows_inserted": inserted,
              "new_charge_codes": sum(1 for x in patcher.inserts
                                      if x.note == NEW_CHARGE_CODE),
              "rows_in": rows_in, "rows_out": rows_in + inserted}
    result = ApplyResult(out, plan_id, sha_in, sha, counts, changes, patcher.skipped, forced,
                         dry_run, user, kind=kind, source=source,
                         reviews=reviews_of(steps, {c["plan_row"] for c in changes}))
    meta = {"plan_id": plan_id, kind: str(source), "kind": kind,
            "input_sha256": sha_in, "output": str(out), "output_sha256": sha,
            "format": grid.kind, "layout": grid.layout(), "forced": forced,
            "source_rows": plan_rows,
            "counts": counts, "skipped": patcher.skipped, "changes": changes}
    return _Patched(result, data, meta)


def _patch_chargemaster(steps: list[Step], ignored: int, identity: PlanIdentity,
                        chargemaster: Path, out: Path, *, force: bool, dry_run: bool,
                        user: str, profile: str | Path | None, sheet: str | None,
                        columns: Mapping[str, str] | None) -> _Patched:
    cm = read_chargemaster(chargemaster, profile=profile, sheet=sheet, columns=columns)
    prof = load_profile(profile, FIELDS, MULTI_FIELDS) if profile else None
    if cm.format.startswith("hpt"):
        raise UpdaterError("apply patches a chargemaster export, not a price transparency "
                           "file", file=chargemaster, hint="apply the plan to the CDM export")
    forced, source_rows = _check_hash(cm.sha256, identity, chargemaster, force)
    grid = open_grid(chargemaster, sheet=sheet or (prof.sheet if prof else None),
                     wanted=wanted_headers(cm.columns))
    cols = Columns.of(grid.header, cm.columns)
    grid.date_columns = [k for k in (cols.end, cols.effective) if k is not None]
    # dates and retired statuses exactly as the reader (and so the next scan) reads them
    grid.date_format = prof.date_format if prof else None
    patcher = LinePatcher(grid, cols, prof.inactive_values if prof else None)
    if source_rows is not None:
        patcher.row_of = {r: k for k, r in enumerate(source_rows, start=1) if r is not None}
    for step in steps:
        if step.action is PlanAction.REPLACE:
            patcher.aliases.setdefault((step.charge_code, step.old_code), set()).add(
                step.codes[0])
    for step in sorted(steps, key=lambda s: (s.source_row, s.plan_row)):
        patcher.apply(step)
    return _finish("chargemaster", chargemaster, out, cm.sha256, grid, patcher, ignored,
                   forced, identity.plan_id, dry_run, user, steps)


def _patch_crosswalk(steps: list[Step], ignored: int, identity: PlanIdentity, crosswalk: Path,
                     out: Path, *, force: bool, dry_run: bool, user: str, sheet: str | None,
                     columns: Mapping[str, str | Sequence[str]] | None) -> _Patched:
    if not crosswalk.is_file():
        raise UpdaterError("no such crosswalk", file=crosswalk, hint="check the path")
    sha_in = file_sha256(crosswalk)
    forced, source_rows = _check_hash(sha_in, identity, crosswalk, force, "crosswalk")
    patcher = crosswalk_patcher(crosswalk, sheet=sheet, columns=columns, steps=steps)
    if source_rows is not None:
        patcher.row_of = {r: k for k, r in enumerate(source_rows, start=1) if r is not None}
    for step in sorted(steps, key=lambda s: (s.source_row, s.plan_row)):
        patcher.apply(step)
    return _finish("crosswalk", crosswalk, out, sha_in, patcher.grid, patcher, ignored,
                   forced, identity.plan_id, dry_run, user, steps)


def apply_plan(plan_table: pd.DataFrame | Any, identity: PlanIdentity | None = None,
               chargemaster: str | Path | None = None, out: str | Path | None = None, *,
               crosswalk: str | Path | None = None, crosswalk_out: str | Path | None = None,
               force: bool = False, dry_run: bool = False, user: str | None = None,
               new_releases: Mapping[str, Release] | None = None,
               store: Path = Path("releases"), profile: str | Path | None = None,
               sheet: str | None = None, columns: Mapping[str, str] | None = None,
               crosswalk_sheet: str | None = None,
               crosswalk_columns: Mapping[str, str | Sequence[str]] | None = None,
               ) -> ApplyResult:
    """Apply the plan's approved rows to a copy of ``chargemaster`` at ``out`` and/or of
    ``crosswalk`` at ``crosswalk_out`` (see the module's rules). ``plan_table`` may be a
    Plan (``.table``, ``.identity``). The result describes the chargemaster (or, given
    only a crosswalk, the crosswalk); with both, ``.crosswalk`` is the crosswalk's."""
    if identity is None:
        plan_table, identity = plan_table.table, plan_table.identity
    assert identity is not None
    jobs: list[tuple[str, Path, Path]] = []
    for kind, source, target, flag in (("chargemaster", chargemaster, out, "--out"),
                                       ("crosswalk", crosswalk, crosswalk_out,
                                        "--crosswalk-out")):
        if source is None or str(source) == "":
            continue
        if target is None or str(target) == "":
            raise UpdaterError(f"where to write the patched {kind}?", file=source,
                               hint=f"give {flag} FILE")
        source, target = Path(source), Path(target)
        if target.exists() and target.resolve() == source.resolve():
            raise UpdaterError(f"the output would overwrite the {kind}", file=target,
                               hint="write the patched copy to another file")
        jobs.append((kind, source, target))
    if not jobs:
        raise UpdaterError("nothing to apply the plan to",
                           hint="give --chargemaster with --out, and/or --crosswalk with "
                                "--crosswalk-out")
    if len(jobs) == 2 and jobs[0][2].resolve() == jobs[1][2].resolve():
        raise UpdaterError("the chargemaster and the crosswalk would be written to one file",
                           file=jobs[0][2], hint="give two different output files")
    who = user or current_user()
    recovered = [] if dry_run else journal.recover(jobs[0][2].parent)
    planned = {kind: plan_steps(plan_table, kind) for kind, _, _ in jobs}
    warnings = check_codes([s for steps, _ in planned.values() for s in steps], identity,
                           new_releases, store)
    parts: list[_Patched] = []
    for kind, source, target in jobs:
        steps, ignored = planned[kind]
        if kind == "chargemaster":
            parts.append(_patch_chargemaster(
                steps, ignored, identity, source, target, force=force, dry_run=dry_run,
                user=who, profile=profile, sheet=sheet, columns=columns))
        else:
            parts.append(_patch_crosswalk(
                steps, ignored, identity, source, target, force=force, dry_run=dry_run,
                user=who, sheet=crosswalk_sheet, columns=crosswalk_columns))
    for part in parts:
        r = part.result
        mine = {s.plan_row for s in planned[r.kind][0]}
        r.warnings = [w for w in warnings if w["plan_row"] in mine]
        part.meta["warnings"] = r.warnings
        part.meta["reviews"] = r.reviews
    main = parts[0].result
    if len(parts) == 2:
        main.crosswalk = parts[1].result
    given = {kind for kind, _, _ in jobs}
    for kind in ("chargemaster", "crosswalk"):
        if kind not in given:
            with contextlib.suppress(UpdaterError):  # the file's rows are not checked here
                if n := len(plan_steps(plan_table, kind)[0]):
                    main.waiting[kind] = n
    main.recovered = recovered
    if dry_run:
        return main
    run_id = journal.new_run_id()
    written = []
    for part in parts:
        r = part.result
        part.meta["run_id"] = run_id
        logs = change_log_texts(r.output, part.meta, r.changes)
        entry = audit_entry(kind=r.kind, source=r.source, input_sha256=r.input_sha256,
                            output=r.output, output_sha256=r.output_sha256, counts=r.counts,
                            forced=r.forced, reviews=r.reviews, warnings=r.warnings)
        written.append(journal.Part(r.kind, r.output, part.data, logs, entry,
                                    at_top=r.kind == "chargemaster"))
    journal.commit(main.output.parent, run_id, "apply",
                   {"command": "apply", "user": who, "plan_id": identity.plan_id}, written,
                   {"chargemaster": None, "forced": main.forced, "dry_run": False})
    return main


def _insert_and_log(grid: Grid, patcher: LinePatcher, source_rows: list[int | None],
                    out: Path) -> list[dict[str, Any]]:
    """Insert the new lines and number every change by its row in the output (``out``,
    named in each change)."""
    after: dict[int, list[Insert]] = {}
    for ins in patcher.inserts:
        after.setdefault(ins.source, []).append(ins)
    order: list[tuple[int, int | None]] = []
    out_row: dict[int, int] = {}
    new_rows: list[tuple[int, Insert]] = []
    plan_row_of = {k: r for r, k in patcher.row_of.items()}
    for i in range(len(grid)):
        out_row[i] = len(order)
        order.append((i, None))
        source_rows.append(plan_row_of.get(i + 1) if patcher.row_of else i + 1)
        for k, ins in enumerate(after.get(i, [])):
            new_rows.append((len(order), ins))
            order.append((i, k))
            source_rows.append(None)
    originals = {i: [grid.text(i, j) for j in range(len(grid.header))] for i in after}
    for c in reversed(patcher.cells):  # the input's own values, before this apply
        if c["i"] in originals:
            originals[c["i"]][c["j"]] = c["before"]
    if patcher.inserts:
        grid.reorder(order)
    changes: list[dict[str, Any]] = []
    for c in patcher.cells:
        changes.append({"output_row": out_row[c["i"]] + 1, "input_row": c["i"] + 1,
                        "kind": "cell", "column": grid.header[c["j"]], "before": c["before"],
                        "after": c["after"], "plan_row": c["plan_row"],
                        "action": c["action"], "note": c["note"], "restore": c["restore"]})
    for p, ins in new_rows:
        ops = ins.ops
        if ins.restore_row:
            saved: dict[int, Any] = {}
            for c in patcher.cells:
                if c["i"] == ins.source:
                    saved.setdefault(c["j"], c["restore"])
            ops = [("restore", j, v) for j, v in saved.items()] + ops
        for op, j, value in ops:
            if op == "text":
                grid.set_text(p, j, value)
            elif op == "date":
                grid.set_date(p, j, value)
            else:
                grid.restore(p, j, value)
        changes.append({"output_row": p + 1, "input_row": None, "kind": "insert",
                        "column": None, "before": "", "after": ins.code,
                        "plan_row": ins.step.plan_row, "action": ins.step.action.value,
                        "note": ins.note or f"copy of input row {ins.source + 1}"})
        base = originals[ins.source]
        for j in sorted({j for _, j, _ in ops}):
            if grid.text(p, j) != base[j]:
                changes.append({"output_row": p + 1, "input_row": None,
                                "kind": "inserted_cell", "column": grid.header[j],
                                "before": base[j], "after": grid.text(p, j),
                                "plan_row": ins.step.plan_row,
                                "action": ins.step.action.value, "note": ins.note})
    changes.sort(key=lambda c: (c["output_row"], c["kind"] != "insert"))
    for c in changes:
        c["file"] = str(out)
    return changes
