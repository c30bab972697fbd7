"""updater.files.workbooks: the one workbook loader (calamine), from a path or bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests_helpers import write_workbook

from updater.errors import UpdaterError
from updater.files.workbooks import open_workbook

SHEETS = {"Codes": [["Code", "Title"], ["99213", "Visit"]], "Notes": [["x"]]}


@pytest.mark.parametrize("as_bytes", [False, True])
def test_sheets_and_rows_from_path_or_bytes(tmp_path: Path, as_bytes: bool) -> None:
    path = write_workbook(tmp_path, SHEETS, "b.xlsx")
    book = open_workbook(path.read_bytes() if as_bytes else path, path)
    assert book.sheet_names == ["Codes", "Notes"]
    assert book.rows("Codes") == book.rows(0) == [["Code", "Title"], ["99213", "Visit"]]
    assert book.rows(0, nrows=1) == [["Code", "Title"]]
    assert book.sheet(None) == "Codes" and book.sheet("Notes") == "Notes"


def test_no_such_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = write_workbook(tmp_path, SHEETS, "b.xlsx")
    with pytest.raises(UpdaterError) as caught:
        open_workbook(path, path).sheet("Gone")
    assert str(caught.value) == (f"{path}: no sheet named 'Gone'; the workbook's sheets: "
                                 "'Codes', 'Notes'; name one of them with --sheet")


@pytest.mark.parametrize("data", [
    b"not a workbook at all",
    b"PK\x03\x04" + b"\x00" * 40,  # a zip cut short
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,  # an OLE box: what encryption makes
], ids=["text", "truncated-zip", "ole"])
def test_unreadable_is_one_line_with_file_and_hint(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(data)
    for source in (path, data):
        with pytest.raises(UpdaterError) as caught:
            open_workbook(source, path, hint="save it again")
        text = str(caught.value)
        assert "\n" not in text
        assert text.startswith(f"{path}: not a readable XLSX workbook (")
        assert text.endswith("; save it again")
