"""The synthetic sample releases (``releases/sample``): each loads with the reader meant
for it, in the publisher's exact layout, and each pair holds the changes it promises."""

from __future__ import annotations

import importlib.util
import sys
import zipfile
from datetime import date
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from updater.model import Release
from updater.releases.readers import ReadOptions, load_release
from updater.vocabulary import CodeSystem

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "releases" / "sample"
ICD25 = SAMPLE / "icd10cm" / "FY2025" / "icd10cm-Code-Descriptions-2025.zip"
ICD26 = SAMPLE / "icd10cm" / "FY2026" / "icd10cm-Code-Descriptions-2026.zip"
ICD26_APRIL = SAMPLE / "icd10cm" / "FY2026-April" / "icd10cm-Codes-Descriptions-April-2026.zip"
HCPCS25 = SAMPLE / "hcpcs" / "2025" / "2025-Alpha-Numeric-HCPCS-File.zip"
HCPCS26 = SAMPLE / "hcpcs" / "2026" / "2026-Alpha-Numeric-HCPCS-File.zip"
CPT25 = SAMPLE / "cpt" / "2025" / "CPT 2025 data files.zip"
CPT26 = SAMPLE / "cpt" / "2026" / "CPT 2026 data files.zip"

EXPECTED = [  # file, reader, system, version, effective, rows
    (ICD25, "icd10cm-order", CodeSystem.ICD10CM, "FY2025", date(2024, 10, 1), 286),
    (ICD26, "icd10cm-order", CodeSystem.ICD10CM, "FY2026", date(2025, 10, 1), 300),
    (ICD26_APRIL, "icd10cm-order", CodeSystem.ICD10CM, "FY2026-April", date(2026, 4, 1), 305),
    (HCPCS25, "hcpcs-fixed", CodeSystem.HCPCS, "2025", date(2025, 1, 1), 48),
    (HCPCS26, "hcpcs-fixed", CodeSystem.HCPCS, "2026", date(2026, 1, 1), 55),
    (CPT25, "cpt-tab", CodeSystem.CPT, "2025", date(2025, 1, 1), 46),
    (CPT26, "cpt-tab", CodeSystem.CPT, "2026", date(2026, 1, 1), 48),
]


def load(path: Path) -> Release:
    return load_release(path)[0]


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def extract(path: Path, name: str, folder: Path) -> Path:
    target = folder / name
    target.write_bytes(members(path)[name])
    return target


def by_code(release: Release) -> pd.DataFrame:
    return release.table.set_index("code")


def test_every_sample_file_is_listed_here() -> None:
    on_disk = sorted(p for p in SAMPLE.rglob("*") if p.is_file() and p.name != "README.md")
    assert on_disk == sorted(e[0] for e in EXPECTED)
    total = sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    assert total < 200_000  # "well under 1 MB"


@pytest.mark.parametrize(("path", "reader", "system", "version", "effective", "rows"),
                         EXPECTED, ids=[f"{e[2].value}-{e[3]}" for e in EXPECTED])
def test_loads_with_the_intended_reader(path: Path, reader: str, system: CodeSystem,
                                        version: str, effective: date, rows: int) -> None:
    release, fmt = load_release(path)
    assert (fmt, release.system, release.version, release.effective, len(release.table)) == (
        reader, system, version, effective, rows)


@pytest.mark.parametrize("path", [e[0] for e in EXPECTED], ids=[e[3] for e in EXPECTED])
def test_text_members_have_crlf_line_ends(path: Path) -> None:
    for name, data in members(path).items():
        if name.endswith(".txt"):
            assert data.endswith(b"\r\n"), name
            assert data.count(b"\n") == data.count(b"\r\n"), name
            data.decode("ascii")


# --- ICD-10-CM ---------------------------------------------------------------------------

