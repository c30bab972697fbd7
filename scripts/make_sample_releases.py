"""Write the synthetic sample releases under ``releases/sample/`` (deterministic).

The files copy the publishers' layouts byte for byte (fixed widths, CRLF, zip member
names, summary blocks) so that the real readers run on them; their content is made up:
a few hundred ICD-10-CM codes with invented titles, a few dozen HCPCS Level II codes with
invented descriptions, and CPT codes whose descriptors all say SYNTHETIC (real CPT text
is AMA copyright). Each pair of releases carries every kind of change the tools must
see; the change lists (ICD-10-CM order addenda) are computed from the two releases, so
they agree with them exactly.

Run from the repository root: ``python scripts/make_sample_releases.py``.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "releases" / "sample"
ZIP_TIME = (2025, 1, 1, 0, 0, 0)  # every zip member's timestamp: the output is reproducible
CRLF = "\r\n"


def write_zip(path: Path, members: Sequence[tuple[str, bytes]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    path.write_bytes(buffer.getvalue())


def crlf_text(lines: Iterable[str]) -> bytes:
    """Lines as the publishers ship them: CRLF after every line, the last one included."""
    return "".join(line + CRLF for line in lines).encode("ascii")


# --------------------------------------------------------------------------------------
# ICD-10-CM: order file, codes file, order addenda, codes addenda (CDC layouts)
# --------------------------------------------------------------------------------------

ABBREVIATIONS = (
    ("without", "w/o"), ("with", "w"), ("unspecified", "unsp"), ("other", "oth"),
    ("specified", "spec"), ("right", "r"), ("left", "l"), ("bilateral", "bi"),
    ("encounter", "enctr"), ("subsequent", "subs"), ("initial", "init"),
    ("condition", "cond"), ("disorder", "disord"), ("fracture", "fx"),
    ("history", "hx"), ("routine", "rout"), ("healing", "heal"), ("secondary", "second"),
)


def short_title(long: str) -> str:
    """The short title the CDC would give: the long one if it fits 60, else abbreviated."""
    if len(long) <= 60:
        return long
    short = long
    for word, abbreviation in ABBREVIATIONS:
        short = re.sub(rf"\b{word}\b", abbreviation, short)
    return short[:60].rstrip(" ,")


@dataclass(frozen=True)
class Node:
    """One line of the order file; billable unless a longer code extends it."""

    code: str
    long: str
    short: str = ""

    def titles(self) -> tuple[str, str]:
        return (self.short or short_title(self.long)), self.long


# Categories: code, title, pattern of children. B: 4-character billable children;
# C: 4-character headers with laterality children; D: injury codes with 7th characters.
QUALIFIERS_B = {"0": "acute", "1": "chronic", "2": "recurrent", "8": "other specified type",
                "9": "unspecified"}
QUALIFIERS_C = {"0": "primary", "1": "secondary", "2": "post-procedural"}
SIDES = {"1": "right side", "2": "left side", "3": "bilateral", "9": "unspecified side"}
ENCOUNTERS = {"A": "initial encounter for closed fracture",
              "D": "subsequent encounter for fracture with routine healing",
              "S": "sequela"}
CATEGORIES = (
    ("A08", "Viral intestinal infection", "B"),
    ("A09", "Infectious gastroenteritis and colitis, unspecified", "A"),
    ("B34", "Viral infection of unspecified site", "B"),
    ("C18", "Malignant growth of large bowel", "B"),
    ("D50", "Iron deficiency anemia", "B"),
    ("E03", "Other hypothyroid state", "B"),
    ("E78", "Disorder of lipid metabolism", "B"),
    ("F32", "Depressive episode", "B"),
    ("F41", "Other anxiety state", "B"),
    ("G43", "Migraine-type headache", "C"),
    ("G47", "Sleep disturbance", "B"),
    ("H40", "Glaucoma-type condition of the eye", "C"),
    ("I10", "Essential (primary) high blood pressure", "A"),
    ("I25", "Chronic ischemic heart condition", "B"),
    ("I48", "Atrial rhythm disorder", "B"),
    ("J06", "Acute upper respiratory infection of multiple sites", "B"),
    ("J44", "Other chronic obstructive airway condition", "B"),
    ("J45", "Asthma-type airway condition", "B"),
    ("K21", "Reflux disease of the esophagus", "B"),
    ("K57", "Diverticular condition of the intestine", "B"),
    ("L03", "Cellulitis and acute lymphangitis of skin", "C"),
    ("M17", "Osteoarthritis of knee", "C"),
    ("M25", "Other joint disorder, not elsewhere classified", "C"),
    ("M54", "Back pain condition", "B"),
    ("N18", "Chronic kidney condition", "B"),
    ("N39", "Other disorder of the urinary system", "B"),
    ("R10", "Abdominal and pelvic pain", "B"),
    ("R51", "Headache symptom", "B"),
    ("S72", "Fracture of femur", "D"),
    ("S82", "Fracture of lower leg, including ankle", "D"),
    ("Z00", "General examination without complaint or reported diagnosis", "B"),
    ("Z79", "Long term (current) drug therapy", "B"),
)


def category_nodes(code: str, title: str, pattern: str) -> list[Node]:
    nodes = [Node(code, title)]
    if pattern == "B":
        nodes += [Node(code + d, f"{title}, {q}") for d, q in QUALIFIERS_B.items()]
    elif pattern == "C":
        for d, q in QUALIFIERS_C.items():
            nodes.append(Node(code + d, f"{title}, {q}"))
            nodes += [Node(code + d + s, f"{title}, {q}, {side}") for s, side in SIDES.items()]
    elif pattern == "D":
        for d, part in (("0", "neck"), ("1", "shaft")):
            nodes.append(Node(code + d, f"{title}, {part}"))
            nodes.append(Node(code + d + "0", f"{title}, {part}, displaced"))
            for s, side in (("1", "right"), ("2", "left")):
                six = code + d + "0" + s
                nodes.append(Node(six, f"Displaced {title.lower()}, {part}, {side} leg"))
                nodes += [Node(six + e, f"Displaced {title.lower()}, {part}, {side} leg, {enc}")
                          for e, enc in ENCOUNTERS.items()]
    return nodes


def handmade_nodes() -> list[Node]:
    """Deeper structures the changes below need (diabetes-like E11, history Z86)."""
    return [
        Node("E11", "Type 2 diabetic state"),
        Node("E110", "Type 2 diabetic state with hyperosmolarity"),
        Node("E1100", "Type 2 diabetic state with hyperosmolarity without coma"),
        Node("E1101", "Type 2 diabetic state with hyperosmolarity with coma"),
        Node("E116", "Type 2 diabetic state with other specified complications"),
        Node("E1161", "Type 2 diabetic state with joint complication"),
        Node("E11610", "Type 2 diabetic state with neuropathic joint complication"),
        Node("E11618", "Type 2 diabetic state with other joint complication"),
        Node("E1165", "Type 2 diabetic state with high blood sugar"),
        Node("E1169", "Type 2 diabetic state with other specified complication"),
        Node("E118", "Type 2 diabetic state with unspecified complications"),
        Node("E119", "Type 2 diabetic state without complications"),
        Node("T78", "Adverse effects, not elsewhere classified"),
        Node("T784", "Other and unspecified allergy"),
        Node("T7840", "Allergy, unspecified"),
        Node("T7840XA", "Allergy, unspecified, initial encounter"),
        Node("T7840XD", "Allergy, unspecified, subsequent encounter"),
        Node("T7840XS", "Allergy, unspecified, sequela"),
        Node("Z86", "Personal history of certain other conditions"),
        Node("Z860", "Personal history of in-situ growths and benign growths"),
        Node("Z8601", "Personal history of benign growths"),
        Node("Z86010", "Personal history of bowel polyps"),
        Node("Z86018", "Personal history of other benign growth"),
        Node("Z8603", "Personal history of growth of uncertain behavior"),
    ]


def icd_fy2025() -> dict[str, Node]:
    nodes = [n for c in CATEGORIES for n in category_nodes(*c)] + handmade_nodes()
    return {n.code: n for n in nodes}


def icd_fy2026(old: dict[str, Node]) -> dict[str, Node]:
    """FY2025 with one or more of every kind of change the CDC publishes."""
    new = dict(old)
    for code in ("A082", "K578", "M548"):  # deleted billable codes
        del new[code]
    for node in (  # added billable codes under existing headers
        Node("E783", "Disorder of lipid metabolism, familial type"),
        Node("F323", "Depressive episode, seasonal pattern"),
        Node("H4014", "Glaucoma-type condition of the eye, secondary, unilateral"),
        Node("Z795", "Long term (current) drug therapy, with periodic monitoring"),
        # a new category (header) with its codes, and a new subcategory header
        Node("U09", "Condition following a viral illness"),
        Node("U091", "Condition following a viral illness, fatigue predominant"),
        Node("U099", "Condition following a viral illness, unspecified"),
        Node("J455", "Asthma-type airway condition, severe persistent"),
        Node("J4550", "Asthma-type airway condition, severe persistent, uncomplicated"),
        Node("J4551", "Asthma-type airway condition, severe persistent, with acute flare"),
        Node("J4552", "Asthma-type airway condition, severe persistent, with status episode"),
        # a billable code becomes a header over new billable children (expansion) ...
        Node("E11650", "Type 2 diabetic state with high blood sugar, fasting"),
        Node("E11651", "Type 2 diabetic state with high blood sugar, after meals"),
        Node("E11659", "Type 2 diabetic state with high blood sugar, unspecified"),
        # ... once more, the header taking a new title as it does
        Node("Z86010", "Personal history of colon polyp"),
        Node("Z860100", "Personal history of colon polyp, unspecified type"),
        Node("Z860101", "Personal history of adenomatous colon polyp"),
        Node("Z860109", "Personal history of other colon polyp"),
    ):
        new[node.code] = node
    # revisions of both titles
    new["I10"] = Node("I10", "Essential (primary) hypertensive state")
    new["N181"] = Node("N181", "Chronic kidney condition, stage 1")
    # the short title only: the CDC abbreviates differently, the long title stays
    new["E039"] = Node("E039", old["E039"].long, "Hypothyroid state, unsp")
    # the long title only (past column 60 of the short one, which stays as it was)
    s72 = old["S72001D"]
    new["S72001D"] = Node("S72001D", s72.long.replace("routine healing", "routine bone healing"),
                          s72.titles()[0])
    # whitespace only: not a revision, the CDC neither lists nor counts it
    new["F411"] = Node("F411", old["F411"].long.replace(", ", ",  "),
                       old["F411"].titles()[0].replace(", ", ",  "))
    # a header revision
    new["K57"] = Node("K57", "Diverticular disease of the intestine")
    return new


def icd_fy2026_april(old: dict[str, Node]) -> dict[str, Node]:
    """The April update: a few additions only, one of them under a new header."""
    new = dict(old)
    for node in (
        Node("U092", "Condition following a viral illness, breathing predominant"),
        Node("E784", "Disorder of lipid metabolism, acquired type"),
        Node("F32A", "Depressive episode, specified by course"),
        Node("F32A1", "Depressive episode, specified by course, single"),
        Node("F32A9", "Depressive episode, specified by course, unspecified"),
    ):
        new[node.code] = node
    return new


@dataclass(frozen=True)
class Row:
    code: str
    billable: bool
    short: str
    long: str


def order_rows(nodes: dict[str, Node]) -> list[Row]:
    """The release in the order file's order; a code with a longer code under it is a
    header."""
    codes = sorted(nodes)
    parents = {c[:n] for c in codes for n in range(3, len(c))}
    return [Row(c, c not in parents, *nodes[c].titles()) for c in codes]


def order_file(rows: list[Row]) -> bytes:
    return crlf_text(f"{i:05d} {r.code:<7} {int(r.billable)} {r.short:<60} {r.long}"
                     for i, r in enumerate(rows, 1))


def codes_file(rows: list[Row]) -> bytes:
    return crlf_text(f"{r.code:<7} {r.long}" for r in rows if r.billable)


def squeezed(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Entry:
    action: str  # "Add:", "Delete:", "Revise from:", "Revise to:"
    row: Row

    def order_line(self) -> str:
        r = self.row
        return f"{self.action:<13}{int(r.billable)} {r.code:<7} {r.short:<60} {r.long}"

    def codes_line(self) -> str:
        return f"{self.action:<13}{self.row.code:<7} {self.row.long}"


@dataclass(frozen=True)
class Changes:
    """What the CDC's addenda list for one release pair, and the summary's counts."""

    entries: list[Entry]
    counts: dict[str, dict[str, int]]  # headers / codes -> in_old, in_new, additions, ...


def icd_changes(old: list[Row], new: list[Row]) -> Changes:
    """The addenda of ``new`` against ``old``: a code whose flag changed is deleted and
    added; a title change counts only when it is more than whitespace."""
    before, after = {r.code: r for r in old}, {r.code: r for r in new}
    entries: list[tuple[str, int, Entry]] = []
    kinds = ("headers", "codes")
    counts = {k: dict.fromkeys(("additions", "deletions", "revisions", "both", "long",
                                "short"), 0) for k in kinds}
    for code in sorted(set(before) | set(after)):
        was, now = before.get(code), after.get(code)
        if was and (not now or now.billable != was.billable):
            entries.append((code, 0, Entry("Delete:", was)))
            counts[kinds[was.billable]]["deletions"] += 1
        if now and (not was or now.billable != was.billable):
            entries.append((code, 1, Entry("Add:", now)))
            counts[kinds[now.billable]]["additions"] += 1
        if was and now and was.billable == now.billable:
            long_changed = squeezed(was.long) != squeezed(now.long)
            short_changed = squeezed(was.short) != squeezed(now.short)
            if long_changed or short_changed:
                entries += [(code, 2, Entry("Revise from:", was)),
                            (code, 3, Entry("Revise to:", now))]
                count = counts[kinds[now.billable]]
                count["revisions"] += 1
                count["both" if long_changed and short_changed
                      else "long" if long_changed else "short"] += 1
    for kind, rows in (("headers", (old, new)),):
        counts[kind]["in_old"], counts[kind]["in_new"] = (
            sum(not r.billable for r in rows[0]), sum(not r.billable for r in rows[1]))
    counts["codes"]["in_old"] = sum(r.billable for r in old)
    counts["codes"]["in_new"] = sum(r.billable for r in new)
    return Changes([e for _, _, e in sorted(entries, key=lambda t: (t[0], t[1]))], counts)


def summary_lines(kind: str, count: dict[str, int], old_name: str, new_name: str) -> list[str]:
    noun = kind.lower()
    return [
        kind,
        f"{count['in_old']:7d} {noun} in {old_name}",
        f"{count['in_new']:7d} {noun} in {new_name}",
        f"{count['additions']:7d} additions",
        f"{count['deletions']:7d} deletions",
        f"{count['revisions']:7d} revisions",
        "of which",
        f"{count['both']:7d} revisions to both long and short titles",
        f"{count['long']:7d} revisions to long title only",
        f"{count['short']:7d} revisions to short title only",
    ]


def order_addenda(changes: Changes, old_name: str, new_name: str) -> bytes:
    lines = [e.order_line() for e in changes.entries]
    lines += ["", *summary_lines("Headers", changes.counts["headers"], old_name, new_name)]
    lines += ["", *summary_lines("Codes", changes.counts["codes"], old_name, new_name)]
    return crlf_text(lines)


def codes_addenda(changes: Changes, old_name: str, new_name: str) -> bytes:
    """The codes file's own change list: billable codes, long titles only."""
    billable = [e for e in changes.entries if e.row.billable]
    revised_from = {e.row.code: e.row for e in billable if e.action == "Revise from:"}
    long_revised = {e.row.code for e in billable if e.action == "Revise to:"
                    and squeezed(e.row.long) != squeezed(revised_from[e.row.code].long)}
    kept = [e for e in billable if e.action in ("Add:", "Delete:")
            or e.row.code in long_revised]
    count = changes.counts["codes"]
    lines = [e.codes_line() for e in kept]
    lines += ["", "Codes", f"{count['in_old']:7d} codes in {old_name}",
              f"{count['in_new']:7d} codes in {new_name}",
              f"{count['additions']:7d} additions", f"{count['deletions']:7d} deletions",
              f"{sum(e.action == 'Revise from:' for e in kept):7d} revisions"]
    return crlf_text(lines)


