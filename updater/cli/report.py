"""``updater report release|training`` (and ``impact``, from ``report_impact``): HTML
pages over the library's report functions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from updater.cli import app
from updater.cli import options as opt

if TYPE_CHECKING:
    from updater.releases.diff import Diff

report_app = typer.Typer(
    name="report",
    help="Self-contained HTML reports: release changes, impact on a chargemaster, coder "
    "training. Each is one file that works offline and prints cleanly.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(report_app, name="report")

def _diff(ctx: typer.Context) -> Diff:
    """OLD and NEW resolved and diffed exactly as ``updater diff`` does, from the
    command's parameters."""
    from updater.releases.lookup import diff_specs

    p = ctx.params
    old_read, new_read = opt.pair_read_options_of(p)
    return diff_specs(p["old"], p["new"], p["store"], old_read, new_options=new_read,
                      reverse=p["reverse"])


def _default_name(kind: str, diff: Diff, extra: str = "") -> Path:
    label = f"{diff.new.system.value}-{diff.old.version}-{diff.new.version}"
    return Path(f"{kind}-{label}{extra}.html")


@report_app.command("release")
def release(
    ctx: typer.Context,
    old: str = opt.OLD,
    new: str = opt.NEW,
    out: Path | None = typer.Option(
        None, "--out", "-o", metavar="FILE.html",
        help="Where to write the page [default: release-SYSTEM-OLD-NEW.html]."),
    store: Path = opt.STORE,
    reverse: bool = opt.REVERSE,
    old_effective: str | None = opt.OLD_EFFECTIVE,
    new_effective: str | None = opt.NEW_EFFECTIVE,
    old_label: str | None = opt.OLD_LABEL,
    new_label: str | None = opt.NEW_LABEL,
    format: str | None = opt.BOTH_FORMAT,
    old_format: str | None = opt.OLD_FORMAT,
    new_format: str | None = opt.NEW_FORMAT,
    system: str | None = opt.SYSTEM,
    code_col: str | None = opt.CODE_COL,
    desc_col: str | None = opt.DESC_COL,
    short_col: str | None = opt.SHORT_COL,
    sheet: str | None = opt.BOTH_SHEET,
    old_sheet: str | None = opt.OLD_SHEET,
    new_sheet: str | None = opt.NEW_SHEET,
    effective: str | None = opt.ONE_SIDED_EFFECTIVE,
) -> None:
    """What changed from OLD to NEW, for sign-off: the publisher-style summary, the check
    against the publisher's change list, changes by chapter or section, and every added,
    deleted, revised and expanded code."""
    from updater.reports.release import release_report
    from updater.reports.render import write_html

    diff = _diff(ctx)
    path = write_html(release_report(diff), out or _default_name("release", diff))
    typer.echo(f"wrote {path}")


@report_app.command("training")
def training(
    ctx: typer.Context,
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
    reverse: bool = opt.REVERSE,
    old_effective: str | None = opt.OLD_EFFECTIVE,
    new_effective: str | None = opt.NEW_EFFECTIVE,
    old_label: str | None = opt.OLD_LABEL,
    new_label: str | None = opt.NEW_LABEL,
    format: str | None = opt.BOTH_FORMAT,
    old_format: str | None = opt.OLD_FORMAT,
    new_format: str | None = opt.NEW_FORMAT,
    system: str | None = opt.SYSTEM,
    code_col: str | None = opt.CODE_COL,
    desc_col: str | None = opt.DESC_COL,
    short_col: str | None = opt.SHORT_COL,
    sheet: str | None = opt.BOTH_SHEET,
    old_sheet: str | None = opt.OLD_SHEET,
    new_sheet: str | None = opt.NEW_SHEET,
    effective: str | None = opt.ONE_SIDED_EFFECTIVE,
) -> None:
    """What is new, gone and changed for coders of a specialty (--specialty) or a set of
    code ranges (--focus), grouped by category, printable. Without either: the whole
    code set."""
    from updater.reports.render import slug, write_html
    from updater.reports.training import check_request, training_report

    check_request(focus, specialty)  # before any release is read
    diff = _diff(ctx)
    html = training_report(diff, focus=focus, specialty=specialty)
    extra = f"-{slug(specialty)}" if specialty else ""
    path = write_html(html, out or _default_name("training", diff, extra))
    typer.echo(f"wrote {path}")
