"""The SELECT that makes ``claim_lines`` (the relation the portable queries read) from the
extract's own columns: one text for DuckDB and Spark SQL, which differ here only in how a
column name is quoted. Money is read by the rules of ``updater.files.tables.amounts``
($, thousands separators, (12.00) negative, "-" zero, blank or N/A none), in SQL."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from updater.impact.claims.layout import CHARGE, DEPARTMENT, FACILITY, PAYER, SERVICE_DATE, Column

NO_AMOUNT = ("", "N/A", "NA", "n/a", "na")  # blank amounts
LIST_SEPARATORS = r"[,;|\s]+"  # codes listed in one text cell: "M17.11, E11.9"
DATE_LOOKUP = "service_date_lookup"  # (raw, service_date), for dates written as text


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class LinesSql:
    select: str  # SELECT ... FROM extract_raw r (joined to DATE_LOOKUP when dates are text)
    uses_date_lookup: bool
    charge_text: str  # the charge cell as text, for messages
    charge_check: str  # 1 where the charge cell is no amount, else 0


def lines_select(single: Mapping[str, Column], slots: Sequence[tuple[str, str]],
                 quote: Callable[[str], str]) -> LinesSql:
    """``claim_lines`` over ``extract_raw r``; ``slots`` are (name, text expression) per
    code column."""
    def ref(col: Column) -> str:
        return f"r.{quote(col.name)}"

    def text(field: str) -> str:
        col = single.get(field)
        return f"CAST({ref(col)} AS STRING)" if col else "''"

    charge = single[CHARGE]
    if charge.type == "number":
        amount, unreadable = f"CAST({ref(charge)} AS DECIMAL(18, 2))", "0"
    else:
        cleaned = f"replace(replace(replace(trim({text(CHARGE)}), '$', ''), ',', ''), ' ', '')"
        blank = f"({cleaned} IS NULL OR {cleaned} IN ({', '.join(map(literal, NO_AMOUNT))}))"
        value = (f"CASE WHEN {cleaned} = '-' THEN CAST(0 AS DECIMAL(18, 2)) "
                 f"WHEN {cleaned} LIKE '(%)' THEN -try_cast(substr({cleaned}, 2, "
                 f"length({cleaned}) - 2) AS DECIMAL(18, 2)) "
                 f"ELSE try_cast({cleaned} AS DECIMAL(18, 2)) END")
        amount = f"CASE WHEN {blank} THEN NULL ELSE {value} END"
        unreadable = f"CASE WHEN NOT {blank} AND ({value}) IS NULL THEN 1 ELSE 0 END"
    dos = single[SERVICE_DATE]
    lookup = dos.type not in ("date", "timestamp")
    service_date = "d.service_date" if lookup else f"CAST({ref(dos)} AS DATE)"
    joins = f" LEFT JOIN {DATE_LOOKUP} d ON d.raw = {text(SERVICE_DATE)}" if lookup else ""
    columns = [f"{text(FACILITY)} AS facility", f"{text(PAYER)} AS payer",
               f"{text(DEPARTMENT)} AS department", f"{amount} AS charge",
               f"{unreadable} AS charge_unreadable", f"{service_date} AS service_date",
               *(f"{expr} AS {name}" for name, expr in slots)]
    return LinesSql(select="SELECT " + ", ".join(columns) + f" FROM extract_raw r{joins}",
                    uses_date_lookup=lookup, charge_text=text(CHARGE), charge_check=unreadable)


def first_line(exc: Exception) -> str:
    """An engine's error message, first line only (the rest is its plan or stack)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