def write_icd() -> dict[str, Changes]:
    fy2025 = icd_fy2025()
    fy2026 = icd_fy2026(fy2025)
    april = icd_fy2026_april(fy2026)
    rows25, rows26, rows_april = order_rows(fy2025), order_rows(fy2026), order_rows(april)
    folder = ROOT / "icd10cm"
    write_zip(folder / "FY2025" / "icd10cm-Code-Descriptions-2025.zip", [
        ("icd10cm-codes-2025.txt", codes_file(rows25)),
        ("icd10cm-order-2025.txt", order_file(rows25)),
    ])
    changes = icd_changes(rows25, rows26)
    names = ("icd10cm_order_2025.txt", "icd10cm_order_2026.txt")
    write_zip(folder / "FY2026" / "icd10cm-Code-Descriptions-2026.zip", [
        ("icd10cm-codes-2026.txt", codes_file(rows26)),
        ("icd10cm-codes-addenda-2026.txt", codes_addenda(changes, *names)),
        ("icd10cm-order-2026.txt", order_file(rows26)),
        ("icd10cm-order-addenda-2026.txt", order_addenda(changes, *names)),
    ])
    april_changes = icd_changes(rows26, rows_april)
    # the CDC's April summaries name the October file twice
    april_names = ("icd10cm_order_2026.txt", "icd10cm_order_2026.txt")
    write_zip(folder / "FY2026-April" / "icd10cm-Codes-Descriptions-April-2026.zip", [
        ("icd10cm-codes-April-2026.txt", codes_file(rows_april)),
        ("icd10cm-codes-addenda-April-2026.txt", codes_addenda(april_changes, *april_names)),
        ("icd10cm-order-April-2026.txt", order_file(rows_april)),
        ("icd10cm-order-addenda-April-2026.txt", order_addenda(april_changes, *april_names)),
    ])
    return {"FY2025 -> FY2026": changes, "FY2026 -> FY2026-April": april_changes}


