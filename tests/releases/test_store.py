"""The release store: import once, find again by id, never half-written."""

from __future__ import annotations

import json
import zipfile
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import make_release
from typer.testing import CliRunner

from updater.cli import app
from updater.errors import StoreError, UpdaterError
from updater.model import PublisherChanges, Release, SourceFile, empty_table
from updater.releases.readers import ReadOptions, load_release
from updater.releases.store import ReleaseStore
from updater.vocabulary import CodeSystem, ReleaseKind

runner = CliRunner()

ROWS_2024 = [("A00", "header", "Cholera", "Cholera"),
             ("A000", "code", "Cholera 01", "Cholera due to Vibrio cholerae 01"),
             ("A001", "code", "Cholera eltor", "Cholera due to Vibrio cholerae 01, eltor")]
ROWS_2025 = [*ROWS_2024, ("A009", "code", "Cholera, unsp", "Cholera, unspecified")]


def release(rows=ROWS_2024, *, version: str = "FY2024", effective: date = date(2023, 10, 1),
            sha: str = "a" * 64, system: CodeSystem = CodeSystem.ICD10CM,
            changes: PublisherChanges | None = None) -> Release:
    r = make_release(rows, version=version, effective=effective, system=system)
    return replace(r, sources=(SourceFile(f"{version}.zip", sha),), format="icd10cm-order",
                   publisher_changes=changes)


def addenda(entries, source: str = "addenda.txt") -> PublisherChanges:
    table = pd.DataFrame(entries, columns=["action", "record", "code", "short", "long"],
                         dtype="str")
    table["line"] = range(1, len(entries) + 1)
    return PublisherChanges(entries=table, summary={"codes": {"additions": len(entries)}},
                            source=source)


ADD_A009 = addenda([("add", "code", "A009", "Cholera, unsp", "Cholera, unspecified")])


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under the store folder with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------ import and list


def test_import_then_load_gives_the_same_release(tmp_path: Path) -> None:
    store = ReleaseStore(tmp_path)
    original = release(ROWS_2025, version="FY2025", effective=date(2024, 10, 1),
                       changes=ADD_A009)
    result = store.import_release(original)
    assert (result.status, result.release.id, result.previous) == ("added", "icd10cm:FY2025",
                                                                  None)
    loaded = store.load("icd10cm:FY2025")
    pd.testing.assert_frame_equal(loaded.table, original.table)
    assert [str(t) for t in loaded.table.dtypes] == ["str"] * 4
    assert (loaded.system, loaded.version, loaded.effective, loaded.sources, loaded.format,
            loaded.kind) == (original.system, "FY2025", date(2024, 10, 1), original.sources,
                             "icd10cm-order", ReleaseKind.FULL)
    assert loaded.publisher_changes is not None
    pd.testing.assert_frame_equal(loaded.publisher_changes.entries, ADD_A009.entries)
    assert loaded.publisher_changes.summary == {"codes": {"additions": 1}}
    assert loaded.publisher_changes.source == "addenda.txt"


def test_list_describes_each_release(tmp_path: Path) -> None:
    store = ReleaseStore(tmp_path)
    store.import_release(release(ROWS_2025, version="FY2025", effective=date(2024, 10, 1),
                                 sha="b" * 64, changes=ADD_A009))
    store.import_release(release())
    store.import_release(release([("J1100", "code", "Dexa", "Dexamethasone"),
                                  ("RT", "modifier", "Right", "Right side")],
                                 system=CodeSystem.HCPCS, version="2018",
                                 effective=date(2018, 1, 1), sha="c" * 64))
    listed = store.list()
    assert [r.id for r in listed] == ["hcpcs:2018", "icd10cm:FY2024", "icd10cm:FY2025"]
    hcpcs, fy24, fy25 = listed
    assert (hcpcs.codes, hcpcs.headers, hcpcs.modifiers) == (1, 0, 1)
    assert (fy25.codes, fy25.headers, fy25.modifiers) == (3, 1, 0)
    assert (fy24.has_publisher_changes, fy25.has_publisher_changes) == (False, True)
    assert fy25.publisher_summary == {"codes": {"additions": 1}}
    assert fy25.sources == (SourceFile("FY2025.zip", "b" * 64),)
    assert fy25.kind is ReleaseKind.FULL and fy25.format == "icd10cm-order"
    assert fy25.imported_at.endswith("+00:00")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert [r["id"] for r in manifest["releases"]] == [r.id for r in listed]
    assert (tmp_path / fy25.table_file).is_file()
    assert fy25.table_file.startswith("store/icd10cm/FY2025-")


