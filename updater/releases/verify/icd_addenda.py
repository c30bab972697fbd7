"""Check a computed ICD-10-CM diff against the CDC order addenda, line by line and
against its summary block.

When the list counts from OLD, every line must be one computed change with the same
titles and the same revision scope, and every computed addition, deletion and revision
must be on a line. Title changes in the files that the list leaves out are real changes
the CDC did not count: each is reported by code as "in the files, not in the publisher's
list", explained. When the list counts from another release, the check says so and fails
(it cannot verify the step line by line); it still checks what the list says about NEW,
and explains each difference by code where OLD differs from the release the list counts
from (rebuilt from NEW and the list).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from updater.model import CODE, LONG, RECORD, SHORT, PublisherChanges, Release
from updater.releases.compare import summarize
from updater.releases.verify import Disagreement, Verification
from updater.releases.verify.lists import StepList
from updater.revisions import (
    REVISE_FROM,
    REVISE_TO,
    listed_revisions,
    same_in_substance,
    scope_of,
)
from updater.vocabulary import ChangeKind, RecordType, RevisionScope

# Explanation categories: each explanation reads "category: details".
UNLISTED = "in the files, not in the publisher's list"
SPACING = "spacing or letter case only"
OTHER_BASE = "OLD differs from the release the list counts from"
OWN_LINES = "the summary does not add up the list's own lines"
WITH_HEADERS = "headers counted with the codes"
NO_OP = ("a revision whose Revise from and Revise to lines read the same (a change in "
         "trailing spaces, which fixed-width fields do not keep)")

_ACTION_OF_KIND = {ChangeKind.ADDED.value: "add", ChangeKind.DELETED.value: "delete",
                   ChangeKind.REVISED.value: REVISE_TO}
_WORDS = {"add": "adds", "delete": "deletes", REVISE_TO: "revises"}
_FOUND = {"add": "added", "delete": "deleted", REVISE_TO: "revised"}
# (publisher summary key, our summary key)
_SUMMARY_KEYS = (("in_old", "in_old"), ("in_new", "in_new"), ("additions", "added"),
                 ("deletions", "deleted"), ("revisions", "revised"),
                 ("revisions_both", "revised_both"), ("revisions_long_only", "revised_long_only"),
                 ("revisions_short_only", "revised_short_only"))
_BLOCK_RECORD = {"codes": RecordType.CODE.value, "headers": RecordType.HEADER.value}
_SCOPE_WORDS = {RevisionScope.BOTH.value: "the long and short titles",
                RevisionScope.LONG.value: "the long title only",
                RevisionScope.SHORT.value: "the short title only", "": "no title"}
KEYS = [CODE, RECORD]


def _line(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) and value == value else None


def verify_addenda(changes: pd.DataFrame, old: Release, new: Release, step: StepList,
                   summary_of_changes: dict[str, dict[str, int]] | None = None
                   ) -> Verification:
    """The diff ``old -> new`` checked against the list that describes the step."""
    addenda = step.changes
    name = addenda.source.rsplit("!", 1)[-1].rsplit("/", 1)[-1]
    result = Verification(against=f"CDC order addenda {name}")
    result.checked = len(addenda.entries)
    ours = summary_of_changes or summarize(changes, old, new)
    check = _Check(changes=changes, old=old, new=new, addenda=addenda, result=result)
    if step.counts_from_before:
        check.lines(titles_of_old=True)
        check.unlisted_title_changes()
        check.summary(ours, blocks_keys=_SUMMARY_KEYS)
    else:
        result.unverifiable = step.reason
        check.pick_new_rows()
        check.new_side()
        check.lines(titles_of_old=False)
        check.titles_in_new()
        check.explain_by_base()
        check.summary(ours, blocks_keys=(("in_new", "in_new"),))
    return result


class _Check:
    def __init__(self, *, changes: pd.DataFrame, old: Release, new: Release,
                 addenda: PublisherChanges, result: Verification) -> None:
        self.changes, self.old, self.new = changes, old, new
        self.addenda, self.result = addenda, result
        self.entries = addenda.entries
        self.contradicts_new: set[tuple[str, str]] = set()
        self.listed = listed_revisions(addenda)
        # revisions whose Revise from and Revise to lines read the same
        self.no_op = set(zip(*_columns(self.listed, np.flatnonzero(
            self.listed["revision"].to_numpy(dtype=object) == "")), strict=True))
        self.new_rows: pd.DataFrame | None = None  # NEW's rows the list speaks of

    def pick_new_rows(self) -> None:
        """NEW's rows of the codes the list names (a few hundred, picked once)."""
        self.new_rows = _rows_of(self.new.table, pa.array(self.entries[CODE].unique(),
                                                          type=pa.string()))

    def add(self, row: Any, message: str, explanation: str = "", line: object = None) -> None:
        self.add_at(row.code, row.record, message, explanation, line)

    def add_at(self, code: object, record: object, message: str, explanation: str = "",
               line: object = None) -> None:
        self.result.disagreements.append(Disagreement(
            code=str(code), record=str(record), message=message,
            explained=bool(explanation), explanation=explanation, line=_line(line)))

    # -------------------------------------------------------------- line by line

    def lines(self, *, titles_of_old: bool) -> None:
        """Each list line against the computed changes, and each computed change against
        the list; the titles of each matched line against the release it describes (NEW
        for additions and ``Revise to``, OLD for deletions and ``Revise from`` when the
        list counts from OLD); and the scope of each listed revision against the files."""
        e, ch = self.entries, self.changes
        action, key = e["action"].to_numpy(dtype=object), _key(e)
        kind, ckey = ch["kind"].to_numpy(dtype=object), _key(ch)
        for act, found in (("add", ChangeKind.ADDED.value), ("delete", ChangeKind.DELETED.value),
                           (REVISE_TO, ChangeKind.REVISED.value),
                           (REVISE_FROM, ChangeKind.REVISED.value)):
            lines, rows = np.flatnonzero(action == act), np.flatnonzero(kind == found)
            at = pd.Index(ckey[rows]).get_indexer(key[lines])
            if act != REVISE_FROM:
                for code, record, line in zip(*_columns(e, lines[at < 0], "line"),
                                              strict=True):
                    same = act == REVISE_TO and (code, record) in self.no_op
                    self.add_at(code, record, f"the addenda {_WORDS[act]} {record} {code}; "
                                "the diff does not", NO_OP if same else "", line=line)
                unlisted = rows[~np.isin(ckey[rows], key[lines])]
                for code, record in zip(*_columns(ch, unlisted), strict=True):
                    self.add_at(code, record, f"the diff finds {record} {code} {_FOUND[act]}; "
                                "the addenda does not list it")
            side = "new" if act in ("add", REVISE_TO) else "old"
            if side == "new" or titles_of_old:
                matched = at >= 0
                self._titles(lines[matched], rows[at[matched]], side)
            if act == REVISE_TO:
                self._scopes(lines[at >= 0], rows[at[at >= 0]])

    def _titles(self, lines: np.ndarray, rows: np.ndarray, side: str) -> None:
        """The titles on list lines against the release they describe (``side`` of the
        matched diff rows)."""
        e, ch = self.entries, self.changes
        differs = np.zeros(len(lines), dtype=bool)
        for t in (SHORT, LONG):
            differs |= (e[t].to_numpy(dtype=object)[lines]
                        != ch[f"{side}_{t}"].to_numpy(dtype=object)[rows])
        release = self.new if side == "new" else self.old
        for i, j in zip(lines[differs], rows[differs], strict=True):
            line, found = e.iloc[i], ch.iloc[j]
            self._title_line(line, {t: str(found[f"{side}_{t}"]) for t in (SHORT, LONG)},
                             release)

    def _title_line(self, line: Any, titles: dict[str, str], release: Release) -> None:
        fields = [t for t in (LONG, SHORT) if str(line[t]) != titles[t]]
        if not fields:
            return
        spacing = all(same_in_substance(str(line[t]), titles[t]) for t in fields)
        said = "; ".join(f"{t} title: addenda {str(line[t])!r}, {release.version} "
                         f"{titles[t]!r}" for t in fields)
        self.add(line, f"the '{_label(str(line.action))}' line of {line.code} differs from "
                 f"{release.version}: {said}",
                 f"{SPACING}: the list and the file differ in spacing or letter case"
                 if spacing else "", line=line.line)

    def _scopes(self, lines: np.ndarray, rows: np.ndarray) -> None:
        """The scope a listed revision's pair gives against the titles that changed in
        the files, named by code where they differ."""
        if not len(lines):
            return
        given = dict(zip(_key(self.listed), self.listed["revision"], strict=True))
        e, ch = self.entries, self.changes
        listed_scopes = np.array([given.get(k, "") for k in _key(e)[lines]], dtype=object)
        title = {c: ch[c].to_numpy(dtype=object)[rows]
                 for c in ("old_long", "new_long", "old_short", "new_short")}
        files_scopes = scope_of(title["old_long"] != title["new_long"],
                                title["old_short"] != title["new_short"])
        differ = listed_scopes != files_scopes
        for i, j, listed, files in zip(lines[differ], rows[differ], listed_scopes[differ],
                                       files_scopes[differ], strict=True):
            row = ch.iloc[j]
            old_long, new_long = str(row.old_long), str(row.new_long)
            old_short, new_short = str(row.old_short), str(row.new_short)
            pair = self._pair(str(row.code), str(row.record))
            substance = _scope(not same_in_substance(old_long, new_long),
                               not same_in_substance(old_short, new_short))
            listed_substance = _scope(
                not same_in_substance(pair[0][LONG], pair[1][LONG]),
                not same_in_substance(pair[0][SHORT], pair[1][SHORT])) if pair else ""
            why = (f"{SPACING}: the other title differs between the list and the files in "
                   "spacing or letter case" if pair and substance == listed_substance else "")
            self.add(row, f"the addenda revises {_SCOPE_WORDS[listed]} of {row.code}; in the "
                     f"files {_SCOPE_WORDS[files].replace(' only', '')} changed", why,
                     line=e.iloc[i].line)

    def _pair(self, code: str, record: str) -> tuple[dict[str, str], dict[str, str]] | None:
        e = self.entries[(self.entries[CODE] == code) & (self.entries[RECORD] == record)]
        frm, to = e[e["action"] == REVISE_FROM], e[e["action"] == REVISE_TO]
        if frm.empty or to.empty:
            return None
        return ({SHORT: str(frm[SHORT].iat[0]), LONG: str(frm[LONG].iat[0])},
                {SHORT: str(to[SHORT].iat[0]), LONG: str(to[LONG].iat[0])})

    def titles_in_new(self) -> None:
        """For a list against another base: the titles of its additions and ``Revise to``
        lines the diff has no row for, against NEW."""
        e = self.entries
        rows = self.new_rows
        if rows is None or e.empty:
            return
        have = dict(zip(_key(rows), zip(rows[SHORT], rows[LONG], strict=True), strict=True))
        matched = set(_key(self.changes[self.changes["kind"].isin(
            [ChangeKind.ADDED.value, ChangeKind.REVISED.value])]))
        action, key = e["action"].to_numpy(dtype=object), _key(e)
        for i in np.flatnonzero((action == "add") | (action == REVISE_TO)):
            if key[i] in matched or key[i] not in have:
                continue
            short, long_ = have[key[i]]
            self._title_line(e.iloc[i], {SHORT: str(short), LONG: str(long_)}, self.new)

    def unlisted_title_changes(self) -> None:
        """Title changes in the files the list does not list (kind ``cosmetic``): real,
        not counted by the publisher, and no failure."""
        left = self.changes[self.changes["kind"] == ChangeKind.COSMETIC.value]
        for row in left.itertuples():
            what = "; ".join(f"{t} title {getattr(row, f'old_{t}')!r} -> "
                             f"{getattr(row, f'new_{t}')!r}" for t in (LONG, SHORT)
                             if getattr(row, f"old_{t}") != getattr(row, f"new_{t}"))
            kind = "whitespace or letter case only" if row.cosmetic else "a change in substance"
            self.add(row, f"{row.record} {row.code} changed in the files ({what}); the addenda "
                     "does not list it", f"{UNLISTED} ({kind})")

    # -------------------------------------------------------------- another base

    def new_side(self) -> None:
        """What a list against another base still says about NEW: what it adds or
        revises is in NEW, what it deletes is not."""
        assert self.new_rows is not None
        present = np.isin(_key(self.entries), _key(self.new_rows))
        action = self.entries["action"].to_numpy()
        wrong = ((action == "delete") & present) | (
            ((action == "add") | (action == REVISE_TO)) & ~present)
        for row in self.entries[wrong].itertuples():
            self.contradicts_new.add((str(row.code), str(row.record)))
            verb = "deletes" if row.action == "delete" else _WORDS[str(row.action)]
            has = "has it" if row.action == "delete" else "does not have it"
            self.add(row, f"the addenda {verb} {row.record} {row.code}, but {self.new.version} "
                     f"{has}", line=row.line)

    def explain_by_base(self) -> None:
        """Explain each line disagreement where OLD differs from the release the list
        counts from (NEW with the list undone) at that code."""
        result = self.result
        pending = [i for i, d in enumerate(result.disagreements)
                   if not d.explained and d.message.startswith(("the addenda ", "the diff "))
                   and (d.code, d.record) not in self.contradicts_new]
        if not pending:
            return
        codes = {result.disagreements[i].code for i in pending}
        old_rows = _rows(self.old.table, codes)
        new_rows = _rows(self.new.table, codes)  # codes the diff found, not only the list's
        entries = self.entries[self.entries[CODE].isin(codes)]
        by_key: dict[tuple[str, str], dict[str, Any]] = {}
        for row in entries.itertuples():
            by_key.setdefault((str(row.code), str(row.record)), {})[str(row.action)] = row
        for i in pending:
            d = result.disagreements[i]
            key = (d.code, d.record)
            base = _base_row(by_key.get(key, {}), new_rows.get(key))
            had = old_rows.get(key)
            why = ""
            if had is None and base is not None:
                why = (f"{OTHER_BASE}: that release has {d.record} {d.code}, "
                       f"{self.old.version} does not")
            elif had is not None and base is None:
                why = (f"{OTHER_BASE}: {self.old.version} has {d.record} {d.code}, the release "
                       "the list counts from does not")
            elif had is not None and base is not None and had != base:
                why = (f"{OTHER_BASE}: {self.old.version} titles {d.code} {had[LONG]!r}, "
                       f"that release {base[LONG]!r}" if had[LONG] != base[LONG] else
                       f"{OTHER_BASE}: {self.old.version} has the short title "
                       f"{had[SHORT]!r} for {d.code}, that release {base[SHORT]!r}")
            elif "revised" in d.message and d.message.startswith("the diff "):
                why = UNLISTED
            if why:
                result.disagreements[i] = Disagreement(
                    code=d.code, record=d.record, message=d.message, explained=True,
                    explanation=why, line=d.line)

    # -------------------------------------------------------------- summary block

    def summary(self, ours: dict[str, dict[str, int]],
                blocks_keys: tuple[tuple[str, str], ...]) -> None:
        """The publisher's counts against the computed ones; a difference is explained
        when the publisher's count is what its own lines add up to, or counts headers with
        the codes."""
        summary = self.addenda.summary
        from_lines = _line_counts(self.entries, self.listed)
        for block in ("codes", "headers"):
            for pub_key, our_key in blocks_keys:
                if pub_key not in summary.get(block, {}):
                    continue
                what = f"{block} {pub_key.replace('_', ' ')}"
                pub, mine = summary[block][pub_key], ours[block][our_key]
                self.result.summary_checks.append((what, pub, mine))
                if pub == mine:
                    continue
                lines = from_lines.get(block, {}).get(pub_key)
                with_headers = ours["codes"][our_key] + ours["headers"][our_key]
                no_op = sum(1 for _, record in self.no_op if record == _BLOCK_RECORD[block])
                if no_op and pub_key.startswith("revisions") and (
                        pub == mine + no_op if pub_key == "revisions" else
                        0 < pub - mine <= no_op):
                    self.result.summary_explanations[what] = (
                        f"{NO_OP}: {no_op} such line{'s' if no_op != 1 else ''}")
                elif lines is not None and mine == lines:
                    self.result.summary_explanations[what] = (
                        f"{OWN_LINES}: its lines give {lines}, its summary says {pub}")
                elif block == "codes" and "headers" not in summary and pub == with_headers:
                    self.result.summary_explanations[what] = (
                        f"{WITH_HEADERS}: {ours['codes'][our_key]} codes and "
                        f"{ours['headers'][our_key]} headers")


