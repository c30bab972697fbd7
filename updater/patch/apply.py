"""``updater apply`` / ``updater revert``: the reviewed migration plan written into a copy
of the chargemaster and/or of the crosswalk, every change logged, and undone cell for cell
on request.

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
import getpass
import hashlib
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from updater.codes import file_spelling, spell_like
from updater.codeshapes import COMPILED
from updater.errors import UpdaterError, reads_file
from updater.files.output import defuse_formulas, file_sha256
from updater.files.tables import column_key, inactive_values_for
from updater.impact.inputs import (
    CHARGE_CODE,
    CODE,
    DESCRIPTION,
    EFFECTIVE_DATE,
    END_DATE,
    MODIFIERS,
    STATUS,
)
from updater.model import RECORD, TERMINATION_DATE, Release, official_titles
from updater.patch import journal
from updater.patch.audit import AUDIT_LOG
from updater.patch.grids import (
    Grid,
    HeaderTest,
    check_layout,
    check_saved,
    day_before,
    grid_kind,
    normalize_code,
    open_grid,
)
from updater.plan.model import (
    ACTION,
    COMMENT,
    DECISION,
    EFFECTIVE,
    OLD_CODE,
    PAIR_DIAGNOSIS,
    PAIR_PROCEDURE,
    PLAN_ROW,
    PROPOSED,
    PROPOSED_TEXT,
    REPLACEMENT,
    REVIEWED_ON,
    REVIEWER,
    SECTION,
    SOURCE_ROW,
    SYSTEM,
    PlanIdentity,
)
from updater.plan.model import (
    CHARGE_CODE as P_CHARGE_CODE,
)
from updater.vocabulary import CodeSystem, Decision, PlanAction, RecordType

CHANGE_COLUMNS = ("output_row", "input_row", "kind", "column", "before", "after",
                  "plan_row", "action", "note", "decision", "reviewer", "reviewed_on",
                  "comment", "file")
SIGN_OFF = ("decision", "reviewer", "reviewed_on", "comment")  # per plan row, from the plan
__all__ = ["AUDIT_LOG", "apply_plan", "changelog_paths", "revert"]
NEW_CHARGE_CODE = "new charge code needed"
_SHAPES = {s: COMPILED[s] for s in (CodeSystem.CPT, CodeSystem.HCPCS)}


def changelog_paths(out: Path) -> tuple[Path, Path]:
    """``<out>.changes.csv`` and ``<out>.changes.json`` beside the output."""
    return (out.with_name(out.stem + ".changes.csv"), out.with_name(out.stem + ".changes.json"))


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
        return pd.DataFrame([{k: c.get(k) for k in CHANGE_COLUMNS} for c in self.changes],
                            columns=list(CHANGE_COLUMNS), dtype=object)

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
        lines += _review_lines(self.reviews)
        lines += [f"  WARNING: {w['message']}" for w in self.warnings]
        if self.crosswalk is not None:
            lines.append(self.crosswalk.summary_text())
        flags = {"chargemaster": "--chargemaster and --out",
                 "crosswalk": "--crosswalk and --crosswalk-out"}
        for kind, n in self.waiting.items():
            lines.append(f"  NOT APPLIED: {n} approved {kind} row(s) of the plan (give "
                         f"{flags[kind]} to apply them)")
        return "\n".join(lines)


@dataclass
class RevertResult:
    output: Path
    output_sha256: str
    cells_restored: int
    rows_removed: int
    identical: bool  # the restored file's sha256 is the original input's
    forced: bool = False
    recovered: list[str] = field(default_factory=list)  # interrupted runs finished first

    def summary_text(self) -> str:
        same = ("identical to the original (same sha256)" if self.identical
                else "cell-identical to the original (the file's bytes differ)")
        return "".join(f"updater revert: {line}\n" for line in self.recovered) + (
            f"updater revert: wrote {self.output}: {self.cells_restored} cells restored, "
                f"{self.rows_removed} inserted lines removed; {same}")


# ---------------------------------------------------------------- plan rows


@dataclass
class Step:
    """One plan row to apply, with the decision resolved."""

    plan_row: int
    action: PlanAction  # what is done (a changed retire with one code is a replace)
    source_row: int
    charge_code: str
    old_code: str
    codes: list[str]
    text: str
    effective: str
    system: str
    section: str = "chargemaster"
    pair: tuple[str, str] = ("", "")  # crosswalk: the (procedure, diagnosis) to find
    dx_side: bool = False  # crosswalk: the code that changes is the diagnosis
    # the reviewer's sign-off, as the plan has it (written into the change log)
    decision: str = ""
    reviewer: str = ""
    reviewed_on: str = ""
    comment: str = ""
    # official titles of the codes put in (add_pair writes them into a description column)
    titles: dict[str, str] = field(default_factory=dict)
    unchecked: str = ""  # why a code could not be checked against its release, if so

    def sign_off(self) -> dict[str, str]:
        return {"decision": self.decision, "reviewer": self.reviewer,
                "reviewed_on": self.reviewed_on, "comment": self.comment}


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _codes(text: str) -> list[str]:
    return [normalize_code(c) for c in re.split(r"[,;\s]+", text) if c.strip()]


def plan_steps(table: pd.DataFrame, section: str = "chargemaster") -> tuple[list[Step], int]:
    """The plan rows of ``section`` (chargemaster or crosswalk) to apply, and how many rows
    of the plan were left alone."""
    missing = [c for c in (PLAN_ROW, SECTION, ACTION, SOURCE_ROW, OLD_CODE, DECISION)
               if c not in table.columns]
    if missing:
        raise UpdaterError(f"the plan has no {', '.join(missing)} column",
                           hint="make the plan again with 'updater plan'")
    steps: list[Step] = []
    ignored = 0
    for rec in table.to_dict("records"):
        get = lambda k, rec=rec: _cell(rec.get(k))  # noqa: E731
        n = int(float(get(PLAN_ROW) or 0))
        decision = get(DECISION).lower()
        if get(SECTION).lower() != section or decision not in (Decision.APPROVED,
                                                               Decision.CHANGED):
            ignored += 1
            continue
        try:
            action = PlanAction(get(ACTION).lower())
        except ValueError:
            raise UpdaterError(f"plan row {n}: unknown action {get(ACTION)!r}",
                               hint="use " + ", ".join(a.value for a in PlanAction)) from None
        if action is PlanAction.REVIEW:
            ignored += 1
            continue
        pair_action = action in (PlanAction.END_PAIR, PlanAction.ADD_PAIR)
        if pair_action and section != "crosswalk":
            raise UpdaterError(f"plan row {n}: {action.value} in the chargemaster section",
                               hint="crosswalk actions belong to section 'crosswalk'")
        if section == "crosswalk":
            if not pair_action:
                raise UpdaterError(f"plan row {n}: {action.value} in the crosswalk section",
                                   hint="the crosswalk section takes end_pair, add_pair and "
                                        "review")
            steps.append(_signed(_pair_step(n, action, decision, get), decision, get))
            continue
        codes, text = _codes(get(PROPOSED)), get(PROPOSED_TEXT)
        if decision == Decision.CHANGED:
            if action is PlanAction.UPDATE_DESCRIPTION:
                text = get(REPLACEMENT)
                if not text:
                    raise UpdaterError(f"plan row {n}: decision 'changed' but no replacement "
                                       "description", hint="write the text in 'replacement' "
                                       "or set the decision to approved")
            else:
                codes = _codes(get(REPLACEMENT))
                if not codes and action is not PlanAction.RETIRE:
                    raise UpdaterError(f"plan row {n}: decision 'changed' but no replacement "
                                       "code", hint="write the code(s) in 'replacement', or "
                                       "set the decision to approved or rejected")
        if action is not PlanAction.UPDATE_DESCRIPTION:
            action = (PlanAction.RETIRE if not codes else PlanAction.REPLACE
                      if len(codes) == 1 else PlanAction.SPLIT)
        elif not text:
            raise UpdaterError(f"plan row {n}: no proposed description to apply",
                               hint="write it in 'replacement' with decision 'changed'")
        source_row = int(float(get(SOURCE_ROW) or 0))
        steps.append(_signed(Step(n, action, source_row, get(P_CHARGE_CODE),
                                  normalize_code(get(OLD_CODE)), codes, text,
                                  _effective(n, get), get(SYSTEM).lower()), decision, get))
    if section == "chargemaster":
        _check_conflicts(steps)
    return steps, ignored


def _signed(step: Step, decision: str, get: Any) -> Step:
    """The step with the plan row's decision and the reviewer's sign-off."""
    step.decision = decision
    step.reviewer, step.reviewed_on, step.comment = (get(REVIEWER), get(REVIEWED_ON)[:10],
                                                     get(COMMENT))
    return step


def _review_lines(reviews: Sequence[Mapping[str, Any]]) -> list[str]:
    """Who signed the applied rows, as apply prints it."""
    lines = []
    for r in reviews:
        rows = r["plan_rows"]
        shown = ", ".join(str(x) for x in rows[:10]) + (" ..." if len(rows) > 10 else "")
        if r["reviewer"]:
            when = f" on {r['reviewed_on']}" if r["reviewed_on"] else ""
            lines.append(f"  signed by {r['reviewer']}{when}: {len(rows)} plan row(s) "
                         f"({shown})")
        else:
            lines.append(f"  no reviewer named: {len(rows)} plan row(s) ({shown})")
    return lines


def reviews_of(steps: Sequence[Step], applied: Collection[int]) -> list[dict[str, Any]]:
    """The applied plan rows grouped by who signed them (reviewer, reviewed on); rows
    nobody signed (a default decision left as it was) under an empty reviewer."""
    groups: dict[tuple[str, str], list[int]] = {}
    for step in steps:
        if step.plan_row in applied:
            groups.setdefault((step.reviewer, step.reviewed_on), []).append(step.plan_row)
    return [{"reviewer": who, "reviewed_on": when, "plan_rows": sorted(set(rows))}
            for (who, when), rows in sorted(groups.items(), key=lambda kv: (not kv[0][0],
                                                                            kv[0]))]


def _effective(n: int, get: Any) -> str:
    effective = str(get(EFFECTIVE))[:10]
    try:
        date.fromisoformat(effective)
    except ValueError:
        raise UpdaterError(f"plan row {n}: effective date {effective!r} is not "
                           "YYYY-MM-DD", hint="the plan's 'effective' column") from None
    return effective


def _pair_step(n: int, action: PlanAction, decision: str, get: Any) -> Step:
    """A crosswalk row: ``end_pair`` ends the pair it names (and, decision ``changed`` with
    codes in ``replacement``, adds a pair per code); ``add_pair`` adds the pair with the
    old code swapped for the proposed code (or the reviewer's codes)."""
    system = str(get(SYSTEM)).lower()
    old = normalize_code(get(OLD_CODE))
    procedure, diagnosis = normalize_code(get(PAIR_PROCEDURE)), normalize_code(
        get(PAIR_DIAGNOSIS))
    dx_side = system == CodeSystem.ICD10CM.value
    changed = decision == Decision.CHANGED
    codes = _codes(get(REPLACEMENT)) if changed else []
    if action is PlanAction.ADD_PAIR:
        # the plan's pair is the new one: the pair to find has the old code back
        pair = (procedure, old) if dx_side else (old, diagnosis)
        if not changed:
            codes = _codes(get(PROPOSED))
        if not codes:
            raise UpdaterError(f"plan row {n}: add_pair with no code to add",
                               hint="write the code in 'replacement' with decision "
                                    "'changed', or reject the row")
    else:
        pair = (procedure, diagnosis)
    if not old or not all(pair):
        raise UpdaterError(f"plan row {n}: {action.value} without its pair (procedure "
                           f"{procedure!r}, diagnosis {diagnosis!r}, old code {old!r})",
                           hint="make the plan again with 'updater plan'")
    # add_pair's proposed description is the official title of its proposed code
    titles = {normalize_code(get(PROPOSED)): get(PROPOSED_TEXT)} if (
        action is PlanAction.ADD_PAIR and get(PROPOSED_TEXT)) else {}
    return Step(n, action, int(float(get(SOURCE_ROW) or 0)), "", old, codes, "",
                _effective(n, get), system, section="crosswalk", pair=pair, dx_side=dx_side,
                titles=titles)


def _check_conflicts(steps: Sequence[Step]) -> None:
    """Two approved rows that would change one line in different ways are refused (the
    later would silently win, and applying the plan again would change the line again)."""
    seen: dict[tuple[object, ...], Step] = {}
    for step in steps:
        what = "description" if step.action is PlanAction.UPDATE_DESCRIPTION else "code"
        key = (step.source_row, step.charge_code, step.old_code, what)
        first = seen.setdefault(key, step)
        if (first.action, first.codes, first.text) != (step.action, step.codes, step.text):
            raise UpdaterError(
                f"plan rows {first.plan_row} and {step.plan_row} both change the {what} of "
                f"the line at row {step.source_row} ({step.old_code}), differently",
                hint="approve only one of them (reject the other)")


# ---------------------------------------------------------------- checks


def _system_of(code: str, fallback: str) -> str:
    for system, shape in _SHAPES.items():
        if shape.match(code):
            return system.value
    return fallback


class NoRelease(UpdaterError):
    """The plan names no release of a code system (a facility without the AMA files has no
    CPT release, yet a HCPCS XREF may name a CPT code)."""


def _new_release(system: str, identity: PlanIdentity, store: Path) -> Release:
    entries = [e for e in identity.releases if str(e.get("system", "")).lower() == system]
    new = [e for e in entries if str(e.get("role", e.get("side", ""))).lower() == "new"]
    entries = new or sorted(entries, key=lambda e: str(e.get("effective", "")))[-1:]
    if not entries:
        raise NoRelease(f"the plan names no {system} release to check its codes against",
                        hint="give the new release with --release FILE")
    entry = entries[-1]
    spec = str(entry.get("source") or entry.get("id") or "")
    from updater.releases.lookup import resolve_side
    from updater.releases.readers import ReadOptions

    try:
        return resolve_side(spec, store, ReadOptions())
    except (OSError, UpdaterError) as exc:
        raise UpdaterError(f"cannot load the new {system} release {spec!r} the plan was made "
                           f"with ({exc})", hint="give it with --release FILE") from None


def _label_of(system: str) -> str:
    try:
        return CodeSystem(system).label
    except ValueError:
        return system


def check_codes(steps: Sequence[Step], identity: PlanIdentity,
                new_releases: Mapping[str, Release] | None, store: Path
                ) -> list[dict[str, Any]]:
    """Every successor code billable and not terminated in the new release of its code
    system; each step learns the official titles of the codes it puts in.

    A code of another code set than its plan row's (a HCPCS XREF naming CPT 77046 for
    C8904) whose code set has no release in the plan cannot be checked: a CDM
    coordinator without the AMA files still wants the line off a discontinued code, so
    the row is applied, and the returned warning (also in the change log and the audit
    log) says that the code's validity was not checked. Every other row is checked as
    always; a code that fails the check stops the apply before anything is written."""
    releases: dict[str, Release] = dict(new_releases or {})
    absent: dict[str, str] = {}
    warnings: list[dict[str, Any]] = []
    for step in steps:
        for code in step.codes:
            system = step.system if step.dx_side else _system_of(code, step.system)
            if system not in releases and system not in absent:
                try:
                    releases[system] = _new_release(system, identity, store)
                except NoRelease as exc:
                    if system == step.system:
                        raise
                    absent[system] = str(exc)
            if system in absent:
                label = _label_of(system)
                why = (f"{code} is a {label} code and the plan names no {label} release: "
                       f"applied without checking that {code} is valid on {step.effective}")
                step.unchecked = f"{label} code not checked (no {label} release)"
                warnings.append({"plan_row": step.plan_row, "code": code, "system": system,
                                 "message": f"plan row {step.plan_row}: {why} (check it in "
                                            f"your {label} files, or give the release with "
                                            "--release)"})
                continue
            release = releases[system]
            table = release.table
            hit = table[table[CODE] == code]
            why = ""
            if hit.empty:
                why = "is not in"
            elif not (hit[RECORD] == RecordType.CODE.value).any():
                why = f"is a {hit[RECORD].iat[0]}, not a billable code, in"
            elif TERMINATION_DATE in hit.columns:
                term = hit[TERMINATION_DATE].astype(str).str.strip()
                ended = [t for t in term if t and t <= step.effective]
                if ended and len(ended) == len(term):
                    why = f"is terminated ({ended[0]}) in"
            if why:
                raise UpdaterError(
                    f"plan row {step.plan_row}: {code} {why} the new release {release.id}",
                    hint="correct the replacement code, or set the decision to rejected")
            title = official_titles(hit)
            if len(title) and title.iat[0]:
                step.titles[code] = str(title.iat[0])
    return warnings


def _check_hash(actual: str, identity: PlanIdentity, chargemaster: Path, force: bool,
                what: str = "chargemaster") -> tuple[bool, list[int | None] | None]:
    """(forced past a mismatch, for this plan's own output: the plan's row number of
    each of its rows, None for a line an apply inserted). ``what`` is the chargemaster
    or the crosswalk, checked against the plan's sha256 of it."""
    expected = (identity.crosswalk_sha256 if what == "crosswalk"
                else identity.chargemaster_sha256)
    if expected and actual == expected:
        return False, None
    log = changelog_paths(chargemaster)[1]
    if log.is_file():  # this plan's own output: applying it again is allowed
        try:
            meta = json.loads(log.read_text(encoding="utf-8"))
        except ValueError:
            meta = {}
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


# ---------------------------------------------------------------- the patch


@dataclass
class Columns:
    code: list[int]
    charge: int | None
    description: int | None
    status: int | None
    effective: int | None
    end: int | None
    header: list[str]

    @classmethod
    def of(cls, header: list[str], used: Mapping[str, str]) -> Columns:
        def at(name: str) -> int | None:
            text = used.get(name)
            return header.index(text) if text and text in header else None

        code_text = used.get(CODE, "")
        code = [header.index(code_text)] if code_text in header else [
            header.index(t) for t in code_text.split(", ") if t in header]
        if not code:
            raise UpdaterError(f"code column {code_text!r} not found in the header again")
        return cls(code, at(CHARGE_CODE), at(DESCRIPTION), at(STATUS), at(EFFECTIVE_DATE),
                   at(END_DATE), header)


def wanted_headers(used: Mapping[str, str]) -> list[str]:
    out = []
    for name, text in used.items():
        if name in (CODE, MODIFIERS):
            out += text.split(", ")
        else:
            out.append(text)
    return out


@dataclass
class Insert:
    source: int  # grid row copied
    step: Step
    code: str
    ops: list[tuple[str, int, Any]]  # ("text"|"date"|"restore", column, value)
    note: str = ""
    restore_row: bool = False  # first put back every cell this apply changed on the source


class Patcher:
    """The plan's steps on the grid's rows (before any line is inserted)."""

    def __init__(self, grid: Grid, cols: Columns,
                 inactive: Collection[str] | None = None) -> None:
        """``inactive``: the status values meaning retired, exactly the reader's (a
        profile's ``inactive_values``; by default those for the status column's name)."""
        self.grid, self.cols = grid, cols
        if inactive is None:
            inactive = inactive_values_for(
                cols.header[cols.status] if cols.status is not None else None)
        self.inactive = frozenset(v.strip().upper() for v in inactive)
        self._inactive_text: str | None = None
        # code -> rows per code column, built once when a line is not at its plan row
        self._code_index: list[dict[str, Any]] | None = None
        self._written: dict[str, set[tuple[int, int]]] = {}  # codes put in place since
        self.cells: list[dict[str, Any]] = []  # cell changes on input rows
        self.inserts: list[Insert] = []
        self.skipped: list[dict[str, Any]] = []
        self.applied: dict[str, int] = {a.value: 0 for a in PlanAction}
        self.aliases: dict[tuple[str, str], set[str]] = {}  # (charge, old) -> new codes
        self.row_of: dict[int, int] = {}  # the plan's row -> row here (own output only)

    # -- locating the line

    def _codes_on(self, i: int) -> list[tuple[int, str]]:
        return [(j, normalize_code(self.grid.text(i, j))) for j in self.cols.code]

    def _charge_ok(self, i: int, step: Step) -> bool:
        if self.cols.charge is None or not step.charge_code:
            return True
        return normalize_code(self.grid.text(i, self.cols.charge)) == normalize_code(
            step.charge_code)

    def _has(self, i: int, step: Step, code: str) -> int | None:
        if not self._charge_ok(i, step):
            return None
        return next((j for j, c in self._codes_on(i) if c == code and code), None)

    def locate(self, step: Step) -> tuple[int, int] | None:
        """(row, code column) of the plan row's line; None when it already shows the new
        code in place (already applied). The line is found by its row first (so a charge
        code on several lines is no problem), the charge code and old code checking it;
        only when that row does not match is the line looked for by charge code and code
        (a chargemaster that is not the plan's, applied with --force)."""
        n = len(self.grid)
        i = self.row_of.get(step.source_row, step.source_row) - 1
        if 0 <= i < n and (j := self._has(i, step, step.old_code)) is not None:
            return i, j
        aliases = sorted(self.aliases.get((step.charge_code, step.old_code), ()))
        if 0 <= i < n:  # the plan's line shows the code this plan puts in: applied before
            for code in aliases:
                if (j := self._has(i, step, code)) is not None:
                    return None if step.action is PlanAction.REPLACE else (i, j)
        found = self._lines_with(step, step.old_code)
        if len(found) == 1:
            return found[0]
        if found:
            rows = ", ".join(str(k + 1) for k, _ in found[:5])
            raise UpdaterError(
                f"plan row {step.plan_row}: the line is not at row {step.source_row} and "
                f"several lines have charge code {step.charge_code!r} and code "
                f"{step.old_code} (rows {rows})",
                hint="apply the plan to the chargemaster it was made from")
        # the line's code was already replaced in place (by this step or another on it)
        for code in aliases:
            moved = self._lines_with(step, code)
            if len(moved) == 1:
                return None if step.action is PlanAction.REPLACE else moved[0]
        raise UpdaterError(
            f"plan row {step.plan_row}: no line with charge code {step.charge_code!r} and "
            f"code {step.old_code} (the plan's row {step.source_row})",
            hint="is this the chargemaster the plan was made from?")

    def _lines_with(self, step: Step, code: str) -> list[tuple[int, int]]:
        """(row, code column) of every line with this code and the step's charge code, in
        row order, from an index of the code columns built once (columns, not a loop over
        the rows for every plan row)."""
        if self._code_index is None:
            self._code_index = [_positions(_normalized(self.grid.column_texts(j)))
                                for j in self.cols.code]
        rows: set[int] = {k for (k, _) in self._written.get(code, set())}
        for index in self._code_index:
            rows.update(int(k) for k in index.get(code, ()))
        return [(k, j) for k in sorted(rows) if (j := self._has(k, step, code)) is not None]

    # -- editing

    def _log(self, i: int, j: int, step: Step, before_raw: Any, before: str,
             note: str = "") -> None:
        self.cells.append({"i": i, "j": j, "restore": before_raw, "before": before,
                           "after": self.grid.text(i, j), "plan_row": step.plan_row,
                           "action": step.action.value, "note": note})

    def set_text(self, i: int, j: int, value: str, step: Step, note: str = "") -> None:
        raw, before = self.grid.raw(i, j), self.grid.text(i, j)
        self.grid.set_text(i, j, value)
        if j in self.cols.code:
            self._written.setdefault(normalize_code(value), set()).add((i, j))
        self._log(i, j, step, raw, before, note)

    def set_date(self, i: int, j: int, value: date, step: Step, note: str = "") -> None:
        raw, before = self.grid.raw(i, j), self.grid.text(i, j)
        self.grid.set_date(i, j, value)
        self._log(i, j, step, raw, before, note)

    def _inactive_value(self) -> str:
        """The value a retired line's status gets: one the reader reads as inactive, in
        the column's own spelling; worked out once (it looks at the whole column)."""
        if self._inactive_text is None:
            self._inactive_text = self._pick_inactive()
        return self._inactive_text

    def _pick_inactive(self) -> str:
        j = self.cols.status
        assert j is not None
        column = [v for v in self.grid.column_texts(j) if v]
        guess = self._guess_inactive(set(column), column_key(self.cols.header[j]))
        if guess.upper() in self.inactive:
            return guess
        used = pd.Series(column, dtype=object)
        used = used[used.str.upper().isin(self.inactive)]
        if len(used):  # the column's own most used inactive spelling
            return str(used.value_counts().index[0])
        for word in ("INACTIVE", "INACT", "RETIRED", "I", "N", "DELETED", "DEL", "D"):
            if word in self.inactive:
                return word
        if not self.inactive:
            raise UpdaterError("no status value means inactive (the profile's "
                               "inactive_values is empty), so a line cannot be retired",
                               hint="list the inactive values in the profile")
        return sorted(self.inactive)[0]

    @staticmethod
    def _guess_inactive(values: set[str], key: str) -> str:
        upper = {v.upper() for v in values}
        flag = key.startswith("inactive")
        pairs = [({"Y", "N", "YES", "NO"}, "Y" if flag else "N"),
                 ({"TRUE", "FALSE"}, "TRUE" if flag else "FALSE"),
                 ({"1", "0"}, "1" if flag else "0"), ({"X"}, "X")]
        if not flag and upper & {"A", "I"}:
            return "I"
        for options, value in pairs:
            if upper & options:
                word = next(v for v in values if v.upper() in options)
                return value.lower() if word.islower() else value.capitalize() \
                    if word[:1].isupper() and word[1:].islower() else value
        if flag:
            return "Y"
        word = next((v for v in values if v.upper() in ("ACTIVE", "INACTIVE")), "Active")
        return "INACTIVE" if word.isupper() else "inactive" if word.islower() else "Inactive"

    def _is_inactive(self, i: int) -> bool:
        j = self.cols.status
        assert j is not None
        return self.grid.text(i, j).upper() in self.inactive

    def end_line(self, i: int, step: Step) -> bool:
        """End-date or inactivate line i; False when it already is."""
        if self.cols.end is not None:
            target = day_before(step.effective)
            current = self.grid.date_at(i, self.cols.end)
            if current is not None and current <= target:
                return False
            self.set_date(i, self.cols.end, target, step)
            return True
        if self.cols.status is not None:
            if self._is_inactive(i):
                return False
            self.set_text(i, self.cols.status, self._inactive_value(), step)
            return True
        raise UpdaterError(
            f"plan row {step.plan_row}: the chargemaster has no end date or status column "
            f"to retire a line with", hint="add an 'End Date' or 'Status' column (or name "
            "it in a --profile); updater never removes a chargemaster line")

    def skip(self, step: Step, why: str) -> None:
        self.skipped.append({"plan_row": step.plan_row, "action": step.action.value,
                             "reason": why})

    def apply(self, step: Step) -> None:
        where = self.locate(step)
        if where is None:
            self.skip(step, f"already applied: {step.codes[0]} already in place")
            return
        i, j = where
        dated = self.cols.end is not None and self.cols.effective is not None
        if step.action is PlanAction.UPDATE_DESCRIPTION:
            k = self.cols.description
            if k is None:
                raise UpdaterError(f"plan row {step.plan_row}: the chargemaster has no "
                                   "description column", hint="name it in a --profile")
            if self.grid.text(i, k) in (step.text.strip(), "'" + step.text.strip()):
                self.skip(step, "already applied: description already updated")
                return
            self.set_text(i, k, step.text, step)
        elif step.action is PlanAction.RETIRE:
            if not self.end_line(i, step):
                self.skip(step, "already applied: line already ended")
                return
        elif step.action is PlanAction.REPLACE and not dated:
            self.set_text(i, j, step.codes[0], step)
        else:
            ended_before = len(self.cells)
            if not self.end_line(i, step):
                self.skip(step, "already applied: line already ended")
                return
            restore = [("restore", c["j"], c["restore"]) for c in self.cells[ended_before:]]
            for code in step.codes:
                ops: list[tuple[str, int, Any]] = [*restore, ("text", j, code)]
                if self.cols.effective is not None:
                    ops.append(("date", self.cols.effective, date.fromisoformat(step.effective)))
                note = ""
                if step.action is PlanAction.SPLIT:
                    note = NEW_CHARGE_CODE
                    if self.cols.charge is not None:
                        ops.append(("text", self.cols.charge, ""))
                self.inserts.append(Insert(i, step, code, ops, note))
        self.applied[step.action.value] += 1


class PairPatcher(Patcher):
    """The plan's crosswalk steps on a long crosswalk (one procedure, one diagnosis per
    row). An ended pair is end-dated (the day before the effective date) where the
    crosswalk has an end date column, else set inactive in its status column; a crosswalk
    with neither is refused (a pair is never removed). An added pair is a copy of the pair
    it replaces, inserted right after it, with the new code, effective on the plan's date
    (when there is an effective date column) and as open as the old pair was."""

    def __init__(self, grid: Grid, cols: Columns, procedure: int, diagnosis: int,
                 steps: Sequence[Step] = (), descriptions: Mapping[str, int] | None = None
                 ) -> None:
        super().__init__(grid, cols)
        self.procedure, self.diagnosis = procedure, diagnosis
        self.steps = list(steps)
        # side ("procedure" / "diagnosis") -> the column describing that side's code
        self.descriptions = dict(descriptions or {})
        self._spelling: str | None = None
        self._rows_of: dict[tuple[str, str], list[int]] | None = None
        self._added: set[tuple[str, str, str]] = set()  # (procedure, diagnosis, effective)
        self._ended: set[int] = set()  # rows this apply ended

    def spelling(self) -> str:
        """How the crosswalk writes its diagnoses (``updater.codes.file_spelling``), worked
        out once, from the whole diagnosis column."""
        if self._spelling is None:
            self._spelling = file_spelling(self.grid.column_texts(self.diagnosis))
        return self._spelling

    def pair_at(self, i: int) -> tuple[str, str]:
        return (normalize_code(self.grid.text(i, self.procedure)),
                normalize_code(self.grid.text(i, self.diagnosis)))

    def locate_pair(self, step: Step) -> int:
        """The row of the plan row's pair: its own row first, else the only row with it."""
        n = len(self.grid)
        i = self.row_of.get(step.source_row, step.source_row) - 1
        if 0 <= i < n and self.pair_at(i) == step.pair:
            return i
        found = self.rows_of().get(step.pair, [])
        if len(found) == 1:
            return found[0]
        shown = f"{step.pair[0]} with {step.pair[1]}"
        if found:
            rows = ", ".join(str(k + 1) for k in found[:5])
            raise UpdaterError(
                f"plan row {step.plan_row}: the pair {shown} is not at row "
                f"{step.source_row} and is on several rows ({rows})",
                hint="apply the plan to the crosswalk it was made from")
        raise UpdaterError(
            f"plan row {step.plan_row}: no crosswalk row pairs {shown} (the plan's row "
            f"{step.source_row})", hint="is this the crosswalk the plan was made from?")

    def rows_of(self) -> dict[tuple[str, str], list[int]]:
        """The rows of every pair the steps name (old pairs and the pairs they add),
        found column-wise (a crosswalk has millions of rows)."""
        if self._rows_of is None:
            wanted = {s.pair for s in self.steps} | {
                (s.pair[0], c) if s.dx_side else (c, s.pair[1])
                for s in self.steps for c in s.codes}
            # a space joins the two: normalized codes have none
            key = (_normalized(self.grid.column_texts(self.procedure)) + " "
                   + _normalized(self.grid.column_texts(self.diagnosis)))
            hits = key[key.isin([f"{p} {d}" for p, d in wanted])]
            self._rows_of = {}
            for i, k in zip(hits.index, hits, strict=True):
                p, d = k.split(" ")
                self._rows_of.setdefault((p, d), []).append(int(i))
        return self._rows_of

    def in_force(self, i: int, effective: str) -> bool:
        """Row i's pair still holds on the effective date (not ended before, not inactive)."""
        if self.cols.end is not None:
            end = self.grid.date_at(i, self.cols.end)
            if end is not None and end < date.fromisoformat(effective):
                return False
        return self.cols.status is None or not self._is_inactive(i)

    def apply(self, step: Step) -> None:
        i = self.locate_pair(step)
        done = False
        if step.action is PlanAction.END_PAIR:
            done = self.end_line(i, step)
            if done:
                self._ended.add(i)
            elif not step.codes:
                self.skip(step, "already applied: pair already ended")
                return
        j = self.diagnosis if step.dx_side else self.procedure
        described = self.descriptions.get("diagnosis" if step.dx_side else "procedure")
        for code in step.codes:
            new = (step.pair[0], code) if step.dx_side else (code, step.pair[1])
            there = any(self.in_force(k, step.effective) for k in self.rows_of().get(new, []))
            if there or (*new, step.effective) in self._added:
                self.skip(step, f"already applied: {new[0]} with {new[1]} already in the "
                                "crosswalk")
                continue
            if i not in self._ended and not self.in_force(i, step.effective):
                self.skip(step, f"not added: the pair it replaces ({step.pair[0]} with "
                                f"{step.pair[1]}) had ended before this plan")
                continue
            shown = (spell_like(code, step.system, self.grid.text(i, j), self.spelling())
                     if step.dx_side else code)
            ops: list[tuple[str, int, Any]] = [("text", j, shown)]
            note = ""
            if described is not None:  # the new code's official title, not the old one's
                title = step.titles.get(code, "")
                ops.append(("text", described, title))
                if not title:
                    note = f"no official title known for {shown}: description left blank"
            if self.cols.effective is not None:
                ops.append(("date", self.cols.effective, date.fromisoformat(step.effective)))
            self.inserts.append(Insert(i, step, code, ops, note=note, restore_row=True))
            self._added.add((*new, step.effective))
            done = True
        if done:
            self.applied[step.action.value] += 1


def crosswalk_patcher(path: Path, *, sheet: str | None = None,
                      columns: Mapping[str, str | Sequence[str]] | None = None,
                      steps: Sequence[Step] = ()) -> PairPatcher:
    """The crosswalk as a grid with its procedure, diagnosis, end date, status and
    effective date columns found (as the crosswalk reader finds them). A wide crosswalk
    (several diagnosis columns, or lists and ranges in a cell) is refused when there is
    something to apply: a pair there is part of a cell, which apply does not rewrite."""
    from updater.files.tables import merge_columns
    from updater.impact.inputs.crosswalk import FIELDS, _columns, _is_header, dated_columns

    overrides = merge_columns(None, columns, FIELDS)
    test: HeaderTest = lambda row: _is_header(row, overrides)  # noqa: E731
    try:
        grid = open_grid(path, sheet=sheet, is_header=test)
    except UpdaterError as exc:
        if "header row" not in str(exc):
            raise
        raise UpdaterError("no procedure and diagnosis columns in the first rows",
                           file=path, hint="name them with --proc-col and --dx-col, as for "
                                           "'updater plan'") from None
    proc, dx = _columns(grid.header, overrides, str(path))
    # the status and date columns exactly as the reader (and so the scan) finds them
    dated = dated_columns(grid.header, overrides, {proc, *dx})
    cols = Columns([proc, *dx], None, None, dated.get(STATUS), dated.get(EFFECTIVE_DATE),
                   dated.get(END_DATE), grid.header)
    grid.date_columns = [k for k in (cols.end, cols.effective) if k is not None]
    if steps:
        cells = pd.Series(grid.column_texts(dx[0]), dtype=object)
        hit = cells.str.contains(_LIST_CELL, na=False)
        listed = int(hit.to_numpy().argmax()) if hit.any() else None
        if len(dx) > 1 or listed is not None:
            where = (f"{len(dx)} diagnosis columns" if len(dx) > 1 else
                     f"a list or range in a cell, e.g. row {(listed or 0) + 1}: "
                     f"{grid.text(listed or 0, dx[0])!r}")
            raise UpdaterError(
                f"apply patches a crosswalk with one procedure and one diagnosis per row; "
                f"this one is wide ({where})", file=path,
                hint="make the crosswalk changes by hand (plan.xlsx lists them), or keep the "
                     "crosswalk as one pair per row")
        ending = [s for s in steps if s.action is PlanAction.END_PAIR]
        if ending and cols.end is None and cols.status is None:
            raise UpdaterError(
                f"plan row {ending[0].plan_row}: the crosswalk has no end date or status "
                "column to end a pair with", file=path,
                hint="add an 'End Date' or 'Status' column to the crosswalk (updater never "
                     "removes a pair), or reject the end_pair rows and remove those pairs "
                     "yourself")
    return PairPatcher(grid, cols, proc, dx[0], steps,
                       description_columns(grid.header, {proc, *dx, *dated.values()}))


# A crosswalk's description of one side of the pair: "Diagnosis Description", "dx desc",
# "ICD-10-CM Title", "CPT Description", "Procedure Desc" (a bare "Description" names no
# side, and is left as it is). Compared as column keys (updater.files.tables.column_key).
_DESCRIPTION_KEYS = {
    "diagnosis": re.compile(r"^(?:icd(?:10(?:cm)?)?|dx|diag|diagnos[ie]s)(?:codes?)?"
                            r"(?:desc|descr|description|title|text|name)s?$"),
    "procedure": re.compile(r"^(?:cpt|hcpcs|cpthcpcs|hcpcscpt|cpt4|proc|procedure)(?:codes?)?"
                            r"(?:desc|descr|description|title|text|name)s?$"),
}


def description_columns(header: Sequence[str], taken: Collection[int] = ()
                        ) -> dict[str, int]:
    """The columns describing the procedure and the diagnosis of a pair, by their names,
    among the columns not ``taken``: an added pair gets its new code's official title
    there, not the old code's description."""
    found: dict[str, int] = {}
    for side, key in _DESCRIPTION_KEYS.items():
        at = next((i for i, h in enumerate(header)
                   if i not in taken and key.match(column_key(h))), None)
        if at is not None:
            found[side] = at
    return found


_LIST_CELL = re.compile(r"[,;|\s]|\S-|\bthru\b", re.IGNORECASE)


def _normalized(texts: list[str]) -> pd.Series:
    """``normalize_code`` on a whole column (Arrow's kernels: millions of cells)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    a = pc.utf8_trim_whitespace(pa.array(texts, pa.string()))
    a = pc.replace_substring_regex(a, r"^(\d+)\.0+$", r"\1")
    a = pc.utf8_upper(pc.replace_substring_regex(a, r"[\s.]", ""))
    return pd.Series(a.to_numpy(zero_copy_only=False), dtype=object)


def _positions(column: pd.Series) -> dict[str, Any]:
    """Each value of a column -> the positions holding it (an array), blanks left out."""
    column = column[(column != "").to_numpy()]
    if not len(column):
        return {}
    labels = column.index.to_numpy()
    return {str(k): labels[v] for k, v in column.groupby(column, sort=False).indices.items()}


def _serializable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


@dataclass
class _Patched:
    """One file patched in memory, ready to write."""

    result: ApplyResult
    data: bytes
    meta: dict[str, Any]


def _finish(kind: str, source: Path, out: Path, sha_in: str, grid: Grid, patcher: Patcher,
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
    from updater.files.tables import load_profile
    from updater.impact.inputs.chargemaster import FIELDS, MULTI_FIELDS, read_chargemaster

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
    patcher = Patcher(grid, cols, prof.inactive_values if prof else None)
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
    who = user or _user()
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
        csv_log, json_log = changelog_paths(r.output)
        logs = {json_log: json.dumps(_serializable(part.meta), indent=1, ensure_ascii=False)
                + "\n",
                csv_log: defuse_formulas(r.table.astype("object")).to_csv(index=False)}
        entry = {r.kind: str(r.source), "input_sha256": r.input_sha256,
                 "output": str(r.output), "output_sha256": r.output_sha256,
                 "counts": r.counts, "forced": r.forced, "reviews": r.reviews,
                 "warnings": r.warnings}
        written.append(journal.Part(r.kind, r.output, part.data, logs, entry,
                                    at_top=r.kind == "chargemaster"))
    journal.commit(main.output.parent, run_id, "apply",
                   {"command": "apply", "user": who, "plan_id": identity.plan_id}, written,
                   {"chargemaster": None, "forced": main.forced, "dry_run": False})
    return main


def _insert_and_log(grid: Grid, patcher: Patcher, source_rows: list[int | None],
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


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


# ---------------------------------------------------------------- revert


def _cell_of(change: Mapping[str, Any], grid: Grid, n: int, changelog: Path,
             ) -> tuple[int, int]:
    """(row, column) in the grid of change-log row ``n``; a row or column the patched file
    no longer has is refused (a file edited since apply, reverted with --force)."""
    column = change.get("column")
    if column not in grid.header:
        raise UpdaterError(f"change log row {n}: the patched file has no column {column!r}",
                           file=changelog, hint="revert the file apply wrote")
    return _row_of(change, grid, n, changelog), grid.header.index(column)


def _row_of(change: Mapping[str, Any], grid: Grid, n: int, changelog: Path) -> int:
    """The grid row (0-based) of change-log row ``n``'s ``output_row``, checked."""
    row = change.get("output_row")
    if not isinstance(row, int) or isinstance(row, bool) or not 1 <= row <= len(grid):
        raise UpdaterError(f"change log row {n}: the patched file has no data row {row!r} "
                           f"(it has {len(grid)})", file=changelog,
                           hint="revert the file apply wrote")
    return row - 1


def _check_changelog(changelog: Path, layout: object, changes: list[dict[str, Any]],
                     kind: str) -> None:
    """A change log edited by hand (a list for an object, text for a number) is refused
    with the field named, before anything is read with it."""
    hint = "revert with the change log apply wrote, as it wrote it"
    why = check_layout(layout, kind)
    if why:
        raise UpdaterError(f"a damaged change log: {why}", file=changelog, hint=hint)
    for n, change in enumerate(changes, start=1):
        if change.get("kind") == "cell" and (why := check_saved(change.get("restore"), kind)):
            raise UpdaterError(f"change log row {n}: {why}", file=changelog, hint=hint)


@reads_file
def revert(changelog: str | Path, patched: str | Path, out: str | Path, *,
           force: bool = False, user: str | None = None) -> RevertResult:
    """Undo an apply: every changed cell back to its value before, inserted lines removed."""
    changelog, patched, out = Path(changelog), Path(patched), Path(out)
    recovered = journal.recover(out.parent)  # an apply or revert killed there, finished
    if changelog.suffix.lower() == ".csv":
        changelog = changelog.with_suffix(".json")
    if not changelog.is_file():
        raise UpdaterError("no such change log", file=changelog,
                           hint="name the .changes.json file apply wrote")
    try:
        meta = json.loads(changelog.read_text(encoding="utf-8"))
        changes = meta["changes"]
        layout = meta["layout"]
        if not isinstance(changes, list) or not all(isinstance(c, dict) for c in changes):
            raise ValueError("changes")
    except (ValueError, KeyError, TypeError):
        raise UpdaterError("not a change log written by updater apply", file=changelog,
                           hint="name the .changes.json file apply wrote") from None
    if out.exists() and out.resolve() == patched.resolve():
        raise UpdaterError("the output would overwrite the patched file", file=out,
                           hint="write the restored copy to another file")
    if not patched.is_file():
        raise UpdaterError("no such file", file=patched, hint="check the path")
    _check_changelog(changelog, layout, changes, grid_kind(patched))
    actual = file_sha256(patched)
    forced = actual != meta.get("output_sha256")
    if forced and not force:
        raise UpdaterError(
            f"the patched file changed since apply wrote it (sha256 {actual[:12]}, the change "
            f"log's {str(meta.get('output_sha256'))[:12]})", file=patched,
            hint="revert the file apply wrote, or use --force (edits made since may be lost)")
    grid = open_grid(patched, layout=layout)
    inserted = sorted({_row_of(c, grid, n, changelog) for n, c in enumerate(changes, start=1)
                       if c.get("kind") == "insert"})
    restored = 0
    for n, c in reversed(list(enumerate(changes, start=1))):
        if c.get("kind") == "cell":
            i, j = _cell_of(c, grid, n, changelog)
            grid.restore(i, j, c.get("restore"))
            restored += 1
    if inserted:
        gone = set(inserted)
        grid.reorder([(i, None) for i in range(len(grid)) if i not in gone])
    data = grid.to_bytes()
    sha = hashlib.sha256(data).hexdigest()
    journal.commit(out.parent, journal.new_run_id(), "revert",
                   {"command": "revert", "user": user or _user(),
                    "plan_id": meta.get("plan_id"), "changelog": str(changelog),
                    "input_sha256": actual, "output": str(out), "output_sha256": sha,
                    "counts": {"cells_restored": restored, "rows_removed": len(inserted)},
                    "forced": forced, "dry_run": False},
                   [journal.Part("output", out, data)])
    return RevertResult(out, sha, restored, len(inserted), sha == meta.get("input_sha256"),
                        forced, recovered)
