"""Reconcile a computed HCPCS diff with CMS's own change list: the transaction report
shipped with the release (``HCPC2019_Trans_Alpha.xlsx``, a quarterly ``trans_alpha.xlsx``),
line by line, else the newer file's change flag, ACTION CD.

CMS gives every procedure and modifier one letter (record layout, field 30, and the
Action Code Key of the transaction report):

    A add                   D discontinue           R re-activate
    C long description      S short description     B coverage and long description
    F coverage              P payment               T BETOS or type of service
    N no maintenance

A letter *claims* a change (C: the long description changed), and a computed change
*needs* a letter (a revision with ACTION CD N is unflagged). Every claim the diff does
not support and every change no letter accounts for makes the code a ``Disagreement``,
and so does every place where the report and the file it came with disagree. Each
explanation reads ``"category: details"``. The categories come from what the files show
(the letter, whether the code is in the older and the newer file, ADD DT, ACT EFF DT,
TERM DT, the fields changed), never from a list of codes, and each is narrow, so that a
new kind of disagreement stays unexplained.

Where CMS's practice explains it:

- late action for the older year: an action dated in the older release's year (on or
  before its effective date) that the older file does not have, so it was made after that
  file was published, and the newer file does not flag it again;
- made by a release in between: ACT EFF DT after the older release and before the newer
  one, where the newer file's flags count from a later release than the older one
  (2019 -> 2020-April skips the 2020 annual): explained, but the check is then marked
  unverifiable for those codes (``Verification.unverifiable``);
- flagged again: a letter naming an action the older file already has (same ACT EFF DT),
  so the newer list counts from an earlier release than the older one;
- spelling correction (one edit in a word of five letters or more), which CMS does not
  flag; one letter for several changes; field no letter covers (XREF, lab certification,
  CIM, MCM, statute, processing note); no T in the file; cosmetic title change;
  discontinued after the effective date (a D whose TERM DT is later).

Where CMS's own files are inconsistent (publisher inconsistencies, ``INCONSISTENCIES``):

- flagged A, already listed: ACTION CD A for a code the older file has, added again or
  already added there (a re-published file, or a list counted from an earlier release);
- new, flagged as a change: a code the older file lacks, added after it took effect and
  changed later, flagged with the later change's letter instead of A;
- listed again without A or R: a code the older file lacks although its ADD DT is before
  the older release, back with ACTION CD N;
- dropped without TERM DT: a code of the older file missing from the newer one, never
  discontinued (CMS drops codes four years after their TERM DT);
- change to a discontinued code: fields of a code discontinued in the older file changed;
- action undone: ACT EFF DT went back to an earlier date and the change is not flagged;
- unflagged, undated change: a change with ACTION CD N and the older file's ACT EFF DT;
- transaction report vs file: a code one lists and the other does not, a different
  letter, a different description.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from updater.model import (
    ACTION_CODE,
    ACTION_EFFECTIVE_DATE,
    ADD_DATE,
    CODE,
    LONG,
    RECORD,
    SHORT,
    TERMINATION_DATE,
    PublisherChanges,
    Release,
)
from updater.releases.readers.hcpcs_report import TYPE, UNKNOWN
from updater.releases.verify import Disagreement, Verification
from updater.revisions import same_in_substance
from updater.vocabulary import ChangeKind, RecordType, RevisionScope

LETTERS = {
    "A": "add", "B": "change in coverage and long description",
    "C": "change in long description", "D": "discontinue",
    "F": "change in coverage (administrative data)", "N": "no maintenance",
    "P": "payment change", "R": "re-activate", "S": "change in short description",
    "T": "miscellaneous change (BETOS, type of service)",
}

# What each attribute column is flagged by (record layout, field 30 and the action code key).
COVERAGE = "coverage"
PAYMENT = "payment"
MISC = "BETOS or type of service"
_GROUPS = {
    COVERAGE: ("coverage",),
    PAYMENT: ("pricing_indicator_1", "pricing_indicator_2", "pricing_indicator_3",
              "pricing_indicator_4", "multiple_pricing", "asc_group", "asc_effective_date",
              "opps_group", "opps_indicator", "opps_effective_date", "anesthesia_units"),
    MISC: ("betos", *(f"type_of_service_{i}" for i in range(1, 6))),
}
GROUP_OF = {name: group for group, names in _GROUPS.items() for name in names}
LETTER_OF_GROUP = {COVERAGE: "F", PAYMENT: "P", MISC: "T"}
# Fields no letter covers, with the xlsx names people know them by.
UNTRACKED = {
    **{f"xref{i}": f"XREF{i}" for i in range(1, 6)},
    **{f"lab_cert_{i}": f"LABCERT{i}" for i in range(1, 9)},
    **{f"cim_{i}": f"CIM{i}" for i in range(1, 4)},
    **{f"mcm_{i}": f"MCM{i}" for i in range(1, 4)},
    "statute": "STATUTE", "processing_note": "PROCNOTE",
}
# Letters that account for changes to the fields no letter covers: D and R bring
# administrative changes with them (a discontinued code gets its replacement in XREF1),
# F and B are the layout's "change in administrative data".
_ADMINISTRATIVE = {"D", "R", "F", "B"}
_LONG_SCOPES = {RevisionScope.LONG.value, RevisionScope.BOTH.value}
_SHORT_SCOPES = {RevisionScope.SHORT.value, RevisionScope.BOTH.value}


@dataclass
class _Code:
    """What the diff found for one code, gathered from its change rows."""

    kinds: set[str] = field(default_factory=set)
    revision: str = ""  # scope of a substantive title change
    cosmetic: set[str] = field(default_factory=set)  # titles changed in case/space only
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    titles: dict[str, tuple[str, str]] = field(default_factory=dict)  # short/long: old, new

    def groups(self) -> set[str]:
        return {GROUP_OF[f] for f in self.fields if f in GROUP_OF}


@dataclass
class _Issue:
    message: str
    explanation: str = ""  # "category: details", empty when the cause is unknown
    in_between: str = ""  # ACT EFF DT of a change made by a release between the two
    claim: str = ""  # the letter, when the issue is a change the letter claims


def _gather(changes: pd.DataFrame) -> dict[str, _Code]:
    found: dict[str, _Code] = {}
    for row in changes.itertuples(index=False):  # change rows: a few hundred, not the release
        code = found.setdefault(str(row.code), _Code())
        kind = str(row.kind)
        code.kinds.add(kind)
        if kind == ChangeKind.REVISED.value and not getattr(row, "cosmetic", False):
            code.revision = str(row.revision)  # a cosmetic-marked revision needs no letter
        if kind in (ChangeKind.REVISED.value, ChangeKind.COSMETIC.value):
            for title in ("short", "long"):
                old, new = str(getattr(row, f"old_{title}")), str(getattr(row, f"new_{title}"))
                if old != new:
                    code.titles[title] = (old, new)
                    if same_in_substance(old, new):
                        code.cosmetic.add(title)
        if kind == ChangeKind.ATTRIBUTES.value and isinstance(row.fields, dict):
            code.fields.update(row.fields)
    return found


def _claims(letter: str, code: _Code, is_new: bool) -> list[str]:
    """What the letter says happened that the diff did not find."""
    kinds, missing = code.kinds, []
    terminated = ChangeKind.TERMINATED.value in kinds
    if letter == "A" and not is_new:
        missing.append("ACTION CD A (add), but the code is in the older release too")
    if letter == "D" and not terminated:
        missing.append("ACTION CD D (discontinue), but the code is not discontinued here")
    if letter == "R" and ChangeKind.REINSTATED.value not in kinds:
        missing.append("ACTION CD R (re-activate), but the code was not discontinued before")
    if letter in ("C", "B") and code.revision not in _LONG_SCOPES:
        missing.append(f"ACTION CD {letter} ({LETTERS[letter]}), but the long description "
                       "did not change")
    if letter == "S" and code.revision not in _SHORT_SCOPES:
        missing.append("ACTION CD S (change in short description), but the short description "
                       "did not change")
    for group in (COVERAGE, PAYMENT, MISC):
        wanted = letter == LETTER_OF_GROUP[group] or (letter == "B" and group == COVERAGE)
        if wanted and group not in code.groups():
            missing.append(f"ACTION CD {letter} ({LETTERS[letter]}), but no {group} field "
                           "changed")
    return missing


def _unflagged(letter: str, code: _Code, is_new: bool) -> list[tuple[str, str]]:
    """Changes the diff found that the letter does not account for: (message, what)."""
    kinds, found = code.kinds, []
    if is_new and letter not in ("A", "D"):
        found.append((f"the diff finds the code added, but ACTION CD is {letter}", "added"))
    if not is_new and ChangeKind.TERMINATED.value in kinds and letter != "D":
        found.append((f"the diff finds the code discontinued, but ACTION CD is {letter}",
                      "terminated"))
    if ChangeKind.REINSTATED.value in kinds and letter != "R":
        found.append((f"the diff finds the code re-activated, but ACTION CD is {letter}",
                      "reinstated"))
    title = "long" if code.revision in _LONG_SCOPES else "short" if code.revision else ""
    if title and (letter in ("D", "R") or (title == "long" and letter not in ("C", "B"))
                  or (title == "short" and letter != "S")):
        found.append((f"the diff finds the {_scope_words(code.revision)} revised, but "
                      f"ACTION CD is {letter}", title))
    if letter in ("A", "D", "R"):
        return found  # the action brings its administrative changes with it
    for group in sorted(code.groups()):
        if letter != LETTER_OF_GROUP[group] and not (letter == "B" and group == COVERAGE):
            names = ", ".join(sorted(f for f in code.fields if GROUP_OF.get(f) == group))
            found.append((f"the diff finds a {group} change ({names}), but ACTION CD is "
                          f"{letter}", group))
    untracked = sorted(f for f in code.fields if f in UNTRACKED)
    if untracked and letter not in _ADMINISTRATIVE:
        found.append((f"the diff finds {_field_words(untracked, code)} changed, "
                      f"but ACTION CD is {letter}", "untracked"))
    unknown = sorted(f for f in code.fields if f not in UNTRACKED and f not in GROUP_OF)
    if unknown:
        found.append((f"the diff finds {', '.join(unknown)} changed, a field no ACTION CD "
                      "letter is known to cover", "unknown"))
    return found


def _scope_words(scope: str) -> str:
    return {RevisionScope.BOTH.value: "long and short descriptions",
            RevisionScope.LONG.value: "long description",
            RevisionScope.SHORT.value: "short description"}.get(scope, "description")


def _field_words(names: Iterable[str], code: _Code) -> str:
    parts = []
    for name in names:
        change = code.fields.get(name, {})
        parts.append(f"{UNTRACKED.get(name, name)} {change.get('old', '')!r} -> "
                     f"{change.get('new', '')!r}")
    return ", ".join(parts)


_TOKEN = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")  # words and numbers, and each punctuation mark
_WORD = re.compile(r"[a-z]+")


def _osa_distance(a: str, b: str) -> int:
    """Edits between two words (insert, delete, substitute, swap two neighbours)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def spelling_fixes(old: str, new: str) -> list[tuple[str, str]] | None:
    """The corrected words when ``new`` only corrects misspelt words of ``old`` (same words
    otherwise; each fix one edit in a word of five letters or more, not a plural, at most
    two fixes); else None."""
    a, b = _TOKEN.findall(old.lower()), _TOKEN.findall(new.lower())
    if len(a) != len(b):
        return None
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    if not pairs or len(pairs) > 2:
        return None
    for x, y in pairs:
        if not (_WORD.fullmatch(x) and _WORD.fullmatch(y)) or min(len(x), len(y)) < 5:
            return None
        if x + "s" == y or y + "s" == x or _osa_distance(x, y) != 1:
            return None
    return pairs


