"""``updater diff OLD NEW``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from updater.cli import app
from updater.cli import options as opt

if TYPE_CHECKING:
    import pandas as pd

    from updater.diff import Diff


@app.command()
def diff(
    old: str = opt.OLD,
    new: str = opt.NEW,
    store: Path = opt.STORE,
    json_out: str | None = opt.JSON_OUT,
    csv_out: Path | None = typer.Option(
        None, "--csv", metavar="FILE", help="Write the change list as CSV."
    ),
    xlsx_out: Path | None = typer.Option(
        None, "--xlsx", metavar="FILE", help="Write the change list as XLSX."
    ),
    strict: bool = typer.Option(
        False,
        "--strict",
        help="Exit 1 when the diff disagrees with "
        "the publisher's own change list in a way not explained.",
    ),
    format: str | None = opt.FORMAT,
    system: str | None = opt.SYSTEM,
    effective: str | None = opt.EFFECTIVE,
    code_col: str | None = opt.CODE_COL,
    desc_col: str | None = opt.DESC_COL,
    short_col: str | None = opt.SHORT_COL,
    sheet: str | None = opt.SHEET,
) -> None:
    """What changed from OLD to NEW: added, deleted, revised, expanded ... codes, with the
    publisher-style summary and the check against the publisher's own change list."""
    from updater.output import write_json, write_table
    from updater.resolve import diff_specs
    from updater.textreport import diff_report

    read = opt.read_options(
        format=format,
        system=system,
        effective=effective,
        code_col=code_col,
        desc_col=desc_col,
        short_col=short_col,
        sheet=sheet,
    )
    result = diff_specs(old, new, store, read)
    if json_out:
        write_json(result.to_dict(), json_out)
    if csv_out:
        write_table(result.changes, csv_out)
    if xlsx_out:
        write_table(result.changes, xlsx_out, sheets={"summary": summary_frame(result)})
    if json_out != "-":
        typer.echo(diff_report(result))
    if strict and result.verified is False:
        raise typer.Exit(1)


def summary_frame(result: Diff) -> pd.DataFrame:
    """The summary counts as a sheet: one row per count, a column per block."""
    import pandas as pd

    return pd.DataFrame(result.summary).rename_axis("count").reset_index()
