"""updater apply on a crosswalk: ended pairs end-dated (or set inactive), added pairs right
after the pair they replace, logged, audited, idempotent and reverted cell for cell."""

from __future__ import annotations

import hashlib
import json
import tempfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import make_release
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_apply import RELEASES, read_rows, write_csv
from test_apply import plan_row as cdm_row
from test_apply_properties import check
from typer.testing import CliRunner

from updater.cli import app
from updater.errors import UpdaterError
from updater.patch.apply import apply_plan
from updater.patch.audit import AUDIT_LOG
from updater.patch.logs import changelog_paths
from updater.patch.revert import revert
from updater.plan.model import PLAN_COLUMNS, PlanIdentity

ICD = make_release([("M1711", "code", "Synthetic knee", "Synthetic knee"),
                    ("M1712", "code", "Synthetic knee 2", "Synthetic knee 2"),
                    ("M171", "header", "Synthetic header", "Synthetic header"),
                    ("L0301", "code", "Synthetic skin", "Synthetic skin")],
                   version="FY2026", effective=date(2025, 10, 1))
ALL = {**RELEASES, "icd10cm": ICD}
HEADER = ["Procedure Code", "ICD-10-CM", "Policy", "Effective Date", "End Date"]
PAIRS = [["20610", "M17.10", "P-1", "10/01/2020", ""],
         ["20610", "M25.01", "P-1", "10/01/2020", ""],
         ["99212", "L03.01", "P-2", "10/01/2020", "12/31/9999"],
         ["20611", "M17.10", "P-3", "10/01/2020", ""]]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pair_row(n: int, action: str, source_row: int, old: str, procedure: str, diagnosis: str,
             proposed: str = "", *, decision: str = "approved", replacement: str = "",
             system: str = "icd10cm") -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(PLAN_COLUMNS, "")
    effective = "2025-10-01" if system == "icd10cm" else "2026-01-01"
    row.update({"plan_row": n, "section": "crosswalk", "action": action,
                "source_row": source_row, "old_code": old, "proposed_codes": proposed,
                "effective": effective, "decision": decision, "default_decision": "pending",
                "replacement": replacement,
                "system": system, "procedure": procedure, "diagnosis": diagnosis})
    return row


# M17.10 deleted -> M17.11 (one-to-one), 99212 deleted -> 99213 (procedure side)
PLAN = [pair_row(1, "end_pair", 1, "M1710", "20610", "M1710"),
        pair_row(2, "add_pair", 1, "M1710", "20610", "M1711", "M1711"),
        pair_row(3, "end_pair", 3, "99212", "99212", "L0301", system="cpt"),
        pair_row(4, "add_pair", 3, "99212", "99213", "L0301", "99213", system="cpt"),
        pair_row(5, "end_pair", 4, "M1710", "20611", "M1710", decision="pending"),
        pair_row(6, "add_pair", 4, "M1710", "20611", "M1711", "M1711", decision="pending")]


def identity(crosswalk: Path | None = None, cdm: Path | None = None) -> PlanIdentity:
    return PlanIdentity(plan_id="plan-x", created="2025-08-01T00:00:00Z",
                        crosswalk=str(crosswalk or ""),
                        crosswalk_sha256=sha(crosswalk) if crosswalk else "",
                        chargemaster=str(cdm or ""), chargemaster_sha256=sha(cdm) if cdm else "")


def table(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(PLAN_COLUMNS))


def run(xw: Path, rows: list[dict[str, object]], out: Path, *, plan_of: Path | None = None,
        **kw: object):
    return apply_plan(table(rows), identity(plan_of or xw), crosswalk=xw, crosswalk_out=out,
                      new_releases=ALL, user="tester", **kw)


