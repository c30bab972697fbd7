"""``updater report impact``: the scan's findings (and a plan's decisions) as one HTML page."""

from __future__ import annotations

from pathlib import Path

import typer

from updater.cli import options as opt
from updater.cli.defaults import DEFAULT_MAX_ROWS
from updater.cli.report import report_app


@report_app.command("impact")
@opt.with_scan_inputs
def impact(
    inputs: opt.ScanInputs,
    scan: Path | None = typer.Option(None, "--scan", metavar="FILE", help="A scan saved "
                                     "with `updater scan --json` (instead of the inputs)."),
    plan: Path | None = typer.Option(None, "--plan", metavar="FILE", help="plan.json or "
                                     "plan.xlsx: show each line's action and decision."),
    out: Path = typer.Option(Path("impact.html"), "--out", "-o", metavar="FILE.html",
                             help="Where to write the page."),
    max_rows: int = typer.Option(DEFAULT_MAX_ROWS, "--max-rows", metavar="N", min=1,
                                 help="Rows per table at most (the most charges at risk "
                                 "first); the rest stay in the scan's CSV/JSON."),
) -> None:
    """Which chargemaster lines and crosswalk pairs the new releases touch, by department
    and kind, with the charges at risk and each line's candidates (and, with --plan, its
    decision), as one HTML page. From a saved scan (--scan) or the scan's inputs."""
    from updater.plan.plan_file import read_plan
    from updater.reports.impact import impact_report, scan_for_report
    from updater.reports.render import write_html

    made = read_plan(plan) if plan is not None else None  # a bad plan fails before the scan
    result = scan_for_report(scan, **inputs.scan_kwargs())
    files = [p for p in (scan, inputs.chargemaster, inputs.crosswalk, plan) if p is not None]
    path = write_html(impact_report(result, made, max_rows=max_rows, files=files), out)
    typer.echo(f"wrote {path}")
