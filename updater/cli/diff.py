"""``updater diff OLD NEW``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from updater.cli import app
from updater.cli import options as opt

if TYPE_CHECKING:
    import pandas as pd

    from updater.releases.diff import Diff


@app.command()
def diff(
    ctx: typer.Context,
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
    reverse: bool = opt.REVERSE,
    old_effective: str | None = opt.OLD_EFFECTIVE,
    new_effective: str | None = opt.NEW_EFFECTIVE,
    old_label: str | None = opt.OLD_LABEL,
    new_label: str | None = opt.NEW_LABEL,
    format: str | None = opt.BOTH_FORMAT,
    old_format: str | None = opt.OLD_FORMAT,
    new_format: str | None = opt.NEW_FORMAT,
    system: str | None = opt.SYSTEM,
    code_col: str | None = opt.CODE_COL,
    desc_col: str | None = opt.DESC_COL,
    short_col: str | None = opt.SHORT_COL,
    sheet: str | None = opt.BOTH_SHEET,
    old_sheet: str | None = opt.OLD_SHEET,
    new_sheet: str | None = opt.NEW_SHEET,
    effective: str | None = opt.ONE_SIDED_EFFECTIVE,
) -> None:
    """What changed from OLD to NEW: added, deleted, revised, expanded ... codes, with the
    publisher-style summary and the check against the publisher's own change list.
    Options that describe one release are given per side (--new-effective ...); OLD must
    be the older release unless --reverse."""
    from updater.files.output import write_table
    from updater.releases.diff_text import diff_report
    from updater.releases.lookup import diff_specs

    old_read, new_read = opt.pair_read_options_of(ctx.params)
    result = diff_specs(old, new, store, old_read, new_options=new_read, reverse=reverse)
    if csv_out:
        write_table(result.changes, csv_out)
    if xlsx_out:
        write_table(result.changes, xlsx_out, sheets={"summary": summary_frame(result)})
    opt.emit(json_out, result.to_dict, lambda: diff_report(result))
    if strict and result.verified is False:
        raise typer.Exit(1)


def summary_frame(result: Diff) -> pd.DataFrame:
    """The summary counts as a sheet: one row per count, a column per block."""
    import pandas as pd

    return pd.DataFrame(result.summary).rename_axis("count").reset_index()
