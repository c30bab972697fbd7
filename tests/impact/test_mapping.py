"""Replacement candidates on tiny releases built in code (synthetic codes and titles)."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import make_release

from updater.errors import UpdaterError
from updater.impact.candidates import (
    CANDIDATE_COLUMNS,
    build_candidates,
    candidates_for_step,
    chain,
    combine_conversion_tables,
    find_conversion_tables,
    read_conversion_table,
    read_user_map,
)
from updater.model import XREF_COLUMNS, Release
from updater.releases.diff import Diff, diff_releases
from updater.vocabulary import CodeSystem, Relation

EQ, NARROWER, BROADER, NONE = (Relation.EQUIVALENT.value, Relation.NARROWER.value,
                               Relation.BROADER.value, Relation.NONE.value)
TITLE = "The National Center for Health Statistics (NCHS) has published ... (synthetic)"
HEADER = ["Current code assignment", "Effective", "Previous Code(s) Assignment"]


# ----------------------------------------------------------------------------- builders

def icd(codes: dict[str, str], version: str, effective: date) -> Release:
    """An ICD-10-CM release from {code: "code"|"header"}, synthetic titles."""
    rows = [(c, r, f"Synthetic {c}", f"Synthetic title of {c}") for c, r in codes.items()]
    return make_release(rows, version=version, effective=effective)


def hcpcs(codes: dict[str, tuple[str, list[str]]], version: str, effective: date) -> Release:
    """A HCPCS release from {code: (TERM DT or "", [XREF1, ...])}."""
    rows = [(c, "modifier" if len(c) == 2 else "code", f"Synthetic {c}", f"Synthetic {c}")
            for c in codes]
    xrefs = {x: [(v[1] + [""] * 5)[i] for v in codes.values()]
             for i, x in enumerate(XREF_COLUMNS)}
    return make_release(rows, version=version, effective=effective, system=CodeSystem.HCPCS,
                        termination_date=[v[0] for v in codes.values()], **xrefs)


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def rows_of(frame: pd.DataFrame, old: str) -> list[tuple[str, str, bool]]:
    """(new_code, relation, automatic) of one old code, sorted."""
    sub = frame[frame["old_code"] == old]
    return sorted(zip(sub["new_code"], sub["relation"], sub["automatic"], strict=True))


def one(frame: pd.DataFrame, old: str, new: str) -> pd.Series:
    hit = frame[(frame["old_code"] == old) & (frame["new_code"] == new)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


# ----------------------------------------------------------------------------- ICD-10-CM

FY30, FY31 = date(2029, 10, 1), date(2030, 10, 1)
OLD_ICD = {"Q10": "header", "Q100": "code", "Q101": "code",
           "Q20": "header", "Q200": "code",
           "Q30": "header", "Q300": "code", "Q301": "code",
           "Q40": "header", "Q400": "code",
           "Q50": "header", "Q500": "code",
           "Q60": "header", "Q601": "header", "Q601XXA": "code", "Q601XXD": "code",
           "Q70": "header", "Q700": "code", "Q800": "code"}
NEW_ICD = {"Q10": "header", "Q100": "code", "Q101": "header", "Q1010": "code", "Q1011": "code",
           "Q20": "header", "Q210": "code",
           "Q30": "header", "Q310": "code",
           "Q40": "header",
           "Q50": "header", "Q510": "code", "Q511": "code",
           "Q60": "header", "Q601": "header", "Q6011XA": "code", "Q6012XA": "code",
           "Q6011XD": "code", "Q6012XD": "code",
           "Q70": "header", "Q71": "header"}


def conversion_file(tmp_path: Path, rows: list[list[object]], name: str = "conv.xlsx") -> Path:
    return write_xlsx(tmp_path / name, [[TITLE, "", ""], HEADER, *rows])


@pytest.fixture(scope="module")
def icd_step(tmp_path_factory: pytest.TempPathFactory):
    old, new = icd(OLD_ICD, "FY2030", FY30), icd(NEW_ICD, "FY2031", FY31)
    table = conversion_file(tmp_path_factory.mktemp("conversion"), [
        ["Q10.0", 2028, "Q20.0"],  # an earlier year: must not be read into this step
        ["Q21.0", 2030, "Q20.0"],  # one-to-one
        ["Q31.0", 2030, "Q30.0 and Q30.1"],  # merged
        ["Q51.0", 2030, "Q50.0"], ["Q51.1 ", 2030, "Q50.0"],  # split
        ["Q71", 2030, "Q70.0"],  # names a header of the new release
        ["Q81.0", 2030, "Q80.0"],  # names a code the new release does not have
        ["Q90.0", 2030, "None"],
    ])
    conv = read_conversion_table(table)
    return old, new, candidates_for_step(old, new, diff_releases(old, new, verify=False),
                                         conversion=conv)


def test_columns_and_types(icd_step):
    *_, cands = icd_step
    assert tuple(cands.columns) == CANDIDATE_COLUMNS
    assert cands["automatic"].dtype == bool
    assert cands["step"].dtype == "int64"
    assert all(cands[c].dtype == "str" for c in CANDIDATE_COLUMNS
               if c not in ("automatic", "step"))
    assert set(cands["system"]) == {"icd10cm"}
    assert set(cands["via"]) == {"FY2030 -> FY2031"}
    assert set(cands["step"]) == {1}


def test_one_to_one_from_the_conversion_table_is_automatic(icd_step):
    *_, cands = icd_step
    assert rows_of(cands, "Q200") == [("Q210", EQ, True)]  # the 2028 row Q200 -> Q100 unused
    assert one(cands, "Q200", "Q210")["source"] == "CDC conversion table FY2031"


def test_many_to_one_is_broader(icd_step):
    *_, cands = icd_step
    assert rows_of(cands, "Q300") == [("Q310", BROADER, False)]
    assert rows_of(cands, "Q301") == [("Q310", BROADER, False)]


def test_one_to_many_is_narrower(icd_step):
    *_, cands = icd_step
    assert rows_of(cands, "Q500") == [("Q510", NARROWER, False), ("Q511", NARROWER, False)]


def test_expanded_code_gets_its_billable_children(icd_step):
    *_, cands = icd_step
    assert rows_of(cands, "Q101") == [("Q1010", NARROWER, False), ("Q1011", NARROWER, False)]
    assert set(cands.loc[cands["old_code"] == "Q101", "source"]) == {
        "hierarchy (billable children in FY2031)"}


def test_placeholder_x_filled_by_new_codes(icd_step):
    *_, cands = icd_step
    assert rows_of(cands, "Q601XXA") == [("Q6011XA", NARROWER, False),
                                         ("Q6012XA", NARROWER, False)]
    assert rows_of(cands, "Q601XXD") == [("Q6011XD", NARROWER, False),
                                         ("Q6012XD", NARROWER, False)]


def test_deleted_code_without_successor_gets_none(icd_step):
    *_, cands = icd_step
    assert rows_of(cands, "Q400") == [("", NONE, False)]
    assert "no successor" in one(cands, "Q400", "")["source"]


def test_successor_that_is_not_billable_is_never_automatic(icd_step):
    *_, cands = icd_step
    header = one(cands, "Q700", "Q71")
    assert (header["relation"], header["automatic"]) == (EQ, False)
    assert header["source"] == "CDC conversion table FY2031 (not billable in FY2031)"
    missing = one(cands, "Q800", "Q810")
    assert (missing["relation"], missing["automatic"]) == (EQ, False)
    assert missing["source"].endswith("(not in FY2031)")


def test_unchanged_codes_get_no_rows(icd_step):
    *_, cands = icd_step
    assert not cands["old_code"].isin(["Q100", "Q10"]).any()


def test_without_conversion_table_only_the_hierarchy(icd_step):
    old, new, _ = icd_step
    cands = candidates_for_step(old, new, diff_releases(old, new, verify=False))
    assert rows_of(cands, "Q200") == [("", NONE, False)]
    assert "no CDC conversion table given" in one(cands, "Q200", "")["source"]
    assert rows_of(cands, "Q101") == [("Q1010", NARROWER, False), ("Q1011", NARROWER, False)]


def test_diff_of_another_step_is_refused(icd_step):
    old, new, _ = icd_step
    other = icd(NEW_ICD, "FY2032", date(2031, 10, 1))
    with pytest.raises(UpdaterError, match="not icd10cm:FY2030 -> icd10cm:FY2031"):
        candidates_for_step(old, new, diff_releases(new, other, verify=False))


def test_april_release_uses_only_rows_dated_that_april(tmp_path):
    old = icd({"Q20": "header", "Q200": "code", "Q201": "code"}, "FY2031", FY31)
    new = icd({"Q20": "header", "Q201": "code", "Q202": "code", "Q203": "code"},
              "FY2031-April", date(2031, 4, 1))
    table = read_conversion_table(conversion_file(tmp_path, [
        ["Q20.3", 2030, "Q20.0"],  # the October update before: not this step
        ["Q20.2", datetime(2031, 4, 1), "Q20.0"],
    ]))
    cands = candidates_for_step(old, new, diff_releases(old, new, verify=False),
                                conversion=table)
    assert rows_of(cands, "Q200") == [("Q202", EQ, True)]
    assert one(cands, "Q200", "Q202")["source"] == "CDC conversion table FY2031-April"


# ----------------------------------------------------------------------------- HCPCS

Y30, Y31 = date(2030, 1, 1), date(2031, 1, 1)
END = "2030-12-31"
OLD_HCPCS = {"A0001": ("", ["A0002"]), "A0002": ("", []), "A0003": ("", []),
             "B0001": ("", []), "B0002": ("", []),
             "C0001": ("", []), "C0002": ("", []), "C0003": ("", []),
             "D0001": ("", []), "D0002": ("", []), "D0003": ("", []),
             "E0001": ("", ["E0002"]), "E0002": ("", []),
             "F0001": ("", []), "G0001": ("", []), "H0001": ("", []), "ZZ": ("", [])}
NEW_HCPCS = {"A0001": (END, ["A0002"]), "A0002": (END, ["A0003"]),
             "A0003": ("", ["A0002"]),  # a live code's XREF names its predecessor
             "B0001": (END, ["B0002"]), "B0002": (END, ["B0001"]),  # a cycle
             "C0001": (END, ["C0002", "C0003"]), "C0002": ("", []), "C0003": ("", []),
             "D0001": (END, ["D0003"]), "D0002": (END, ["D0003"]), "D0003": ("", []),
             "E0002": ("", []),  # E0001 no longer listed at all
             "F0001": (END, ["99213"]),  # a CPT code
             "G0001": (END, ["G9999"]),  # a code neither release has
             "H0001": (END, []), "ZZ": (END, [])}


@pytest.fixture(scope="module")
def hcpcs_pair():
    return hcpcs(OLD_HCPCS, "2030", Y30), hcpcs(NEW_HCPCS, "2031", Y31)


@pytest.fixture(scope="module")
def hcpcs_step(hcpcs_pair):
    old, new = hcpcs_pair
    return candidates_for_step(old, new, diff_releases(old, new, verify=False))


def test_xref_chain_through_a_discontinued_code(hcpcs_step):
    assert rows_of(hcpcs_step, "A0001") == [("A0003", EQ, True)]
    assert one(hcpcs_step, "A0001", "A0003")["source"] == (
        "HCPCS XREF chain A0001 -> A0002 -> A0003 (2031)")
    assert rows_of(hcpcs_step, "A0002") == [("A0003", EQ, True)]
    assert one(hcpcs_step, "A0002", "A0003")["source"] == "HCPCS XREF1 (2031)"


def test_xref_cycle_stops_with_no_successor(hcpcs_step):
    assert rows_of(hcpcs_step, "B0001") == [("", NONE, False)]
    assert rows_of(hcpcs_step, "B0002") == [("", NONE, False)]
    assert "B0001 -> B0002" in one(hcpcs_step, "B0001", "")["source"]


def test_xref_several_live_successors_are_narrower(hcpcs_step):
    assert rows_of(hcpcs_step, "C0001") == [("C0002", NARROWER, False),
                                            ("C0003", NARROWER, False)]
    assert one(hcpcs_step, "C0001", "C0003")["source"] == "HCPCS XREF2 (2031)"


def test_xref_shared_successor_is_broader(hcpcs_step):
    assert rows_of(hcpcs_step, "D0001") == [("D0003", BROADER, False)]
    assert rows_of(hcpcs_step, "D0002") == [("D0003", BROADER, False)]


def test_xref_of_a_code_no_longer_listed_comes_from_the_old_release(hcpcs_step):
    assert rows_of(hcpcs_step, "E0001") == [("E0002", EQ, True)]


def test_xref_to_a_cpt_code_stays_automatic_and_says_so(hcpcs_step):
    assert rows_of(hcpcs_step, "F0001") == [("99213", EQ, True)]
    assert "CPT code" in one(hcpcs_step, "F0001", "99213")["source"]


def test_xref_to_an_unknown_code_is_not_automatic(hcpcs_step):
    assert rows_of(hcpcs_step, "G0001") == [("G9999", EQ, False)]
    assert one(hcpcs_step, "G0001", "G9999")["source"].endswith("(not in 2031)")


def test_terminated_without_xref_and_modifier_get_none(hcpcs_step):
    assert rows_of(hcpcs_step, "H0001") == [("", NONE, False)]
    assert rows_of(hcpcs_step, "ZZ") == [("", NONE, False)]
    assert not hcpcs_step["old_code"].isin(["A0003", "C0002", "D0003", "E0002"]).any()


# ----------------------------------------------------------------------------- chain

def step_frame(rows: list[tuple[str, str, str, str, bool]], via: str) -> pd.DataFrame:
    return pd.DataFrame({"system": "icd10cm", "old_code": [r[0] for r in rows],
                         "new_code": [r[1] for r in rows], "relation": [r[2] for r in rows],
                         "source": [r[3] for r in rows], "automatic": [r[4] for r in rows],
                         "via": via, "step": 1})


def test_chain_composes_across_three_steps():
    s1 = step_frame([("A100", "A110", EQ, "S1", True), ("B100", "B110", EQ, "S1", True),
                     ("C100", "C110", NARROWER, "S1", False),
                     ("C100", "C111", NARROWER, "S1", False),
                     ("D100", "", NONE, "S1 none", False),
                     ("E100", "E110", EQ, "S1", True)], "FY2030 -> FY2031")
    s2 = step_frame([("A110", "A120", EQ, "S2", True), ("B110", "B120", EQ, "S2h", False),
                     ("X100", "X110", BROADER, "S2", False)], "FY2031 -> FY2032")
    s3 = step_frame([("A120", "A130", EQ, "S3", True), ("C111", "C120", EQ, "S3", True),
                     ("X110", "", NONE, "S3 none", False)], "FY2032 -> FY2033")
    out = chain([s1, s2, s3])
    a = one(out, "A100", "A130")
    assert (a["relation"], a["automatic"], a["step"]) == (EQ, True, 3)
    assert a["via"] == "FY2030 -> FY2031 -> FY2032 -> FY2033"
    assert a["source"] == "S1; S2; S3"
    assert rows_of(out, "A100") == [("A130", EQ, True)]  # the intermediate rows are replaced
    b = one(out, "B100", "B120")  # equivalent every step, but one step not automatic
    assert (b["relation"], b["automatic"], b["step"]) == (EQ, False, 2)
    assert b["via"] == "FY2030 -> FY2031 -> FY2032"
    # a split, then one branch renamed one-to-one: still narrower
    assert rows_of(out, "C100") == [("C110", NARROWER, False), ("C120", NARROWER, False)]
    assert rows_of(out, "D100") == [("", NONE, False)]
    e = one(out, "E100", "E110")  # its successor survives: unchanged
    assert (e["relation"], e["automatic"], e["step"], e["via"]) == (EQ, True, 1,
                                                                    "FY2030 -> FY2031")
    x = one(out, "X100", "")  # a merge whose successor is retired later
    assert (x["relation"], x["step"], x["source"]) == (NONE, 2, "S2; S3 none")
    # each step's own old codes keep their rows
    assert rows_of(out, "A110") == [("A130", EQ, True)]
    assert rows_of(out, "A120") == [("A130", EQ, True)]


def test_chain_of_one_step_is_that_step(icd_step):
    *_, cands = icd_step
    pd.testing.assert_frame_equal(chain([cands]), cands)


def test_chain_broader_then_equivalent_stays_broader():
    s1 = step_frame([("A1", "B1", BROADER, "S1", False)], "2030 -> 2031")
    s2 = step_frame([("B1", "C1", EQ, "S2", True)], "2031 -> 2032")
    assert rows_of(chain([s1, s2]), "A1") == [("C1", BROADER, False)]


def test_build_candidates_across_three_releases(tmp_path):
    r30 = icd({"Q20": "header", "Q200": "code", "Q30": "header", "Q300": "code"},
              "FY2030", FY30)
    r31 = icd({"Q20": "header", "Q210": "code", "Q30": "header", "Q310": "code"},
              "FY2031", FY31)
    r32 = icd({"Q20": "header", "Q220": "code", "Q30": "header", "Q310": "header",
               "Q3101": "code", "Q3102": "code"}, "FY2032", date(2031, 10, 1))
    r33 = icd({"Q20": "header", "Q230": "code", "Q30": "header", "Q310": "header",
               "Q3101": "code", "Q3102": "code"}, "FY2033", date(2032, 10, 1))
    table = conversion_file(tmp_path, [["Q21.0", 2030, "Q20.0"], ["Q22.0", 2031, "Q21.0"],
                                       ["Q23.0", 2032, "Q22.0"], ["Q31.0", 2030, "Q30.0"]])
    out = build_candidates([r30, r31, r32, r33], conversion_tables=[table])
    q = one(out, "Q200", "Q230")
    assert (q["relation"], q["automatic"], q["step"]) == (EQ, True, 3)
    assert q["via"] == "FY2030 -> FY2031 -> FY2032 -> FY2033"
    assert q["source"] == ("CDC conversion table FY2031 (FY2033 edition); CDC conversion table "
                           "FY2032 (FY2033 edition); CDC conversion table FY2033")
    # automatic in the first step, expanded (a person chooses) in the second
    assert rows_of(out, "Q300") == [("Q3101", NARROWER, False), ("Q3102", NARROWER, False)]
    assert set(out.loc[out["old_code"] == "Q300", "source"]) == {
        "CDC conversion table FY2031 (FY2033 edition); hierarchy (billable children in "
        "FY2032)"}


def test_build_candidates_refuses_bad_release_lists(icd_step, hcpcs_pair):
    old, new, _ = icd_step
    with pytest.raises(UpdaterError, match="out of order"):
        build_candidates([new, old])
    with pytest.raises(UpdaterError, match="several code systems"):
        build_candidates([old, hcpcs_pair[1]])
    with pytest.raises(UpdaterError, match="at least two"):
        build_candidates([old])
    with pytest.raises(UpdaterError, match="2 diffs for 1 steps"):
        diff = diff_releases(old, new, verify=False)
        build_candidates([old, new], [diff, diff])


# ----------------------------------------------------------------------------- user maps

def test_user_map_is_never_automatic(tmp_path, hcpcs_pair):
    path = write_csv(tmp_path / "map.csv", [["Old", "New"], ["H0001", "C0002"]])
    out = build_candidates(list(hcpcs_pair), user_maps=[path])
    assert rows_of(out, "H0001") == [("C0002", EQ, False)]  # replaces the "none" row
    row = one(out, "H0001", "C0002")
    assert (row["source"], row["step"], row["via"]) == ("user map map.csv", 0, "2030 -> 2031")


def test_user_map_naming_an_invalid_code_is_kept_and_noted(tmp_path, hcpcs_pair):
    path = write_csv(tmp_path / "map.csv", [["from", "to"], ["H0001", "H0001"],
                                            ["B0001", "Q9999"]])
    out = build_candidates(list(hcpcs_pair), user_maps=[path])
    assert one(out, "H0001", "H0001")["source"] == "user map map.csv (not billable in 2031)"
    assert one(out, "B0001", "Q9999")["source"] == "user map map.csv (not in 2031)"


def test_user_map_that_disagrees_makes_the_publisher_row_need_a_person(tmp_path, hcpcs_pair):
    path = write_csv(tmp_path / "map.csv", [["old", "new"], ["A0001", "C0002"],
                                            ["E0001", "E0002"]])
    out = build_candidates(list(hcpcs_pair), user_maps=[path])
    row = one(out, "A0001", "A0003")
    assert not row["automatic"]
    assert row["source"].endswith("(a user map names another code)")
    agreed = out[(out["old_code"] == "E0001") & (out["step"] == 1)]
    assert list(agreed["automatic"]) == [True]  # the map agrees: still automatic


def test_override_beats_everything(tmp_path, hcpcs_pair):
    path = write_csv(tmp_path / "ovr.csv", [["Deleted code", "Replacement", "Approve"],
                                            ["A0001", "C0003", "yes"],
                                            ["C0001", "C0002", ""]])
    maps = write_csv(tmp_path / "map.csv", [["old", "new"], ["A0001", "C0002"]])
    out = build_candidates(list(hcpcs_pair), user_maps=[maps], overrides=[path])
    assert rows_of(out, "A0001") == [("C0003", EQ, True)]
    assert one(out, "A0001", "C0003")["source"] == "override ovr.csv"
    assert rows_of(out, "C0001") == [("C0002", EQ, False)]  # no approval: a person decides
    assert rows_of(out, "D0001") == [("D0003", BROADER, False)]  # others untouched


def test_override_to_an_invalid_code_is_not_automatic(tmp_path, hcpcs_pair):
    path = write_csv(tmp_path / "ovr.csv", [["old", "new", "automatic"],
                                            ["A0001", "A0002", "yes"]])
    out = build_candidates(list(hcpcs_pair), overrides=[path])
    assert rows_of(out, "A0001") == [("A0002", EQ, False)]
    assert one(out, "A0001", "A0002")["source"] == "override ovr.csv (not billable in 2031)"


def test_cpt_to_report_see_guidance_with_a_range(tmp_path):
    old = make_release([("99201", "code", "Synthetic", "Synthetic"),
                        ("99202", "code", "Synthetic", "Synthetic"),
                        ("99203", "code", "Synthetic", "Synthetic"),
                        ("99204", "code", "Synthetic", "Synthetic")],
                       version="2030", effective=Y30, system=CodeSystem.CPT)
    new = make_release([("99202", "code", "Synthetic", "Synthetic"),
                        ("99203", "code", "Synthetic", "Synthetic"),
                        ("99204", "code", "Synthetic", "Synthetic")],
                       version="2031", effective=Y31, system=CodeSystem.CPT)
    path = write_csv(tmp_path / "guidance.csv", [
        ["Synthetic deleted-code guidance"], [],
        ["Code", "To report, see"],  # "Code" alone is not taken for the old column
    ])
    with pytest.raises(UpdaterError, match="no header row with an old and a new"):
        build_candidates([old, new], user_maps=[path])
    path = write_csv(tmp_path / "guidance.csv", [
        ["Synthetic deleted-code guidance"], [],
        ["Deleted code", "To report, see"],
        ["99201", "To report, see 99202-99204"]])
    alone = build_candidates([old, new])
    assert rows_of(alone, "99201") == [("", NONE, False)]
    assert "give the publisher's guidance as a user map" in one(alone, "99201", "")["source"]
    out = build_candidates([old, new], user_maps=[path])
    assert rows_of(out, "99201") == [("99202", NARROWER, False), ("99203", NARROWER, False),
                                     ("99204", NARROWER, False)]
    assert set(out["source"]) == {"user map guidance.csv"}


def test_user_map_xlsx_with_relation_and_several_codes(tmp_path):
    path = write_xlsx(tmp_path / "map.xlsx", [
        ["Synthetic map"], ["From", "To", "Relation"],
        ["M17.11", "M17.111; M17.112", ""], ["Q20.0", "Q21.0", "same as"],
        ["Q30.0", "", ""]])
    frame = read_user_map(path)
    assert sorted(zip(frame["old_code"], frame["new_code"], frame["relation"],
                      frame["row"], strict=True)) == [
        ("M1711", "M17111", "", 3), ("M1711", "M17112", "", 3), ("Q200", "Q210", EQ, 4),
        ("Q300", "", "", 5)]


def test_user_map_cells_as_people_write_them(tmp_path):
    path = write_xlsx(tmp_path / "map.xlsx", [
        ["old", "new"], [100, "to report, see 00102\u201300104"], ["RT", "LT"],
        ["J1100", "J1110 or J1120"]])
    frame = read_user_map(path, new_codes=pd.Series(["00102", "00103", "00104", "00105"]))
    assert sorted(zip(frame["old_code"], frame["new_code"], strict=True)) == [
        ("100", "00102"), ("100", "00103"), ("100", "00104"), ("J1100", "J1110"),
        ("J1100", "J1120"), ("RT", "LT")]


def test_user_map_puts_back_leading_zeros_for_procedure_codes(tmp_path):
    old = make_release([("00100", "code", "Synthetic", "Synthetic")], version="2030",
                       effective=Y30, system=CodeSystem.CPT)
    new = make_release([("00102", "code", "Synthetic", "Synthetic")], version="2031",
                       effective=Y31, system=CodeSystem.CPT)
    path = write_xlsx(tmp_path / "map.xlsx", [["old", "new"], [100, 102]])
    out = build_candidates([old, new], user_maps=[path])
    assert rows_of(out, "00100") == [("00102", EQ, False)]


def test_user_map_errors_name_the_row(tmp_path):
    path = write_csv(tmp_path / "map.csv", [["old", "new", "relation"], ["A0001", "A0002", ""],
                                            ["A0003", "A0004", "sideways"]])
    with pytest.raises(UpdaterError, match=r"map.csv, row 3: relation 'sideways'"):
        read_user_map(path)
    path = write_csv(tmp_path / "map.csv", [["old", "new"], ["", "A0002"]])
    with pytest.raises(UpdaterError, match="row 2: a new code"):
        read_user_map(path)
    path = write_csv(tmp_path / "map.csv", [["code", "description"], ["A0001", "x"]])
    with pytest.raises(UpdaterError, match="no header row"):
        read_user_map(path)


def test_user_map_for_another_code_system_is_left_out(tmp_path, hcpcs_pair):
    path = write_csv(tmp_path / "map.csv", [["old", "new", "system"],
                                            ["H0001", "C0002", "ICD-10-CM"],
                                            ["B0001", "C0003", "HCPCS"],
                                            ["M1711", "M17111", ""]])
    out = build_candidates(list(hcpcs_pair), user_maps=[path])
    assert not out["old_code"].isin(["M1711"]).any()
    assert ("C0002", EQ, False) not in rows_of(out, "H0001")
    assert ("C0003", EQ, False) in rows_of(out, "B0001")


# ----------------------------------------------------------------------------- conversion table

def test_conversion_table_rows(tmp_path):
    path = conversion_file(tmp_path, [
        ["C56.3", 2021, "C56.1 and C56.2"], ["E75.244", 2021, "E75.240, E75.241 "],
        ["G93.32", 2022, "G93.3; R53.82"], ["H36.811", 2023, "H35.20-H35.23"],
        ["P91.821", 2020, "I63.- and P91.88"], ["W44.A0XA", 2023, "Codes in Categories T15-T19"],
        ["Y07.050", datetime(2023, 4, 1), "Y07.01"], ["Z17.21 ", 2024, "None"], [None, None, None],
        ["Note: synthetic footnote", None, None]])
    table = read_conversion_table(path)
    got = list(zip(table["current"], table["effective_year"], table["effective"],
                   table["previous"], table["previous_to"], table["row"], strict=True))
    assert got == [
        ("C563", 2021, "2021-10-01", "C561", "", 3), ("C563", 2021, "2021-10-01", "C562", "", 3),
        ("E75244", 2021, "2021-10-01", "E75240", "", 4),
        ("E75244", 2021, "2021-10-01", "E75241", "", 4),
        ("G9332", 2022, "2022-10-01", "G933", "", 5),
        ("G9332", 2022, "2022-10-01", "R5382", "", 5),
        ("H36811", 2023, "2023-10-01", "H3520", "H3523", 6),
        ("P91821", 2020, "2020-10-01", "I63", "I63", 7),
        ("P91821", 2020, "2020-10-01", "P9188", "", 7),
        ("W44A0XA", 2023, "2023-10-01", "T15", "T19", 8),
        ("Y07050", 2023, "2023-04-01", "Y0701", "", 9)]
    assert set(table["table"]) == {"FY2024"}  # named after its newest update (2023-10-01)


def test_conversion_header_found_by_name_not_position(tmp_path):
    path = write_xlsx(tmp_path / "moved.xlsx", [
        ["title"], [], ["more title"],
        ["Notes", "Previous Code(s) Assignment", "Current Code Assignment", "Effective"],
        ["", "A04.7", "A04.71", 2016]])
    table = read_conversion_table(path)
    assert list(zip(table["current"], table["previous"], table["effective"], strict=True)) == [
        ("A0471", "A047", "2016-10-01")]


def test_not_a_conversion_table(tmp_path):
    path = write_xlsx(tmp_path / "other.xlsx", [["HCPC", "LONG DESCRIPTION"], ["A0001", "x"]])
    with pytest.raises(UpdaterError, match="no conversion-table header") as err:
        read_conversion_table(path)
    assert err.value.file == str(path)
    text = tmp_path / "notes.txt"
    text.write_text("just some notes\n")
    with pytest.raises(UpdaterError, match="no conversion-table header"):
        read_conversion_table(text)
    bad = conversion_file(tmp_path, [["A04.71", "soon", "A04.7"]], name="bad.xlsx")
    with pytest.raises(UpdaterError, match="row 3: effective 'soon'"):
        read_conversion_table(bad)
    with pytest.raises(UpdaterError, match="no such file"):
        read_conversion_table(tmp_path / "missing.xlsx")


def test_find_conversion_tables_by_content(tmp_path):
    table = conversion_file(tmp_path, [["A04.71", 2016, "A04.7"]],
                            name="Copy of my renamed table.xlsx")
    write_xlsx(tmp_path / "ICD-10-CM-Conversion-Table-fake.xlsx", [["nothing", "here"]])
    (tmp_path / "release.zip").write_bytes(b"PK\x03\x04 not really")
    assert find_conversion_tables(tmp_path) == [table]
    assert find_conversion_tables(tmp_path / "release.zip") == [table]  # beside a file
    assert find_conversion_tables(tmp_path / "nowhere") == []


def test_newest_edition_wins_for_each_update(tmp_path):
    older = read_conversion_table(conversion_file(tmp_path, [
        ["Q21.0", 2029, "Q20.0"], ["Q31.0", 2030, "Q30.0"]], name="fy2031.xlsx"))
    newer = read_conversion_table(conversion_file(tmp_path, [
        ["Q21.0", 2029, "Q20.9"], ["Q41.0", 2031, "Q40.0"]], name="fy2032.xlsx"))
    both = combine_conversion_tables([older, newer])
    assert sorted(zip(both["current"], both["previous"], both["file"], strict=True)) == [
        ("Q210", "Q209", "fy2032.xlsx"), ("Q310", "Q300", "fy2031.xlsx"),
        ("Q410", "Q400", "fy2032.xlsx")]


# ----------------------------------------------------------------------------- speed

def test_a_large_synthetic_step_gives_every_child():
    """20,000 expanded codes: the joins must not turn into per-code Python steps."""
    n = 20_000
    old_codes = {f"Q{i:05d}": "code" for i in range(n)}
    new_codes = {f"Q{i:05d}": "header" for i in range(n)}
    new_codes |= {f"Q{i:05d}{k}": "code" for i in range(n) for k in (1, 2)}
    old, new = icd(old_codes, "FY2030", FY30), icd(new_codes, "FY2031", FY31)
    # the change rows as the diff gives them (the diff's own speed is tested elsewhere)
    changes = pd.DataFrame({"code": list(old_codes), "record": "code", "kind": "expanded"})
    diff = Diff(old=old, new=new, changes=changes, summary={})
    cands = candidates_for_step(old, new, diff)
    assert len(cands) == 2 * n
    assert set(cands["relation"]) == {NARROWER}
