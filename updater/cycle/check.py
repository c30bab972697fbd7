"""What ``updater check`` answers: are we ready for the coming effective dates?

For each coming date (the calendar in :mod:`updater.cycle.calendar`), whether the store holds the
new release and the release in force before it; and, for the next date, whether the
configured chargemaster(s) and crosswalk(s) still have open findings. Built for a
scheduled job: ``Readiness.exit_code`` is 0 when nothing needs doing, 1 when something
does.

"Missing" is not the same as "not out yet": a release the publisher usually has not
published by ``as_of`` is *awaited* and needs no action; one the publisher usually has
out by then is *missing*. CPT Category III and PLA updates are *optional*: the AMA
publishes them as code lists, not as the data files the store imports, and the next
annual CPT release carries them. A release whose files wait in the inbox, read but not
imported yet, is *in the inbox*: the action is to import it (``updater run`` does).

Updates off the calendar (the CDC's January 2021 ICD-10-CM update) are listed when their
release is in the store or the inbox (:func:`updater.cycle.calendar.unscheduled_cycle`).
Open findings are named, by input, row and code, not only counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from updater.codes import DOTTED, spell_codes
from updater.cycle.calendar import (
    Cycle,
    is_scheduled,
    previous_cycle,
    principal,
    unscheduled_cycle,
    upcoming,
)
from updater.cycle.config import Config
from updater.cycle.inbox import inbox_files
from updater.cycle.run import SystemRun, cycle_change_sets, input_units, scan_unit
from updater.errors import UpdaterError
from updater.files.output import file_sha256
from updater.impact.candidates.conversion import looks_like_conversion_table
from updater.plan import model as P
from updater.plan.plan_file import read_plan
from updater.releases.readers import load_release
from updater.releases.store import ReleaseStore, StoredRelease
from updater.vocabulary import AT_RISK_KINDS, CodeSystem, Decision

# States of a release in ``ReleaseCheck``.
STORED, MISSING, AWAITED, OPTIONAL = "stored", "missing", "awaited", "optional"
INBOX = "inbox"  # read from a file waiting in the inbox, not imported yet
OLDER, COMING = "older", "coming"  # before: an earlier release stands in / a coming date
# States of ``FindingsCheck``.
OPEN, CLOSED, NOT_CHECKED = "open", "closed", "not checked"

_DECIDED = {Decision.APPROVED.value, Decision.REJECTED.value, Decision.CHANGED.value}
SHOWN_OPEN = 10  # open findings named in the printed report (--json has them all)


@dataclass(frozen=True)
class InboxRelease:
    """A release read from a file waiting in the inbox (not in the store yet), or a file
    there that could not be read (``release`` empty, ``message`` why)."""

    file: Path
    release: str = ""  # the store id it would get, e.g. icd10cm:FY2027
    system: CodeSystem | None = None
    version: str = ""
    effective: date | None = None
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"file": str(self.file), "release": self.release,
                "system": self.system.value if self.system else None,
                "version": self.version,
                "effective": self.effective.isoformat() if self.effective else None,
                "message": self.message}


def inbox_releases(inbox: Path, store: ReleaseStore) -> list[InboxRelease]:
    """The releases waiting in the inbox: each publisher file read as ``updater run`` would
    import it, except files the store already holds (by checksum) and CDC conversion
    tables; a release already in the store by id is not waiting either."""
    stored = store.list()
    known = {src.sha256 for r in stored for src in r.sources}
    ids = {r.id for r in stored}
    found: list[InboxRelease] = []
    seen: set[str] = set()
    for path in inbox_files(inbox):
        try:
            if path.suffix.lower() in (".xlsx", ".xlsm") and looks_like_conversion_table(path):
                continue
            if file_sha256(path) in known:
                continue
            release = load_release(path)[0]
        except (UpdaterError, OSError) as exc:
            found.append(InboxRelease(path, message=str(exc)))
            continue
        if release.id in ids or release.id in seen:
            continue
        seen.add(release.id)
        found.append(InboxRelease(path, release.id, release.system, release.version,
                                  release.effective))
    return found


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
    # (nothing earlier); coming (the in-force release is itself a coming date's release);
    # inbox (waiting in the inbox)
    before_state: str
    new_file: str = ""  # the inbox file the new release is read from (state inbox)
    before_file: str = ""  # the inbox file the release in force is read from
    before_waiting: str = ""  # the store id that inbox file's release gets

    @property
    def action_needed(self) -> bool:
        # An older stored release stands in for a skipped one (the full release files hold
        # every change since it), so only a release with nothing before it needs action.
        return self.state in (MISSING, INBOX) or self.before_state in (MISSING, INBOX)

    def to_dict(self) -> dict[str, Any]:
        return {"system": self.system.value, "updates": [c.name for c in self.cycles],
                "expected": self.expected,
                "published": self.published.isoformat() if self.published else None,
                "new": self.new, "state": self.state, "before_expected": self.before_expected,
                "before": self.before, "before_state": self.before_state,
                "new_file": self.new_file, "before_file": self.before_file,
                "before_waiting": self.before_waiting,
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
    # each open finding: {"source", "file", "row", "code", "kind", "charge_code",
    # "procedure", "diagnosis", "plan"}; row is the input's data row, code as its file
    # writes it
    undecided: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"effective": self.effective.isoformat(), "state": self.state,
                "note": self.note, "inputs": list(self.inputs), "releases": list(self.releases),
                "at_risk": self.at_risk, "open": self.open, "plans": list(self.plans),
                "undecided": [dict(u) for u in self.undecided]}

    def undecided_lines(self, limit: int = SHOWN_OPEN) -> list[str]:
        """The open findings, one line each, the first ``limit`` of them."""
        out = [f"  {_finding_words(u)}" for u in self.undecided[:limit]]
        if len(self.undecided) > limit:
            out.append(f"  ... and {len(self.undecided) - limit} more (all of them in "
                       "updater check --json)")
        return out


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
    inbox: tuple[InboxRelease, ...] = ()  # what waits in the inbox (and what cannot be read)

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
                "inbox": [i.to_dict() for i in self.inbox],
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
        waiting = [i for i in self.inbox if i.release]
        unreadable = [i for i in self.inbox if not i.release]
        if waiting or unreadable:
            out.append("")
            out.append("inbox (not imported yet):")
            out += [f"  {i.file}: {i.release} (effective {_iso(i.effective)})"
                    for i in waiting]
            out += [f"  {i.file}: cannot be read ({i.message})" for i in unreadable]
        if self.findings is not None:
            f = self.findings
            out.append("")
            out.append(f"findings for {f.effective.isoformat()}: {f.state} ({f.note})")
            out += f.undecided_lines()
        out.append("")
        if self.ready:
            out.append("ready: nothing to do")
        else:
            out.append("action needed:")
            out.extend(f"  - {a}" for a in self.actions)
        return out


def _finding_words(u: dict[str, Any]) -> str:
    """One open finding as ``check`` prints it: where, which code, what happened."""
    if u["source"] == "crosswalk":
        where = f"crosswalk row {u['row']} ({u['procedure']} with {u['diagnosis']})"
    else:
        where = f"chargemaster row {u['row']}" + (f" (charge code {u['charge_code']})"
                                                  if u["charge_code"] else "")
    plan = f"; {u['plan']}" if u["plan"] else ""
    return f"{where}: {u['code']} {u['kind']}{plan}"


def _new_words(r: ReleaseCheck) -> str:
    published = (f"usually published about {r.published.isoformat()}" if r.published
                 else "publication date unknown")
    if r.state == STORED and r.cycles and r.cycles[0].kind == "unscheduled":
        return f"{r.new} in the store (an update off the usual calendar)"
    return {STORED: f"{r.new} in the store",
            INBOX: f"{r.expected} waiting in the inbox ({r.new_file}), not imported yet",
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
            MISSING: f"{r.before_expected} MISSING (no earlier release in the store)",
            INBOX: f"{r.before_waiting} waiting in the inbox ({r.before_file}), not "
                   "imported yet" + (f" (it stands in for {r.before_expected})"
                                     if r.before_waiting != r.before_expected else "")}[
        r.before_state]


def _release_check(system: CodeSystem, cycles: list[Cycle], as_of: date,
                   stored: list[StoredRelease],
                   waiting: Sequence[InboxRelease] = ()) -> ReleaseCheck:
    effective = cycles[0].effective
    main = principal(cycles)
    new = next((r for r in stored if r.system is system and r.effective == effective), None)
    inbox = next((i for i in waiting if i.system is system and i.effective == effective),
                 None)
    new_file = ""
    if new is not None:
        state = STORED
    elif inbox is not None:
        state, new_file = INBOX, str(inbox.file)
    elif not _required(cycles):
        state = OPTIONAL
    elif main.published is not None and main.published > as_of:
        state = AWAITED
    else:
        state = MISSING
    expected_before = in_force_before(main)
    earlier = [r for r in stored if r.system is system and r.effective < effective]
    before = earlier[-1] if earlier else None
    # releases before the date waiting in the inbox, latest first: the one in force, or an
    # older full release that stands in for it once imported
    earlier_inbox = sorted((i for i in waiting if i.system is system
                            and i.effective is not None and i.effective < effective),
                           key=lambda i: i.effective or effective, reverse=True)
    right = [i for i in earlier_inbox if i.effective is not None
             and i.effective >= expected_before.effective]
    before_file = before_waiting = ""
    if before is not None and before.effective >= expected_before.effective:
        before_state = STORED
    elif expected_before.effective >= as_of:
        before_state = COMING  # an earlier coming date above asks for it
    elif right or (before is None and earlier_inbox):
        chosen = (right or earlier_inbox)[0]
        before_state, before_file, before_waiting = INBOX, str(chosen.file), chosen.release
    elif before is not None:
        before_state = OLDER
    else:
        before_state = MISSING
    return ReleaseCheck(system=system, cycles=tuple(cycles), expected=main.release_id,
                        published=main.published,
                        new=new.id if new else (inbox.release if inbox else None),
                        state=state, before_expected=expected_before.release_id,
                        before=before.id if before else None, before_state=before_state,
                        new_file=new_file, before_file=before_file,
                        before_waiting=before_waiting)


def check_readiness(config: Config, *, as_of: date, horizon_days: int = 120) -> Readiness:
    """Readiness for the cycles from ``as_of`` to ``horizon_days`` later (and at least the
    next date of each configured system)."""
    store = ReleaseStore(config.store)
    stored = store.list()
    inbox = inbox_releases(config.inbox, store)
    waiting = [i for i in inbox if i.release]
    cycles = upcoming(as_of, horizon_days=horizon_days, systems=config.systems)
    cycles += _unscheduled(stored, waiting, as_of, config.systems)
    by_date: dict[date, dict[CodeSystem, list[Cycle]]] = {}
    for c in cycles:
        by_date.setdefault(c.effective, {}).setdefault(c.system, []).append(c)
    dates = tuple(
        DateCheck(effective=day, days_left=(day - as_of).days,
                  within_horizon=(day - as_of).days <= horizon_days,
                  releases=tuple(_release_check(s, cs, as_of, stored, waiting)
                                 for s, cs in sorted(systems.items(),
                                                     key=lambda kv: config.systems.index(kv[0]))))
        for day, systems in sorted(by_date.items()))
    actions: list[str] = []
    for d in dates:
        if not d.within_horizon:
            continue
        for r in d.releases:
            for name, file in ((r.new, r.new_file), (r.before_waiting, r.before_file)):
                if file:
                    line = (f"import {name} waiting in the inbox ({file}): run 'updater run "
                            f"--cycle {d.effective.isoformat()}' (it imports the inbox "
                            f"first), or 'updater import {file}'")
                    if line not in actions:
                        actions.append(line)
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
            findings = _findings(config, store, target, waiting)
            if findings.state == OPEN and target.within_horizon:
                day = target.effective.isoformat()
                what = (f"decide {findings.open} open finding"
                        f"{'' if findings.open == 1 else 's'} for {day}")
                actions.append(f"{what} in {', '.join(findings.plans)}" if findings.plans
                               else f"{what}: run 'updater run --cycle {day}', then set the "
                                    "decisions in its plan.xlsx")
    return Readiness(as_of=as_of, horizon_days=horizon_days, config=config.path,
                     store=config.store, dates=dates, findings=findings, actions=tuple(actions),
                     inbox=tuple(inbox))


def _unscheduled(stored: Sequence[StoredRelease], waiting: Sequence[InboxRelease],
                 as_of: date, systems: Sequence[CodeSystem]) -> list[Cycle]:
    """Cycles for the releases in the store or the inbox that take effect on or after
    ``as_of`` on a date the calendar does not have (an unscheduled update)."""
    found = {}
    known = [(r.system, r.effective, r.version) for r in stored] + [
        (i.system, i.effective, i.version) for i in waiting]
    for system, effective, version in known:
        if (system is not None and system in systems and effective is not None
                and effective >= as_of
                and not is_scheduled(system, effective)):
            found[(system, effective)] = unscheduled_cycle(system, effective, version)
    return list(found.values())


def _iso(day: date | None) -> str:
    return day.isoformat() if day else "now"


def _findings(config: Config, store: ReleaseStore, target: DateCheck,
              inbox: Sequence[InboxRelease] = ()) -> FindingsCheck:
    """Scan the configured inputs against the date's release pairs, as ``updater run``
    scans them (one change set per pair, built once); match the cycle's plans."""
    ready = [SystemRun(r.system, [c.name for c in r.cycles], r.expected, new=r.new or "",
                       old=r.before) for r in target.releases
             if r.state == STORED and r.before and r.before_state != INBOX]
    waiting = [r.expected for r in target.releases
               if _required(r.cycles) and (r.state != STORED or r.before is None)]
    if not ready:
        in_inbox = [r.expected for r in target.releases if r.state == INBOX]
        why = ("the releases to compare are not in the store yet: " + ", ".join(waiting)
               + (f" ({', '.join(in_inbox)} waiting in the inbox: import them first)"
                  if in_inbox else ""))
        return FindingsCheck(target.effective, NOT_CHECKED, why)
    change_sets = cycle_change_sets(config, ready, [], lambda *_: None)
    plans = _plans(config.output / target.effective.isoformat())
    inputs: list[str] = []
    at_risk = 0
    undecided: list[dict[str, Any]] = []
    used: set[Path] = set()
    for i, unit in enumerate(input_units(config)):
        result = scan_unit(unit, change_sets, store, target.effective)
        f = result.findings
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
            spelling = str((result.inputs.get(source) or {}).get("icd10cm_spelling", ""))
            undecided += _undecided(part, plan[1] if plan else None, entry.path,
                                    plan[0] if plan else None, spelling)
    still_open = len(undecided)
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
                         plans=tuple(str(p) for p in sorted(used)),
                         undecided=tuple(undecided))


