"""``updater report release|training`` (and ``impact``, from ``report_impact``): HTML
pages over the library's report functions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from updater.cli import app
from updater.cli import options as opt

if TYPE_CHECKING:
    from updater.diff import Diff

report_app = typer.Typer(
    name="report",
    help="Self-contained HTML reports: release changes, impact on a chargemaster, coder "
    "training. Each is one file that works offline and prints cleanly.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(report_app, name="report")

def _diff(old: str, new: str, store: Path, format: str | None, system: str | None,
          effective: str | None, code_col: str | None, desc_col: str | None,
          short_col: str | None, sheet: str | None) -> Diff:
    """OLD and NEW resolved and diffed exactly as ``updater diff`` does."""
    from updater.resolve import diff_specs

    read = opt.read_options(format=format, system=system, effective=effective,
                            code_col=code_col, desc_col=desc_col, short_col=short_col,
                            sheet=sheet)
    return diff_specs(old, new, store, read)


def _default_name(kind: str, diff: Diff, extra: str = "") -> Path:
    label = f"{diff.new.system.value}-{diff.old.version}-{diff.new.version}"
    return Path(f"{kind}-{label}{extra}.html")


@report_app.command("release")
def release(
    old: str = opt.OLD,
    new: str = opt.NEW,
    out: Path | None = typer.Option(
        None, "--out", "-o", metavar="FILE.html",
        help="Where to write the page [default: release-SYSTEM-OLD-NEW.html]."),
    store: Path = opt.STORE,
    format: str | None = opt.FORMAT,
    system: str | None = opt.SYSTEM,
    effective: str | None = opt.EFFECTIVE,
    code_col: str | None = opt.CODE_COL,
    desc_col: str | None = opt.DESC_COL,
    short_col: str | None = opt.SHORT_COL,
    sheet: str | None = opt.SHEET,
) -> None:
    """What changed from OLD to NEW, for sign-off: the publisher-style summary, the check
    against the publisher's change list, changes by chapter or section, and every added,
    deleted, revised and expanded code."""
    from updater.reports.release import release_report
    from updater.reports.render import write_html

    diff = _diff(old, new, store, format, system, effective, code_col, desc_col, short_col,
                 sheet)
    path = write_html(release_report(diff), out or _default_name("release", diff))
    typer.echo(f"wrote {path}")


@report_app.command("training")
def training(
    old: str = opt.OLD,
    new: str = opt.NEW,
    focus: str | None = typer.Option(
        None, "--focus", metavar="RANGES",
        help="Code ranges, comma-separated: M00-M99,S00-T88 (ICD-10-CM), 27000-27899 (CPT), "
        "L0000-L9999 (HCPCS)."),
    specialty: str | None = typer.Option(
        None, "--specialty", metavar="NAME",
        help="A specialty profile: cardiology, emergency medicine, general surgery, "
        "obstetrics, oncology, orthopedics, physical therapy, radiology."),
    out: Path | None = typer.Option(
        None, "--out", "-o", metavar="FILE.html",
        help="Where to write the page [default: training-SYSTEM-OLD-NEW[-SPECIALTY].html]."),
    store: Path = opt.STORE,
    format: str | None = opt.FORMAT,
    system: str | None = opt.SYSTEM,
    effective: str | None = opt.EFFECTIVE,
    code_col: str | None = opt.CODE_COL,
    desc_col: str | None = opt.DESC_COL,
    short_col: str | None = opt.SHORT_COL,
    sheet: str | None = opt.SHEET,
) -> None:
    """What is new, gone and changed for coders of a specialty (--specialty) or a set of
    code ranges (--focus), grouped by category, printable. Without either: the whole
    code set."""
    from updater.reports.render import slug, write_html
    from updater.reports.training import check_request, training_report

    check_request(focus, specialty)  # before any release is read
    diff = _diff(old, new, store, format, system, effective, code_col, desc_col, short_col,
                 sheet)
    html = training_report(diff, focus=focus, specialty=specialty)
    extra = f"-{slug(specialty)}" if specialty else ""
    path = write_html(html, out or _default_name("training", diff, extra))
    typer.echo(f"wrote {path}")