# Explanation categories: each explanation reads "category: details".
LATE = "late action for the older year"
IN_BETWEEN = "made by a release in between"
LATER_BASE = "counted from a release in between"
FLAGGED_AGAIN = "flagged again"
SPELLING = "spelling correction"
ONE_LETTER = "one letter for several changes"
UNTRACKED_FIELD = "field no letter covers"
NO_T = "no T in the file"
COSMETIC = "cosmetic title change"
LATER_DISCONTINUATION = "discontinued after the effective date"
# Publisher inconsistencies: CMS's own files disagree with themselves.
ALREADY_LISTED = "flagged A, already listed"
NEW_AS_CHANGE = "new, flagged as a change"
LISTED_AGAIN = "listed again without A or R"
DROPPED = "dropped without TERM DT"
DISCONTINUED_CHANGED = "change to a discontinued code"
UNDONE = "action undone"
UNDATED = "unflagged, undated change"
NOT_IN_REPORT = "not in the transaction report"
NOT_IN_FILE = "in the transaction report, not in the file"
REPORT_LETTER = "transaction report and ACTION CD differ"
REPORT_TEXT = "transaction report description differs"
INCONSISTENCIES = (ALREADY_LISTED, NEW_AS_CHANGE, LISTED_AGAIN, DROPPED, DISCONTINUED_CHANGED,
                   UNDONE, UNDATED, NOT_IN_REPORT, NOT_IN_FILE, REPORT_LETTER, REPORT_TEXT)
