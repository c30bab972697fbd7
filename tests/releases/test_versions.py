"""Version labels and effective dates from the names publishers give their files, including
names of years not in ../shared (the rules look for a year and a month, not a pattern)."""

from __future__ import annotations

from datetime import date

import pytest

from updater.errors import UpdaterError
from updater.releases.versions import (
    infer_version,
    parse_date,
    resolve_version,
    version_for_effective,
)
from updater.vocabulary import CodeSystem

ICD, HCPCS, CPT = CodeSystem.ICD10CM, CodeSystem.HCPCS, CodeSystem.CPT


@pytest.mark.parametrize(("system", "names", "label", "effective"), [
    (ICD, ["icd10cm-order-2026.txt"], "FY2026", date(2025, 10, 1)),
    (ICD, ["icd10cm_order_2021.txt"], "FY2021", date(2020, 10, 1)),
    (ICD, ["Code Descriptions/icd10cm-order-2022.txt", "Code Descriptions",
           "Code Descriptions zip.zip"], "FY2022", date(2021, 10, 1)),
    (ICD, ["icd10cm-order- April 1 2023.txt"], "FY2023-April", date(2023, 4, 1)),
    (ICD, ["icd10cm-order-April-2027.txt"], "FY2027-April", date(2027, 4, 1)),
    (ICD, ["icd10cm-order.txt", "ICD10-CM Code Descriptions 2030.zip"], "FY2030",
     date(2029, 10, 1)),
    (ICD, ["icd10cm order effective October 2028.txt"], "FY2029", date(2028, 10, 1)),
    (HCPCS, ["HCPC2018_CONTR_ANWEB_disc.txt"], "2018", date(2018, 1, 1)),
    (HCPCS, ["HCPC17_CONTR_ANWEB.txt"], "2017", date(2017, 1, 1)),
    (HCPCS, ["HCPC2029_JUL_ANWEB_v2.txt"], "2029-July", date(2029, 7, 1)),
    (HCPCS, ["april-2031-alpha-numeric-hcpcs-file.zip"], "2031-April", date(2031, 4, 1)),
    (HCPCS, ["HCPC2032_OCT_ANWEB.xlsx"], "2032-October", date(2032, 10, 1)),
    (CPT, ["LONGULT.txt", "CPT 2027 data files.zip"], "2027", date(2027, 1, 1)),
    # mid-year updates in any month, named by the file, the zip, or both
    (ICD, ["icd10cm_order_2021.txt", "icd10cm-codes-order-Jan-2021.zip"], "FY2021-January",
     date(2021, 1, 1)),
    (ICD, ["icd10cm_order_2021jan.txt"], "FY2021-January", date(2021, 1, 1)),
    (ICD, ["icd10cm_order_addenda_2022.txt", "April-1-2022-Code-Descriptions.zip"],
     "FY2022-April", date(2022, 4, 1)),
    (ICD, ["icd10cm-order-2029.txt", "ICD-10-CM July 2029 update.zip"], "FY2029-July",
     date(2029, 7, 1)),
    (ICD, ["icd10cm-order-2030.txt", "icd10cm November 2029.zip"], "FY2030-November",
     date(2029, 11, 1)),
    (ICD, ["icd10cm_order_2031.txt", "icd10cm-Sept-2031.zip"], "FY2031-September",
     date(2031, 9, 1)),
    # a month of another fiscal year is not this release's month
    (ICD, ["icd10cm_order_2023.txt", "April 2021 archive.zip"], "FY2023", date(2022, 10, 1)),
    (HCPCS, ["HCPC2020_ANWEB.txt", "April-2020-Alpha-Numeric-HCPCS-File.zip"], "2020-April",
     date(2020, 4, 1)),
    (HCPCS, ["HCPC2030_MAR_ANWEB.txt"], "2030-March", date(2030, 3, 1)),
])
def test_names_of_many_years(system, names, label, effective):
    assert infer_version(system, names) == (label, effective)


@pytest.mark.parametrize("names", [
    ["icd10cm-order.txt"],
    ["ICD-10-CM-Conversion-Table-FY2022-Effective-10-1-2021.xlsx"],  # two years: ambiguous
])
def test_no_single_year_means_no_guess(names):
    assert infer_version(ICD, names) is None


def test_effective_override_gives_the_conventional_label():
    assert resolve_version(ICD, ["x.txt"], effective=date(2026, 4, 1), file="x.txt") == (
        "FY2026-April", date(2026, 4, 1))
    assert version_for_effective(ICD, date(2026, 10, 1)) == "FY2027"
    assert version_for_effective(ICD, date(2021, 1, 1)) == "FY2021-January"
    assert version_for_effective(ICD, date(2025, 12, 1)) == "FY2026-December"
    assert version_for_effective(HCPCS, date(2026, 7, 1)) == "2026-July"
    assert version_for_effective(HCPCS, date(2026, 1, 1)) == "2026"


def test_hints_give_the_month_only_for_the_same_year():
    assert infer_version(ICD, ["icd10cm_order_2022.txt"],
                         hints=["icd10cm_order_April_2022.txt"]) == ("FY2022-April",
                                                                     date(2022, 4, 1))
    assert infer_version(ICD, ["icd10cm_order_2022.txt"],
                         hints=["April guidelines.pdf", "icd10cm April 2021.pdf"]) == (
        "FY2022", date(2021, 10, 1))


def test_bad_dates_say_how_to_write_them():
    with pytest.raises(UpdaterError, match=r"--effective '2026-13-01' is not a date; write it "
                       r"as YYYY-MM-DD, e\.g\. 2025-10-01"):
        parse_date("2026-13-01", what="--effective")
