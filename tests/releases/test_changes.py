"""Applying a changes-only release (order addenda alone) onto the release before it."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import make_release

from updater.errors import UpdaterError
from updater.model import PublisherChanges, Release, SourceFile, empty_table
from updater.releases.changes_only import apply_changes
from updater.releases.readers import load_release
from updater.vocabulary import CodeSystem, ReleaseKind

BASE_ROWS = [
    ("A00", "header", "Cholera", "Cholera"),
    ("A000", "code", "Cholera 01", "Cholera due to Vibrio cholerae 01"),
    ("A001", "code", "Cholera eltor", "Cholera due to Vibrio cholerae 01, biovar eltor"),
    ("C8339", "code", "DLBCL extranodal", "Diffuse large B-cell lymphoma, extranodal"),
    ("C834", "code", "Other DLBCL", "Other diffuse large B-cell lymphoma"),
    ("Z00", "header", "General exam", "General examination"),
]


def base_release(**kw: object) -> Release:
    release = make_release(BASE_ROWS, version="FY2024", effective=date(2023, 10, 1))
    return replace(release, **kw) if kw else release


def partial(entries: list[tuple[str, str, str, str, str]], *, version: str = "FY2025",
            effective: date = date(2024, 10, 1),
            system: CodeSystem = CodeSystem.ICD10CM) -> Release:
    """A changes-only release from (action, record, code, short, long) entries."""
    table = pd.DataFrame(entries, columns=["action", "record", "code", "short", "long"],
                         dtype="str")
    table["line"] = range(1, len(entries) + 1)
    changes = PublisherChanges(entries=table, summary={"codes": {"additions": 1}},
                               source="addenda-2025.txt")
    return Release(system=system, version=version, effective=effective,
                   table=empty_table(), sources=(SourceFile("addenda-2025.txt", "ab" * 32),),
                   format="icd10cm-order-addenda", kind=ReleaseKind.CHANGES,
                   publisher_changes=changes)


EXPAND = [
    ("revise_from", "code", "A000", "Cholera 01", "Cholera due to Vibrio cholerae 01"),
    ("revise_to", "code", "A000", "Cholera 01 cholerae", "Cholera due to Vibrio cholerae 01, "
     "biovar cholerae"),
    ("delete", "code", "A001", "Cholera eltor", "Cholera due to Vibrio cholerae 01, biovar eltor"),
    ("delete", "code", "C8339", "DLBCL extranodal", "Diffuse large B-cell lymphoma, extranodal"),
    ("add", "header", "C8339", "DLBCL extranodal", "Diffuse large B-cell lymphoma, extranodal"),
    ("add", "code", "C83390", "Primary CNS lymphoma", "Primary central nervous system lymphoma"),
    ("add", "code", "C83398", "DLBCL other extranodal", "Diffuse large B-cell lymphoma of "
     "other extranodal and solid organ sites"),
    ("add", "code", "A009", "Cholera, unspecified", "Cholera, unspecified"),
]


def test_apply_deletes_revises_adds_in_publisher_order() -> None:
    result = apply_changes(base_release(), partial(EXPAND))
    assert result.table.to_records(index=False).tolist() == [
        ("A00", "header", "Cholera", "Cholera"),
        ("A000", "code", "Cholera 01 cholerae", "Cholera due to Vibrio cholerae 01, biovar "
         "cholerae"),
        ("A009", "code", "Cholera, unspecified", "Cholera, unspecified"),
        ("C8339", "header", "DLBCL extranodal", "Diffuse large B-cell lymphoma, extranodal"),
        ("C83390", "code", "Primary CNS lymphoma", "Primary central nervous system lymphoma"),
        ("C83398", "code", "DLBCL other extranodal", "Diffuse large B-cell lymphoma of other "
         "extranodal and solid organ sites"),
        ("C834", "code", "Other DLBCL", "Other diffuse large B-cell lymphoma"),
        ("Z00", "header", "General exam", "General examination"),
    ]
    assert all(str(t) == "str" for t in result.table.dtypes)


def test_applied_release_is_full_and_labelled_as_the_partial() -> None:
    part = partial(EXPAND)
    result = apply_changes(base_release(), part)
    assert (result.id, result.effective, result.kind) == (
        "icd10cm:FY2025", date(2024, 10, 1), ReleaseKind.FULL)
    assert result.sources == part.sources
    assert result.publisher_changes is part.publisher_changes
    assert result.extra["applied_onto"] == "icd10cm:FY2024"
    assert result.format == "icd10cm-order-addenda"


def test_other_columns_kept_and_new_rows_blank() -> None:
    base = make_release([("J1100", "code", "Dexamethasone", "Injection, dexamethasone")],
                        system=CodeSystem.HCPCS, version="2024", effective=date(2024, 1, 1),
                        termination_date=["2024-06-30"])
    part = partial([("revise_to", "code", "J1100", "Dexameth", "Injection, dexamethasone 1 mg"),
                    ("add", "code", "J1101", "New", "New injection")],
                   system=CodeSystem.HCPCS, version="2024-April", effective=date(2024, 4, 1))
    out = apply_changes(base, part)
    assert out.table.to_records(index=False).tolist() == [
        ("J1100", "code", "Dexameth", "Injection, dexamethasone 1 mg", "2024-06-30"),
        ("J1101", "code", "New", "New injection", ""),
    ]


@pytest.mark.parametrize(("entries", "message"), [
    ([("delete", "code", "B99", "x", "x")],
     "addenda-2025.txt, line 1: deletes B99 (code), which icd10cm:FY2024 does not have; is "
     "this change list meant to follow icd10cm:FY2024? apply it onto the release just before "
     "it"),
    ([("add", "code", "A009", "x", "x"), ("revise_from", "code", "A002", "x", "x"),
      ("revise_to", "code", "A002", "y", "y")],
     "addenda-2025.txt, line 2: revises A002 (code), which icd10cm:FY2024 does not have; is "
     "this change list meant to follow icd10cm:FY2024? apply it onto the release just before "
     "it"),
    ([("delete", "code", "A001", "x", "x"), ("add", "header", "C8339", "x", "x")],
     "addenda-2025.txt, line 2: adds C8339 as a header, but icd10cm:FY2024 already has it as a "
     "code; is this change list meant to follow icd10cm:FY2024? apply it onto the release just "
     "before it"),
    ([("add", "code", "A000", "x", "x"), ("delete", "code", "B99", "x", "x")],
     "addenda-2025.txt, line 1: adds A000 as a code, but icd10cm:FY2024 already has it as a "
     "code; is this change list meant to follow icd10cm:FY2024? apply it onto the release just "
     "before it"),
    ([("add", "code", "A009", "x", "x"), ("add", "code", "A009", "x", "x")],
     "addenda-2025.txt, line 2: A009 is listed twice as 'add'; each change may appear once; "
     "re-download the change list"),
])
def test_inconsistent_change_list_names_the_line(entries, message) -> None:
    with pytest.raises(UpdaterError) as err:
        apply_changes(base_release(), partial(entries))
    assert str(err.value) == message


def test_partial_of_another_code_system_is_refused() -> None:
    with pytest.raises(UpdaterError) as err:
        apply_changes(base_release(), partial(EXPAND, system=CodeSystem.HCPCS))
    assert str(err.value) == (
        "addenda-2025.txt: a HCPCS Level II change list cannot be applied onto icd10cm:FY2024 "
        "(ICD-10-CM); apply it onto a HCPCS Level II release")


@pytest.mark.parametrize("effective", [date(2023, 10, 1), date(2023, 4, 1)])
def test_partial_not_after_the_base_is_refused(effective) -> None:
    with pytest.raises(UpdaterError) as err:
        apply_changes(base_release(), partial(EXPAND, effective=effective))
    assert str(err.value) == (
        f"addenda-2025.txt: icd10cm:FY2025 takes effect {effective.isoformat()}, not after "
        "icd10cm:FY2024 (2023-10-01); a change list applies onto the release before it: a "
        "mid-year update named for its fiscal year needs its date (--new-effective YYYY-MM-DD "
        "for diff, --effective for import); else choose an earlier base release")


def test_a_full_release_is_not_applied_as_changes() -> None:
    full = replace(partial(EXPAND), kind=ReleaseKind.FULL)
    with pytest.raises(UpdaterError, match="is a full release, not a list of changes"):
        apply_changes(base_release(), full)


def test_base_is_left_untouched() -> None:
    base = base_release()
    before = base.table.copy()
    apply_changes(base, partial(EXPAND))
    pd.testing.assert_frame_equal(base.table, before)


# ------------------------------------------------------------------ real CDC files


@pytest.mark.parametrize(("old", "new"), [("FY2024", "FY2025"), ("FY2023", "FY2023-April"),
                                          ("FY2024", "FY2024-April")])
def test_real_addenda_applied_onto_previous_release_gives_the_order_file(icd_zip, old, new):
    """The CDC's own change list, applied onto the release before, reproduces the new order
    file row for row, in the publisher's order."""
    base, _ = load_release(icd_zip(old))
    full, _ = load_release(icd_zip(new))
    assert full.publisher_changes is not None
    part = replace(full, kind=ReleaseKind.CHANGES, table=empty_table())
    result = apply_changes(base, part)
    pd.testing.assert_frame_equal(result.table, full.table)


