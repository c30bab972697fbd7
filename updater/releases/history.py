"""A code's life across the stored releases, and whether it was valid on a given day.

Auditors ask "was M17.11 billable on the date of service?" and coders ask "when did
this code change?". Both are answered from the store: the code's row is read from every
stored release of its system (filtered while reading), and consecutive releases are
compared to name what happened, in the words the publishers use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import pandas as pd

from updater.codes import display_codes, normalize_code
from updater.errors import UpdaterError
from updater.model import CODE, LONG, RECORD, SHORT, TERMINATION_DATE, PublisherChanges
from updater.releases.store import ReleaseStore, StoredRelease
from updater.releases.verify.lists import summary_counts_from
from updater.revisions import decide, listed_revisions, same_in_substance
from updater.vocabulary import ChangeKind, CodeSystem, RecordType

MAX_CHILDREN_SHOWN = 8


class EventKind(StrEnum):
    APPEARED = "appeared"  # first stored release that has it (as code, header or modifier)
    REAPPEARED = "reappeared"  # back after a deletion
    TITLE_CHANGED = "title_changed"  # long and/or short title changed (see revisions.decide)
    BECAME_HEADER = "became_header"  # billable code expanded into billable children
    BECAME_BILLABLE = "became_billable"  # a header that is a billable code (again)
    DELETED = "deleted"
    TERMINATED = "terminated"  # HCPCS: a termination date appeared or changed
    REINSTATED = "reinstated"  # HCPCS: the termination date was removed


@dataclass(frozen=True)
class CodeState:
    """The code as one stored release has it (``present`` False: not in that release)."""

    release: str
    version: str
    effective: date
    present: bool
    record: str = ""
    short: str = ""
    long: str = ""
    termination_date: str = ""  # HCPCS TERM DT, ISO, "" when none


@dataclass(frozen=True)
class HistoryEvent:
    """One thing that happened to the code in one release."""

    kind: EventKind
    release: str
    version: str
    effective: date
    record: str = ""  # record type from this release on ("" once deleted)
    short: str = ""  # titles from this release on (the last ones, for a deletion)
    long: str = ""
    old_short: str = ""  # title_changed: the titles before
    old_long: str = ""
    children: list[str] = field(default_factory=list)  # became_header: new billable codes
    again: bool = False  # became_billable: it had been billable before
    earliest: bool = False  # appeared: already in the earliest stored release
    cosmetic: bool = False  # title_changed: in whitespace or letter case only
    termination_date: str = ""


@dataclass
class CodeHistory:
    code: str  # as stored: M1711
    display: str  # as people write it: M17.11
    system: CodeSystem | None  # None: no stored release has the code
    releases: list[CodeState]  # every stored release of the system, oldest first
    events: list[HistoryEvent]


def code_history(store: ReleaseStore, code: str, system: CodeSystem | str | None = None
                 ) -> CodeHistory:
    """The code's events across the stored releases of its system, oldest first.

    ``M17.11``, ``m1711`` and ``M1711`` are the same code. Without ``system`` every
    stored system is searched (a dotted code only ICD-10-CM); a code two systems share
    (ICD-10-CM J1100 and HCPCS J1100) needs ``system``.
    """
    wanted = normalize_code(code)
    if not wanted:
        raise UpdaterError("no code given", hint="give a code such as M17.11 or J1100")
    sys_ = _system(system)
    if sys_ is None and "." in code:  # only ICD-10-CM codes are written with a dot
        sys_ = CodeSystem.ICD10CM
    stored = [r for r in store.list() if sys_ is None or r.system is sys_]
    rows = {r.id: store.rows(r.id, codes=[wanted]) for r in stored}
    found = sorted({r.system for r in stored if not rows[r.id].empty}, key=str)
    if len(found) > 1:
        raise UpdaterError(
            f"{wanted} is a code in more than one code set in the store "
            f"({' and '.join(s.label for s in found)})",
            hint="say which with " + " or ".join(f"--system {s.value}" for s in found)
                 + " (an ICD-10-CM code written with its dot is taken as ICD-10-CM)")
    if sys_ is None and not found:
        return CodeHistory(wanted, wanted, None, [], [])
    sys_ = sys_ or found[0]
    chain = [r for r in stored if r.system is sys_]
    states = [_state(r, rows[r.id]) for r in chain]
    display = str(display_codes(pd.Series([wanted], dtype="str"), sys_).iat[0])
    return CodeHistory(wanted, display, sys_, states, _events(store, wanted, chain, states))


def _system(system: CodeSystem | str | None) -> CodeSystem | None:
    if system is None or isinstance(system, CodeSystem):
        return system
    try:
        return CodeSystem(system.strip().lower())
    except ValueError:
        raise UpdaterError(f"unknown code system {system!r}",
                           hint="use icd10cm, hcpcs, cpt or custom") from None


def _state(release: StoredRelease, rows: pd.DataFrame) -> CodeState:
    base = {"release": release.id, "version": release.version, "effective": release.effective}
    if rows.empty:
        return CodeState(present=False, **base)  # type: ignore[arg-type]
    row = rows.iloc[0]
    term = row[TERMINATION_DATE] if TERMINATION_DATE in rows else ""
    return CodeState(present=True, record=str(row[RECORD]), short=str(row[SHORT]),
                     long=str(row[LONG]), termination_date="" if pd.isna(term) else str(term),
                     **base)  # type: ignore[arg-type]


def _title_change_counts(store: ReleaseStore, code: str, before: StoredRelease,
                         after: StoredRelease, old: CodeState, new: CodeState) -> bool | None:
    """Whether the titles' change is a change in the code's life, by the diff's one rule
    (``revisions.decide``): a change in substance always is; one in whitespace or letter
    case only is (marked cosmetic) unless ``after``'s own change list counts from
    ``before`` and leaves it out. None: the titles did not change."""
    if (old.long, old.short) == (new.long, new.short):
        return None
    if not (same_in_substance(old.long, new.long) and same_in_substance(old.short, new.short)):
        return True
    counted = summary_counts_from(after.publisher_summary,
                                  {"codes": before.codes, "headers": before.headers})
    if not counted:
        return True  # no list for this step: counted, and marked cosmetic
    lines = store.publisher_rows(after.id, [code])
    row = pd.DataFrame({CODE: [code], RECORD: [new.record], "short_old": [old.short],
                        "short_new": [new.short], "long_old": [old.long],
                        "long_new": [new.long]})
    listed = listed_revisions(PublisherChanges(entries=lines, summary={}, source="")) \
        if lines is not None else None
    return bool(decide(row, listed)["kind"].iat[0] == ChangeKind.REVISED.value)


def _event(kind: EventKind, at: CodeState, titles: CodeState | None = None,
           **details: Any) -> HistoryEvent:
    """An event in release ``at``, with the titles of ``titles`` (default: ``at``'s)."""
    t = titles or at
    return HistoryEvent(kind=kind, release=at.release, version=at.version,
                        effective=at.effective, record=t.record, short=t.short, long=t.long,
                        **details)


def _events(store: ReleaseStore, code: str, chain: list[StoredRelease],
            states: list[CodeState]) -> list[HistoryEvent]:
    events: list[HistoryEvent] = []
    ever_present = ever_billable = False
    for i, now in enumerate(states):  # one step per stored release, a handful in all
        before = states[i - 1] if i else None
        if now.present and (before is None or not before.present):
            kind = EventKind.REAPPEARED if ever_present else EventKind.APPEARED
            events.append(_event(kind, now, earliest=before is None,
                                 termination_date=now.termination_date))
        elif before is not None and before.present and not now.present:
            events.append(_event(EventKind.DELETED, now, before))
        elif before is not None and before.present and now.present:
            events.extend(_changes(store, code, chain[i - 1], chain[i], before, now,
                                   ever_billable))
        ever_present |= now.present
        ever_billable |= now.present and now.record == RecordType.CODE.value
    return events


def _changes(store: ReleaseStore, code: str, before: StoredRelease, after: StoredRelease,
             old: CodeState, new: CodeState, ever_billable: bool) -> list[HistoryEvent]:
    """What changed for a code present in two consecutive releases."""
    out = []
    if old.record == RecordType.CODE.value and new.record == RecordType.HEADER.value:
        out.append(_event(EventKind.BECAME_HEADER, new,
                          children=_new_children(store, code, before, after)))
    elif old.record == RecordType.HEADER.value and new.record == RecordType.CODE.value:
        out.append(_event(EventKind.BECAME_BILLABLE, new, again=ever_billable))
    if _title_change_counts(store, code, before, after, old, new):
        out.append(_event(EventKind.TITLE_CHANGED, new, old_short=old.short,
                          old_long=old.long,
                          cosmetic=same_in_substance(old.long, new.long)
                          and same_in_substance(old.short, new.short)))
    if new.termination_date != old.termination_date:
        kind = EventKind.TERMINATED if new.termination_date else EventKind.REINSTATED
        out.append(_event(kind, new, termination_date=new.termination_date))
    return out


def _new_children(store: ReleaseStore, code: str, before: StoredRelease,
                  after: StoredRelease) -> list[str]:
    """Billable codes under ``code`` in ``after`` that ``before`` did not have."""
    new = store.rows(after.id, prefix=code)
    old = store.rows(before.id, prefix=code)
    billable = new[(new[RECORD] == RecordType.CODE.value) & (new[CODE] != code)]
    return sorted(billable.loc[~billable[CODE].isin(old[CODE].tolist()), CODE].tolist())


def valid_on(history: CodeHistory, day: date) -> tuple[bool, str]:
    """Whether the code was valid on ``day``, and why (in words for the analyst).

    Valid means: a billable code (or a modifier) in the release in force that day, the
    latest stored release effective on or before it, and for HCPCS not terminated by then.
    """
    if history.system is None or not history.releases:
        return False, "it is in no stored release"
    in_force = [s for s in history.releases if s.effective <= day]
    if not in_force:
        first = history.releases[0]
        return False, (f"the store has no {history.system.value} release in force then (the "
                       f"earliest, {first.release}, took effect {first.effective.isoformat()})")
    now = in_force[-1]
    where = f"{now.release} in force"
    if not now.present:
        gone = _last_event(history, EventKind.DELETED, now.effective)
        if gone is not None:
            return False, f"deleted in {gone.release} ({gone.effective.isoformat()}); {where}"
        later = next((s for s in history.releases if s.present and s.effective > day), None)
        if later is not None:
            return False, (f"not yet in {now.release} (in force); it first appears in "
                           f"{later.release} ({later.effective.isoformat()})")
        return False, f"not in {now.release} (in force)"
    if now.record == RecordType.HEADER.value:
        reason = f"a header, not a billable code, in {now.release} (in force)"
        expanded = _last_event(history, EventKind.BECAME_HEADER, now.effective)
        if expanded is not None and expanded.children:
            reason += "; report one of its billable children: " + _codes_text(
                expanded.children, history.system)
        return False, reason
    if now.termination_date and now.termination_date <= day.isoformat():
        return False, f"terminated {now.termination_date}; {where}"
    return True, where


def _last_event(history: CodeHistory, kind: EventKind, until: date) -> HistoryEvent | None:
    hits = [e for e in history.events if e.kind is kind and e.effective <= until]
    return hits[-1] if hits else None


def _codes_text(codes: list[str], system: CodeSystem) -> str:
    shown = display_codes(pd.Series(codes[:MAX_CHILDREN_SHOWN], dtype="str"), system).tolist()
    more = len(codes) - MAX_CHILDREN_SHOWN
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _as_what(record: str, system: CodeSystem) -> str:
    if record == RecordType.CODE.value:
        return "a billable code" if system is CodeSystem.ICD10CM else "a code"
    return f"a {record}"


def _title_change(event: HistoryEvent) -> str:
    """Long title first, as the analyst reads it; the short title only when it differs."""
    if event.cosmetic:  # then the raw change is what there is to show
        long_changed, short_changed = event.old_long != event.long, event.old_short != event.short
    else:
        long_changed = not same_in_substance(event.old_long, event.long)
        short_changed = not same_in_substance(event.old_short, event.short)
    tail = " (whitespace or letter case only)" if event.cosmetic else ""
    if long_changed and (event.old_short, event.short) == (event.old_long, event.long):
        return f"title changed from '{event.old_long}' to '{event.long}' (long and short){tail}"
    parts = []
    if long_changed:
        parts.append(f"title changed from '{event.old_long}' to '{event.long}'")
    if short_changed:
        parts.append(f"short title {'' if parts else 'changed '}from '{event.old_short}' to "
                     f"'{event.short}'")
    return "; ".join(parts) + tail


def describe_event(event: HistoryEvent, system: CodeSystem) -> str:
    """One event in plain words: ``FY2025 (2024-10-01): became a header; ...``."""
    when = f"{event.version} ({event.effective.isoformat()}): "
    what = _as_what(event.record, system)
    match event.kind:
        case EventKind.APPEARED if event.earliest:
            text = f"{what} '{event.long}' (in the earliest stored release)"
        case EventKind.APPEARED:
            text = f"appeared as {what} '{event.long}'"
        case EventKind.REAPPEARED:
            text = f"reappeared as {what} '{event.long}'"
        case EventKind.DELETED:
            text = "deleted"
        case EventKind.BECAME_HEADER:
            text = "became a header"
            if event.children:
                text += (f"; new billable children {_codes_text(event.children, system)} "
                         "(see updater diff)")
        case EventKind.BECAME_BILLABLE:
            text = f"became billable{' again' if event.again else ''} '{event.long}'"
        case EventKind.TITLE_CHANGED:
            text = _title_change(event)
        case EventKind.TERMINATED:
            text = f"terminated as of {event.termination_date}"
        case EventKind.REINSTATED:
            text = "termination date removed; active again"
    return when + text


def history_lines(history: CodeHistory) -> list[str]:
    """The timeline as lines of text, the first one saying what was searched."""
    if history.system is None:
        return [f"{history.display} is in no stored release"]
    first, last = history.releases[0], history.releases[-1]
    span = (f"{first.version} to {last.version}" if first is not last else first.version)
    head = (f"{history.display} ({history.system.label}) in {len(history.releases)} stored "
            f"release{'s' if len(history.releases) != 1 else ''}, {span}:")
    if not history.events:
        return [head, "  not in any of them"]
    return [head, *("  " + describe_event(e, history.system) for e in history.events)]


def validity_line(history: CodeHistory, day: date) -> str:
    """``M17.11 was valid on 2024-11-01 (icd10cm:FY2025 in force)`` or why it was not."""
    ok, reason = valid_on(history, day)
    if ok:
        return f"{history.display} was valid on {day.isoformat()} ({reason})"
    return f"{history.display} was not valid on {day.isoformat()}: {reason}"
