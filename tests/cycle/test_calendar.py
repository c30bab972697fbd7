"""The update calendar: effective dates across year ends, April cycles, leap years, and
labels that are the ones the readers infer from the publishers' file names."""

from __future__ import annotations

from datetime import date

import pytest

from updater.cycle.calendar import (
    KINDS,
    Cycle,
    cycles_between,
    cycles_on,
    next_cycle_date,
    previous_cycle,
    upcoming,
)
from updater.cycle.sample import sample_releases
from updater.releases.versions import infer_version
from updater.vocabulary import CodeSystem

ICD, HCPCS, CPT = CodeSystem.ICD10CM, CodeSystem.HCPCS, CodeSystem.CPT


def kinds_on(day: date, systems=None) -> list[tuple[str, str, str]]:
    return [(c.system.value, c.kind, c.label) for c in cycles_on(day, systems)]


# ------------------------------------------------------------------ which cycles, when


def test_january_first_brings_cpt_annual_category_iii_pla_and_hcpcs() -> None:
    assert kinds_on(date(2027, 1, 1)) == [
        ("cpt", "annual", "2027"), ("cpt", "category-iii", "2027"), ("cpt", "pla", "2027"),
        ("hcpcs", "annual", "2027")]


def test_october_first_brings_icd_fiscal_year_hcpcs_and_pla_quarter() -> None:
    assert kinds_on(date(2026, 10, 1)) == [
        ("cpt", "pla", "2026-October"), ("hcpcs", "quarterly", "2026-October"),
        ("icd10cm", "annual", "FY2027")]


def test_april_cycles() -> None:
    assert kinds_on(date(2027, 4, 1)) == [
        ("cpt", "pla", "2027-April"), ("hcpcs", "quarterly", "2027-April"),
        ("icd10cm", "april", "FY2027-April")]
    icd = cycles_on(date(2027, 4, 1), [ICD])
    assert [c.name for c in icd] == ["ICD-10-CM FY2027-April (April 1 update)"]


def test_category_iii_july() -> None:
    july = cycles_on(date(2027, 7, 1), [CPT])
    assert [(c.kind, c.label, c.name, c.published) for c in july] == [
        ("category-iii", "2027-July", "CPT Category III July 2027 update", date(2027, 1, 1)),
        ("pla", "2027-July", "CPT PLA July 2027 quarterly update", date(2027, 4, 1))]
    january = [c for c in cycles_on(date(2027, 1, 1), [CPT]) if c.kind == "category-iii"]
    assert [c.published for c in january] == [date(2026, 7, 1)]  # six months ahead


def test_days_without_a_cycle() -> None:
    assert cycles_on(date(2027, 1, 2)) == []
    assert cycles_on(date(2024, 2, 29)) == []
    assert cycles_on(date(2027, 1, 1), [CodeSystem.CUSTOM]) == []


def test_publication_dates_come_before_the_effective_date() -> None:
    every = cycles_between(date(2020, 1, 1), date(2030, 12, 31))
    # every kind the calendar schedules; unscheduled updates come from releases only
    assert {c.kind for c in every} == set(KINDS) - {"unscheduled"}
    assert all(c.published is not None and c.published < c.effective for c in every)
    by = {(c.system, c.kind, c.effective.month): c.published for c in every
          if c.effective.year == 2027}
    assert by[(ICD, "annual", 10)] == date(2027, 6, 1)
    assert by[(ICD, "april", 4)] == date(2027, 2, 1)
    assert by[(HCPCS, "annual", 1)] == date(2026, 11, 1)
    assert by[(CPT, "annual", 1)] == date(2026, 9, 1)
    assert by[(CPT, "pla", 1)] == date(2026, 10, 1)


def test_cycles_between_is_inclusive_sorted_and_counts_a_year() -> None:
    year = cycles_between(date(2027, 1, 1), date(2027, 12, 31))
    assert year == sorted(year)
    # ICD 2, HCPCS 4, CPT annual + 2 Category III + 4 PLA
    assert (len([c for c in year if c.system is ICD]), len([c for c in year if c.system is HCPCS]),
            len([c for c in year if c.system is CPT])) == (2, 4, 7)
    assert cycles_between(date(2027, 1, 2), date(2027, 3, 31)) == []
    assert cycles_between(date(2027, 4, 1), date(2027, 4, 1), ["icd10cm"])[0].label == \
        "FY2027-April"
    assert cycles_between(date(2027, 5, 1), date(2027, 4, 1)) == []