def test_real_addenda_file_on_its_own(icd_zip, tmp_path: Path):
    with zipfile.ZipFile(icd_zip("FY2025")) as z:
        z.extract("icd10cm-order-addenda-2025.txt", tmp_path)
    part, fmt = load_release(tmp_path / "icd10cm-order-addenda-2025.txt")
    assert (fmt, part.kind, part.id) == ("icd10cm-order-addenda", ReleaseKind.CHANGES,
                                         "icd10cm:FY2025")
    base, _ = load_release(icd_zip("FY2024"))
    full, _ = load_release(icd_zip("FY2025"))
    pd.testing.assert_frame_equal(apply_changes(base, part).table, full.table)


def test_real_addenda_onto_the_wrong_release_names_the_line(icd_zip):
    """FY2025's changes onto FY2023: the first code FY2023 lacks is named by its line."""
    base, _ = load_release(icd_zip("FY2023"))
    full, _ = load_release(icd_zip("FY2025"))
    part = replace(full, kind=ReleaseKind.CHANGES, table=empty_table())
    with pytest.raises(UpdaterError) as err:
        apply_changes(base, part)
    assert (err.value.line, err.value.message) == (
        164, "revises G9342 (code), which icd10cm:FY2023 does not have")
    assert err.value.file is not None and err.value.file.endswith(
        "!icd10cm-order-addenda-2025.txt")