def _label(action: str) -> str:
    return {"add": "Add", "delete": "Delete", REVISE_FROM: "Revise from",
            REVISE_TO: "Revise to"}[action]


def _scope(long: bool, short: bool) -> str:
    if long and short:
        return RevisionScope.BOTH.value
    return RevisionScope.LONG.value if long else RevisionScope.SHORT.value if short else ""


def _columns(frame: pd.DataFrame, at: np.ndarray, *extra: str) -> list[np.ndarray]:
    """Code, record (and ``extra`` columns) of the rows at positions ``at``."""
    return [frame[c].to_numpy(dtype=object)[at] for c in (CODE, RECORD, *extra)]


def _key(frame: pd.DataFrame) -> np.ndarray:
    """(code, record) of each row as one string, for matching rows with numpy."""
    return (frame[CODE].to_numpy(dtype=object) + "\x1f"
            + frame[RECORD].to_numpy(dtype=object))


def _rows_of(table: pd.DataFrame, codes: pa.Array) -> pd.DataFrame:
    """The rows of a release table with one of ``codes`` (hashing the few codes, not the
    table)."""
    hit = pc.is_in(pa.array(table[CODE], type=pa.string()), value_set=codes)
    return table.loc[hit.to_numpy(zero_copy_only=False), [*KEYS, SHORT, LONG]]


