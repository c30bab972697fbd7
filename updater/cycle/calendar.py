"""The code-set update calendar: which release takes effect when, and when it usually comes out.

Compliance staff live by these dates (see ``DOMAIN.md``, "The yearly rhythm"):

==========  ===============================  ==========================================
system      effective                        usually published (approximate)
==========  ===============================  ==========================================
ICD-10-CM   October 1 (fiscal year FYyyyy)   about June 1 (CDC/NCHS)
ICD-10-CM   April 1 (FYyyyy-April)           about February 1
HCPCS       January 1 (annual file)          about November 1 of the year before (CMS)
HCPCS       April 1, July 1, October 1       about February 1, May 1, August 1
CPT         January 1 (annual)               about September 1 of the year before (AMA)
CPT Cat III January 1 and July 1             six months ahead: July 1 / January 1
CPT PLA     January, April, July, October 1  about three months ahead
==========  ===============================  ==========================================

Publication dates are approximations of the publishers' usual habit, not promises; they
only decide whether a missing release is "awaited" or "overdue" in ``updater check``.

Publishers also ship updates off this calendar: the CDC's January 2021 ICD-10-CM update
(COVID-19 codes, ``FY2021-January``, effective 2021-01-01) was announced weeks ahead and
taken on no regular date. The calendar cannot foresee one; when a release of such a date
is in the store or in the inbox, :func:`unscheduled_cycle` makes it a cycle like the
others (kind ``unscheduled``, no usual publication date), and ``updater check`` lists it.

Labels are the version labels :mod:`updater.releases.versions` infers from the publishers' file
names (``FY2027``, ``FY2027-April``, ``2027``, ``2027-April``, ``2027-July``,
``2027-October``), so a cycle names exactly the store id its release gets
(``icd10cm:FY2027``). Several CPT cycles take effect on the same day (January 1: the
annual release, Category III and PLA); they share the label, as they share one release in
the store.

Pure functions of dates: no I/O, no clock (the caller passes ``as_of``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from updater.errors import UpdaterError
from updater.releases.versions import version_for_effective
from updater.vocabulary import CodeSystem

ICD10CM, HCPCS, CPT = CodeSystem.ICD10CM, CodeSystem.HCPCS, CodeSystem.CPT

# The systems the calendar knows, in the order people name them.
CALENDAR_SYSTEMS: tuple[CodeSystem, ...] = (ICD10CM, HCPCS, CPT)

# Kinds of cycle; when several of one system take effect the same day, the first listed is
# the one that stands for the day (see ``previous_cycle``).
KINDS: tuple[str, ...] = ("annual", "april", "quarterly", "category-iii", "pla",
                          "unscheduled")
# The AMA publishes these as code lists the store cannot import as whole releases; the
# next annual CPT release carries them, so a missing one asks for nothing.
OPTIONAL_KINDS = frozenset({"category-iii", "pla"})

_MONTH_NAME = {1: "January", 4: "April", 7: "July", 10: "October"}


@dataclass(frozen=True, order=True)
class Cycle:
    """One update taking effect: a system's release on a date.

    Sorted by effective date, then system (``cpt`` < ``hcpcs`` < ``icd10cm``), then label
    and name.
    """

    effective: date
    system: CodeSystem
    label: str  # the version label the release gets (updater.releases.versions), e.g. FY2027
    name: str  # plain words, e.g. "ICD-10-CM FY2027 (October 1)"
    published: date | None  # when the publisher usually releases it (approximate)
    kind: str  # one of KINDS

    @property
    def optional(self) -> bool:
        """An update whose release need not be in the store (see ``OPTIONAL_KINDS``)."""
        return self.kind in OPTIONAL_KINDS

    @property
    def release_id(self) -> str:
        """The store id the cycle's release gets, e.g. ``icd10cm:FY2027``."""
        return f"{self.system.value}:{self.label}"


def _cycle(system: CodeSystem, effective: date, kind: str, name: str,
           published: date) -> Cycle:
    return Cycle(effective=effective, system=system,
                 label=version_for_effective(system, effective), name=name,
                 published=published, kind=kind)


def _year_cycles(year: int, system: CodeSystem) -> list[Cycle]:
    """Every cycle of ``system`` taking effect in calendar year ``year``."""
    if system is ICD10CM:
        return [
            _cycle(system, date(year, 4, 1), "april",
                   f"ICD-10-CM FY{year}-April (April 1 update)", date(year, 2, 1)),
            _cycle(system, date(year, 10, 1), "annual",
                   f"ICD-10-CM FY{year + 1} (October 1)", date(year, 6, 1)),
        ]
    if system is HCPCS:
        found = [_cycle(system, date(year, 1, 1), "annual",
                        f"HCPCS Level II {year} annual file (January 1)",
                        date(year - 1, 11, 1))]
        for month, out_month in ((4, 2), (7, 5), (10, 8)):
            found.append(_cycle(system, date(year, month, 1), "quarterly",
                                f"HCPCS Level II {_MONTH_NAME[month]} {year} quarterly update",
                                date(year, out_month, 1)))
        return found
    if system is CPT:
        found = [
            _cycle(system, date(year, 1, 1), "annual", f"CPT {year} annual release (January 1)",
                   date(year - 1, 9, 1)),
            _cycle(system, date(year, 1, 1), "category-iii",
                   f"CPT Category III January {year} update", date(year - 1, 7, 1)),
            _cycle(system, date(year, 7, 1), "category-iii",
                   f"CPT Category III July {year} update", date(year, 1, 1)),
        ]
        for month in (1, 4, 7, 10):
            effective = date(year, month, 1)
            published = date(year - 1, 10, 1) if month == 1 else date(year, month - 3, 1)
            found.append(_cycle(system, effective, "pla",
                                f"CPT PLA {_MONTH_NAME[month]} {year} quarterly update",
                                published))
        return found
    return []  # custom code sets follow no publisher's calendar


