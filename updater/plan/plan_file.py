"""A plan on disk: ``plan.json`` (its shape: ``docs/plan-schema.md``) written and read, and
a plan read back from either of its files, ``plan.json`` or the reviewed ``plan.xlsx``
(:mod:`updater.plan.workbook`)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from updater.errors import UpdaterError, reads_file
from updater.files.output import atomic_path, to_json_bytes
from updater.impact.findings import records
from updater.plan import model as P
from updater.plan.model import Plan, check_table, empty_table, identity_from, typed_table
from updater.plan.workbook import read_workbook

SCHEMA_VERSION = 1  # the "schema_version" of plan.json (docs/plan-schema.md)


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The documented JSON shape (docs/plan-schema.md)."""
    return {"schema_version": SCHEMA_VERSION, "identity": asdict(plan.identity),
            "rows": records(typed_table(plan.table))}


def write_plan_json(plan: Plan, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(to_json_bytes(plan_to_dict(plan)))


def read_plan_json(path: str | Path) -> Plan:
    if Path(path).is_dir():
        raise UpdaterError("a folder, not a plan file", file=path,
                           hint="give a plan.json written by `updater plan`")
    try:
        data = orjson.loads(Path(path).read_bytes())
    except FileNotFoundError as exc:
        raise UpdaterError("no such plan file", file=path) from exc
    except orjson.JSONDecodeError as exc:
        raise UpdaterError(f"not JSON ({exc})", file=path,
                           hint="give a plan.json written by `updater plan`") from exc
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise UpdaterError("not a plan: no \"rows\" list", file=path,
                           hint="give a plan.json written by `updater plan`")
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise UpdaterError(f"plan schema version {version} is not supported (this updater "
                           f"reads version {SCHEMA_VERSION})", file=path)
    identity = identity_from(data.get("identity") or {}, path)
    rows = data["rows"]
    wanted = set(P.PLAN_COLUMNS) - set(P.OPTIONAL_COLUMNS)
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or not wanted <= row.keys():
            gone = sorted(wanted - row.keys()) if isinstance(row, dict) else ["all"]
            raise UpdaterError(f"not a plan: column(s) {', '.join(gone)} missing in rows[{n}]",
                               file=path, hint="give a plan.json written by `updater plan`")
    table = pd.DataFrame(rows, columns=list(P.PLAN_COLUMNS)) if rows else empty_table()
    for col in P.OPTIONAL_COLUMNS:  # absent in a plan written before they existed
        table[col] = table[col].astype(object).fillna("")
    return Plan(table=check_table(table, path), identity=identity)


@reads_file
def read_plan(path: str | Path) -> Plan:
    """A plan from plan.json or the reviewed plan.xlsx (by extension); anything else is
    refused before it is read."""
    path = Path(path)
    if path.is_dir():
        raise UpdaterError("a folder, not a plan file", file=path,
                           hint="give the plan.json or the reviewed plan.xlsx")
    if not path.is_file():
        raise UpdaterError("no such plan file", file=path, hint="check the path")
    suffix = path.suffix.lower()
    if suffix == ".json":
        return read_plan_json(path)
    if suffix in (".xlsx", ".xlsm"):
        return read_workbook(path)
    raise UpdaterError("a plan is a .json or .xlsx file", file=path,
                       hint="give the plan.json or the reviewed plan.xlsx")
