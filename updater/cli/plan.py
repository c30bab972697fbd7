"""``updater plan``: the scan's findings as a migration plan to review and apply."""

from __future__ import annotations

from pathlib import Path

import typer

from updater.cli import app
from updater.cli import options as opt


@app.command()
@opt.with_scan_inputs
def plan(
    inputs: opt.ScanInputs,
    scan: Path | None = typer.Option(None, "--scan", metavar="FILE",
                                     help="A saved `updater scan --json` output to plan "
                                     "from, instead of scanning again (no --from/--to)."),
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
        if inputs.old or inputs.new or inputs.conversion or inputs.user_map or inputs.override:
            raise UpdaterError("--scan plans from the saved findings: --from, --to, "
                               "--conversion, --map and --override belong to the scan",
                               file=scan, hint="leave them out, or scan again without --scan")
        made = plan_from_scan_json(scan, chargemaster=inputs.chargemaster,
                                   crosswalk=inputs.crosswalk, store=inputs.store)
    else:
        result, _ = run_scan(**inputs.scan_kwargs())
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
