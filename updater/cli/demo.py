"""``updater demo``: the whole job on the embedded synthetic sample."""

from __future__ import annotations

from pathlib import Path

import typer

from updater.cli import app


@app.command()
def demo(
    out: Path = typer.Option(Path("updater-demo"), "--out", help="Folder for the demo's output."),
) -> None:
    """Run updater on the embedded synthetic sample releases (ICD-10-CM, HCPCS, CPT): diff
    each pair of successive releases, verify against the publisher-style change lists and
    write the results to ./updater-demo/."""
    from updater.demo import run_demo

    for line in run_demo(out):
        typer.echo(line)
