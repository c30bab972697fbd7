"""normalize_code (one code) and normalize_codes (a column) are one rule: same answers."""

from __future__ import annotations

import math

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from updater.codes import normalize_code
from updater.files.tables import TEXT, normalize_codes

CASES = [
    ("99213.0", "99213"),
    ("99213.00", "99213"),
    (" 99213 ", "99213"),
    (" 99213.0 ", "99213"),
    ("\u00a099213.0\u00a0", "99213"),
    ("j1100", "J1100"),
    ("M54.50", "M5450"),
    ("m5450", "M5450"),
    ("E11.9 ", "E119"),
    ("e11 .9", "E119"),
    ("\tM17.11\r\n", "M1711"),
    ("0320", "0320"),
    ("320.5", "3205"),
    ("", ""),
    ("   ", ""),
]


@pytest.mark.parametrize(("written", "stored"), CASES)
def test_scalar(written: str, stored: str) -> None:
    assert normalize_code(written) == stored


@pytest.mark.parametrize("blank", [None, math.nan, float("nan")])
def test_scalar_blank(blank: object) -> None:
    assert normalize_code(blank) == ""


def test_column_gives_the_scalar_answers() -> None:
    written = [w for w, _ in CASES]
    column = normalize_codes(pa.chunked_array([pa.array(written, TEXT)], TEXT))
    assert column.to_pylist() == [normalize_code(w) for w in written]
    assert column.to_pylist() == [s for _, s in CASES]


def test_column_keeps_nulls_the_scalar_gives_blank() -> None:
    column = normalize_codes(pa.chunked_array([pa.array(["m17.11", None], TEXT)], TEXT))
    assert pc.fill_null(column, "").to_pylist() == ["M1711", normalize_code(None)]


def test_every_unicode_space_alike() -> None:
    spaces = [chr(i) for i in range(0x3001) if chr(i).isspace()]
    written = [f"{c}m17{c}.11{c}" for c in spaces]
    column = normalize_codes(pa.chunked_array([pa.array(written, TEXT)], TEXT))
    assert column.to_pylist() == [normalize_code(w) for w in written] == ["M1711"] * len(
        spaces)
