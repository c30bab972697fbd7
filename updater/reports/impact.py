"""The impact report: which chargemaster lines and crosswalk pairs the new releases touch,
what is at stake in dollars, and (with a plan) what was decided for each, on one page for
the people who sign off.

Everything on the page is counted with pandas column operations over the scan's findings;
only the rows shown (at most ``max_rows`` per table, the lines with the most charges at
risk first) become template rows, so a 1,000,000-line chargemaster with 50,000 findings
still gives a page a browser opens. The full list stays in the scan's CSV/JSON.

A scan saved with ``updater scan --json`` is read back with
:func:`updater.impact.findings.read_scan_json`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from updater.codes import DOTTED, spell_codes
from updater.errors import UpdaterError
from updater.impact.findings import ScanResult, read_scan_json, records
from updater.impact.scan import run_scan
from updater.plan import model as P
from updater.plan.model import Plan
from updater.reports.render import render
from updater.vocabulary import AT_RISK_KINDS, CodeSystem, Decision, FindingKind, PlanAction

# Rows per table: keeps a huge scan's page near 4 MB; the rest stay in the CSV/JSON.
DEFAULT_MAX_ROWS = 3000
CHART_BARS = 20  # departments in a bar chart; the table lists them all
NO_DEPARTMENT = "(no department)"
TEMPLATE = "impact.html.j2"

_AT_RISK = {k.value for k in AT_RISK_KINDS}
_KIND_ORDER = {k.value: i for i, k in enumerate(FindingKind)}
# what each finding kind means, in the words of the page (keyed by the one vocabulary)
KIND_MEANING = {
    FindingKind.DELETED.value: "the code is gone in the new release",
    FindingKind.EXPANDED.value: "the code became a header; bill one of its new children",
    FindingKind.REVISED.value: "the official title changed; the line's description may need it",
    FindingKind.TERMINATED.value: "HCPCS code discontinued (TERM DT) by the effective date",
    FindingKind.NOT_BILLABLE.value: "a header in the new release, not billable",
    FindingKind.DELETED_EARLIER.value: "in neither release: deleted in an earlier release",
    FindingKind.NOT_IN_RELEASE.value: "in neither release: a typo or another code set",
    FindingKind.MALFORMED.value: "not the shape of any code, or blank",
    FindingKind.DESCRIPTION_MISMATCH.value: ("the line's text names another side, body part "
                                             "or condition"),
    FindingKind.NEW_IN_FAMILY.value: "for information: new codes beside a code the line uses",
}


# --------------------------------------------------------------------------- the scan


def scan_for_report(scan: Path | None, *, chargemaster: Path | None = None,
                    crosswalk: Path | None = None, old: list[str] = (),  # type: ignore[assignment]
                    new: list[str] = (), **scan_options: Any  # type: ignore[assignment]
                    ) -> ScanResult:
    """The scan a report is made from: a saved scan JSON, or a fresh scan of the inputs
    (the options of :func:`updater.impact.scan.run_scan`), not both."""
    given = chargemaster is not None or crosswalk is not None or bool(old) or bool(new)
    if scan is not None:
        if given:
            raise UpdaterError("give either --scan or the scan's inputs (--chargemaster, "
                               "--crosswalk, --from, --to), not both")
        return read_scan_json(scan)
    if not given:
        raise UpdaterError("nothing to report on", hint="give --scan SCAN.json, or the scan's "
                           "inputs: --chargemaster/--crosswalk with --from OLD --to NEW")
    result, _ = run_scan(chargemaster=chargemaster, crosswalk=crosswalk, old=list(old),
                         new=list(new), **scan_options)
    return result


# --------------------------------------------------------------------------- context


def _display(codes: pd.Series, systems: pd.Series, spelling: str = DOTTED) -> pd.Series:
    """Codes as their file writes them (:mod:`updater.codes`): the ICD-10-CM ones with
    their dot, unless the file writes them without."""
    icd = (systems == CodeSystem.ICD10CM.value).to_numpy()
    out = codes.astype(str).copy()
    if icd.any():
        out[icd] = spell_codes(out[icd], CodeSystem.ICD10CM, spelling)
    return out


def crosswalk_spelling(result: ScanResult, plan: Plan | None = None) -> str:
    """How the scanned crosswalk writes ICD-10-CM codes, as the scan (or the plan)
    recorded it; the publishers' dotted display when neither knows."""
    recorded = str((result.inputs.get("crosswalk") or {}).get("icd10cm_spelling", ""))
    if not recorded and plan is not None:
        recorded = plan.identity.crosswalk_spelling
    return recorded or DOTTED


def _charges(findings: pd.DataFrame) -> pd.Series:
    return pd.to_numeric(findings["charges_at_risk"], errors="coerce").astype("float64")