# --------------------------------------------------------------------------------------
# HCPCS Level II: the CMS alpha-numeric file, fixed width 320 (and its xlsx twin)
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hcpcs:
    """One procedure or modifier of the CMS file, with the fields the sample uses."""

    code: str  # 5 characters, or 2 for a modifier
    long: str
    short: str
    price: str = "00"  # pricing indicator 1
    mult_pi: str = "9"
    coverage: str = "C"
    betos: str = ""
    tos: str = ""
    add_date: str = "19900101"
    action_date: str = "20050101"
    term_date: str = ""
    action: str = "N"
    xref: str = ""
    statute: str = ""

    @property
    def modifier(self) -> bool:
        return len(self.code) == 2


_HCPCS_2025 = (
    Hcpcs("A0425", "Ground ambulance mileage, per statute mile", "Ground mileage", "46", "A",
          "C", "O1A", "D"),
    Hcpcs("A0428", "Ambulance service, basic life support, non-emergency transport",
          "BLS non-emergency transport", "46", "A", "C", "O1A", "D"),
    Hcpcs("A4206", "Syringe with needle, sterile, one cc or smaller, each",
          "Sterile syringe 1cc or less", "00", "9", "I", "D1A", "S"),
    Hcpcs("A4253", "Blood glucose test or reagent strips for home glucose monitor, per 50 "
          "strips", "Glucose test strips per 50", "34", "A", "C", "D1A", "P"),
    Hcpcs("A4550", "Surgical trays", "Surgical trays", "00", "9", "I", "D1A", "S"),
    Hcpcs("A6216", "Gauze, non-impregnated, non-sterile, pad size 16 sq. in. or less, "
          "without adhesive border, each dressing", "Non-sterile gauze<=16 sq in", "35",
          "A", "C", "D1A", "S"),
    Hcpcs("A9270", "Non-covered item or service", "Non-covered item or service", "00",
          "9", "S", "Z2", "9"),
    Hcpcs("B4035", "Enteral feeding supply kit; pump fed, per day, includes but not "
          "limited to feeding and flushing syringes, administration sets", "Enteral "
          "pump supply kit", "39", "A", "D", "D1F", "P"),
    Hcpcs("C1713", "Anchor or screw for opposing bone-to-bone or soft tissue-to-bone "
          "(implantable)", "Anchor/screw bn/bn,tis/bn", "00", "9", "C", "D1A", "F"),
    Hcpcs("C1769", "Guide wire", "Guide wire", "00", "9", "C", "D1A", "F"),
    Hcpcs("E0110", "Crutches, forearm, includes crutches of various materials, adjustable "
          "or fixed, pair, complete with tips and handgrips", "Crutch forearm pair",
          "32", "A", "C", "D1B", "R"),
    Hcpcs("E0601", "Continuous positive airway pressure device", "Cont airway pressure "
          "device", "36", "A", "C", "D1C", "R"),
    Hcpcs("E1390", "Oxygen concentrator, single delivery port, capable of delivering 85 "
          "percent or greater oxygen concentration at the prescribed flow rate",
          "Oxygen concentrator", "33", "A", "D", "D1C", "R"),
    Hcpcs("G0008", "Administration of influenza virus vaccine", "Flu vaccine administration",
          "11", "A", "C", "O1G", "1"),
    Hcpcs("G0009", "Administration of pneumococcal vaccine", "Admin pneumococcal vaccine",
          "11", "A", "C", "O1G", "1"),
    Hcpcs("G0101", "Cervical or vaginal cancer screening; pelvic and clinical breast "
          "examination", "CA screen;pelvic/breast exam", "11", "A", "D", "P6C", "1"),
    Hcpcs("G0283", "Electrical stimulation (unattended), to one or more areas for "
          "indication(s) other than wound care", "Elec stim other than wound", "11", "A",
          "C", "P5B", "1"),
    Hcpcs("G0463", "Hospital outpatient clinic visit for assessment and management of a "
          "patient", "Hospital outpt clinic visit", "00", "9", "C", "M1B", "1"),
    Hcpcs("G2211", "Visit complexity inherent to evaluation and management associated "
          "with medical care services", "Complex e/m visit add on", "11", "A", "C", "M1B",
          "1", add_date="20250101", action_date="20250101", action="A"),
    Hcpcs("J0129", "Injection, abatacept, 10 mg", "Abatacept injection", "51", "A", "D",
          "O1E", "1"),
    Hcpcs("J0696", "Injection, ceftriaxone sodium, per 250 mg", "Ceftriaxone sodium "
          "injection", "51", "A", "C", "O1E", "1"),
    Hcpcs("J1030", "Injection, methylprednisolone acetate, 40 mg", "Methylprednisolone 40 "
          "mg inj", "51", "A", "C", "O1E", "1"),
    Hcpcs("J1100", "Injection, dexamethasone sodium phosphate, 1 mg", "Dexamethasone inj 1 mg",
          "51", "A", "C", "O1E", "1"),
    Hcpcs("J1885", "Injection, ketorolac tromethamine, per 15 mg", "Ketorolac "
          "tromethamine inj", "51", "A", "C", "O1E", "1"),
    Hcpcs("J2001", "Injection, lidocaine hcl for intravenous infusion, 10 mg", "Lidocaine "
          "injection", "51", "A", "C", "O1E", "1"),
    Hcpcs("J3301", "Injection, triamcinolone acetonide, not otherwise specified, 10 mg",
          "Triamcinolone acet inj nos", "51", "A", "C", "O1E", "1"),
    Hcpcs("J3420", "Injection, vitamin b-12 cyanocobalamin, up to 1000 mcg", "Vitamin b12 "
          "injection", "51", "A", "D", "O1E", "1"),
    Hcpcs("J7030", "Infusion, normal saline solution, 1000 cc", "Normal saline solution "
          "infus", "51", "A", "C", "O1E", "1"),
    Hcpcs("J9035", "Injection, bevacizumab, 10 mg", "Bevacizumab injection", "51", "A",
          "C", "O1D", "1"),
    # billed per 100 mg until 2026, when a per-10-mg code takes its place (a unit change)
    Hcpcs("J9310", "Injection, sample anti-cd20 antibody, 100 mg", "Sample anti-cd20 100 mg",
          "51", "A", "C", "O1D", "1"),
    # billed per dose until 2026, when a per-1-mg code takes its place (a unit change)
    Hcpcs("C9465", "Hyaluronan derivative, for intra-articular injection, per dose",
          "Sample hyaluronan per dose", "00", "9", "C", "O1E", "1", add_date="20240101",
          action_date="20240101"),
    Hcpcs("K0001", "Standard wheelchair", "Standard wheelchair", "36", "A", "C", "D1D",
          "R"),
    Hcpcs("L1810", "Knee orthosis, elastic with joints, prefabricated item that has been "
          "trimmed, bent, molded, assembled, or otherwise customized to fit a specific "
          "patient by an individual with expertise", "Ko elastic with joints", "38", "A",
          "C", "D1E", "P"),
    Hcpcs("L3908", "Wrist hand orthosis, wrist extension control cock-up, non molded, "
          "prefabricated, off-the-shelf", "Wrist cock-up non-molded", "38", "A", "C",
          "D1E", "P"),
    Hcpcs("P9016", "Red blood cells, leukocytes reduced, each unit", "Rbc leukocytes "
          "reduced", "00", "9", "C", "O1D", "9"),
    Hcpcs("Q0091", "Screening papanicolaou smear; obtaining, preparing and conveyance of "
          "cervical or vaginal smear to laboratory", "Obtaining screen pap smear", "11",
          "A", "C", "P6C", "1"),
    Hcpcs("Q4101", "Skin substitute, sample brand, per square centimeter", "Skin "
          "substitute sample", "00", "9", "C", "D1A", "1", add_date="20100101",
          action_date="20250101", term_date="20241231", action="D"),
    Hcpcs("S0028", "Injection, famotidine, 20 mg", "Famotidine injection", "00", "9", "I",
          "O1E", "1"),
    Hcpcs("T1015", "Clinic visit/encounter, all-inclusive", "Clinic service", "00", "9",
          "I", "M1B", "1"),
    Hcpcs("V2020", "Frames, purchases", "Vision svcs frames purchases", "38", "A", "C",
          "D1E", "P"),
    Hcpcs("V5010", "Assessment for hearing aid", "Assessment for hearing aid", "00", "9",
          "S", "O1F", "1"),
    Hcpcs("GA", "Waiver of liability statement issued as required by payer policy, "
          "individual case", "Waiver of liability, ind cas"),
    Hcpcs("GY", "Item or service statutorily excluded, does not meet the definition of any "
          "Medicare benefit or, for non-Medicare insurers, is not a contract benefit",
          "Statutorily excluded"),
    Hcpcs("JW", "Drug amount discarded/not administered to any patient",
          "Drug discarded, not given"),
    Hcpcs("KX", "Requirements specified in the medical policy have been met",
          "Documentation on file"),
    Hcpcs("LT", "Left side (used to identify procedures performed on the left side of the "
          "body)", "Left side"),
    Hcpcs("RT", "Right side (used to identify procedures performed on the right side of the "
          "body)", "Right side"),
    Hcpcs("XS", "Separate structure, a service that is distinct because it was performed on "
          "a separate organ/structure", "Separate structure"),
)