# Pairs of (letter given, change left unflagged) that one other letter names together:
# B is coverage and long description, C covers a change to both descriptions.
_ONE_LETTER_NAMES_BOTH = {("C", COVERAGE), ("F", "long"), ("S", "long")}
_CHANGE_LETTERS = frozenset("BCFPST")
_LIFECYCLE = ("added", "terminated", "reinstated")


@dataclass
class _Context:
    old: Release
    new: Release
    old_rows: pd.DataFrame  # indexed by code
    uses_t: bool

    @property
    def since(self) -> str:
        return self.old.effective.isoformat()

    @property
    def until(self) -> str:
        return self.new.effective.isoformat()

    def before(self, code: str, column: str) -> str:
        """The older file's value of ``column`` for ``code`` ("" when it lacks the code)."""
        if code not in self.old_rows.index:
            return ""
        return str(self.old_rows.at[code, column] or "")

    def late_action(self, code: str, row: Any) -> str:
        """Why a change went unflagged when it is dated in the older release's year, on or
        before its effective date, and the older file does not have it (so it was made
        after that file was published), or ""."""
        acted = _value(row, ACTION_EFFECTIVE_DATE)
        if not acted or acted > self.since or acted[:4] != self.since[:4]:
            return ""
        before = self.before(code, ACTION_EFFECTIVE_DATE)
        if before >= acted:
            return ""
        was = (f"ACT EFF DT was {before}" if before else
               "the code is not in that file" if code not in self.old_rows.index else
               "no ACT EFF DT there")
        return (f"{LATE}: made by an update effective {acted} ({was}), published after the "
                f"{self.old.version} file, so the {self.new.version} ACTION CD does not flag "
                "it")

    def in_between(self, row: Any) -> str:
        """The ACT EFF DT of a change made by a release between the two, or ""."""
        acted = _value(row, ACTION_EFFECTIVE_DATE)
        return acted if self.since < acted < self.until else ""

    def already_listed(self, code: str, row: Any) -> str:
        """Why an A names a code the older file already has, or "": it was added again
        after the older release took effect, or the older file already has this addition
        (added after it took effect, in a re-published file, or under the same ACT EFF DT:
        the newer list counts from an earlier release than the older file)."""
        added, before = _value(row, ADD_DATE), self.before(code, ADD_DATE)
        if code not in self.old_rows.index or not added:
            return ""
        if before != added and added > self.since:
            return (f"{ALREADY_LISTED}: added again {added} (ADD DT {before or 'blank'} in "
                    f"{self.old.version}), and the newer file flags the new addition, not a "
                    "change")
        if before == added and (added > self.since or self.same_action(code, row)):
            after = f", after {self.old.version} took effect" if added > self.since else ""
            return (f"{ALREADY_LISTED}: the {self.old.version} file already lists it, added "
                    f"{added}{after}, and the newer file flags the addition again: its list "
                    f"counts from an earlier release than that file")
        return ""

    def same_action(self, code: str, row: Any) -> bool:
        """The older file already has the newer file's latest action (same ACT EFF DT)."""
        acted = _value(row, ACTION_EFFECTIVE_DATE)
        return bool(acted) and acted == self.before(code, ACTION_EFFECTIVE_DATE)

    def flagged_again(self, code: str, letter: str, row: Any) -> str:
        """Why a letter names a change the older file already has, or ""."""
        if code not in self.old_rows.index or not self.same_action(code, row):
            return ""
        return (f"{FLAGGED_AGAIN}: the {self.old.version} file already has this action (ACT "
                f"EFF DT {_value(row, ACTION_EFFECTIVE_DATE)}), and ACTION CD {letter} "
                f"repeats it: the {self.new.version} list counts from an earlier release "
                f"than {self.old.version}")

    def new_as_change(self, code: str, letter: str, row: Any) -> str:
        """Why a code the older file lacks carries a change letter, or ""."""
        added, acted = _value(row, ADD_DATE), _value(row, ACTION_EFFECTIVE_DATE)
        if (code in self.old_rows.index or letter not in _CHANGE_LETTERS
                or not added > self.since or not added < acted):
            return ""
        return (f"{NEW_AS_CHANGE}: added {added} (ADD DT), after {self.old.version} took "
                f"effect, and changed {acted} (ACT EFF DT), and ACTION CD {letter} names the "
                "later change, not the addition")

    def listed_again(self, code: str, letter: str, row: Any) -> str:
        """Why a code the older file lacks is back unflagged, or ""."""
        added = _value(row, ADD_DATE)
        if code in self.old_rows.index or letter in ("A", "R") or not added or added >= self.since:
            return ""
        return (f"{LISTED_AGAIN}: not in the {self.old.version} file, yet its ADD DT {added} "
                f"is before {self.old.version} took effect, and CMS lists it again with ACTION CD "
                f"{letter}, not A (add) or R (re-activate)")

    def discontinued_changed(self, code: str, letter: str) -> str:
        """Why a change to a code discontinued in the older file went unflagged, or ""."""
        term = self.before(code, TERMINATION_DATE)
        if code not in self.old_rows.index or not term or term > self.since:
            return ""
        return (f"{DISCONTINUED_CHANGED}: discontinued {term} (TERM DT in "
                f"{self.old.version}), and CMS changed it since with ACTION CD {letter}")

    def undone(self, code: str, letter: str, row: Any) -> str:
        """Why a change went unflagged when ACT EFF DT went back to an earlier date, or ""."""
        acted, before = _value(row, ACTION_EFFECTIVE_DATE), self.before(code, ACTION_EFFECTIVE_DATE)
        if code not in self.old_rows.index or not acted or not before or acted >= before:
            return ""
        was = self.before(code, ACTION_CODE)
        return (f"{UNDONE}: ACT EFF DT went back from {before} to {acted}: the "
                f"{self.new.version} file withdraws the {self.old.version} file's action "
                f"(ACTION CD {was or 'blank'} there) with ACTION CD {letter}")

    def undated(self, code: str, letter: str, row: Any) -> str:
        """Why a change went unflagged when the newer file neither flags nor dates it."""
        acted, before = _value(row, ACTION_EFFECTIVE_DATE), self.before(code, ACTION_EFFECTIVE_DATE)
        if code not in self.old_rows.index or letter != "N" or (acted and acted != before):
            return ""
        date_words = (f"ACT EFF DT stays {acted}" if acted else
                      f"ACT EFF DT is blank (was {before or 'blank'})")
        return (f"{UNDATED}: ACTION CD N and {date_words}: nothing in the {self.new.version} "
                "file flags or dates the change")