ICD_SUMMARY_2026 = {
    "headers": {"in_old": 71, "in_new": 75, "additions": 4, "deletions": 0, "revisions": 1,
                "revisions_both": 1, "revisions_long_only": 0, "revisions_short_only": 0},
    "codes": {"in_old": 215, "in_new": 225, "additions": 15, "deletions": 5, "revisions": 4,
              "revisions_both": 2, "revisions_long_only": 1, "revisions_short_only": 1},
}
ICD_SUMMARY_APRIL = {
    "headers": {"in_old": 75, "in_new": 76, "additions": 1, "deletions": 0, "revisions": 0,
                "revisions_both": 0, "revisions_long_only": 0, "revisions_short_only": 0},
    "codes": {"in_old": 225, "in_new": 229, "additions": 4, "deletions": 0, "revisions": 0,
              "revisions_both": 0, "revisions_long_only": 0, "revisions_short_only": 0},
}


def test_icd_members_are_named_as_the_cdc_names_them() -> None:
    assert sorted(members(ICD25)) == ["icd10cm-codes-2025.txt", "icd10cm-order-2025.txt"]
    assert sorted(members(ICD26)) == [
        "icd10cm-codes-2026.txt", "icd10cm-codes-addenda-2026.txt", "icd10cm-order-2026.txt",
        "icd10cm-order-addenda-2026.txt"]
    assert sorted(members(ICD26_APRIL)) == [
        "icd10cm-codes-April-2026.txt", "icd10cm-codes-addenda-April-2026.txt",
        "icd10cm-order-April-2026.txt", "icd10cm-order-addenda-April-2026.txt"]


@pytest.mark.parametrize("path", [ICD25, ICD26, ICD26_APRIL])
def test_icd_order_file_is_fixed_width(path: Path) -> None:
    name = next(n for n in members(path) if "order" in n and "addenda" not in n)
    lines = members(path)[name].decode().splitlines()
    for number, line in enumerate(lines, 1):
        assert line[:5] == f"{number:05d}" and line[5] == " " and line[13] == " "
        assert line[14] in "01" and line[15] == " " and line[76] == " " and line[77] != " "
        assert line[6:13].rstrip() == line[6:13].strip() and len(line[16:76].rstrip()) <= 60


@pytest.mark.parametrize("path", [ICD25, ICD26, ICD26_APRIL])
def test_icd_codes_file_agrees_with_the_order_file(path: Path, tmp_path: Path) -> None:
    name = next(n for n in members(path) if "codes" in n and "addenda" not in n)
    codes, fmt = load_release(extract(path, name, tmp_path))
    assert fmt == "icd10cm-codes"
    order = load(path).table
    billable = order[order["record"] == "code"].reset_index(drop=True)
    assert codes.table["code"].tolist() == billable["code"].tolist()
    assert codes.table["long"].tolist() == billable["long"].tolist()
    assert codes.version == load(path).version


@pytest.mark.parametrize(("path", "summary"), [(ICD26, ICD_SUMMARY_2026),
                                               (ICD26_APRIL, ICD_SUMMARY_APRIL)])
def test_icd_addenda_summary(path: Path, summary: dict[str, dict[str, int]]) -> None:
    changes = load(path).publisher_changes
    assert changes is not None
    assert changes.summary == summary


def _icd_inventory(old: pd.DataFrame, new: pd.DataFrame) -> dict[str, set[str]]:
    """Every kind of change, computed here from the two tables."""
    both = old.index.intersection(new.index)
    squeeze = lambda s: s.str.split().str.join(" ")  # noqa: E731
    o, n = old.loc[both], new.loc[both]
    same_record = o["record"] == n["record"]
    long_changed = squeeze(o["long"]) != squeeze(n["long"])
    short_changed = squeeze(o["short"]) != squeeze(n["short"])
    cosmetic = ((o["long"] != n["long"]) | (o["short"] != n["short"])) & ~long_changed \
        & ~short_changed
    return {
        "added": set(new.index.difference(old.index)),
        "deleted": set(old.index.difference(new.index)),
        "expanded": set(both[(o["record"] == "code") & (n["record"] == "header")]),
        "both": set(both[same_record & long_changed & short_changed]),
        "long_only": set(both[same_record & long_changed & ~short_changed]),
        "short_only": set(both[same_record & ~long_changed & short_changed]),
        "cosmetic": set(both[cosmetic]),
    }