def sample(h: Hcpcs) -> Hcpcs:
    """Descriptions that say they are samples: none of this is the CMS file's text."""
    return replace(h, long=f"Sample {h.long[0].lower()}{h.long[1:]}")


HCPCS_2025 = tuple(sample(h) for h in _HCPCS_2025)


# Discontinued in 2026 with an XREF to a code that bills another unit.
UNIT_SUCCESSORS = {"J9310": "J9312", "C9465": "J7318"}


def hcpcs_2026(old: Sequence[Hcpcs]) -> list[Hcpcs]:
    """2025's file a year on: every code's action relative to 2025, as CMS flags them."""
    annual = {"add_date": "20260101", "action_date": "20260101", "action": "A"}
    out = []
    for h in old:
        if h.action in ("A", "D"):  # last year's action: none this year (as CMS does)
            h = replace(h, action="N")
        if h.code == "J2001":  # discontinued, pointing at its replacement
            h = replace(h, term_date="20251231", action_date="20260101", action="D",
                        xref="J2002")
        elif h.code in UNIT_SUCCESSORS:  # discontinued; the successor bills another unit
            h = replace(h, term_date="20251231", action_date="20260101", action="D",
                        xref=UNIT_SUCCESSORS[h.code])
        elif h.code == "E0601":  # long description changed
            h = sample(replace(h, long="Continuous positive airway pressure (CPAP) device, "
                               "includes humidifier", action_date="20260101", action="C"))
        elif h.code == "A9270":  # short description changed
            h = replace(h, short="Noncovered item or service", action_date="20260101",
                        action="S")
        elif h.code == "J1100":  # payment: pricing indicator
            h = replace(h, price="46", action_date="20260101", action="P")
        elif h.code == "Q0091":  # coverage code: an administrative field
            h = replace(h, coverage="D", action_date="20260101", action="F")
        elif h.code == "XS":  # a modifier's long description
            h = sample(replace(h, long="Separate structure, a service that is distinct "
                               "because it was performed on a separate organ or structure",
                               action_date="20260101", action="C"))
        out.append(h)
    out += [sample(h) for h in (
        Hcpcs("J2002", "Injection, lidocaine hcl in sodium chloride for intravenous infusion, "
              "10 mg", "Lidocaine in nacl injection", "51", "A", "C", "O1E", "1", **annual),
        Hcpcs("G0561", "Remote monitoring of a wearable sample device, per 30 days",
              "Remote monitor sample device", "11", "A", "C", "M5C", "1", **annual),
        Hcpcs("A4290", "Sacral nerve stimulation test lead, each", "Sacral nerve stim test "
              "lead", "00", "9", "C", "D1A", "F", **annual),
        # added on July 1 by a quarterly update: in no annual file until this one
        Hcpcs("Q5150", "Injection, sample biosimilar, 10 mg", "Inj sample biosimilar 10mg",
              "51", "A", "C", "O1E", "1", add_date="20250701", action_date="20250701",
              action="A"),
        Hcpcs("JZ", "Zero drug amount discarded/not administered to any patient",
              "Zero drug wasted", **annual),
        # the successors of J9310 (100 mg) and C9465 (per dose): other billing units
        Hcpcs("J9312", "Injection, sample anti-cd20 antibody, 10 mg", "Sample anti-cd20 10 mg",
              "51", "A", "C", "O1D", "1", **annual),
        Hcpcs("J7318", "Hyaluronan derivative, for intra-articular injection, 1 mg",
              "Sample hyaluronan 1 mg", "51", "A", "C", "O1E", "1", **annual),
    )]
    return sorted(out, key=lambda h: (not h.modifier, h.code))


