"""One command per cycle: everything a pre-January or pre-October check needs, in one folder.

``run_cycle`` takes the facility's configuration (:mod:`updater.cycle.config`) and a cycle date
(:mod:`updater.cycle.calendar`) and

1. imports every publisher file waiting in the inbox into the release store
   (:mod:`updater.cycle.inbox`);
2. for each code system with a cycle that day, diffs the release taking effect that day
   against the release in force before it (the latest earlier one in the store);
3. scans the configured chargemaster(s) and crosswalk(s) against all of the cycle's
   changes together, and plans;
4. writes ``<output>/<YYYY-MM-DD>/``: ``release-<system>.html``, ``diff-<system>.json``,
   ``training-<focus>-<system>.html`` per training focus, ``impact.html``, ``plan.xlsx``,
   ``plan.json``, ``scan.json``, ``conceptmap.json`` and ``index.html`` linking them.

Reviewed decisions are kept: when ``plan.xlsx`` in the folder has a decision a reviewer
made, the fresh plan is merged into it (the rule: :mod:`updater.plan.merge`). The reviewed
workbook is first copied to ``plan.reviewed-<UTC timestamp>.xlsx``, then the merged plan
replaces ``plan.xlsx`` atomically (and ``plan.json`` and ``conceptmap.json`` follow it).
When the merge changes nothing, the reviewed workbook is left exactly as it is.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from updater.cycle.calendar import Cycle, cycles_on, next_cycle_date
from updater.cycle.config import ChargemasterConfig, Config, CrosswalkConfig
from updater.cycle.inbox import InboxFile, Progress, import_inbox, inbox_files, no_progress
from updater.errors import UpdaterError
from updater.files.output import make_folder, write_json
from updater.impact.change_sets import ChangeSet, build_change_sets
from updater.impact.findings import ScanResult, scan
from updater.impact.inputs.chargemaster import read_chargemaster
from updater.impact.inputs.crosswalk import read_crosswalk
from updater.impact.scan import input_files, record_spelling
from updater.plan import model as P
from updater.plan.fhir import concept_map
from updater.plan.make import make_plan
from updater.plan.merge import merge_reviewed, reviewed_rows
from updater.plan.model import Plan
from updater.plan.plan_file import read_plan, write_plan_json
from updater.plan.workbook import write_workbook
from updater.releases.diff import Diff
from updater.releases.store import ReleaseStore
from updater.reports.impact import impact_report
from updater.reports.release import release_report
from updater.reports.render import render, slug, write_html
from updater.reports.training import is_specialty, training_report
from updater.vocabulary import CodeSystem, Decision


@dataclass
class SystemRun:
    """One code system in the cycle: the releases compared, or why it could not be."""

    system: CodeSystem
    cycles: list[str]  # the calendar's names of the cycles that take effect that day
    expected: str  # the store id the cycle's release gets (icd10cm:FY2027)
    new: str = ""  # store id of the release taking effect, "" when missing
    old: str = ""  # store id of the release in force before it
    missing: str = ""  # plain words when the system could not be compared
    summary: dict[str, int] = field(default_factory=dict)  # the diff's code counts
    verified: bool | None = None
    # why the publisher's list could not check every change (a list counted from another
    # release), when that is the only reason the check did not pass
    unverifiable: str = ""
    files: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.missing

    def to_dict(self) -> dict[str, Any]:
        return {"system": self.system.value, "cycles": self.cycles, "expected": self.expected,
                "new": self.new, "old": self.old, "missing": self.missing,
                "summary": self.summary, "verified": self.verified,
                "unverifiable": self.unverifiable, "files": self.files}


@dataclass
class PlanRun:
    """One scanned set of inputs (a chargemaster and/or a crosswalk) and its plan."""

    name: str  # "" for the main one; otherwise the suffix of its files
    chargemaster: str
    crosswalk: str
    findings_by_kind: dict[str, int]
    charges_at_risk: float
    rows: int
    decisions: dict[str, int]  # plan rows by decision
    kept: int = 0  # reviewer decisions carried over from the reviewed workbook
    new_rows: int = 0  # rows marked [new]
    dropped: int = 0  # reviewed rows the fresh scan no longer produces
    backup: str = ""  # the reviewed workbook's copy, when one was made
    files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "chargemaster": self.chargemaster,
                "crosswalk": self.crosswalk, "findings_by_kind": self.findings_by_kind,
                "charges_at_risk": self.charges_at_risk, "rows": self.rows,
                "decisions": self.decisions, "kept": self.kept, "new_rows": self.new_rows,
                "dropped": self.dropped, "backup": self.backup, "files": self.files}


@dataclass
class CycleResult:
    """What ``updater run`` did, and where it wrote it."""

    cycle: date
    folder: Path
    index: Path
    systems: list[SystemRun]
    inbox: list[InboxFile]
    plans: list[PlanRun]
    files: list[str]  # every file written, relative to ``folder``
    missing: list[str]  # what is still missing, in plain words
    sign_off: list[str]
    diffs: list[Diff] = field(default_factory=list, repr=False)  # per ready system
    # what the user should know about the inputs read (a conversion-table row skipped)
    notes: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """The inbox files that could not be read or stored, one line each."""
        return [f"{f.file}: {f.message}" for f in self.inbox
                if f.status in ("unreadable", "refused")]

    def to_dict(self) -> dict[str, Any]:
        return {"cycle": self.cycle.isoformat(), "folder": str(self.folder),
                "index": str(self.index), "systems": [s.to_dict() for s in self.systems],
                "inbox": [f.to_dict() for f in self.inbox],
                "plans": [p.to_dict() for p in self.plans], "files": self.files,
                "missing": self.missing, "warnings": self.warnings,
                "notes": self.notes, "sign_off": self.sign_off}


def cycle_date(*, cycle: date | None, next_: bool, as_of: date | None,
               systems: Sequence[CodeSystem] | None = None) -> date:
    """The cycle to run: the date given, or with ``next_`` the first effective date on or
    after ``as_of`` (today when not given)."""
    if (cycle is None) == (not next_):
        raise UpdaterError("give exactly one of --cycle YYYY-MM-DD and --next",
                           hint="e.g. updater run --cycle 2026-10-01, or updater run --next")
    if cycle is not None:
        return cycle
    return next_cycle_date(as_of or date.today(), systems)


def _system_runs(store: ReleaseStore, effective: date,
                 systems: Sequence[CodeSystem]) -> list[SystemRun]:
    """Per code system with a cycle that day: the release taking effect and the one in
    force before it, or why there is no pair to compare."""
    by_system: dict[CodeSystem, list[Cycle]] = {}
    for c in cycles_on(effective, systems):
        by_system.setdefault(c.system, []).append(c)
    runs = []
    order = [s for s in systems if s in by_system]  # as the configuration names them
    for system in order:
        cycles = by_system[system]
        expected = cycles[0].release_id
        run = SystemRun(system, [c.name for c in cycles], expected)
        new = store.latest(system, on=effective)
        if (new is None or new.effective != effective) and all(c.optional for c in cycles):
            run.missing = (f"{expected} not in the store (optional: the AMA publishes "
                           f"{', '.join(c.name for c in cycles)} as code lists; the next "
                           "annual CPT release carries them)")
        elif new is None or new.effective != effective:
            run.missing = (f"no {system.label} release taking effect {effective.isoformat()} "
                           f"in the store (expected {expected})")
        else:
            run.new = new.id
            old = store.latest(system, before=effective)
            if old is None:
                run.missing = (f"{new.id} is in the store but no {system.label} release "
                               f"before it, to compare it with")
            else:
                run.old = old.id
        runs.append(run)
    return runs


def _no_pairs_error(config: Config, effective: date, runs: list[SystemRun]) -> UpdaterError:
    if not runs:
        return UpdaterError(f"no code set of {', '.join(s.value for s in config.systems)} "
                            f"takes effect {effective.isoformat()}",
                            hint="give a cycle date from the calendar (updater check lists "
                                 "them), or use --next")
    wanted = ", ".join(r.expected for r in runs)
    if all(not r.new for r in runs):
        return UpdaterError(f"nothing to compare for the {effective.isoformat()} cycle: the "
                            f"store {config.store} has no release taking effect that day "
                            f"({wanted})",
                            hint=f"put the publisher's files in the inbox {config.inbox} and "
                                 "run again")
    return UpdaterError(f"nothing to compare for the {effective.isoformat()} cycle: the store "
                        f"{config.store} has no release before "
                        f"{', '.join(r.new for r in runs if r.new)}",
                        hint=f"put the previous release's files in the inbox {config.inbox} "
                             "too and run again")


@dataclass
class InputUnit:
    """One scan: a chargemaster and/or a crosswalk, and the suffix of its files."""

    name: str
    chargemaster: ChargemasterConfig | None
    crosswalk: CrosswalkConfig | None

    def file(self, stem: str, ext: str) -> str:
        return f"{stem}-{self.name}.{ext}" if self.name else f"{stem}.{ext}"


def input_units(config: Config) -> list[InputUnit]:
    """The first chargemaster with the first crosswalk make the main plan (plan.xlsx);
    each further one pairs by position and its files carry its name (plan-<name>.xlsx)."""
    n = max(len(config.chargemasters), len(config.crosswalks))
    units = []
    for i in range(n):
        cdm = config.chargemasters[i] if i < len(config.chargemasters) else None
        xw = config.crosswalks[i] if i < len(config.crosswalks) else None
        name = "" if i == 0 else slug((cdm.name if cdm and cdm.name else "")
                                       or (xw.name if xw and xw.name else "")
                                       or (cdm or xw).path.stem)  # type: ignore[union-attr]
        units.append(InputUnit(name, cdm, xw))
    return units


def run_cycle(config: Config, *, cycle: date | None = None, next_: bool = False,
              as_of: date | None = None, progress: Progress | None = None) -> CycleResult:
    """Import, diff, scan, plan and write the cycle's folder (see the module doc)."""
    tick = progress or no_progress
    effective = cycle_date(cycle=cycle, next_=next_, as_of=as_of, systems=config.systems)
    store = ReleaseStore(config.store)
    inbox, tables = import_inbox(store, inbox_files(config.inbox), progress=tick)
    runs = _system_runs(store, effective, config.systems)
    ready = [r for r in runs if r.ready]
    if not ready:
        raise _no_pairs_error(config, effective, runs)
    units = input_units(config)
    folder = config.output / effective.isoformat()
    make_folder(folder)
    # a reviewed workbook that cannot be read stops the run before anything is written
    reviewed = {u.name: _reviewed_plan(folder / u.file("plan", "xlsx")) for u in units}

    change_sets = cycle_change_sets(config, ready, tables, tick)
    files: list[str] = []
    steps = 2 * len(ready) + len(units) * 2 + len(config.training) * len(ready)
    done = 0
    for run, cs in zip(ready, change_sets, strict=True):
        run.summary = dict(cs.diff.summary.get("codes", {}))
        run.verified = cs.diff.verified
        run.unverifiable = "; ".join(v.unverifiable for v in cs.diff.verifications
                                     if v.unverifiable and not v.unexplained)
        done += 1
        tick("write diffs", done, steps)
        name = f"diff-{cs.system.value}.json"
        write_json(cs.diff.to_dict(), folder / name)
        run.files.append(name)
        done += 1
        tick("release reports", done, steps)
        name = f"release-{cs.system.value}.html"
        _release_report(cs, folder / name)
        run.files.append(name)
    notes: list[str] = []
    for focus in config.training:
        # a focus of ICD-10-CM ranges has nothing to say about CPT: a note only when the
        # focus fits none of the cycle's code sets
        failed = []
        for run, cs in zip(ready, change_sets, strict=True):
            done += 1
            tick("training reports", done, steps)
            name = f"training-{slug(focus)}-{cs.system.value}.html"
            note = _training_report(cs, focus, folder / name)
            if note:
                failed.append(note)
            else:
                run.files.append(name)
        if len(failed) == len(ready):
            notes += failed
    plans: list[PlanRun] = []
    for unit in units:
        done += 1
        tick("scan", done, steps)
        result = scan_unit(unit, change_sets, store, effective)
        done += 1
        tick("plan", done, steps)
        plans.append(_write_plan(unit, result, folder, reviewed[unit.name]))
    if not units:
        write_json(concept_map(change_sets), folder / "conceptmap.json")
        files.append("conceptmap.json")
    for run in runs:
        files += run.files
    for p in plans:
        files += p.files
    missing = [r.missing for r in runs if r.missing] + notes
    if not units:
        missing.append("no chargemaster or crosswalk configured: nothing was scanned "
                       "(add [[chargemaster]] and [[crosswalk]] to updater.toml)")
    if not config.training:
        missing.append("no training focus configured: no coder-training report (add "
                       "training = [\"orthopedics\"] or ICD-10-CM ranges to updater.toml)")
    if not config.sign_off:
        missing.append("nobody named to sign off (add sign_off = [...] to updater.toml)")
    result_ = CycleResult(cycle=effective, folder=folder, index=folder / "index.html",
                          systems=runs, inbox=inbox, plans=plans, files=files,
                          missing=missing, sign_off=list(config.sign_off),
                          diffs=[cs.diff for cs in change_sets],
                          notes=[n for cs in change_sets for n in cs.notes])
    tick("index", steps, steps)
    result_.files += ["index.html", "cycle.json"]
    _write_index(result_, config)
    write_json(result_.to_dict(), folder / "cycle.json")
    write_cycles_index(config.output)
    return result_