def _value(row: Any, column: str) -> str:
    value = getattr(row, column, "")
    return "" if value is None or value != value else str(value)


def _spelling(found: _Code) -> str:
    """The words corrected, when every substantive title change is a spelling fix."""
    fixes: list[tuple[str, str]] = []
    for old, new in found.titles.values():
        if same_in_substance(old, new):
            continue  # this title changed in case or spacing only
        words = spelling_fixes(old, new)
        if words is None:
            return ""
        fixes.extend(words)
    return ", ".join(f"{x!r} -> {y!r}" for x, y in dict.fromkeys(fixes))


def _explain(issue: _Issue, what: str, letter: str, code: str, found: _Code, row: Any,
             ctx: _Context) -> None:
    """Fill in the explanation of a change the letter does not account for, when its cause
    is one of the known ones: CMS's practice first, then its inconsistencies."""
    if what == "unknown":
        return
    explanation = (
        (ctx.already_listed(code, row) if letter == "A" else "")
        or ctx.new_as_change(code, letter, row)
        or ctx.late_action(code, row))
    if not explanation and what in ("long", "short") and (words := _spelling(found)):
        explanation = f"{SPELLING}: {words}, which CMS does not flag"
    elif not explanation and what == "untracked":
        explanation = (f"{UNTRACKED_FIELD}: the action code key limits F and B to "
                       "coverage, P to payment, T to BETOS and type of service")
    elif not explanation and what == MISC and not ctx.uses_t:
        explanation = (f"{NO_T}: no code of {ctx.new.version} has ACTION CD T, so CMS "
                       "flagged no BETOS or type of service change")
    elif (not explanation and letter in LETTERS and letter != "N"
          and (letter, what) not in _ONE_LETTER_NAMES_BOTH and what not in _LIFECYCLE
          and not _claims(letter, found, is_new=False)):
        explanation = (f"{ONE_LETTER}: ACTION CD {letter} names the "
                       f"{LETTERS[letter]}, and no one letter names both")
    if not explanation and (acted := ctx.in_between(row)):
        issue.in_between = acted
        explanation = (f"{IN_BETWEEN}: ACT EFF DT {acted} is after {ctx.old.version} "
                       f"({ctx.since}) and before {ctx.new.version} ({ctx.until}), and the "
                       f"{ctx.new.version} list counts from a later release")
    if not explanation and what == "added":
        explanation = ctx.listed_again(code, letter, row)
    if not explanation and what not in ("added", "reinstated"):
        explanation = (
            (ctx.discontinued_changed(code, letter) if what != "terminated" else "")
            or ctx.undone(code, letter, row) or ctx.undated(code, letter, row))
    issue.explanation = explanation


