"""``updater audit verify [LOG]``: is the audit log whole?"""

from __future__ import annotations

from pathlib import Path

import typer

from updater.cli import app

audit_app = typer.Typer(help="The audit log that apply and revert append to.",
                        no_args_is_help=True, add_completion=False)
app.add_typer(audit_app, name="audit")


@audit_app.command()
def verify(
    log: Path = typer.Argument(Path("updater-audit.jsonl"), metavar="[LOG]",
                               help="The audit log, or the folder holding it (default: "
                               "./updater-audit.jsonl)."),
) -> None:
    """Check the audit log's hash chain: every entry unedited, none removed, every change
    log beside it recorded. Exit status 0 intact, 1 not (each problem named), 2 error."""
    from updater.patch.audit_verify import verify_log

    result = verify_log(log)
    typer.echo("\n".join(result.lines()))
    raise typer.Exit(0 if result.ok else 1)