def _money_value(x: float) -> float:
    return round(float(x), 2) if x == x else 0.0


def _at_risk_lines(cdm: pd.DataFrame) -> pd.DataFrame:
    """Chargemaster lines whose code will not be payable, each line once (as the scan
    counts its charges at risk)."""
    at = cdm[cdm["kind"].isin(_AT_RISK)]
    return at.assign(charges=_charges(at)).drop_duplicates("row")


def _by_kind(f: pd.DataFrame, cdm: pd.DataFrame, at: pd.DataFrame) -> list[dict[str, Any]]:
    kinds = [k.value for k in FindingKind]
    n_cdm = cdm["kind"].value_counts().reindex(kinds, fill_value=0)
    n_xw = f.loc[f["source"] == "crosswalk", "kind"].value_counts().reindex(kinds, fill_value=0)
    lines = cdm.drop_duplicates(["row", "kind"])["kind"].value_counts().reindex(kinds,
                                                                               fill_value=0)
    risk = at.groupby("kind")["charges"].sum(min_count=1).reindex(kinds).round(2)
    frame = pd.DataFrame({"kind": kinds, "meaning": [KIND_MEANING[k] for k in kinds],
                          "chargemaster": n_cdm.to_numpy(), "crosswalk": n_xw.to_numpy(),
                          "lines": lines.to_numpy(), "charges_at_risk": risk.to_numpy()})
    frame["total"] = frame["chargemaster"] + frame["crosswalk"]
    frame["at_risk"] = frame["kind"].isin(_AT_RISK)
    return records(frame)


def _by_department(cdm: pd.DataFrame, at: pd.DataFrame) -> list[dict[str, Any]]:
    if cdm.empty:
        return []
    dept = cdm["department"].where(cdm["department"] != "", NO_DEPARTMENT)
    grouped = cdm.assign(department=dept).groupby("department", sort=False)
    frame = pd.DataFrame({"findings": grouped.size(), "lines": grouped["row"].nunique()})
    at_dept = at["department"].where(at["department"] != "", NO_DEPARTMENT)
    risk = at.assign(department=at_dept).groupby("department")
    frame["lines_at_risk"] = risk.size().reindex(frame.index, fill_value=0)
    frame["charges_at_risk"] = risk["charges"].sum(min_count=1).reindex(frame.index)
    # "deleted 4, revised 1": the kinds of each department, in FindingKind order
    kinds = cdm.assign(department=dept).groupby(["department", "kind"]).size().reset_index(
        name="n")
    kinds = kinds.assign(_k=kinds["kind"].map(_KIND_ORDER)).sort_values(["department", "_k"])
    frame["kinds"] = (kinds["kind"] + " " + kinds["n"].astype(str)).groupby(
        kinds["department"]).agg(", ".join).reindex(frame.index).fillna("")
    frame["charges_at_risk"] = frame["charges_at_risk"].round(2)
    frame = frame.rename_axis("department").reset_index()
    frame = frame.sort_values(["charges_at_risk", "findings", "department"],
                              ascending=[False, False, True], na_position="last")
    return records(frame)


def _bars(items: list[dict[str, Any]], label: str, value: str, top: int = CHART_BARS
          ) -> list[dict[str, Any]]:
    """Bar-chart points, the largest ``top`` of them, zeros left out; whole numbers (dollars
    rounded: the cents do not change a bar and crowd its label)."""
    points: list[dict[str, Any]] = [{"label": str(i[label]), "value": round(float(i[value]))}
                                    for i in items if i[value]]
    return sorted(points, key=lambda p: -p["value"])[:top]


def _plan_columns(findings: pd.DataFrame, plan: Plan | None) -> tuple[pd.DataFrame, int]:
    """Each finding's plan row (action, decision, replacement), and how many plan rows match
    no finding (a plan made from another scan). A finding and its plan row share section,
    row, code and kind; two findings alike on those (a line whose text names both another
    side and another body part) pair with the plan rows in order."""
    cols = ["plan_row", "action", "decision", "replacement", "proposed"]
    if plan is None:
        out = pd.DataFrame(index=findings.index, columns=cols, dtype=object).fillna("")
        return out, 0
    t = plan.table
    t = t[t[P.ACTION] != PlanAction.ADD_PAIR.value]
    key = ["source", "row", "code", "kind"]
    right = pd.DataFrame({"source": t[P.SECTION], "row": t[P.SOURCE_ROW].astype("int64"),
                          "code": t[P.OLD_CODE], "kind": t[P.FINDING],
                          "plan_row": t[P.PLAN_ROW], "action": t[P.ACTION],
                          "decision": t[P.DECISION], "replacement": t[P.REPLACEMENT],
                          "proposed": t[P.PROPOSED]})
    right["_n"] = right.groupby(key, sort=False).cumcount()
    left = findings[key].astype({"row": "int64"})
    left = left.assign(_n=left.groupby(key, sort=False).cumcount(), _at=findings.index)
    merged = left.merge(right, on=[*key, "_n"], how="left").set_index("_at")
    unmatched = len(right) - int(merged["plan_row"].notna().sum())
    out = merged[cols].reindex(findings.index)
    out["plan_row"] = out["plan_row"].astype("Int64").astype(str).replace("<NA>", "")
    return out.fillna("").astype(str), unmatched