def _explain_claim(issue: _Issue, letter: str, found: _Code, code: str, row: Any,
                   ctx: _Context) -> None:
    """Fill in the explanation of a letter the diff does not support, when known."""
    title = {"C": "long", "B": "long", "S": "short"}.get(letter)
    if letter == "A":
        issue.explanation = ctx.already_listed(code, row)
    elif explanation := ctx.new_as_change(code, letter, row):
        issue.explanation = explanation
    elif title and title in found.cosmetic:
        issue.explanation = (f"{COSMETIC}: the {title} description changed in letter case "
                             "or whitespace only")
    elif letter == "D" and (term := _value(row, TERMINATION_DATE)) > ctx.until:
        issue.explanation = (f"{LATER_DISCONTINUATION}: TERM DT {term} is after "
                             f"{ctx.until}, so the code is still valid in "
                             f"{ctx.new.version}")
    else:
        issue.explanation = ctx.flagged_again(code, letter, row)


@dataclass
class _Listed:
    """The publisher's letters by code: the transaction report's where it has one, else
    the file's ACTION CD; and the report's row of each code."""

    letters: pd.Series
    lines: dict[str, int]
    against: str
    checked: int
    issues: dict[str, list[_Issue]]  # report vs file, by code


def _from_file(table: pd.DataFrame, new: Release) -> _Listed:
    letters = table.set_index(CODE)[ACTION_CODE].fillna("").astype(str)
    return _Listed(letters=letters, lines={}, against=f"ACTION CD of {new.id}",
                   checked=int((letters != "").sum()), issues={})


