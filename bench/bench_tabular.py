"""Time reading a full-size ICD-10-CM tabular XML: a synthetic file of the real structure
and size (~75,000 billable codes, ~23,000 headers, ~10 MB, 7th characters, notes), written
once into /tmp/updater-bench. No publisher file is needed.

    python bench/bench_tabular.py [--runs N] [--codes N]

Target: the whole read (``load_release``: detection, parse, table and notes) < 3 s.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

FOLDER = Path("/tmp/updater-bench")
SEVEN = {"A": "initial encounter", "D": "subsequent encounter", "S": "sequela"}
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # one synthetic chapter per letter


def _notes(kind: str, texts: list[str], pad: str) -> str:
    inner = "".join(f"{pad}  <note>{t}</note>\n" for t in texts)
    return f"{pad}<{kind}>\n{inner}{pad}</{kind}>\n"


def _diag(name: str, desc: str, pad: str, body: str = "", notes: str = "") -> str:
    return (f"{pad}<diag>\n{pad}  <name>{name}</name>\n{pad}  <desc>{desc}</desc>\n"
            f"{notes}{body}{pad}</diag>\n")


def _category(code: str, n: int, seventh: bool) -> tuple[str, int]:
    """One category, indented as the CDC's file is: plain categories have subcategories
    with billable codes under them; 7th-character ones have leaves that each give three
    codes. Returns the XML and the number of billable codes."""
    pad, sub, leaf = " " * 6, " " * 8, " " * 10
    title = f"Synthetic condition {code} of body region {n % 17}"
    body, codes = "", 0
    for s in range(5):
        sub_code = f"{code}.{s}"
        leaves = ""
        for k in range(1, 4):
            leaves += _diag(f"{sub_code}{k}", f"{title}, site {s}, laterality {k}", leaf,
                            notes=_notes("inclusionTerm", [f"Synthetic synonym {code}{s}{k}"],
                                         leaf + "  ") if k == 1 else "")
            codes += len(SEVEN) if seventh else 1
        body += _diag(sub_code, f"{title}, site {s}", sub, leaves, notes=_notes(
            "excludes2", [f"synthetic condition elsewhere ({code}.{(s + 1) % 5}-)"],
            sub + "  ") if s == 0 else "")
    notes = _notes("excludes1", [f"synthetic exclusion of {code} ({chr(65 + n % 26)}99.-)",
                                 "synthetic congenital form (Q89.-)"], pad + "  ")
    notes += _notes("codeFirst", [f"underlying synthetic disease ({code[0]}00-{code[0]}09)"],
                    pad + "  ") if n % 3 == 0 else ""
    if seventh:
        notes += _notes("sevenChrNote", [f"The appropriate 7th character is to be added to "
                                         f"each code from category {code}"], pad + "  ")
        notes += (f"{pad}  <sevenChrDef>\n" + "".join(
            f'{pad}    <extension char="{c}">{t}</extension>\n' for c, t in SEVEN.items())
            + f"{pad}  </sevenChrDef>\n")
    return _diag(code, title, pad, body, notes), codes


def write_tabular(path: Path, target_codes: int) -> int:
    """A synthetic tabular XML with about ``target_codes`` billable codes (one chapter per
    letter, ten sections of ten categories each); returns how many it has."""
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<ICD10CM.tabular>\n'
             "  <version>2030</version>\n"]
    codes = 0
    for chapter, letter in enumerate(LETTERS, 1):
        if codes >= target_codes:
            break
        parts.append(f"  <chapter>\n    <name>{chapter}</name>\n    <desc>Synthetic chapter "
                     f"{chapter} ({letter}00-{letter}99)</desc>\n")
        parts.append(_notes("excludes2", ["synthetic conditions of pregnancy (O00-O9A)"],
                            "    "))
        for block in range(10):
            first, last = f"{letter}{block}0", f"{letter}{block}9"
            parts.append(f'    <section id="{first}-{last}">\n      <desc>Synthetic '
                         f"block ({first}-{last})</desc>\n")
            for c in range(10):
                if codes >= target_codes:
                    break
                xml, n = _category(f"{letter}{block}{c}", block * 10 + c, (block + c) % 2 == 0)
                parts.append(xml)
                codes += n
            parts.append("    </section>\n")
        parts.append("  </chapter>\n")
    parts.append("</ICD10CM.tabular>\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(parts), encoding="utf-8")
    return codes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--codes", type=int, default=75_000)
    args = parser.parse_args()
    from updater.releases.readers import load_release

    path = FOLDER / f"icd10cm_tabular_2030-{args.codes}.xml"
    if not path.exists():
        write_tabular(path, args.codes)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        release = load_release(path)[0]
        times.append(time.perf_counter() - start)
    counts = release.table["record"].value_counts()
    notes = 0 if release.notes is None else len(release.notes)
    best = min(times)
    print(f"{path} ({path.stat().st_size / 1e6:.1f} MB): {counts.get('code', 0):,} codes, "
          f"{counts.get('header', 0):,} headers, {notes:,} notes")
    print(f"{'tabular XML read (best of ' + str(args.runs) + ')':44} {best:7.3f} s   "
          f"(target < 3.00 s)  {'ok' if best < 3 else 'SLOW'}")
    return 0 if best < 3 else 1


if __name__ == "__main__":
    raise SystemExit(main())
