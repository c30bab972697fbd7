"""Reconcile a computed HCPCS diff with the newer file's own change flag, ACTION CD.

CMS gives every procedure and modifier one letter (record layout, field 30, and the
Action Code Key of the transaction report shipped in the same zip):

    A add                   D discontinue           R re-activate
    C long description      S short description     B coverage and long description
    F coverage              P payment               T BETOS or type of service
    N no maintenance

A letter *claims* a change (C: the long description changed), and a computed change
*needs* a letter (a revision with ACTION CD N is unflagged). Every claim the diff does
not support and every change no letter accounts for makes the code a ``Disagreement``.
Each explanation names its cause as ``"category: details"``; the categories are the
causes found in the real files (2017 -> 2018), kept narrow so that a new kind of
disagreement stays unexplained:

- late action for the older year: made effective on or before the older release's
  effective date, after its file was published, so the newer file flags nothing;
- spelling correction (one edit in a word of five letters or more), which CMS does not
  flag;
- one letter for several changes: two changes no single letter names together
  (payment and description), of which CMS flagged one;
- field no letter covers: XREF, lab certification, CIM, MCM, statute, processing note;
- no T in the file: a type of service change when the newer file uses no T at all;
- cosmetic title change: a C or S whose change is in letter case or whitespace only;
- discontinued after the effective date: a D whose TERM DT is later in the year.

Codes the diff finds deleted must have been discontinued in the older file (CMS drops
them four years after their TERM DT); any other deletion is an unexplained disagreement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from updater.model import (
    ACTION_CODE,
    ACTION_EFFECTIVE_DATE,
    CODE,
    RECORD,
    TERMINATION_DATE,
    Release,
)
from updater.revisions import same_in_substance
from updater.verify import Disagreement, Verification
from updater.vocabulary import ChangeKind, RevisionScope

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
SPELLING = "spelling correction"
ONE_LETTER = "one letter for several changes"
UNTRACKED_FIELD = "field no letter covers"
NO_T = "no T in the file"
COSMETIC = "cosmetic title change"
LATER_DISCONTINUATION = "discontinued after the effective date"
# Pairs of (letter given, change left unflagged) that one other letter names together:
# B is coverage and long description, C covers a change to both descriptions.
_ONE_LETTER_NAMES_BOTH = {("C", COVERAGE), ("F", "long"), ("S", "long")}


@dataclass
class _Context:
    old: Release
    new: Release
    old_rows: pd.DataFrame  # indexed by code
    uses_t: bool

    def late_action(self, code: str, row: Any) -> str:
        """Why a change went unflagged when it was made effective for the older release's
        year after that file came out, or ""."""
        acted = str(getattr(row, ACTION_EFFECTIVE_DATE, "") or "")
        if not acted or acted > self.old.effective.isoformat():
            return ""
        before = ""
        if code in self.old_rows.index:
            before = str(self.old_rows.at[code, ACTION_EFFECTIVE_DATE] or "")
            if before >= acted:
                return ""
        was = f"ACT EFF DT was {before}" if before else "the code is not in that file"
        return (f"{LATE}: made by an update effective {acted} ({was}), published after the "
                f"{self.old.version} file, so the {self.new.version} ACTION CD does not flag "
                "it")


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
    is one of the known ones."""
    late = ctx.late_action(code, row) if what != "unknown" else ""
    if late:
        issue.explanation = late
    elif what in ("long", "short") and (words := _spelling(found)):
        issue.explanation = f"{SPELLING}: {words}, which CMS does not flag"
    elif what == "untracked":
        issue.explanation = (f"{UNTRACKED_FIELD}: the action code key limits F and B to "
                             "coverage, P to payment, T to BETOS and type of service")
    elif what == MISC and not ctx.uses_t:
        issue.explanation = (f"{NO_T}: no code of {ctx.new.version} has ACTION CD T, so CMS "
                             "flagged no BETOS or type of service change")
    elif (letter in LETTERS and letter != "N" and (letter, what) not in _ONE_LETTER_NAMES_BOTH
          and what != "unknown" and not _claims(letter, found, is_new=False)):
        issue.explanation = (f"{ONE_LETTER}: ACTION CD {letter} names the "
                             f"{LETTERS[letter]}, and no one letter names both")