def _from_report(report: PublisherChanges, table: pd.DataFrame) -> _Listed:
    """The report's letters, and every place where report and file disagree."""
    entries = report.entries
    name = report.source.rsplit("!", 1)[-1].rsplit("/", 1)[-1].split(" (sheet ", 1)[0]
    issues: dict[str, list[_Issue]] = {}

    def add(code: str, issue: _Issue) -> None:
        issues.setdefault(code, []).append(issue)

    twice = entries[CODE].duplicated(keep="first")
    for row in entries[twice].itertuples(index=False):
        first = int(entries.loc[entries[CODE] == row.code, "line"].iloc[0])
        add(str(row.code), _Issue(f"the transaction report lists {row.code} twice (rows "
                                  f"{first} and {row.line})"))
    entries = entries[~twice]
    for row in entries[(entries["action"] == UNKNOWN)].itertuples(index=False):
        add(str(row.code) or f"row {row.line}", _Issue(
            f"row {row.line} of the transaction report cannot be read: type of change "
            f"{row.type!r} names no ACTION CD letter" if row.code else
            f"row {row.line} of the transaction report names no code"))
    listed = entries.set_index(CODE)
    file_rows = table.set_index(CODE)
    file_letters = file_rows[ACTION_CODE].fillna("").astype(str)
    missing = file_letters.index.difference(listed.index, sort=False)
    for code in missing:
        add(str(code), _Issue(
            f"the transaction report does not list {code} (its ACTION CD is "
            f"{file_letters[code] or 'blank'})",
            f"{NOT_IN_REPORT}: CMS left it out of {name}, so the file's ACTION CD is "
            "checked"))
    for code in listed.index.difference(file_letters.index, sort=False):
        if not code:
            continue
        add(str(code), _Issue(
            f"the transaction report lists {code} ({listed.at[code, TYPE]!s}), the file "
            "does "
            "not have it", f"{NOT_IN_FILE}: CMS's report names a code its file lacks"))
    both = listed.index.intersection(file_letters.index, sort=False)
    pub = listed.loc[both]
    known = pub["action"] != UNKNOWN
    differ = known & (pub["action"] != file_letters.loc[both])
    for code in pub.index[differ]:
        add(str(code), _Issue(
            f"the transaction report says {str(pub.at[code, TYPE])!r} "
            f"({pub.at[code, 'action']!s}), "
            f"the file's ACTION CD is {file_letters[code] or 'blank'}",
            f"{REPORT_LETTER}: CMS's two lists disagree, and the report's letter is "
            "checked"))
    _check_texts(pub, file_rows.loc[both], add)
    letters = file_letters.copy()
    letters.loc[pub.index[known]] = pub.loc[known, "action"]
    return _Listed(letters=letters, lines={str(c): int(v) for c, v in listed["line"].items()},
                   against=f"CMS transaction report {report.source.rsplit('/', 1)[-1]}",
                   checked=len(report.entries), issues=issues)


