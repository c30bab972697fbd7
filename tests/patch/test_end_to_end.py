"""scan -> plan -> a reviewer edits the workbook -> apply -> scan the patched chargemaster."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from updater.cli import app
from updater.impact.scan import run_scan

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "releases" / "sample"
CDM = REPO / "chargemasters" / "sample-cdm.csv"
PAIRS = [
    (
        "hcpcs/2025/2025-Alpha-Numeric-HCPCS-File.zip",
        "hcpcs/2026/2026-Alpha-Numeric-HCPCS-File.zip",
    ),
    ("cpt/2025/CPT 2025 data files.zip", "cpt/2026/CPT 2026 data files.zip"),
]
RELEASE_ARGS = [
    a for old, new in PAIRS for a in ("--from", str(SAMPLE / old), "--to", str(SAMPLE / new))
]


def data_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def test_scan_plan_review_apply_rescan(tmp_path):
    before = CDM.read_bytes()
    plan_dir = tmp_path / "plan"
    made = runner.invoke(
        app, ["plan", "--chargemaster", str(CDM), *RELEASE_ARGS, "--out", str(plan_dir)]
    )
    assert made.exit_code == 0, made.output
    workbook = plan_dir / "plan.xlsx"

    # the reviewer approves every replacement and retirement
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Plan"]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) + 1 for name in header}
    approved_codes = set()
    for r in range(2, ws.max_row + 1):
        action = ws.cell(r, col["Action"]).value
        if action in ("replace", "retire"):
            ws.cell(r, col["Decision"]).value = "Approve"
            approved_codes.add(ws.cell(r, col["Old code"]).value)
    wb.save(workbook)

    out = tmp_path / "patched.csv"
    applied = runner.invoke(
        app, ["apply", str(workbook), "--chargemaster", str(CDM), "--out", str(out)]
    )
    assert applied.exit_code == 0, applied.output
    assert CDM.read_bytes() == before, "the input chargemaster must never change"

    changes = list(csv.DictReader((tmp_path / "patched.changes.csv").open()))
    inserted = [c for c in changes if c["kind"] == "insert"]
    assert inserted, "approved replacements on dated lines add a line after the original"
    assert data_rows(out) == data_rows(CDM) + len(inserted)

    rescan, _ = run_scan(
        chargemaster=out,
        crosswalk=None,
        old=[str(SAMPLE / o) for o, _ in PAIRS],
        new=[str(SAMPLE / n) for _, n in PAIRS],
    )
    f = rescan.findings
    still = f[
        f["kind"].isin({"deleted", "terminated", "expanded"}) & f["code"].isin(approved_codes)
    ]
    assert still.empty, still[["row", "code", "kind"]].to_string()

    again = runner.invoke(
        app,
        [
            "apply",
            str(workbook),
            "--chargemaster",
            str(out),
            "--out",
            str(tmp_path / "twice.csv"),
            "--force",
        ],
    )
    assert again.exit_code == 0, again.output
    assert (tmp_path / "twice.csv").read_bytes() == out.read_bytes()


ICD_ARGS = ["--from", str(SAMPLE / "icd10cm/FY2025/icd10cm-Code-Descriptions-2025.zip"),
            "--to", str(SAMPLE / "icd10cm/FY2026/icd10cm-Code-Descriptions-2026.zip")]
CROSSWALK = REPO / "chargemasters" / "sample-crosswalk.csv"


def crosswalk_with(tmp_path, column, value):
    """The sample long crosswalk with one more column (End Date, Status ...), as payers'
    and practices' lists often have."""
    rows = list(csv.reader(CROSSWALK.open(newline="", encoding="utf-8")))
    xw = tmp_path / "crosswalk.csv"
    with xw.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([[*rows[0], column], *([*r, value] for r in rows[1:])])
    return xw


def approve_pairs(workbook, crosswalk=CROSSWALK):
    """The reviewer approves every end_pair and add_pair row: (source rows ended, pairs
    added). A successor pair the crosswalk already has (a stale header M17.1 beside its
    child M17.11) is not added twice, so it is not counted."""
    have = {(r[0], r[1].replace(".", "").upper())
            for r in csv.reader(crosswalk.open(newline="", encoding="utf-8"))}
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Plan"]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) + 1 for name in header}
    ended, added = set(), 0
    for r in range(2, ws.max_row + 1):
        action = ws.cell(r, col["Action"]).value
        if action in ("end_pair", "add_pair"):
            ws.cell(r, col["Decision"]).value = "Approve"
            if action == "end_pair":
                ended.add(int(ws.cell(r, col["Source row"]).value))
            elif (str(ws.cell(r, col["Pair procedure"]).value),
                  str(ws.cell(r, col["Pair diagnosis"]).value).replace(".", "")) not in have:
                added += 1
    wb.save(workbook)
    return ended, added


