"""``updater scan``: which chargemaster lines and crosswalk pairs a release touches."""

from __future__ import annotations

from pathlib import Path

import typer

from updater.cli import app
from updater.cli import options as opt


@app.command()
def scan(
    chargemaster: Path | None = typer.Option(
        None,
        "--chargemaster",
        "--cdm",
        metavar="FILE",
        help="Chargemaster: CSV, XLSX or CMS price transparency CSV (tall or wide).",
    ),
    crosswalk: Path | None = typer.Option(
        None,
        "--crosswalk",
        metavar="FILE",
        help="Procedure <-> diagnosis crosswalk: CSV or XLSX, long or wide.",
    ),
    old: list[str] = typer.Option(
        [],
        "--from",
        metavar="RELEASE",
        help="Release in force (store id or file); repeat with --to for each code system.",
    ),
    new: list[str] = typer.Option(
        [], "--to", metavar="RELEASE", help="New release (store id or file)."
    ),
    profile: Path | None = typer.Option(
        None,
        "--profile",
        metavar="FILE",
        help="TOML profile naming the chargemaster's columns (see chargemasters/profiles).",
    ),
    sheet: str | None = opt.SHEET,
    code_col: str | None = typer.Option(
        None,
        "--code-col",
        metavar="COLUMN",
        help="The chargemaster's CPT/HCPCS column, when it has an unusual name.",
    ),
    proc_col: str | None = typer.Option(
        None,
        "--proc-col",
        metavar="COLUMN",
        help="The crosswalk's procedure column, when it has an unusual name.",
    ),
    dx_col: list[str] = typer.Option(
        [],
        "--dx-col",
        metavar="COLUMN",
        help="The crosswalk's diagnosis column(s), when they have unusual names.",
    ),
    crosswalk_sheet: str | None = typer.Option(
        None, "--crosswalk-sheet", metavar="NAME", help="Worksheet of an XLSX crosswalk."
    ),
    conversion: list[Path] = typer.Option(
        [],
        "--conversion",
        metavar="FILE",
        help="CDC conversion table (found beside the release zip when not given).",
    ),
    user_map: list[Path] = typer.Option(
        [],
        "--map",
        metavar="FILE",
        help="Your own old -> new code file (e.g. CPT 'to report, see' guidance).",
    ),
    override: list[Path] = typer.Option(
        [], "--override", metavar="FILE", help="Old -> new file that wins over every other source."
    ),
    store: Path = opt.STORE,
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
    from updater.scan_run import run_scan

    result, report = run_scan(
        chargemaster=chargemaster,
        crosswalk=crosswalk,
        old=old,
        new=new,
        profile=profile,
        sheet=sheet,
        code_col=code_col,
        proc_col=proc_col,
        dx_cols=dx_col,
        crosswalk_sheet=crosswalk_sheet,
        conversion=conversion,
        user_maps=user_map,
        overrides=override,
        store=store,
        fail_on=fail_on,
    )
    if json_out:
        from updater.output import write_json

        write_json(result.to_dict(), json_out)
    if csv_out or xlsx_out:
        from updater.output import write_table

        table = result.findings
        if csv_out:
            write_table(table, csv_out)
        if xlsx_out:
            write_table(table, xlsx_out, sheets={"summary": report.summary_frame})
    if json_out != "-":
        typer.echo(report.text)
    if report.failed:
        raise typer.Exit(1)
