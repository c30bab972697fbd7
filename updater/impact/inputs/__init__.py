"""The user's own files: chargemasters (CDM) and procedure <-> diagnosis crosswalks.

Readers here turn a hospital's export (CSV/XLSX with title rows and house column names,
or the CMS Hospital Price Transparency v3 CSV, tall or wide) into one normalized table,
so the scan never cares where a chargemaster came from. Every data row of the input is
accounted for: it appears in the table with its 1-based row number (header excluded),
even when its code is blank or garbage (the scan reports those as ``malformed``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# Chargemaster table: one row per (input line x code). A line with a CPT and a HCPCS
# column gives two rows with the same ``row``; a line with no code gives one row, code "".
ROW = "row"  # 1-based data row in the input, header excluded (what people see in Excel)
CHARGE_CODE = "charge_code"
DESCRIPTION = "description"
CODE = "code"  # normalized: stripped, upper case, no dot; "" when blank
RAW_CODE = "raw_code"  # the cell as written, for messages
CODE_COLUMN = "code_column"  # the input column the code came from
CODE_TYPE = "code_type"  # from a type column (HPT "code|1|type", "Code Type"), else ""
MODIFIERS = "modifiers"  # comma-joined, e.g. "26,RT"
REVENUE_CODE = "revenue_code"
DEPARTMENT = "department"
STATUS = "status"  # as written
ACTIVE = "active"  # False when the status says inactive/retired/deleted/...
EFFECTIVE_DATE = "effective_date"  # ISO yyyy-mm-dd or ""
END_DATE = "end_date"  # ISO yyyy-mm-dd or ""
PRICE = "price"  # float, NaN when absent
VOLUME = "volume"  # annual volume / units, float, NaN when absent
CDM_COLUMNS = (ROW, CHARGE_CODE, DESCRIPTION, CODE, RAW_CODE, CODE_COLUMN, CODE_TYPE,
               MODIFIERS, REVENUE_CODE, DEPARTMENT, STATUS, ACTIVE, EFFECTIVE_DATE, END_DATE,
               PRICE, VOLUME)
# Only in a price-transparency tall file, which repeats each charge item once per payer and
# plan: the first row of the line's item (the scan judges each item once, on that row) and
# the row's payer and plan ("Platform Health Insurance / PPO").
ITEM_ROW = "item_row"
PAYER = "payer"

# Crosswalk table: one row per (procedure, diagnosis) pair after expanding lists and ranges.
PROCEDURE = "procedure"  # normalized CPT/HCPCS code
DIAGNOSIS = "diagnosis"  # normalized ICD-10-CM code, no dot
DIAGNOSIS_AS_WRITTEN = "diagnosis_as_written"  # the list item or range it came from
CROSSWALK_COLUMNS = (ROW, PROCEDURE, DIAGNOSIS, DIAGNOSIS_AS_WRITTEN)
# Only when the crosswalk has such a column: the pair's own words for its codes, checked
# against the official titles by the scan. A diagnosis description is kept only on pairs
# that are the whole of their line (not one item of a list or a range's expansion).
PROCEDURE_DESCRIPTION = "procedure_description"
DIAGNOSIS_DESCRIPTION = "diagnosis_description"


@dataclass
class ChargemasterInput:
    """A chargemaster read and normalized."""

    table: pd.DataFrame  # CDM_COLUMNS
    rows_read: int  # data rows in the input (header and title rows excluded)
    source: str  # file (and sheet) for messages
    columns: dict[str, str] = field(default_factory=dict)  # our name -> input column used
    format: str = ""  # "cdm-csv", "cdm-xlsx", "hpt-tall", "hpt-wide"
    sha256: str = ""


@dataclass
class CrosswalkInput:
    """A crosswalk read, normalized to pairs (lists split, ranges expanded)."""

    table: pd.DataFrame  # CROSSWALK_COLUMNS
    rows_read: int
    source: str
    layout: str = ""  # "long" or "wide"
    sha256: str = ""
    # ranges (M17.0-M17.9, M17.1-) and header codes in list cells that were expanded
    # against the release, and the pairs that expansion produced
    items_expanded: int = 0
    pairs_from_expansion: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # our name -> input column used