def test_icd_fy2025_to_fy2026_has_every_kind_of_change() -> None:
    old, new = by_code(load(ICD25)), by_code(load(ICD26))
    assert _icd_inventory(old, new) == {
        "added": {"E783", "F323", "H4014", "Z795", "U09", "U091", "U099", "J455", "J4550",
                  "J4551", "J4552", "E11650", "E11651", "E11659", "Z860100", "Z860101",
                  "Z860109"},
        "deleted": {"A082", "K578", "M548"},
        "expanded": {"E1165", "Z86010"},
        "both": {"I10", "N181", "K57"},  # K57 is a header
        "long_only": {"S72001D"},
        "short_only": {"E039"},
        "cosmetic": {"F411"},
    }
    assert new.loc["K57", "record"] == "header"
    assert new.loc["Z86010", "long"] != old.loc["Z86010", "long"]  # expanded and retitled
    assert {"U09", "J455"} <= set(new.index[new["record"] == "header"])


def test_icd_april_update_adds_codes_and_a_header() -> None:
    old, new = by_code(load(ICD26)), by_code(load(ICD26_APRIL))
    inventory = _icd_inventory(old, new)
    assert inventory["added"] == {"U092", "E784", "F32A", "F32A1", "F32A9"}
    assert not any(v for k, v in inventory.items() if k != "added")
    assert new.loc["F32A", "record"] == "header"


def test_icd_addenda_list_exactly_the_change() -> None:
    entries = load(ICD26).publisher_changes.entries  # type: ignore[union-attr]
    listed = {(a, c) for a, c in zip(entries["action"], entries["code"], strict=True)}
    assert ("delete", "E1165") in listed and ("add", "E1165") in listed
    assert ("revise_from", "S72001D") in listed and ("revise_to", "E039") in listed
    assert not any(c == "F411" for _, c in listed)  # whitespace only: not listed
    assert len(entries) == 15 + 5 + 4 * 2 + 4 + 1 * 2


# --- HCPCS Level II ----------------------------------------------------------------------

def test_hcpcs_records_are_320_characters() -> None:
    for path in (HCPCS25, HCPCS26):
        name = next(n for n in members(path) if n.endswith(".txt"))
        lines = members(path)[name].decode().splitlines()
        assert lines[0] == "***Disclaimers"
        records = [line for line in lines if line[:1] != "*" and len(line) > 200]
        assert records and all(len(r) == 320 and r[10] in "3478" for r in records)
        assert {r[10] for r in records} == {"3", "4", "7", "8"}  # continuations of both kinds


def test_hcpcs_2025_to_2026_changes() -> None:
    old, new = by_code(load(HCPCS25)), by_code(load(HCPCS26))
    assert set(new.index.difference(old.index)) == {"J2002", "G0561", "A4290", "Q5150", "JZ",
                                                    "J9312", "J7318"}
    assert set(old.index.difference(new.index)) == set()  # discontinued codes stay
    assert new["action_code"].value_counts().to_dict() == {
        "N": 40, "A": 7, "C": 2, "D": 3, "F": 1, "P": 1, "S": 1}
    for old_code, new_code in (("J2001", "J2002"), ("J9310", "J9312"), ("C9465", "J7318")):
        gone = new.loc[old_code]
        assert (gone["termination_date"], gone["action_code"], gone["xref1"]) == (
            "2025-12-31", "D", new_code)
    # the successors of J9310 and C9465 bill other units than they did
    assert old.loc["J9310", "long"].endswith(", 100 mg")
    assert new.loc["J9312", "long"].endswith(", 10 mg")
    assert old.loc["C9465", "long"].endswith(", per dose")
    assert new.loc["J7318", "long"].endswith(", 1 mg")
    q5150 = new.loc["Q5150"]  # added mid-2025 by a quarterly update
    assert (q5150["add_date"], q5150["action_effective_date"]) == ("2025-07-01", "2025-07-01")
    assert new.loc["E0601", "long"] != old.loc["E0601", "long"]
    assert new.loc["A9270", "short"] != old.loc["A9270", "short"]
    assert (old.loc["J1100", "pricing_indicator_1"], new.loc["J1100", "pricing_indicator_1"]) \
        == ("51", "46")
    assert (old.loc["Q0091", "coverage"], new.loc["Q0091", "coverage"]) == ("C", "D")
    assert new.loc["JZ", "record"] == "modifier" and new.loc["XS", "action_code"] == "C"
    # discontinued before 2025: in both files, unchanged but for the action code
    assert old.loc["Q4101", "termination_date"] == new.loc["Q4101", "termination_date"] \
        == "2024-12-31"
    assert (old.loc["Q4101", "action_code"], new.loc["Q4101", "action_code"]) == ("D", "N")