def test_long_csv_end_and_add(tmp_path: Path) -> None:
    xw = write_csv(tmp_path / "xw.csv", PAIRS, HEADER, titles=["Synthetic crosswalk"])
    before = xw.read_bytes()
    out = tmp_path / "out" / "xw-patched.csv"
    out.parent.mkdir()
    result = run(xw, PLAN, out)
    assert xw.read_bytes() == before
    assert result.kind == "crosswalk" and result.crosswalk is None
    assert out.read_text().startswith("Synthetic crosswalk\nProcedure Code,")
    assert read_rows(out, skip=2) == [
        ["20610", "M17.10", "P-1", "10/01/2020", "09/30/2025"],
        ["20610", "M17.11", "P-1", "10/01/2025", ""],  # right after the pair it replaces
        ["20610", "M25.01", "P-1", "10/01/2020", ""],
        ["99212", "L03.01", "P-2", "10/01/2020", "12/31/2025"],
        ["99213", "L03.01", "P-2", "01/01/2026", "12/31/9999"],  # as open as the old pair
        ["20611", "M17.10", "P-3", "10/01/2020", ""],  # pending: untouched
    ]
    c = result.counts
    assert (c["end_pair"], c["add_pair"], c["applied"], c["not_applied"]) == (2, 2, 4, 2)
    assert (c["rows_in"], c["rows_out"], c["rows_inserted"], c["cells_changed"]) == (4, 6, 2, 2)
    log = pd.read_csv(changelog_paths(out)[0], dtype=str, keep_default_na=False)
    assert set(log["file"]) == {str(out)}
    assert list(log["kind"]) == ["cell", "insert", "inserted_cell", "inserted_cell", "cell",
                                 "insert", "inserted_cell", "inserted_cell"]
    assert list(log["plan_row"]) == ["1", "2", "2", "2", "3", "4", "4", "4"]
    meta = json.loads(changelog_paths(out)[1].read_text())
    assert meta["kind"] == "crosswalk" and meta["crosswalk"] == str(xw)
    audit = [json.loads(x) for x in (out.parent / AUDIT_LOG).read_text().splitlines()]
    assert len(audit) == 1 and audit[0]["chargemaster"] is None
    assert audit[0]["crosswalk"]["output_sha256"] == sha(out)
    assert audit[0]["crosswalk"]["input_sha256"] == sha(xw)
    # revert: byte for byte
    restored = tmp_path / "restored.csv"
    back = revert(changelog_paths(out)[1], out, restored)
    assert back.identical and restored.read_bytes() == before
    # idempotent on its own output (found by its change log, no --force)
    again = tmp_path / "again.csv"
    second = run(out, PLAN, again, plan_of=xw)
    assert second.changes == [] and not second.forced
    assert second.counts["already_applied"] == 4
    assert again.read_bytes() == out.read_bytes()


def test_status_column_and_pair_already_there(tmp_path: Path) -> None:
    header = ["CPT", "Dx Code", "Active"]
    rows = [["20610", "M17.10", "Y"], ["20610", "M17.11", "Y"], ["20611", "M17.10", "Y"]]
    xw = write_csv(tmp_path / "xw.csv", rows, header)
    out = tmp_path / "p.csv"
    plan = [pair_row(1, "end_pair", 1, "M1710", "20610", "M1710"),
            pair_row(2, "add_pair", 1, "M1710", "20610", "M1711", "M1711"),
            pair_row(3, "end_pair", 3, "M1710", "20611", "M1710", decision="changed",
                     replacement="M17.12, M17.11")]
    result = run(xw, plan, out)
    assert read_rows(out, skip=1) == [["20610", "M17.10", "N"], ["20610", "M17.11", "Y"],
                                      ["20611", "M17.10", "N"], ["20611", "M17.12", "Y"],
                                      ["20611", "M17.11", "Y"]]
    assert result.skipped == [{"plan_row": 2, "action": "add_pair", "reason":
                               "already applied: 20610 with M1711 already in the crosswalk"}]
    assert result.counts["end_pair"] == 2 and result.counts["add_pair"] == 0
    assert run(out, plan, tmp_path / "again.csv", plan_of=xw).changes == []


def test_no_successor_for_a_pair_ended_before(tmp_path: Path) -> None:
    rows = [["20610", "M17.10", "N"], ["20611", "M17.10", "Y"]]
    xw = write_csv(tmp_path / "xw.csv", rows, ["CPT", "Dx Code", "Status"])
    plan = [pair_row(1, "add_pair", 1, "M1710", "20610", "M1711", "M1711"),
            pair_row(2, "add_pair", 2, "M1710", "20611", "M1711", "M1711")]
    result = run(xw, plan, tmp_path / "p.csv")
    assert read_rows(tmp_path / "p.csv", skip=1) == [*rows, ["20611", "M17.11", "Y"]]
    assert result.skipped == [{"plan_row": 1, "action": "add_pair", "reason":
                               "not added: the pair it replaces (20610 with M1710) had "
                               "ended before this plan"}]


