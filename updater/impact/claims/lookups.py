"""The small tables an engine joins the claim lines to, built from the distinct values
the extract holds (a few thousand codes and dates, even in 50,000,000 lines).

Each distinct spelling of a code is normalized and judged once, by the scan's own rules
(``updater.files.tables.normalize_codes``, ``updater.codeshapes``, the scan's code facts),
and each distinct date is read by the chargemaster reader's date rule; the engine then only
joins on the values as written, so no string function runs per claim line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import pandas as pd
import pyarrow as pa

from updater.codeshapes import is_icd10cm, procedure_system
from updater.files.tables import TEXT, iso_of_uniques, normalize_codes
from updater.impact.change_sets import ChangeSet
from updater.impact.findings import facts_of_codes
from updater.model import CODE, RECORD, TERMINATION_DATE
from updater.vocabulary import AT_RISK_KINDS, CodeSystem, FindingKind, RecordType

# The roles a code plays on a claim line, each joined to its own table affected_<role>.
PROCEDURE, DIAGNOSIS, MODIFIER = "procedure", "diagnosis", "modifier"
ROLES = (PROCEDURE, DIAGNOSIS, MODIFIER)
AFFECTED_SCHEMA = pa.schema([("raw", pa.string()), ("code", pa.string()),
                             ("effective", pa.date32())])
FACT_COLUMNS = ("role", "code", "system", "kind", "effective", "previous_title",
                "official_title", "detail", "replaced_by")
_AT_RISK = {k.value for k in AT_RISK_KINDS}


def roles_checked(change_sets: Sequence[ChangeSet]) -> list[str]:
    """The roles the change sets can judge: procedure codes (CPT, HCPCS), diagnoses
    (ICD-10-CM), modifiers (HCPCS Level II modifiers)."""
    systems = {cs.system for cs in change_sets}
    roles = []
    if systems & {CodeSystem.CPT, CodeSystem.HCPCS}:
        roles.append(PROCEDURE)
    if CodeSystem.ICD10CM in systems:
        roles.append(DIAGNOSIS)
    if CodeSystem.HCPCS in systems:
        roles.append(MODIFIER)
    return roles


def code_facts(role: str, raw: Sequence[str], change_sets: Sequence[ChangeSet]
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(spellings, facts) for the distinct ``raw`` values of one role: ``spellings`` maps
    each raw value whose code is at risk to its code and effective date (the table the
    engine joins), ``facts`` says per at-risk code what happens to it (kind, titles,
    replacements)."""
    raw_values = pd.Series(pd.unique(pd.Series(list(raw), dtype=object).dropna().astype(str)),
                           dtype="str")
    codes = pd.Series(normalize_codes(pa.chunked_array([pa.array(raw_values, TEXT)]))
                      .to_numpy(), dtype="str") if len(raw_values) else raw_values
    by_system = {cs.system.value: cs for cs in change_sets}
    wanted = _by_system(role, codes, by_system)
    facts = facts_of_codes(wanted, by_system) if wanted else pd.DataFrame(columns=[CODE])
    if len(facts):
        facts = facts[facts["kind"].isin(_AT_RISK)]
        if role == MODIFIER:
            facts = facts[facts[CODE].isin(_modifiers(by_system[CodeSystem.HCPCS.value]))]
    facts = _with_effective(facts, by_system) if len(facts) else pd.DataFrame(
        columns=list(FACT_COLUMNS))
    facts = facts.assign(role=role)
    spelled = pd.DataFrame({"raw": raw_values, "code": codes})
    spelled = spelled.merge(facts[["code", "effective"]], on="code", how="inner")
    return spelled, facts[list(FACT_COLUMNS)].reset_index(drop=True)


