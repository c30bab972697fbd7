"""The user's own old -> new maps and overrides (CSV, TSV or XLSX).

Where no publisher says where a code went (CPT: the AMA's "to report, see ..."
guidance is licensed text users copy themselves; payers' own crosswalks), the user
brings a two-column file. Column names vary (``old``/``new``, ``from``/``to``,
``Deleted code``/``Replacement``, ``To report, see``), title rows may sit above the
header, and one cell may name several codes (``99202, 99203``, ``99202-99205``). An
optional ``relation`` column says how the codes relate; an ``automatic`` (or
``approve``) column lets an override be applied without a person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from updater.codes import normalize_code
from updater.errors import UpdaterError
from updater.files.tables import (
    HEADER_ROWS,
    RawTable,
    first_nonblank,
    first_rows,
    locate_header,
    open_table,
)
from updater.impact.candidates.conversion import codes_in_ranges
from updater.releases.readers.generic_table import key
from updater.vocabulary import CodeSystem, Relation

OLD_NAMES = ("old", "old code", "old codes", "from", "from code", "deleted", "deleted code",
             "deleted codes", "code deleted", "retired code", "discontinued code",
             "previous code", "previous", "source code", "old cpt", "old hcpcs", "old icd10")
NEW_NAMES = ("new", "new code", "new codes", "to", "to code", "replacement",
             "replacement code", "replacement codes", "replaced by", "successor", "target",
             "target code", "to report see", "to report use", "report with", "see", "use",
             "use code", "current code", "new cpt", "new hcpcs", "new icd10")
RELATION_NAMES = ("relation", "relationship", "map type", "mapping type", "match")
AUTOMATIC_NAMES = ("automatic", "auto", "approve", "approved", "apply", "auto apply")
SYSTEM_NAMES = ("system", "code system", "code set", "code type")

# Columns read_user_map returns.
USER_MAP_COLUMNS = ("old_code", "new_code", "relation", "automatic", "system", "file", "row")

_RELATION_WORDS = {
    Relation.EQUIVALENT: ("equivalent", "equal", "same", "same as", "exact", "1:1", "1-1",
                          "one-to-one", "one to one", "replaced by", "replacement"),
    Relation.NARROWER: ("narrower", "split", "expanded", "1:many", "1:n", "one-to-many",
                        "one to many", "choose"),
    Relation.BROADER: ("broader", "merged", "many:1", "n:1", "many-to-one", "many to one"),
    Relation.NONE: ("none", "no successor", "retire", "retired", "deleted", "delete",
                    "no replacement"),
}
_RELATIONS = {key(w) or w: r for r, words in _RELATION_WORDS.items() for w in words}
_YES = {"yes", "y", "true", "1", "x", "approve", "approved", "auto", "automatic", "ok"}
_NO = {"", "no", "n", "false", "0", "-"}
_TOKEN = re.compile(r"[A-Z0-9][A-Z0-9.]*(?:\s*-\s*[A-Z0-9][A-Z0-9.]*)?")
_CODE = re.compile(r"^[A-Z0-9]{2,7}$")
_LEAD = re.compile(r"^\s*(?:to\s+report,?\s*(?:see|use)?|see|use|report\s+with)\s*[:,]?\s*",
                   re.IGNORECASE)
_HINT = ("name the columns old and new (or from/to, deleted code/replacement); "
         "relation and automatic columns are optional")


def _position(header: Sequence[str], names: Sequence[str]) -> int | None:
    keys = [key(h) for h in header]
    for name in names:
        if key(name) in keys:
            return keys.index(key(name))
    return None


def _is_header(row: Sequence[str]) -> bool:
    return _position(row, OLD_NAMES) is not None and _position(row, NEW_NAMES) is not None


def _table(path: Path) -> RawTable:
    """The rows under the header row (an old and a new code column among the first rows),
    read by ``updater.files.tables`` (CSV or TSV by any delimiter, first sheet of a
    workbook); cells past the header are ignored."""
    file = open_table(path, empty_hint=_HINT)
    located = locate_header(file, _is_header)
    if located is None:
        first = first_nonblank(first_rows(file))
        raise UpdaterError(f"no header row with an old and a new code column in the first "
                           f"{HEADER_ROWS} rows (the first row has: "
                           f"{', '.join(repr(c) for c in first if c) or 'nothing'})",
                           file=path, hint=_HINT)
    return file.body(*located, extra_cells=True)


def _codes(cell: str) -> list[tuple[str, str]]:
    """The codes a cell names, as (code, range end) pairs: ``99202-99205`` is one range,
    ``J1100, J1110`` two codes; words (``To report, see``) are skipped. A code has a
    digit, except a lone two-letter modifier (``RT``)."""
    text = _LEAD.sub("", cell).upper().replace("\u2013", "-").replace("\u2014", "-")
    tokens = _TOKEN.findall(text)
    lone_modifier = len(tokens) == 1 and re.fullmatch(r"[A-Z0-9]{2}", tokens[0]) is not None
    found = []
    for token in tokens:
        lo, _, hi = (part.strip().replace(".", "") for part in token.partition("-"))
        if all(_CODE.match(c) and (lone_modifier or any(ch.isdigit() for ch in c))
               for c in (lo, hi) if c):
            found.append((lo, hi))
    return found


def _relation(value: str, file: Path, row: int) -> str:
    if not value.strip():
        return ""
    found = _RELATIONS.get(key(value) or value.strip())
    if found is None:
        raise UpdaterError(f"relation {value!r} is not one of equivalent, narrower, broader, "
                           "none", file=file, row=row,
                           hint="leave the cell empty to let updater decide")
    return found.value


def _automatic(value: str, file: Path, row: int) -> bool:
    word = value.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise UpdaterError(f"automatic {value!r} is not yes or no", file=file, row=row,
                       hint="write yes (apply without review) or no")


def _system(value: str) -> str:
    k = key(value)
    for system in (CodeSystem.ICD10CM, CodeSystem.HCPCS, CodeSystem.CPT):
        if k.startswith(system.value) or k == key(system.label):
            return system.value
    return "icd10cm" if k.startswith("icd") else k


def read_user_map(path: str | Path, *, old_codes: pd.Series | None = None,
                  new_codes: pd.Series | None = None) -> pd.DataFrame:
    """The map as rows (old_code, new_code, relation, automatic, system, file, row).

    A cell naming several codes gives one row per code; a range (``99202-99205``) gives
    the codes of ``old_codes`` / ``new_codes`` it covers (its two ends when no codes are
    given). An empty new cell means "retire, no successor". ``relation`` is ``""`` where
    the file does not say; ``automatic`` is False where it does not say. ``row`` is the
    row as a spreadsheet shows it.
    """
    path = Path(path)
    if not path.is_file():
        raise UpdaterError("no such file", file=path, hint="check the path")
    table = _table(path)
    header = table.header
    at_old, at_new = _position(header, OLD_NAMES), _position(header, NEW_NAMES)
    at_rel, at_auto = _position(header, RELATION_NAMES), _position(header, AUTOMATIC_NAMES)
    at_sys = _position(header, SYSTEM_NAMES)
    out: list[tuple[str, str, str, bool, str, int]] = []
    ranges: list[tuple[str, str, str, str, bool, str, int, str]] = []
    blank = [""] * table.rows
    read = [table.column(at).to_pylist() if at is not None else blank
            for at in (at_old, at_new, at_rel, at_auto, at_sys)]
    cells = zip(*read, strict=True)
    for n, (old_cell, new_cell, rel_cell, auto_cell, sys_cell) in enumerate(cells, start=1):
        i = table.sheet_row(n)  # the row as a spreadsheet shows it
        if not old_cell and not new_cell:
            continue
        if not old_cell:
            raise UpdaterError(f"a new code ({new_cell!r}) without an old code", file=path,
                               row=i, hint="fill in the old code or delete the row")
        olds, news = _codes(old_cell), _codes(new_cell)
        if not olds:
            raise UpdaterError(f"{old_cell!r} is not a code", file=path, row=i, hint=_HINT)
        if new_cell and not news:
            raise UpdaterError(f"{new_cell!r} names no code", file=path, row=i,
                               hint="write the replacement code(s), or leave the cell empty "
                                    "to retire the old code")
        relation = _relation(rel_cell, path, i)
        automatic = _automatic(auto_cell, path, i)
        system = _system(sys_cell)
        for old_lo, old_hi in olds:
            for new_lo, new_hi in news or [("", "")]:
                if old_hi or new_hi:
                    ranges.append((old_lo, old_hi, new_lo, new_hi, automatic, relation, i,
                                   system))
                else:
                    out.append((old_lo, new_lo, relation, automatic, system, i))
    frame = pd.DataFrame(out, columns=["old_code", "new_code", "relation", "automatic",
                                       "system", "row"])
    if ranges:
        frame = pd.concat([frame, _expand(ranges, old_codes, new_codes)], ignore_index=True)
    frame["old_code"] = frame["old_code"].map(normalize_code)
    frame["new_code"] = frame["new_code"].map(normalize_code)
    frame["file"] = path.name
    frame = frame.drop_duplicates(["old_code", "new_code"]).reset_index(drop=True)
    return frame.astype({"old_code": "str", "new_code": "str", "relation": "str",
                         "automatic": "bool", "system": "str", "file": "str",
                         "row": "int64"})[list(USER_MAP_COLUMNS)]


def _expand(ranges: list[Any], old_codes: pd.Series | None,
            new_codes: pd.Series | None) -> pd.DataFrame:
    """Rows with a range on either side, each range replaced by the codes it covers."""
    frame = pd.DataFrame(ranges, columns=["old_lo", "old_hi", "new_lo", "new_hi", "automatic",
                                          "relation", "row", "system"])
    for side, codes in (("old", old_codes), ("new", new_codes)):
        lo, hi = f"{side}_lo", f"{side}_hi"
        is_range = frame[hi] != ""
        plain = frame[~is_range]
        plain = plain.assign(**{f"{side}_code": plain[lo]})
        spans = frame[is_range]
        if codes is not None and len(codes):
            covered = codes_in_ranges(spans, codes.astype("str"), lo=lo, hi=hi)
            expanded = covered.rename(columns={"code": f"{side}_code"})
        else:  # nothing to expand against: the range's two ends
            expanded = pd.concat([spans.assign(**{f"{side}_code": spans[lo]}),
                                  spans.assign(**{f"{side}_code": spans[hi]})])
        frame = pd.concat([plain, expanded], ignore_index=True).drop(columns=[lo, hi])
    return frame[["old_code", "new_code", "relation", "automatic", "system", "row"]]
