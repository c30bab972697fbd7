"""What ``updater check`` answers: are we ready for the coming effective dates?

For each coming date (the calendar in :mod:`updater.calendar`), whether the store holds the
new release and the release in force before it; and, for the next date, whether the
configured chargemaster(s) and crosswalk(s) still have open findings. Built for a
scheduled job: ``Readiness.exit_code`` is 0 when nothing needs doing, 1 when something
does.

"Missing" is not the same as "not out yet": a release the publisher usually has not
published by ``as_of`` is *awaited* and needs no action; one the publisher usually has
out by then is *missing*. CPT Category III and PLA updates are *optional*: the AMA
publishes them as code lists, not as the data files the store imports, and the next
annual CPT release carries them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from updater.calendar import Cycle, previous_cycle, principal, upcoming
from updater.config import Config
from updater.store import ReleaseStore, StoredRelease
from updater.vocabulary import AT_RISK_KINDS, CodeSystem, Decision

# States of a release in ``ReleaseCheck``.
STORED, MISSING, AWAITED, OPTIONAL = "stored", "missing", "awaited", "optional"
OLDER, COMING = "older", "coming"  # before: an earlier release stands in / a coming date
# States of ``FindingsCheck``.
OPEN, CLOSED, NOT_CHECKED = "open", "closed", "not checked"

_DECIDED = {Decision.APPROVED.value, Decision.REJECTED.value, Decision.CHANGED.value}


def _required(cycles: Sequence[Cycle]) -> bool:
    return any(not c.optional for c in cycles)


def in_force_before(cycle: Cycle) -> Cycle:
    """The same system's last required cycle before ``cycle`` (optional updates skipped):
    the release whose codes the chargemaster should carry until ``cycle`` takes effect."""
    previous = previous_cycle(cycle)
    while previous.optional:
        previous = previous_cycle(previous)
    return previous


@dataclass(frozen=True)
class ReleaseCheck:
    """One system's release for one effective date, and the release in force before it."""

    system: CodeSystem
    cycles: tuple[Cycle, ...]  # the updates of this system taking effect that day
    expected: str  # the store id the new release gets, e.g. hcpcs:2027
    published: date | None  # when the publisher usually has it out (approximate)
    new: str | None  # the stored release taking effect that day
    state: str  # stored, missing, awaited or optional
    before_expected: str  # the store id of the release in force before, by the calendar
    before: str | None  # the stored release the diff starts from (latest before the date)
    # stored; older (the in-force release is missing, an earlier one stands in); missing
    # (nothing earlier); coming (the in-force release is itself a coming date's release)
    before_state: str

    @property
    def action_needed(self) -> bool:
        # An older stored release stands in for a skipped one (the full release files hold
        # every change since it), so only a release with nothing before it needs action.
        return self.state == MISSING or self.before_state == MISSING

    def to_dict(self) -> dict[str, Any]:
        return {"system": self.system.value, "updates": [c.name for c in self.cycles],
                "expected": self.expected,
                "published": self.published.isoformat() if self.published else None,
                "new": self.new, "state": self.state, "before_expected": self.before_expected,
                "before": self.before, "before_state": self.before_state,
                "action_needed": self.action_needed}


@dataclass(frozen=True)
class DateCheck:
    """One coming effective date."""

    effective: date
    days_left: int
    within_horizon: bool  # beyond it, a date is shown but asks for nothing yet
    releases: tuple[ReleaseCheck, ...]

    @property
    def action_needed(self) -> bool:
        return self.within_horizon and any(r.action_needed for r in self.releases)

    def to_dict(self) -> dict[str, Any]:
        return {"effective": self.effective.isoformat(), "days_left": self.days_left,
                "within_horizon": self.within_horizon, "action_needed": self.action_needed,
                "releases": [r.to_dict() for r in self.releases]}


