"""The review workbook: layout, a reviewer's edits read back, formula injection."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook
from test_plan import CDM_FINDINGS, XW_FINDINGS, scan_result

from updater.errors import UpdaterError
from updater.plan.make import make_plan
from updater.plan.plan_file import read_plan
from updater.plan.seal import ROW_CHECK
from updater.plan.workbook import HEADERS, SHEET_ORDER, read_workbook, write_workbook


@pytest.fixture
def written(tmp_path):
    plan = make_plan(scan_result(CDM_FINDINGS + XW_FINDINGS), chargemaster=None,
                     crosswalk=None)
    path = tmp_path / "plan.xlsx"
    write_workbook(plan, path)
    return plan, path


def column(ws, name: str) -> int:
    return [c.value for c in ws[1]].index(HEADERS[name]) + 1


def test_sheets_header_filter_and_dropdown(written):
    plan, path = written
    wb = load_workbook(path)
    assert wb.sheetnames == ["Summary", "Plan", "Plan identity"]
    ws = wb["Plan"]
    assert [c.value for c in ws[1]] == [*(HEADERS[c] for c in SHEET_ORDER), ROW_CHECK]
    assert ws.column_dimensions[ws.cell(1, len(SHEET_ORDER) + 1).column_letter].hidden
    # the codes and the Decision stay in view: frozen left of column G, above row 2
    assert ws.freeze_panes == "G2"
    assert [c.value for c in ws[1]][:6] == ["Plan row", "Action", "Charge code", "Old code",
                                            "Proposed code(s)", "Decision"]
    assert ws.auto_filter.ref == f"A1:Y{len(plan.table) + 1}"
    validations = ws.data_validations.dataValidation
    assert len(validations) == 2  # the Decision list and the Reviewed on date
    dv = next(v for v in validations if v.type == "list")
    assert dv.type == "list" and dv.formula1 == '"Approve,Reject,Change,Pending"'
    letter = ws.cell(1, column(ws, "decision")).column_letter
    assert str(dv.sqref) == f"{letter}2:{letter}{len(plan.table) + 1}"
    repl = ws.cell(2, column(ws, "replacement"))
    assert repl.fill.fgColor.rgb.endswith("FFF2CC") and repl.number_format == "@"
    assert ws.cell(2, column(ws, "decision")).value in {"Approve", "Pending"}
    assert ws.column_dimensions[ws.cell(1, column(ws, "reason")).column_letter].width == 40
    action_cells = {ws.cell(r, column(ws, "action")).value:
                    ws.cell(r, column(ws, "action")).fill.fgColor.rgb
                    for r in range(2, ws.max_row + 1)}
    assert len(set(action_cells.values())) == len(action_cells) == 7  # one colour per action


def test_summary_and_identity_sheets(written):
    plan, path = written
    wb = load_workbook(path)
    summary = [[c for c in row if c is not None] for row in wb["Summary"].iter_rows(
        values_only=True)]
    assert summary[0] == ["Migration plan", plan.identity.plan_id]
    assert ["Action", "Approve", "Pending", "Reject", "Change", "Total"] in summary
    assert ["replace", 1, 1, 0, 0, 2] in summary
    assert ["Charges at risk (price x annual volume)", 1075.5] in summary
    assert any(row and row[0] == "How to review" for row in summary)
    ident = {row[0]: row[1] for row in wb["Plan identity"].iter_rows(min_row=2,
                                                                     values_only=True)}
    assert ident["plan_id"] == plan.identity.plan_id
    assert '"hcpcs:2026"' in ident["releases"]


def test_round_trip_unchanged(written):
    plan, path = written
    back = read_workbook(path)
    pd.testing.assert_frame_equal(back.table, plan.table)
    assert back.identity == plan.identity
    assert read_plan(path).identity == plan.identity


def test_reviewer_edits_read_back(written):
    plan, path = written
    wb = load_workbook(path)
    ws = wb["Plan"]
    dec, repl = column(ws, "decision"), column(ws, "replacement")
    ws.cell(2, dec).value = "reject"  # any letter case
    ws.cell(3, dec).value = "Change"
    ws.cell(3, repl).value = "j3005"
    ws.cell(4, dec).value = "CHANGE"
    ws.cell(4, repl).value = 100  # Excel made a typed 00100 a number
    ws.cell(5, dec).value = None  # blank counts as pending
    ws.cell(6, dec).value = "Approve"
    wb.save(path)
    back = read_workbook(path).table
    assert back["decision"].iloc[:5].tolist() == ["rejected", "changed", "changed", "pending",
                                                   "approved"]
    assert back["replacement"].iloc[:3].tolist() == ["", "J3005", "00100"]
    assert back["default_decision"].tolist() == plan.table["default_decision"].tolist()
    assert back["plan_row"].tolist() == plan.table["plan_row"].tolist()


def test_unknown_decision_is_a_user_error(written):
    _, path = written
    wb = load_workbook(path)
    ws = wb["Plan"]
    ws.cell(3, column(ws, "decision")).value = "Maybe"
    wb.save(path)
    with pytest.raises(UpdaterError, match=r"row 3: Decision 'Maybe' is not one of Approve, "
                                           "Reject, Change, Pending"):
        read_workbook(path)


def test_missing_sheet_is_a_user_error(written):
    _, path = written
    wb = load_workbook(path)
    del wb["Plan identity"]
    wb.save(path)
    with pytest.raises(UpdaterError, match="no sheet 'Plan identity'"):
        read_workbook(path)


def test_formula_text_stays_text(written):
    _, path = written
    wb = load_workbook(path)
    ws = wb["Plan"]
    col = column(ws, "description")
    cells = [ws.cell(r, col) for r in range(2, ws.max_row + 1)]
    risky = [c for c in cells if "HYPERLINK" in str(c.value)]
    assert len(risky) == 1
    cell = risky[0]
    assert cell.data_type == "s" and cell.value.startswith("'=")
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    back = read_workbook(path).table
    assert '=HYPERLINK("http://x","click")' in back["description"].tolist()