def cycle_change_sets(config: Config, ready: list[SystemRun], tables: list[Path],
                 tick: Progress) -> list[ChangeSet]:
    """One change set per ready system, from the store (so steps and the publisher's change
    list are there), with the configured and inbox conversion tables and maps."""
    sets = []
    conversion = [*config.conversion, *tables]
    for i, run in enumerate(ready, start=1):
        tick("diff", i, len(ready))
        sets += build_change_sets([(run.old, run.new)], store=config.store,
                                  conversion_tables=conversion, user_maps=list(config.maps))
    return sets


def scan_unit(unit: InputUnit, change_sets: list[ChangeSet], store: ReleaseStore,
          effective: date) -> ScanResult:
    """The unit's inputs scanned against every change set of the cycle; a crosswalk's
    ranges expand against the ICD-10-CM release in force before the cycle."""
    cdm = xw = None
    if unit.chargemaster is not None:
        c = unit.chargemaster
        cdm = read_chargemaster(c.path, profile=c.profile, sheet=c.sheet)
    if unit.crosswalk is not None:
        icd = next((cs.old for cs in change_sets if cs.system is CodeSystem.ICD10CM), None)
        table = icd.table if icd is not None else None
        if table is None:
            in_force = store.latest(CodeSystem.ICD10CM, before=effective)
            table = store.load(in_force.id).table if in_force is not None else None
        xw = read_crosswalk(unit.crosswalk.path, expand_with=table, sheet=unit.crosswalk.sheet)
    result = scan(change_sets, chargemaster=cdm, crosswalk=xw)
    # the files read, as `updater scan` records them (so scan.json can be planned again)
    result.inputs = input_files(
        chargemaster=(unit.chargemaster.path if unit.chargemaster else None,
                      cdm.sha256 if cdm else ""),
        crosswalk=(unit.crosswalk.path if unit.crosswalk else None, xw.sha256 if xw else ""))
    record_spelling(result, xw)
    return result