def test_no_end_date_or_status_is_refused(tmp_path: Path) -> None:
    xw = write_csv(tmp_path / "xw.csv", [r[:3] for r in PAIRS], HEADER[:3])
    out = tmp_path / "p.csv"
    with pytest.raises(UpdaterError) as err:
        run(xw, PLAN, out)
    assert str(err.value) == (
        f"{xw}: plan row 1: the crosswalk has no end date or status column to end a pair "
        "with; add an 'End Date' or 'Status' column to the crosswalk (updater never removes "
        "a pair), or reject the end_pair rows and remove those pairs yourself")
    assert not out.exists()
    # adding pairs alone needs no such column
    adds = [r for r in PLAN if r["action"] == "add_pair"]
    result = run(xw, adds, out)
    assert result.counts["rows_out"] == 6 and result.counts["add_pair"] == 2


def test_wide_crosswalk_is_refused_not_corrupted(tmp_path: Path) -> None:
    xw = write_csv(tmp_path / "wide.csv", [["20610", '"M17.10, M25.01"', "10/01/2020", ""]],
                   ["CPT/HCPCS", "Covered Diagnoses", "Effective Date", "End Date"])
    out = tmp_path / "p.csv"
    with pytest.raises(UpdaterError, match="this one is wide"):
        run(xw, PLAN[:2], out)
    assert not out.exists()
    two = write_csv(tmp_path / "two.csv", [["20610", "M17.10", "M25.01", ""]],
                    ["CPT", "Dx 1", "Dx 2", "End Date"])
    with pytest.raises(UpdaterError, match=r"wide \(2 diagnosis columns\)"):
        run(two, PLAN[:2], out)
    # nothing approved for the crosswalk: a wide one is copied unchanged
    result = run(xw, [pair_row(1, "end_pair", 1, "M1710", "20610", "M1710",
                               decision="rejected")], out)
    assert out.read_bytes() == xw.read_bytes() and result.changes == []


def test_crosswalk_hash_checked(tmp_path: Path) -> None:
    xw = write_csv(tmp_path / "xw.csv", PAIRS, HEADER)
    other = write_csv(tmp_path / "other.csv", PAIRS[:3], HEADER)
    with pytest.raises(UpdaterError, match="the crosswalk is not the one the plan was made"):
        run(other, PLAN, tmp_path / "p.csv", plan_of=xw)
    result = run(other, PLAN[:4], tmp_path / "p.csv", plan_of=xw, force=True)
    assert result.forced
    audit = json.loads((tmp_path / AUDIT_LOG).read_text().splitlines()[-1])
    assert audit["crosswalk"]["forced"] is True


def test_successor_not_in_the_new_release(tmp_path: Path) -> None:
    xw = write_csv(tmp_path / "xw.csv", PAIRS, HEADER)
    bad = [pair_row(2, "add_pair", 1, "M1710", "20610", "M171", "M171")]
    with pytest.raises(UpdaterError, match="plan row 2: M171 is a header, not a billable "
                                           "code, in the new release icd10cm:FY2026"):
        run(xw, bad, tmp_path / "p.csv")


def test_chargemaster_and_crosswalk_together(tmp_path: Path) -> None:
    cdm = write_csv(tmp_path / "cdm.csv")
    xw = write_csv(tmp_path / "xw.csv", PAIRS, HEADER)
    rows = [cdm_row(1, "replace", 2, "99212", "99213"), *PLAN]
    out, xw_out = tmp_path / "cdm-p.csv", tmp_path / "xw-p.csv"
    result = apply_plan(table(rows), identity(xw, cdm), cdm, out, crosswalk=xw,
                        crosswalk_out=xw_out, new_releases=ALL, user="tester")
    assert result.kind == "chargemaster" and result.counts["replace"] == 1
    assert result.crosswalk is not None and result.crosswalk.counts["add_pair"] == 2
    assert "crosswalk: wrote" in result.summary_text()
    assert changelog_paths(out)[1].is_file() and changelog_paths(xw_out)[1].is_file()
    audit = [json.loads(x) for x in (tmp_path / AUDIT_LOG).read_text().splitlines()]
    assert len(audit) == 1
    assert audit[0]["output_sha256"] == sha(out)
    assert audit[0]["crosswalk"]["output_sha256"] == sha(xw_out)
    # the chargemaster alone ignores the crosswalk rows
    alone = apply_plan(table(rows), identity(xw, cdm), cdm, tmp_path / "c2.csv",
                       new_releases=ALL, dry_run=True)
    assert alone.crosswalk is None and alone.counts["not_applied"] == 6
    assert alone.waiting == {"crosswalk": 4}
    assert ("NOT APPLIED: 4 approved crosswalk row(s) of the plan (give --crosswalk and "
            "--crosswalk-out to apply them)") in alone.summary_text()


