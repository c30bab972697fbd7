"""``updater scan``: which chargemaster lines and crosswalk pairs a release touches."""

from __future__ import annotations

from pathlib import Path

import typer

from updater.cli import app
from updater.cli import options as opt


@app.command()
@opt.with_scan_inputs
def scan(
    inputs: opt.ScanInputs,
    json_out: str | None = opt.JSON_OUT,
    csv_out: Path | None = typer.Option(
        None, "--csv", metavar="FILE", help="Write the findings as CSV."
    ),
    xlsx_out: Path | None = typer.Option(
        None, "--xlsx", metavar="FILE", help="Write the findings as XLSX."
    ),
    fail_on: str | None = typer.Option(
        None,
        "--fail-on",
        metavar="KINDS",
        help="Exit 1 when there are findings of these kinds (comma-separated), for scheduled jobs.",
    ),
) -> None:
    """Find the chargemaster lines and crosswalk pairs that the new releases touch, and
    what replaces each retired code. Exit 0 when the scan ran, 1 with --fail-on findings."""
    from updater.impact.scan import run_scan

    result, report = run_scan(**inputs.scan_kwargs(), fail_on=fail_on)
    if csv_out or xlsx_out:
        from updater.files.output import write_table

        table = result.findings
        if csv_out:
            write_table(table, csv_out)
        if xlsx_out:
            write_table(table, xlsx_out, sheets={"summary": report.summary_frame})
    opt.emit(json_out, result.to_dict, lambda: report.text)
    if report.failed:
        raise typer.Exit(1)