def _plans(folder: Path) -> list[tuple[Path, Any]]:
    """Plans ``updater run`` wrote for the cycle: ``plan.xlsx`` for the first chargemaster
    and crosswalk, ``plan-<name>.xlsx`` for each further one; the workbook (where reviewers
    decide) before ``plan.json``. Backups (``plan.reviewed-...``) are not plans."""
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


def _undecided(risky: pd.DataFrame, plan: pd.DataFrame | None, file: Path,
               plan_file: Path | None, spelling: str = "") -> list[dict[str, Any]]:
    """At-risk findings with no decision (not in the plan, or a plan row still pending),
    each named: input, row, code (as its file writes it), kind, and its plan rows."""
    if not len(risky):
        return []
    plan_rows = pd.Series("", index=risky.index, dtype=object)
    if plan is None or not len(plan):
        done = np.zeros(len(risky), dtype=bool)
    else:
        rows = plan[plan[P.SECTION] == risky["source"].iloc[0]]
        by = rows.assign(_decided=rows[P.DECISION].isin(_DECIDED)).groupby(
            [P.SOURCE_ROW, P.OLD_CODE, P.FINDING])
        decided = by["_decided"].all()
        numbers = by[P.PLAN_ROW].agg(lambda n: ", ".join(str(int(x)) for x in n))
        keys = pd.MultiIndex.from_arrays([risky["row"].astype("int64"),
                                          risky["code"].astype(str),
                                          risky["kind"].astype(str)])
        done = decided.reindex(keys, fill_value=False).to_numpy(dtype=bool)
        plan_rows = pd.Series(numbers.reindex(keys).fillna("").to_numpy(), index=risky.index)
    left = risky[~done]
    where = plan_rows[~done]
    icd = (left["system"] == CodeSystem.ICD10CM.value).to_numpy()
    shown = left["code"].astype(str).copy()
    dx = left["diagnosis"].astype(str).copy()
    spelled = spelling or DOTTED
    if icd.any():
        shown[icd] = spell_codes(shown[icd], CodeSystem.ICD10CM, spelled)
    crosswalk = (left["source"] == "crosswalk").to_numpy()
    if crosswalk.any():
        dx[crosswalk] = spell_codes(dx[crosswalk], CodeSystem.ICD10CM, spelled)
    name = plan_file.name if plan_file is not None else ""
    return [{"source": src, "file": str(file), "row": int(row), "code": code, "kind": kind,
             "charge_code": charge, "procedure": proc, "diagnosis": diag,
             "plan": (f"pending in {name} (plan row {n})" if n else
                      f"not in {name}" if name else "no plan yet")}
            for src, row, code, kind, charge, proc, diag, n in zip(
                left["source"], left["row"], shown, left["kind"], left["charge_code"],
                left["procedure"], dx, where, strict=True)]