def _release_report(cs: ChangeSet, path: Path) -> None:
    write_html(release_report(cs.diff), path)


def _training_report(cs: ChangeSet, focus: str, path: Path) -> str:
    """Writes the page; returns a note instead when the focus does not apply."""
    try:
        if is_specialty(focus):
            html = training_report(cs.diff, specialty=focus, candidates=cs.candidates)
        else:
            html = training_report(cs.diff, focus=focus, candidates=cs.candidates)
    except UpdaterError as exc:
        return f"training report {focus!r} for {cs.system.label}: {exc}"
    write_html(html, path)
    return ""


def _reviewed_plan(path: Path) -> Plan | None:
    """The plan in an existing workbook (None when there is none); an unreadable one is an
    error, so a reviewer's work is never replaced by a fresh plan unseen."""
    if not path.exists():
        return None
    try:
        return read_plan(path)
    except UpdaterError as exc:
        raise UpdaterError(f"the plan workbook in the cycle folder cannot be read ({exc})",
                           file=path, hint="fix it, or move it away to start a fresh plan; "
                                           "it is never overwritten unread") from None


def _write_plan(unit: InputUnit, result: ScanResult, folder: Path,
                reviewed: Plan | None) -> PlanRun:
    cdm_path = unit.chargemaster.path if unit.chargemaster else None
    xw_path = unit.crosswalk.path if unit.crosswalk else None
    plan = make_plan(result)  # its identity takes the inputs' hashes from the scan
    run = PlanRun(name=unit.name, chargemaster=str(cdm_path or ""),
                  crosswalk=str(xw_path or ""),
                  findings_by_kind=dict(result.summary["findings_by_kind"]),
                  charges_at_risk=float(result.summary["charges_at_risk"]), rows=0,
                  decisions={})
    workbook = folder / unit.file("plan", "xlsx")
    write_book = True
    if reviewed is not None and reviewed_rows(reviewed.table).any():
        merge = merge_reviewed(plan, reviewed)
        plan = merge.plan
        run.kept, run.new_rows, run.dropped = merge.kept, merge.new_rows, merge.dropped
        write_book = merge.changed
        if merge.changed:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            backup = folder / unit.file(f"plan.reviewed-{stamp}", "xlsx")
            shutil.copy2(workbook, backup)
            run.backup = backup.name
    names = {"scan": unit.file("scan", "json"), "plan_json": unit.file("plan", "json"),
             "plan": workbook.name, "conceptmap": unit.file("conceptmap", "json"),
             "impact": unit.file("impact", "html")}
    write_json(result.to_dict(), folder / names["scan"])
    write_plan_json(plan, folder / names["plan_json"])
    if write_book:
        write_workbook(plan, workbook)
    write_json(concept_map(plan), folder / names["conceptmap"])
    write_html(impact_report(result, plan), folder / names["impact"])
    run.files = [names["impact"], names["plan"], names["plan_json"], names["scan"],
                 names["conceptmap"]]
    counts = plan.table[P.DECISION].value_counts()
    run.rows = len(plan.table)
    run.decisions = {d.value: int(counts.get(d.value, 0)) for d in Decision}
    return run


