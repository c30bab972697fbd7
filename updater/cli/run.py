"""``updater run``: one command per cycle (import, diff, scan, plan, reports, index)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from updater.cli import app
from updater.cli import options as opt


class _Progress:
    """A progress bar per step on a terminal; one line per step otherwise (cron, logs)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.step = ""
        self.bar: Any = None
        self.done = 0
        self.total = 0
        self.said: set[str] = set()

    def __call__(self, step: str, done: int, total: int) -> None:
        if step == self.step:
            pass
        elif self.bar is not None and total == self.total:  # a later step of one phase
            self.step, self.bar.label = step, f"{step:16}"
        elif not self.tty and total == self.total:
            self.step = step
            if step not in self.said:
                self.said.add(step)
                typer.echo(f"{step} ...", err=True)
        else:
            self.close()
            self.step, self.total, self.done = step, total, 0
            if self.tty:
                self.bar = typer.progressbar(length=total, label=f"{step:16}", file=sys.stderr)
                self.bar.__enter__()
            elif step not in self.said:
                self.said.add(step)
                typer.echo(f"{step} ...", err=True)
        if self.bar is not None:
            self.bar.update(max(done - self.done, 0))
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@app.command()
def run(
    cycle: str | None = typer.Option(None, "--cycle", metavar="YYYY-MM-DD",
                                     help="The cycle's effective date, e.g. 2026-10-01."),
    next_: bool = typer.Option(False, "--next", help="The next cycle on or after --as-of."),
    as_of: str | None = typer.Option(None, "--as-of", metavar="YYYY-MM-DD",
                                     help="Today, for --next (default: the real today)."),
    config: Path | None = typer.Option(None, "--config", metavar="FILE",
                                       help="The configuration (default: ./updater.toml)."),
    json_out: str | None = opt.JSON_OUT,
) -> None:
    """Run a whole update cycle: import the publisher files waiting in the inbox, diff each
    code set against the release in force before the cycle, scan the chargemaster(s) and
    crosswalk(s), plan, and write the reports, the review workbook, the JSON files and an
    index.html into <output>/<cycle date>/. Decisions already made in that folder's
    plan.xlsx are kept. Progress goes to standard error."""
    from updater.cycle.config import load_config
    from updater.cycle.run import run_cycle, summary_lines
    from updater.releases.versions import parse_date

    day = parse_date(cycle, what="--cycle") if cycle else None
    as_of_day = parse_date(as_of, what="--as-of") if as_of else None

    with _Progress() as progress:
        result = run_cycle(load_config(config), cycle=day, next_=next_, as_of=as_of_day,
                           progress=progress)
    opt.emit(json_out, result.to_dict, lambda: "\n".join(summary_lines(result)))
