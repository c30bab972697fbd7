"""``updater claims``: which claim lines (tens of millions) bill codes a release retires,
by facility, payer and department, and how much revenue that is.

- :mod:`updater.impact.claims.layout` finds the extract's columns from its header;
- :mod:`updater.impact.claims.lookups` judges the extract's distinct codes and dates;
- ``impact.sql`` is the one portable query over the lines (DuckDB, Spark SQL);
- :mod:`updater.impact.claims.duckdb_engine` runs it in-process;
- :mod:`updater.impact.claims.impact` ties them together and sums the grouped rows.
"""

from __future__ import annotations

from updater.impact.claims.impact import (
    ClaimsImpact,
    Slot,
    impact_claims,
    query_template,
    render_query,
    summarize,
)
from updater.impact.claims.run import ClaimsReport, run_claims

__all__ = ["ClaimsImpact", "ClaimsReport", "Slot", "impact_claims", "query_template",
           "render_query", "run_claims", "summarize"]