def test_cycles_sort_by_date_then_system() -> None:
    cycles = cycles_between(date(2026, 12, 31), date(2027, 1, 1))
    assert [c.effective for c in cycles] == [date(2027, 1, 1)] * 4
    assert cycles[0] < cycles[-1]
    assert isinstance(cycles[0], Cycle) and cycles[0].release_id == "cpt:2027"


# ------------------------------------------------------------------ year end and the next date


def test_next_cycle_date_on_and_after_the_day() -> None:
    assert next_cycle_date(date(2026, 12, 31)) == date(2027, 1, 1)
    assert next_cycle_date(date(2027, 1, 1)) == date(2027, 1, 1)  # the day itself counts
    assert next_cycle_date(date(2027, 1, 2)) == date(2027, 4, 1)
    assert next_cycle_date(date(2026, 10, 2), [ICD]) == date(2027, 4, 1)
    assert next_cycle_date(date(2027, 4, 2), [ICD]) == date(2027, 10, 1)
    assert next_cycle_date(date(2026, 10, 2), ["hcpcs"]) == date(2027, 1, 1)


def test_upcoming_across_the_year_end() -> None:
    cycles = upcoming(date(2026, 12, 31), horizon_days=1)
    assert [(c.effective, c.system.value, c.kind) for c in cycles] == [
        (date(2027, 1, 1), "cpt", "annual"), (date(2027, 1, 1), "cpt", "category-iii"),
        (date(2027, 1, 1), "cpt", "pla"), (date(2027, 1, 1), "hcpcs", "annual"),
        (date(2027, 4, 1), "icd10cm", "april")]  # beyond the horizon: ICD's next date


def test_upcoming_always_names_each_systems_next_date() -> None:
    cycles = upcoming(date(2026, 10, 2), horizon_days=0, systems=[ICD, HCPCS])
    assert [(c.effective, c.system.value) for c in cycles] == [
        (date(2027, 1, 1), "hcpcs"), (date(2027, 4, 1), "icd10cm")]
    on_the_day = upcoming(date(2026, 10, 1), horizon_days=0, systems=[ICD])
    assert [c.label for c in on_the_day] == ["FY2027"]


def test_upcoming_horizon_is_inclusive_and_leap_years_count_their_day() -> None:
    # from January 1 (a cycle day itself), 90 days reach April 1 in 2027 but only
    # March 31 in the leap year 2028
    in_2027 = upcoming(date(2027, 1, 1), horizon_days=90, systems=[HCPCS])
    assert [c.label for c in in_2027] == ["2027", "2027-April"]
    in_2028 = upcoming(date(2028, 1, 1), horizon_days=90, systems=[HCPCS])
    assert [c.label for c in in_2028] == ["2028"]
    assert [c.label for c in upcoming(date(2028, 1, 1), horizon_days=91,
                                      systems=[HCPCS])] == ["2028", "2028-April"]
    assert [c.label for c in upcoming(date(2028, 2, 29), horizon_days=0,
                                      systems=[ICD])] == ["FY2028-April"]
    assert next_cycle_date(date(2028, 2, 29)) == date(2028, 4, 1)


def test_upcoming_within_a_long_horizon_is_every_cycle() -> None:
    as_of = date(2026, 11, 23)
    assert upcoming(as_of, horizon_days=365) == cycles_between(as_of, date(2027, 11, 23))


# ------------------------------------------------------------------ previous cycle


