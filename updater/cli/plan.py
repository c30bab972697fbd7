"""``updater plan``: the scan's findings as a migration plan to review and apply."""

from __future__ import annotations

from pathlib import Path

import typer

from updater.cli import app
from updater.cli import options as opt


@app.command()
def plan(
    chargemaster: Path | None = opt.CHARGEMASTER,
    crosswalk: Path | None = opt.CROSSWALK,
    old: list[str] = opt.FROM,
    new: list[str] = opt.TO,
    profile: Path | None = opt.PROFILE,
    sheet: str | None = opt.SHEET,
    code_col: str | None = opt.CHARGEMASTER_CODE_COL,
    proc_col: str | None = opt.PROC_COL,
    dx_col: list[str] = opt.DX_COLS,
    crosswalk_sheet: str | None = opt.CROSSWALK_SHEET,
    conversion: list[Path] = opt.CONVERSION,
    user_map: list[Path] = opt.USER_MAPS,
    override: list[Path] = opt.OVERRIDES,
    scan: Path | None = typer.Option(None, "--scan", metavar="FILE",
                                     help="A saved `updater scan --json` output to plan "
                                     "from, instead of scanning again (no --from/--to)."),
    store: Path = opt.STORE,
    out: Path = typer.Option(Path("plan"), "--out", metavar="DIR", help="Folder for "
                             "plan.json, plan.xlsx (to review) and conceptmap.json (FHIR R4); "
                             "created when missing."),
) -> None:
    """Turn the scan's findings into a migration plan: one proposed action per chargemaster
    line or crosswalk pair, approved only for one-to-one authoritative successors. Review
    plan.xlsx, then give it to `updater apply`."""
    from updater.errors import UpdaterError
    from updater.files.output import make_folder, write_json
    from updater.impact.scan import run_scan
    from updater.plan.fhir import concept_map
    from updater.plan.make import make_plan, plan_from_scan_json, summary_text
    from updater.plan.plan_file import write_plan_json
    from updater.plan.workbook import write_workbook

    if scan is not None:
        if old or new or conversion or user_map or override:
            raise UpdaterError("--scan plans from the saved findings: --from, --to, "
                               "--conversion, --map and --override belong to the scan",
                               file=scan, hint="leave them out, or scan again without --scan")
        made = plan_from_scan_json(scan, chargemaster=chargemaster, crosswalk=crosswalk,
                                   store=store)
    else:
        result, _ = run_scan(
            chargemaster=chargemaster, crosswalk=crosswalk, old=old, new=new,
            profile=profile, sheet=sheet, code_col=code_col, proc_col=proc_col,
            dx_cols=dx_col, crosswalk_sheet=crosswalk_sheet, conversion=conversion,
            user_maps=user_map, overrides=override, store=store)
        made = make_plan(result)  # the identity takes the input files the scan recorded
    if out.exists() and not out.is_dir():
        raise UpdaterError("--out must be a folder", file=out,
                           hint="give a folder for plan.json, plan.xlsx and conceptmap.json")
    make_folder(out)
    paths = [out / "plan.json", out / "plan.xlsx", out / "conceptmap.json"]
    write_plan_json(made, paths[0])
    write_workbook(made, paths[1])
    write_json(concept_map(made), paths[2])
    typer.echo(summary_text(made, paths))
