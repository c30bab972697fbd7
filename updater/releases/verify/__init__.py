"""Checking a computed diff against the publisher's own change list."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Disagreement:
    """One place where the computed diff and the publisher's list differ."""

    code: str
    message: str  # what differs, in plain words
    explained: bool = False  # True when we know why (and it is not an error in the diff)
    explanation: str = ""
    line: int | None = None  # line in the publisher's file, when there is one
    record: str = ""  # code / header / modifier

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "record": self.record, "message": self.message,
                "explained": self.explained, "explanation": self.explanation,
                "line": self.line}


@dataclass
class Verification:
    """The result of checking a diff against the publisher's list."""

    against: str  # what was checked against, for people: "CDC order addenda (file)"
    checked: int = 0  # publisher entries checked
    disagreements: list[Disagreement] = field(default_factory=list)
    # (what, publisher count, computed count)
    summary_checks: list[tuple[str, int, int]] = field(default_factory=list)
    # why part of the diff could not be checked against this list (it counts from another
    # release than OLD); a check that could not check everything does not pass
    unverifiable: str = ""
    # why a summary count differs although nothing is wrong, by the check's "what"
    summary_explanations: dict[str, str] = field(default_factory=dict)

    @property
    def unexplained(self) -> list[Disagreement]:
        return [d for d in self.disagreements if not d.explained]

    @property
    def summary_matches(self) -> bool:
        return all(pub == ours or what in self.summary_explanations
                   for what, pub, ours in self.summary_checks)

    @property
    def ok(self) -> bool:
        return not self.unexplained and self.summary_matches and not self.unverifiable

    def as_dict(self) -> dict[str, object]:
        return {
            "against": self.against, "checked": self.checked, "ok": self.ok,
            "unverifiable": self.unverifiable,
            "summary": [{"what": w, "publisher": p, "computed": o,
                         "explanation": self.summary_explanations.get(w, "")}
                        for w, p, o in self.summary_checks],
            "disagreements": [d.as_dict() for d in self.disagreements],
        }
