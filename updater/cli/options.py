"""Options shared by several commands, defined once.

Like every module of ``updater.cli``, this one imports no library module at module level
(only inside functions), so ``updater --help`` starts without pandas and the rest."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, get_type_hints

import typer

if TYPE_CHECKING:
    from updater.releases.readers import ReadOptions

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
    help="Write the result as JSON to this file; '-' for standard output, which then "
    "carries only the JSON.",
)


def emit(json_out: str | None, data: Callable[[], object],
         text: Callable[[], str] | None = None) -> None:
    """How every command gives its result: ``data()`` as JSON to the ``--json`` FILE
    (``-``: standard output, which then carries only the JSON: the text is left out), and
    ``text()`` for people on standard output."""
    if json_out:
        from updater.files.output import write_json

        write_json(data(), json_out)
    if text is not None and json_out != "-":
        typer.echo(text())


def read_options(
    format: str | None = None,
    system: str | None = None,
    version: str | None = None,
    effective: str | None = None,
    code_col: str | None = None,
    desc_col: str | None = None,
    short_col: str | None = None,
    sheet: str | None = None,
    effective_option: str = "--effective",
) -> ReadOptions:
    """ReadOptions from the command line's words, checked."""
    from updater.errors import UpdaterError
    from updater.releases.readers import ReadOptions
    from updater.releases.versions import parse_date
    from updater.vocabulary import CodeSystem

    eff = parse_date(effective, what=effective_option) if effective else None
    sys_: CodeSystem | None = None
    if system:
        try:
            sys_ = CodeSystem(system.lower())
        except ValueError:
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


@dataclass(frozen=True)
class ScanInputs:
    """What a scan reads, as the scan, plan and report impact commands take it: each
    field is one command-line option (``SCAN_OPTIONS``), defined once."""

    chargemaster: Path | None
    crosswalk: Path | None
    old: list[str]
    new: list[str]
    profile: Path | None
    sheet: str | None
    code_col: str | None
    proc_col: str | None
    dx_col: list[str]
    crosswalk_sheet: str | None
    conversion: list[Path]
    user_map: list[Path]
    override: list[Path]
    store: Path

    def scan_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``updater.impact.scan.run_scan`` (and of
        ``updater.reports.impact.scan_for_report``)."""
        return dict(chargemaster=self.chargemaster, crosswalk=self.crosswalk, old=self.old,
                    new=self.new, profile=self.profile, sheet=self.sheet,
                    code_col=self.code_col, proc_col=self.proc_col, dx_cols=self.dx_col,
                    crosswalk_sheet=self.crosswalk_sheet, conversion=self.conversion,
                    user_maps=self.user_map, overrides=self.override, store=self.store)


SCAN_OPTIONS = {"chargemaster": CHARGEMASTER, "crosswalk": CROSSWALK, "old": FROM, "new": TO,
                "profile": PROFILE, "sheet": SHEET, "code_col": CHARGEMASTER_CODE_COL,
                "proc_col": PROC_COL, "dx_col": DX_COLS, "crosswalk_sheet": CROSSWALK_SHEET,
                "conversion": CONVERSION, "user_map": USER_MAPS, "override": OVERRIDES,
                "store": STORE}

_F = TypeVar("_F", bound=Callable[..., Any])


def with_scan_inputs(command: _F) -> _F:
    """Give a command the scan's input options (``SCAN_OPTIONS``, before its own); it
    receives them as one ``inputs: ScanInputs`` parameter. Put it under ``@app.command``."""
    own = [p for p in inspect.signature(command).parameters.values() if p.name != "inputs"]
    hints = {k: v for k, v in get_type_hints(command).items() if k != "inputs"}
    types = get_type_hints(ScanInputs)
    added = [inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY,
                               default=SCAN_OPTIONS[f.name], annotation=types[f.name])
             for f in fields(ScanInputs)]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        inputs = ScanInputs(**{f.name: kwargs.pop(f.name) for f in fields(ScanInputs)})
        return command(inputs=inputs, **kwargs)

    wrapper.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        added + [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own])
    wrapper.__annotations__ = {**hints, **{p.name: p.annotation for p in added}}
    return wrapper  # type: ignore[return-value]

# Options of commands that read two releases (diff, report release, report training): what
# describes one release is given for that side, so one release is never labelled as the other.
OLD_EFFECTIVE = typer.Option(None, "--old-effective", metavar="YYYY-MM-DD",
                             help="Effective date of OLD, when its file names do not say it.")
NEW_EFFECTIVE = typer.Option(None, "--new-effective", metavar="YYYY-MM-DD",
                             help="Effective date of NEW (e.g. a mid-year update named for its "
                             "fiscal year).")
OLD_LABEL = typer.Option(None, "--old-label", metavar="LABEL",
                         help="Version label of OLD instead of the one inferred.")
NEW_LABEL = typer.Option(None, "--new-label", metavar="LABEL",
                         help="Version label of NEW instead of the one inferred.")
OLD_FORMAT = typer.Option(None, "--old-format", metavar="NAME",
                          help="Force a reader for OLD only (see 'updater formats').")
NEW_FORMAT = typer.Option(None, "--new-format", metavar="NAME",
                          help="Force a reader for NEW only.")
OLD_SHEET = typer.Option(None, "--old-sheet", metavar="NAME",
                         help="Worksheet of OLD, when it is an XLSX file.")
NEW_SHEET = typer.Option(None, "--new-sheet", metavar="NAME",
                         help="Worksheet of NEW, when it is an XLSX file.")
BOTH_FORMAT = typer.Option(None, "--format", metavar="NAME",
                           help="Force a reader for both sides (see 'updater formats').")
BOTH_SHEET = typer.Option(None, "--sheet", metavar="NAME",
                          help="Worksheet of both sides, when they are XLSX files.")
ONE_SIDED_EFFECTIVE = typer.Option(None, "--effective", metavar="YYYY-MM-DD", hidden=True,
                                   help="Refused: give --old-effective or --new-effective.")
REVERSE = typer.Option(False, "--reverse",
                       help="OLD is the newer release on purpose: show the changes going back "
                       "in time (refused otherwise).")


PAIR_OPTION_NAMES = ("format", "system", "effective", "code_col", "desc_col", "short_col",
                     "sheet", "old_effective", "new_effective", "old_label", "new_label",
                     "old_format", "new_format", "old_sheet", "new_sheet")


def pair_read_options_of(params: dict[str, object]) -> tuple[ReadOptions, ReadOptions]:
    """``pair_read_options`` from a command's parameters (``typer.Context.params``)."""
    given = {k: params.get(k) for k in PAIR_OPTION_NAMES}
    return pair_read_options(str(params["old"]), str(params["new"]),
                             **given)  # type: ignore[arg-type]


