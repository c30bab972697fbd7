"""The ``updater`` command: a thin typer layer over the library.

Each command lives in its own module and registers itself on ``app``. A user mistake
(``UpdaterError``) prints one line on stderr and exits 2; ``--debug`` shows the traceback.

Start-up: ``updater --help``, ``--version`` and every command's ``--help`` must answer fast
(bench/bench_startup.py), so the command modules import the library only inside the
command functions, never at module level; option defaults come from light constants
(``updater.cli.defaults``).
"""

from __future__ import annotations

import importlib

import typer
from typer.core import TyperGroup

from updater import __version__

_state = {"debug": False}


class _Commands(TyperGroup):
    """Turns a user mistake, or a file the system cannot read or write, into one line on
    stderr and exit status 2, for the console script and for ``CliRunner`` alike;
    ``--debug`` lets the traceback through."""

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        from updater.errors import UpdaterError

        try:
            return super().invoke(ctx)
        except UpdaterError as exc:
            if _state["debug"]:
                raise
            typer.echo(f"updater: error: {exc}", err=True)
            ctx.exit(2)
        except OSError as exc:  # the machine's, not ours: a file, a folder, a full disk
            if _state["debug"]:
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            typer.echo(f"updater: error: {where}{exc.strerror or exc}; check the path, its "
                       "permissions and the free space", err=True)
            ctx.exit(2)

    def list_commands(self, ctx):  # type: ignore[no-untyped-def]
        return sorted(super().list_commands(ctx))


app = typer.Typer(
    cls=_Commands,
    name="updater",
    help="Keep billing code sets current: read the CDC, CMS and AMA releases, see what "
    "changed, and find what it touches in your chargemaster and crosswalks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_COMMANDS = ("diff", "store_commands", "scan", "formats", "plan", "apply", "demo", "report",
             "report_impact", "check", "init", "run", "audit", "claims")  # report_impact: report


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
    app(args=argv, prog_name="updater")
