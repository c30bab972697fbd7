"""updater.files.cells.cell_text: the one rule for a workbook cell as text (every reader
of workbook cells uses it; the HCPCS fixed-width twin only writes dates its own way)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from updater.files.cells import cell_text
from updater.releases.readers._cells import fixed_width_text


@pytest.mark.parametrize(("value", "text"), [
    (None, ""),
    ("", ""),
    ("  99213 ", "99213"),
    ("\u00a0J1100\u00a0", "J1100"),  # no-break spaces, as web exports pad
    ("\tM17.11\r\n", "M17.11"),
    ("a b", "a b"),
    (99213, "99213"),
    (99213.0, "99213"),
    (320.0, "320"),
    (12.5, "12.5"),
    (0.1, "0.1"),
    (1e16, "10000000000000000"),
    (True, "TRUE"),
    (False, "FALSE"),
    (date(2026, 1, 1), "2026-01-01"),
    (datetime(2026, 1, 1), "2026-01-01"),
    (datetime(2026, 1, 1, 8, 30), "2026-01-01 08:30:00"),
    (time(8, 30), "08:30:00"),
    (timedelta(hours=1), "1:00:00"),
])
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


@pytest.mark.parametrize(("value", "text"), [
    (date(2026, 1, 1), "20260101"),
    (datetime(2026, 1, 1, 8, 30), "20260101"),
    (20260101.0, "20260101"),
    (None, ""),
    (" G0008 ", "G0008"),
])
def test_fixed_width_text_writes_dates_as_the_file_does(value: object, text: str) -> None:
    assert fixed_width_text(value) == text