def split_text(text: str, width: int = 80) -> list[str]:
    """The long description in pieces of at most ``width`` characters, broken at blanks."""
    pieces, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            pieces.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*pieces, line]


def field(record: list[str], first: int, last: int, value: str) -> None:
    """Put ``value`` into columns ``first``..``last`` (1-based, as the layout numbers)."""
    width = last - first + 1
    assert len(value) <= width, (value, first, last)
    record[first - 1:last] = list(value.ljust(width))


def hcpcs_records(h: Hcpcs) -> list[str]:
    """The 320-character records of one code: RECID 3/7, then 4/8 for the rest of the
    long description."""
    code = f"   {h.code}" if h.modifier else h.code
    first_id, next_id = ("7", "8") if h.modifier else ("3", "4")
    lines = []
    for i, piece in enumerate(split_text(h.long)):
        record = [" "] * 320
        field(record, 1, 5, code)
        field(record, 6, 10, f"{(i + 1) * 100:05d}")
        field(record, 11, 11, first_id if i == 0 else next_id)
        field(record, 12, 91, piece)
        if i == 0:
            field(record, 92, 119, h.short)
            if not h.modifier:
                field(record, 120, 121, h.price)
                field(record, 128, 128, h.mult_pi)
                field(record, 257, 259, h.betos)
                field(record, 261, 261, h.tos)
            field(record, 171, 180, h.statute)
            field(record, 205, 209, h.xref)
            field(record, 230, 230, h.coverage)
            field(record, 269, 276, h.add_date)
            field(record, 277, 284, h.action_date)
            field(record, 285, 292, h.term_date)
            field(record, 293, 293, h.action)
        lines.append("".join(record))
    return lines