def _by_system(role: str, codes: pd.Series, by_system: Mapping[str, ChangeSet]
               ) -> dict[str, pd.Series]:
    """The distinct codes to judge, per code system, by shape as the scan decides."""
    uniq = pd.Series(pd.unique(codes[codes != ""]), dtype="str", name=CODE)
    out: dict[str, pd.Series] = {}
    if role == PROCEDURE:
        shape = procedure_system(uniq)
        for system in (CodeSystem.CPT.value, CodeSystem.HCPCS.value):
            if system in by_system:
                out[system] = uniq[(shape == system).to_numpy()].reset_index(drop=True)
    elif role == DIAGNOSIS and CodeSystem.ICD10CM.value in by_system:
        out[CodeSystem.ICD10CM.value] = uniq[is_icd10cm(uniq).to_numpy()].reset_index(drop=True)
    elif role == MODIFIER and CodeSystem.HCPCS.value in by_system:
        out[CodeSystem.HCPCS.value] = uniq
    return {s: c for s, c in out.items() if len(c)}


def _modifiers(cs: ChangeSet) -> set[str]:
    tables = (cs.old.table, cs.new.table)
    return {c for t in tables for c in t.loc[t[RECORD] == RecordType.MODIFIER.value, CODE]}


def _with_effective(facts: pd.DataFrame, by_system: Mapping[str, ChangeSet]) -> pd.DataFrame:
    """The date from which each code stops being billable: the new release's effective
    date; for an HCPCS code terminated earlier, the day after its TERM DT (the last day
    CMS accepts it)."""
    effective = facts["system"].map({s: cs.new.effective for s, cs in by_system.items()})
    terminated = (facts["kind"] == FindingKind.TERMINATED.value).to_numpy()
    if terminated.any():  # a few codes: one lookup each
        term_dates: dict[tuple[str, str], str] = {}
        for system, cs in by_system.items():
            table = cs.new.table
            if TERMINATION_DATE in table:
                ended = table[table[TERMINATION_DATE] != ""]
                term_dates.update({(system, c): d for c, d in
                                   zip(ended[CODE], ended[TERMINATION_DATE], strict=True)})
        effective = pd.Series([
            min(eff, date.fromisoformat(term_dates[(s, c)]) + timedelta(days=1))
            if t and (s, c) in term_dates else eff
            for eff, s, c, t in zip(effective, facts["system"], facts[CODE], terminated,
                                    strict=True)], index=facts.index, dtype=object)
    replaced = facts["candidates"].map(
        lambda c: ", ".join(dict.fromkeys(e["code"] for e in c)) if isinstance(c, list) else "")
    return facts.assign(effective=effective.to_numpy(), replaced_by=replaced.to_numpy())


def affected_table(spellings: pd.DataFrame) -> pa.Table:
    """``spellings`` as the Arrow table registered as ``affected_<role>``."""
    return pa.Table.from_pandas(spellings[["raw", "code", "effective"]], schema=AFFECTED_SCHEMA,
                                preserve_index=False)


def date_lookup(raw: Sequence[str]) -> tuple[pa.Table, list[str]]:
    """(lookup, unreadable): each distinct date text as a date (blank and 0: none), by the
    chargemaster reader's rule (YYYY-MM-DD, M/D/YYYY, MM/DD/YYYY, YYYYMMDD, with or without
    a time), and the texts that are no date."""
    values = pd.Series(pd.unique(pd.Series(list(raw), dtype=object).dropna().astype(str)),
                       dtype=object)
    trimmed = values.str.strip()
    iso = iso_of_uniques(trimmed.reset_index(drop=True), excel=False, date_format=None)
    bad = iso.isna().to_numpy()
    parsed = pd.to_datetime(iso.where(~bad & (iso != ""), None), format="%Y-%m-%d",
                            errors="coerce")
    days = [None if pd.isna(d) else d.date() for d in parsed]
    table = pa.table({"raw": pa.array(values.to_numpy(), pa.string()),
                      "service_date": pa.array(days, pa.date32())})
    return table, [str(v) for v in values[bad]]