@dataclass(frozen=True)
class FindingsCheck:
    """Whether the configured chargemaster(s) and crosswalk(s) are done for a date.

    Open findings are at-risk findings (``AT_RISK_KINDS``: the line bills a code that will
    not be payable) with no plan decision yet: not in the cycle's plan, or still pending.
    """

    effective: date
    state: str  # open, closed or not checked
    note: str  # why, in plain words
    inputs: tuple[str, ...] = ()  # the files scanned
    releases: tuple[str, ...] = ()  # the pairs scanned, e.g. hcpcs:2026 -> hcpcs:2027
    at_risk: int = 0
    open: int = 0
    plans: tuple[str, ...] = ()  # the plan files whose decisions were read

    def to_dict(self) -> dict[str, Any]:
        return {"effective": self.effective.isoformat(), "state": self.state,
                "note": self.note, "inputs": list(self.inputs), "releases": list(self.releases),
                "at_risk": self.at_risk, "open": self.open, "plans": list(self.plans)}


@dataclass(frozen=True)
class Readiness:
    """The whole answer of ``updater check``."""

    as_of: date
    horizon_days: int
    config: Path | None
    store: Path
    dates: tuple[DateCheck, ...]
    findings: FindingsCheck | None  # None when the config names no chargemaster/crosswalk
    actions: tuple[str, ...] = field(default=())  # what to do, one sentence each

    @property
    def ready(self) -> bool:
        return not self.actions

    @property
    def exit_code(self) -> int:
        """0 ready, 1 action needed (2, for errors, is the CLI's)."""
        return 0 if self.ready else 1

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "horizon_days": self.horizon_days,
                "config": str(self.config) if self.config else None, "store": str(self.store),
                "ready": self.ready, "dates": [d.to_dict() for d in self.dates],
                "findings": self.findings.to_dict() if self.findings else None,
                "actions": list(self.actions)}

    def lines(self) -> list[str]:
        """The report as printed by ``updater check``."""
        out = [f"updater check as of {self.as_of.isoformat()} (horizon {self.horizon_days} "
               f"days; store {self.store}"
               + (f"; config {self.config})" if self.config else "; no updater.toml)")]
        for d in self.dates:
            out.append("")
            when = "today" if d.days_left == 0 else f"in {d.days_left} days"
            later = "" if d.within_horizon else "  (beyond the horizon)"
            out.append(f"{d.effective.isoformat()}  {when}{later}")
            for r in d.releases:
                out.append("  " + "; ".join(c.name for c in r.cycles))
                out.append(f"    new:    {_new_words(r)}")
                out.append(f"    before: {_before_words(r)}")
        if self.findings is not None:
            f = self.findings
            out.append("")
            out.append(f"findings for {f.effective.isoformat()}: {f.state} ({f.note})")
        out.append("")
        if self.ready:
            out.append("ready: nothing to do")
        else:
            out.append("action needed:")
            out.extend(f"  - {a}" for a in self.actions)
        return out


def _new_words(r: ReleaseCheck) -> str:
    published = (f"usually published about {r.published.isoformat()}" if r.published
                 else "publication date unknown")
    return {STORED: f"{r.new} in the store",
            MISSING: f"{r.expected} MISSING ({published})",
            AWAITED: f"{r.expected} not out yet ({published})",
            OPTIONAL: f"{r.expected} not in the store (optional: the AMA publishes these "
                      "updates as code lists; the next annual CPT release carries them)"}[r.state]


def _before_words(r: ReleaseCheck) -> str:
    return {STORED: f"{r.before} in the store",
            OLDER: f"{r.before} in the store ({r.before_expected} is not; the diff runs from "
                   f"{r.before}, which is fine for full releases)",
            COMING: f"{r.before_expected}, see above"
            + (f" (until then the store's latest is {r.before})" if r.before else ""),
            MISSING: f"{r.before_expected} MISSING (no earlier release in the store)"}[
        r.before_state]


