"""``updater apply PLAN`` and ``updater revert CHANGELOG``."""

from __future__ import annotations

from pathlib import Path

import typer

from updater.cli import app
from updater.cli import options as opt


@app.command()
def apply(
    plan: Path = typer.Argument(..., metavar="PLAN",
                                help="The reviewed plan: plan.json or plan.xlsx."),
    chargemaster: Path | None = typer.Option(None, "--chargemaster", "--cdm", metavar="FILE",
                                             help="The chargemaster the plan was made from."),
    out: Path | None = typer.Option(None, "--out", metavar="FILE",
                                    help="Where to write the patched "
                                    "chargemaster."),
    crosswalk: Path | None = typer.Option(None, "--crosswalk", metavar="FILE",
                                          help="The crosswalk the plan "
                                          "was made from (one pair per row)."),
    crosswalk_out: Path | None = typer.Option(None, "--crosswalk-out", metavar="FILE",
                                              help="Where to write the patched crosswalk."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the changes, write nothing."),
    force: bool = typer.Option(False, "--force", help="Apply to a chargemaster or crosswalk "
                               "that is not the one the plan was made from (recorded in the "
                               "audit log)."),
    user: str | None = typer.Option(None, "--user", metavar="NAME",
                                    help="Name recorded in the audit log "
                                    "(default: the login name)."),
    release: list[str] = typer.Option([], "--release", metavar="RELEASE",
                                      help="New release (file or store id) "
                                      "to check the plan's codes against, instead of the "
                                      "plan's own."),
    profile: Path | None = opt.PROFILE,
    sheet: str | None = opt.SHEET,
    code_col: str | None = opt.CHARGEMASTER_CODE_COL,
    proc_col: str | None = opt.PROC_COL,
    dx_col: str | None = typer.Option(None, "--dx-col", metavar="COLUMN",
                                      help="The crosswalk's diagnosis "
                                      "column, when it has an unusual name."),
    crosswalk_sheet: str | None = opt.CROSSWALK_SHEET,
    store: Path = opt.STORE,
) -> None:
    """Write the plan's approved changes into a copy of the chargemaster (--out) and/or of
    the crosswalk (--crosswalk-out), each with a change log (OUT.changes.csv/.json), and
    add an entry to the audit log."""
    from updater.patch.apply import apply_plan
    from updater.plan.plan_file import read_plan
    from updater.releases.lookup import resolve_side
    from updater.releases.readers import ReadOptions

    loaded = read_plan(plan)
    releases = {}
    for spec in release:
        r = resolve_side(spec, store, ReadOptions())
        releases[r.system.value] = r
    names = {k: v for k, v in (("procedure", proc_col), ("diagnosis", dx_col)) if v}
    result = apply_plan(loaded.table, loaded.identity, chargemaster, out, crosswalk=crosswalk,
                        crosswalk_out=crosswalk_out, force=force, dry_run=dry_run, user=user,
                        new_releases=releases or None, store=store, profile=profile,
                        sheet=sheet, columns={"code": code_col} if code_col else None,
                        crosswalk_sheet=crosswalk_sheet,
                        crosswalk_columns=names or None)
    typer.echo(result.summary_text())


@app.command()
def revert(
    changelog: Path = typer.Argument(..., metavar="CHANGELOG", help="The change log apply wrote "
                                     "(PATCHED.changes.json or .csv)."),
    chargemaster: Path = typer.Option(..., "--chargemaster", "--cdm", "--crosswalk", metavar="FILE",
                                      help="The patched chargemaster (or crosswalk) apply "
                                      "wrote."),
    out: Path = typer.Option(..., "--out", metavar="FILE",
                             help="Where to write the restored copy."),
    force: bool = typer.Option(False, "--force", help="Revert a patched file that changed "
                               "since apply wrote it."),
    user: str | None = typer.Option(None, "--user", metavar="NAME",
                                    help="Name recorded in the audit log."),
) -> None:
    """Undo an apply: changed cells back to their values before, inserted lines removed."""
    from updater.patch.revert import revert as do_revert

    result = do_revert(changelog, chargemaster, out, force=force, user=user)
    typer.echo(result.summary_text())
