"""``updater plan``: the scan's findings as a migration plan to review and apply."""

from __future__ import annotations

from pathlib import Path

import typer

from updater.cli import app
from updater.cli import options as opt


@app.command()
def plan(
    chargemaster: Path | None = typer.Option(None, "--chargemaster", "--cdm", metavar="FILE",
                                             help="Chargemaster: CSV, XLSX or CMS price "
                                             "transparency CSV (tall or wide)."),
    crosswalk: Path | None = typer.Option(None, "--crosswalk", metavar="FILE",
                                          help="Procedure <-> diagnosis "
                                          "crosswalk: CSV or XLSX, long or wide."),
    old: list[str] = typer.Option([], "--from", metavar="RELEASE",
                                  help="Release in force (store id or file); "
                                  "repeat with --to for each code system."),
    new: list[str] = typer.Option([], "--to", metavar="RELEASE",
                                  help="New release (store id or file)."),
    profile: Path | None = typer.Option(None, "--profile", metavar="FILE",
                                        help="TOML profile naming the "
                                        "chargemaster's columns (see chargemasters/profiles)."),
    sheet: str | None = opt.SHEET,
    code_col: str | None = typer.Option(None, "--code-col", metavar="COLUMN",
                                        help="The chargemaster's "
                                        "CPT/HCPCS column, when it has an unusual name."),
    proc_col: str | None = typer.Option(None, "--proc-col", metavar="COLUMN",
                                        help="The crosswalk's procedure "
                                        "column, when it has an unusual name."),
    dx_col: list[str] = typer.Option([], "--dx-col", metavar="COLUMN",
                                     help="The crosswalk's diagnosis "
                                     "column(s), when they have unusual names."),
    crosswalk_sheet: str | None = typer.Option(None, "--crosswalk-sheet", metavar="NAME",
                                               help="Worksheet of an XLSX crosswalk."),
    conversion: list[Path] = typer.Option([], "--conversion", metavar="FILE",
                                          help="CDC conversion table "
                                          "(found beside the release zip when not given)."),
    user_map: list[Path] = typer.Option([], "--map", metavar="FILE",
                                        help="Your own old -> new code file "
                                        "(e.g. CPT 'to report, see' guidance)."),
    override: list[Path] = typer.Option([], "--override", metavar="FILE",
                                        help="Old -> new file that wins "
                                        "over every other source."),
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
    from updater.fhir import concept_map
    from updater.output import write_json
    from updater.plan import make_plan, plan_from_scan_json, summary_text, write_plan_json
    from updater.plan_workbook import write_workbook
    from updater.scan_run import run_scan

    if scan is not None:
        if old or new or conversion or user_map or override:
            raise UpdaterError("--scan plans from the saved findings: --from, --to, "
                               "--conversion, --map and --override belong to the scan",
                               file=scan, hint="leave them out, or scan again without --scan")
        made = plan_from_scan_json(scan, chargemaster=chargemaster, crosswalk=crosswalk)
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
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "plan.json", out / "plan.xlsx", out / "conceptmap.json"]
    write_plan_json(made, paths[0])
    write_workbook(made, paths[1])
    write_json(concept_map(made), paths[2])
    typer.echo(summary_text(made, paths))