def test_xlsx_crosswalk_keeps_its_workbook(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Pairs"
    ws.append(["Payer crosswalk (synthetic)"])
    ws.append(HEADER)
    for proc, dx, policy, eff, end in PAIRS:
        ws.append([proc, dx, policy, datetime.strptime(eff, "%m/%d/%Y"),
                   datetime(9999, 12, 31) if end else None])
        ws.cell(ws.max_row, 4).number_format = "mm/dd/yyyy"
        ws.cell(ws.max_row, 5).number_format = "mm/dd/yyyy"
    wb.create_sheet("Notes").append(["keep me"])
    xw = tmp_path / "xw.xlsx"
    wb.save(xw)
    out = tmp_path / "p.xlsx"
    result = run(xw, PLAN, out)
    got = openpyxl.load_workbook(out)
    assert got.sheetnames == ["Pairs", "Notes"] and got["Notes"]["A1"].value == "keep me"
    rows = [list(r) for r in got["Pairs"].iter_rows(values_only=True)]
    assert rows[0][0] == "Payer crosswalk (synthetic)" and rows[1] == HEADER
    assert rows[2][:2] == ["20610", "M17.10"] and rows[2][4] == datetime(2025, 9, 30)
    assert rows[3][:2] == ["20610", "M17.11"] and rows[3][3] == datetime(2025, 10, 1)
    assert rows[3][4] is None
    assert got["Pairs"].cell(4, 4).number_format == "mm/dd/yyyy"
    assert result.counts["rows_out"] == 6
    restored = tmp_path / "r.xlsx"
    revert(changelog_paths(out)[1], out, restored)
    a = [list(r) for r in openpyxl.load_workbook(restored)["Pairs"].iter_rows(values_only=True)]
    b = [list(r) for r in openpyxl.load_workbook(xw)["Pairs"].iter_rows(values_only=True)]
    assert a == b
    again = run(out, PLAN, tmp_path / "again.xlsx", plan_of=xw)
    assert again.changes == []


runner = CliRunner()


def test_cli_errors(tmp_path: Path) -> None:
    xw = write_csv(tmp_path / "xw.csv", PAIRS, HEADER)
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"schema_version": 1, "identity": identity(xw).__dict__,
                                "rows": [{**r, "charges_at_risk": None} for r in PLAN]}))
    got = runner.invoke(app, ["apply", str(plan), "--crosswalk", str(xw)])
    assert got.exit_code == 2
    assert got.output.strip() == (f"updater: error: {xw}: where to write the patched crosswalk?; "
                                  "give --crosswalk-out FILE")
    got = runner.invoke(app, ["apply", str(plan)])
    assert got.exit_code == 2
    assert got.output.strip() == ("updater: error: nothing to apply the plan to; give "
                                  "--chargemaster with --out, and/or --crosswalk with "
                                  "--crosswalk-out")


# ---------------------------------------------------------------- properties

XW_HEADERS = [["Procedure Code", "ICD-10-CM", "Policy", "Effective Date", "End Date"],
              ["CPT", "Dx Code", "Status"]]


