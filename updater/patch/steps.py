"""The plan's rows as steps to apply: decisions resolved (a ``changed`` retire with one
code is a replace), the reviewer's sign-off kept, conflicting rows refused, and every
successor code checked against the new release of its code system."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from updater.codes import normalize_code
from updater.codeshapes import COMPILED
from updater.errors import UpdaterError
from updater.impact.inputs import CODE
from updater.model import RECORD, TERMINATION_DATE, Release, official_titles
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
from updater.plan.model import CHARGE_CODE as P_CHARGE_CODE
from updater.releases.lookup import resolve_side
from updater.releases.readers import ReadOptions
from updater.vocabulary import CodeSystem, Decision, PlanAction, RecordType

_SHAPES = {s: COMPILED[s] for s in (CodeSystem.CPT, CodeSystem.HCPCS)}


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


def review_lines(reviews: Sequence[Mapping[str, Any]]) -> list[str]:
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
