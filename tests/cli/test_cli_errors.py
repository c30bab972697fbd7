"""Every bad input: one clear line naming the file and line, exit status 2, nothing written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from updater.cli import app

runner = CliRunner()


def order_line(n: int, code: str, flag: str, title: str) -> str:
    return f"{n:05d} {code:<7} {flag} {title[:60]:<60} {title}"


GOOD = [order_line(1, "A00", "0", "Cholera"),
        order_line(2, "A000", "1", "Cholera due to Vibrio cholerae"),
        order_line(3, "A001", "1", "Cholera eltor")]


def write_order(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_order(tmp_path / "icd10cm-order-2025.txt", GOOD)


def run_diff(old: Path, new: Path, tmp_path: Path):
    out = tmp_path / "out.json"
    result = runner.invoke(app, ["diff", str(old), str(new), "--json", str(out)])
    assert not out.exists(), "nothing may be written when the input is bad"
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_not_a_zip(tmp_path, good):
    bad = tmp_path / "release.zip"
    bad.write_text("this is not a zip")
    assert run_diff(good, bad, tmp_path) == (
        f"updater: error: {bad}: not a zip file, or a truncated one (no zip directory at its "
        "end); download the release again from the publisher")


def test_truncated_zip(tmp_path, good):
    whole = tmp_path / "whole.zip"
    with zipfile.ZipFile(whole, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("icd10cm-order-2026.txt", good.read_text() * 50)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert run_diff(good, cut, tmp_path) == (
        f"updater: error: {cut}: not a zip file, or a truncated one (no zip directory at its "
        "end); download the release again from the publisher")


def test_zip_with_no_release_inside(tmp_path, good):
    empty = tmp_path / "docs-2026.zip"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("readme.pdf", b"%PDF-1.4")
        z.writestr("notes.txt", "nothing to see\r\n")
    line = run_diff(good, empty, tmp_path)
    assert line.startswith(
        f"updater: error: {empty}: no release file inside the zip; the zip holds: readme.pdf, "
        "notes.txt; supported formats: icd10cm-order (")


def test_line_cut_short(tmp_path, good):
    new = write_order(tmp_path / "icd10cm-order-2026.txt", [*GOOD, GOOD[1][:40]])
    assert run_diff(good, new, tmp_path) == (
        f"updater: error: {new}, line 4: line cut short: an ICD-10-CM order line has the code "
        "in columns 7-13, the flag in 15, the short title in 17-76 and the long title from 78; "
        "the file looks truncated; re-download it from the CDC")


def test_duplicate_code(tmp_path, good):
    new = write_order(tmp_path / "icd10cm-order-2026.txt",
                      [*GOOD, order_line(4, "A000", "1", "Again")])
    assert run_diff(good, new, tmp_path) == (
        f"updater: error: {new}, line 4: duplicate code A000 (also on line 2); each code may "
        "appear once; re-download the publisher's file")


def test_undecodable_bytes(tmp_path, good):
    new = tmp_path / "icd10cm-order-2026.txt"
    new.write_bytes(("\r\n".join(GOOD) + "\r\n").encode() + b"00004 A002    1 Bad \x81\x8d\r\n")
    assert run_diff(good, new, tmp_path) == (
        f"updater: error: {new}, line 4: bytes that are neither UTF-8 nor Windows-1252 text "
        "(byte 0x81); is this the publisher's text file? re-download it or save it as UTF-8")


def test_unknown_format(tmp_path, good):
    new = tmp_path / "mystery-2026.txt"
    new.write_text("hello\nworld\n")
    line = run_diff(good, new, tmp_path)
    assert line.startswith(f"updater: error: {new}: not a release file updater knows; "
                           "supported formats: icd10cm-order (ICD-10-CM order file")


def test_effective_date_cannot_be_inferred(tmp_path, good):
    new = write_order(tmp_path / "icd10cm-order-latest.txt", GOOD)
    assert run_diff(good, new, tmp_path) == (
        f"updater: error: {new}: cannot infer the ICD-10-CM release's effective date from the "
        f"file names (icd10cm-order-latest.txt, {tmp_path.name}); give it with --effective "
        "YYYY-MM-DD (and --label LABEL if you like)")


def test_missing_file(tmp_path, good):
    assert run_diff(good, tmp_path / "nope.zip", tmp_path) == (
        f"updater: error: {tmp_path / 'nope.zip'}: no such file; check the path")


def test_debug_shows_the_traceback(tmp_path, good):
    result = runner.invoke(app, ["--debug", "diff", str(good), str(tmp_path / "nope.zip")])
    assert result.exit_code != 0 and result.exception is not None
    assert "no such file" in str(result.exception)


def test_damaged_zip_member(tmp_path, good):
    """The zip's directory is intact but the order file's bytes are not (CRC mismatch)."""
    whole = tmp_path / "icd10cm-Code-Descriptions-2026.zip"
    lines = [order_line(i, f"A{i:04d}", "1", f"Synthetic title {i}") for i in range(1, 400)]
    with zipfile.ZipFile(whole, "w", zipfile.ZIP_STORED) as z:
        z.writestr("icd10cm-order-2026.txt", "\r\n".join(lines) + "\r\n")
    data = bytearray(whole.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 4] = b"XXXX"
    whole.write_bytes(bytes(data))
    line = run_diff(good, whole, tmp_path)
    assert line == (f"updater: error: {whole}!icd10cm-order-2026.txt: the zip is damaged or "
                    "truncated (Bad CRC-32 for file 'icd10cm-order-2026.txt'); download the "
                    "release again from the publisher")
