"""A code's history across stored releases, and whether it was valid on a date."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path

import pytest
from conftest import make_release
from typer.testing import CliRunner

from updater.cli import app
from updater.errors import UpdaterError
from updater.model import SourceFile
from updater.releases.history import EventKind, code_history, history_lines, valid_on
from updater.releases.readers import load_release
from updater.releases.store import ReleaseStore
from updater.vocabulary import CodeSystem

runner = CliRunner()

M1711 = ("M1711", "code", "Unilateral primary osteoarthritis, r knee",
         "Unilateral primary osteoarthritis, right knee")
CROHN_A = ("K5000", "code", "Crohn's dis sm int w/o comp", "Crohn's disease of small intestine "
           "without complications")
CROHN_B = ("K5000", "code", "Crohn's dis sm int w/o comp", "Crohn's disease of small "
           "intestine, without complications")
CROHN_HEADER = ("K5000", "header", "Crohn's dis sm int w/o comp", CROHN_B[3])
CHILDREN = [("K50000", "code", "Crohn sm int, unsp", "Crohn's disease of small intestine, "
             "unspecified"),
            ("K50001", "code", "Crohn sm int, remission", "Crohn's disease of small intestine, "
             "in remission")]

# FY2021 .. FY2027: absent, appears, title change, header, billable again, deleted, back
TIMELINE = {
    "FY2021": [M1711],
    "FY2022": [CROHN_A, M1711],
    "FY2023": [CROHN_B, M1711],
    "FY2024": [CROHN_HEADER, *CHILDREN, M1711],
    "FY2025": [CROHN_B, M1711],
    "FY2026": [M1711],
    "FY2027": [CROHN_B, M1711],
}


def put(store: ReleaseStore, rows, version: str, effective: date,
        system: CodeSystem = CodeSystem.ICD10CM, **extra) -> None:
    release = make_release(rows, version=version, effective=effective, system=system, **extra)
    store.import_release(replace(release, sources=(SourceFile(f"{version}.zip",
                                                              version.encode().hex()),)))


@pytest.fixture
def store(tmp_path: Path) -> ReleaseStore:
    s = ReleaseStore(tmp_path)
    for version, rows in TIMELINE.items():
        year = int(version[2:])
        put(s, rows, version, date(year - 1, 10, 1))
    return s


def test_events_in_order(store: ReleaseStore) -> None:
    h = code_history(store, "K50.00")
    assert (h.code, h.display, h.system) == ("K5000", "K50.00", CodeSystem.ICD10CM)
    assert [(e.kind, e.version) for e in h.events] == [
        (EventKind.APPEARED, "FY2022"), (EventKind.TITLE_CHANGED, "FY2023"),
        (EventKind.BECAME_HEADER, "FY2024"), (EventKind.BECAME_BILLABLE, "FY2025"),
        (EventKind.DELETED, "FY2026"), (EventKind.REAPPEARED, "FY2027")]
    header = h.events[2]
    assert (header.release, header.effective, header.children) == (
        "icd10cm:FY2024", date(2023, 10, 1), ["K50000", "K50001"])
    assert h.events[3].again is True
    assert [s.present for s in h.releases] == [False, True, True, True, True, False, True]


def test_timeline_in_plain_words(store: ReleaseStore) -> None:
    assert history_lines(code_history(store, "k5000")) == [
        "K50.00 (ICD-10-CM) in 7 stored releases, FY2021 to FY2027:",
        "  FY2022 (2021-10-01): appeared as a billable code 'Crohn's disease of small intestine "
        "without complications'",
        "  FY2023 (2022-10-01): title changed from 'Crohn's disease of small intestine without "
        "complications' to 'Crohn's disease of small intestine, without complications'",
        "  FY2024 (2023-10-01): became a header; new billable children K50.000, K50.001 (see "
        "updater diff)",
        "  FY2025 (2024-10-01): became billable again 'Crohn's disease of small intestine, "
        "without complications'",
        "  FY2026 (2025-10-01): deleted",
        "  FY2027 (2026-10-01): reappeared as a billable code 'Crohn's disease of small "
        "intestine, without complications'",
    ]


def test_code_present_from_the_start(store: ReleaseStore) -> None:
    assert history_lines(code_history(store, "M17.11")) == [
        "M17.11 (ICD-10-CM) in 7 stored releases, FY2021 to FY2027:",
        "  FY2021 (2020-10-01): a billable code 'Unilateral primary osteoarthritis, right knee' "
        "(in the earliest stored release)",
    ]


def test_whitespace_and_case_changes_are_marked_cosmetic(tmp_path: Path) -> None:
    """Without the publisher's list a respacing or recasing is a title change (the diff
    counts it as a revision), marked as one a reader may skip."""
    s = ReleaseStore(tmp_path)
    put(s, [("A000", "code", "Cholera", "Cholera due to vibrio")], "FY2024", date(2023, 10, 1))
    put(s, [("A000", "code", "Cholera ", "Cholera  due to Vibrio")], "FY2025", date(2024, 10, 1))
    put(s, [("A000", "code", "Cholera 01", "Cholera  due to Vibrio")], "FY2026",
        date(2025, 10, 1))
    h = code_history(s, "A000")
    assert [(e.version, e.cosmetic) for e in h.events[1:]] == [("FY2025", True),
                                                                ("FY2026", False)]
    assert history_lines(h)[2:] == [
        "  FY2025 (2024-10-01): title changed from 'Cholera due to vibrio' to 'Cholera  due to "
        "Vibrio'; short title from 'Cholera' to 'Cholera ' (whitespace or letter case only)",
        "  FY2026 (2025-10-01): short title changed from 'Cholera ' to 'Cholera 01'"]


@pytest.mark.parametrize("listed", [True, False])
def test_the_publishers_list_decides_a_cosmetic_change(tmp_path: Path, listed: bool) -> None:
    """With FY2025's own list (counting from FY2024), a respacing it lists is a title
    change and one it leaves out is not."""
    import pandas as pd

    from updater.model import PublisherChanges

    s = ReleaseStore(tmp_path)
    put(s, [("A000", "code", "Cholera", "Cholera  due to vibrio")], "FY2024",
        date(2023, 10, 1))
    lines = [("revise_from", "code", "A000", "Cholera", "Cholera  due to vibrio", 1),
             ("revise_to", "code", "A000", "Cholera", "Cholera due to vibrio", 2)]
    entries = pd.DataFrame(lines if listed else [],
                           columns=["action", "record", "code", "short", "long", "line"])
    entries = entries.astype({c: "str" for c in ("action", "record", "code", "short", "long")})
    changes = PublisherChanges(
        entries=entries.astype({"line": "int64"}), source="addenda-2025.txt",
        summary={"codes": {"in_old": 1, "in_new": 1, "revisions": int(listed)},
                 "headers": {"in_old": 0, "in_new": 0}})
    release = make_release([("A000", "code", "Cholera", "Cholera due to vibrio")],
                           version="FY2025", effective=date(2024, 10, 1))
    s.import_release(replace(release, publisher_changes=changes,
                             sources=(SourceFile("FY2025.zip", "ab" * 8),)))
    events = code_history(s, "A000").events
    assert [(e.kind, e.version, e.cosmetic) for e in events[1:]] == (
        [(EventKind.TITLE_CHANGED, "FY2025", True)] if listed else [])


@pytest.mark.parametrize(("day", "expected"), [
    (date(2020, 9, 30), (False, "the store has no icd10cm release in force then (the earliest, "
                         "icd10cm:FY2021, took effect 2020-10-01)")),
    (date(2021, 9, 30), (False, "not yet in icd10cm:FY2021 (in force); it first appears in "
                         "icd10cm:FY2022 (2021-10-01)")),
    (date(2021, 10, 1), (True, "icd10cm:FY2022 in force")),
    (date(2023, 10, 1), (False, "a header, not a billable code, in icd10cm:FY2024 (in force); "
                         "report one of its billable children: K50.000, K50.001")),
    (date(2025, 1, 1), (True, "icd10cm:FY2025 in force")),
    (date(2026, 9, 30), (False, "deleted in icd10cm:FY2026 (2025-10-01); icd10cm:FY2026 in "
                         "force")),
    (date(2030, 1, 1), (True, "icd10cm:FY2027 in force")),
])
def test_valid_on(store: ReleaseStore, day: date, expected: tuple[bool, str]) -> None:
    assert valid_on(code_history(store, "K50.00"), day) == expected


def test_unknown_code(store: ReleaseStore) -> None:
    h = code_history(store, "Q9999")
    assert (h.system, h.events, h.releases) == (None, [], [])
    assert history_lines(h) == ["Q9999 is in no stored release"]
    assert valid_on(h, date(2024, 1, 1)) == (False, "it is in no stored release")
    dotted = code_history(store, "Q99.99")  # written the ICD-10-CM way: searched there
    assert history_lines(dotted) == [
        "Q99.99 (ICD-10-CM) in 7 stored releases, FY2021 to FY2027:", "  not in any of them"]
    assert valid_on(dotted, date(2024, 1, 1)) == (False, "not in icd10cm:FY2024 (in force)")


def test_hcpcs_termination(tmp_path: Path) -> None:
    s = ReleaseStore(tmp_path)
    row = [("G0001", "code", "Drawing blood", "Routine venipuncture")]
    put(s, row, "2017", date(2017, 1, 1), CodeSystem.HCPCS, termination_date=[""])
    put(s, row, "2018", date(2018, 1, 1), CodeSystem.HCPCS, termination_date=["2018-06-30"])
    put(s, row, "2019", date(2019, 1, 1), CodeSystem.HCPCS, termination_date=[""])
    h = code_history(s, "g0001")
    assert history_lines(h) == [
        "G0001 (HCPCS Level II) in 3 stored releases, 2017 to 2019:",
        "  2017 (2017-01-01): a code 'Routine venipuncture' (in the earliest stored release)",
        "  2018 (2018-01-01): terminated as of 2018-06-30",
        "  2019 (2019-01-01): termination date removed; active again",
    ]
    assert valid_on(h, date(2018, 6, 29)) == (True, "hcpcs:2018 in force")
    assert valid_on(h, date(2018, 6, 30)) == (False, "terminated 2018-06-30; hcpcs:2018 in force")
    assert valid_on(h, date(2019, 1, 1)) == (True, "hcpcs:2019 in force")


def test_code_in_two_systems_needs_a_system(tmp_path: Path) -> None:
    s = ReleaseStore(tmp_path)
    put(s, [("J1100", "code", "Influenza", "Influenza with pneumonia")], "FY2025",
        date(2024, 10, 1))
    put(s, [("J1100", "code", "Dexamethasone", "Injection, dexamethasone")], "2025",
        date(2025, 1, 1), CodeSystem.HCPCS)
    with pytest.raises(UpdaterError) as err:
        code_history(s, "J1100")
    assert str(err.value) == (
        "J1100 is a code in more than one code set in the store (HCPCS Level II and "
        "ICD-10-CM); say which with --system hcpcs or --system icd10cm (an ICD-10-CM code "
        "written with its dot is taken as ICD-10-CM)")
    assert code_history(s, "J11.00").system is CodeSystem.ICD10CM
    assert code_history(s, "J1100", "HCPCS").system is CodeSystem.HCPCS


# ------------------------------------------------------------------ CLI


def test_cli_history_with_on(store: ReleaseStore, tmp_path: Path) -> None:
    result = runner.invoke(app, ["history", "K50.00", "--store", str(tmp_path), "--on",
                                 "2023-11-01"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "K50.00 (ICD-10-CM) in 7 stored releases, FY2021 to FY2027:"
    assert lines[-1] == (
        "K50.00 was not valid on 2023-11-01: a header, not a billable code, in icd10cm:FY2024 "
        "(in force); report one of its billable children: K50.000, K50.001")
    valid = runner.invoke(app, ["history", "m1711", "--store", str(tmp_path), "--on",
                                "2024-11-01"])
    assert (valid.exit_code, valid.output.splitlines()[-1]) == (
        0, "M17.11 was valid on 2024-11-01 (icd10cm:FY2025 in force)")


def test_cli_history_json_is_the_library_result(store: ReleaseStore, tmp_path: Path) -> None:
    out = tmp_path / "history.json"
    result = runner.invoke(app, ["history", "K5000", "--store", str(tmp_path), "--on",
                                 "2026-01-01", "--json", str(out)])
    assert result.exit_code == 0
    expected = asdict(code_history(store, "K5000"))
    expected["valid_on"] = {"date": "2026-01-01", "valid": False,
                            "reason": "deleted in icd10cm:FY2026 (2025-10-01); icd10cm:FY2026 "
                                      "in force"}
    assert json.loads(out.read_text()) == json.loads(json.dumps(expected, default=str))
    stdout = runner.invoke(app, ["history", "K5000", "--store", str(tmp_path), "--json", "-"])
    assert json.loads(stdout.output) == json.loads(json.dumps(asdict(
        code_history(store, "K5000")), default=str))


def test_cli_history_bad_date(store: ReleaseStore, tmp_path: Path) -> None:
    result = runner.invoke(app, ["history", "K5000", "--store", str(tmp_path), "--on",
                                 "11/01/2024"])
    assert (result.exit_code, result.output) == (
        2, "updater: error: --on '11/01/2024' is not a date; write it as YYYY-MM-DD, e.g. "
           "2025-10-01\n")


# ------------------------------------------------------------------ real CDC files


@pytest.fixture(scope="module")
def real_store(tmp_path_factory, shared_data) -> ReleaseStore:
    from conftest import ICD, ICD_ZIPS

    store = ReleaseStore(tmp_path_factory.mktemp("store"))
    for version in ("FY2024", "FY2025"):
        path = ICD / ICD_ZIPS[version]
        if not path.exists():
            pytest.skip(f"{path} is missing")
        store.import_release(load_release(path)[0])
    return store


@pytest.mark.parametrize(("code", "children", "retitled"), [
    ("C83.39", ["C83390", "C83398"], False),
    ("Z86.010", ["Z860100", "Z860101", "Z860102", "Z860109"], True),
])
def test_real_codes_expanded_in_fy2025(real_store: ReleaseStore, code, children, retitled):
    h = code_history(real_store, code)
    kinds = [(e.kind, e.version) for e in h.events]
    assert kinds == [(EventKind.APPEARED, "FY2024"), (EventKind.BECAME_HEADER, "FY2025")] + (
        [(EventKind.TITLE_CHANGED, "FY2025")] if retitled else [])
    assert h.events[1].children == children
    assert valid_on(h, date(2024, 9, 30)) == (True, "icd10cm:FY2024 in force")
    ok, reason = valid_on(h, date(2024, 11, 1))
    assert not ok and reason.startswith("a header, not a billable code, in icd10cm:FY2025")


def test_real_cli_history(real_store: ReleaseStore) -> None:
    result = runner.invoke(app, ["history", "Z86.010", "--store", str(real_store.root),
                                 "--on", "2024-11-01"])
    assert (result.exit_code, result.output.splitlines()) == (0, [
        "Z86.010 (ICD-10-CM) in 2 stored releases, FY2024 to FY2025:",
        "  FY2024 (2023-10-01): a billable code 'Personal history of colonic polyps' (in the "
        "earliest stored release)",
        "  FY2025 (2024-10-01): became a header; new billable children Z86.0100, Z86.0101, "
        "Z86.0102, Z86.0109 (see updater diff)",
        "  FY2025 (2024-10-01): title changed from 'Personal history of colonic polyps' to "
        "'Personal history of colon polyps' (long and short)",
        "Z86.010 was not valid on 2024-11-01: a header, not a billable code, in icd10cm:FY2025 "
        "(in force); report one of its billable children: Z86.0100, Z86.0101, Z86.0102, "
        "Z86.0109",
    ])
    m = runner.invoke(app, ["history", "M17.11", "--store", str(real_store.root), "--on",
                            "2024-11-01"])
    assert (m.exit_code, m.output.splitlines()[-1]) == (
        0, "M17.11 was valid on 2024-11-01 (icd10cm:FY2025 in force)")
