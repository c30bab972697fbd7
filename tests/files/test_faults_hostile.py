"""Hostile files: zip bombs, member paths that climb out, nested zips, a megabyte in one
cell, a 200,000-column header, NUL bytes, two encodings in one file. Each gets one clear
line and exit status 2, within bounded memory, and nothing is unpacked anywhere."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from faults_helpers import REPO
from tests_helpers import order_line
from typer.testing import CliRunner

from updater.cli import app
from updater.files.limits import MAX_CELL_CHARS, RATIO_FROM

SAMPLE_ICD = REPO / "releases" / "sample" / "icd10cm"
FY2025 = SAMPLE_ICD / "FY2025" / "icd10cm-Code-Descriptions-2025.zip"
FY2026 = SAMPLE_ICD / "FY2026" / "icd10cm-Code-Descriptions-2026.zip"
ORDER = "\r\n".join(order_line(i, c, "1", f"Synthetic code {c}")
                    for i, c in enumerate(["Q100", "Q101", "Q102"], 1)) + "\r\n"
CDM_HEADER = "Charge Code,Description,CPT,Price\n"
GENERIC = ["--code-col", "CPT", "--desc-col", "Description", "--system", "cpt", "--label",
           "2030", "--effective", "2030-01-01"]


def ratio_bomb(path: Path, member: str = "icd10cm-order-2030.txt") -> Path:
    """An order file's head, then 40 MiB of spaces: 1000 times smaller packed."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z, z.open(member, "w") as fh:
        fh.write(ORDER.encode())
        block = b" " * (1 << 20)
        for _ in range((RATIO_FROM >> 20) + 24):
            fh.write(block)
    return path


def size_bomb(path: Path) -> Path:
    """A member whose directory entry says it inflates to 3.75 GiB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("icd10cm-order-2030.txt", ORDER)
    data = bytearray(buffer.getvalue())
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, 0xF0000000)
    struct.pack_into("<I", data, central + 24, 0xF0000000)
    path.write_bytes(bytes(data))
    return path


def zip_of(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def xlsx_bomb(path: Path) -> Path:
    """A chargemaster workbook whose sheet holds 40 MiB of blanks (valid XML)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Charge Code", "Description", "CPT", "Price"])
    sheet.append(["1", "Synthetic visit", "99213", 10])
    plain = io.BytesIO()
    book.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>",
                                    b" " * (RATIO_FROM + (24 << 20)) + b"</sheetData>")
            z.writestr(info.filename, data)
    return path