def _write_index(result: CycleResult, config: Config) -> None:
    html = render("cycle_index.html.j2", result=result,
                  files=[f for f in result.files if f != "index.html"],
                  inputs=[str(p) for p in (*(c.path for c in config.chargemasters),
                                           *(x.path for x in config.crosswalks))])
    write_html(html, result.index)


def write_cycles_index(output: Path) -> Path:
    """``<output>/index.html``: every cycle folder run so far (from its ``cycle.json``),
    newest first, with its code sets, plan and a link to its own index."""

    cycles = []
    for summary in sorted(output.glob("*/cycle.json"), reverse=True):
        try:
            data = json.loads(summary.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a folder being written, or not ours: its own index still stands
        plans = data.get("plans") or []
        decisions = plans[0].get("decisions", {}) if plans else {}
        cycles.append({
            "cycle": data.get("cycle", summary.parent.name),
            "href": f"{summary.parent.name}/index.html",
            "systems": [s for s in data.get("systems", []) if s.get("new") and s.get("old")],
            "missing": [s["system"] for s in data.get("systems", []) if s.get("missing")],
            "rows": plans[0].get("rows", 0) if plans else None,
            "pending": decisions.get(Decision.PENDING.value, 0),
            "charges": plans[0].get("charges_at_risk", 0.0) if plans else None})
    path = output / "index.html"
    write_html(render("cycles_index.html.j2", cycles=cycles), path)
    return path


def summary_lines(result: CycleResult) -> list[str]:
    """What ``updater run`` prints: the releases compared, the plan, what is missing."""
    lines = [f"Cycle {result.cycle.isoformat()}"]
    for f in result.inbox:
        if f.status in ("added", "replaced"):
            lines.append(f"imported {f.release} from {f.file}")
        elif f.status in ("unreadable", "refused"):
            lines.append(f"could not import {f.file}: {f.message}")
    for r in result.systems:
        if r.ready:
            counts = ", ".join(f"{r.summary.get(k, 0)} {k}"
                               for k in ("added", "deleted", "revised", "expanded",
                                         "terminated") if r.summary.get(k, 0))
            check = ("cannot check every change" if r.unverifiable else
                     {True: "verified", False: "NOT verified", None: "no change list"}[
                         r.verified])
            lines.append(f"{r.system.label}: {r.old} -> {r.new}: {counts or 'no changes'} "
                         f"({check})")
        else:
            lines.append(f"{r.system.label}: missing: {r.missing}")
    for p in result.plans:
        what = ", ".join(f"{n} {d}" for d, n in p.decisions.items() if n)
        line = f"plan{' ' + p.name if p.name else ''}: {p.rows} rows ({what or 'none'})"
        if p.kept or p.new_rows or p.backup:
            line += (f"; {p.kept} reviewed decisions kept, {p.new_rows} new rows marked"
                     + (f", {p.dropped} reviewed rows no longer needed" if p.dropped else ""))
        lines.append(line)
        if p.backup:
            lines.append(f"the reviewed workbook was kept as {p.backup}")
    in_systems = {r.missing for r in result.systems}
    lines += [f"missing: {m}" for m in result.missing if m not in in_systems]
    lines += [f"note: {n}" for n in result.notes]
    lines.append(f"index: {result.index.resolve()}")
    return lines
