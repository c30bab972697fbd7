"""updater.files.text: the one text decoder (BOMs, UTF-8, Windows-1252, NULs), and
Excel's "Unicode text" export (UTF-16 LE with BOM, tab-delimited, CRLF) read and patched
where a text table is."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from updater.errors import UpdaterError
from updater.files.text import decode, decode_text, encode
from updater.impact.inputs.chargemaster import read_chargemaster
from updater.impact.inputs.crosswalk import read_crosswalk
from updater.impact.scan import run_scan

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "releases" / "sample"
CDM = REPO / "chargemasters" / "sample-cdm.csv"
XW = REPO / "chargemasters" / "sample-crosswalk.csv"
TEXT = "Code\tTitle\r\n99213\tCafé – visite\r\n"


@pytest.mark.parametrize(("bom", "encoding"), [
    (b"", "utf-8"), (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be")])
def test_bom_decides_and_encode_gives_the_bytes_back(bom: bytes, encoding: str) -> None:
    data = bom + TEXT.encode(encoding)
    got = decode(data, "x.csv")
    assert (got.text, got.encoding, got.bom) == (TEXT, encoding, bom)
    assert encode(got.text, got.encoding, got.bom) == data


def test_windows_1252_without_bom() -> None:
    got = decode(TEXT.encode("cp1252"), "x.csv")
    assert (got.text, got.encoding, got.bom) == (TEXT, "cp1252", b"")


def test_mixed_encodings_refused() -> None:
    with pytest.raises(UpdaterError, match="mixed encodings"):
        decode("é".encode() + "é".encode("cp1252"), "x.csv")


def test_nul_in_utf8_refused_with_its_line() -> None:
    with pytest.raises(UpdaterError) as caught:
        decode_text(b"a\nb\x00\n", "x.txt")
    assert str(caught.value) == ("x.txt, line 2: binary content (NUL bytes) where text was "
                                 "expected; is this the publisher's text file? re-download it")


def test_nul_in_utf16_text_refused_not_its_zero_bytes() -> None:
    assert decode_text(codecs.BOM_UTF16_LE + "a\nb\n".encode("utf-16-le"), "x") == "a\nb\n"
    with pytest.raises(UpdaterError, match="line 2: binary content"):
        decode_text(codecs.BOM_UTF16_LE + "a\nb\x00\n".encode("utf-16-le"), "x")


def test_broken_utf16_refused_with_one_line() -> None:
    with pytest.raises(UpdaterError) as caught:
        decode(codecs.BOM_UTF16_LE + "a\r\nb".encode("utf-16-le") + b"\x00\xd8", "x.txt")
    assert "\n" not in str(caught.value)
    assert "x.txt, line 2: bytes that are not UTF-16-LE text" in str(caught.value)


def unicode_text(src: Path, dst: Path) -> Path:
    """``src`` as Excel's "Unicode text" saves it: UTF-16 LE with BOM, tabs, CRLF."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(src.read_text(encoding="utf-8-sig"), newline="")))
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows(rows)
    dst.write_bytes(codecs.BOM_UTF16_LE + out.getvalue().encode("utf-16-le"))
    return dst


def test_utf16_chargemaster_reads_as_its_utf8_twin(tmp_path: Path) -> None:
    wide = read_chargemaster(unicode_text(CDM, tmp_path / "cdm.txt"))
    plain = read_chargemaster(CDM)
    assert wide.rows_read == plain.rows_read == 2950
    assert wide.table.equals(plain.table)


def test_utf16_crosswalk_reads_as_its_utf8_twin(tmp_path: Path) -> None:
    wide = read_crosswalk(unicode_text(XW, tmp_path / "xw.txt"))
    assert wide.table.equals(read_crosswalk(XW).table)


def test_utf16_chargemaster_scans_with_the_same_findings(tmp_path: Path) -> None:
    pairs = [("cpt/2025/CPT 2025 data files.zip", "cpt/2026/CPT 2026 data files.zip"),
             ("hcpcs/2025/2025-Alpha-Numeric-HCPCS-File.zip",
              "hcpcs/2026/2026-Alpha-Numeric-HCPCS-File.zip")]
    old, new = [str(SAMPLE / a) for a, _ in pairs], [str(SAMPLE / b) for _, b in pairs]
    wide = run_scan(old=old, new=new, chargemaster=unicode_text(CDM, tmp_path / "c.txt"),
                    crosswalk=None)[0]
    plain = run_scan(old=old, new=new, chargemaster=CDM, crosswalk=None)[0]
    assert len(plain.findings) > 50
    assert wide.findings.drop(columns=["file"], errors="ignore").equals(
        plain.findings.drop(columns=["file"], errors="ignore"))
