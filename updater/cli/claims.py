"""``updater claims``: which claim lines bill codes a release retires, and their revenue."""

from __future__ import annotations

from pathlib import Path

import typer

from updater.cli import app
from updater.cli import options as opt


@app.command()
def claims(
    extract: Path = typer.Argument(..., metavar="EXTRACT",
                                   help="Claims extract: a CSV file, a Parquet file or a "
                                   "folder of Parquet files, one row per claim line."),
    old: list[str] = opt.FROM,
    new: list[str] = opt.TO,
    column: list[str] = typer.Option(
        [], "--column", metavar="FIELD=NAME",
        help="Name a column when its name is unusual: claim_id, line, service_date, "
        "procedure, modifiers, diagnosis (repeat for several), charge, payer, facility, "
        "department."),
    service_dates: str = typer.Option(
        "all", "--service-dates", metavar="WHICH",
        help="Which at-risk lines to count: all (default: last year's claims as next "
        "year's volume), on-or-after (date of service on or after the date the code stops "
        "being billable) or before."),
    store: Path = opt.STORE,
    json_out: str | None = opt.JSON_OUT,
    csv_out: Path | None = typer.Option(
        None, "--csv", metavar="FILE",
        help="Write the lines and charges by facility, payer and department as CSV."),
    xlsx_out: Path | None = typer.Option(
        None, "--xlsx", metavar="FILE",
        help="Write the summary, the rollups and the codes as XLSX."),
    memory_limit: str = typer.Option(
        "2GB", "--memory-limit", metavar="SIZE",
        help="Memory DuckDB may use before it spills to a temporary folder."),
) -> None:
    """Count the claim lines that bill a code the new releases delete, expand, terminate
    or make not billable, by facility, payer and department, with their charges."""
    from updater.impact.claims import run_claims

    result, report = run_claims(extract=extract, old=old, new=new, store=store,
                                columns=column, service_dates=service_dates,
                                memory_limit=memory_limit)
    if csv_out:
        from updater.files.output import write_table

        write_table(result.by_group, csv_out)
    if xlsx_out:
        from updater.files.output import write_table

        write_table(result.by_group, xlsx_out, sheets=result.sheets(), main_sheet="by_group")
    opt.emit(json_out, result.to_dict, lambda: report.text)