DISCLAIMER = (
    "***Disclaimers",
    "",
    "-- SYNTHETIC SAMPLE for testing updater: the layout is the CMS alpha-numeric HCPCS "
    "file's, the codes' descriptions and data ",
    "   are made up and are not the CMS file.  ",
    "",
    "-- Discontinued codes stay in the file for a few years after their termination date.  ",
    "",
)


def hcpcs_txt(codes: Sequence[Hcpcs]) -> bytes:
    return crlf_text([*DISCLAIMER, *(line for h in codes for line in hcpcs_records(h))])


XLSX_HEADER = (
    "HCPC", "SEQNUM", "RECID", "LONG DESCRIPTION", "SHORT DESCRIPTION", "PRICE1", "PRICE2",
    "PRICE3", "PRICE4", "MULT_PI", "CIM1", "CIM2", "CIM3", "MCM1", "MCM2", "MCM3", "STATUTE",
    "LABCERT1", "LABCERT2", "LABCERT3", "LABCERT4", "LABCERT5", "LABCERT6", "LABCERT7",
    "LABCERT8", "XREF1", "XREF2", "XREF3", "XREF4", "XREF5", "COV", "ASC_GRP", "ASC_DT",
    "OPPS", "OPPS_PI", "OPPS_DT", "PROCNOTE", "BETOS", "TOS1", "TOS2", "TOS3", "TOS4",
    "TOS5", "ANEST_BU", "ADD DT", "ACT EFF DT", "TERM DT", "ACTION CD",
)


def hcpcs_xlsx(codes: Sequence[Hcpcs], sheet: str) -> bytes:
    """The same file as CMS's Excel twin: one row per code (the long description whole),
    every cell text, disclaimer rows above the header."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for line in DISCLAIMER[:-1]:
        ws.append([line.strip()] + [""] * (len(XLSX_HEADER) - 1))
    ws.append(list(XLSX_HEADER))
    for h in codes:
        row = dict.fromkeys(XLSX_HEADER, "")
        row.update({
            "HCPC": f"   {h.code}" if h.modifier else h.code, "SEQNUM": "0010",
            "RECID": "7" if h.modifier else "3", "LONG DESCRIPTION": h.long,
            "SHORT DESCRIPTION": h.short, "STATUTE": h.statute, "XREF1": h.xref,
            "COV": h.coverage, "ADD DT": h.add_date, "ACT EFF DT": h.action_date,
            "TERM DT": h.term_date, "ACTION CD": h.action,
        })
        if not h.modifier:
            row.update({"PRICE1": h.price, "MULT_PI": h.mult_pi, "BETOS": h.betos,
                        "TOS1": h.tos})
        ws.append([row[c] for c in XLSX_HEADER])
    buffer = io.BytesIO()
    book.save(buffer)
    return reproducible_xlsx(buffer.getvalue())


def reproducible_xlsx(data: bytes) -> bytes:
    """openpyxl stamps the save time into the workbook and its zip: fix both."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2025-01-01T00:00:00Z", body)
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, body)
    return out.getvalue()