def _release_check(system: CodeSystem, cycles: list[Cycle], as_of: date,
                   stored: list[StoredRelease]) -> ReleaseCheck:
    effective = cycles[0].effective
    main = principal(cycles)
    new = next((r for r in stored if r.system is system and r.effective == effective), None)
    if new is not None:
        state = STORED
    elif not _required(cycles):
        state = OPTIONAL
    elif main.published is not None and main.published > as_of:
        state = AWAITED
    else:
        state = MISSING
    expected_before = in_force_before(main)
    earlier = [r for r in stored if r.system is system and r.effective < effective]
    before = earlier[-1] if earlier else None
    if before is not None and before.effective >= expected_before.effective:
        before_state = STORED
    elif expected_before.effective >= as_of:
        before_state = COMING  # an earlier coming date above asks for it
    elif before is not None:
        before_state = OLDER
    else:
        before_state = MISSING
    return ReleaseCheck(system=system, cycles=tuple(cycles), expected=main.release_id,
                        published=main.published, new=new.id if new else None,
                        state=state, before_expected=expected_before.release_id,
                        before=before.id if before else None, before_state=before_state)


def check_readiness(config: Config, *, as_of: date, horizon_days: int = 120) -> Readiness:
    """Readiness for the cycles from ``as_of`` to ``horizon_days`` later (and at least the
    next date of each configured system)."""
    store = ReleaseStore(config.store)
    stored = store.list()
    cycles = upcoming(as_of, horizon_days=horizon_days, systems=config.systems)
    by_date: dict[date, dict[CodeSystem, list[Cycle]]] = {}
    for c in cycles:
        by_date.setdefault(c.effective, {}).setdefault(c.system, []).append(c)
    dates = tuple(
        DateCheck(effective=day, days_left=(day - as_of).days,
                  within_horizon=(day - as_of).days <= horizon_days,
                  releases=tuple(_release_check(s, cs, as_of, stored)
                                 for s, cs in sorted(systems.items(),
                                                     key=lambda kv: config.systems.index(kv[0]))))
        for day, systems in sorted(by_date.items()))
    actions: list[str] = []
    for d in dates:
        if not d.within_horizon:
            continue
        for r in d.releases:
            if r.state == MISSING:
                actions.append(f"import {r.expected} for {d.effective.isoformat()} (the "
                               f"publisher usually has it out by {_iso(r.published)})")
            if r.before_state == MISSING:
                line = (f"import {r.before_expected}, the release in force before "
                        f"{d.effective.isoformat()}")
                if line not in actions:
                    actions.append(line)
    findings = None
    if config.chargemasters or config.crosswalks:
        target = next((d for d in dates if any(_required(r.cycles) for r in d.releases)), None)
        if target is not None:
            findings = _findings(config, store, target)
            if findings.state == OPEN and target.within_horizon:
                day = target.effective.isoformat()
                what = (f"decide {findings.open} open finding"
                        f"{'' if findings.open == 1 else 's'} for {day}")
                actions.append(f"{what} in {', '.join(findings.plans)}" if findings.plans
                               else f"{what}: run 'updater run --cycle {day}', then set the "
                                    "decisions in its plan.xlsx")
    return Readiness(as_of=as_of, horizon_days=horizon_days, config=config.path,
                     store=config.store, dates=dates, findings=findings, actions=tuple(actions))


def _iso(day: date | None) -> str:
    return day.isoformat() if day else "now"


