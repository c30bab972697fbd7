"""One reader of plain tables: the code-table reader, user maps, the conversion table and
the chargemaster all open a CSV through ``updater.files.tables``, so each sees the same
rows whatever the delimiter, title lines, encoding or quoting of the export."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from updater.impact.candidates.conversion import read_conversion_table
from updater.impact.candidates.user_maps import read_user_map
from updater.impact.inputs.chargemaster import read_chargemaster
from updater.releases.readers import ReadOptions, load_release
from updater.vocabulary import CodeSystem

# cells holding every delimiter: they must come back whole, whatever splits the file
MESSY = "Synthetic, level 3; new | old\tand tab"
CODES = "99202, 99203; 99204 | 99205\t99206"
PREVIOUS = "C56.1, C56.2; C56.9 | C57.0\tC57.1"

VARIANTS = {
    "comma": (",", False, "utf-8"),
    "semicolon": (";", False, "utf-8"),
    "tab": ("\t", False, "utf-8"),
    "pipe": ("|", False, "utf-8"),
    "title-line": (",", True, "utf-8"),
    "utf-16-bom": ("\t", False, "utf-16"),  # Excel's "Unicode text"
    "utf-16-bom-title-semicolon": (";", True, "utf-16"),
}


def write(path: Path, rows: list[list[str]], variant: str) -> Path:
    delimiter, title, encoding = VARIANTS[variant]
    out = io.StringIO()
    if title:
        out.write("Synthetic export, printed 2026-01-05\r\n")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = out.getvalue()
    for cell in (c for row in rows for c in row if delimiter in c):
        assert f'"{cell}"' in text  # quoted, the delimiter inside
    path.write_bytes(text.encode(encoding))  # Python's utf-16 writes the BOM
    assert path.read_bytes().startswith(b"\xff\xfe") is (encoding == "utf-16")
    return path


def code_table(path: Path) -> object:
    release, fmt = load_release(path, ReadOptions(effective=date(2026, 1, 1),
                                                  system=CodeSystem.CPT))
    assert fmt == "generic-table"
    return release.table.values.tolist()


def user_map(path: Path) -> object:
    frame = read_user_map(path)
    return frame[["old_code", "new_code", "relation", "row"]].values.tolist()


def conversion(path: Path) -> object:
    frame = read_conversion_table(path)
    return frame[["current", "effective", "previous", "row"]].values.tolist()


def chargemaster(path: Path) -> object:
    cdm = read_chargemaster(path)
    return cdm.table[["row", "charge_code", "description", "code", "price"]].values.tolist()


def user_map_rows(row: int) -> list[list[object]]:
    return [["99201", new, "narrower", row]
            for new in ("99202", "99203", "99204", "99205", "99206")]


def conversion_rows(row: int) -> list[list[object]]:
    return [["C563", "2021-10-01", previous, row]
            for previous in ("C561", "C562", "C569", "C570", "C571")]


# (reader, file name, rows written, what it reads: no title line, one title line)
CASES: list[tuple[Callable[[Path], object], str, list[list[str]], object, object]] = [
    (code_table, "list.csv", [["CPT", "Description"], ["99213", MESSY], ["99214", "x"]],
     [["99213", "code", "", MESSY], ["99214", "code", "", "x"]],
     [["99213", "code", "", MESSY], ["99214", "code", "", "x"]]),
    (user_map, "map.csv", [["Old code", "New code", "Relation"], ["99201", CODES, "narrower"]],
     user_map_rows(2), user_map_rows(3)),  # rows as a spreadsheet shows them
    (conversion, "conversion.csv",
     [["Current Code Assignment", "Effective", "Previous Code(s) Assignment"],
      ["C56.3", "2021", PREVIOUS]], conversion_rows(2), conversion_rows(3)),
    (chargemaster, "cdm.csv", [["Charge Code", "Description", "CPT", "Price"],
                               ["1001", MESSY, "99213", "10.00"]],
     [[1, "1001", MESSY, "99213", 10.0]], [[1, "1001", MESSY, "99213", 10.0]]),
]


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0].__name__)
def test_every_reader_sees_the_same_rows(tmp_path: Path, case: tuple, variant: str) -> None:
    read, name, rows, plain, titled = case
    got = read(write(tmp_path / name, rows, variant))
    assert got == (titled if VARIANTS[variant][1] else plain)


def test_a_code_list_inside_a_zip_is_read_from_memory(tmp_path: Path) -> None:
    """A zip member never touches the disk: its bytes go to the same reader."""
    listed = write(tmp_path / "list.tsv", [["CPT", "Description"], ["99213", MESSY]],
                   "utf-16-bom")
    archive = tmp_path / "payer-2026.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(listed, "codes/list.tsv")
    assert code_table(archive) == [["99213", "code", "", MESSY]]


def test_windows_1252_code_list_is_recognised_and_read(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes("Title\r\nCPT;Description\r\n99213;Caf\u00e9 visit\r\n".encode("cp1252"))
    assert code_table(path) == [["99213", "code", "", "Caf\u00e9 visit"]]


def test_notes_past_the_header_are_ignored_by_maps_and_code_lists(tmp_path: Path) -> None:
    """A user's note in an unnamed column is no data for a map or a code list (a
    chargemaster refuses it instead: its columns may have shifted)."""
    path = tmp_path / "map.csv"
    path.write_text("old,new\r\nA0001,A0002,checked by J\r\n")
    assert user_map(path) == [["A0001", "A0002", "", 2]]
    path = tmp_path / "list.csv"
    path.write_text("CPT,Description\r\n99213,x,checked by J\r\n")
    assert code_table(path) == [["99213", "code", "", "x"]]
