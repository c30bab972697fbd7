"""``updater demo``: the whole job on the embedded synthetic sample."""

from __future__ import annotations

from pathlib import Path

import typer

from updater.cli import app


@app.command()
def demo(
    out: Path = typer.Option(Path("updater-demo"), "--out", help="Folder for the demo's output."),
) -> None:
    """Run the sample year's update cycles on the embedded synthetic sample (ICD-10-CM,
    HCPCS, CPT releases, a chargemaster and a crosswalk): import, diff and verify, scan,
    plan and write each cycle's reports and index.html into ./updater-demo/<cycle date>/."""
    from updater.cycle.demo import run_demo

    for line in run_demo(out):
        typer.echo(line)
