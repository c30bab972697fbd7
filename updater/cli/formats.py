"""``updater formats``: the release formats updater reads."""

from __future__ import annotations

import typer

from updater.cli import app


@app.command()
def formats() -> None:
    """List the release file formats updater recognises (the names --format takes)."""
    from updater.releases.readers import readers

    for reader in readers():
        typer.echo(f"{reader.name:24} {reader.title}")
