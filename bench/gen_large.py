"""Write large, deterministic, synthetic scan inputs for bench/bench_scan.py.

Usage: python bench/gen_large.py [FOLDER]   (default /tmp/updater-bench)

- ``cdm-1m.csv``: 1,000,000 chargemaster lines, the columns of chargemasters/sample-cdm.csv.
  Codes: the real HCPCS 2018 codes, CPT-shaped numbers, and a share of codes HCPCS 2018
  deleted or terminated (so the scan has findings), a few malformed and blank.
- ``crosswalk-10m.csv``: 10,000,000 procedure <-> ICD-10-CM pairs (one per row, grouped by
  procedure), diagnoses from the real FY2025 billable codes plus a share of the FY2024
  codes that FY2025 deleted or expanded.
- ``cdm-100k.xlsx``: 100,000 lines as an Excel export (two title rows, house column names),
  written with openpyxl's write-only mode.

Every value is drawn by numpy from a fixed seed, so the files are the same every run. Without
../shared/data the codes are synthetic (the shapes, not the real code lists).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
ICD_OLD = SHARED / "icd10cm/FY2024/icd10cm-CodesDescriptions-2024.zip"
ICD_NEW = SHARED / "icd10cm/FY2025/ICD10-CM Code Descriptions 2025.zip"
HCPCS_OLD = SHARED / "hcpcs/2017/2017-Alpha-Numeric-HCPCS-File.zip"
HCPCS_NEW = SHARED / "hcpcs/2018/2018-Alpha-Numeric-HCPCS-File.zip"
DEFAULT_FOLDER = Path("/tmp/updater-bench")
CDM_CSV, CROSSWALK_CSV, CDM_XLSX = "cdm-1m.csv", "crosswalk-10m.csv", "cdm-100k.xlsx"
CDM_LINES, CROSSWALK_PAIRS, XLSX_LINES = 1_000_000, 10_000_000, 100_000
SEED = 20260101

CSV_HEADER = ("Charge Code", "Description", "Rev Code", "CPT", "HCPCS", "Mod 1", "Mod 2",
              "Price", "Department", "Status", "Effective Date", "End Date", "Annual Volume")
XLSX_HEADER = ("CDM #", "Charge Desc", "Rev Cd", "CPT Code", "HCPCS Code", "Mod 1", "Mod 2",
               "Std Charge", "Dept Name", "Status Code", "Eff Dt", "Term Dt", "Annual Units")
XLSX_TITLES = ("SAMPLE HEALTH SYSTEM - CHARGE DESCRIPTION MASTER (SYNTHETIC, FOR BENCHMARKS)",
               "Report CDM-0100 run 12/15/2025 07:30; all facilities")

# Departments: name, revenue code, description stem. CPT lines pick theirs by the code's
# range, HCPCS lines by the code's letter.
DEPARTMENTS = (
    ("SURGERY", "0360", "PROCEDURE"), ("RADIOLOGY", "0320", "IMAGING"),
    ("LABORATORY", "0300", "LAB TEST"), ("CLINIC", "0510", "VISIT SERVICE"),
    ("PHYSICAL THERAPY", "0420", "THERAPY"), ("EMERGENCY DEPT", "0450", "ED SERVICE"),
    ("ANESTHESIA", "0370", "ANESTHESIA"), ("PHARMACY", "0636", "DRUG"),
    ("CENTRAL SUPPLY", "0270", "SUPPLY"), ("IMPLANTS", "0278", "IMPLANT"),
    ("DME", "0274", "DME"), ("BLOOD BANK", "0390", "BLOOD PRODUCT"),
    ("AMBULANCE", "0540", "TRANSPORT"), ("OTHER SERVICES", "0940", "SERVICE"),
)
DEPT = {name: i for i, (name, _, _) in enumerate(DEPARTMENTS)}
HCPCS_DEPT = {"J": "PHARMACY", "Q": "PHARMACY", "S": "PHARMACY", "A": "CENTRAL SUPPLY",
              "C": "IMPLANTS", "E": "DME", "K": "DME", "L": "DME", "P": "BLOOD BANK",
              "G": "CLINIC", "V": "CLINIC"}
# Words a line's description may end with (sides and body parts the scan compares).
SUFFIXES = ("", "", "", "", "", "", "", "", " RT", " LT", " BILAT", " KNEE", " HIP",
            " SHOULDER", " CHEST", " HEAD")
MODIFIERS = ("RT", "LT", "26", "TC", "GP", "JW", "59", "25")
DATES = ("01/01/2016", "07/01/2018", "01/01/2019", "01/01/2020", "07/01/2021", "01/01/2022",
         "01/01/2023", "01/01/2024", "10/01/2024", "01/01/2025")
END_DATES = ("12/31/2017", "06/30/2018", "12/31/2019", "12/31/2022", "12/31/2024",
             "12/31/2026")
MALFORMED = ("9921", "ABCDE", "J10", "99213-25", "1234567")


@dataclass
class Pools:
    """The code lists the inputs draw from."""

    hcpcs: np.ndarray  # HCPCS codes in force in the new release
    hcpcs_changed: np.ndarray  # deleted or terminated by the new release
    icd: np.ndarray  # billable in the new ICD-10-CM release
    icd_changed: np.ndarray  # billable in the old release, not in the new (deleted/expanded)
    origin: str


def real_pools() -> Pools:
    from updater.releases.readers import load_release

    def table(path: Path):  # type: ignore[no-untyped-def]
        return load_release(path)[0].table

    h17, h18 = table(HCPCS_OLD), table(HCPCS_NEW)
    codes18 = h18[h18["record"] == "code"]
    term = codes18["termination_date"]
    ended = codes18.loc[(term != "") & (term <= "2018-01-01"), "code"]
    active = codes18.loc[(term == "") | (term > "2018-01-01"), "code"]
    gone = sorted(set(h17.loc[h17["record"] == "code", "code"]) - set(h18["code"]))
    newly_ended = ended[ended.isin(h17.loc[h17["termination_date"] == "", "code"])
                        | ~ended.isin(h17["code"])]
    i24, i25 = table(ICD_OLD), table(ICD_NEW)
    billable24 = set(i24.loc[i24["record"] == "code", "code"])
    billable25 = i25.loc[i25["record"] == "code", "code"]
    return Pools(hcpcs=np.array(sorted(active)), hcpcs_changed=np.array(
        sorted({*gone, *newly_ended})), icd=np.array(sorted(billable25)),
        icd_changed=np.array(sorted(billable24 - set(billable25))),
        origin=f"real code lists from {SHARED}")


def synthetic_pools(rng: np.random.Generator) -> Pools:
    """Code shapes only, when the real files are absent."""
    letters = np.array(list("ABCEGJKLPQV"))
    hcpcs = np.unique(np.char.add(letters[rng.integers(0, len(letters), 7000)],
                                  np.char.zfill(rng.integers(0, 10000, 7000).astype(str), 4)))
    icd_letters = np.array(list("ABCDEFGHIJKLMNOPQRSTVWXYZ"))
    stems = np.char.add(icd_letters[rng.integers(0, 25, 80000)],
                        np.char.zfill(rng.integers(0, 100, 80000).astype(str), 2))
    icd = np.unique(np.char.add(stems, rng.integers(0, 10000, 80000).astype(str)))
    return Pools(hcpcs=hcpcs[150:], hcpcs_changed=hcpcs[:150], icd=icd[300:],
                 icd_changed=icd[:300], origin="synthetic codes (../shared/data is absent)")


def pools(rng: np.random.Generator) -> Pools:
    present = all(p.exists() for p in (ICD_OLD, ICD_NEW, HCPCS_OLD, HCPCS_NEW))
    return real_pools() if present else synthetic_pools(rng)


# CPT ranges a hospital chargemaster draws on, with their shares of CPT-shaped codes.
CPT_RANGES = ((100, 2000, 0.04), (10000, 70000, 0.26), (70000, 80000, 0.16),
              (80000, 90000, 0.26), (90000, 97000, 0.12), (97000, 98000, 0.06),
              (99000, 99500, 0.10))


def cpt_shaped(rng: np.random.Generator, n: int = 9000) -> np.ndarray:
    """CPT-shaped code numbers over the usual ranges, and some Category III/PLA codes."""
    spans = np.array([(lo, hi) for lo, hi, _ in CPT_RANGES])
    which = rng.choice(len(CPT_RANGES), n, p=[s for _, _, s in CPT_RANGES])
    numbers = rng.integers(spans[which, 0], spans[which, 1])
    digits = np.char.zfill(numbers.astype(str), 5)
    tail = np.char.add(np.char.zfill(rng.integers(1, 999, n // 10).astype(str), 4),
                       np.where(rng.random(n // 10) < 0.6, "T", "U"))
    return np.unique(np.concatenate([digits, tail]))


def department_of(codes: np.ndarray) -> np.ndarray:
    """Department index for each CPT-shaped (by range) or HCPCS-shaped (by letter) code."""
    first = codes.astype("U1")
    cpt_like = np.char.isdigit(first)
    number = np.where(cpt_like, codes.astype("U2"), "00").astype(int)
    pla = np.char.endswith(codes, "U")
    by_range = np.select(
        [pla, ~np.char.isdigit(codes), number < 10, number < 70, number < 80, number < 90,
         number == 97, number == 99],
        [DEPT["LABORATORY"], DEPT["SURGERY"], DEPT["ANESTHESIA"], DEPT["SURGERY"],
         DEPT["RADIOLOGY"], DEPT["LABORATORY"], DEPT["PHYSICAL THERAPY"], DEPT["CLINIC"]],
        DEPT["OTHER SERVICES"])
    by_letter = np.array([DEPT[HCPCS_DEPT.get(chr(65 + i), "OTHER SERVICES")]
                          for i in range(26)])
    letter_at = np.clip(np.char.encode(first, "ascii").view(np.uint8).astype(int) - 65, 0, 25)
    return np.where(cpt_like, by_range, by_letter[letter_at])


def pick(values: Sequence[str] | np.ndarray, index: np.ndarray) -> pa.Array:
    """``values[index]`` as an Arrow string array (a take, no Python strings per row)."""
    return pa.array(np.asarray(values, dtype=object), pa.string()).take(pa.array(index))


def join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def money(cents: np.ndarray) -> pa.Array:
    dollars = pc.cast(pa.array(cents // 100), pa.string())
    return join(dollars, ".", pc.utf8_lpad(pc.cast(pa.array(cents % 100), pa.string()), 2, "0"))


def optional(values: pa.Array, keep: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(keep), values, pa.scalar(None, pa.string()))


def cdm_table(n: int, p: Pools, rng: np.random.Generator) -> pa.Table:
    """``n`` chargemaster lines with the sample CSV's columns. Codes are drawn as positions
    in one pool; everything about a code (its department) is decided once per code."""
    cpt_pool = cpt_shaped(rng)
    pool = np.concatenate([[""], cpt_pool, p.hcpcs, p.hcpcs_changed, MALFORMED])
    at = np.cumsum([1, len(cpt_pool), len(p.hcpcs), len(p.hcpcs_changed), len(MALFORMED)])
    dept_of = np.concatenate([[DEPT["OTHER SERVICES"]], department_of(pool[1:])])
    kind = rng.choice(6, size=n, p=[0.55, 0.385, 0.04, 0.015, 0.006, 0.004])
    # 0 CPT, 1 HCPCS, 2 both, 3 HCPCS deleted/terminated, 4 blank, 5 malformed
    cpt = np.where(np.isin(kind, (0, 2)), rng.integers(at[0], at[1], n),
                   np.where(kind == 5, rng.integers(at[3], at[4], n), 0))
    hcpcs = np.where(np.isin(kind, (1, 2)), rng.integers(at[1], at[2], n),
                     np.where(kind == 3, rng.integers(at[2], at[3], n), 0))
    dept = dept_of[np.where(cpt > 0, cpt, hcpcs)]
    ids = np.arange(n) + 10_000_001
    ended = rng.random(n) < 0.03
    cents = np.round(rng.lognormal(np.log(30_000), 1.3, n)).astype(np.int64)
    volume = pc.cast(pa.array(rng.integers(0, 6000, n)), pa.string())
    description = join(pick(["", "SYNTH: "], (cpt > 0).astype(int)),
                       pick([d[2] for d in DEPARTMENTS], dept), " ITEM ",
                       pc.cast(pa.array(ids % 1_000_000), pa.string()),
                       pick(SUFFIXES, rng.integers(0, len(SUFFIXES), n)))
    return pa.table({
        "Charge Code": pc.cast(pa.array(ids), pa.string()),
        "Description": description,
        "Rev Code": pick([d[1] for d in DEPARTMENTS], dept),
        "CPT": pick(pool, cpt), "HCPCS": pick(pool, hcpcs),
        "Mod 1": optional(pick(MODIFIERS, rng.integers(0, 8, n)), rng.random(n) < 0.1),
        "Mod 2": optional(pick(MODIFIERS, rng.integers(0, 8, n)), rng.random(n) < 0.02),
        "Price": optional(money(cents), rng.random(n) < 0.98),
        "Department": pick([d[0] for d in DEPARTMENTS], dept),
        "Status": pick(["A", "I"], (ended | (rng.random(n) < 0.02)).astype(int)),
        "Effective Date": pick(DATES, rng.integers(0, len(DATES), n)),
        "End Date": optional(pick(END_DATES, rng.integers(0, len(END_DATES), n)), ended),
        "Annual Volume": optional(volume, rng.random(n) < 0.95),
    })


def crosswalk_table(n: int, p: Pools, rng: np.random.Generator) -> pa.Table:
    """``n`` (procedure, diagnosis) pairs, grouped by procedure; no pair twice except
    where a changed code was dropped in."""
    procedures = np.concatenate([cpt_shaped(rng, 2500), p.hcpcs[:: max(len(p.hcpcs) // 800, 1)]])
    weights = rng.dirichlet(np.full(len(procedures), 0.7))
    counts = np.minimum(rng.multinomial(n, weights), len(p.icd))
    counts[np.argmax(counts)] += n - counts.sum()  # exactly n pairs
    m = len(p.icd)
    starts = rng.integers(0, m, len(procedures))
    strides = rng.integers(1, m, len(procedures))
    strides = np.where(np.gcd(strides, m) == 1, strides, 1)  # a stride coprime to m: distinct
    first = np.repeat(np.cumsum(counts) - counts, counts)
    k = np.arange(n) - first
    dx = (np.repeat(starts, counts) + k * np.repeat(strides, counts)) % m
    dotted = [c if len(c) <= 3 else f"{c[:3]}.{c[3:]}" for c in (*p.icd, *p.icd_changed)]
    swap = rng.random(n) < 0.004  # a share of pairs on codes the new release retires
    dx = np.where(swap, m + rng.integers(0, len(p.icd_changed), n), dx)
    return pa.table({
        "Procedure Code": pick(procedures, np.repeat(np.arange(len(procedures)), counts)),
        "ICD-10-CM": pick(dotted, dx),
    })


def write_csv(table: pa.Table, path: Path) -> None:
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="none",
                                                                   batch_size=1 << 16))


def excel_value(value: str | None) -> int | str | None:
    if not value:
        return None
    return int(value) if value.isdigit() and not value.startswith("0") else value


def write_xlsx(table: pa.Table, path: Path) -> None:
    """The lines as an Excel export: title rows, house names, numbers and dates typed."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet("CDM Export")
    for title in XLSX_TITLES:
        ws.append([title])
    ws.append(list(XLSX_HEADER))
    dates = {d: date(int(d[6:]), int(d[:2]), int(d[3:5])) for d in (*DATES, *END_DATES)}
    cols = {name: table.column(name).to_pylist() for name in CSV_HEADER}
    for i in range(table.num_rows):
        price, volume, end = cols["Price"][i], cols["Annual Volume"][i], cols["End Date"][i]
        ws.append([
            int(cols["Charge Code"][i]), cols["Description"][i], int(cols["Rev Code"][i]),
            excel_value(cols["CPT"][i]), cols["HCPCS"][i] or None,
            excel_value(cols["Mod 1"][i]), excel_value(cols["Mod 2"][i]),
            float(price) if price else None, cols["Department"][i],
            "ACTIVE" if cols["Status"][i] == "A" else "INACTIVE",
            dates[cols["Effective Date"][i]], dates[end] if end else None,
            int(volume) if volume else None,
        ])
    book.save(path)


