"""The migration plan's shape, shared by ``updater plan`` (which writes it) and
``updater apply`` / ``updater revert`` (which read it back).

A plan is a table, one row per proposed action, plus its identity (``Plan``). It travels
as JSON (``plan.json``, :mod:`updater.plan.plan_file`) and as a review workbook
(``plan.xlsx``: sheets "Summary", "Plan" and "Plan identity", :mod:`updater.plan.workbook`);
``apply`` reads either, and both check what they read with ``check_table`` here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from updater.errors import UpdaterError
from updater.vocabulary import Decision, PlanAction

PLAN_ROW = "plan_row"  # 1-based, stable id of the plan row
SECTION = "section"  # "chargemaster" or "crosswalk"
ACTION = "action"  # PlanAction value
SOURCE_ROW = "source_row"  # 1-based data row in the chargemaster / crosswalk (header excluded)
CHARGE_CODE = "charge_code"
DESCRIPTION = "description"  # the line's own description, as in the chargemaster
OLD_CODE = "old_code"
PROPOSED = "proposed_codes"  # comma-separated successor codes ("" for retire/review)
# update_description: the new official title (what apply writes); replace, split and
# add_pair: the official title of each proposed code (one code: the title; several: one
# "CODE title" line each); add_pair's is written into a crosswalk's description column
PROPOSED_TEXT = "proposed_description"
OLD_TITLE = "old_title"  # the old code's official title (in the release in force)
RELATION = "relation"  # Relation value of the candidates
CANDIDATE_SOURCE = "candidate_source"  # where the candidates came from
SYSTEM = "system"
EFFECTIVE = "effective"  # the new release's effective date, ISO
REASON = "reason"  # plain words
FINDING = "finding"  # the scan's FindingKind behind the row
DEFAULT_DECISION = "default_decision"  # approved only for one-to-one authoritative
DECISION = "decision"  # Decision value (the reviewer's; starts as the default)
REPLACEMENT = "replacement"  # reviewer-editable code(s) (with decision "changed")
CHARGES_AT_RISK = "charges_at_risk"
PAIR_PROCEDURE = "procedure"  # crosswalk rows: the pair
PAIR_DIAGNOSIS = "diagnosis"
REVIEWER = "reviewer"  # who decided the row (the reviewer types it)
REVIEWED_ON = "reviewed_on"  # when, ISO yyyy-mm-dd
COMMENT = "comment"  # the reviewer's note

PLAN_COLUMNS = (PLAN_ROW, SECTION, ACTION, SOURCE_ROW, CHARGE_CODE, DESCRIPTION, OLD_CODE,
                OLD_TITLE, PROPOSED, PROPOSED_TEXT, RELATION, CANDIDATE_SOURCE, SYSTEM,
                EFFECTIVE, REASON, FINDING, DEFAULT_DECISION, DECISION, REPLACEMENT,
                REVIEWER, REVIEWED_ON, COMMENT, CHARGES_AT_RISK, PAIR_PROCEDURE,
                PAIR_DIAGNOSIS)
# Columns added after the first plans were written: a plan without them reads as blank.
OPTIONAL_COLUMNS = (OLD_TITLE, REVIEWER, REVIEWED_ON, COMMENT)


@dataclass
class PlanIdentity:
    """What the plan was made from; ``apply`` checks the chargemaster against it."""

    plan_id: str
    created: str  # ISO timestamp
    releases: list[dict[str, str]] = field(default_factory=list)  # id, system, effective, source
    chargemaster: str = ""  # path as given
    chargemaster_sha256: str = ""
    crosswalk: str = ""
    crosswalk_sha256: str = ""
    tool_version: str = ""
    # how the crosswalk writes ICD-10-CM codes (updater.codes: "dotted", "plain"; "" when
    # not known): the workbook and the reports write them the same way
    crosswalk_spelling: str = ""


INT_COLUMNS = (PLAN_ROW, SOURCE_ROW)
FLOAT_COLUMNS = (CHARGES_AT_RISK,)
TEXT_COLUMNS = tuple(c for c in PLAN_COLUMNS if c not in INT_COLUMNS + FLOAT_COLUMNS)
IDENTITY_FIELDS = tuple(PlanIdentity.__dataclass_fields__)


@dataclass
class Plan:
    """The plan table (``PLAN_COLUMNS``) and what it was made from."""

    table: pd.DataFrame
    identity: PlanIdentity

    def counts(self) -> pd.DataFrame:
        """Rows by action (index, in ``PlanAction`` order) and decision (columns)."""
        t = self.table
        counts = pd.crosstab(t[ACTION], t[DECISION]) if len(t) else pd.DataFrame()
        return counts.reindex(index=[a.value for a in PlanAction if a.value in counts.index],
                              columns=[d.value for d in Decision], fill_value=0)

    def charges_at_risk(self) -> float:
        """Price x annual volume of the chargemaster lines at risk, each line once."""
        t = self.table
        lines = t[(t[SECTION] == "chargemaster") & t[CHARGES_AT_RISK].notna()]
        lines = lines.drop_duplicates([SOURCE_ROW, OLD_CODE])
        return round(float(lines[CHARGES_AT_RISK].sum()), 2)


def empty_table() -> pd.DataFrame:
    table = pd.DataFrame({c: pd.Series([], dtype=str) for c in PLAN_COLUMNS})
    return table.astype({c: "int64" for c in INT_COLUMNS} | {c: "float64" for c in FLOAT_COLUMNS})


def typed_table(table: pd.DataFrame) -> pd.DataFrame:
    """PLAN_COLUMNS in order: the row numbers int, charges float, everything else str."""
    out = table[list(PLAN_COLUMNS)].copy()
    for col in INT_COLUMNS:
        out[col] = out[col].astype("int64")
    for col in FLOAT_COLUMNS:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    for col in TEXT_COLUMNS:
        out[col] = out[col].fillna("").astype(str)
    return out.reset_index(drop=True)


def check_table(table: pd.DataFrame, source: str | Path) -> pd.DataFrame:
    """A plan table read back: every column present, known actions and decisions, plan rows
    unique; returned typed and in PLAN_COLUMNS order."""
    missing = [c for c in PLAN_COLUMNS if c not in table.columns
               and c not in OPTIONAL_COLUMNS]
    if missing:
        raise UpdaterError(f"not a plan: column(s) {', '.join(missing)} missing", file=source,
                           hint="give a plan.json or plan.xlsx written by `updater plan`")
    table = table.assign(**{c: "" for c in OPTIONAL_COLUMNS if c not in table.columns})
    for col in INT_COLUMNS:
        numbers = pd.to_numeric(table[col], errors="coerce")
        if numbers.isna().any():
            at = int(np.flatnonzero(numbers.isna().to_numpy())[0])
            raise UpdaterError(f"{col} must be a whole number, not {table[col].iloc[at]!r}",
                               file=source, row=at + 1)
    out = typed_table(table)
    for col, allowed in ((ACTION, PlanAction), (DECISION, Decision),
                         (DEFAULT_DECISION, Decision)):
        values = {a.value for a in allowed}  # type: ignore[attr-defined]
        bad = ~out[col].isin(values)
        if bad.any():
            row = out[bad].iloc[0]
            raise UpdaterError(f"unknown {col} {row[col]!r}", file=source,
                               row=int(row[PLAN_ROW]),
                               hint=f"use {', '.join(sorted(values))}")
    dup = out[PLAN_ROW].duplicated()
    if dup.any():
        raise UpdaterError(f"plan_row {int(out.loc[dup, PLAN_ROW].iloc[0])} appears twice",
                           file=source)
    return out


def identity_from(data: dict[str, Any], source: str | Path) -> PlanIdentity:
    if not isinstance(data, dict) or not data.get("plan_id"):
        raise UpdaterError("not a plan: no plan identity (plan_id)", file=source,
                           hint="give a plan.json or plan.xlsx written by `updater plan`")
    known = {k: v for k, v in data.items() if k in IDENTITY_FIELDS}
    releases = known.get("releases") or []
    if not isinstance(releases, list) or not all(isinstance(r, dict) for r in releases):
        raise UpdaterError("the plan identity's releases must be a list of objects",
                           file=source)
    known["releases"] = [{str(k): "" if v is None else str(v) for k, v in r.items()}
                         for r in releases]
    for key in IDENTITY_FIELDS:
        if key != "releases" and key in known:
            known[key] = "" if known[key] is None else str(known[key])
    return PlanIdentity(**known)
