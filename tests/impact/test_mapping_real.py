"""Replacement candidates on the publishers' real files (skipped when ../shared/data is
absent). Every expected code below was read off the CDC and CMS files themselves."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from updater.impact.candidates import (
    build_candidates,
    candidates_for_step,
    find_conversion_tables,
    read_conversion_table,
)
from updater.model import Release
from updater.releases.diff import diff_releases
from updater.releases.readers import load_release

EQ, NARROWER, NONE = "equivalent", "narrower", "none"


@pytest.fixture(scope="module")
def icd(icd_zip):
    cache: dict[str, Release] = {}

    def get(version: str) -> Release:
        if version not in cache:
            cache[version] = load_release(icd_zip(version))[0]
        return cache[version]

    return get


@pytest.fixture(scope="module")
def conversion(shared_data: Path):
    def get(version: str) -> Path:
        found = find_conversion_tables(shared_data / "icd10cm" / version)
        if len(found) != 1:
            pytest.skip(f"no single conversion table beside the {version} release")
        return found[0]

    return get


@pytest.fixture(scope="module")
def fy2025(icd, conversion):
    old, new = icd("FY2024"), icd("FY2025")
    diff = diff_releases(old, new, verify=False)
    table = read_conversion_table(conversion("FY2025"))
    return old, new, diff, table, candidates_for_step(old, new, diff, conversion=table)


@pytest.fixture(scope="module")
def hcpcs_2018(shared_data: Path):
    folder = shared_data / "hcpcs"
    paths = [folder / "2017" / "2017-Alpha-Numeric-HCPCS-File.zip",
             folder / "2018" / "2018-Alpha-Numeric-HCPCS-File.zip"]
    if not all(p.exists() for p in paths):
        pytest.skip("the HCPCS 2017/2018 files are missing")
    old, new = (load_release(p)[0] for p in paths)
    return candidates_for_step(old, new, diff_releases(old, new, verify=False))


def rows_of(frame: pd.DataFrame, old: str, source: str = "") -> list[tuple[str, str, bool]]:
    sub = frame[(frame["old_code"] == old) & frame["source"].str.startswith(source)]
    return sorted(zip(sub["new_code"], sub["relation"], sub["automatic"], strict=True))


# ----------------------------------------------------------------------------- CDC table

def test_conversion_table_effective_is_the_update_not_the_fiscal_year(conversion):
    table = read_conversion_table(conversion("FY2025"))
    assert set(table["table"]) == {"FY2025"}
    # the FY2025 codes (October 1, 2024) are published as "2024"
    fy2025 = table[table["effective"] == "2024-10-01"]
    assert set(fy2025["effective_year"]) == {2024}
    assert {"C83390", "C83398", "C8600", "K6030"} <= set(fy2025["current"])
    # the April 2023 codes carry a date, not a year
    april = table[table["effective"] == "2023-04-01"]
    assert {"Y07050", "Z5910"} <= set(april["current"])
    assert not table["effective"].str.startswith("2025").any()


def test_april_table_dates_its_own_rows(conversion):
    table = read_conversion_table(conversion("FY2023-April"))
    assert set(table["table"]) == {"FY2023-April"}
    april = table[table["effective"] == "2023-04-01"]
    assert april["current"].nunique() == 42  # the 42 codes the April 2023 addenda add
    # "Y07.01-Y07.04" is kept as one range
    y = april[april["current"] == "Y07050"]
    assert list(zip(y["previous"], y["previous_to"], strict=True)) == [("Y0701", "Y0704")]


# ----------------------------------------------------------------------------- FY2024 -> FY2025

def test_c8339_children_from_the_hierarchy_only(fy2025):
    *_, cands = fy2025
    assert rows_of(cands, "C8339") == [("C83390", NARROWER, False),
                                       ("C83398", NARROWER, False)]
    assert set(cands.loc[cands["old_code"] == "C8339", "source"]) == {
        "hierarchy (billable children in FY2025)"}


def test_the_cdc_table_names_another_predecessor_for_c8339s_children(fy2025):
    *_, table, _ = fy2025
    rows = table[table["current"].isin(["C83390", "C83398"])]
    assert set(rows["previous"]) == {"Z8572"}  # so reading it backwards gives C8339 nothing


def test_c860_one_to_one_in_the_cdc_table(fy2025):
    *_, cands = fy2025
    assert rows_of(cands, "C860", "CDC") == [("C8600", EQ, True)]
    assert rows_of(cands, "C860", "hierarchy") == [("C8600", NARROWER, False),
                                                   ("C8601", NARROWER, False)]


def test_fy2025_automatic_rows_are_the_lymphoma_codes(fy2025):
    *_, cands = fy2025
    automatic = cands[cands["automatic"]]
    assert set(automatic["old_code"]) == {"C860", "C861", "C862", "C863", "C864", "C865",
                                          "C866", "C880", "C882", "C883", "C884", "C888",
                                          "C889"}
    assert set(automatic["source"]) == {"CDC conversion table FY2025"}
    assert set(automatic["relation"]) == {EQ}


def test_placeholder_code_split_agrees_with_the_cdc_table(fy2025):
    *_, cands = fy2025
    expected = [(c, NARROWER, False) for c in ("T81320A", "T81321A", "T81328A", "T81329A")]
    assert rows_of(cands, "T8132XA", "CDC") == expected
    assert rows_of(cands, "T8132XA", "hierarchy") == expected


def test_every_fy2025_deletion_has_a_candidate(fy2025):
    _, _, diff, _, cands = fy2025
    ch = diff.changes
    deleted = set(ch.loc[(ch["kind"] == "deleted") & (ch["record"] == "code"), "code"])
    assert len(deleted) == 36  # the CDC's own count for FY2025
    assert set(cands["old_code"]) == deleted
    assert not (cands["relation"] == NONE).any()
    # only the rows of this update are read: every CDC successor is a code FY2025 adds
    added = set(ch.loc[(ch["kind"] == "added") & (ch["record"] == "code"), "code"])
    assert set(cands.loc[cands["source"].str.startswith("CDC"), "new_code"]) <= added
    assert len(rows_of(cands, "K603", "CDC")) == 9
    assert len(rows_of(cands, "M659", "CDC")) == 24


def test_a_full_icd10cm_year_step_and_chain_agree(icd, conversion):
    """Speed is measured by bench/bench_parts.py; here the two entry points must agree."""
    old, new = icd("FY2024"), icd("FY2025")
    diff = diff_releases(old, new, verify=False)
    table = read_conversion_table(conversion("FY2025"))
    step = candidates_for_step(old, new, diff, conversion=table)
    chain = build_candidates([old, new], conversion_tables=[conversion("FY2025")])
    assert len(step) > 0
    key = ["old_code", "new_code"] if "old_code" in step.columns else list(step.columns[:2])
    assert set(map(tuple, step[key].to_numpy())) <= set(map(tuple, chain[key].to_numpy()))


# ----------------------------------------------------------------------------- other steps

def test_april_step_reads_only_april_rows(icd, conversion):
    old, new = icd("FY2023"), icd("FY2023-April")
    diff = diff_releases(old, new, verify=False)
    for edition, label in (("FY2023-April", "CDC conversion table FY2023-April"),
                           ("FY2024", "CDC conversion table FY2023-April (FY2024 edition)")):
        cands = candidates_for_step(old, new, diff,
                                    conversion=read_conversion_table(conversion(edition)))
        assert rows_of(cands, "Z591", "CDC") == [(c, NARROWER, False) for c in
                                                  ("Z5910", "Z5911", "Z5912", "Z5919")]
        # the range Y07.01-Y07.04 names Y0701 as a predecessor of Y07050/Y07051
        assert rows_of(cands, "Y0701", "CDC") == [(c, NARROWER, False) for c in
                                                   ("Y07010", "Y07011", "Y07050", "Y07051")]
        assert set(cands.loc[cands["source"].str.startswith("CDC"), "source"]) == {label}
        assert set(cands["old_code"]) == {"Y0701", "Y0702", "Y0703", "Y0704", "Z591", "Z9114",
                                          "Z9115"}


def test_cdc_typo_is_covered_by_the_placeholder_hierarchy(icd, conversion):
    """The FY2023 table gives V29.80XA as the predecessor of V29.811A and V29.818A; the
    deleted code is V29.81XA. The hierarchy still finds its successors."""
    old, new = icd("FY2022"), icd("FY2023")
    table = read_conversion_table(conversion("FY2023"))
    assert set(table.loc[table["current"] == "V29811A", "previous"]) == {"V2980XA"}
    cands = candidates_for_step(old, new, diff_releases(old, new, verify=False),
                                conversion=table)
    assert rows_of(cands, "V2981XA") == [("V29811A", NARROWER, False),
                                         ("V29818A", NARROWER, False)]


def test_chain_fy2022_to_fy2025(icd, conversion):
    releases = [icd(v) for v in ("FY2022", "FY2023", "FY2023-April", "FY2024", "FY2025")]
    tables = [conversion(v) for v in ("FY2023", "FY2023-April", "FY2024", "FY2025")]
    out = build_candidates(releases, conversion_tables=tables)
    # Z91.19 split in FY2023; one of its successors, Z91.A4, split again in FY2024
    z = out[(out["old_code"] == "Z9119") & (out["new_code"] == "Z91A41")]
    assert set(z["via"]) == {"FY2022 -> FY2023 -> FY2024"}
    assert set(z["step"]) == {2}
    assert set(z["relation"]) == {NARROWER}
    assert "CDC conversion table FY2023 (FY2025 edition); CDC conversion table FY2024 " \
           "(FY2025 edition)" in set(z["source"])
    # Z91A4 itself is no successor any more: it was followed on
    assert not ((out["old_code"] == "Z9119") & (out["new_code"] == "Z91A4")).any()
    assert rows_of(out, "Z91A4", "CDC") == [("Z91A41", NARROWER, False),
                                            ("Z91A48", NARROWER, False)]
    # each step's own deletions are there, with their own via
    assert set(out.loc[out["old_code"] == "Z591", "via"]) == {"FY2023 -> FY2023-April"}
    assert rows_of(out, "C860", "CDC") == [("C8600", EQ, True)]
    assert set(out.loc[out["old_code"] == "C860", "via"]) == {"FY2024 -> FY2025"}
    # a chained row is automatic only if every step was: none of the chained rows is
    assert not out.loc[out["step"] > 1, "automatic"].any()


# ----------------------------------------------------------------------------- HCPCS

def test_hcpcs_discontinued_codes_get_their_xref(hcpcs_2018):
    cands = hcpcs_2018
    assert rows_of(cands, "G0477") == [("80305", EQ, True)]  # a CPT code
    assert rows_of(cands, "G0202") == [("77067", EQ, True)]
    assert rows_of(cands, "C9140") == [("J7210", EQ, True)]
    assert cands.loc[cands["old_code"] == "C9140", "source"].item() == "HCPCS XREF1 (2018)"
    # discontinued in 2013 and no longer listed: the 2017 file's XREF
    assert rows_of(cands, "C1204") == [("A9520", EQ, True)]


def test_hcpcs_chain_through_a_discontinued_code(hcpcs_2018):
    cands = hcpcs_2018
    assert rows_of(cands, "C9487") == [("J3358", EQ, True)]
    assert cands.loc[cands["old_code"] == "C9487", "source"].item() == (
        "HCPCS XREF chain C9487 -> Q9989 -> J3358 (2018)")
    assert rows_of(cands, "Q9989") == [("J3358", EQ, True)]


def test_hcpcs_live_code_xref_back_to_its_predecessor_is_not_followed(hcpcs_2018):
    cands = hcpcs_2018
    assert rows_of(cands, "Q9984") == [("J7296", EQ, True)]  # J7296's XREF1 is Q9984
    assert not cands["old_code"].isin(["J7296", "J3358"]).any()


def test_hcpcs_codes_without_xref_and_counts(hcpcs_2018):
    cands = hcpcs_2018
    assert rows_of(cands, "A9599") == [("", NONE, False)]
    assert rows_of(cands, "CP") == [("", NONE, False)]  # a modifier
    assert cands["old_code"].is_unique
    assert int(cands["automatic"].sum()) == 37
    assert set(cands["relation"]) == {EQ, NONE}