def _table_rows(frame: pd.DataFrame, max_rows: int) -> dict[str, Any]:
    shown = frame.head(max_rows)
    return {"rows": records(shown), "total": len(frame), "shown": len(shown),
            "more": len(frame) - len(shown)}


def _finding_rows(f: pd.DataFrame, plan_cols: pd.DataFrame, spelling: str = DOTTED
                  ) -> pd.DataFrame:
    """Findings as table rows: display codes, plan columns, most charges at risk first."""
    out = f.assign(charges_at_risk=_charges(f),
                   code_display=_display(f["code"], f["system"], spelling),
                   _k=f["kind"].map(_KIND_ORDER), **{str(c): plan_cols[c] for c in plan_cols})
    out = out.sort_values(["charges_at_risk", "_k", "row", "code"],
                          ascending=[False, True, True, True], na_position="last",
                          kind="stable")
    return out.drop(columns=["_k", "previous_title", "automatic"])


def _pairs_to_add(ends: pd.DataFrame, plan: Plan | None, spelling: str = DOTTED
                  ) -> pd.DataFrame:
    """One row per successor pair of a crosswalk pair whose code is gone: the pair with the
    gone code swapped for each named successor (a candidate naming no code adds nothing)."""
    cols = ["row", "procedure", "diagnosis", "old_code", "system", "new_code", "relation",
            "source", "decision"]
    flat = ends[["row", "procedure", "diagnosis", "code", "system", "candidates"]].explode(
        "candidates")
    flat = flat[flat["candidates"].map(lambda c: isinstance(c, dict))]
    if flat.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    cands = pd.DataFrame(flat["candidates"].tolist(), index=flat.index)
    for col in ("code", "relation", "source"):
        if col not in cands:
            cands[col] = ""
    cands = cands[["code", "relation", "source"]].fillna("").astype(str)
    keep = ((cands["code"] != "") & (cands["relation"] != "none")).to_numpy()
    flat, cands = flat[keep], cands[keep]
    icd = (flat["system"] == CodeSystem.ICD10CM.value).to_numpy()
    adds = pd.DataFrame({
        "row": flat["row"].astype("int64"),
        "procedure": np.where(icd, flat["procedure"], cands["code"]),
        "diagnosis": np.where(icd, cands["code"], flat["diagnosis"]),
        "old_code": flat["code"], "system": flat["system"], "new_code": cands["code"],
        "relation": cands["relation"], "source": cands["source"]})
    adds = adds.drop_duplicates(["row", "procedure", "diagnosis"]).reset_index(drop=True)
    adds["decision"] = ""
    if plan is not None:
        t = plan.table[plan.table[P.ACTION] == PlanAction.ADD_PAIR.value]
        decided = pd.DataFrame({"row": t[P.SOURCE_ROW].astype("int64"),
                                "old_code": t[P.OLD_CODE], "new_code": t[P.PROPOSED],
                                "_decision": t[P.DECISION]}).drop_duplicates(
            ["row", "old_code", "new_code"])
        adds = adds.merge(decided, on=["row", "old_code", "new_code"], how="left")
        adds["decision"] = adds["_decision"].fillna("").astype(str)
        adds = adds.drop(columns="_decision")
    adds["diagnosis_display"] = _display(adds["diagnosis"], pd.Series(
        CodeSystem.ICD10CM.value, index=adds.index), spelling)
    adds["new_display"] = _display(adds["new_code"], adds["system"], spelling)
    return adds.sort_values(["row", "procedure", "diagnosis"], kind="stable")


def _system_label(system: str) -> str:
    try:
        return CodeSystem(system).label
    except ValueError:
        return system


def _releases(result: ScanResult) -> list[dict[str, Any]]:
    """The releases compared: from the change sets, or for a scan read back from its JSON,
    from what the JSON says (``ScanResult.releases``)."""
    if result.change_sets:
        return [{"system": cs.system.value, "label": cs.system.label,
                 "old": cs.old.describe(), "new": cs.new.describe()}
                for cs in result.change_sets]
    sides = ("system", "version", "effective")
    return [{"system": str(r.get("system", "")), "label": _system_label(str(r.get("system", ""))),
             **{side: {k: str((r.get(side) or {}).get(k, "")) for k in sides}
                for side in ("old", "new")}}
            for r in result.releases]