def pair_read_options(
    old: str, new: str, *, format: str | None = None, system: str | None = None,
    effective: str | None = None, code_col: str | None = None, desc_col: str | None = None,
    short_col: str | None = None, sheet: str | None = None,
    old_effective: str | None = None, new_effective: str | None = None,
    old_label: str | None = None, new_label: str | None = None,
    old_format: str | None = None, new_format: str | None = None,
    old_sheet: str | None = None, new_sheet: str | None = None,
) -> tuple[ReadOptions, ReadOptions]:
    """ReadOptions for OLD and NEW: the shared options for both, each side's own over them.

    ``--effective`` alone is refused: it would date both releases alike, and a release
    diffed with a copy of itself finds nothing."""
    from updater.errors import UpdaterError
    from updater.releases.lookup import looks_like_id

    if effective:
        raise UpdaterError(
            "--effective would give OLD and NEW the same date",
            hint="say which release it describes: --old-effective or --new-effective")
    for spec, side, given in ((old, "OLD", (old_effective, old_label, old_format, old_sheet)),
                              (new, "NEW", (new_effective, new_label, new_format, new_sheet))):
        if looks_like_id(spec) and any(given):
            raise UpdaterError(
                f"{spec} is a stored release: its label, date and format were fixed when it "
                f"was imported, so the --{side.lower()}-... options do not apply to it",
                hint="give the release file instead of the store id, or leave the option out")
    shared = dict(system=system, code_col=code_col, desc_col=desc_col, short_col=short_col)
    return (
        read_options(format=old_format or format, version=old_label, effective=old_effective,
                     sheet=old_sheet or sheet, effective_option="--old-effective", **shared),
        read_options(format=new_format or format, version=new_label, effective=new_effective,
                     sheet=new_sheet or sheet, effective_option="--new-effective", **shared))
