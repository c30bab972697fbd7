"""Which claim lines bill codes a release pair retires, and how much revenue that is.

The work over lines is one portable SQL query (``impact.sql``) that an engine runs where
the claims are: DuckDB in-process by default, Spark for data that outgrows one machine.
Around it, everything is small: the distinct codes and dates of the extract are judged
in Python by the scan's rules (``updater.impact.claims.lookups``), and the query's grouped rows
(a few thousand to a few hundred thousand, whatever the number of lines) are summed here
into the tables people read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa

import updater.impact.claims.layout as L
from updater.codes import display_codes
from updater.errors import UpdaterError
from updater.files.tables import DATE_FORMATS
from updater.impact.change_sets import ChangeSet
from updater.impact.claims.duckdb_engine import DuckDBEngine
from updater.impact.claims.lookups import (
    DIAGNOSIS,
    MODIFIER,
    PROCEDURE,
    ROLES,
    affected_table,
    code_facts,
    date_lookup,
    roles_checked,
)
from updater.impact.findings import records, release_origin
from updater.vocabulary import AT_RISK_KINDS, CodeSystem, FindingKind

SERVICE_DATES = ("all", "on-or-after", "before")
KINDS = [k.value for k in FindingKind if k in AT_RISK_KINDS]
GROUP_KEYS = ("facility", "payer", "department")
SUMS = ("lines", "charges")


@dataclass(frozen=True)
class Slot:
    """One code column of ``claim_lines``: its name there, the role its codes play, the
    extract's column it comes from and the engine's expression for it."""

    name: str
    role: str
    column: str
    expression: str


class Engine(Protocol):
    """What :func:`impact_claims` needs from an engine (see ``duckdb_engine``)."""

    name: str
    source: str
    kind: str
    files: list[str]

    def close(self) -> None: ...
    def open(self, path: str | Path, names: Sequence[str] = ()) -> list[L.Column]: ...
    def code_expressions(self, column: L.Column, prefix: str, *, pad: int = 0,
                         lists: bool = True) -> list[tuple[str, str]]: ...
    def distinct(self, expressions: Sequence[str]) -> list[str]: ...
    def date_texts(self, column: L.Column) -> list[str]: ...
    def define_lines(self, single: dict[str, L.Column], slots: Sequence[tuple[str, str]],
                     dates: pa.Table | None) -> None: ...
    def register(self, name: str, table: pa.Table) -> None: ...
    def query(self, sql: str) -> pd.DataFrame: ...
    def where_value(self, column: L.Column, value: str) -> str: ...
    def first_bad_charge(self) -> tuple[str, str]: ...


def query_template(name: str = "impact") -> str:
    """A portable query as shipped: ``impact`` (the at-risk lines, a template over the code
    columns) or ``totals`` (every line), ``updater/claims/<name>.sql``."""
    return resources.files("updater.impact.claims").joinpath(f"{name}.sql").read_text("utf-8")


def render_query(slots: Sequence[Slot] | Sequence[tuple[str, str]]) -> str:
    """The query for these code columns: ``slots`` are :class:`Slot` or (name, role)."""
    import jinja2  # only when a query is rendered: the other commands start without it

    pairs = [(s.name, s.role) if isinstance(s, Slot) else (s[0], s[1]) for s in slots]
    if not pairs:
        raise UpdaterError("no code column to check", hint="give --from/--to releases of "
                           "ICD-10-CM, HCPCS or CPT")
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False,
                             keep_trailing_newline=True)
    return env.from_string(query_template()).render(
        slots=[{"name": n, "role": r} for n, r in pairs])


@dataclass
class ClaimsImpact:
    """The result: the summary, the grouped lines and the at-risk codes."""

    summary: dict[str, Any]
    by_group: pd.DataFrame  # facility, payer, [department], lines, charges, affected ...
    by_code: pd.DataFrame  # role, code, display, system, kind, effective, lines, charges ...
    extract: dict[str, Any] = field(default_factory=dict)
    change_sets: list[ChangeSet] = field(default_factory=list)
    service_dates: str = "all"

    def rollup(self, key: str) -> pd.DataFrame:
        """``by_group`` summed by one of facility, payer, department."""
        sums = [c for c in self.by_group.columns if c not in GROUP_KEYS and c != "share"]
        out = self.by_group.groupby(key, sort=False, as_index=False)[sums].sum()
        return _ranked(out)

    def sheets(self) -> dict[str, pd.DataFrame]:
        """The workbook's sheets, in order."""
        sheets = {"summary": summary_frame(self), "by_group": self.by_group}
        for key in GROUP_KEYS:
            if key in self.by_group:
                sheets[f"by_{key}"] = self.rollup(key)
        sheets["by_code"] = self.by_code
        return sheets

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON shape of ``updater claims --json``."""
        return {
            "releases": [{"system": cs.system.value,
                          "old": {**cs.old.describe(), **release_origin(cs.old)},
                          "new": {**cs.new.describe(), **release_origin(cs.new)}}
                         for cs in self.change_sets],
            "extract": self.extract,
            "service_dates": self.service_dates,
            "summary": self.summary,
            "by_group": records(self.by_group),
            "by_code": records(self.by_code.assign(
                effective=self.by_code["effective"].astype(str))),
        }


def impact_claims(extract: str | Path, change_sets: Sequence[ChangeSet], *,
                  columns: Mapping[str, str | Sequence[str]] | None = None,
                  service_dates: str = "all", engine: Engine | None = None) -> ClaimsImpact:
    """The claim lines of ``extract`` that bill a code the change sets retire (deleted,
    expanded, terminated, not billable), grouped by facility, payer and department.

    ``service_dates``: ``all`` counts every line (last year's claims as the volume the
    new release will meet: the default), ``on-or-after`` only lines whose date of service
    is on or after the date the code stops being billable (claims already under the new
    release), ``before`` only those before it. Totals (``lines``, ``charges``) always
    count every line of the extract. The engine (DuckDB unless given) is closed at the end.
    """
    if service_dates not in SERVICE_DATES:
        raise UpdaterError(f"unknown --service-dates {service_dates!r}",
                           hint=f"use {', '.join(SERVICE_DATES)}")
    roles = roles_checked(change_sets)
    if not roles:
        raise UpdaterError("no release pair of ICD-10-CM, HCPCS or CPT to check claims with",
                           hint="give --from/--to releases of those code sets")
    if engine is None:
        engine = DuckDBEngine()
    try:
        return _run(engine, extract, list(change_sets), roles, columns, service_dates)
    finally:
        engine.close()


def _run(engine: Engine, extract: str | Path, change_sets: list[ChangeSet], roles: list[str],
         columns: Mapping[str, str | Sequence[str]] | None, mode: str) -> ClaimsImpact:
    named = [n for v in (columns or {}).values() for n in ([v] if isinstance(v, str) else v)]
    header = engine.open(extract, named)
    needs = [f for f, role in ((L.PROCEDURE, PROCEDURE), (L.DIAGNOSIS, DIAGNOSIS))
             if role in roles]
    layout = L.find_layout(header, source=engine.source, columns=columns, needs=needs)
    if not layout.modifiers and MODIFIER in roles:
        roles = [r for r in roles if r != MODIFIER]
    slots = _slots(engine, layout, roles)
    facts, hit_roles = _judge_codes(engine, slots, roles, change_sets)
    dates = _read_dates(engine, layout.single[L.SERVICE_DATE])
    engine.define_lines(layout.single, [(s.name, s.expression) for s in slots], dates)
    totals = engine.query(query_template("totals"))
    if not len(totals) or not pd.to_numeric(totals["lines"]).sum():
        raise UpdaterError("no claim lines under the header", file=engine.source,
                           hint="is this the right file? export the claims again")
    _check_charges(engine, totals, layout)
    # only the code columns that hold an at-risk code are joined (none: no query at all)
    joined = [s for s in slots if s.role in hit_roles]
    affected = engine.query(render_query(joined)) if joined else pd.DataFrame(
        columns=[*GROUP_KEYS, "on_or_after", "lines", "charges"])
    result = summarize(totals, affected, joined, facts, mode,
                       has_department=L.DEPARTMENT in layout.single)
    result.change_sets = change_sets
    result.extract = {"path": str(extract), "format": engine.kind, "files": len(engine.files),
                      "engine": engine.name, "columns": layout.used(),
                      "code_columns": {s.name: s.column for s in slots}}
    result.summary["effective"] = {cs.system.value: cs.new.effective.isoformat()
                                   for cs in change_sets}
    return result


def _judge_codes(engine: Engine, slots: list[Slot], roles: list[str],
                 change_sets: list[ChangeSet]) -> tuple[pd.DataFrame, set[str]]:
    """Register ``affected_<role>`` for every role (the extract's at-risk spellings, from
    its distinct codes); the facts of the at-risk codes, and the roles that have any."""
    facts: list[pd.DataFrame] = []
    hit_roles: set[str] = set()
    for role in ROLES:
        spelled = pd.DataFrame(columns=["raw", "code", "effective"])
        if role in roles:
            mine = [s.expression for s in slots if s.role == role]
            spelled, role_facts = code_facts(role, engine.distinct(mine), change_sets)
            facts.append(role_facts)
            if len(spelled):
                hit_roles.add(role)
        engine.register(f"affected_{role}", affected_table(spelled))
    found = [f for f in facts if len(f)]
    return (pd.concat(found, ignore_index=True) if found else facts[0]), hit_roles


def _read_dates(engine: Engine, dos: L.Column) -> pa.Table | None:
    """The lookup of the extract's date texts (None when its dates are typed); a text that
    is no date stops the run, naming its row."""
    if dos.type in ("date", "timestamp"):
        return None
    if dos.type not in ("text", "number"):
        raise UpdaterError(f"the date of service column {dos.name!r} holds {dos.type} values",
                           file=engine.source,
                           hint="name the date of service column with --column "
                                "service_date=NAME")
    dates, unreadable = date_lookup(engine.date_texts(dos))
    if unreadable:
        raise UpdaterError(f"{unreadable[0]!r} in column {dos.name!r} is not a date "
                           f"(expected {DATE_FORMATS})", file=engine.where_value(
                               dos, unreadable[0]),
                           hint="correct it in the extract, or export dates as YYYY-MM-DD")
    return dates


def _slots(engine: Engine, layout: L.Layout, roles: list[str]) -> list[Slot]:
    """The code columns of ``claim_lines``: ``proc``, ``dx_1`` .., ``mod_1`` ..."""
    slots: list[Slot] = []
    if PROCEDURE in roles:
        col = layout.single[L.PROCEDURE]
        for _, expr in engine.code_expressions(col, "proc", pad=5, lists=False):
            slots.append(Slot("proc", PROCEDURE, col.name, expr))
    for role, cols, prefix in ((DIAGNOSIS, layout.diagnosis, "dx"),
                               (MODIFIER, layout.modifiers, "mod")):
        if role not in roles:
            continue
        n = 0
        for col in cols:  # one column may list several codes; several columns one each
            for _, expr in engine.code_expressions(col, prefix, lists=len(cols) == 1):
                n += 1
                slots.append(Slot(f"{prefix}_{n}", role, col.name, expr))
    return slots


def _check_charges(engine: Engine, grouped: pd.DataFrame, layout: L.Layout) -> None:
    """A charge that is no amount stops the run, naming its row (the query counted them)."""
    if not len(grouped) or not grouped["charges_unreadable"].fillna(0).sum():
        return
    where, value = engine.first_bad_charge()
    raise UpdaterError(f"{value!r} in column {layout.single[L.CHARGE].name!r} is not an amount",
                       file=where, hint="write it as a number, e.g. 1234.50, or leave it blank")


# ---------------------------------------------------------------- the tables


def summarize(totals: pd.DataFrame, affected: pd.DataFrame, slots: Sequence[Slot],
              facts: pd.DataFrame, mode: str, *, has_department: bool = True) -> ClaimsImpact:
    """The two queries' grouped rows as the result's tables: ``totals`` (every line, by
    facility, payer, department), ``affected`` (the at-risk lines, also by their at-risk
    codes and whether on or after the date those stop being billable); ``mode`` is the
    ``service_dates`` filter, applied to the at-risk lines."""
    t = totals.copy()
    for col in ("lines", "lines_without_date", "lines_without_charge"):
        t[col] = pd.to_numeric(t[col]).fillna(0).astype(np.int64)
    t["charges"] = pd.to_numeric(t["charges"], errors="coerce").astype(float).fillna(0.0)
    a = affected.reset_index(drop=True)
    a["lines"] = pd.to_numeric(a["lines"]).fillna(0).astype(np.int64)
    a["charges"] = pd.to_numeric(a["charges"], errors="coerce").astype(float).fillna(0.0)
    after = (a["on_or_after"] == 1).to_numpy()
    keep = {"all": np.ones(len(a), bool), "on-or-after": after,
            "before": (a["on_or_after"] == 0).to_numpy()}[mode]
    a = a[keep].assign(lines_affected=lambda f: f["lines"],
                       charges_affected=lambda f: f["charges"])
    a = a.assign(lines_on_or_after=np.where(a["on_or_after"] == 1, a["lines"], 0),
                 charges_on_or_after=np.where(a["on_or_after"] == 1, a["charges"], 0.0))
    keys = [k for k in GROUP_KEYS if has_department or k != "department"]
    measures = ["lines_affected", "charges_affected", "lines_on_or_after",
                "charges_on_or_after"]
    per_group = a.groupby(keys, as_index=False)[measures].sum()
    by_group = t.groupby(keys, as_index=False)[["lines", "charges"]].sum().merge(
        per_group, on=keys, how="left")
    by_group[measures] = by_group[measures].fillna(0)
    for col in ("lines_affected", "lines_on_or_after"):
        by_group[col] = by_group[col].astype(np.int64)
    long = _codes_long(a, slots)
    by_code = _by_code(long, facts)
    summary = _summary(t, a, long, facts, mode)
    return ClaimsImpact(summary=summary, by_group=_ranked(by_group), by_code=by_code,
                        service_dates=mode)


def _ranked(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in [c for c in out.columns if c.startswith("charges")]:
        out[col] = out[col].astype(float).round(2)
    total = out["charges"].to_numpy()
    out["share"] = np.where(total > 0, out["charges_affected"] / np.where(total > 0, total, 1),
                            0.0).round(4)
    keys = [c for c in out.columns if c in GROUP_KEYS]
    return out.sort_values(["charges_affected", "lines_affected", *keys],
                           ascending=[False, False, *([True] * len(keys))],
                           kind="stable").reset_index(drop=True)


def _codes_long(g: pd.DataFrame, slots: Sequence[Slot]) -> pd.DataFrame:
    """(group row, role, code) for every at-risk code a grouped row carries, each once."""
    parts = []
    for s in slots:
        col = f"{s.name}_code"
        hit = g[g[col].notna()]
        parts.append(pd.DataFrame({"row": hit.index.to_numpy(), "role": s.role,
                                   "code": hit[col].astype(str).to_numpy()}))
    long = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["row", "role", "code"])
    long = long.drop_duplicates(["row", "role", "code"])
    measures = g[["lines_affected", "charges_affected", "lines_on_or_after",
                  "charges_on_or_after"]]
    return long.join(measures, on="row")


def _by_code(long: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    sums = long.groupby(["role", "code"], as_index=False)[
        ["lines_affected", "charges_affected", "lines_on_or_after", "charges_on_or_after"]
    ].sum().rename(columns=lambda c: c.removesuffix("_affected"))
    out = sums.merge(facts, on=["role", "code"], how="left")
    out["display"] = out["code"]
    icd = (out["system"] == CodeSystem.ICD10CM.value).to_numpy()
    out.loc[icd, "display"] = display_codes(out.loc[icd, "code"].astype(str),
                                            CodeSystem.ICD10CM).to_numpy()
    columns = ["role", "code", "display", "system", "kind", "effective", "lines", "charges",
               "lines_on_or_after", "charges_on_or_after", "replaced_by", "previous_title",
               "official_title", "detail"]
    out = out.reindex(columns=columns)
    for col in ("charges", "charges_on_or_after"):
        out[col] = out[col].astype(float).round(2)
    for col in ("replaced_by", "previous_title", "official_title", "detail", "system", "kind"):
        out[col] = out[col].fillna("").astype(str)
    return out.sort_values(["charges", "lines", "role", "code"],
                           ascending=[False, False, True, True], kind="stable"
                           ).reset_index(drop=True)


def _summary(t: pd.DataFrame, hit: pd.DataFrame, long: pd.DataFrame, facts: pd.DataFrame,
             mode: str) -> dict[str, Any]:
    total_lines, total_charges = int(t["lines"].sum()), float(t["charges"].sum())
    kinds = long.merge(facts[["role", "code", "kind"]], on=["role", "code"], how="left")
    kinds = kinds.drop_duplicates(["row", "kind"])
    by_kind = kinds.groupby("kind")[["lines_affected", "charges_affected"]].sum()
    roles = long.drop_duplicates(["row", "role"]).groupby("role")[
        ["lines_affected", "charges_affected"]].sum()
    first = t["first_service_date"].dropna()
    last = t["last_service_date"].dropna()
    lines_affected = int(hit["lines"].sum())
    charges_affected = float(hit["charges"].sum())
    after = hit["on_or_after"] == 1

    kind_sums: dict[str, dict[str, Any]] = by_kind.to_dict("index")  # type: ignore[assignment]

    def kind(k: str) -> dict[str, Any]:
        sums = kind_sums.get(k, {"lines_affected": 0, "charges_affected": 0.0})
        return {"lines": int(sums["lines_affected"]),
                "charges": round(float(sums["charges_affected"]), 2)}

    return {
        "lines_read": total_lines,
        "charges": round(total_charges, 2),
        "lines_affected": lines_affected,
        "charges_affected": round(charges_affected, 2),
        "share_of_lines": round(lines_affected / total_lines, 6) if total_lines else 0.0,
        "share_of_charges": round(charges_affected / total_charges, 6)
        if total_charges else 0.0,
        "lines_affected_on_or_after": int(hit.loc[after, "lines"].sum()),
        "charges_affected_on_or_after": round(float(hit.loc[after, "charges"].sum()), 2),
        "lines_affected_without_date": int(hit.loc[hit["on_or_after"].isna(), "lines"].sum()),
        "lines_without_date": int(t["lines_without_date"].sum()),
        "lines_without_charge": int(t["lines_without_charge"].sum()),
        "first_service_date": str(min(first)) if len(first) else None,
        "last_service_date": str(max(last)) if len(last) else None,
        "service_dates": mode,
        "by_kind": {k: kind(k) for k in KINDS},
        "by_role": {str(r): {"lines": int(v["lines_affected"]),
                             "charges": round(float(v["charges_affected"]), 2)}
                    for r, v in roles.to_dict("index").items()},
        "codes_affected": int(long[["role", "code"]].drop_duplicates().shape[0]),
    }


def summary_frame(result: ClaimsImpact) -> pd.DataFrame:
    s = result.summary
    rows: list[tuple[str, object]] = [
        ("service dates counted", s["service_dates"]),
        ("lines read", s["lines_read"]), ("charges", s["charges"]),
        ("lines affected", s["lines_affected"]), ("charges affected", s["charges_affected"]),
        ("lines affected on or after the effective date", s["lines_affected_on_or_after"]),
        ("charges affected on or after the effective date",
         s["charges_affected_on_or_after"]),
        ("lines without a date of service", s["lines_without_date"]),
        ("first date of service", s["first_service_date"] or ""),
        ("last date of service", s["last_service_date"] or "")]
    rows += [(f"effective: {k}", v) for k, v in s.get("effective", {}).items()]
    rows += [(f"lines {k}", v["lines"]) for k, v in s["by_kind"].items()]
    return pd.DataFrame(rows, columns=["what", "value"]).astype({"value": str})