def _plan_summary(plan: Plan, unmatched: int) -> dict[str, Any]:
    counts = plan.counts()
    decisions = [d.value for d in Decision]
    rows = [{"action": a, "counts": {d: int(counts.loc[a, d]) for d in decisions},
             "total": int(counts.loc[a].sum())} for a in counts.index]
    totals = {d: int(counts[d].sum()) if len(counts) else 0 for d in decisions}
    return {"identity": plan.identity, "rows": rows, "decisions": decisions,
            "totals": totals, "total": len(plan.table), "unmatched": unmatched,
            "charges_at_risk": plan.charges_at_risk()}


def impact_context(result: ScanResult, plan: Plan | None = None, *,
                   max_rows: int = DEFAULT_MAX_ROWS) -> dict[str, Any]:
    """Everything the impact page shows, as plain data (numbers, lists of dicts)."""
    if max_rows < 1:
        raise UpdaterError(f"the report must show at least 1 row per table (got {max_rows})")
    f = result.findings
    s = result.summary
    cdm = f[f["source"] == "chargemaster"]
    xw = f[f["source"] == "crosswalk"]
    at = _at_risk_lines(cdm)
    plan_cols, unmatched = _plan_columns(f, plan)
    by_kind = _by_kind(f, cdm, at)
    by_department = _by_department(cdm, at)
    xw_ends = xw[xw["kind"].isin(_AT_RISK)]
    spelling = crosswalk_spelling(result, plan)
    adds = _pairs_to_add(xw_ends, plan, spelling)
    xw_rows = _finding_rows(xw, plan_cols.loc[xw.index], spelling)
    # pairs whose code is gone first, then in crosswalk order
    xw_rows = xw_rows.assign(_kept=~xw_rows["kind"].isin(_AT_RISK)).sort_values(
        ["_kept", "row"], kind="stable").drop(columns="_kept")
    xw_rows = xw_rows.assign(diagnosis_display=_display(
        xw_rows["diagnosis"], pd.Series(CodeSystem.ICD10CM.value, index=xw_rows.index),
        spelling))
    crosswalk = None
    if "crosswalk" in s:
        crosswalk = {
            "spelling": spelling,
            "summary": s["crosswalk"],
            "findings": len(xw),
            "pairs_to_end": int(xw_ends["row"].nunique()),
            "pairs_to_add": len(adds),
            "pairs_to_review": int(xw.loc[~xw["kind"].isin(_AT_RISK), "row"].nunique()),
            "table": _table_rows(xw_rows, max_rows),
            "adds": _table_rows(adds, max_rows),
        }
    total_risk = _money_value(float(s.get("charges_at_risk", at["charges"].sum())))
    return {
        "title": "Impact report",
        "releases": _releases(result),
        "findings_total": len(f),
        "chargemaster": s.get("chargemaster"),
        "lines_affected": int(cdm["row"].nunique()),
        "lines_at_risk": len(at),
        "charges_at_risk": total_risk,
        # no line at risk has a volume (a price-transparency file): unknown, not $0.00
        "charges_at_risk_unknown": bool(len(at)) and int(
            (s.get("chargemaster") or {}).get("lines_at_risk_without_volume", 0)) >= len(at),
        "by_kind": by_kind,
        "kind_bars": [{"label": k["kind"], "value": k["total"], "class": k["kind"]}
                      for k in by_kind if k["total"]],
        "by_department": by_department,
        "department_bars": _bars(by_department, "department", "findings"),
        "department_risk_bars": _bars(by_department, "department", "charges_at_risk"),
        "risk_by_kind": [k for k in by_kind if k["at_risk"] and k["lines"]],
        "lines": _table_rows(_finding_rows(cdm, plan_cols.loc[cdm.index]), max_rows),
        "crosswalk": crosswalk,
        "plan": _plan_summary(plan, unmatched) if plan is not None else None,
        "at_risk_kinds": sorted(_AT_RISK),
    }


def impact_report(result: ScanResult, plan: Plan | None = None, *,
                  max_rows: int = DEFAULT_MAX_ROWS, files: Sequence[str | Path] = ()) -> str:
    """The impact report as one self-contained HTML page; ``files`` (the scan, plan or
    inputs it was made from) are named in the footer with the releases."""
    context = impact_context(result, plan, max_rows=max_rows)
    inputs = [str(f) for f in files] + [
        f"{r['label']} {r['old']['version']} -> {r['new']['version']}"
        for r in context["releases"]]
    if plan is not None:
        inputs.append(f"plan {plan.identity.plan_id}")
    return render(TEMPLATE, inputs=inputs, **context)
