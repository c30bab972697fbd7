"""The ICD-10-CM codes file reader (CDC ``icd10cm-codes-2025.txt``): billable codes only."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from conftest import ICD_ZIPS

from updater.errors import UpdaterError
from updater.files.sources import Source, open_sources
from updater.releases.readers import _lines, load_release
from updater.releases.readers.icd10cm_codes import READER, parse_codes_lines
from updater.releases.readers.icd10cm_order import parse_order_lines

LAYOUT = ("an ICD-10-CM codes-file line is the code in columns 1-7 (no dot, padded with "
          "spaces), a space, and the long title from column 9")


def codes_line(code: str, title: str) -> str:
    return f"{code:<7} {title}"


LINES = [codes_line("Q000", "Synthetic condition, first"),
         codes_line("Q0011", "Synthetic condition, second"),
         codes_line("Q00123A", "Synthetic condition, third, initial encounter"),
         codes_line("Q01", "Synthetic three-character code")]


def write(tmp_path: Path, text: str | bytes, name: str = "icd10cm-codes-2025.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


@pytest.mark.parametrize("text", [
    "\r\n".join(LINES) + "\r\n",  # as the CDC ships it
    "\n".join(LINES) + "\n",  # LF only
    "\n".join(LINES),  # no newline at the end
    "\ufeff" + "\r\n".join(LINES) + "\r\n\r\n",  # BOM, trailing blank line
    "\r\n".join(line + "   " for line in LINES),  # trailing blanks
], ids=["crlf", "lf", "no-final-newline", "bom-blank-line", "trailing-blanks"])
def test_reads_codes_and_long_titles(tmp_path: Path, text: str) -> None:
    release, fmt = load_release(write(tmp_path, text))
    assert fmt == "icd10cm-codes"
    assert (release.version, release.effective) == ("FY2025", date(2024, 10, 1))
    table = release.table
    assert list(table.columns) == ["code", "record", "short", "long"]
    assert table["code"].tolist() == ["Q000", "Q0011", "Q00123A", "Q01"]
    assert set(table["record"]) == {"code"}
    assert set(table["short"]) == {""}
    assert table["long"].tolist() == ["Synthetic condition, first",
                                      "Synthetic condition, second",
                                      "Synthetic condition, third, initial encounter",
                                      "Synthetic three-character code"]
    assert all(str(t) == "str" for t in table.dtypes)


def test_lower_case_codes_are_upper_cased(tmp_path: Path) -> None:
    table = parse_codes_lines(_lines.split_lines(codes_line("q0011", "Synthetic")), "f")
    assert table["code"].tolist() == ["Q0011"]


@pytest.mark.parametrize(("text", "expected"), [
    ("\r\n".join(LINES), True),
    ("00001 Q00     0 " + "Synthetic".ljust(60) + " Synthetic", False),  # order file
    ("Add:         1 Q000    " + "Synthetic".ljust(60) + " Synthetic", False),  # addenda
    ("Add:         Q000    Synthetic", False),  # codes addenda
    ("Revise from: Q000    Synthetic", False),
    ("A0021001003Synthetic ambulance service".ljust(320), False),  # HCPCS record
    ("99214 SYNTHETIC OFFICE VISIT", False),  # CPT MEDU
    ("CENTERS FOR SYNTHETIC SERVICES\r\n2025 READ ME", False),  # a README
    ("", False),
    ("\r\n".join([*LINES, "not a codes line at all"]), False),
], ids=["codes", "order", "order-addenda", "codes-addenda", "codes-addenda-revise",
        "hcpcs", "cpt-medu", "readme", "empty", "garbage-after"])
def test_sniff(tmp_path: Path, text: str, expected: bool) -> None:
    assert READER.sniff(Source(write(tmp_path, text))) is expected


def test_sniff_wants_a_text_file(tmp_path: Path) -> None:
    assert not READER.sniff(Source(write(tmp_path, "\r\n".join(LINES), "codes.csv")))


@pytest.mark.parametrize(("lines", "line", "message"), [
    ([LINES[0], "Q0012   ", LINES[2]], 2,
     f"line cut short: {LAYOUT}; the file looks truncated; re-download it from the CDC"),
    ([LINES[0], "Q00", LINES[2]], 2,
     f"line cut short: {LAYOUT}; the file looks truncated; re-download it from the CDC"),
    ([LINES[0], LINES[1], "12345   Synthetic numeric code"], 3,
     f"not an ICD-10-CM codes-file line: {LAYOUT}; is this the CDC's icd10cm-codes file? "
     "re-download it"),
    ([LINES[0], " Q0012  Synthetic, code not left-justified"], 2,
     f"not an ICD-10-CM codes-file line: {LAYOUT}; is this the CDC's icd10cm-codes file? "
     "re-download it"),
    ([LINES[0], "Q00 12  Synthetic, blank inside the code"], 2,
     f"not an ICD-10-CM codes-file line: {LAYOUT}; is this the CDC's icd10cm-codes file? "
     "re-download it"),
    ([LINES[0], "Q0012XXSynthetic, no blank after the code"], 2,
     f"not an ICD-10-CM codes-file line: {LAYOUT}; is this the CDC's icd10cm-codes file? "
     "re-download it"),
    ([LINES[0], "Q0012            "], 2,
     f"line cut short: {LAYOUT}; the file looks truncated; re-download it from the CDC"),
    ([LINES[0], "Q0012              x"], 2,
     f"not an ICD-10-CM codes-file line: {LAYOUT}; is this the CDC's icd10cm-codes file? "
     "re-download it"),
    ([LINES[0], LINES[1], LINES[0]], 3,
     "duplicate code Q000 (also on line 1); each code may appear once; re-download the "
     "publisher's file"),
], ids=["cut-short", "code-only", "numeric-code", "not-left-justified", "blank-in-code",
        "no-separator", "no-title", "title-misplaced", "duplicate"])
def test_bad_lines_name_the_line(tmp_path: Path, lines: list[str], line: int,
                                 message: str) -> None:
    path = write(tmp_path, "\r\n".join(lines) + "\r\n")
    with pytest.raises(UpdaterError) as err:
        load_release(path, _forced())
    assert str(err.value) == f"{path}, line {line}: {message}"
    assert err.value.line == line


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "\r\n\r\n")
    with pytest.raises(UpdaterError) as err:
        load_release(path, _forced())
    assert str(err.value) == f"{path}: the file is empty; re-download it from the CDC"


def _forced():
    from updater.releases.readers import ReadOptions

    return ReadOptions(format="icd10cm-codes")


def test_zip_with_order_file_is_read_from_the_order_file(tmp_path: Path) -> None:
    """The codes file ranks below the order file: a CDC zip holding both gives headers."""
    order = ["00001 Q00     0 " + "Synthetic category".ljust(60) + " Synthetic category",
             "00002 Q000    1 " + "Synthetic condition, first".ljust(60)
             + " Synthetic condition, first"]
    path = tmp_path / "icd10cm-Code-Descriptions-2026.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("icd10cm-codes-2026.txt", codes_line("Q000", "Synthetic condition, first"))
        z.writestr("icd10cm-order-2026.txt", "\r\n".join(order) + "\r\n")
    release, fmt = load_release(path)
    assert fmt == "icd10cm-order"
    assert release.table["record"].tolist() == ["header", "code"]
    alone = tmp_path / "only-codes-2026.zip"
    with zipfile.ZipFile(alone, "w") as z:
        z.writestr("icd10cm-codes-2026.txt", "\r\n".join(LINES) + "\r\n")
    release, fmt = load_release(alone)
    assert (fmt, release.version, len(release.table)) == ("icd10cm-codes", "FY2026", 4)


@pytest.mark.parametrize("version", list(ICD_ZIPS))
def test_real_codes_file_matches_the_order_files_billable_rows(icd_zip, version: str) -> None:
    """The CDC's two files of one release agree: same billable codes, same long titles (the
    codes file may come in a zip of its own, beside the order file's)."""
    sources = [s for z in sorted(icd_zip(version).parent.glob("*.zip")) for s in open_sources(z)]
    codes_file = next(s for s in sources if READER.sniff(s))
    order_file = next(s for s in sources if "order" in s.name and "addenda" not in s.name)
    codes = READER.read(codes_file, _forced(), sources).table
    assert codes is not None
    order = parse_order_lines(_lines.read_lines(order_file), order_file.display)
    billable = order[order["record"] == "code"].reset_index(drop=True)
    assert len(codes) == len(billable) > 70000
    assert codes["code"].tolist() == billable["code"].tolist()
    assert codes["long"].tolist() == billable["long"].tolist()


def test_real_cdc_zip_is_still_read_from_its_order_file(icd_zip) -> None:
    release, fmt = load_release(icd_zip("FY2025"))
    assert (fmt, release.version) == ("icd10cm-order", "FY2025")
    assert set(release.table["record"]) == {"code", "header"}