def _findings(config: Config, store: ReleaseStore, target: DateCheck) -> FindingsCheck:
    """Scan the configured inputs against the date's release pairs, as ``updater run``
    scans them (one change set per pair, built once); match the cycle's plans."""
    from updater.cycle import SystemRun, cycle_change_sets, input_units, scan_unit

    ready = [SystemRun(r.system, [c.name for c in r.cycles], r.expected, new=r.new,
                       old=r.before) for r in target.releases if r.new and r.before]
    waiting = [r.expected for r in target.releases
               if _required(r.cycles) and (r.new is None or r.before is None)]
    if not ready:
        return FindingsCheck(target.effective, NOT_CHECKED,
                             "the releases to compare are not in the store yet: "
                             + ", ".join(waiting))
    change_sets = cycle_change_sets(config, ready, [], lambda *_: None)
    plans = _plans(config.output / target.effective.isoformat())
    inputs: list[str] = []
    at_risk = 0
    still_open = 0
    used: set[Path] = set()
    for i, unit in enumerate(input_units(config)):
        f = scan_unit(unit, change_sets, store, target.effective).findings
        risky = f[f["kind"].isin({k.value for k in AT_RISK_KINDS})]
        at_risk += len(risky)
        for source, entry in (("chargemaster", unit.chargemaster),
                              ("crosswalk", unit.crosswalk)):
            if entry is None:
                continue
            inputs.append(str(entry.path))
            part = risky[risky["source"] == source]
            plan = _plan_for(plans, source, entry.path, first=i == 0)
            if plan is not None:
                used.add(plan[0])
            still_open += _undecided(part, plan[1] if plan else None)
    scanned = tuple(f"{r.old} -> {r.new}" for r in ready)
    plan_note = (f"decisions read from {', '.join(str(p) for p in sorted(used))}" if used
                 else f"no plan in {config.output / target.effective.isoformat()}")
    partial = f"; not yet compared: {', '.join(waiting)}" if waiting else ""
    if still_open:
        note = f"{still_open} of {at_risk} at-risk findings undecided; {plan_note}{partial}"
        state = OPEN
    else:
        note = (f"{at_risk} at-risk findings, all decided; {plan_note}{partial}" if at_risk
                else f"no at-risk findings{partial}")
        state = CLOSED
    return FindingsCheck(target.effective, state, note, inputs=tuple(inputs),
                         releases=scanned, at_risk=at_risk, open=still_open,
                         plans=tuple(str(p) for p in sorted(used)))


def _plans(folder: Path) -> list[tuple[Path, Any]]:
    """Plans ``updater run`` wrote for the cycle: ``plan.xlsx`` for the first chargemaster
    and crosswalk, ``plan-<name>.xlsx`` for each further one; the workbook (where reviewers
    decide) before ``plan.json``. Backups (``plan.reviewed-...``) are not plans."""
    from updater.plan import read_plan

    found: list[tuple[Path, Any]] = []
    if not folder.is_dir():
        return found
    stems = sorted({p.stem for p in folder.glob("plan*")
                    if p.suffix.lower() in (".xlsx", ".json") and p.is_file()
                    and (p.stem == "plan" or p.stem.startswith("plan-"))})
    for stem in stems:
        for ext in (".xlsx", ".json"):
            if (folder / f"{stem}{ext}").is_file():
                found.append((folder / f"{stem}{ext}", read_plan(folder / f"{stem}{ext}")))
                break
    return found


def _plan_for(plans: list[tuple[Path, Any]], source: str, path: Path,
              first: bool) -> tuple[Path, pd.DataFrame] | None:
    """The plan made from this input: by the path its identity records, else ``plan.*``
    for the first chargemaster and crosswalk."""
    wanted = str(path.resolve())
    for file, plan in plans:
        made_from = getattr(plan.identity, source, "")
        if made_from and str(Path(made_from).resolve()) == wanted:
            return file, plan.table
    if first:
        main = [(f, p) for f, p in plans if f.stem == "plan"]
        if main:
            return main[0][0], main[0][1].table
    return None


def _undecided(risky: pd.DataFrame, plan: pd.DataFrame | None) -> int:
    """At-risk findings with no decision: not in the plan, or a plan row still pending."""
    if not len(risky):
        return 0
    if plan is None or not len(plan):
        return len(risky)
    from updater import plan_model as P

    rows = plan[plan[P.SECTION] == risky["source"].iloc[0]]
    decided = (rows.assign(_decided=rows[P.DECISION].isin(_DECIDED))
               .groupby([P.SOURCE_ROW, P.OLD_CODE, P.FINDING])["_decided"].all())
    keys = pd.MultiIndex.from_arrays([risky["row"].astype("int64"), risky["code"].astype(str),
                                      risky["kind"].astype(str)])
    done = decided.reindex(keys, fill_value=False).to_numpy(dtype=bool)
    return int((~done).sum())