def test_same_file_again_changes_nothing(tmp_path: Path) -> None:
    store = ReleaseStore(tmp_path)
    first = store.import_release(release())
    before = snapshot(tmp_path)
    again = store.import_release(release())
    assert again.status == "unchanged"
    assert again.release == first.release
    assert snapshot(tmp_path) == before


def test_another_file_for_a_stored_id_is_refused(tmp_path: Path) -> None:
    store = ReleaseStore(tmp_path)
    store.import_release(release())
    before = snapshot(tmp_path)
    with pytest.raises(StoreError) as err:
        store.import_release(release(ROWS_2025, sha="d" * 64))
    assert str(err.value) == (
        "FY2024.zip: icd10cm:FY2024 is already in the store, read from another file: "
        "FY2024.zip (sha256 aaaaaaaaaaaa); import with --replace to store this file in its "
        "place")
    assert snapshot(tmp_path) == before


def test_replace_swaps_the_data_and_removes_the_old_files(tmp_path: Path) -> None:
    store = ReleaseStore(tmp_path)
    old = store.import_release(release()).release
    result = store.import_release(release(ROWS_2025, sha="d" * 64), replace=True)
    assert (result.status, result.previous) == ("replaced", old)
    assert len(store.load("icd10cm:FY2024").table) == 4
    assert not (tmp_path / old.table_file).exists()
    assert [p.name for p in (tmp_path / "store" / "icd10cm").iterdir()] == [
        Path(result.release.table_file).name]


def test_two_releases_in_force_the_same_day_are_refused(tmp_path: Path) -> None:
    store = ReleaseStore(tmp_path)
    store.import_release(release())
    with pytest.raises(StoreError) as err:
        store.import_release(release(version="FY2024-rev", sha="e" * 64))
    assert str(err.value) == (
        "FY2024-rev.zip: icd10cm:FY2024 in the store already takes effect 2023-10-01; "
        "icd10cm:FY2024-rev would take effect the same day; one release is in force per day: "
        "to store this file instead, import it with --label FY2024 --replace")


def test_other_files_in_the_folder_are_left_alone(tmp_path: Path) -> None:
    sample = tmp_path / "sample" / "icd10cm-order-2025.txt"
    sample.parent.mkdir()
    sample.write_text("keep me")
    store = ReleaseStore(tmp_path)
    store.import_release(release())
    store.import_release(release(ROWS_2025, sha="f" * 64), replace=True)
    assert sample.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".updater.lock", "manifest.json",
                                                           "sample", "store"]


# ------------------------------------------------------------------ changes-only releases


def changes_only(entries=ADD_A009, *, effective: date = date(2024, 10, 1)) -> Release:
    return Release(system=CodeSystem.ICD10CM, version="FY2025", effective=effective,
                   table=empty_table(), sources=(SourceFile("addenda-2025.txt", "9" * 64),),
                   format="icd10cm-order-addenda", kind=ReleaseKind.CHANGES,
                   publisher_changes=entries)


