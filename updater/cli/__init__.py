"""The ``updater`` command: a thin typer layer over the library.

Each command lives in its own module and registers itself on ``app``. A user mistake
(``UpdaterError``) prints one line on stderr and exits 2; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import importlib
import sys

import typer

from updater import __version__
from updater.errors import UpdaterError

app = typer.Typer(
    name="updater",
    help="Keep billing code sets current: read the CDC, CMS and AMA releases, see what "
    "changed, and find what it touches in your chargemaster and crosswalks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_COMMANDS = ("diff", "store_commands", "demo")
_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"updater {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show the full traceback on errors."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    _state["debug"] = debug


for _name in _COMMANDS:
    try:
        importlib.import_module(f"updater.cli.{_name}")
    except ModuleNotFoundError as exc:  # a command not written yet
        if exc.name != f"updater.cli.{_name}":
            raise


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    try:
        app(args=argv, standalone_mode=False)
    except UpdaterError as exc:
        if _state["debug"] or "--debug" in (argv or sys.argv):
            raise
        typer.echo(f"updater: error: {exc}", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("Aborted.", err=True)
        sys.exit(1)
    except Exception as exc:  # click usage errors come through here in non-standalone mode
        from click.exceptions import ClickException

        if isinstance(exc, ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
