"""The claims extract on DuckDB, in-process: reading the CSV or Parquet files, turning
their columns into the ``claim_lines`` relation the portable query expects, and running
queries. Everything DuckDB-specific lives here; the impact itself is ``impact.sql``.

DuckDB streams the files (Parquet column by column, row groups in parallel) and spills
to a temporary folder past ``memory_limit``, so an extract larger than memory runs too.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from updater.errors import UpdaterError
from updater.files.tables import (
    WORKBOOK_MAGIC,
    WORKBOOK_SUFFIXES,
    CsvFile,
    find_column,
    find_columns,
    locate_header,
    open_table,
)
from updater.files.text import wide_bom
from updater.impact.claims.layout import USUAL_NAMES, Column
from updater.impact.claims.lines import (
    DATE_LOOKUP,
    LIST_SEPARATORS,
    first_line,
    lines_select,
    literal,
)

PARQUET_MAGIC = b"PAR1"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _kind(duck_type: str) -> str:
    t = duck_type.upper()
    if t.endswith("[]") or t.startswith(("LIST", "STRUCT", "MAP")):
        return "list" if t.endswith("[]") or t.startswith("LIST") else "other"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    if t == "DATE":
        return "date"
    if t.startswith(("VARCHAR", "STRING", "TEXT", "BLOB")):
        return "text"
    if t.startswith(("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                     "USMALLINT", "UINTEGER", "UBIGINT", "DECIMAL", "DOUBLE", "FLOAT",
                     "REAL")):
        return "number"
    return "other"


# the project's decoder's names -> DuckDB's three CSV encodings (codes, payers and
# facilities are plain text, so Windows-1252 is read as its Latin-1 subset)
_DUCKDB_ENCODINGS = {"utf-8": "utf-8", "utf-16-le": "utf-16", "cp1252": "latin-1"}

class DuckDBEngine:
    """One DuckDB connection over one extract (a CSV file, a Parquet file, or a folder of
    Parquet files)."""

    name = "duckdb"

    def __init__(self, *, memory_limit: str | None = "2GB", threads: int | None = None,
                 temp_directory: str | Path | None = None) -> None:
        import duckdb  # only on this path: the other commands start without it

        self._duckdb = duckdb
        self._tmp = tempfile.TemporaryDirectory(prefix="updater-claims-",
                                                dir=temp_directory)
        config: dict[str, Any] = {"temp_directory": self._tmp.name}
        if memory_limit:
            config["memory_limit"] = memory_limit
        if threads:
            config["threads"] = threads
        try:
            self.con = duckdb.connect(config=config)
        except duckdb.Error as exc:
            raise UpdaterError(f"cannot start DuckDB: {first_line(exc)}",
                               hint="check --memory-limit (e.g. 2GB)") from None
        self.source = ""
        self.kind = ""
        self.files: list[str] = []
        self._reader = ""
        self._csv_skip = 0
        self._charge_text = self._charge_check = "0"

    def close(self) -> None:
        self.con.close()
        self._tmp.cleanup()

    # ------------------------------------------------------------ the extract

    def open(self, path: str | Path, names: Sequence[str] = ()) -> list[Column]:
        """Register the extract as ``extract_raw``; its columns (names, coarse types).
        ``names`` are the columns the user named: a CSV's header row is the row with
        them (else with the usual names), under any title rows."""
        p = Path(path)
        self.source = str(p)
        if not p.exists():
            raise UpdaterError("no such file or folder", file=p, hint="check the path")
        if p.is_dir():
            self.files = sorted(str(f) for f in p.rglob("*.parquet") if f.is_file())
            if not self.files:
                raise UpdaterError("no Parquet files (*.parquet) in this folder", file=p,
                                   hint="give the folder of the extract's Parquet files, "
                                        "or one CSV or Parquet file")
            self.kind = "parquet"
        else:
            with p.open("rb") as fh:
                head = fh.read(1 << 16)
            if head.startswith(WORKBOOK_MAGIC) or p.suffix.lower() in WORKBOOK_SUFFIXES:
                raise UpdaterError("a workbook, not a claims extract", file=p,
                                   hint="save the extract as CSV or Parquet (a spreadsheet "
                                        "holds at most 1,048,576 rows)")
            self.files = [str(p)]
            self.kind = "parquet" if head.startswith(PARQUET_MAGIC) else "csv"
            if self.kind == "csv" and b"\x00" in head and not wide_bom(head):
                raise UpdaterError("not a claims extract: binary content, neither CSV text "
                                   "nor Parquet", file=p,
                                   hint="give the extract as CSV or Parquet")
        if self.kind == "parquet":
            self._reader = f"read_parquet([{', '.join(literal(f) for f in self.files)}])"
        else:
            self._reader = self._csv_reader(p, names)
        try:
            described = self.con.execute(f"DESCRIBE SELECT * FROM {self._reader}").fetchall()
            self.con.execute(f"CREATE VIEW extract_raw AS SELECT * FROM {self._reader}")
        except self._duckdb.Error as exc:
            raise self._unreadable(exc) from None
        return [Column(str(row[0]), _kind(str(row[1]))) for row in described]

    def _csv_reader(self, p: Path, names: Sequence[str]) -> str:
        """``read_csv`` with the delimiter and header row the project's CSV reader finds
        (title rows above the header are skipped), every column as text."""
        file = open_table(p)
        assert isinstance(file, CsvFile)  # workbooks are refused above

        def is_header(row: list[str]) -> bool:
            if names:
                return all(find_columns(row, [n]) for n in names)
            return sum(find_column(row, USUAL_NAMES[f]) is not None
                       for f in ("claim_id", "service_date", "charge", "payer",
                                 "facility")) >= 2

        located = locate_header(file, is_header) or (",", 0)
        delimiter, at = located
        self._csv_skip = at
        encoding = _DUCKDB_ENCODINGS.get(file.encoding)
        if encoding is None:  # read as something else, every text would come out garbled
            raise UpdaterError(f"the claims extract is {file.encoding.upper()} text, which "
                               "the claims engine cannot read", file=self.source,
                               hint="save it as UTF-8 CSV (or Parquet)")
        return (f"read_csv({literal(str(p))}, header = true, all_varchar = true, "
                f"delim = {literal(delimiter)}, skip = {at}, quote = '\"', escape = '\"', "
                f"encoding = {literal(encoding)}, strict_mode = false, "
                f"null_padding = true)")

    def _unreadable(self, exc: Exception) -> UpdaterError:
        what = "Parquet" if self.kind == "parquet" else "CSV"
        return UpdaterError(f"cannot read the claims extract as {what}: {first_line(exc)}",
                            file=self.source,
                            hint="give a claims extract as CSV (UTF-8) or Parquet")

    # ------------------------------------------------------------ claim_lines

    def define_lines(self, single: dict[str, Column], slots: Sequence[tuple[str, str]],
                     dates: pa.Table | None) -> None:
        """The ``claim_lines`` view: our column names over the extract's. ``slots`` are
        (name, text expression over ``r``) per code column; ``dates`` the lookup of date
        texts, when the extract's dates are text."""
        sql = lines_select(single, slots, quote)
        if sql.uses_date_lookup:
            assert dates is not None
            self.register(DATE_LOOKUP, dates)
        self._charge_text, self._charge_check = sql.charge_text, sql.charge_check
        self.con.execute("CREATE OR REPLACE VIEW claim_lines AS " + sql.select)

    def code_expressions(self, column: Column, prefix: str, *, pad: int = 0,
                         lists: bool = True) -> list[tuple[str, str]]:
        """(slot name, text expression) for a code column: one slot, or with ``lists`` one
        per list position when the column holds lists (a Parquet list, or codes separated
        by commas, semicolons, bars or spaces in one text cell)."""
        ref = f"r.{quote(column.name)}"
        if column.type == "number":
            expr = f"CAST({ref} AS STRING)"
            return [(prefix, f"lpad({expr}, {pad}, '0')" if pad else expr)]
        if column.type == "list":
            items = f"CAST({ref} AS VARCHAR[])"
        elif column.type == "text":
            ends = literal(f"^{LIST_SEPARATORS}|{LIST_SEPARATORS}$")
            items = (f"string_split_regex(regexp_replace({ref}, {ends}, '', 'g'), "
                     f"{literal(LIST_SEPARATORS)})")
            if not lists or self.scalar(
                    f"SELECT 1 FROM extract_raw r WHERE regexp_matches(trim({ref}), "
                    f"{literal(LIST_SEPARATORS)}) LIMIT 1") is None:
                return [(prefix, ref)]
        else:
            raise UpdaterError(f"the column {column.name!r} holds {column.type} values, "
                               "not codes", file=self.source,
                               hint="name the code column with --column")
        size = int(self.scalar(f"SELECT max(len({items})) FROM extract_raw r") or 0)
        return [(f"{prefix}_{i}", f"list_extract({items}, {i})") for i in range(1, size + 1)]

    def distinct(self, expressions: Sequence[str]) -> list[str]:
        """The distinct non-null values of the expressions over ``extract_raw r``."""
        if not expressions:
            return []
        union = " UNION ALL ".join(f"SELECT {e} AS v FROM extract_raw r" for e in expressions)
        rows = self.query(f"SELECT DISTINCT v FROM ({union}) WHERE v IS NOT NULL")
        return [str(v) for v in rows["v"]]

    def date_texts(self, column: Column) -> list[str]:
        return self.distinct([f"CAST(r.{quote(column.name)} AS STRING)"])

    def where_value(self, column: Column, value: str) -> str:
        """Where the first row whose ``column`` reads ``value`` is."""
        where, _ = self._first_row(f"CAST(r.{quote(column.name)} AS STRING) = {literal(value)}",
                                   f"CAST(r.{quote(column.name)} AS STRING)")
        return where

    def first_bad_charge(self) -> tuple[str, str]:
        """(where, value) of the first charge that is no amount."""
        return self._first_row(f"({self._charge_check}) = 1", self._charge_text)

    def _first_row(self, condition: str, value: str) -> tuple[str, str]:
        """(``file, row N``, value) of the first row of the extract meeting ``condition``
        (over ``r``); data rows are counted from 1, header excluded."""
        if self.kind == "parquet":
            reader = self._reader.replace("])", "], filename = true, file_row_number = true)")
            found = self.con.execute(
                f"SELECT filename, file_row_number, {value} FROM {reader} r WHERE {condition} "
                "ORDER BY filename, file_row_number LIMIT 1").fetchone()
            return (f"{found[0]}, row {int(found[1]) + 1}", str(found[2])) if found else (
                self.source, "")
        self.con.execute("SET threads = 1")  # row_number() in file order
        found = self.con.execute(
            f"SELECT n, v FROM (SELECT row_number() OVER () AS n, {value} AS v, * "
            f"FROM {self._reader} r) r WHERE {condition} LIMIT 1").fetchone()
        return (f"{self.source}, row {found[0]}", str(found[1])) if found else (self.source, "")

    # ------------------------------------------------------------ running

    def register(self, name: str, table: pa.Table) -> None:
        self.con.register(name, table)

    def scalar(self, sql: str) -> Any:
        try:
            row = self.con.execute(sql).fetchone()
        except self._duckdb.Error as exc:
            raise self._unreadable(exc) from None
        return row[0] if row else None

    def query(self, sql: str) -> pd.DataFrame:
        try:
            relation = self.con.sql(sql)
            fetch = getattr(relation, "to_arrow_table", None) or relation.arrow  # 2.x, 1.x
            return _frame(fetch())
        except self._duckdb.Error as exc:
            raise self._unreadable(exc) from None




def _frame(table: pa.Table) -> pd.DataFrame:
    """A query result as pandas: decimals (sums of charges) as floats, dates as dates."""
    columns = [pc.cast(col, pa.float64()) if pa.types.is_decimal(col.type) else col
               for col in table.columns]
    return pa.table(columns, names=table.column_names).to_pandas(date_as_object=True)