def test_changes_only_release_is_applied_onto_the_one_before(tmp_path: Path) -> None:
    store = ReleaseStore(tmp_path)
    store.import_release(release())
    store.import_release(release(version="FY2023", effective=date(2022, 10, 1),
                                 sha="1" * 64))
    result = store.import_release(changes_only())
    assert (result.status, result.release.applied_onto, result.release.kind) == (
        "added", "icd10cm:FY2024", ReleaseKind.FULL)
    loaded = store.load("icd10cm:FY2025")
    assert loaded.table["code"].tolist() == ["A00", "A000", "A001", "A009"]
    assert loaded.extra["applied_onto"] == "icd10cm:FY2024"
    assert loaded.publisher_changes is not None
    assert store.import_release(changes_only()).status == "unchanged"


def test_changes_only_release_without_a_base_is_refused(tmp_path: Path) -> None:
    store = ReleaseStore(tmp_path)
    store.import_release(release(version="FY2026", effective=date(2025, 10, 1)))
    with pytest.raises(StoreError) as err:
        store.import_release(changes_only())
    assert str(err.value) == (
        f"addenda-2025.txt: icd10cm:FY2025 lists only changes, and the store {tmp_path} has no "
        "ICD-10-CM release before 2024-10-01 to apply them onto; import the full release "
        "before it first (the publisher's zip with the complete order file)")
    assert [r.id for r in store.list()] == ["icd10cm:FY2026"]


def test_changes_that_do_not_fit_the_base_leave_the_store_alone(tmp_path: Path) -> None:
    store = ReleaseStore(tmp_path)
    store.import_release(release())
    before = snapshot(tmp_path)
    bad = addenda([("delete", "code", "B99", "x", "x")])
    with pytest.raises(UpdaterError, match=r"addenda.txt, line 1: deletes B99 \(code\)"):
        store.import_release(changes_only(bad))
    assert snapshot(tmp_path) == before


# ------------------------------------------------------------------ finding releases


@pytest.fixture
def three(tmp_path: Path) -> ReleaseStore:
    store = ReleaseStore(tmp_path)
    store.import_release(release(version="FY2023", effective=date(2022, 10, 1), sha="1" * 64))
    store.import_release(release(version="FY2023-April", effective=date(2023, 4, 1),
                                 sha="2" * 64))
    store.import_release(release(ROWS_2025, version="FY2024", sha="3" * 64))
    return store


@pytest.mark.parametrize("spec", ["icd10cm:FY2024", "ICD10CM:fy2024", " icd10cm : FY2024 ",
                                  "icd10cm:2024", "FY2024", "fy2024"])
def test_ids_are_forgiving(three: ReleaseStore, spec: str) -> None:
    assert three.load(spec).id == "icd10cm:FY2024"


def test_april_release_by_short_id(three: ReleaseStore) -> None:
    assert three.get("icd10cm:2023-april").id == "icd10cm:FY2023-April"


def test_unknown_id_lists_what_the_store_has(three: ReleaseStore, tmp_path: Path) -> None:
    with pytest.raises(StoreError) as err:
        three.load("icd10cm:FY2030")
    assert str(err.value) == (
        f"no release icd10cm:FY2030 in the store {tmp_path}; the store has: icd10cm:FY2023, "
        "icd10cm:FY2023-April, icd10cm:FY2024")


def test_unknown_id_in_an_empty_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as err:
        ReleaseStore(tmp_path / "none").load("icd10cm:FY2025")
    assert str(err.value) == (
        f"no release icd10cm:FY2025 in the store {tmp_path / 'none'}; the store is empty; add "
        "releases with 'updater import FILE'")


def test_between_gives_the_steps_in_between(three: ReleaseStore) -> None:
    steps = three.between("icd10cm", date(2022, 10, 1), date(2023, 10, 1))
    assert [r.id for r in steps] == ["icd10cm:FY2023-April"]
    assert three.between(CodeSystem.HCPCS, date(2000, 1, 1), date(2030, 1, 1)) == []
    assert [r.id for r in three.between("icd10cm", date(2000, 1, 1), date(2030, 1, 1))] == [
        "icd10cm:FY2023", "icd10cm:FY2023-April", "icd10cm:FY2024"]