def _systems(systems: Iterable[CodeSystem | str] | None) -> tuple[CodeSystem, ...]:
    if systems is None:
        return CALENDAR_SYSTEMS
    return tuple(dict.fromkeys(CodeSystem(s) for s in systems))


def cycles_between(start: date, end: date,
                   systems: Iterable[CodeSystem | str] | None = None) -> list[Cycle]:
    """Every cycle taking effect from ``start`` to ``end``, both included, sorted."""
    wanted = _systems(systems)
    found = [c for year in range(start.year, end.year + 1) for s in wanted
             for c in _year_cycles(year, s) if start <= c.effective <= end]
    return sorted(found)


def cycles_on(effective: date, systems: Iterable[CodeSystem | str] | None = None) -> list[Cycle]:
    """The cycles that take effect on ``effective`` (2027-01-01: CPT annual, Category III
    and PLA, and the HCPCS annual file)."""
    return cycles_between(effective, effective, systems)


def _next_of(system: CodeSystem, as_of: date) -> list[Cycle]:
    """The cycles of ``system`` on its first effective date on or after ``as_of``."""
    for year in (as_of.year, as_of.year + 1):
        later = sorted(c for c in _year_cycles(year, system) if c.effective >= as_of)
        if later:
            return [c for c in later if c.effective == later[0].effective]
    return []


MAX_HORIZON_DAYS = 3653  # ten years: the publishers announce a year or two ahead


def upcoming(as_of: date, *, horizon_days: int = 120,
             systems: Iterable[CodeSystem | str] | None = None) -> list[Cycle]:
    """Cycles taking effect from ``as_of`` (included) to ``horizon_days`` later, sorted;
    always at least the next effective date of each system, however far.

    ``as_of`` itself counts as upcoming: on the effective day the new release is the one
    that must be in place, so a check run that morning still names it.
    """
    wanted = _systems(systems)
    if horizon_days > MAX_HORIZON_DAYS:
        raise UpdaterError(f"a horizon of {horizon_days} days is more than "
                           f"{MAX_HORIZON_DAYS} days (ten years) ahead",
                           hint="give the days to look ahead, e.g. --horizon 120")
    try:
        end = as_of + timedelta(days=max(horizon_days, 0))
    except OverflowError:
        raise UpdaterError(f"{as_of.isoformat()} plus {horizon_days} days is past the year "
                           "9999", hint="check --as-of and --horizon") from None
    found = set(cycles_between(as_of, end, wanted))
    for system in wanted:
        found.update(_next_of(system, as_of))
    return sorted(found)


def next_cycle_date(as_of: date, systems: Iterable[CodeSystem | str] | None = None) -> date:
    """The first effective date of any cycle on or after ``as_of``.

    On or after, not strictly after: on 2026-10-01 the next cycle date is 2026-10-01,
    because the cycle taking effect that day is still the current piece of work
    (``updater run --next`` run on the day itself runs it).
    """
    dates = [c.effective for s in _systems(systems) for c in _next_of(s, as_of)]
    if not dates:
        raise ValueError("no calendar for these code systems")
    return min(dates)


def is_scheduled(system: CodeSystem | str, effective: date) -> bool:
    """Whether the calendar has a cycle of ``system`` taking effect on ``effective``."""
    return bool(cycles_on(effective, [system]))


def unscheduled_cycle(system: CodeSystem | str, effective: date, label: str) -> Cycle:
    """An update off the calendar (``icd10cm``, 2021-01-01, ``FY2021-January``: the CDC's
    COVID-19 update), known from its release in the store or the inbox: ``label`` is the
    release's own version label."""
    system = CodeSystem(system)
    return Cycle(effective=effective, system=system, label=label,
                 name=f"{system.label} {label} (unscheduled update, effective "
                      f"{effective.isoformat()})", published=None, kind="unscheduled")


def principal(cycles: Iterable[Cycle]) -> Cycle:
    """Of cycles taking effect the same day, the one that stands for the day's release."""
    return min(cycles, key=lambda c: (KINDS.index(c.kind), c.name))


def previous_cycle(cycle: Cycle) -> Cycle:
    """The same system's cycle in force before ``cycle``: the one on the system's previous
    effective date, of any kind (for ICD-10-CM FY2027 that is FY2026-April; for CPT 2027 it
    is the October PLA update). When several take effect that day, the annual release wins,
    then April, quarterly, Category III, PLA."""
    for years_back in range(3):
        start = date(cycle.effective.year - 1 - years_back, 1, 1)
        earlier = cycles_between(start, cycle.effective - timedelta(days=1), [cycle.system])
        if earlier:
            last = earlier[-1].effective
            return principal(c for c in earlier if c.effective == last)
    raise ValueError(f"no {cycle.system.label} cycle before {cycle.effective.isoformat()}")
