"""Property tests: over random small chargemasters (CSV and XLSX, charge codes unique or
repeated across lines) and plans, apply never loses a line, never changes a cell it was not
told to, is idempotent, and revert restores the input."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_apply import RELEASES, make_plan

from updater.patch.apply import apply_plan
from updater.patch.logs import changelog_paths
from updater.patch.revert import revert
from updater.plan.model import PLAN_COLUMNS

OLD_CODES = ["99201", "99202", "J0001", "0001T", "99203"]
NEW_CODES = ["99213", "99214", "99215", "0042T", "J1100", "G0008"]
HEADERS = [["Charge Code", "Description", "CPT", "Price", "Effective Date", "End Date"],
           ["Charge Code", "Description", "CPT", "Price", "Status"]]
SETTINGS = {"deadline": None, "derandomize": True,
            "suppress_health_check": [HealthCheck.function_scoped_fixture,
                                      HealthCheck.too_slow]}

text = st.text(st.characters(codec="ascii", categories=["L", "N", "Zs", "P"]),
               min_size=1, max_size=12).map(str.strip).filter(bool)


@st.composite
def cases(draw: st.DrawFn, duplicates: bool = False
          ) -> tuple[int, list[list[str]], list[dict[str, object]], bool]:
    """(layout, data rows, plan rows, title row above the header). With ``duplicates``,
    charge codes (and codes) repeat across lines: the plan places a line by its row."""
    layout = draw(st.integers(0, 1))
    charge = st.sampled_from(["1001", "1002"]) if duplicates else st.integers(
        1000, 9999).map(str)
    line = st.tuples(charge, text, st.sampled_from(OLD_CODES[:2] if duplicates else OLD_CODES),
                     st.sampled_from(["1.00", "20.50", ""]))
    lines = draw(st.lists(line, min_size=1, max_size=8,
                          unique_by=None if duplicates else (lambda li: li[0])))
    rows = []
    for cc, desc, code, price in lines:
        tail = ["01/01/2020", draw(st.sampled_from(["", "12/31/9999"]))] if layout == 0 \
            else [draw(st.sampled_from(["A", "A", "I"]))]
        rows.append([cc, desc, code, price, *tail])
    plan = []
    lines_touched = draw(st.lists(st.integers(0, len(rows) - 1), max_size=6, unique=True))
    for n, i in enumerate(lines_touched, start=1):
        action = draw(st.sampled_from(["retire", "replace", "split", "update_description",
                                       "review"]))
        proposed = {"retire": "", "replace": draw(st.sampled_from(NEW_CODES)),
                    "split": ",".join(draw(st.lists(st.sampled_from(NEW_CODES), min_size=2,
                                                    max_size=3, unique=True))),
                    "update_description": "", "review": ""}[action]
        row: dict[str, object] = dict.fromkeys(PLAN_COLUMNS, "")
        row.update({"plan_row": n, "section": "chargemaster", "action": action,
                    "source_row": i + 1, "charge_code": rows[i][0], "old_code": rows[i][2],
                    "proposed_codes": proposed, "effective": "2026-01-01",
                    "proposed_description": draw(st.sampled_from(["New text", "=1+1"])),
                    "decision": draw(st.sampled_from(["approved", "approved", "pending",
                                                      "rejected"]))})
        plan.append(row)
    return layout, rows, plan, draw(st.booleans())


def plan_for(plan: list[dict[str, object]], cdm: Path):
    return make_plan(plan, cdm) if plan else (pd.DataFrame(columns=list(PLAN_COLUMNS)),
                                              make_plan([], cdm)[1])


def check(before: list[list[object]], after: list[list[object]], skip: int, n_lines: int,
          result) -> None:
    """Rows out = rows in + inserted; titles and header kept; every input line still there,
    in order, changed only in the cells the change log names."""
    inserted = {c["output_row"] for c in result.changes if c["kind"] == "insert"}
    assert result.counts["rows_out"] == n_lines + len(inserted)
    assert len(after) - skip == n_lines + len(inserted)
    assert after[:skip] == before[:skip]
    logged = {(c["output_row"], c["column"]) for c in result.changes if c["kind"] == "cell"}
    kept = [r for k, r in enumerate(after[skip:], start=1) if k not in inserted]
    out_rows = [k for k in range(1, len(after) - skip + 1) if k not in inserted]
    header = before[skip - 1]
    for input_row, (k, old, new) in enumerate(zip(out_rows, before[skip:], kept, strict=True),
                                              start=1):
        for j, name in enumerate(header):
            if (k, name) not in logged:
                assert old[j] == new[j], (input_row, name)


def run_csv(case: tuple[int, list[list[str]], list[dict[str, object]], bool],
            delimiter: str, newline: str, quoting: int, bom: bool) -> None:
    layout, rows, plan, title = case
    out_text = io.StringIO()
    if title:
        out_text.write("Synthetic CDM export" + newline)
    csv.writer(out_text, delimiter=delimiter, lineterminator=newline,
               quoting=quoting).writerows([HEADERS[layout], *rows])
    data = (b"\xef\xbb\xbf" if bom else b"") + out_text.getvalue().encode("utf-8")

    def parse(path: Path) -> list[list[str]]:
        got = path.read_bytes().decode("utf-8-sig")
        return list(csv.reader(io.StringIO(got, newline=""), delimiter=delimiter))

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        cdm = tmp / "cdm.csv"
        cdm.write_bytes(data)
        table, identity = plan_for(plan, cdm)
        out = tmp / "out.csv"
        result = apply_plan(table, identity, cdm, out, new_releases=RELEASES)
        assert cdm.read_bytes() == data  # input untouched
        before = parse(cdm)
        check(before, parse(out), len(before) - len(rows), len(rows), result)
        # idempotent
        again = tmp / "again.csv"
        second = apply_plan(table, identity, out, again, new_releases=RELEASES)
        assert second.changes == []
        assert again.read_bytes() == out.read_bytes()
        # revert restores the bytes
        restored = tmp / "restored.csv"
        assert revert(changelog_paths(out)[1], out, restored).identical
        assert restored.read_bytes() == data


csv_dialects = st.tuples(st.sampled_from([",", ";", "\t"]), st.sampled_from(["\n", "\r\n"]),
                         st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]), st.booleans())


@settings(max_examples=40, **SETTINGS)
@given(cases(), csv_dialects)
def test_apply_properties(case, dialect) -> None:
    run_csv(case, *dialect)


@settings(max_examples=30, **SETTINGS)
@given(cases(duplicates=True), csv_dialects)
def test_apply_properties_duplicate_charge_codes(case, dialect) -> None:
    run_csv(case, *dialect)


def values(path: Path) -> list[list[object]]:
    return [list(r) for r in openpyxl.load_workbook(path)["CDM"].iter_rows(values_only=True)]


@settings(max_examples=15, **SETTINGS)
@given(cases(duplicates=False) | cases(duplicates=True), st.booleans())
def test_apply_properties_xlsx(case, real_dates: bool) -> None:
    layout, rows, plan, title = case
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "CDM"
    if title:
        ws.append(["Synthetic CDM export"])
    ws.append(HEADERS[layout])
    for row in rows:
        cells: list[object] = list(row)
        if layout == 0 and real_dates:  # date cells, as most exports have them
            cells[4:] = [datetime.strptime(c, "%m/%d/%Y") if c else None for c in row[4:]]
        ws.append(cells)
    wb.create_sheet("Notes").append(["other sheets stay"])
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        cdm = tmp / "cdm.xlsx"
        wb.save(cdm)
        data = cdm.read_bytes()
        table, identity = plan_for(plan, cdm)
        out = tmp / "out.xlsx"
        result = apply_plan(table, identity, cdm, out, new_releases=RELEASES)
        assert cdm.read_bytes() == data
        before, after = values(cdm), values(out)
        check(before, after, len(before) - len(rows), len(rows), result)
        assert openpyxl.load_workbook(out).sheetnames == ["CDM", "Notes"]
        again = tmp / "again.xlsx"
        second = apply_plan(table, identity, out, again, new_releases=RELEASES)
        assert second.changes == []
        assert values(again) == after
        restored = tmp / "restored.xlsx"
        revert(changelog_paths(out)[1], out, restored)
        assert values(restored) == before