def test_hcpcs_xlsx_twin_gives_the_same_table(tmp_path: Path) -> None:
    assert sorted(members(HCPCS26)) == ["HCPC2026_ANWEB.txt", "HCPC2026_ANWEB.xlsx"]
    xlsx, fmt = load_release(extract(HCPCS26, "HCPC2026_ANWEB.xlsx", tmp_path))
    assert (fmt, xlsx.version) == ("hcpcs-xlsx", "2026")
    txt = load(HCPCS26).table.sort_values("code", ignore_index=True)
    pd.testing.assert_frame_equal(xlsx.table.sort_values("code", ignore_index=True), txt)


# --- CPT ---------------------------------------------------------------------------------

def test_cpt_descriptors_say_synthetic() -> None:
    for path in (CPT25, CPT26):
        table = load(path).table
        assert table["long"].str.startswith("SYNTHETIC: ").all()
        assert table["medium"].str.startswith("SYNTHETIC ").all()
        assert table["short"].str.startswith("SYNTH ").all()
        assert (table["short"].str.len() <= 28).all()
        for name, data in members(path).items():
            assert data.startswith(b"SYNTHETIC SAMPLE - NOT AMA CONTENT."), name


def test_cpt_fixed_width_twin_gives_the_same_long_descriptors(tmp_path: Path) -> None:
    for path in (CPT25, CPT26):
        alone = extract(path, "LONGULF.txt", tmp_path)
        fixed, fmt = load_release(alone, ReadOptions(effective=date(2026, 1, 1)))
        assert fmt == "cpt-fixed"
        assert fixed.table["long"].tolist() == load(path).table["long"].tolist()
        lines = members(path)["LONGULF.txt"].decode().splitlines()
        assert any(line[5:7] == "02" for line in lines)  # some descriptors go on


def test_cpt_2025_to_2026_changes() -> None:
    old, new = by_code(load(CPT25)), by_code(load(CPT26))
    assert set(new.index.difference(old.index)) == {"99459", "3051F", "0900T", "0550U"}
    assert set(old.index.difference(new.index)) == {"0075T", "81001"}
    both = old.index.intersection(new.index)
    changed = {c: {col for col in ("long", "medium", "short")
                   if old.loc[c, col] != new.loc[c, col]} for c in both}
    assert {c: cols for c, cols in changed.items() if cols} == {
        "99214": {"long"}, "20610": {"long"}, "71046": {"medium"}, "85025": {"short"},
        "93000": {"long", "medium", "short"}}
    assert {"1234F", "0042T", "0001U"} <= set(new.index)


# --- the generator -----------------------------------------------------------------------

def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_sample_releases", REPO / "scripts" / "make_sample_releases.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_committed_sample_is_what_the_script_writes(tmp_path: Path) -> None:
    """Deterministic, and up to date: run it again and compare byte for byte."""
    generator = _generator()
    generator.ROOT = tmp_path
    generator.write_icd()
    generator.write_hcpcs()
    generator.write_cpt()
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(SAMPLE) for p in SAMPLE.rglob("*")
                       if p.is_file() and p.name != "README.md")
    assert written == committed
    for relative in written:
        assert (tmp_path / relative).read_bytes() == (SAMPLE / relative).read_bytes(), relative
