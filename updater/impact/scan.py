"""What ``updater scan`` does, as a library call: read the inputs, build the change sets,
scan, and say what to print and whether --fail-on fired."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from updater.codes import file_spelling
from updater.errors import UpdaterError
from updater.files.output import file_sha256
from updater.impact.change_sets import build_change_sets
from updater.impact.findings import ScanResult, scan
from updater.impact.inputs import DIAGNOSIS_AS_WRITTEN, CrosswalkInput
from updater.impact.inputs.chargemaster import read_chargemaster
from updater.impact.inputs.crosswalk import read_crosswalk
from updater.releases.lookup import resolve_side
from updater.releases.readers import ReadOptions
from updater.vocabulary import CodeSystem, FindingKind


@dataclass
class ScanReport:
    text: str
    summary_frame: pd.DataFrame
    failed: bool


def parse_kinds(text: str | None) -> set[str]:
    """``--fail-on deleted,terminated`` as finding kinds, checked."""
    if not text:
        return set()
    kinds = {k.strip().lower() for k in text.split(",") if k.strip()}
    unknown = kinds - {k.value for k in FindingKind}
    if unknown:
        raise UpdaterError(f"unknown finding kind {', '.join(sorted(unknown))} in --fail-on",
                           hint=f"use {', '.join(k.value for k in FindingKind)}")
    return kinds


def run_scan(*, chargemaster: Path | None, crosswalk: Path | None, old: list[str],
             new: list[str], profile: Path | None = None, sheet: str | None = None,
             code_col: str | None = None, proc_col: str | None = None,
             dx_cols: list[str] = (),  # type: ignore[assignment]
             crosswalk_sheet: str | None = None, conversion: list[Path] = (),  # type: ignore[assignment]
             user_maps: list[Path] = (), overrides: list[Path] = (),  # type: ignore[assignment]
             store: Path = Path("releases"), fail_on: str | None = None
             ) -> tuple[ScanResult, ScanReport]:
    kinds = parse_kinds(fail_on)
    if chargemaster is None and crosswalk is None:
        raise UpdaterError("nothing to scan", hint="give --chargemaster and/or --crosswalk")
    if not old or len(old) != len(new):
        raise UpdaterError("give the releases as --from OLD --to NEW pairs "
                           f"(got {len(old)} --from and {len(new)} --to)",
                           hint="e.g. --from icd10cm:FY2025 --to icd10cm:FY2026")

    # The inputs are read while the releases load and diff: Arrow's CSV reader and column
    # kernels release the GIL, so both cores work. A crosswalk's ranges expand against
    # the ICD-10-CM release in force, loaded first (a file is parsed once: resolve_side
    # keeps it for the change set; a store id reloads in milliseconds).
    with ThreadPoolExecutor(max_workers=2) as pool:
        cdm_job = pool.submit(read_chargemaster, chargemaster, profile=profile, sheet=sheet,
                              columns={"code": code_col} if code_col else None
                              ) if chargemaster is not None else None
        xw_job = None
        if crosswalk is not None:
            olds = (resolve_side(spec, store, ReadOptions()) for spec in old)
            icd = next((r for r in olds if r.system is CodeSystem.ICD10CM), None)
            names: dict[str, str | list[str]] = {}
            if proc_col:
                names["procedure"] = proc_col
            if dx_cols:
                names["diagnosis"] = list(dx_cols)
            xw_job = pool.submit(read_crosswalk, crosswalk,
                                 expand_with=icd.table if icd else None,
                                 sheet=crosswalk_sheet, columns=names or None)
        change_sets = build_change_sets(list(zip(old, new, strict=True)), store=store,
                                        conversion_tables=list(conversion),
                                        user_maps=list(user_maps), overrides=list(overrides))
        cdm = cdm_job.result() if cdm_job is not None else None
        xw = xw_job.result() if xw_job is not None else None
    result = scan(change_sets, chargemaster=cdm, crosswalk=xw)
    result.inputs = input_files(chargemaster=(chargemaster, cdm.sha256 if cdm else ""),
                                crosswalk=(crosswalk, xw.sha256 if xw else ""))
    record_spelling(result, xw)
    return result, ScanReport(text=summary_text(result), summary_frame=summary_frame(result),
                              failed=bool(kinds) and result.count(kinds) > 0)


def input_files(**files: tuple[Path | None, str]) -> dict[str, dict[str, str]]:
    """``{"chargemaster": {"path", "sha256"}, ...}`` for the files given: the path as given
    and the SHA-256 of its bytes (the reader's, else computed), as ``updater plan`` records
    them."""
    return {name: {"path": str(path), "sha256": sha or file_sha256(path)}
            for name, (path, sha) in files.items() if path is not None}


def record_spelling(result: ScanResult, crosswalk: CrosswalkInput | None) -> None:
    """The crosswalk's ICD-10-CM spelling (``updater.codes.file_spelling``) in the scan's
    ``inputs``, so the plan, its workbook and the reports write codes as the crosswalk
    does, also when planned later from the saved scan."""
    if crosswalk is not None and "crosswalk" in result.inputs:
        result.inputs["crosswalk"]["icd10cm_spelling"] = file_spelling(
            crosswalk.table[DIAGNOSIS_AS_WRITTEN])


def summary_text(result: ScanResult) -> str:
    s = result.summary
    lines = ["Scan against " + "; ".join(cs.label for cs in result.change_sets)]
    if "chargemaster" in s:
        c = s["chargemaster"]
        lines.append(f"chargemaster: {c['rows_read']} rows read, {c['lines_checked']} lines "
                     f"checked, {c['inactive_rows']} inactive or end-dated (not flagged)"
                     + (f", {c['lines_without_code']} without a CPT/HCPCS code"
                        if c["lines_without_code"] else "")
                     + (f", {c['not_checked_rows']} of a code set not in this scan"
                        if c["not_checked_rows"] else "")
                     + (f"; {c['charge_items']} charge items, {c['payer_rows']} more payer "
                        "rows of them (each item judged once)" if c.get("payer_rows") else ""))
    if "crosswalk" in s:
        x = s["crosswalk"]
        ended = x.get("pairs_inactive", 0) + x.get("pairs_ended", 0)
        grown = x.get("pairs_from_expansion", 0)
        lines.append(f"crosswalk: {x['rows_read']} rows read, {x['pairs']} pairs"
                     + (f" ({grown} of them from expanding {x.get('items_expanded', 0)} "
                        "ranges and header codes in list cells)" if grown else "")
                     + f", {x['pairs_affected']} pairs affected"
                     + (f", {ended} inactive or end-dated (not flagged)" if ended else ""))
    lines.append("")
    lines.append(f"{'finding':24}{'chargemaster':>14}{'crosswalk':>12}")
    f = result.findings
    for kind in FindingKind:
        n_cdm = int(((f["kind"] == kind.value) & (f["source"] == "chargemaster")).sum())
        n_xw = int(((f["kind"] == kind.value) & (f["source"] == "crosswalk")).sum())
        if n_cdm or n_xw:
            lines.append(f"{kind.value:24}{n_cdm:>14}{n_xw:>12}")
    if not len(f):
        lines.append("no findings")
    lines.append("")
    lines.append(f"charges at risk (price x annual volume): {charges_at_risk_text(s)}")
    lines += [f"note: {n}" for n in s.get("notes", [])]
    return "\n".join(lines)


def charges_at_risk_text(summary: dict[str, Any]) -> str:
    """``$3,122,492.06``; ``unknown (no volume)`` when no line at risk has a price and a
    volume (a price-transparency file has none); else the known part, with how many lines
    it leaves out."""
    cdm = summary.get("chargemaster", summary)
    total = float(summary.get("charges_at_risk", 0.0) or 0.0)
    unknown = int(cdm.get("lines_at_risk_without_volume", 0) or 0)
    at_risk = int(cdm.get("lines_at_risk", unknown) or 0)
    if unknown and unknown >= at_risk:
        return f"unknown (no volume; {unknown} line{'s' if unknown != 1 else ''} at risk)"
    if unknown:
        return (f"${total:,.2f} (and {unknown} line{'s' if unknown != 1 else ''} at risk "
                "without a volume, not counted)")
    return f"${total:,.2f}"


def summary_frame(result: ScanResult) -> pd.DataFrame:
    rows = [("rows read", result.summary["rows_read"]),
            ("charges at risk", result.summary["charges_at_risk"])]
    rows += [(f"findings: {k}", v) for k, v in result.summary["findings_by_kind"].items()]
    return pd.DataFrame(rows, columns=["what", "value"])
