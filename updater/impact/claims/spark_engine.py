"""The claims extract on Spark, for data that outgrows one machine: the same portable
queries as on DuckDB (``impact.sql``, ``totals.sql``), run by ``spark.sql`` over the
extract as Spark reads it (Parquet, or CSV with the header on the first line). Only the
extract's distinct codes and dates, and the grouped rows, come back to the driver; no
Python runs on the executors. PySpark is the user's (not a dependency of updater).

    from updater.impact.claims import impact_claims
    from updater.impact.claims.spark_engine import SparkEngine
    result = impact_claims("s3a://warehouse/claims/2025/", change_sets,
                           engine=SparkEngine(spark))
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from updater.errors import UpdaterError
from updater.impact.claims.layout import Column
from updater.impact.claims.lines import (
    DATE_LOOKUP,
    LIST_SEPARATORS,
    first_line,
    lines_select,
    literal,
)


def quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _kind(spark_type: Any) -> str:
    name = type(spark_type).__name__
    if name == "StringType" or name.startswith(("VarcharType", "CharType")):
        return "text"
    if name == "DateType":
        return "date"
    if name.startswith("Timestamp"):
        return "timestamp"
    if name in ("ByteType", "ShortType", "IntegerType", "LongType", "FloatType",
                "DoubleType", "DecimalType"):
        return "number"
    if name == "ArrayType":
        return "list"
    return "other"


class SparkEngine:
    """One extract on a Spark session (the caller's; it is left running)."""

    name = "spark"

    def __init__(self, spark: Any, *, csv_delimiter: str = ",") -> None:
        self.spark = spark
        self.delimiter = csv_delimiter
        self.source = ""
        self.kind = ""
        self.files: list[str] = []
        self._charge_text = self._charge_check = "0"

    def close(self) -> None:
        for name in ("extract_raw", "claim_lines", DATE_LOOKUP,
                     "affected_procedure", "affected_diagnosis", "affected_modifier"):
            self.spark.catalog.dropTempView(name)

    def open(self, path: str | Path, names: Sequence[str] = ()) -> list[Column]:
        self.source = str(path)
        self.kind = "csv" if self.source.lower().endswith((".csv", ".txt")) else "parquet"
        reader = self.spark.read
        try:
            if self.kind == "csv":
                frame = reader.option("header", True).option("sep", self.delimiter).csv(
                    self.source)
            else:
                frame = reader.parquet(self.source)
        except Exception as exc:  # Spark raises its own AnalysisException family
            raise UpdaterError(f"cannot read the claims extract: {first_line(exc)}",
                               file=self.source,
                               hint="give a Parquet folder or a CSV file Spark can read") from None
        self.files = list(frame.inputFiles())
        frame.createOrReplaceTempView("extract_raw")
        return [Column(f.name, _kind(f.dataType)) for f in frame.schema.fields]

    def code_expressions(self, column: Column, prefix: str, *, pad: int = 0,
                         lists: bool = True) -> list[tuple[str, str]]:
        ref = f"r.{quote(column.name)}"
        if column.type == "number":
            expr = f"CAST({ref} AS STRING)"
            return [(prefix, f"lpad({expr}, {pad}, '0')" if pad else expr)]
        if column.type == "list":
            items = f"CAST({ref} AS ARRAY<STRING>)"
        elif column.type == "text":
            ends = literal(f"^{LIST_SEPARATORS}|{LIST_SEPARATORS}$")
            items = f"split(regexp_replace({ref}, {ends}, ''), {literal(LIST_SEPARATORS)})"
            if not lists or not self.spark.sql(
                    f"SELECT 1 FROM extract_raw r WHERE {ref} RLIKE "
                    f"{literal(LIST_SEPARATORS)} LIMIT 1").take(1):
                return [(prefix, ref)]
        else:
            raise UpdaterError(f"the column {column.name!r} holds {column.type} values, "
                               "not codes", file=self.source,
                               hint="name the code column with --column")
        size = self.spark.sql(f"SELECT max(size({items})) AS n FROM extract_raw r").first()[0]
        return [(f"{prefix}_{i}", f"try_element_at({items}, {i})")
                for i in range(1, int(size or 0) + 1)]

    def distinct(self, expressions: Sequence[str]) -> list[str]:
        if not expressions:
            return []
        union = " UNION ALL ".join(f"SELECT {e} AS v FROM extract_raw r" for e in expressions)
        rows = self.spark.sql(f"SELECT DISTINCT v FROM ({union}) u WHERE v IS NOT NULL")
        return [str(row[0]) for row in rows.collect()]

    def date_texts(self, column: Column) -> list[str]:
        return self.distinct([f"CAST(r.{quote(column.name)} AS STRING)"])

    def define_lines(self, single: dict[str, Column], slots: Sequence[tuple[str, str]],
                     dates: pa.Table | None) -> None:
        sql = lines_select(single, slots, quote)
        if sql.uses_date_lookup:
            assert dates is not None
            self.register(DATE_LOOKUP, dates)
        self._charge_text, self._charge_check = sql.charge_text, sql.charge_check
        self.spark.sql(sql.select).createOrReplaceTempView("claim_lines")

    def where_value(self, column: Column, value: str) -> str:
        where, _ = self._first_row(f"CAST(r.{quote(column.name)} AS STRING) = {literal(value)}",
                                   f"CAST(r.{quote(column.name)} AS STRING)")
        return where

    def first_bad_charge(self) -> tuple[str, str]:
        return self._first_row(f"({self._charge_check}) = 1", self._charge_text)

    def _first_row(self, condition: str, value: str) -> tuple[str, str]:
        """(the file, the value) of a row meeting ``condition``: Spark does not keep a
        row's number in its file."""
        found = self.spark.sql(f"SELECT input_file_name() AS f, {value} AS v FROM "
                               f"extract_raw r WHERE {condition} LIMIT 1").take(1)
        return (str(found[0][0]) or self.source, str(found[0][1])) if found else (
            self.source, "")

    def register(self, name: str, table: pa.Table) -> None:
        from pyspark.sql import types as T  # pyspark is optional, not a dependency

        fields = [T.StructField(f.name, T.DateType() if pa.types.is_date(f.type)
                                else T.StringType()) for f in table.schema]
        rows = [tuple(r.values()) for r in table.to_pylist()]
        self.spark.createDataFrame(rows, T.StructType(fields)).createOrReplaceTempView(name)

    def query(self, sql: str) -> pd.DataFrame:
        frame = self.spark.sql(sql)
        rows = frame.collect()
        out = pd.DataFrame([list(r) for r in rows], columns=frame.columns)
        for col in out.columns:  # decimals (sums of charges) as floats, as from DuckDB
            if out[col].map(lambda v: isinstance(v, Decimal)).any():
                out[col] = out[col].map(lambda v: None if v is None else float(v))
        return out