def test_previous_cycle_across_the_year_end_and_april() -> None:
    icd_fy2027 = cycles_on(date(2026, 10, 1), [ICD])[0]
    assert previous_cycle(icd_fy2027).label == "FY2026-April"
    assert previous_cycle(previous_cycle(icd_fy2027)).label == "FY2026"
    hcpcs_2027 = cycles_on(date(2027, 1, 1), [HCPCS])[0]
    assert (previous_cycle(hcpcs_2027).label, previous_cycle(hcpcs_2027).effective) == (
        "2026-October", date(2026, 10, 1))
    hcpcs_april = cycles_on(date(2027, 4, 1), [HCPCS])[0]
    assert previous_cycle(hcpcs_april) == hcpcs_2027


def test_previous_cycle_prefers_the_annual_release_on_a_shared_day() -> None:
    cpt_april = cycles_on(date(2027, 4, 1), [CPT])[0]
    assert (previous_cycle(cpt_april).kind, previous_cycle(cpt_april).label) == (
        "annual", "2027")
    cpt_july = next(c for c in cycles_on(date(2027, 7, 1), [CPT]) if c.kind == "pla")
    assert previous_cycle(cpt_july).kind == "pla"
    assert previous_cycle(cpt_july).effective == date(2027, 4, 1)
    cpt_oct = cycles_on(date(2027, 10, 1), [CPT])[0]
    assert previous_cycle(cpt_oct).kind == "category-iii"  # July: Category III before PLA


# ------------------------------------------------------------------ labels = what readers infer


@pytest.mark.parametrize(("system", "name", "effective"), [
    (ICD, "icd10cm-order-2026.txt", date(2025, 10, 1)),
    (ICD, "icd10cm-code descriptions- April 1 2023.zip", date(2023, 4, 1)),
    (ICD, "icd10cm-Codes-Descriptions-April-2024.zip", date(2024, 4, 1)),
    (ICD, "ICD10-CM Code Descriptions 2025.zip", date(2024, 10, 1)),
    (HCPCS, "HCPC17_CONTR_ANWEB.txt", date(2017, 1, 1)),
    (HCPCS, "2018-Alpha-Numeric-HCPCS-File.zip", date(2018, 1, 1)),
    (HCPCS, "April 2026 Alpha-Numeric HCPCS File.zip", date(2026, 4, 1)),
    (HCPCS, "HCPC2025_JUL_ANWEB.xlsx", date(2025, 7, 1)),
    (HCPCS, "october-2025-alpha-numeric-hcpcs-file.zip", date(2025, 10, 1)),
    (CPT, "CPT 2026 data files.zip", date(2026, 1, 1)),
    (CPT, "CPT Category III July 2026.zip", date(2026, 7, 1)),
])
def test_labels_are_what_the_readers_infer_from_file_names(system: CodeSystem, name: str,
                                                           effective: date) -> None:
    inferred = infer_version(system, [name])
    assert inferred is not None and inferred[1] == effective
    labels = {c.label for c in cycles_on(effective, [system])}
    assert labels == {inferred[0]}


def test_labels_match_the_embedded_sample_releases() -> None:
    for system, files in sample_releases().items():
        for file in files:
            inferred = infer_version(CodeSystem(system), [file.name, file.parent.name])
            assert inferred is not None, file
            cycles = cycles_on(inferred[1], [system])
            assert cycles, f"{file} takes effect on {inferred[1]}, not a calendar date"
            assert {c.label for c in cycles} == {inferred[0]}


def test_an_unscheduled_update_is_a_cycle_of_its_own() -> None:
    from updater.cycle.calendar import is_scheduled, previous_cycle, unscheduled_cycle

    assert not is_scheduled(CodeSystem.ICD10CM, date(2021, 1, 1))
    assert is_scheduled(CodeSystem.ICD10CM, date(2020, 10, 1))
    assert is_scheduled(CodeSystem.HCPCS, date(2021, 1, 1))  # the HCPCS annual file
    covid = unscheduled_cycle("icd10cm", date(2021, 1, 1), "FY2021-January")
    assert (covid.kind, covid.release_id, covid.published) == (
        "unscheduled", "icd10cm:FY2021-January", None)
    assert covid.name == ("ICD-10-CM FY2021-January (unscheduled update, effective "
                          "2021-01-01)")
    assert not covid.optional
    assert previous_cycle(covid).release_id == "icd10cm:FY2021"
