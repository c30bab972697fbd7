"""Which column of a claims extract holds what: found by the usual names, as the
chargemaster reader finds its columns (same matching, ``updater.files.tables``), or named
by the user. Works on a header alone (names and coarse types), so every engine, DuckDB
here or Spark on a cluster, decides the columns the same way."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from updater.errors import UpdaterError
from updater.files.tables import column_key, find_column, find_columns, shown_columns
from updater.impact.inputs.chargemaster import CODE_NAMES, GENERIC_CODE_NAMES, MODIFIER_KEY
from updater.impact.inputs.chargemaster import USUAL_NAMES as CDM_NAMES

# Our names for the extract's columns (what --column FIELD=NAME takes).
CLAIM_ID = "claim_id"
LINE = "line"
SERVICE_DATE = "service_date"
PROCEDURE = "procedure"
MODIFIERS = "modifiers"
DIAGNOSIS = "diagnosis"
CHARGE = "charge"
PAYER = "payer"
FACILITY = "facility"
DEPARTMENT = "department"
FIELDS = (CLAIM_ID, LINE, SERVICE_DATE, PROCEDURE, MODIFIERS, DIAGNOSIS, CHARGE, PAYER,
          FACILITY, DEPARTMENT)
MULTI_FIELDS = (DIAGNOSIS, MODIFIERS)  # several columns, or one column holding a list
REQUIRED = (CLAIM_ID, SERVICE_DATE, CHARGE, PAYER, FACILITY)  # and the codes checked
SAID = {CLAIM_ID: "claim id", LINE: "line number", SERVICE_DATE: "date of service",
        PROCEDURE: "procedure code (CPT/HCPCS)", MODIFIERS: "modifier",
        DIAGNOSIS: "diagnosis code (ICD-10-CM)", CHARGE: "charge", PAYER: "payer",
        FACILITY: "facility", DEPARTMENT: "department"}

USUAL_NAMES: dict[str, tuple[str, ...]] = {
    CLAIM_ID: ("Claim ID", "Claim Number", "Claim No", "Claim #", "Claim", "Claim Nbr",
               "Claim Key", "ICN", "Claim Control Number", "Patient Control Number", "PCN",
               "Encounter ID", "Encounter Number", "Invoice Number", "Bill Number"),
    LINE: ("Line", "Line Number", "Line No", "Line #", "Line Nbr", "Claim Line",
           "Claim Line Number", "Line Seq", "Line Sequence", "Seq", "Service Line"),
    SERVICE_DATE: ("Date of Service", "DOS", "Service Date", "Svc Date", "Service From Date",
                   "Service From", "From Date", "DOS From", "From DOS", "Line Service Date",
                   "Line DOS", "Date of Svc", "Srvc Date"),
    PROCEDURE: (*CODE_NAMES, "Line Procedure Code", "Procedure", "Proc Cd", "Procedure Cd",
                "CPT Cd", "HCPCS Cd", *GENERIC_CODE_NAMES),
    CHARGE: ("Line Charge", "Line Charges", "Charge", "Charges", "Charge Amount",
             "Charge Amt", "Billed Charge", "Billed Charges", "Billed Amount", "Billed Amt",
             "Total Charge", "Total Charges", "Line Amount", "Gross Charge", "Amount"),
    PAYER: ("Payer", "Payer Name", "Payor", "Payor Name", "Primary Payer", "Primary Payor",
            "Insurance", "Insurance Plan", "Plan", "Plan Name", "Health Plan", "Carrier",
            "Financial Class", "Fin Class"),
    FACILITY: ("Facility", "Facility Name", "Facility ID", "Facility Code", "Hospital",
               "Hospital Name", "Site", "Site Name", "Location", "Service Location",
               "Entity", "Billing Entity", "Campus"),
    DEPARTMENT: CDM_NAMES[DEPARTMENT] + ("Revenue Center", "Service Department"),
}
# Diagnosis columns: dx_1 .. dx_25, "Diagnosis Code 1", "ICD-10-CM", "Principal Dx" ...
DIAGNOSIS_KEY = re.compile(
    r"^(?:principal|primary|secondary|other|line|claim)?"
    r"(?:icd10cm|icd10|icd|diag|diagnosis|diagnoses|dx)(?:code|codes|cd|cds)?\d*"
    r"(?:code|codes|cd)?$")
# a pointer to the claim's diagnoses (837P), not a code
DIAGNOSIS_POINTER = re.compile(r"pointer|ptr|seq|poa|version|type|qual")


@dataclass(frozen=True)
class Column:
    """One column of the extract: its name and coarse type (``text``, ``number``,
    ``date``, ``timestamp``, ``list`` or ``other``)."""

    name: str
    type: str = "text"


@dataclass
class Layout:
    """Where each field is; ``diagnosis`` and ``modifiers`` may be several columns."""

    single: dict[str, Column]
    diagnosis: list[Column] = field(default_factory=list)
    modifiers: list[Column] = field(default_factory=list)

    def used(self) -> dict[str, str]:
        """Our field -> the extract's column(s), for messages and the JSON."""
        out = {f: c.name for f, c in self.single.items()}
        for f, cols in ((DIAGNOSIS, self.diagnosis), (MODIFIERS, self.modifiers)):
            if cols:
                out[f] = ", ".join(c.name for c in cols)
        return out