def _explain_claim(issue: _Issue, letter: str, found: _Code, row: Any, ctx: _Context) -> None:
    """Fill in the explanation of a letter the diff does not support, when known."""
    title = {"C": "long", "B": "long", "S": "short"}.get(letter)
    if title and title in found.cosmetic:
        issue.explanation = (f"{COSMETIC}: the {title} description changed in letter case "
                             "or whitespace only")
    elif letter == "D":
        term = str(getattr(row, TERMINATION_DATE, "") or "")
        if term > ctx.new.effective.isoformat():
            issue.explanation = (f"{LATER_DISCONTINUATION}: TERM DT {term} is after "
                                 f"{ctx.new.effective.isoformat()}, so the code is still "
                                 f"valid in {ctx.new.version}")


def reconcile(changes: pd.DataFrame, old: Release, new: Release) -> Verification:
    """Every code of ``new`` whose ACTION CD and computed changes disagree, explained where
    the cause is known; and every code dropped from the file that was never discontinued."""
    result = Verification(against=f"ACTION CD of {new.id}")
    table = new.table
    if ACTION_CODE not in table:
        return result
    old_rows = old.table.set_index(CODE)
    ctx = _Context(old=old, new=new, old_rows=old_rows,
                   uses_t=bool((table[ACTION_CODE] == "T").any()))
    found = _gather(changes)
    letters = table[ACTION_CODE].fillna("")
    result.checked = int((letters != "").sum())
    interesting = table[(letters != "N") | table[CODE].isin(list(found))]
    for row in interesting.itertuples(index=False):
        code, letter = str(getattr(row, CODE)), str(getattr(row, ACTION_CODE) or "")
        if not letter:
            continue
        mine = found.get(code, _Code())
        is_new = code not in old_rows.index
        issues: list[_Issue] = []
        if letter not in LETTERS:
            issues.append(_Issue(f"unknown ACTION CD {letter!r}"))
        else:
            for message in _claims(letter, mine, is_new):
                issue = _Issue(message)
                _explain_claim(issue, letter, mine, row, ctx)
                issues.append(issue)
            for message, what in _unflagged(letter, mine, is_new):
                issue = _Issue(message)
                _explain(issue, what, letter, code, mine, row, ctx)
                issues.append(issue)
        if issues:
            result.disagreements.append(_disagreement(code, str(getattr(row, RECORD)), issues))
    _check_dropped(changes, old, new, result)
    return result


def _disagreement(code: str, record: str, issues: list[_Issue]) -> Disagreement:
    return Disagreement(
        code=code, record=record, message="; ".join(i.message for i in issues),
        explained=all(i.explanation for i in issues),
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


def _check_dropped(changes: pd.DataFrame, old: Release, new: Release,
                   result: Verification) -> None:
    """A code leaves the file four years after its discontinuation (CMS README); one that
    leaves without ever being discontinued is a disagreement nobody flagged."""
    deleted = changes[changes["kind"] == ChangeKind.DELETED.value]
    if deleted.empty or TERMINATION_DATE not in old.table:
        return
    term = old.table.set_index(CODE)[TERMINATION_DATE].fillna("")
    for row in deleted.itertuples(index=False):
        code = str(row.code)
        when = str(term.get(code, ""))
        if when and when <= new.effective.isoformat():
            continue
        result.disagreements.append(Disagreement(
            code=code, record=str(row.record),
            message=f"{code} left the file without being discontinued (no TERM DT in "
            f"{old.version})" if not when else
            f"{code} left the file although its TERM DT {when} is after "
            f"{new.effective.isoformat()}"))