def write_hcpcs() -> dict[str, dict[str, int]]:
    new = hcpcs_2026(HCPCS_2025)
    old = sorted(HCPCS_2025, key=lambda h: (not h.modifier, h.code))
    folder = ROOT / "hcpcs"
    write_zip(folder / "2025" / "2025-Alpha-Numeric-HCPCS-File.zip", [
        ("HCPC2025_ANWEB.txt", hcpcs_txt(old)),
    ])
    write_zip(folder / "2026" / "2026-Alpha-Numeric-HCPCS-File.zip", [
        ("HCPC2026_ANWEB.txt", hcpcs_txt(new)),
        ("HCPC2026_ANWEB.xlsx", hcpcs_xlsx(new, "HCPCS_2026_Alpha")),
    ])
    counts: dict[str, dict[str, int]] = {}
    for name, codes in (("2025", old), ("2026", new)):
        actions: dict[str, int] = {}
        for h in codes:
            actions[h.action] = actions.get(h.action, 0) + 1
        counts[name] = dict(sorted(actions.items()))
    return counts


# --------------------------------------------------------------------------------------
# CPT: AMA data files LONGULT / LONGULF / MEDU / SHORTU, descriptors all SYNTHETIC
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cpt:
    code: str
    long: str
    medium: str
    short: str


def cpt(code: str, what: str, medium: str, short: str) -> Cpt:
    """A made-up descriptor that says so, in the three lengths."""
    return Cpt(code, f"SYNTHETIC: {what}", f"SYNTHETIC {medium}".upper()[:48].rstrip(),
               f"SYNTH {short}".upper()[:28].rstrip())


CPT_2025 = (
    cpt("00100", "anesthesia for a sample procedure on the salivary glands, any approach",
        "anesth salivary gland", "anes saliv gland"),
    cpt("10060", "incision and drainage of a sample skin abscess, simple or single",
        "i&d abscess simple", "i&d abscess smpl"),
    cpt("11042", "debridement of sample subcutaneous tissue, first 20 sq cm or less",
        "debride subq tissue first 20", "debr subq 20"),
    cpt("20610", "arthrocentesis, aspiration or injection of a major joint or bursa, "
        "without ultrasound guidance (sample wording)", "drain/inj major joint w/o us",
        "drain/inj jnt/bursa"),
    cpt("29881", "arthroscopy of the knee with meniscectomy, medial or lateral, including "
        "debridement and shaving of articular cartilage (sample wording)",
        "knee scope w/ meniscectomy", "knee scope menisc"),
    cpt("36415", "collection of venous blood by venipuncture", "venipuncture routine",
        "venipuncture"),
    cpt("43239", "upper gastrointestinal endoscopy with biopsy, single or multiple",
        "egd biopsy single/multiple", "egd biopsy"),
    cpt("45378", "colonoscopy, flexible, diagnostic, including collection of specimens by "
        "brushing or washing when performed (sample wording)", "colonoscopy diagnostic",
        "colonoscopy dx"),
    cpt("47562", "laparoscopic cholecystectomy", "laparoscopic cholecystectomy",
        "lap cholecystectomy"),
    cpt("59400", "routine obstetric care including antepartum care, vaginal delivery and "
        "postpartum care (sample wording)", "obstetrical care", "ob care"),
    cpt("66984", "extracapsular cataract removal with insertion of intraocular lens "
        "prosthesis, one stage procedure (sample wording)", "cataract removal w/ iol",
        "cataract w/ iol"),
    cpt("70450", "computed tomography, head or brain, without contrast material",
        "ct head/brain w/o contrast", "ct head w/o dye"),
    cpt("71046", "radiologic examination, chest, two views", "x-ray chest 2 views",
        "x-ray chest 2v"),
    cpt("73721", "magnetic resonance imaging, any joint of lower extremity, without "
        "contrast material", "mri joint lwr extrem w/o dye", "mri lwr joint w/o dye"),
    cpt("74177", "computed tomography, abdomen and pelvis, with contrast material",
        "ct abd & pelv w/ contrast", "ct abd&pelv w/ dye"),
    cpt("77067", "screening mammography, bilateral, including computer-aided detection",
        "scr mammo bi incl cad", "scr mammo bi"),
    cpt("80053", "comprehensive metabolic panel", "comprehensive metabolic panel",
        "comprehen metabolic"),
    cpt("81001", "urinalysis, automated, with microscopy", "urinalysis auto w/ scope",
        "urinalysis auto scope"),
    cpt("83036", "hemoglobin, glycosylated (a1c)", "hemoglobin glycosylated a1c",
        "hgb a1c"),
    cpt("85025", "complete blood count with automated differential", "complete cbc w/ "
        "auto diff wbc", "cbc w/ auto diff"),
    cpt("87086", "culture, bacterial, urine, quantitative colony count",
        "urine culture/colony count", "urine culture count"),
    cpt("90471", "immunization administration, one vaccine", "immunization admin",
        "imm admin"),
    cpt("90686", "influenza virus vaccine, quadrivalent, split virus, preservative free, "
        "for intramuscular use (sample wording)", "iiv4 vacc no prsv im", "flu vacc iiv4"),
    cpt("92014", "ophthalmological services, comprehensive, established patient",
        "eye exam & treatment est pt", "eye exam est pt"),
    cpt("93000", "electrocardiogram, routine, with at least 12 leads, with interpretation "
        "and report", "electrocardiogram complete", "ecg complete"),
    cpt("93306", "transthoracic echocardiography, complete, with spectral and color flow "
        "doppler (sample wording)", "tte w/ doppler complete", "tte w/ doppler"),
    cpt("96372", "therapeutic, prophylactic or diagnostic injection, subcutaneous or "
        "intramuscular", "ther/proph/diag inj sc/im", "ther inj sc/im"),
    cpt("97110", "therapeutic exercises, each 15 minutes", "therapeutic exercises",
        "ther exercises"),
    cpt("97140", "manual therapy techniques, one or more regions, each 15 minutes",
        "manual therapy 1/> regions", "manual therapy"),
    *(cpt(code, f"office or other outpatient visit, new patient, level {level}",
          f"office o/p new level {level}", f"office o/p new l{level}")
      for code, level in (("99202", 2), ("99203", 3), ("99204", 4), ("99205", 5))),
    *(cpt(code, f"office or other outpatient visit, established patient, level {level}",
          f"office o/p est level {level}", f"office o/p est l{level}")
      for code, level in (("99211", 1), ("99212", 2), ("99213", 3), ("99214", 4),
                          ("99215", 5))),
    cpt("99283", "emergency department visit, moderate complexity", "emergency dept "
        "visit mod mdm", "ed visit mod"),
    cpt("99395", "periodic preventive medicine visit, established patient, 18 to 39 years",
        "prev visit est age 18-39", "prev visit est 18-39"),
    cpt("0001F", "heart failure measures composite, sample quality code",
        "heart failure composite", "heart fail composite"),
    cpt("1234F", "sample performance measure, documented in the record",
        "sample perf measure documented", "perf measure doc"),
    cpt("0042T", "cerebral perfusion analysis using computed tomography, sample emerging "
        "technology code", "ct perfusion w/ contrast cbf", "ct perfusion"),
    cpt("0075T", "transcatheter placement of sample stent, emerging technology code",
        "tcat sample stent", "tcat sample stent"),
    cpt("0001U", "red blood cell antigen typing, sample proprietary laboratory analysis",
        "rbc dna hea 35 ags", "rbc dna hea"),
    cpt("0002U", "colorectal screening, sample proprietary laboratory analysis",
        "onc clrct 3 ur metab alg plp", "onc clrct ur metab"),
)


