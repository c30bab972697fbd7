"""What ``updater claims`` does, as a library call: build the change sets from the
``--from/--to`` releases, run the impact on the extract, and say what to print."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from updater.errors import UpdaterError
from updater.impact.change_sets import build_change_sets
from updater.impact.claims.duckdb_engine import DuckDBEngine
from updater.impact.claims.impact import ClaimsImpact, impact_claims
from updater.impact.claims.layout import FIELDS, MULTI_FIELDS

TOP = 10  # rows per table in the terminal summary


@dataclass
class ClaimsReport:
    text: str


def parse_columns(specs: Sequence[str]) -> dict[str, list[str]]:
    """``--column procedure=CPT_CD --column diagnosis=DX1 ...`` as our field -> names."""
    out: dict[str, list[str]] = {}
    for spec in specs:
        field, sep, name = spec.partition("=")
        field = field.strip().lower()
        if not sep or not field or not name.strip():
            raise UpdaterError(f"--column {spec!r} is not FIELD=NAME",
                               hint=f"e.g. --column service_date=DOS; fields: {', '.join(FIELDS)}")
        if field not in FIELDS:
            raise UpdaterError(f"unknown field {field!r} in --column {spec!r}",
                               hint=f"name one of {', '.join(FIELDS)}")
        if field in out and field not in MULTI_FIELDS:
            raise UpdaterError(f"--column {field}=... given twice",
                               hint=f"only {' and '.join(MULTI_FIELDS)} take several columns")
        out.setdefault(field, []).append(name.strip())
    return out


def run_claims(*, extract: Path, old: list[str], new: list[str], store: Path = Path("releases"),
               columns: Sequence[str] = (), service_dates: str = "all",
               memory_limit: str | None = "2GB", threads: int | None = None
               ) -> tuple[ClaimsImpact, ClaimsReport]:
    """The impact of the ``old -> new`` release pairs on the claims ``extract``."""
    if not old or len(old) != len(new):
        raise UpdaterError("give the releases as --from OLD --to NEW pairs "
                           f"(got {len(old)} --from and {len(new)} --to)",
                           hint="e.g. --from icd10cm:FY2025 --to icd10cm:FY2026")
    names = parse_columns(columns)
    if not Path(extract).exists():
        raise UpdaterError("no such file or folder", file=extract, hint="check the path")
    change_sets = build_change_sets(list(zip(old, new, strict=True)), store=store)
    engine = DuckDBEngine(memory_limit=memory_limit, threads=threads)
    result = impact_claims(extract, change_sets, columns=names, service_dates=service_dates,
                           engine=engine)
    return result, ClaimsReport(text=summary_text(result))


def _lines(n: int) -> str:
    return f"{n:,} line" if n == 1 else f"{n:,} lines"


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.2f}%" if whole else "0.00%"


def _table(frame: pd.DataFrame, key: str, width: int = 28) -> list[str]:
    lines = [f"  {key:{width}}{'lines at risk':>14}{'charges at risk':>20}{'of charges':>12}"]
    for row in frame.head(TOP).to_dict("records"):
        name = str(row[key]) or "(blank)"
        lines.append(f"  {name[:width - 1]:{width}}{int(row['lines_affected']):>14,}"
                     f"{_money(float(row['charges_affected'])):>20}"
                     f"{_share(float(row['charges_affected']), float(row['charges'])):>12}")
    if len(frame) > TOP:
        lines.append(f"  ... {len(frame) - TOP} more (see --csv/--xlsx/--json)")
    return lines


def summary_text(result: ClaimsImpact) -> str:
    s = result.summary
    sets = "; ".join(f"{cs.label} (effective {cs.new.effective.isoformat()})"
                     for cs in result.change_sets)
    counted = {"all": "every line, whatever its date of service",
               "on-or-after": "only lines on or after the date their code stops being billable",
               "before": "only lines before the date their code stops being billable"}
    span = (f", dates of service {s['first_service_date']} to {s['last_service_date']}"
            if s["first_service_date"] else "")
    out = [f"Claims against {sets}",
           f"extract: {result.extract.get('path', '')} ({result.extract.get('format', '')}), "
           f"{s['lines_read']:,} lines, {_money(s['charges'])} charges{span}",
           f"counted: {counted[s['service_dates']]} (--service-dates {s['service_dates']})",
           "",
           f"lines billing a code that is not billable from its effective date: "
           f"{s['lines_affected']:,} ({_share(s['lines_affected'], s['lines_read'])} of lines), "
           f"{_money(s['charges_affected'])} ({_share(s['charges_affected'], s['charges'])} "
           "of charges)",
           f"  of them with a date of service on or after that date: "
           f"{_lines(s['lines_affected_on_or_after'])}, "
           f"{_money(s['charges_affected_on_or_after'])}"]
    kinds = [f"{k} {v['lines']:,}" for k, v in s["by_kind"].items() if v["lines"]]
    if kinds:
        out.append("  by kind (a line counts once per kind it has): " + ", ".join(kinds))
    roles = [f"{k} {v['lines']:,}" for k, v in s["by_role"].items()]
    if roles:
        out.append("  by code column: " + ", ".join(roles))
    if s["lines_without_date"]:
        out.append(f"  without a date of service: {_lines(s['lines_without_date'])} in the "
                   f"extract, {s['lines_affected_without_date']:,} of them at risk (counted "
                   "with --service-dates all only)")
    for key in ("facility", "payer", "department"):
        if key in result.by_group:
            out += ["", f"by {key}:", *_table(result.rollup(key), key)]
    if len(result.by_code):
        out += ["", f"codes ({s['codes_affected']:,}; a line counts once per code):",
                f"  {'code':10}{'role':11}{'kind':14}{'lines':>12}{'charges':>20}  replaced by"]
        for row in result.by_code.head(TOP).to_dict("records"):
            replaced = str(row["replaced_by"])
            replaced = replaced if len(replaced) <= 40 else replaced[:37] + "..."
            out.append(f"  {row['display']!s:10}{row['role']!s:11}{row['kind']!s:14}"
                       f"{int(row['lines']):>12,}{_money(float(row['charges'])):>20}  "
                       f"{replaced}")
        if len(result.by_code) > TOP:
            out.append(f"  ... {len(result.by_code) - TOP} more (see --xlsx/--json)")
    return "\n".join(out)