def test_latest_in_force(three: ReleaseStore) -> None:
    latest = three.latest("icd10cm", on=date(2023, 9, 30))
    assert latest is not None and latest.id == "icd10cm:FY2023-April"
    before = three.latest("icd10cm", before=date(2023, 4, 1))
    assert before is not None and before.id == "icd10cm:FY2023"
    assert three.latest("icd10cm", on=date(2020, 1, 1)) is None


def test_rows_filters_while_reading(three: ReleaseStore) -> None:
    assert three.rows("icd10cm:FY2024", codes=["A009"])["long"].tolist() == [
        "Cholera, unspecified"]
    assert three.rows("icd10cm:FY2024", prefix="A00")["code"].tolist() == [
        "A00", "A000", "A001", "A009"]
    assert three.rows("icd10cm:FY2023", codes=["Z99"]).empty


def test_resolve_store_id_or_file(three: ReleaseStore, tmp_path: Path) -> None:
    assert three.resolve("icd10cm:FY2023").id == "icd10cm:FY2023"
    relabelled = three.resolve("icd10cm:FY2023", ReadOptions(version="mine"))
    assert relabelled.version == "mine"
    order = tmp_path / "icd10cm-order-2026.txt"
    order.write_bytes(b"00001 A00     0 " + b"Cholera".ljust(60) + b" Cholera\r\n")
    from_file = three.resolve(str(order))
    assert (from_file.id, from_file.table["code"].tolist()) == ("icd10cm:FY2026", ["A00"])


def test_resolve_neither_id_nor_file(three: ReleaseStore, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"^no release icd10cm:FY2099 in the store"):
        three.resolve("icd10cm:FY2099")
    with pytest.raises(UpdaterError) as err:
        three.resolve("nothing-here.zip")
    assert str(err.value) == (
        f"'nothing-here.zip' is neither a file nor a release in the store {tmp_path}; give a "
        "path to a release file, or a stored release id such as icd10cm:FY2025 (the store "
        "has: icd10cm:FY2023, icd10cm:FY2023-April, icd10cm:FY2024)")


def test_damaged_manifest_is_reported(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(StoreError) as err:
        ReleaseStore(tmp_path).list()
    assert str(err.value).startswith(f"{tmp_path / 'manifest.json'}: the store manifest cannot "
                                     "be read (")


# ------------------------------------------------------------------ atomic writes


def test_failed_table_write_leaves_the_store_as_it_was(tmp_path: Path, monkeypatch) -> None:
    store = ReleaseStore(tmp_path)
    store.import_release(release())
    before = snapshot(tmp_path)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq, "write_table", disk_full)
    with pytest.raises(StoreError) as err:
        store.import_release(release(ROWS_2025, version="FY2025", effective=date(2024, 10, 1),
                                     sha="b" * 64, changes=ADD_A009))
    assert str(err.value) == (
        f"{tmp_path}: could not write to the store ([Errno 28] No space left on device); check "
        "free space and permissions; the store is unchanged")
    assert snapshot(tmp_path) == before
    assert [r.id for r in store.list()] == ["icd10cm:FY2024"]


def test_failed_second_write_removes_the_first(tmp_path: Path, monkeypatch) -> None:
    """The table was written, the change list failed: the orphan table goes too."""
    store = ReleaseStore(tmp_path)
    store.import_release(release())
    before = snapshot(tmp_path)
    real = pq.write_table
    calls = []

    def fail_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("I/O error")
        return real(*args, **kwargs)

    monkeypatch.setattr(pq, "write_table", fail_second)
    with pytest.raises(StoreError):
        store.import_release(release(ROWS_2025, version="FY2025", effective=date(2024, 10, 1),
                                     sha="b" * 64, changes=ADD_A009))
    assert len(calls) == 2
    assert snapshot(tmp_path) == before


