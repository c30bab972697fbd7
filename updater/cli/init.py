"""``updater init``: a commented updater.toml and an inbox folder to start from."""

from __future__ import annotations

from pathlib import Path

import typer

from updater.cli import app


@app.command()
def init(
    folder: Path = typer.Option(Path("."), "--dir", metavar="DIR",
                                help="Folder to set up (default: the current folder)."),
    force: bool = typer.Option(False, "--force", help="Write over an existing updater.toml."),
) -> None:
    """Write a commented updater.toml (store, inbox, output folder, chargemasters,
    crosswalks, who signs off) and create the inbox folder for new publisher files.
    An existing updater.toml is kept unless --force."""
    from updater.cycle.config import write_default_config

    config = write_default_config(folder, force=force)
    typer.echo(f"wrote {config.path}")
    typer.echo(f"put new publisher files in {config.inbox}; name your chargemaster in "
               f"{config.path.name if config.path else 'updater.toml'}, then run 'updater check'")
