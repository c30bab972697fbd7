"""No text from an input becomes a formula in a CSV or XLSX updater writes, nor markup or
script in an HTML page: release titles, chargemaster descriptions and departments, file
and sheet names and updater.toml values full of formulas and script go through every
writer (scan --csv/--xlsx, diff --csv/--xlsx, the plan workbook, apply's patched CSV and
XLSX and their change logs, every report of ``updater run``)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from markupsafe import escape
from typer.testing import CliRunner

from updater.cli import app
from updater.files.output import defuse_text, is_formula_like, undefuse_text

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-1+1", "@SUM(A1)", "\t=1+1",
            " =1+1", "\r=1+1", "\n=1+1", "\uff1d1\uff0b1", "\uff0b1", "\uff0d1",
            "\uff20SUM(A1)", "\u3000=1+1"]
MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
          '"><svg onload=alert(1)>']
SCRIPT_NAME = "<script>alert(9)</script>"  # in updater.toml values
FILE_NAME = "<img src=x onerror=alert(8)>"  # in file and sheet names (which take no "/")


@pytest.mark.parametrize("text", FORMULAS)
def test_the_sanitizer_defuses_every_formula_start(text: str) -> None:
    assert is_formula_like(text) and dangerous(text)
    assert defuse_text(text) == "'" + text and not dangerous(defuse_text(text))
    assert undefuse_text(defuse_text(text)) == text


@pytest.mark.parametrize("text", ["99213", "Synthetic visit", "A=B", "x-ray", "'quoted", ""])
def test_the_sanitizer_leaves_plain_text_alone(text: str) -> None:
    assert not is_formula_like(text) and not dangerous(text) and defuse_text(text) == text


def release_table(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([("Code", "Description"), *rows])
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    """A store of two HCPCS releases with formula and script titles, a chargemaster and a
    crosswalk full of them (CSV, and XLSX on a sheet named with script), updater.toml
    values too, and everything updater writes from them."""
    root = tmp_path_factory.mktemp("hostile")
    runner = CliRunner()
    old = release_table(root / "old.csv", [(f"A000{n}", f"Synthetic supply {n}")
                                           for n in range(1, 6)])
    new = release_table(root / f"new {FILE_NAME}.csv", [
        ("A0001", "Synthetic supply 1"),
        ("A0003", FORMULAS[0] + " " + MARKUP[0]),
        ("A0004", FORMULAS[3] + " " + MARKUP[1]),
        ("A0005", FORMULAS[8] + " " + MARKUP[2]),
        ("A0006", FORMULAS[4] + " new supply"),
    ])
    store = root / "store"
    for path, label in ((old, "2030"), (new, "2031")):
        result = runner.invoke(app, ["import", str(path), "--system", "hcpcs", "--label",
                                     label, "--effective", f"{label}-01-01", "--store",
                                     str(store)])
        assert result.exit_code == 0, result.output
    (root / "map.csv").write_text("Old Code,New Code\nA0002,A0006\n", encoding="utf-8")
    header = ["Charge Code", "Description", "HCPCS", "Rev Code", "Price", "Department",
              "Status", "Effective Date", "End Date", "Annual Volume"]
    lines = [[f"{n}", f"{FORMULAS[n]} {MARKUP[n % 3]}", f"A000{n}", "0270", "10.00",
              f"{FORMULAS[-n]} {MARKUP[(n + 1) % 3]}", "A", "01/01/2020", "", "5"]
             for n in range(1, 6)]
    cdm = root / f"cdm {FILE_NAME}.csv"
    with cdm.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *lines])
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = FILE_NAME
    for line in [header, *lines]:
        sheet.append(line)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"  # the export's own text, not formulas
    xlsx = root / "cdm.xlsx"
    book.save(xlsx)
    crosswalk = root / "crosswalk.csv"
    with crosswalk.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([("Procedure Code", "ICD-10-CM", "Policy"),
                                  ("A0002", "M17.11", FORMULAS[0]),
                                  ("A0003", "M17.12", MARKUP[0])])
    (root / "inbox").mkdir()
    config = root / "updater.toml"
    config.write_text(
        f'store = "store"\ninbox = "inbox"\noutput = "out"\nsystems = ["hcpcs"]\n'
        f'maps = ["map.csv"]\nsign_off = [{json.dumps(FORMULAS[1] + " " + SCRIPT_NAME)}]\n'
        f'[[chargemaster]]\nname = {json.dumps(SCRIPT_NAME)}\npath = {json.dumps(cdm.name)}\n'
        f'[[chargemaster]]\nname = "=1+1 workbook"\npath = "cdm.xlsx"\n'
        f'sheet = {json.dumps(FILE_NAME)}\n'
        f'[[crosswalk]]\nname = {json.dumps(MARKUP[1])}\npath = "crosswalk.csv"\n',
        encoding="utf-8")
    result = runner.invoke(app, ["run", "--cycle", "2031-01-01", "--config", str(config)])
    assert result.exit_code == 0, result.output
    out = root / "cli"
    out.mkdir()
    ids = ["--from", "hcpcs:2030", "--to", "hcpcs:2031", "--store", str(store)]
    commands = [
        ["scan", "--chargemaster", str(cdm), "--crosswalk", str(crosswalk), *ids, "--map",
         str(root / "map.csv"), "--csv", str(out / "scan.csv"), "--xlsx",
         str(out / "scan.xlsx"), "--json", str(out / "scan.json")],
        ["diff", "hcpcs:2030", "hcpcs:2031", "--store", str(store), "--csv",
         str(out / "diff.csv"), "--xlsx", str(out / "diff.xlsx")],
        ["plan", "--scan", str(out / "scan.json"), "--out", str(out / "plan")],
    ]
    for args in commands:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args[0], result.output)
    # every proposed change approved, then applied to the CSV and (forced) the XLSX
    plan = json.loads((out / "plan" / "plan.json").read_text())
    for row in plan["rows"]:
        if row["section"] == "chargemaster" and row["action"] != "review":
            row["decision"] = "approved"
    approved = out / "plan-approved.json"
    approved.write_text(json.dumps(plan))
    patched = root / "patched"
    patched.mkdir()
    for args in (["--chargemaster", str(cdm), "--out", str(patched / "cdm.csv")],
                 ["--chargemaster", str(xlsx), "--sheet", FILE_NAME, "--out",
                  str(patched / "book.xlsx"), "--force"]):
        result = runner.invoke(app, ["apply", str(approved), *args, "--store", str(store),
                                     "--release", "hcpcs:2031"])
        assert result.exit_code == 0, result.output
    return {"root": root, "run": root / "out" / "2031-01-01", "cli": out,
            "patched": patched}


def dangerous(text: str) -> bool:
    """What a spreadsheet could run, judged here on its own (not by the sanitizer under
    test): a tab or line break first, or = + - @ (or full-width) behind any blanks."""
    return text[:1] in ("\t", "\r", "\n") or text.lstrip(" \t\r\n\u3000\u00a0")[:1] in (
        "=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cells(path: Path) -> list[str]:
    return [c for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"),
                                                newline="")) for c in row]


def xlsx_cells(path: Path) -> list[tuple[str, object, str]]:
    book = openpyxl.load_workbook(path)
    return [(f"{ws.title}!{cell.coordinate}", cell.value, cell.data_type)
            for ws in book.worksheets for row in ws.iter_rows() for cell in row
            if cell.value is not None]


def carries_payload(text: str) -> bool:
    return any(p.strip() in text for p in FORMULAS + MARKUP if p.strip())


def written_by_updater(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()
                  and p.suffix in (".csv", ".xlsx", ".html"))


def test_no_formula_and_no_markup_in_any_output(hostile) -> None:
    files = [*written_by_updater(hostile["run"]), *written_by_updater(hostile["cli"]),
             *(p for p in written_by_updater(hostile["patched"]) if ".changes." in p.name)]
    kinds = {(p.suffix, p.name.split(".")[0]) for p in files}
    for expected in ((".csv", "scan"), (".xlsx", "scan"), (".csv", "diff"), (".xlsx", "diff"),
                     (".xlsx", "plan"), (".csv", "cdm"), (".html", "impact"),
                     (".html", "release-hcpcs"), (".html", "index")):
        assert expected in kinds, expected
    risky, reached = [], set()
    for path in files:
        if path.suffix == ".html":
            page = path.read_text(encoding="utf-8")
            for bad in ("<script>alert", "<img src=x", "<svg onload", "onerror=alert(1)>"):
                if bad in page:
                    risky.append((path.name, bad))
            if "&lt;script&gt;alert" in page:
                reached.add(path.name)
            assert page.count("<script") == 1, path.name  # the page's own table script
            continue
        cells = (csv_cells(path) if path.suffix == ".csv"
                 else [v for _, v, t in xlsx_cells(path) if t != "f" or risky.append(
                     (path.name, v))])
        for value in cells:
            if isinstance(value, str) and dangerous(value):
                risky.append((path.name, value))
            if isinstance(value, str) and value.startswith("'") and carries_payload(value):
                reached.add(path.name)
    assert risky == []
    # the payloads did reach every kind of writer (the test is not vacuous)
    for name in ("scan.csv", "scan.xlsx", "diff.csv", "diff.xlsx", "plan.xlsx",
                 "cdm.changes.csv", "impact.html", "release-hcpcs.html", "index.html"):
        assert name in reached, name


def test_patched_files_defuse_what_updater_writes(hostile) -> None:
    """The patched chargemaster keeps the export's own cells as they were (it goes back
    into the CDM system; revert restores it byte for byte), and every cell updater
    writes into it is defused: here the release's hostile new titles."""
    for name in ("cdm.csv", "book.xlsx"):
        path = hostile["patched"] / name
        changes = [c for c in json.loads((hostile["patched"] / f"{path.stem}.changes.json")
                                         .read_text())["changes"]
                   if c["kind"] in ("cell", "inserted_cell")]
        assert changes, name
        if path.suffix == ".csv":
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
            written = [rows[c["output_row"]][rows[0].index(c["column"])] for c in changes]
        else:
            ws = openpyxl.load_workbook(path)[FILE_NAME]
            header = [c.value for c in ws[1]]
            cells = [ws.cell(c["output_row"] + 1, header.index(c["column"]) + 1)
                     for c in changes]
            assert all(c.data_type != "f" for c in cells)
            written = [str(c.value) for c in cells if c.value is not None]
        assert any(carries_payload(v) for v in written), name  # a hostile title went in
        assert [v for v in written if dangerous(v)] == [], name


def test_script_in_names_is_escaped_in_every_page(hostile) -> None:
    pages = written_by_updater(hostile["run"])
    html = {p.name: p.read_text(encoding="utf-8") for p in pages if p.suffix == ".html"}
    for name in (SCRIPT_NAME, FILE_NAME):  # config values; file and sheet names
        shown = [page for page, text in html.items() if escape(name) in text]
        assert "index.html" in shown, (name, shown)
        assert [page for page, text in html.items() if name in text] == []