def cpt_2026(old: Sequence[Cpt]) -> list[Cpt]:
    by_code = {c.code: c for c in old}
    for code in ("0075T", "81001"):  # deleted
        del by_code[code]
    for c in (  # added: category I, II, III and PLA
        cpt("99459", "pelvic examination, sample add-on code", "pelvic examination",
            "pelvic exam"),
        cpt("3051F", "most recent hemoglobin a1c in a sample range", "hg a1c in sample range",
            "hg a1c sample range"),
        cpt("0900T", "sample emerging technology procedure with imaging guidance",
            "sample emerging tech w/ img", "emerging tech w/ img"),
        cpt("0550U", "sample proprietary laboratory analysis, genomic sequence",
            "onc sample genomic seq", "onc genomic seq"),
    ):
        by_code[c.code] = c
    revised = {  # long only; medium only; short only; all three
        "99214": replace(by_code["99214"], long="SYNTHETIC: office or other outpatient "
                         "visit, established patient, moderate level 4"),
        "20610": replace(by_code["20610"], long="SYNTHETIC: arthrocentesis, aspiration or "
                         "injection of a major joint or bursa, without imaging guidance "
                         "(sample wording)"),
        "71046": replace(by_code["71046"], medium="SYNTHETIC X-RAY EXAM CHEST 2 VIEWS"),
        "85025": replace(by_code["85025"], short="SYNTH CBC W/AUTO DIFF WBC"),
        "93000": cpt("93000", "electrocardiogram, routine, with at least 12 leads, with "
                     "interpretation and written report", "electrocardiogram complete "
                     "report", "ecg complete rpt"),
    }
    by_code.update(revised)
    return [by_code[c] for c in sorted(by_code)]


CPT_NOTICE = (
    "SYNTHETIC SAMPLE - NOT AMA CONTENT.",
    "This file copies the layout of the AMA's CPT data files so that updater can be",
    "tested; every descriptor in it is made up and says SYNTHETIC.",
    "",
    "CPT is a registered trademark of the American Medical Association. Real CPT",
    "descriptors come only with a license from the AMA.",
    "",
)


def longulf_lines(c: Cpt) -> list[str]:
    """The fixed-width records of one code: 72 characters of text per record."""
    return [f"{c.code}{i:02d} {piece}".ljust(80)
            for i, piece in enumerate(split_text(c.long, 72), 1)]


def write_cpt() -> dict[str, int]:
    new = cpt_2026(CPT_2025)
    old = sorted(CPT_2025, key=lambda c: c.code)
    for year, codes in (("2025", old), ("2026", new)):
        write_zip(ROOT / "cpt" / year / f"CPT {year} data files.zip", [
            ("LONGULT.txt", crlf_text([*CPT_NOTICE, *(f"{c.code}\t{c.long}" for c in codes)])),
            ("LONGULF.txt", crlf_text([*CPT_NOTICE, *(line for c in codes
                                                      for line in longulf_lines(c))])),
            ("MEDU.txt", crlf_text([*CPT_NOTICE, *(f"{c.code} {c.medium}" for c in codes)])),
            ("SHORTU.txt", crlf_text([*CPT_NOTICE, *(f"{c.code} {c.short}" for c in codes)])),
        ])
    return {"codes 2025": len(old), "codes 2026": len(new)}


def main() -> None:
    icd = write_icd()
    for pair, changes in icd.items():
        print(f"ICD-10-CM {pair}: {changes.counts}")
    print(f"HCPCS action codes: {write_hcpcs()}")
    print(f"CPT: {write_cpt()}")


if __name__ == "__main__":
    main()