def csv_file(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


BIG = "A" * (MAX_CELL_CHARS * 8)  # a megabyte in one cell


@pytest.fixture
def store(tmp_path: Path) -> Path:
    root = tmp_path / "store"
    for release in (FY2025, FY2026):
        assert CliRunner().invoke(app, ["import", str(release), "--store",
                                        str(root)]).exit_code == 0
    return root


def hostile_cases(tmp: Path) -> list[tuple[str, list[str], str]]:
    """(name, command, the one line expected on stderr)."""
    bomb, sized = ratio_bomb(tmp / "bomb.zip"), size_bomb(tmp / "sized.zip")
    climbing = zip_of(tmp / "climb.zip", {"../evil.txt": b"x", "order.txt": ORDER.encode()})
    absolute = zip_of(tmp / "abs.zip", {"/tmp/evil-abs.txt": b"x"})
    windows = zip_of(tmp / "win.zip", {"C:\\evil.txt": b"x"})
    nested = zip_of(tmp / "nested.zip", {"inner.zip": climbing.read_bytes()})
    cell = csv_file(tmp / "cell.csv", (CDM_HEADER + f"1,{BIG},99213,1\n").encode())
    wide = csv_file(tmp / "wide.csv", (",".join(f"c{i}" for i in range(200_000))
                                       + ",CPT\n").encode())
    narrow_wide = csv_file(tmp / "wide2.csv", ("a," * 200_000 + "CPT,Description\n"
                                               + "x," * 200_000 + "99213,d\n").encode())
    nul = csv_file(tmp / "nul.csv", CDM_HEADER.encode() + b"1,ok,99213,1\n" * 90_000
                   + b"2,bad\x00,99214,1\n")
    mixed = csv_file(tmp / "mixed.csv", CDM_HEADER.encode() + "1,café,99213,1\n".encode()
                     + b"2,caf\xe9,99214,1\n")
    mixed_order = zip_of(tmp / "mixed-order.zip", {
        "icd10cm-order-2030.txt": ORDER.encode() + order_line(4, "Q103", "1",
                                                              "Syndrome \u00e9").encode()
        + b"\r\n" + order_line(5, "Q104", "1", "Syndrome X").encode()[:-1] + b"\xe9\r\n"})
    xlsx = xlsx_bomb(tmp / "bomb.xlsx")
    crosswalk = csv_file(tmp / "cw.csv", f"Procedure Code,ICD-10-CM\n99213,Q10.1 {BIG}\n"
                         .encode())
    bomb_msg = ("member {m!r} would inflate to {mib} MiB from {packed:,} bytes (a zip bomb?); "
                "updater reads members of at most 1,024 MiB, compressed at most 200 times; "
                "is this the publisher's file? download it again")
    packed = zipfile.ZipFile(bomb).infolist()[0].compress_size
    xlsx_packed = next(i.compress_size for i in zipfile.ZipFile(xlsx).infolist()
                       if i.filename == "xl/worksheets/sheet1.xml")
    xlsx_size = next(i.file_size for i in zipfile.ZipFile(xlsx).infolist()
                     if i.filename == "xl/worksheets/sheet1.xml")
    unsafe = ("the zip holds a member with an unsafe path {m!r} (absolute, or climbing out of "
              "its folder with ..); updater never unpacks such a zip; is this the "
              "publisher's file? download it again")
    cell_msg = (f"column {{c!r}}: a cell of {len(BIG):,} characters, more than the "
                f"{MAX_CELL_CHARS:,} updater reads in one cell; is this the export? a "
                "spreadsheet cell holds at most 32,767 characters")
    wide_msg = ("a row of {n:,} columns, more than the 50,000 updater reads; is this the "
                "export? a spreadsheet has at most 16,384 columns")
    scan = ["scan", "--from", "icd10cm:FY2025", "--to", "icd10cm:FY2026"]
    return [
        ("ratio bomb", ["import", str(bomb)],
         f"{bomb}: " + bomb_msg.format(m="icd10cm-order-2030.txt", mib="40",
                                       packed=packed)),
        ("declared bomb", ["import", str(sized)],
         f"{sized}: " + bomb_msg.format(m="icd10cm-order-2030.txt", mib="3,840",
                                        packed=zipfile.ZipFile(sized).infolist()[0]
                                        .compress_size)),
        ("../ member", ["import", str(climbing)],
         f"{climbing}: " + unsafe.format(m="../evil.txt")),
        ("absolute member", ["import", str(absolute)],
         f"{absolute}: " + unsafe.format(m="/tmp/evil-abs.txt")),
        ("drive letter member", ["import", str(windows)],
         f"{windows}: " + unsafe.format(m="C:\\evil.txt")),
        ("nested zip", ["import", str(nested)],
         f"{nested}: no release file inside the zip, only another zip (inner.zip); updater "
         "does not open a zip inside a zip: unzip this one and import the zip inside it"),
        ("mixed encodings in a release", ["import", str(mixed_order)],
         f"{mixed_order}!icd10cm-order-2030.txt, line 5: mixed encodings: UTF-8 text with a "
         "byte that is not UTF-8 (0xe9); part of the file was saved in another encoding "
         "(Windows-1252?); save it again as UTF-8 from the program that made it"),
        ("1 MB cell, chargemaster", [*scan, "--chargemaster", str(cell)],
         f"{cell}, row 1: " + cell_msg.format(c="Description")),
        ("1 MB cell, release table", ["import", str(cell), *GENERIC],
         f"{cell}, row 1: " + cell_msg.format(c="Description")),
        ("1 MB cell, crosswalk", [*scan, "--crosswalk", str(crosswalk)],
         f"{crosswalk}, row 1: " + cell_msg.format(c="ICD-10-CM").replace(
             f"{len(BIG):,}", f"{len(BIG) + 6:,}")),
        ("200,000-column header over 1 MB", [*scan, "--chargemaster", str(wide)],
         f"{wide}: the first line is longer than 1 MB: not a table export; is this the "
         "file? a header of more than 50,000 columns is refused too"),
        ("200,000-column header", [*scan, "--chargemaster", str(narrow_wide)],
         f"{narrow_wide}: " + wide_msg.format(n=200_002)),
        ("200,000-column header, release table", ["import", str(narrow_wide), *GENERIC],
         f"{narrow_wide}: " + wide_msg.format(n=200_002)),
        ("NUL byte past the head", [*scan, "--chargemaster", str(nul)],
         f"{nul}, line 90002: binary content (NUL bytes) where text was expected; export "
         "the table as CSV or XLSX"),
        ("mixed encodings, chargemaster", [*scan, "--chargemaster", str(mixed)],
         f"{mixed}, line 3: mixed encodings: UTF-8 text with a byte that is not UTF-8 "
         "(0xe9); part of the file was saved in another encoding (Windows-1252?); save it "
         "again as UTF-8 from the program that made it"),
        ("mixed encodings, release table", ["import", str(mixed), *GENERIC],
         f"{mixed}, line 3: mixed encodings: UTF-8 text with a byte that is not UTF-8 "
         "(0xe9); part of the file was saved in another encoding (Windows-1252?); save it "
         "again as UTF-8 from the program that made it"),
        ("xlsx bomb, chargemaster", [*scan, "--chargemaster", str(xlsx)],
         f"{xlsx}: " + bomb_msg.format(m="xl/worksheets/sheet1.xml",
                                       mib=f"{xlsx_size / (1 << 20):,.0f}",
                                       packed=xlsx_packed)),
        ("xlsx bomb, plan", ["apply", str(xlsx), "--chargemaster", str(cell), "--out",
                             str(tmp / "out.csv")],
         f"{xlsx}: " + bomb_msg.format(m="xl/worksheets/sheet1.xml",
                                       mib=f"{xlsx_size / (1 << 20):,.0f}",
                                       packed=xlsx_packed)),
    ]


def test_each_hostile_file_gets_one_clear_line(tmp_path: Path, store: Path,
                                               monkeypatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # where a careless unpacker would write ../evil.txt
    before = sorted(p.name for p in tmp_path.iterdir())
    failures = []
    for name, args, line in hostile_cases(tmp_path):
        result = CliRunner().invoke(app, [*args, "--store", str(store)])
        if (result.exit_code, result.stderr) != (2, f"updater: error: {line}\n"):
            failures.append((name, result.exit_code, result.stderr or result.output))
    assert failures == []
    assert not Path("/tmp/evil-abs.txt").exists() and not (tmp_path / "evil.txt").exists()
    assert list(work.iterdir()) == []  # nothing unpacked
    made = {"bomb.zip", "sized.zip", "climb.zip", "abs.zip", "win.zip", "nested.zip",
            "cell.csv", "wide.csv", "wide2.csv", "nul.csv", "mixed.csv", "mixed-order.zip",
            "bomb.xlsx", "cw.csv"}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({*before, *made})


MEMORY_CASES = {
    "bomb": lambda tmp: ["import", str(ratio_bomb(tmp / "bomb.zip"))],
    "xlsx bomb": lambda tmp: ["scan", "--chargemaster", str(xlsx_bomb(tmp / "bomb.xlsx")),
                              "--from", str(FY2025), "--to", str(FY2026)],
    "wide header": lambda tmp: ["import", str(csv_file(
        tmp / "wide.csv", ("a," * 200_000 + "CPT,Description\n" + "x," * 200_000
                           + "99213,d\n").encode())), *GENERIC],
    "big cell": lambda tmp: ["scan", "--chargemaster", str(csv_file(
        tmp / "cell.csv", (CDM_HEADER + f"1,{BIG},99213,1\n").encode())),
        "--from", str(FY2025), "--to", str(FY2026)],
}


# the peak memory of the updater process itself (VmHWM: ru_maxrss would also count the
# pytest process it was forked from, which Linux carries across exec)
PEAK = """
import atexit, sys
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("\\npeak-kb " + line.split()[1] + "\\n")
atexit.register(peak)
from updater.cli import main
main(sys.argv[1:])
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
@pytest.mark.parametrize("case", list(MEMORY_CASES))
def test_hostile_files_are_refused_within_bounded_memory(tmp_path: Path, case: str) -> None:
    args = MEMORY_CASES[case](tmp_path)
    done = subprocess.run([sys.executable, "-c", PEAK, *args, "--store",
                           str(tmp_path / "store")], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("updater: error: "), done.stderr
    peak = int(done.stderr.rsplit("peak-kb ", 1)[1])
    assert peak < 400 * 1024, f"{peak // 1024} MB"