def _folded(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.split().str.join(" ")


def _check_texts(pub: pd.DataFrame, rows: pd.DataFrame, add: Any) -> None:
    """The report's descriptions (when it has them) against the file's, blanks folded as the
    readers fold them. The report's long description may be only the start of the file's
    (the text of its first record, or as much as a .prn column holds)."""
    for column, words in ((SHORT, "short"), (LONG, "long")):
        given, have = _folded(pub[column]), _folded(rows[column])
        if not (given != "").any():
            continue
        same = (given == have).to_numpy(copy=True)
        if column == LONG:
            same |= np.char.startswith(have.to_numpy(dtype=str), given.to_numpy(dtype=str))
        for code in given.index[(given != "").to_numpy() & ~same]:
            add(str(code), _Issue(
                f"the transaction report's {words} description of {code} is "
                f"{pub.at[code, column]!r}, the file's {rows.at[code, column]!r}",
                f"{REPORT_TEXT}: CMS's report and file describe the code differently"))


def reconcile(changes: pd.DataFrame, old: Release, new: Release) -> Verification:
    """Every code whose publisher letter (transaction report, else ACTION CD) and computed
    changes disagree, explained where the cause is known; every code dropped from the file
    that was never discontinued; and every place where the report and the file disagree."""
    table = new.table
    report = new.publisher_changes
    if ACTION_CODE not in table:
        return Verification(against=f"ACTION CD of {new.id}")
    listed = (_from_report(report, table) if report is not None and TYPE in report.entries
              else _from_file(table, new))
    result = Verification(against=listed.against, checked=listed.checked)
    old_rows = old.table.set_index(CODE)
    letters = listed.letters
    ctx = _Context(old=old, new=new, old_rows=old_rows, uses_t=bool((letters == "T").any()))
    found = _gather(changes)
    pending = dict(listed.issues)
    interesting = table[(table[CODE].map(letters).fillna("") != "N")
                        | table[CODE].isin(list(found)) | table[CODE].isin(list(pending))]
    found_issues: list[tuple[str, str, list[_Issue]]] = []
    for row in interesting.itertuples(index=False):
        code = str(getattr(row, CODE))
        letter = str(letters.get(code, "") or "")
        issues = pending.pop(code, [])
        if letter:
            issues += _letter_issues(code, letter, found.get(code, _Code()), row, ctx)
        if issues:
            found_issues.append((code, str(getattr(row, RECORD)), issues))
    for code, issues in pending.items():  # codes of the report that the file lacks
        record = RecordType.MODIFIER.value if len(code) == 2 else RecordType.CODE.value
        found_issues.append((code, record, issues))
    _check_base(found_issues, letters, table, ctx, result)
    result.disagreements = [_disagreement(code, record, issues, listed.lines.get(code))
                            for code, record, issues in found_issues]
    _check_dropped(changes, old, new, result)
    return result


def _letter_issues(code: str, letter: str, mine: _Code, row: Any, ctx: _Context) -> list[_Issue]:
    if letter not in LETTERS:
        return [_Issue(f"unknown ACTION CD {letter!r}")]
    is_new = code not in ctx.old_rows.index
    issues = []
    for message in _claims(letter, mine, is_new):
        issue = _Issue(message, claim=letter if letter in _CHANGE_LETTERS else "")
        _explain_claim(issue, letter, mine, code, row, ctx)
        issues.append(issue)
    for message, what in _unflagged(letter, mine, is_new):
        issue = _Issue(message)
        _explain(issue, what, letter, code, mine, row, ctx)
        issues.append(issue)
    return issues


def _check_base(found: list[tuple[str, str, list[_Issue]]], letters: pd.Series,
                table: pd.DataFrame, ctx: _Context, result: Verification) -> None:
    """Changes dated between the two releases and not flagged mean that the newer list
    counts from a later release than the older one (a release file: changes dated on its
    effective date but made after it was published are flagged, as late actions are),
    unless the newer file flags other changes made before the latest of them: then they
    are left unexplained. When the list counts from a later release, a letter naming a
    change the diff does not find names one since that release: the change of a release in
    between, undone."""
    between = [i for _, _, issues in found for i in issues if i.in_between]
    if not between:
        return
    latest = max(i.in_between for i in between)
    acted = table[ACTION_EFFECTIVE_DATE].fillna("").astype(str)
    flagged = acted[(table[CODE].map(letters).fillna("N") != "N").to_numpy()]
    if ((flagged > ctx.since) & (flagged < latest)).any():
        for issue in between:
            issue.explanation = ""
        return
    for code, _, issues in found:
        for issue in issues:
            if issue.claim and not issue.explanation and code in ctx.old_rows.index:
                issue.explanation = (
                    f"{LATER_BASE}: ACTION CD {issue.claim} names a change since the release "
                    f"the {ctx.new.version} list counts from, and the diff from "
                    f"{ctx.old.version} does not show it (a change made in between, undone)")
    dates = ", ".join(sorted({i.in_between for i in between}))
    codes = sum(1 for _, _, issues in found if any(i.in_between for i in issues))
    result.unverifiable = (
        f"the {ctx.new.version} list counts from a later release than {ctx.old.version}: "
        f"it flags no change made before {latest}, and {codes} codes changed by releases "
        f"in between (ACT EFF DT {dates}) cannot be checked against it line by line; import "
        "those releases and diff through them")


def _disagreement(code: str, record: str, issues: list[_Issue],
                  line: int | None = None) -> Disagreement:
    return Disagreement(
        code=code, record=record, message="; ".join(i.message for i in issues),
        explained=all(i.explanation for i in issues), line=line,
        explanation="; ".join(dict.fromkeys(i.explanation for i in issues if i.explanation)),
    )


def explanation_categories(result: Verification) -> dict[str, int]:
    """How many disagreements each explanation category accounts for ("unexplained" for
    the rest); a disagreement with two causes counts under both."""
    counts: dict[str, int] = {}
    for d in result.disagreements:
        names = ({part.split(": ", 1)[0] for part in d.explanation.split("; ")}
                 if d.explained else {"unexplained"})
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    return counts


def codes_by_category(result: Verification) -> dict[str, list[str]]:
    """The codes of each explanation category ("unexplained" for the rest), in file order."""
    codes: dict[str, list[str]] = {}
    for d in result.disagreements:
        names = ([part.split(": ", 1)[0] for part in d.explanation.split("; ")]
                 if d.explained else ["unexplained"])
        for name in dict.fromkeys(names):
            codes.setdefault(name, []).append(d.code)
    return codes


def _check_dropped(changes: pd.DataFrame, old: Release, new: Release,
                   result: Verification) -> None:
    """A code leaves the file four years after its discontinuation (CMS README); one that
    leaves without ever being discontinued is a publisher inconsistency, named by code."""
    deleted = changes[changes["kind"] == ChangeKind.DELETED.value]
    if deleted.empty or TERMINATION_DATE not in old.table:
        return
    term = old.table.set_index(CODE)[TERMINATION_DATE].fillna("")
    until = new.effective.isoformat()
    for row in deleted.itertuples(index=False):
        code = str(row.code)
        when = str(term.get(code, ""))
        if when and when <= until:
            continue
        result.disagreements.append(Disagreement(
            code=code, record=str(row.record), explained=True,
            message=f"{code} left the file without being discontinued (no TERM DT in "
            f"{old.version})" if not when else
            f"{code} left the file although its TERM DT {when} is after {until}",
            explanation=f"{DROPPED}: CMS removed it from the {new.version} file without "
            "discontinuing it first" if not when else
            f"{DROPPED}: CMS removed it before its TERM DT"))
