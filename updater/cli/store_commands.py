"""``updater import``, ``updater releases`` and ``updater history``: the release store."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer

from updater.cli import app
from updater.cli import options as opt


@app.command("import")
def import_(
    files: list[Path] = typer.Argument(..., help="Release files as the publisher ships them "
                                       "(zip, txt, xlsx); several at once are fine."),
    store: Path = opt.STORE,
    replace: bool = typer.Option(False, "--replace", help="Store this file in place of a "
                                 "different file already stored under the same release id."),
    format: str | None = opt.FORMAT,
    system: str | None = opt.SYSTEM,
    version: str | None = opt.VERSION,
    effective: str | None = opt.EFFECTIVE,
    code_col: str | None = opt.CODE_COL,
    desc_col: str | None = opt.DESC_COL,
    short_col: str | None = opt.SHORT_COL,
    sheet: str | None = opt.SHEET,
) -> None:
    """Add releases to the store, so diffs, histories and checks can use them by id
    (icd10cm:FY2025). Importing the same file again changes nothing; a change list
    (order addenda) on its own is applied onto the stored release before it."""
    from updater.releases.readers import load_release
    from updater.releases.store import ReleaseStore, import_line

    read = opt.read_options(format=format, system=system, version=version, effective=effective,
                            code_col=code_col, desc_col=desc_col, short_col=short_col,
                            sheet=sheet)
    releases = ReleaseStore(store)
    for file in files:
        result = releases.import_release(load_release(file, read)[0], replace=replace)
        typer.echo(import_line(result, file))


@app.command()
def releases(store: Path = opt.STORE, json_out: str | None = opt.JSON_OUT) -> None:
    """List the releases in the store: effective date, counts of codes and headers,
    whether the publisher's change list came with it, and the file it was read from."""
    from updater.releases.store import ReleaseStore, releases_lines

    stored = ReleaseStore(store).list()
    opt.emit(json_out, lambda: [asdict(r) for r in stored],
             lambda: "\n".join(releases_lines(stored)) if stored else
             f"the store {store} is empty; add releases with 'updater import FILE'")


@app.command()
def history(
    code: str = typer.Argument(..., help="The code, with or without the dot: M17.11, M1711."),
    store: Path = opt.STORE,
    on: str | None = typer.Option(None, "--on", help="Also say whether the code was valid "
                                  "(billable, in the release in force) on this date, "
                                  "YYYY-MM-DD: e.g. a date of service."),
    system: str | None = typer.Option(None, "--system", help="Code set to look in (icd10cm, "
                                      "hcpcs, cpt), for a code that is in more than one."),
    json_out: str | None = opt.JSON_OUT,
) -> None:
    """The code's life across the stored releases: when it appeared, changed title, became
    a header (expanded into new codes), was deleted or came back."""
    from updater.releases.history import code_history, history_lines, valid_on, validity_line
    from updater.releases.store import ReleaseStore
    from updater.releases.versions import parse_date

    day = parse_date(on, what="--on") if on else None
    result = code_history(ReleaseStore(store), code, system)
    lines = history_lines(result)
    data = asdict(result)
    if day is not None:
        ok, reason = valid_on(result, day)
        data["valid_on"] = {"date": day.isoformat(), "valid": ok, "reason": reason}
        lines.append(validity_line(result, day))
    opt.emit(json_out, lambda: data, lambda: "\n".join(lines))
