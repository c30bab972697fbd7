"""updater apply / revert: the plan written into a copy of the chargemaster, undone exactly."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import make_release
from typer.testing import CliRunner

from updater.cli import app
from updater.errors import UpdaterError
from updater.patch.apply import apply_plan
from updater.patch.audit import AUDIT_LOG
from updater.patch.logs import changelog_paths
from updater.patch.revert import revert
from updater.plan.model import PLAN_COLUMNS, PlanIdentity
from updater.vocabulary import CodeSystem

CPT = make_release([("99213", "code", "Synthetic office visit", "Synthetic office visit"),
                    ("99214", "code", "Synthetic office visit 2", "Synthetic office visit 2"),
                    ("99215", "code", "Synthetic office visit 3", "Synthetic office visit 3"),
                    ("0042T", "code", "Synthetic cat III", "Synthetic cat III")],
                   version="2026", effective=date(2026, 1, 1), system=CodeSystem.CPT)
HCPCS = make_release([("J1100", "code", "Synthetic drug", "Synthetic drug"),
                      ("J1200", "code", "Synthetic drug 2", "Synthetic drug 2"),
                      ("G0008", "code", "Synthetic admin", "Synthetic admin")],
                     version="2026", effective=date(2026, 1, 1), system=CodeSystem.HCPCS,
                     termination_date=["", "2025-07-01", ""])
RELEASES = {"cpt": CPT, "hcpcs": HCPCS}

HEADER = ["Charge Code", "Description", "CPT", "Rev Code", "Price", "Status",
          "Effective Date", "End Date"]
LINES = [
    ["1001", "Office visit low", "99211", "0510", "100.00", "A", "01/01/2020", ""],
    ["1002", "Office visit mid", "99212", "0510", "150.00", "A", "01/01/2020", ""],
    ["1003", "Drug X", "J0001", "0636", "12.50", "A", "01/01/2020", ""],
    ["1004", "Lab thing", "0001T", "0300", "40.00", "A", "01/01/2020", ""],
    ["1005", "Old description", "99215", "0510", "250.00", "A", "01/01/2020", ""],
]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def plan_row(n: int, action: str, source_row: int, old: str, proposed: str = "", *,
             decision: str = "approved", replacement: str = "", text: str = "",
             charge: str = "", section: str = "chargemaster") -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(PLAN_COLUMNS, "")
    row.update({"plan_row": n, "section": section, "action": action, "source_row": source_row,
                "charge_code": charge or LINES[source_row - 1][0], "old_code": old,
                "proposed_codes": proposed, "proposed_description": text,
                "effective": "2026-01-01", "decision": decision, "replacement": replacement,
                "system": "cpt"})
    return row


def make_plan(rows: list[dict[str, object]], cdm: Path) -> tuple[pd.DataFrame, PlanIdentity]:
    table = pd.DataFrame(rows, columns=list(PLAN_COLUMNS))
    return table, PlanIdentity(plan_id="plan-1", created="2025-10-01T00:00:00Z",
                               chargemaster=str(cdm), chargemaster_sha256=sha(cdm))


ALL_ACTIONS = [
    plan_row(1, "retire", 1, "99211"),
    plan_row(2, "replace", 2, "99212", "99213"),
    plan_row(3, "split", 4, "0001T", "99214,0042T"),
    plan_row(4, "update_description", 5, "99215", text="Synthetic visit, level 5"),
    plan_row(5, "replace", 3, "J0001", "J1100", decision="rejected"),
    plan_row(6, "review", 3, "J0001"),
]


def write_csv(path: Path, lines: list[list[str]] = LINES, header: list[str] = HEADER, *,
              delimiter: str = ",", newline: str = "\n", bom: bool = False,
              quote_all: bool = False, titles: list[str] = ()) -> Path:
    def fmt(cells: list[str]) -> str:
        return delimiter.join(f'"{c}"' if quote_all else c for c in cells)

    text = "".join(t + newline for t in titles)
    text += newline.join(fmt(r) for r in [header, *lines]) + newline
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def read_rows(path: Path, skip: int = 0, delimiter: str = ",") -> list[list[str]]:
    import csv

    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(text.splitlines()[skip:], delimiter=delimiter))


def run(cdm: Path, rows: list[dict[str, object]], out: Path, **kw: object):
    table, identity = make_plan(rows, cdm)
    return apply_plan(table, identity, cdm, out, new_releases=RELEASES, user="tester", **kw)


# ---------------------------------------------------------------- CSV, every action


def test_csv_every_action(tmp_path: Path) -> None:
    cdm = write_csv(tmp_path / "cdm.csv", titles=["Synthetic Hospital CDM", "Exported 2025"])
    before = sha(cdm)
    out = tmp_path / "out" / "patched.csv"
    out.parent.mkdir()
    result = run(cdm, ALL_ACTIONS, out)
    assert sha(cdm) == before  # the input is never modified
    text = out.read_text()
    assert text.startswith("Synthetic Hospital CDM\nExported 2025\nCharge Code,")
    rows = read_rows(out, skip=3)
    assert rows == [
        ["1001", "Office visit low", "99211", "0510", "100.00", "A", "01/01/2020",
         "12/31/2025"],
        ["1002", "Office visit mid", "99212", "0510", "150.00", "A", "01/01/2020",
         "12/31/2025"],
        ["1002", "Office visit mid", "99213", "0510", "150.00", "A", "01/01/2026", ""],
        ["1003", "Drug X", "J0001", "0636", "12.50", "A", "01/01/2020", ""],
        ["1004", "Lab thing", "0001T", "0300", "40.00", "A", "01/01/2020", "12/31/2025"],
        ["", "Lab thing", "99214", "0300", "40.00", "A", "01/01/2026", ""],
        ["", "Lab thing", "0042T", "0300", "40.00", "A", "01/01/2026", ""],
        ["1005", "Synthetic visit, level 5", "99215", "0510", "250.00", "A", "01/01/2020", ""],
    ]
    c = result.counts
    assert (c["retire"], c["replace"], c["split"], c["update_description"]) == (1, 1, 1, 1)
    assert (c["rows_in"], c["rows_out"], c["rows_inserted"]) == (5, 8, 3)
    assert c["new_charge_codes"] == 2 and c["not_applied"] == 2
    assert result.output_sha256 == sha(out)
    # change log: every changed cell and inserted row, with input and output rows
    log = pd.read_csv(changelog_paths(out)[0], dtype=str, keep_default_na=False)
    cells = log[log["kind"] == "cell"]
    assert set(zip(cells["output_row"], cells["input_row"], cells["column"], cells["after"],
                   strict=True)) == {
        ("1", "1", "End Date", "12/31/2025"), ("2", "2", "End Date", "12/31/2025"),
        ("5", "4", "End Date", "12/31/2025"), ("8", "5", "Description",
                                                 "Synthetic visit, level 5")}
    inserts = log[log["kind"] == "insert"]
    assert list(inserts["output_row"]) == ["3", "6", "7"]
    assert list(inserts["note"])[1:] == ["new charge code needed"] * 2
    meta = json.loads(changelog_paths(out)[1].read_text())
    assert meta["input_sha256"] == before and meta["output_sha256"] == sha(out)
    audit = [json.loads(x) for x in (out.parent / AUDIT_LOG).read_text().splitlines()]
    assert len(audit) == 1
    assert audit[0]["user"] == "tester" and audit[0]["plan_id"] == "plan-1"
    assert audit[0]["forced"] is False and audit[0]["output_sha256"] == sha(out)


def test_csv_revert_is_byte_identical(tmp_path: Path) -> None:
    cdm = write_csv(tmp_path / "cdm.csv", titles=["Title"])
    out = tmp_path / "patched.csv"
    run(cdm, ALL_ACTIONS, out)
    restored = tmp_path / "restored.csv"
    result = revert(changelog_paths(out)[1], out, restored)
    assert restored.read_bytes() == cdm.read_bytes()
    assert result.identical and result.rows_removed == 3 and result.cells_restored == 4


def test_apply_twice_changes_nothing(tmp_path: Path) -> None:
    cdm = write_csv(tmp_path / "cdm.csv")
    once, twice = tmp_path / "once.csv", tmp_path / "twice.csv"
    run(cdm, ALL_ACTIONS, once)
    table, identity = make_plan(ALL_ACTIONS, cdm)
    # the plan's own output is recognised by its change log: no --force needed
    second = apply_plan(table, identity, once, twice, new_releases=RELEASES)
    assert second.changes == [] and not second.forced
    assert second.counts["already_applied"] == 4
    assert twice.read_bytes() == once.read_bytes()


def test_in_place_without_dates_and_status_retire(tmp_path: Path) -> None:
    header = ["CDM #", "Charge Desc", "HCPCS/CPT", "Status"]
    lines = [[r[0], r[1], r[2], "Active"] for r in LINES]
    cdm = write_csv(tmp_path / "cdm.csv", lines, header)
    out = tmp_path / "p.csv"
    rows = [plan_row(1, "retire", 1, "99211"), plan_row(2, "replace", 2, "99212", "99213"),
            plan_row(3, "split", 4, "0001T", "99214,0042T")]
    result = run(cdm, rows, out)
    got = read_rows(out, skip=1)
    assert got[0] == ["1001", "Office visit low", "99211", "Inactive"]
    assert got[1] == ["1002", "Office visit mid", "99213", "Active"]  # in place
    assert got[3] == ["1004", "Lab thing", "0001T", "Inactive"]
    assert got[4] == ["", "Lab thing", "99214", "Active"]  # new lines are active
    assert got[5] == ["", "Lab thing", "0042T", "Active"]
    assert result.counts["rows_out"] == 7
    restored = tmp_path / "r.csv"
    assert revert(changelog_paths(out)[1], out, restored).identical
    assert restored.read_bytes() == cdm.read_bytes()
    # idempotent: in-place replaced code found as already applied
    again = run_again(out, rows, cdm, tmp_path / "again.csv")
    assert again.changes == []


def run_again(patched: Path, rows: list[dict[str, object]], cdm: Path, out: Path):
    table, identity = make_plan(rows, cdm)
    return apply_plan(table, identity, patched, out, new_releases=RELEASES)


def test_status_letters_get_I(tmp_path: Path) -> None:
    header = ["Charge Code", "Description", "CPT", "Status"]
    lines = [[r[0], r[1], r[2], "A"] for r in LINES]
    cdm = write_csv(tmp_path / "cdm.csv", lines, header)
    run(cdm, [plan_row(1, "retire", 1, "99211")], tmp_path / "p.csv")
    assert read_rows(tmp_path / "p.csv", skip=1)[0][3] == "I"


def test_no_date_or_status_column_refused(tmp_path: Path) -> None:
    cdm = write_csv(tmp_path / "cdm.csv", [r[:3] for r in LINES], HEADER[:3])
    with pytest.raises(UpdaterError, match="no end date or status column") as exc:
        run(cdm, [plan_row(1, "retire", 1, "99211")], tmp_path / "p.csv")
    assert "never removes" in str(exc.value)
    assert not (tmp_path / "p.csv").exists()


@pytest.mark.parametrize("dialect", [
    {"delimiter": ";"}, {"quote_all": True}, {"newline": "\r\n"}, {"bom": True},
    {"delimiter": "\t", "newline": "\r\n", "bom": True, "quote_all": True}])
def test_dialect_preserved(tmp_path: Path, dialect: dict[str, object]) -> None:
    cdm = write_csv(tmp_path / "cdm.csv", titles=["Title row"], **dialect)  # type: ignore[arg-type]
    out = tmp_path / "p.csv"
    run(cdm, ALL_ACTIONS, out)
    raw = out.read_bytes()
    orig = cdm.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == orig.startswith(b"\xef\xbb\xbf")
    newline = str(dialect.get("newline", "\n"))
    text = raw.decode("utf-8-sig")
    assert text.count(newline) == len(text.splitlines())  # one terminator style only
    assert text.split(newline)[:2] == orig.decode("utf-8-sig").split(newline)[:2]
    sep = str(dialect.get("delimiter", ","))
    inserted = text.split(newline)[4]  # title, header, row 1, row 2, inserted copy
    q = '"' if dialect.get("quote_all") else ""
    assert inserted.startswith(f"{q}1002{q}{sep}") and f"{q}99213{q}" in inserted
    restored = tmp_path / "r.csv"
    revert(changelog_paths(out)[1], out, restored)
    assert restored.read_bytes() == orig


def test_formula_text_stays_text_csv(tmp_path: Path) -> None:
    cdm = write_csv(tmp_path / "cdm.csv")
    out = tmp_path / "p.csv"
    run(cdm, [plan_row(1, "update_description", 5, "99215", text="=HYPERLINK(\"x\")")], out)
    assert read_rows(out, skip=1)[4][1] == "'=HYPERLINK(\"x\")"


# ---------------------------------------------------------------- checks


def test_hash_mismatch_refused_then_forced(tmp_path: Path) -> None:
    cdm = write_csv(tmp_path / "cdm.csv")
    table, identity = make_plan(ALL_ACTIONS, cdm)
    identity.chargemaster_sha256 = "ab" * 32
    out = tmp_path / "p.csv"
    with pytest.raises(UpdaterError) as exc:
        apply_plan(table, identity, cdm, out, new_releases=RELEASES)
    assert str(exc.value) == (
        f"{cdm}: the chargemaster is not the one the plan was made from (sha256 "
        f"{sha(cdm)[:12]}, the plan's abababababab); make a new plan from this chargemaster, "
        "or use --force to apply anyway (recorded in the audit log)")
    assert not out.exists() and not (tmp_path / AUDIT_LOG).exists()
    result = apply_plan(table, identity, cdm, out, new_releases=RELEASES, force=True)
    assert result.forced
    audit = json.loads((tmp_path / AUDIT_LOG).read_text().splitlines()[-1])
    assert audit["forced"] is True


@pytest.mark.parametrize(("code", "why"), [
    ("99999", "99999 is not in the new release cpt:2026"),
    ("J1200", "J1200 is terminated (2025-07-01) in the new release hcpcs:2026")])
def test_invalid_code_refused_with_plan_row(tmp_path: Path, code: str, why: str) -> None:
    cdm = write_csv(tmp_path / "cdm.csv")
    rows = [plan_row(1, "retire", 1, "99211"),
            plan_row(7, "replace", 2, "99212", "99213", decision="changed", replacement=code)]
    with pytest.raises(UpdaterError, match="^" + re.escape(f"plan row 7: {why};")):
        run(cdm, rows, tmp_path / "p.csv")
    assert not (tmp_path / "p.csv").exists()


def test_header_code_refused(tmp_path: Path) -> None:
    cdm = write_csv(tmp_path / "cdm.csv")
    icd = make_release([("M17", "header", "x", "x")], system=CodeSystem.ICD10CM)
    table, identity = make_plan([plan_row(3, "replace", 2, "99212", "9921X")], cdm)
    with pytest.raises(UpdaterError, match="plan row 3"):
        apply_plan(table, identity, cdm, tmp_path / "p.csv",
                   new_releases={**RELEASES, "cpt": icd})


def test_changed_decision_uses_replacement(tmp_path: Path) -> None:
    cdm = write_csv(tmp_path / "cdm.csv")
    out = tmp_path / "p.csv"
    run(cdm, [plan_row(1, "replace", 2, "99212", "99213", decision="changed",
                       replacement="99214")], out)
    assert read_rows(out, skip=1)[2][2] == "99214"


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    cdm = write_csv(tmp_path / "cdm.csv")
    out = tmp_path / "p.csv"
    result = run(cdm, ALL_ACTIONS, out, dry_run=True)
    kinds = [c["kind"] for c in result.changes]
    # 4 cells; 3 inserted lines; their code and effective date, and the blank charge code
    # of the 2 split lines
    assert (kinds.count("cell"), kinds.count("insert"), kinds.count("inserted_cell")) == (
        4, 3, 8)
    assert "dry run, nothing written" in result.summary_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdm.csv"]


def test_revert_refuses_changed_file(tmp_path: Path) -> None:
    cdm = write_csv(tmp_path / "cdm.csv")
    out = tmp_path / "p.csv"
    run(cdm, ALL_ACTIONS, out)
    out.write_bytes(out.read_bytes() + b"\n")
    with pytest.raises(UpdaterError, match="changed since apply wrote it"):
        revert(changelog_paths(out)[1], out, tmp_path / "r.csv")
    assert revert(changelog_paths(out)[1], out, tmp_path / "r.csv", force=True).forced


# ---------------------------------------------------------------- XLSX


def write_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "CDM"
    ws.append(["Synthetic Hospital chargemaster"])
    ws.append([])
    ws.append(HEADER)
    for r in LINES:
        cells: list[object] = [int(r[0]), r[1], r[2], r[3], float(r[4]), r[5],
                               datetime(2020, 1, 1), None]
        ws.append(cells)
    for row in ws.iter_rows(min_row=4, min_col=7, max_col=8):
        for cell in row:
            cell.number_format = "mm/dd/yyyy"
    ws.cell(4, 5).number_format = "#,##0.00"
    other = wb.create_sheet("Notes")
    other.append(["keep", "me", 1])
    wb.save(path)
    return path


def sheet_values(path: Path) -> dict[str, list[list[object]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}


def test_xlsx_every_action_and_revert(tmp_path: Path) -> None:
    cdm = write_xlsx(tmp_path / "cdm.xlsx")
    before = sha(cdm)
    out = tmp_path / "patched.xlsx"
    rows = [*ALL_ACTIONS,
            plan_row(8, "update_description", 3, "J0001", text="@SUM(A1)", charge="1003")]
    result = run(cdm, rows, out)
    assert sha(cdm) == before
    wb = openpyxl.load_workbook(out)
    ws = wb["CDM"]
    assert ws.cell(1, 1).value == "Synthetic Hospital chargemaster"
    assert [c.value for c in ws[3]] == HEADER
    assert ws.cell(4, 8).value == datetime(2025, 12, 31)  # a real date cell
    assert ws.cell(4, 8).number_format == "mm/dd/yyyy"
    new = [c.value for c in ws[6]]  # inserted after input row 2 (sheet row 5)
    assert new == [1002, "Office visit mid", "99213", "0510", 150.0, "A",
                   datetime(2026, 1, 1), None]
    assert [c.value for c in ws[9]][:3] == [None, "Lab thing", "99214"]
    assert [c.value for c in ws[10]][:3] == [None, "Lab thing", "0042T"]
    # text a spreadsheet could run is written as text and defused, as in every writer
    assert ws.cell(7, 2).value == "'@SUM(A1)" and ws.cell(7, 2).data_type == "s"
    assert ws.max_row == 3 + 8
    assert [list(r) for r in wb["Notes"].iter_rows(values_only=True)] == [["keep", "me", 1]]
    assert result.counts["rows_out"] == 8
    restored = tmp_path / "restored.xlsx"
    revert(changelog_paths(out)[1], out, restored)
    assert sheet_values(restored) == sheet_values(cdm)
    wr = openpyxl.load_workbook(restored)["CDM"]
    assert wr.cell(4, 8).number_format == "mm/dd/yyyy"
    # idempotent
    again = tmp_path / "again.xlsx"
    second = run_again(out, rows, cdm, again)
    assert second.changes == []
    assert sheet_values(again) == sheet_values(out)


# ---------------------------------------------------------------- CLI


def test_cli_apply_and_revert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cdm = write_csv(tmp_path / "cdm.csv")
    table, identity = make_plan(ALL_ACTIONS, cdm)
    from updater.plan import plan_file as plan_module
    class FakePlan:
        def __init__(self) -> None:
            self.table, self.identity = table, identity

    monkeypatch.setattr(plan_module, "read_plan_json", lambda p: FakePlan())
    import updater.patch.apply as apply_module

    real = apply_module.check_codes
    monkeypatch.setattr(apply_module, "check_codes",
                        lambda steps, ident, rel, store: real(steps, ident, RELEASES, store))
    plan_file = tmp_path / "plan.json"
    plan_file.write_text("{}")
    out = tmp_path / "p.csv"
    runner = CliRunner()
    res = runner.invoke(app, ["apply", str(plan_file), "--chargemaster", str(cdm), "--out",
                              str(out), "--user", "alice"])
    assert res.exit_code == 0, res.output
    assert "plan rows applied: 4" in res.output and "lines inserted: 3" in res.output
    assert json.loads((tmp_path / AUDIT_LOG).read_text())["user"] == "alice"
    res = runner.invoke(app, ["revert", str(changelog_paths(out)[0]), "--chargemaster",
                              str(out), "--out", str(tmp_path / "r.csv")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "r.csv").read_bytes() == cdm.read_bytes()
    identity.chargemaster_sha256 = "0" * 64
    res = runner.invoke(app, ["apply", str(plan_file), "--chargemaster", str(cdm), "--out",
                              str(tmp_path / "x.csv")])
    assert res.exit_code == 2
    assert res.output.count("\n") == 1 and "use --force" in res.output


def test_conflicting_rows_refused(tmp_path: Path) -> None:
    cdm = write_csv(tmp_path / "cdm.csv")
    rows = [plan_row(1, "retire", 2, "99212"), plan_row(2, "replace", 2, "99212", "99213")]
    with pytest.raises(UpdaterError, match=r"^plan rows 1 and 2 both change the code of the "
                       r"line at row 2 "):
        run(cdm, rows, tmp_path / "p.csv")
    # the same change twice is no conflict; a description and a code change neither
    same = [plan_row(1, "retire", 2, "99212"), plan_row(2, "retire", 2, "99212"),
            plan_row(3, "update_description", 2, "99212", text="New")]
    result = run(cdm, same, tmp_path / "p.csv")
    assert result.counts["already_applied"] == 1 and result.counts["applied"] == 2


@pytest.mark.parametrize("dated", [True, False])
def test_duplicate_charge_codes_placed_by_row(tmp_path: Path, dated: bool) -> None:
    """One charge code on three lines with the same code (campus copies): each plan row
    acts on its own row, and applying again changes nothing."""
    line = ["2001", "Visit", "99211", "0510", "10.00", "A", "01/01/2020", ""]
    lines = [list(line), list(line), list(line)]
    lines[1][1] = "Visit west"
    header = HEADER if dated else HEADER[:6]
    lines = lines if dated else [r[:6] for r in lines]
    cdm = write_csv(tmp_path / "cdm.csv", lines, header)
    rows = [plan_row(1, "replace", 1, "99211", "99213", charge="2001"),
            plan_row(2, "retire", 3, "99211", charge="2001")]
    out = tmp_path / "p.csv"
    result = run(cdm, rows, out)
    got = read_rows(out, skip=1)
    if dated:
        assert [r[2] for r in got] == ["99211", "99213", "99211", "99211"]
        assert [r[7] for r in got] == ["12/31/2025", "", "", "12/31/2025"]
    else:
        assert got == [["2001", "Visit", "99213", "0510", "10.00", "A"],
                       ["2001", "Visit west", "99211", "0510", "10.00", "A"],
                       ["2001", "Visit", "99211", "0510", "10.00", "I"]]
    assert result.counts["applied"] == 2
    again = run_again(out, rows, cdm, tmp_path / "again.csv")
    assert again.changes == [] and again.counts["already_applied"] == 2
    assert (tmp_path / "again.csv").read_bytes() == out.read_bytes()


def test_utf16_unicode_text_written_back_in_utf16_with_its_bom(tmp_path: Path) -> None:
    """Excel's "Unicode text" (UTF-16 LE, BOM, tabs, CRLF): patched in the same encoding."""
    (tmp_path / "twin").mkdir()
    twin = write_csv(tmp_path / "twin" / "cdm.csv", delimiter="\t", newline="\r\n")
    cdm = tmp_path / "cdm.txt"
    cdm.write_bytes(b"\xff\xfe" + twin.read_bytes().decode("utf-8").encode("utf-16-le"))
    out, twin_out = tmp_path / "p.txt", tmp_path / "twin" / "p.csv"
    run(cdm, ALL_ACTIONS, out)
    run(twin, ALL_ACTIONS, twin_out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xff\xfe") and not raw.startswith(b"\xff\xfe\x00\x00")
    assert raw[2:].decode("utf-16-le") == twin_out.read_bytes().decode("utf-8")
    restored = tmp_path / "r.txt"
    revert(changelog_paths(out)[1], out, restored)
    assert restored.read_bytes() == cdm.read_bytes()