@st.composite
def crosswalk_cases(draw: st.DrawFn
                    ) -> tuple[int, list[list[str]], list[dict[str, object]], bool]:
    """A long crosswalk (pairs may repeat) and end/add rows on random pairs of it."""
    layout = draw(st.integers(0, 1))
    pairs = draw(st.lists(st.tuples(st.sampled_from(["20610", "99212"]),
                                     st.sampled_from(["M17.10", "M1710", "L03.01"])),
                          min_size=1, max_size=7))
    rows = [[p, d, "P", "10/01/2020", draw(st.sampled_from(["", "12/31/9999"]))]
            if layout == 0 else [p, d, draw(st.sampled_from(["Y", "Y", "N"]))]
            for p, d in pairs]
    plan: list[dict[str, object]] = []
    for i in draw(st.lists(st.integers(0, len(rows) - 1), max_size=5, unique=True)):
        proc, dx = pairs[i][0], pairs[i][1].replace(".", "")
        decision = draw(st.sampled_from(["approved", "approved", "pending", "rejected"]))
        plan.append(pair_row(len(plan) + 1, "end_pair", i + 1, dx, proc, dx,
                             decision=decision))
        for new in draw(st.lists(st.sampled_from(["M1711", "M1712", "L0301"]), max_size=2,
                                 unique=True)):
            plan.append(pair_row(len(plan) + 1, "add_pair", i + 1, dx, proc, new, new,
                                 decision=decision))
    return layout, rows, plan, draw(st.booleans())


def grid_values(path: Path) -> list[list[object]]:
    if path.suffix == ".xlsx":
        return [list(r) for r in openpyxl.load_workbook(path).active.iter_rows(
            values_only=True)]
    return read_rows(path)


@settings(max_examples=50, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(crosswalk_cases())
def test_crosswalk_apply_properties(case) -> None:
    layout, rows, plan, xlsx = case
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if xlsx:
            wb = openpyxl.Workbook()
            wb.active.append(XW_HEADERS[layout])
            for r in rows:
                wb.active.append(r)
            xw = tmp / "xw.xlsx"
            wb.save(xw)
        else:
            xw = write_csv(tmp / "xw.csv", rows, XW_HEADERS[layout])
        data = xw.read_bytes()
        out = tmp / ("out" + xw.suffix)
        result = run(xw, plan, out)
        assert xw.read_bytes() == data
        before = grid_values(xw)
        check(before, grid_values(out), 1, len(rows), result)
        again = tmp / ("again" + xw.suffix)
        assert run(out, plan, again, plan_of=xw).changes == []
        assert grid_values(again) == grid_values(out)
        restored = tmp / ("restored" + xw.suffix)
        revert(changelog_paths(out)[1], out, restored)
        assert grid_values(restored) == before
        if not xlsx:
            assert restored.read_bytes() == data


def test_unusual_column_names_given(tmp_path: Path) -> None:
    rows = [["Knee", "20610", "M17.10", ""]]
    xw = write_csv(tmp_path / "xw.csv", rows, ["Note", "Service", "Reason", "Term Date"])
    out = tmp_path / "p.csv"
    with pytest.raises(UpdaterError) as err:
        run(xw, PLAN[:2], out)
    assert str(err.value) == (f"{xw}: no procedure and diagnosis columns in the first rows; "
                              "name them with --proc-col and --dx-col, as for 'updater plan'")
    run(xw, PLAN[:2], out, crosswalk_columns={"procedure": "Service", "diagnosis": "Reason"})
    assert read_rows(out, skip=1) == [["Knee", "20610", "M17.10", "2025-09-30"],
                                      ["Knee", "20610", "M17.11", ""]]


def test_end_date_column_named_by_the_caller_is_the_one_the_scan_reads(tmp_path: Path) -> None:
    """An end date under an unusual name: apply writes where the reader (and so the
    rescan) looks, and refuses when nobody names it."""
    from updater.impact.inputs.crosswalk import read_crosswalk

    rows = [["20610", "M17.10", ""]]
    xw = write_csv(tmp_path / "xw.csv", rows, ["Procedure Code", "ICD-10-CM", "Valid Thru"])
    with pytest.raises(UpdaterError, match="no end date or status column"):
        run(xw, PLAN[:2], tmp_path / "refused.csv")
    named = {"end_date": "Valid Thru"}
    out = tmp_path / "p.csv"
    run(xw, PLAN[:2], out, crosswalk_columns=named)
    assert read_rows(out, skip=1) == [["20610", "M17.10", "2025-09-30"],
                                      ["20610", "M17.11", ""]]
    read = read_crosswalk(out, columns=named).table
    assert list(read["end_date"]) == ["2025-09-30", ""]
