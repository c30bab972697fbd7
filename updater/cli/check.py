"""``updater check``: what the coming effective dates still need, for people and for cron."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from updater.cli import app
from updater.cli import options as opt


@app.command()
def check(
    as_of: str | None = typer.Option(None, "--as-of", metavar="YYYY-MM-DD",
                                     help="Check as if today were this date."),
    config: Path | None = typer.Option(None, "--config", metavar="FILE",
                                       help="Configuration file (default: ./updater.toml "
                                       "when there is one)."),
    horizon: int = typer.Option(120, "--horizon", metavar="DAYS", min=0,
                                help="How many days ahead a missing release needs action."),
    json_out: str | None = opt.JSON_OUT,
) -> None:
    """Show the coming effective dates with days left (updates off the calendar too, once
    their release is in the store or the inbox), which releases are in the store, waiting
    in the inbox or missing, and which findings of the chargemaster and crosswalk named in
    updater.toml are still undecided for the next date. Exit status 0 ready, 1 action
    needed, 2 error."""
    from updater.cycle.check import check_readiness
    from updater.cycle.config import load_config
    from updater.releases.versions import parse_date

    day = parse_date(as_of, what="--as-of") if as_of else date.today()
    result = check_readiness(load_config(config), as_of=day, horizon_days=horizon)
    opt.emit(json_out, result.to_dict, lambda: "\n".join(result.lines()))
    raise typer.Exit(result.exit_code)