def find_layout(header: Sequence[Column | str], *, source: str,
                columns: Mapping[str, str | Sequence[str]] | None = None,
                needs: Sequence[str] = (PROCEDURE, DIAGNOSIS)) -> Layout:
    """The layout of an extract from its header. ``columns`` names fields (our name ->
    the extract's column, or several for diagnosis and modifiers) and wins over the usual
    names; ``needs`` are the code fields the change sets check (procedure for CPT/HCPCS,
    diagnosis for ICD-10-CM), required besides :data:`REQUIRED`."""
    cols = [c if isinstance(c, Column) else Column(str(c)) for c in header]
    names = [c.name for c in cols]
    given = _given(columns)
    claimed: dict[str, list[int]] = {}
    for f, wanted in given.items():
        at = []
        for name in wanted:
            found = find_columns(names, [name])
            if not found:
                raise UpdaterError(
                    f"no column named {name!r} (the {SAID[f]} column on the command line); "
                    f"the extract has: {shown_columns(names)}", file=source,
                    hint="correct the column name to one of the extract's")
            at.append(found[0])
        claimed[f] = at
    used = {i for at in claimed.values() for i in at}

    def free() -> list[str]:
        return [n if i not in used else "" for i, n in enumerate(names)]

    single: dict[str, Column] = {f: cols[at[0]] for f, at in claimed.items()
                                 if f not in MULTI_FIELDS}
    for f in (CLAIM_ID, SERVICE_DATE, PROCEDURE, CHARGE, PAYER, FACILITY, LINE, DEPARTMENT):
        if f not in single:
            position = find_column(free(), USUAL_NAMES[f])
            if position is not None:
                single[f] = cols[position]
                used.add(position)
    diagnosis = claimed.get(DIAGNOSIS) or [
        i for i, n in enumerate(free()) if n and _is_diagnosis(n)]
    used |= set(diagnosis)
    modifiers = claimed.get(MODIFIERS) or [
        i for i, n in enumerate(free()) if n and MODIFIER_KEY.match(column_key(n))]
    layout = Layout(single=single, diagnosis=[cols[i] for i in diagnosis],
                    modifiers=[cols[i] for i in modifiers])
    _check(layout, names, source, needs)
    return layout


def _given(columns: Mapping[str, str | Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for name, value in (columns or {}).items():
        if name not in FIELDS:
            raise UpdaterError(f"unknown field {name!r} in --column",
                               hint=f"name one of {', '.join(FIELDS)}")
        values = (value,) if isinstance(value, str) else tuple(value)
        values = tuple(v for v in values if v)
        if len(values) > 1 and name not in MULTI_FIELDS:
            raise UpdaterError(f"{name} is one column, {len(values)} were given in --column",
                               hint=f"only {' and '.join(MULTI_FIELDS)} take several columns")
        if values:
            out[name] = out.get(name, ()) + values
    return out


def _is_diagnosis(name: str) -> bool:
    key = column_key(name)
    return bool(DIAGNOSIS_KEY.match(key)) and not DIAGNOSIS_POINTER.search(key)


def _check(layout: Layout, names: list[str], source: str, needs: Sequence[str]) -> None:
    found = set(layout.single) | ({DIAGNOSIS} if layout.diagnosis else set())
    if CLAIM_ID not in found and SERVICE_DATE not in found:
        raise UpdaterError(
            f"not a claims extract: no claim id and no date of service column; the file "
            f"has: {shown_columns(names)}", file=source,
            hint="give an extract with one row per claim line (CSV or Parquet), or name its "
                 "columns with --column claim_id=NAME --column service_date=NAME ...")
    missing = [f for f in (*REQUIRED, *needs) if f not in found]
    if missing:
        what = ", ".join(SAID[f] for f in missing)
        first = missing[0]
        looked = ", ".join(USUAL_NAMES.get(first, ("dx_1", "Diagnosis Code 1", "ICD-10-CM")))
        raise UpdaterError(
            f"no {what} column (for the {SAID[first]} looked for {looked}); the extract "
            f"has: {shown_columns(names)}", file=source,
            hint=f"name it with --column {first}=NAME")
