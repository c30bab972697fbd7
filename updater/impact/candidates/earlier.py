"""Codes a scan finds in neither release of a change set: deleted in an earlier release, or
a near miss of a real code.

A chargemaster or crosswalk that skipped a cycle still bills codes deleted years ago
(``A08.2``, ``K57.8``, ``M54.8``). Called typos, they send the reviewer looking for a
spelling mistake; the store's history says what happened: the code was in ``FY2022``,
deleted in ``FY2023``, and the CDC's conversion table (or the hierarchy, or HCPCS XREF)
of that step names its successors. A code no stored release ever had may be a slip of the
keyboard: ``I1O`` (letter O) for ``I10``, ``85052`` for ``85025``; the new release's
codes that differ by one look-alike character or two swapped neighbours are offered as
"did you mean" candidates, for a person to confirm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from updater.impact.candidates import candidates_for_codes, check_new_codes, with_units
from updater.model import CODE, LONG, RECORD, Release
from updater.releases.store import ReleaseStore
from updater.vocabulary import RecordType, Relation

CANDIDATE_FIELDS = ["old_code", "new_code", "relation", "source", "automatic"]
# Characters people and scanners mistake for each other, both ways.
LOOK_ALIKE = (("O", "0"), ("Q", "0"), ("D", "0"), ("I", "1"), ("L", "1"), ("S", "5"),
              ("Z", "2"), ("B", "8"), ("G", "6"))
_NAMES = {"O": "letter O", "Q": "letter Q", "D": "letter D", "I": "letter I",
          "L": "letter L", "S": "letter S", "Z": "letter Z", "B": "letter B", "G": "letter G"}
MAX_CODE = 7


@dataclass
class Earlier:
    """Codes deleted before the change set's old release (``code``, ``last_in``,
    ``deleted_in``, ``deleted_effective``, ``previous_title``) and their candidates."""

    deletions: pd.DataFrame
    candidates: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=CANDIDATE_FIELDS))


def _no_deletions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="str") for c in (
        CODE, "last_in", "deleted_in", "deleted_effective", "previous_title")})


def earlier_deletions(codes: pd.Series, old: Release, new: Release, store_root: Path | None,
                      *, conversion: pd.DataFrame | None = None) -> Earlier:
    """For codes in neither ``old`` nor ``new``: those a stored release of the same code set
    before ``old`` had, with the release it was last in, the one that dropped it (the next
    stored release, else ``old``) and that step's candidates, checked against ``new``
    (never automatic: the line has been wrong since, and a person confirms)."""
    codes = pd.Series(pd.unique(codes.astype("str")), dtype="str")
    if store_root is None or codes.empty:
        return Earlier(_no_deletions())
    store = ReleaseStore(store_root)
    stored = [r for r in store.list() if r.system is old.system and r.effective < old.effective
              and r.id != old.id]
    if not stored:
        return Earlier(_no_deletions())
    wanted = codes.tolist()
    seen = []
    for i, entry in enumerate(stored):  # one filtered read per stored release: a handful
        rows = store.rows(entry.id, codes=wanted)
        if len(rows):
            seen.append(pd.DataFrame({CODE: rows[CODE].astype("str"), "at": i,
                                      "title": rows[LONG].astype("str")}))
    if not seen:
        return Earlier(_no_deletions())
    last = pd.concat(seen, ignore_index=True).sort_values("at").drop_duplicates(
        CODE, keep="last")
    loaded: dict[str, Release] = {old.id: old}

    def release(at: int) -> Release:
        entry = stored[at] if at < len(stored) else None
        if entry is None:
            return old
        if entry.id not in loaded:
            loaded[entry.id] = store.load(entry.id)
        return loaded[entry.id]

    deletions, candidates = [], []
    for at in sorted(set(last["at"].tolist())):
        group = last[last["at"] == at]
        before, after = release(at), release(at + 1)
        deletions.append(pd.DataFrame({
            CODE: group[CODE].to_numpy(), "last_in": before.version,
            "deleted_in": after.version, "deleted_effective": after.effective.isoformat(),
            "previous_title": group["title"].to_numpy()}))
        found = candidates_for_codes(group[CODE], before, after, conversion=conversion)
        if len(found):
            found = with_units(check_new_codes(found, new), [before], new)
            candidates.append(found.assign(automatic=False))
    cands = pd.concat(candidates, ignore_index=True) if candidates else pd.DataFrame(
        columns=CANDIDATE_FIELDS)
    return Earlier(pd.concat(deletions, ignore_index=True), cands)


def headers_since(codes: pd.Series, old: Release, store_root: Path | None) -> pd.Series:
    """For codes that are headers in ``old`` and billable in a stored release before it:
    by code, "FY2022 (billable in FY2018)": the first stored release after the last one
    that had it billable, and that one (the store may skip years)."""
    codes = pd.Series(pd.unique(codes.astype("str")), dtype="str")
    if store_root is None or codes.empty:
        return pd.Series([], dtype="str")
    stored = [r for r in ReleaseStore(store_root).list()
              if r.system is old.system and r.effective < old.effective and r.id != old.id]
    if not stored:
        return pd.Series([], dtype="str")
    store = ReleaseStore(store_root)
    billable = []
    for i, entry in enumerate(stored):
        rows = store.rows(entry.id, codes=codes.tolist())
        rows = rows[rows[RECORD] == RecordType.CODE.value]
        if len(rows):
            billable.append(pd.DataFrame({CODE: rows[CODE].astype("str"), "at": i}))
    if not billable:
        return pd.Series([], dtype="str")
    last = pd.concat(billable).groupby(CODE)["at"].max()
    versions = [r.version for r in stored] + [old.version]
    return pd.Series([f"{versions[int(i) + 1]} (billable in {versions[int(i)]})"
                      for i in last.to_numpy()], index=last.index, dtype="str")


def _variants(codes: pd.Series) -> pd.DataFrame:
    """(code, variant, how) for every code: each look-alike character swapped for its twin,
    and each two neighbouring characters swapped; column operations, one per position."""
    frames = []
    length = codes.str.len()
    for i in range(MAX_CODE):
        here = codes[length > i]
        char = here.str.slice(i, i + 1)
        head, tail = here.str.slice(0, i), here.str.slice(i + 1)
        for a, b in LOOK_ALIKE:
            for written, meant in ((a, b), (b, a)):
                hit = char == written
                if hit.any():
                    frames.append(pd.DataFrame({
                        "code": here[hit], "variant": head[hit] + meant + tail[hit],
                        "how": f"{_NAMES.get(written, written)} written for "
                               f"{_NAMES.get(meant, meant)}"}))
        pair = here[here.str.len() > i + 1]
        if len(pair):
            swapped = (pair.str.slice(0, i) + pair.str.slice(i + 1, i + 2)
                       + pair.str.slice(i, i + 1) + pair.str.slice(i + 2))
            moved = swapped != pair
            frames.append(pd.DataFrame({"code": pair[moved], "variant": swapped[moved],
                                        "how": "two characters swapped"}))
    if not frames:
        return pd.DataFrame({"code": [], "variant": [], "how": []}, dtype="str")
    return pd.concat(frames, ignore_index=True)


def near_misses(codes: pd.Series, release: Release) -> pd.DataFrame:
    """"Did you mean" candidates: billable codes of ``release`` one look-alike character or
    one swap of neighbours away from each code (``I1O`` -> ``I10``, ``85052`` -> ``85025``).
    Never automatic."""
    codes = pd.Series(pd.unique(codes.astype("str")), dtype="str")
    table = release.table
    billable = table.loc[table[RECORD].isin([RecordType.CODE.value,
                                             RecordType.MODIFIER.value]), CODE]
    variants = _variants(codes[codes != ""])
    found = variants[variants["variant"].isin(pd.Index(billable.astype("str")))]
    found = found.drop_duplicates(["code", "variant"])
    return pd.DataFrame({
        "old_code": found["code"].to_numpy(), "new_code": found["variant"].to_numpy(),
        "relation": Relation.EQUIVALENT.value,
        "source": ("near miss: " + found["how"] + f" (a code of {release.version})"
                   ).to_numpy(),
        "automatic": np.zeros(len(found), dtype=bool)})


def did_you_mean(candidates: pd.DataFrame, display: Mapping[str, str] | None = None
                 ) -> pd.Series:
    """Per old code, ``"did you mean I10?"`` (several: ``"I10 or I11"``)."""
    if candidates.empty:
        return pd.Series([], dtype="str")
    shown = candidates["new_code"].map(display) if display else candidates["new_code"]
    named = pd.DataFrame({"old": candidates["old_code"], "new": shown.fillna(
        candidates["new_code"])})
    joined = named.groupby("old", sort=False)["new"].agg(lambda c: " or ".join(dict.fromkeys(c)))
    return "did you mean " + joined + "?"