def main(argv: Sequence[str] = ()) -> None:
    folder = Path(argv[0]) if argv else DEFAULT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    start = time.perf_counter()
    p = pools(rng)
    print(f"codes: {p.origin} ({len(p.hcpcs):,} HCPCS + {len(p.hcpcs_changed):,} retired; "
          f"{len(p.icd):,} ICD-10-CM + {len(p.icd_changed):,} retired) "
          f"in {time.perf_counter() - start:.1f} s")
    steps = (
        (CDM_CSV, lambda: write_csv(cdm_table(CDM_LINES, p, np.random.default_rng(SEED + 1)),
                                    folder / CDM_CSV)),
        (CROSSWALK_CSV, lambda: write_csv(crosswalk_table(
            CROSSWALK_PAIRS, p, np.random.default_rng(SEED + 2)), folder / CROSSWALK_CSV)),
        (CDM_XLSX, lambda: write_xlsx(cdm_table(XLSX_LINES, p, np.random.default_rng(
            SEED + 3)), folder / CDM_XLSX)),
    )
    for name, write in steps:
        t = time.perf_counter()
        write()
        size = (folder / name).stat().st_size
        print(f"{folder / name}: {size / 1e6:,.1f} MB in {time.perf_counter() - t:.1f} s")
    print(f"total {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
