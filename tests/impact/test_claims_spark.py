"""The claims queries on Spark give what they give on DuckDB (skipped without PySpark, which
is not a dependency of updater: install it, with a Java runtime, to run these)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("pyspark")

from test_claims import ROWS, change_sets, write_csv, write_parquet

from updater.impact.claims import impact_claims

__all__ = ["change_sets"]  # the fixture, shared


@pytest.fixture(scope="module")
def spark():  # type: ignore[no-untyped-def]
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("updater-claims-test")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    yield session
    session.stop()


def same(a, b) -> None:  # type: ignore[no-untyped-def]
    assert a.summary == b.summary
    pd.testing.assert_frame_equal(a.by_group, b.by_group, check_dtype=False)
    pd.testing.assert_frame_equal(a.by_code.astype({"effective": str}),
                                  b.by_code.astype({"effective": str}), check_dtype=False)


@pytest.mark.parametrize("form", ["csv", "parquet", "parquet-dx-list"])
def test_spark_gives_the_duckdb_result(tmp_path: Path, change_sets, spark, form: str) -> None:  # type: ignore[no-untyped-def]
    from updater.impact.claims.spark_engine import SparkEngine

    if form == "csv":
        path = write_csv(tmp_path / "claims.csv")
    else:
        path = write_parquet(tmp_path / "claims.parquet", dx_list=form.endswith("list"))
    on_duckdb = impact_claims(path, change_sets)
    on_spark = impact_claims(path, change_sets, engine=SparkEngine(spark))
    same(on_spark, on_duckdb)
    assert on_spark.summary["lines_read"] == len(ROWS)
    assert on_spark.summary["lines_affected"] == 5
    assert on_spark.extract["engine"] == "spark"


def test_spark_names_the_unreadable_charge(tmp_path: Path, change_sets, spark) -> None:  # type: ignore[no-untyped-def]
    from updater.errors import UpdaterError
    from updater.impact.claims.spark_engine import SparkEngine

    rows = [list(r) for r in ROWS]
    rows[3][7] = "eighty"
    path = write_csv(tmp_path / "claims.csv", rows)
    with pytest.raises(UpdaterError) as caught:
        impact_claims(path, change_sets, engine=SparkEngine(spark))
    assert str(caught.value) == (
        f"file://{path}: 'eighty' in column 'Line Charge' is not an amount; write it as a "
        "number, e.g. 1234.50, or leave it blank")