def _rows(table: pd.DataFrame, codes: set[str]) -> dict[tuple[str, str], dict[str, str]]:
    rows = _rows_of(table, pa.array(sorted(codes), type=pa.string()))
    return {(str(r.code), str(r.record)): {SHORT: str(r.short), LONG: str(r.long)}
            for r in rows.itertuples(index=False)}


def _base_row(actions: dict[str, Any], new_row: dict[str, str] | None
              ) -> dict[str, str] | None:
    """A code's row in the release a list counts from: NEW's, with the list undone."""
    if "add" in actions:
        return None
    for action in ("delete", REVISE_FROM):
        if action in actions:
            line = actions[action]
            return {SHORT: str(line.short), LONG: str(line.long)}
    return new_row


def _line_counts(entries: pd.DataFrame, listed: pd.DataFrame) -> dict[str, dict[str, int]]:
    """The summary the list's own lines add up to (``listed``: its ``listed_revisions``)."""
    action, record = entries["action"].to_numpy(), entries[RECORD].to_numpy()
    scope, scope_record = listed["revision"].to_numpy(), listed[RECORD].to_numpy()
    out: dict[str, dict[str, int]] = {}
    for block, rec in _BLOCK_RECORD.items():
        mine, scoped = action[record == rec], scope[scope_record == rec]
        out[block] = {
            "additions": int((mine == "add").sum()),
            "deletions": int((mine == "delete").sum()),
            "revisions": int((mine == REVISE_TO).sum()),
            "revisions_both": int((scoped == RevisionScope.BOTH.value).sum()),
            "revisions_long_only": int((scoped == RevisionScope.LONG.value).sum()),
            "revisions_short_only": int((scoped == RevisionScope.SHORT.value).sum()),
        }
    return out


def line_counts(addenda: PublisherChanges) -> dict[str, dict[str, int]]:
    """The summary a publisher's list's own lines add up to."""
    return _line_counts(addenda.entries, listed_revisions(addenda))