def test_failed_manifest_write_during_replace_keeps_the_old_release(tmp_path: Path,
                                                                   monkeypatch) -> None:
    store = ReleaseStore(tmp_path)
    store.import_release(release())
    before = snapshot(tmp_path)

    def broken(self, entries):
        raise OSError("read-only file system")

    monkeypatch.setattr(ReleaseStore, "_write_manifest", broken)
    with pytest.raises(StoreError, match="read-only file system"):
        store.import_release(release(ROWS_2025, sha="d" * 64), replace=True)
    assert snapshot(tmp_path) == before
    assert len(store.load("icd10cm:FY2024").table) == 3


# ------------------------------------------------------------------ CLI


def test_cli_import_and_reimport(tmp_path: Path) -> None:
    order = tmp_path / "icd10cm-order-2025.txt"
    order.write_bytes(b"00001 A00     0 " + b"Cholera".ljust(60) + b" Cholera\r\n"
                      b"00002 A000    1 " + b"Cholera 01".ljust(60) + b" Cholera 01\r\n")
    store = tmp_path / "store"
    first = runner.invoke(app, ["import", str(order), "--store", str(store)])
    assert (first.exit_code, first.output) == (0, (
        f"imported icd10cm:FY2025 (effective 2024-10-01, 1 codes, 1 headers) from {order}\n"))
    again = runner.invoke(app, ["import", str(order), "--store", str(store)])
    assert (again.exit_code, again.output) == (0, (
        f"unchanged icd10cm:FY2025 (effective 2024-10-01, 1 codes, 1 headers) from {order}\n"))
    order.write_bytes(order.read_bytes().replace(b"Cholera 01\r\n", b"Cholera O1\r\n"))
    refused = runner.invoke(app, ["import", str(order), "--store", str(store)])
    assert refused.exit_code == 2
    assert refused.output.startswith(f"updater: error: {order}: icd10cm:FY2025 is already in "
                                     "the store, read from another file: icd10cm-order-2025.txt")
    replaced = runner.invoke(app, ["import", str(order), "--store", str(store), "--replace"])
    assert (replaced.exit_code, replaced.output) == (0, (
        f"replaced icd10cm:FY2025 (effective 2024-10-01, 1 codes, 1 headers) from {order}\n"))
    labelled = runner.invoke(app, ["import", str(order), "--store", str(store), "--label",
                                   "FY2026", "--effective", "2025-10-01"])
    assert (labelled.exit_code, labelled.output) == (0, (
        f"imported icd10cm:FY2026 (effective 2025-10-01, 1 codes, 1 headers) from {order}\n"))


def test_cli_releases_table_and_json(three: ReleaseStore, tmp_path: Path) -> None:
    result = runner.invoke(app, ["releases", "--store", str(tmp_path)])
    day = three.list()[0].imported_at[:10]
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "release               effective   codes  headers  modifiers  change list  imported"
        "    file",
        f"icd10cm:FY2023        2022-10-01      2        1          0  none         {day}"
        "  FY2023.zip",
        f"icd10cm:FY2023-April  2023-04-01      2        1          0  none         {day}"
        "  FY2023-April.zip",
        f"icd10cm:FY2024        2023-10-01      3        1          0  none         {day}"
        "  FY2024.zip",
    ]
    out = tmp_path / "releases.json"
    assert runner.invoke(app, ["releases", "--store", str(tmp_path), "--json",
                               str(out)]).exit_code == 0
    expected = json.loads(json.dumps([asdict(r) for r in three.list()], default=str))
    assert json.loads(out.read_text()) == expected
    assert expected[0]["effective"] == "2022-10-01"


def test_cli_releases_of_an_empty_store(tmp_path: Path) -> None:
    result = runner.invoke(app, ["releases", "--store", str(tmp_path)])
    assert (result.exit_code, result.output) == (
        0, f"the store {tmp_path} is empty; add releases with 'updater import FILE'\n")


