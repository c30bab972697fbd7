"""Reviewers sign the workbook (Reviewer, Reviewed on, Comment), apply carries the signature
into its change log and the audit log, `updater run` keeps it; the workbook prints
landscape, one page wide, header on every page; money looks like money; the codes and the
Decision stay in view."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from test_apply import LINES, RELEASES, plan_row, write_csv
from test_apply import make_plan as plan_table
from test_cycle import _plan_for
from test_plan import CDM_FINDINGS, XW_FINDINGS, scan_result

from updater.errors import UpdaterError
from updater.patch.apply import apply_plan
from updater.patch.audit import AUDIT_LOG
from updater.patch.logs import changelog_paths
from updater.plan import model as P
from updater.plan.make import make_plan
from updater.plan.merge import merge_reviewed
from updater.plan.plan_file import read_plan_json, write_plan_json
from updater.plan.workbook import FROZEN, HEADERS, MONEY_FORMAT, read_workbook, write_workbook


@pytest.fixture
def book(tmp_path: Path):
    plan = make_plan(scan_result(CDM_FINDINGS + XW_FINDINGS))
    path = tmp_path / "plan.xlsx"
    write_workbook(plan, path)
    return plan, path


def col(ws, name: str) -> int:
    return [c.value for c in ws[1]].index(HEADERS[name]) + 1


def test_reviewer_columns_are_editable_and_read_back(book):
    _plan, path = book
    wb = load_workbook(path)
    ws = wb["Plan"]
    for name in (P.REVIEWER, P.REVIEWED_ON, P.COMMENT, P.DECISION, P.REPLACEMENT):
        assert ws.cell(2, col(ws, name)).fill.fgColor.rgb.endswith("FFF2CC"), name
    ws.cell(2, col(ws, P.REVIEWER)).value = "A. Coder, CPC"
    ws.cell(2, col(ws, P.REVIEWED_ON)).value = datetime(2025, 12, 1)  # a date cell
    ws.cell(2, col(ws, P.COMMENT)).value = "'=checked with pharmacy"  # typed as text
    ws.cell(3, col(ws, P.REVIEWED_ON)).value = "12/02/2025"  # typed as text
    wb.save(path)
    back = read_workbook(path).table
    assert back[P.REVIEWER].iloc[:2].tolist() == ["A. Coder, CPC", ""]
    assert back[P.REVIEWED_ON].iloc[:3].tolist() == ["2025-12-01", "2025-12-02", ""]
    assert back[P.COMMENT].iloc[0] == "=checked with pharmacy"
    # written again, the date is a date cell and the comment stays text
    again = path.with_name("again.xlsx")
    write_workbook(read_workbook(path), again)
    ws2 = load_workbook(again)["Plan"]
    cell = ws2.cell(2, col(ws2, P.REVIEWED_ON))
    assert isinstance(cell.value, datetime) and cell.number_format == "yyyy-mm-dd"
    assert ws2.cell(2, col(ws2, P.COMMENT)).data_type == "s"
    pd.testing.assert_frame_equal(read_workbook(again).table, read_workbook(path).table)


def test_a_reviewed_on_that_is_no_date_names_its_row(book):
    _, path = book
    wb = load_workbook(path)
    ws = wb["Plan"]
    ws.cell(4, col(ws, P.REVIEWED_ON)).value = "next Tuesday"
    wb.save(path)
    with pytest.raises(UpdaterError) as err:
        read_workbook(path)
    assert str(err.value) == (f"{path}, sheet 'Plan', row 4: Reviewed on 'next Tuesday' is "
                              "not a date; write the date as YYYY-MM-DD (or pick it in Excel)")


def test_print_setup_money_and_frozen_codes(book):
    _plan, path = book
    wb = load_workbook(path)
    ws = wb["Plan"]
    assert ws.page_setup.orientation == "landscape"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$1:$1"  # the header row on every page
    assert ws.print_area.startswith("'Plan'!$A$1:")
    # the frozen columns are the codes and the Decision, the Decision last
    frozen = [c.value for c in ws[1]][:len(FROZEN)]
    assert frozen[-1] == "Decision" and {"Old code", "Proposed code(s)"} <= set(frozen)
    assert ws.freeze_panes == ws.cell(2, len(FROZEN) + 1).coordinate
    money = ws.cell(2, col(ws, P.CHARGES_AT_RISK))
    assert money.number_format == MONEY_FORMAT and money.value == 1000.0
    summary = wb["Summary"]
    at_risk = next(r for r in summary.iter_rows() if str(r[0].value).startswith("Charges at"))
    assert at_risk[1].number_format == MONEY_FORMAT and at_risk[1].value == 1075.5
    dates = [v for v in ws.data_validations.dataValidation if v.type == "date"]
    assert len(dates) == 1 and str(dates[0].sqref).startswith(
        ws.cell(2, col(ws, P.REVIEWED_ON)).column_letter)


def test_an_older_workbook_and_plan_json_without_the_new_columns_still_read(book, tmp_path):
    plan, path = book
    wb = load_workbook(path)
    ws = wb["Plan"]
    for name in (P.COMMENT, P.REVIEWED_ON, P.REVIEWER, P.OLD_TITLE):
        ws.delete_cols(col(ws, name))
    wb.save(path)
    back = read_workbook(path).table
    assert (back[[P.REVIEWER, P.REVIEWED_ON, P.COMMENT, P.OLD_TITLE]] == "").all().all()
    assert back[P.DECISION].tolist() == plan.table[P.DECISION].tolist()
    json_path = tmp_path / "plan.json"
    write_plan_json(plan, json_path)
    data = json.loads(json_path.read_text())
    for row in data["rows"]:
        for key in (P.REVIEWER, P.REVIEWED_ON, P.COMMENT, P.OLD_TITLE):
            del row[key]
    json_path.write_text(json.dumps(data))
    assert (read_plan_json(json_path).table[P.COMMENT] == "").all()


def test_apply_writes_the_signature_into_its_logs(tmp_path):
    cdm = write_csv(tmp_path / "cdm.csv")
    rows = [plan_row(1, "retire", 1, "99211"), plan_row(2, "replace", 2, "99212", "99213"),
            plan_row(4, "update_description", 5, "99215", text="Synthetic visit, level 5")]
    rows[0] |= {P.REVIEWER: "A. Coder", P.REVIEWED_ON: "2025-12-01", P.COMMENT: "no volume"}
    rows[1] |= {P.REVIEWER: "A. Coder", P.REVIEWED_ON: "2025-12-01"}
    table, ident = plan_table(rows, cdm)
    out = tmp_path / "out.csv"
    result = apply_plan(table, ident, cdm, out, new_releases=RELEASES, user="tester")
    log = pd.read_csv(changelog_paths(out)[0], dtype=str, keep_default_na=False)
    by_row = log.groupby("plan_row").first()
    assert by_row.loc["1", ["decision", "reviewer", "reviewed_on", "comment"]].tolist() == [
        "approved", "A. Coder", "2025-12-01", "no volume"]
    assert by_row.loc["4", "reviewer"] == ""
    audit = json.loads((tmp_path / AUDIT_LOG).read_text().splitlines()[-1])
    assert audit["reviews"] == [
        {"reviewer": "A. Coder", "reviewed_on": "2025-12-01", "plan_rows": [1, 2]},
        {"reviewer": "", "reviewed_on": "", "plan_rows": [4]}]
    text = result.summary_text()
    assert "  signed by A. Coder on 2025-12-01: 2 plan row(s) (1, 2)" in text
    assert "  no reviewer named: 1 plan row(s) (4)" in text
    assert LINES[0][0] in out.read_text()


def test_run_again_keeps_the_signature():
    def row(n: int, **kw: str) -> dict:
        return {P.SOURCE_ROW: n, P.CHARGE_CODE: f"C{n}", P.OLD_CODE: f"X{n}",
                P.ACTION: "replace", P.DECISION: "pending", P.DEFAULT_DECISION: "pending",
                P.REASON: "why"} | kw

    reviewed = _plan_for([row(1, **{P.COMMENT: "waiting for pharmacy"}),
                          row(2, **{P.DECISION: "approved", P.REVIEWER: "B",
                                    P.REVIEWED_ON: "2025-12-03"})])
    merge = merge_reviewed(_plan_for([row(1), row(2)]), reviewed)  # type: ignore[arg-type]
    t = merge.plan.table.set_index(P.CHARGE_CODE)
    assert t.loc["C1", P.COMMENT] == "waiting for pharmacy"  # a comment alone is kept
    assert t.loc["C1", P.DECISION] == "pending"
    assert t.loc["C2", [P.DECISION, P.REVIEWER, P.REVIEWED_ON]].tolist() == [
        "approved", "B", "2025-12-03"]
    assert merge.kept == 2


def test_signed_in_the_workbook_recorded_by_apply(tmp_path):
    """The whole way: the sample's plan.xlsx signed in its cells, read back by apply, the
    signature in the change log and the audit log."""
    from updater.cycle.sample import sample_chargemasters_dir, sample_scan_pairs
    from updater.impact.scan import run_scan
    from updater.plan.plan_file import read_plan

    pairs = sample_scan_pairs()
    cdm = sample_chargemasters_dir() / "sample-cdm.csv"
    result, _ = run_scan(chargemaster=cdm, crosswalk=None, old=[str(o) for o, _ in pairs],
                         new=[str(n) for _, n in pairs], store=tmp_path / "store")
    path = tmp_path / "plan.xlsx"
    write_workbook(make_plan(result), path)
    wb = load_workbook(path)
    ws = wb["Plan"]
    approved = [r for r in range(2, ws.max_row + 1)
                if ws.cell(r, col(ws, P.DECISION)).value == "Approve"]
    assert approved
    first = approved[0]
    ws.cell(first, col(ws, P.REVIEWER)).value = "C. Coordinator"
    ws.cell(first, col(ws, P.REVIEWED_ON)).value = datetime(2025, 12, 5)
    ws.cell(first, col(ws, P.COMMENT)).value = "XREF checked"
    plan_row_number = ws.cell(first, col(ws, P.PLAN_ROW)).value
    wb.save(path)
    out = tmp_path / "cdm-out.csv"
    apply_plan(read_plan(path), chargemaster=cdm, out=out, store=tmp_path / "store",
               user="tester")
    log = pd.read_csv(changelog_paths(out)[0], dtype=str, keep_default_na=False)
    mine = log[log["plan_row"] == str(plan_row_number)]
    assert len(mine) and set(mine["reviewer"]) == {"C. Coordinator"}
    assert set(mine["reviewed_on"]) == {"2025-12-05"} and set(mine["comment"]) == {
        "XREF checked"}
    audit = json.loads((tmp_path / AUDIT_LOG).read_text().splitlines()[-1])
    signed = [r for r in audit["reviews"] if r["reviewer"] == "C. Coordinator"]
    assert signed == [{"reviewer": "C. Coordinator", "reviewed_on": "2025-12-05",
                       "plan_rows": [plan_row_number]}]