def test_crosswalk_scan_plan_review_apply(tmp_path):
    xw = crosswalk_with(tmp_path, "End Date", "")
    plan_dir = tmp_path / "plan"
    made = runner.invoke(app, ["plan", "--crosswalk", str(xw), *ICD_ARGS, "--out",
                               str(plan_dir)])
    assert made.exit_code == 0, made.output
    workbook = plan_dir / "plan.xlsx"
    ended, added = approve_pairs(workbook)
    assert ended and added

    out = tmp_path / "crosswalk-patched.csv"
    applied = runner.invoke(app, ["apply", str(workbook), "--crosswalk", str(xw),
                                  "--crosswalk-out", str(out)])
    assert applied.exit_code == 0, applied.output
    changes = list(csv.DictReader((tmp_path / "crosswalk-patched.changes.csv").open()))
    inserted = {int(c["output_row"]) for c in changes if c["kind"] == "insert"}
    assert len(inserted) == added
    assert data_rows(out) == data_rows(xw) + added
    patched = list(csv.DictReader(out.open(newline="", encoding="utf-8")))
    ends = [r for r in patched if r["End Date"]]
    assert len(ends) == len(ended) and {r["End Date"] for r in ends} == {"2025-09-30"}

    # every added pair is valid in the new release and every ended pair ends the day
    # before it takes effect: the rescan flags none of them, and counts the ended ones
    rescan, _ = run_scan(chargemaster=None, crosswalk=out, old=ICD_ARGS[1::4],
                         new=ICD_ARGS[3::4])
    f = rescan.findings
    flagged = set(f.loc[f["kind"].isin({"deleted", "expanded", "not_billable"}), "row"])
    assert not flagged & inserted
    ended_rows = {k for k, r in enumerate(patched, start=1) if r["End Date"]}
    assert len(ended_rows) == len(ended)
    assert f[f["row"].isin(ended_rows)].empty, f[["row", "code", "kind"]].to_string()
    assert not flagged, "every approved end_pair and add_pair leaves nothing at risk"
    x = rescan.summary["crosswalk"]
    assert x["pairs_ended"] == len(ended) and x["pairs_inactive"] == 0
    assert x["pairs_checked"] == x["pairs"] - len(ended) == data_rows(out) - len(ended)

    again = runner.invoke(app, ["apply", str(workbook), "--crosswalk", str(out),
                                "--crosswalk-out", str(tmp_path / "twice.csv")])
    assert again.exit_code == 0, again.output
    assert (tmp_path / "twice.csv").read_bytes() == out.read_bytes()

    restored = tmp_path / "restored.csv"
    back = runner.invoke(app, ["revert", str(tmp_path / "crosswalk-patched.changes.json"),
                               "--crosswalk", str(out), "--out", str(restored)])
    assert back.exit_code == 0, back.output
    assert restored.read_bytes() == xw.read_bytes()


def test_crosswalk_with_a_status_column_rescans_clean(tmp_path):
    # no end date column: apply ends a pair by its status, and the rescan reads it
    xw = crosswalk_with(tmp_path, "Status", "A")
    plan_dir = tmp_path / "plan"
    made = runner.invoke(app, ["plan", "--crosswalk", str(xw), *ICD_ARGS, "--out",
                               str(plan_dir)])
    assert made.exit_code == 0, made.output
    ended, added = approve_pairs(plan_dir / "plan.xlsx")
    assert ended and added
    out = tmp_path / "crosswalk-patched.csv"
    applied = runner.invoke(app, ["apply", str(plan_dir / "plan.xlsx"), "--crosswalk",
                                  str(xw), "--crosswalk-out", str(out)])
    assert applied.exit_code == 0, applied.output
    patched = list(csv.DictReader(out.open(newline="", encoding="utf-8")))
    inactive_rows = {k for k, r in enumerate(patched, start=1) if r["Status"] != "A"}
    assert len(inactive_rows) == len(ended)
    assert {patched[k - 1]["Status"] for k in inactive_rows} == {"I"}

    rescan, _ = run_scan(chargemaster=None, crosswalk=out, old=ICD_ARGS[1::4],
                         new=ICD_ARGS[3::4])
    f = rescan.findings
    assert f[f["row"].isin(inactive_rows)].empty, f[["row", "code", "kind"]].to_string()
    assert f[f["kind"].isin({"deleted", "expanded", "not_billable"})].empty
    x = rescan.summary["crosswalk"]
    assert (x["pairs_inactive"], x["pairs_ended"]) == (len(ended), 0)
    assert x["pairs"] == data_rows(xw) + added