def test_cli_unknown_store_id(three: ReleaseStore, tmp_path: Path) -> None:
    result = runner.invoke(app, ["diff", "icd10cm:FY2023", "icd10cm:FY2031", "--store",
                                 str(tmp_path)])
    assert result.exit_code == 2
    assert result.output == (
        f"updater: error: no release icd10cm:FY2031 in the store {tmp_path}; the store has: "
        "icd10cm:FY2023, icd10cm:FY2023-April, icd10cm:FY2024\n")


def test_cli_import_a_file_that_is_not_a_release(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello\n")
    result = runner.invoke(app, ["import", str(junk), "--store", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert result.output.startswith(f"updater: error: {junk}: not a release file updater knows")
    assert not (tmp_path / "s").exists()


# ------------------------------------------------------------------ real CDC files


def test_real_import_reimport_and_fast_reload(icd_zip, tmp_path: Path) -> None:
    store = ReleaseStore(tmp_path)
    fy24 = store.import_release(load_release(icd_zip("FY2024"))[0])
    fy25_release = load_release(icd_zip("FY2025"))[0]
    fy25 = store.import_release(fy25_release)
    assert (fy24.status, fy25.status) == ("added", "added")
    assert (fy25.release.codes, fy25.release.headers) == (74260, 23324)
    assert (fy24.release.codes, fy24.release.headers) == (74044, 23252)
    assert fy25.release.publisher_summary["codes"]["additions"] == 252
    assert store.import_release(load_release(icd_zip("FY2025"))[0]).status == "unchanged"

    loaded = store.load("icd10cm:FY2025")
    pd.testing.assert_frame_equal(loaded.table, fy25_release.table)
    assert fy25_release.publisher_changes is not None and loaded.publisher_changes is not None
    pd.testing.assert_frame_equal(loaded.publisher_changes.entries,
                                  fy25_release.publisher_changes.entries)
    assert loaded.publisher_changes.source == fy25_release.publisher_changes.source
    # the speed of a reload against a parse is measured by bench/bench_parts.py


def test_real_addenda_alone_imported_onto_fy2024(icd_zip, tmp_path: Path) -> None:
    with zipfile.ZipFile(icd_zip("FY2025")) as z:
        z.extract("icd10cm-order-addenda-2025.txt", tmp_path)
    store = ReleaseStore(tmp_path / "store")
    store.import_release(load_release(icd_zip("FY2024"))[0])
    addenda_file = tmp_path / "icd10cm-order-addenda-2025.txt"
    result = store.import_release(load_release(addenda_file)[0])
    assert (result.status, result.release.applied_onto, result.release.codes,
            result.release.headers) == ("added", "icd10cm:FY2024", 74260, 23324)
    full = load_release(icd_zip("FY2025"))[0]
    pd.testing.assert_frame_equal(store.load("icd10cm:FY2025").table, full.table)


def test_real_cli_import_lines(icd_zip, tmp_path: Path) -> None:
    store = tmp_path / "store"
    fy24, fy25 = icd_zip("FY2024"), icd_zip("FY2025")
    result = runner.invoke(app, ["import", str(fy24), str(fy25), "--store", str(store)])
    assert (result.exit_code, result.output.splitlines()) == (0, [
        f"imported icd10cm:FY2024 (effective 2023-10-01, 74044 codes, 23252 headers) from {fy24}",
        f"imported icd10cm:FY2025 (effective 2024-10-01, 74260 codes, 23324 headers) from {fy25}",
    ])
    again = runner.invoke(app, ["import", str(fy25), "--store", str(store)])
    assert (again.exit_code, again.output) == (0, (
        f"unchanged icd10cm:FY2025 (effective 2024-10-01, 74260 codes, 23324 headers) "
        f"from {fy25}\n"))
