"""Write a large, deterministic, synthetic claims extract for bench/bench_claims.py.

Usage: python bench/gen_claims.py [--lines 50000000] [--dir /tmp/updater-claims/parts]

The extract is a folder of Parquet files of 1,000,000 claim lines each (``part-00000.parquet``
...), as a data warehouse exports it, so the benchmark reads the first 1, 5, 10, 25 or 50 of
them for its scaling runs. Written one part at a time: memory stays near one part.

Columns: ``claim_id``, ``line_number``, ``service_date`` (date), ``procedure_code``,
``modifier_1``, ``modifier_2``, ``dx_1`` .. ``dx_4`` (claim-level diagnoses, the 837's
without dots; one facility exports them with dots), ``line_charge`` (float), ``payer``,
``facility``, ``department``. A claim has 1 to 12 lines sharing its facility, payer,
diagnoses and (mostly) date of service; codes are drawn with a heavy head (a few codes
make most lines), as real claims are.

Codes: 72% of the lines bill a synthetic CPT-shaped number (code numbers only, no CPT
text), the others an HCPCS code in force in 2019, except 5% of those (1.4% of all lines)
that bill one HCPCS 2019 deleted or terminated; diagnoses are ICD-10-CM FY2025 billable
codes, except 0.6% per diagnosis column drawn from the FY2024 codes FY2025 deleted or
expanded and 0.05% headers. About 3% of the lines carry an at-risk code. Every value is
drawn by numpy from a fixed seed, so the files are the same every run. Without
../shared/data the codes are synthetic shapes (bench/gen_large.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import gen_large as gl
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

SHARED = gl.SHARED
ICD_OLD, ICD_NEW = gl.ICD_OLD, gl.ICD_NEW  # FY2024, FY2025
HCPCS_OLD = SHARED / "hcpcs/2018/2018-Alpha-Numeric-HCPCS-File.zip"
HCPCS_NEW = SHARED / "hcpcs/2019/2019-Alpha-Numeric-HCPCS-File.zip"
HCPCS_EFFECTIVE = "2019-01-01"
DEFAULT_FOLDER = Path("/tmp/updater-claims/parts")
PART_LINES = 1_000_000
ROW_GROUP = 250_000  # DuckDB and Spark read row groups in parallel
SEED = 20261001

FACILITIES = ("MAIN CAMPUS HOSPITAL", "NORTH COMMUNITY HOSPITAL", "SOUTH MEDICAL CENTER",
              "EAST SURGERY CENTER", "WEST CHILDRENS HOSPITAL", "RIVER CLINIC NETWORK",
              "LAKESIDE IMAGING", "HILLTOP REHAB")
FACILITY_SHARE = (0.30, 0.16, 0.14, 0.08, 0.10, 0.12, 0.05, 0.05)
DOTTED_FACILITY = 5  # this facility's system exports ICD-10-CM codes with the dot
PAYERS = ("MEDICARE", "MEDICARE ADVANTAGE", "MEDICAID", "MEDICAID MANAGED CARE", "BCBS",
          "AETNA", "CIGNA", "UNITEDHEALTHCARE", "HUMANA", "TRICARE", "WORKERS COMP",
          "SELF PAY")
PAYER_SHARE = (0.24, 0.12, 0.10, 0.08, 0.14, 0.08, 0.06, 0.09, 0.04, 0.02, 0.01, 0.02)
FIRST_DAY = np.datetime64("2024-01-01")
DAYS = 366  # calendar 2024: the ICD-10-CM FY2025 effective date (Oct 1) falls inside


@dataclass
class Codes:
    """What the lines draw from, each pool in a fixed order (its head is drawn most)."""

    cpt: np.ndarray  # CPT-shaped code numbers (synthetic)
    hcpcs: np.ndarray  # HCPCS codes in force in 2019
    procedures_retired: np.ndarray  # HCPCS deleted or terminated by 2019
    dx: np.ndarray  # FY2025 billable
    dx_retired: np.ndarray  # FY2024 billable, deleted or expanded in FY2025
    dx_headers: np.ndarray  # FY2025 headers (not billable)
    origin: str

    @property
    def dx_pool(self) -> np.ndarray:
        return np.concatenate([self.dx, self.dx_retired, self.dx_headers])


def real_codes(rng: np.random.Generator) -> Codes:
    from updater.releases.readers import load_release

    def table(path: Path):  # type: ignore[no-untyped-def]
        return load_release(path)[0].table

    h18, h19 = table(HCPCS_OLD), table(HCPCS_NEW)
    codes19 = h19[h19["record"] == "code"]
    term = codes19["termination_date"]
    active = codes19.loc[(term == "") | (term > HCPCS_EFFECTIVE), "code"].to_numpy(str)
    ended = codes19.loc[(term != "") & (term <= HCPCS_EFFECTIVE), "code"]
    in_force_2018 = h18.loc[(h18["record"] == "code") & ((h18["termination_date"] == "")
                            | (h18["termination_date"] > "2018-01-01")), "code"]
    gone = set(h18.loc[h18["record"] == "code", "code"]) - set(h19["code"])
    retired = sorted(gone | set(ended[ended.isin(in_force_2018)]))
    i24, i25 = table(ICD_OLD), table(ICD_NEW)
    billable24 = set(i24.loc[i24["record"] == "code", "code"])
    billable25 = i25.loc[i25["record"] == "code", "code"].to_numpy(str)
    headers25 = i25.loc[i25["record"] == "header", "code"].to_numpy(str)
    return Codes(cpt=gl.cpt_shaped(rng), hcpcs=active,
                 procedures_retired=np.array(retired),
                 dx=billable25, dx_retired=np.array(sorted(billable24 - set(billable25))),
                 dx_headers=headers25, origin=f"real code lists from {SHARED}")


def synthetic_codes(rng: np.random.Generator) -> Codes:
    p = gl.synthetic_pools(rng)
    return Codes(cpt=gl.cpt_shaped(rng), hcpcs=p.hcpcs,
                 procedures_retired=p.hcpcs_changed, dx=p.icd, dx_retired=p.icd_changed,
                 dx_headers=np.unique(np.char.ljust(p.icd, 3).astype("U3")), origin=p.origin)


def load_codes(rng: np.random.Generator) -> Codes:
    present = all(p.exists() for p in (ICD_OLD, ICD_NEW, HCPCS_OLD, HCPCS_NEW))
    codes = real_codes(rng) if present else synthetic_codes(rng)
    for pool in ("cpt", "hcpcs", "dx"):  # a fixed random order: which codes are common
        values = getattr(codes, pool)
        setattr(codes, pool, values[rng.permutation(len(values))])
    return codes


def dotted(codes: np.ndarray) -> np.ndarray:
    """ICD-10-CM codes as people write them, with the dot after the third character."""
    long = np.char.str_len(codes) > 3
    return np.where(long, np.char.add(np.char.add(codes.astype("U3"), "."),
                                      np.array([c[3:] for c in codes])), codes)


def heavy_head(rng: np.random.Generator, size: int, n: int, exponent: float = 1.1
               ) -> np.ndarray:
    """``n`` positions in ``range(size)``, position k drawn with weight 1 / (k + 10)^e."""
    weights = 1.0 / (np.arange(size) + 10.0) ** exponent
    cdf = np.cumsum(weights)
    return np.minimum(np.searchsorted(cdf, rng.random(n) * cdf[-1]), size - 1)


def retired_or(rng: np.random.Generator, valid: np.ndarray, retired: np.ndarray,
               share: float, n: int) -> np.ndarray:
    """Codes (as positions in ``[*valid, *retired]``): a ``share`` of them retired."""
    picks = heavy_head(rng, len(valid), n)
    swap = rng.random(n) < share
    return np.where(swap, len(valid) + rng.integers(0, len(retired), n), picks)


def part_table(codes: Codes, dx_pools: tuple[np.ndarray, np.ndarray], first_claim: int, n: int,
               rng: np.random.Generator) -> tuple[pa.Table, int]:
    """``n`` claim lines, claims numbered from ``first_claim``; the next claim number."""
    sizes = np.minimum(rng.geometric(0.3, n), 12)
    ends = np.cumsum(sizes)
    claims = int(np.searchsorted(ends, n) + 1)
    sizes = sizes[:claims]
    sizes[-1] -= int(ends[claims - 1] - n)  # exactly n lines
    claim = np.repeat(np.arange(claims), sizes)
    line = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes) + 1

    facility = rng.choice(len(FACILITIES), claims, p=FACILITY_SHARE)[claim]
    payer = rng.choice(len(PAYERS), claims, p=PAYER_SHARE)[claim]
    day = rng.integers(0, DAYS, claims)[claim] + (rng.random(n) < 0.05) * rng.integers(0, 3, n)
    service_date = (FIRST_DAY + np.minimum(day, DAYS - 1).astype("timedelta64[D]"))

    proc_pool = np.concatenate([codes.cpt, codes.hcpcs, codes.procedures_retired])
    proc = np.where(rng.random(n) < 0.72, heavy_head(rng, len(codes.cpt), n),
                    len(codes.cpt) + retired_or(rng, codes.hcpcs, codes.procedures_retired,
                                                0.05, n))
    dept = gl.department_of(proc_pool)[proc]
    dx_pool, dotted_pool = dx_pools
    header_at = len(codes.dx) + len(codes.dx_retired)
    with_dots = facility == DOTTED_FACILITY
    columns: dict[str, pa.Array] = {}
    for slot, present in enumerate((1.0, 0.75, 0.5, 0.3), start=1):
        dx = retired_or(rng, codes.dx, codes.dx_retired, 0.006, claims)
        header = rng.random(claims) < 0.0005
        dx = np.where(header, header_at + rng.integers(0, len(codes.dx_headers), claims), dx)
        values = pc.if_else(pa.array(with_dots), gl.pick(dotted_pool, dx[claim]),
                            gl.pick(dx_pool, dx[claim]))
        columns[f"dx_{slot}"] = gl.optional(values, (rng.random(claims) < present)[claim])
    cents = np.round(rng.lognormal(np.log(18_000), 1.2, n))
    table = pa.table({
        "claim_id": pc.binary_join_element_wise(
            "CLM", pc.utf8_lpad(pc.cast(pa.array(first_claim + claim), pa.string()), 10, "0"),
            ""),
        "line_number": pa.array(line.astype(np.int16)),
        "service_date": pa.array(service_date, pa.date32()),
        "procedure_code": gl.pick(proc_pool, proc),
        "modifier_1": gl.optional(gl.pick(gl.MODIFIERS, rng.integers(0, 8, n)),
                                  rng.random(n) < 0.15),
        "modifier_2": gl.optional(gl.pick(gl.MODIFIERS, rng.integers(0, 8, n)),
                                  rng.random(n) < 0.03),
        **columns,
        "line_charge": pa.array(cents / 100.0),
        "payer": gl.pick(PAYERS, payer),
        "facility": gl.pick(FACILITIES, facility),
        "department": gl.pick([d[0] for d in gl.DEPARTMENTS], dept),
    })
    return table, first_claim + claims


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=50_000_000)
    parser.add_argument("--dir", type=Path, default=DEFAULT_FOLDER)
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    start = time.perf_counter()
    codes = load_codes(rng)
    print(f"codes: {codes.origin} ({len(codes.cpt):,} CPT-shaped, {len(codes.hcpcs):,} HCPCS + "
          f"{len(codes.procedures_retired):,} retired; {len(codes.dx):,} diagnoses + "
          f"{len(codes.dx_retired):,} retired) in {time.perf_counter() - start:.1f} s",
          flush=True)
    pools = (codes.dx_pool, dotted(codes.dx_pool))
    claim, done, part = 1, 0, 0
    while done < args.lines:
        n = min(PART_LINES, args.lines - done)
        path = args.dir / f"part-{part:05d}.parquet"
        table, claim = part_table(codes, pools, claim, n, np.random.default_rng(SEED + 1 + part))
        tmp = path.with_suffix(".tmp")
        pq.write_table(table, tmp, row_group_size=ROW_GROUP, compression="snappy")
        tmp.replace(path)
        done, part = done + n, part + 1
        if part % 5 == 0 or done == args.lines:
            print(f"{done:,} lines in {part} parts, {time.perf_counter() - start:.0f} s",
                  flush=True)
    print(f"{args.dir}: {sum(p.stat().st_size for p in args.dir.glob('*.parquet')) / 1e9:.2f}"
          f" GB")


if __name__ == "__main__":
    main(sys.argv[1:])
