"""Options shared by several commands, defined once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from updater.readers import ReadOptions
from updater.versions import parse_date
from updater.vocabulary import CodeSystem

OLD = typer.Argument(..., metavar="OLD",
                     help="Older release: a store id (icd10cm:FY2025) or a file.")
NEW = typer.Argument(..., metavar="NEW", help="Newer release: a store id or a file; a change "
                     "list (addenda) is applied onto OLD.")
STORE = typer.Option(
    Path("releases"), "--store", metavar="DIR", help="Release store folder.", envvar="UPDATER_STORE"
)
FORMAT = typer.Option(
    None, "--format", metavar="NAME", help="Force a reader (see 'updater formats')."
)
SYSTEM = typer.Option(
    None,
    "--system",
    metavar="SYSTEM",
    help="Code system of a generic table: icd10cm, hcpcs, cpt or custom.",
)
VERSION = typer.Option(
    None,
    "--version-label",
    "--label",
    metavar="LABEL",
    help="Version label to use instead of the one inferred (e.g. FY2026).",
)
EFFECTIVE = typer.Option(
    None,
    "--effective",
    metavar="YYYY-MM-DD",
    help="Effective date YYYY-MM-DD, when it cannot be inferred from the file names.",
)
CODE_COL = typer.Option(
    None, "--code-col", metavar="COLUMN", help="Code column of a generic CSV/XLSX."
)
DESC_COL = typer.Option(
    None, "--desc-col", metavar="COLUMN", help="Description column of a generic CSV/XLSX."
)
SHORT_COL = typer.Option(
    None, "--short-col", metavar="COLUMN", help="Short description column of a generic table."
)
SHEET = typer.Option(None, "--sheet", metavar="NAME", help="Worksheet of an XLSX file.")
JSON_OUT = typer.Option(
    None,
    "--json",
    metavar="FILE",
    help="Write the result as JSON to this path ('-' for standard output).",
)


def read_options(
    format: str | None = None,
    system: str | None = None,
    version: str | None = None,
    effective: str | None = None,
    code_col: str | None = None,
    desc_col: str | None = None,
    short_col: str | None = None,
    sheet: str | None = None,
) -> ReadOptions:
    """ReadOptions from the command line's words, checked."""
    eff: date | None = parse_date(effective, what="--effective") if effective else None
    sys_: CodeSystem | None = None
    if system:
        try:
            sys_ = CodeSystem(system.lower())
        except ValueError:
            from updater.errors import UpdaterError

            raise UpdaterError(
                f"unknown code system {system!r}", hint="use icd10cm, hcpcs, cpt or custom"
            ) from None
    return ReadOptions(
        format=format,
        system=sys_,
        version=version,
        effective=eff,
        code_col=code_col,
        desc_col=desc_col,
        short_col=short_col,
        sheet=sheet,
    )

# The scan's inputs, shared by scan, plan and report impact (and in part by apply).
CHARGEMASTER = typer.Option(
    None, "--chargemaster", "--cdm", metavar="FILE",
    help="Chargemaster: CSV, XLSX or CMS price transparency CSV (tall or wide).")
CROSSWALK = typer.Option(
    None, "--crosswalk", metavar="FILE",
    help="Procedure <-> diagnosis crosswalk: CSV or XLSX, long or wide.")
FROM = typer.Option(
    [], "--from", metavar="RELEASE",
    help="Release in force (store id or file); repeat with --to for each code system.")
TO = typer.Option([], "--to", metavar="RELEASE", help="New release (store id or file).")
PROFILE = typer.Option(
    None, "--profile", metavar="FILE",
    help="TOML profile naming the chargemaster's columns (see chargemasters/profiles).")
CHARGEMASTER_CODE_COL = typer.Option(
    None, "--code-col", metavar="COLUMN",
    help="The chargemaster's CPT/HCPCS column, when it has an unusual name.")
PROC_COL = typer.Option(
    None, "--proc-col", metavar="COLUMN",
    help="The crosswalk's procedure column, when it has an unusual name.")
DX_COLS = typer.Option(
    [], "--dx-col", metavar="COLUMN",
    help="The crosswalk's diagnosis column(s), when they have unusual names.")
CROSSWALK_SHEET = typer.Option(
    None, "--crosswalk-sheet", metavar="NAME", help="Worksheet of an XLSX crosswalk.")
CONVERSION = typer.Option(
    [], "--conversion", metavar="FILE",
    help="CDC conversion table (found beside the release zip when not given).")
USER_MAPS = typer.Option(
    [], "--map", metavar="FILE",
    help="Your own old -> new code file (e.g. CPT 'to report, see' guidance).")
OVERRIDES = typer.Option(
    [], "--override", metavar="FILE", help="Old -> new file that wins over every other source.")
