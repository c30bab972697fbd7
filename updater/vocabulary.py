"""The project's one vocabulary: code systems, record types, kinds of change.

Diff, verification, store, scan, plan and reports all use these names, so a
kind of change is spelled the same in the terminal, JSON, CSV and HTML.
"""

from __future__ import annotations

from enum import StrEnum


class CodeSystem(StrEnum):
    ICD10CM = "icd10cm"
    HCPCS = "hcpcs"
    CPT = "cpt"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return {
            "icd10cm": "ICD-10-CM",
            "hcpcs": "HCPCS Level II",
            "cpt": "CPT",
            "custom": "custom code set",
        }[self.value]


class RecordType(StrEnum):
    """What a row of a release is."""

    CODE = "code"  # billable / reportable code
    HEADER = "header"  # ICD-10-CM category or subcategory, not valid for HIPAA transactions
    MODIFIER = "modifier"  # HCPCS / CPT two-character modifier
    # ICD-10-CM tabular chapters and sections: they carry instructional notes, so they are
    # rows of a release's notes and of notes changes, never rows of a release table
    CHAPTER = "chapter"
    SECTION = "section"


class ChangeKind(StrEnum):
    """Kinds of change between two releases of one code set."""

    ADDED = "added"
    DELETED = "deleted"
    REVISED = "revised"  # title changed (see updater.revisions: the publisher's list decides)
    COSMETIC = "cosmetic"  # a title change the publisher's change list does not count
    EXPANDED = "expanded"  # billable code became a header; its new billable children listed
    TERMINATED = "terminated"  # HCPCS: TERM DT on or before the new release's effective date
    REINSTATED = "reinstated"  # HCPCS: was terminated, is active again
    ATTRIBUTES = "attributes"  # other publisher fields (pricing, coverage, XREF ...)
    NOTES = "notes"  # ICD-10-CM tabular: instructional notes of one type added or removed


class NoteType(StrEnum):
    """The ICD-10-CM tabular's instructional notes, named as its XML names them. A note
    element the CDC adds later is kept under its own element name (these are the known
    ones, in the order the reports show them)."""

    INCLUSION_TERM = "inclusionTerm"
    INCLUDES = "includes"
    EXCLUDES1 = "excludes1"
    EXCLUDES2 = "excludes2"
    CODE_FIRST = "codeFirst"
    USE_ADDITIONAL_CODE = "useAdditionalCode"
    CODE_ALSO = "codeAlso"
    NOTES = "notes"
    SEVEN_CHR_NOTE = "sevenChrNote"
    SEVEN_CHR_DEF = "sevenChrDef"  # the 7th characters: one note "A: initial encounter" each

    @property
    def label(self) -> str:
        return {
            "inclusionTerm": "Inclusion terms", "includes": "Includes",
            "excludes1": "Excludes1", "excludes2": "Excludes2", "codeFirst": "Code first",
            "useAdditionalCode": "Use additional code", "codeAlso": "Code also",
            "notes": "Note", "sevenChrNote": "7th character note",
            "sevenChrDef": "7th characters",
        }[self.value]


class RevisionScope(StrEnum):
    """Which titles a revision touched, split as the CDC addenda summary splits them."""

    BOTH = "both"
    LONG = "long"
    SHORT = "short"
    MEDIUM = "medium"  # CPT: only the medium descriptor changed


class Relation(StrEnum):
    """How an old code relates to its successor(s) (used by scan and plan)."""

    EQUIVALENT = "equivalent"
    NARROWER = "narrower"
    BROADER = "broader"
    NONE = "none"


class ReleaseKind(StrEnum):
    """Whether a file is a whole code set or only a list of changes."""

    FULL = "full"
    CHANGES = "changes"  # addenda / errata: applied onto the release before it


class FindingKind(StrEnum):
    """What a scan says about one chargemaster line or crosswalk pair."""

    DELETED = "deleted"  # the code is gone in the new release; candidates say what replaces it
    EXPANDED = "expanded"  # the code became a header; its new billable children
    REVISED = "revised"  # official title changed; the CDM description may need an update
    TERMINATED = "terminated"  # HCPCS TERM DT on or before the new release's effective date
    NOT_BILLABLE = "not_billable"  # a header in the new release (stale codes are common)
    DELETED_EARLIER = "deleted_earlier"  # in neither release: deleted before the old one
    NOT_IN_RELEASE = "not_in_release"  # never in either release: a typo or another code set
    MALFORMED = "malformed"  # not the shape of any code (or blank)
    DESCRIPTION_MISMATCH = "description_mismatch"  # line's text contradicts the official title
    NEW_IN_FAMILY = "new_in_family"  # informational: new codes beside codes the CDM uses


# Findings whose line bills a code that will not be payable: these carry charges at risk.
AT_RISK_KINDS = frozenset({FindingKind.DELETED, FindingKind.TERMINATED, FindingKind.EXPANDED,
                           FindingKind.NOT_BILLABLE, FindingKind.DELETED_EARLIER})


class PlanAction(StrEnum):
    """What a migration plan proposes for one chargemaster line or crosswalk pair."""

    RETIRE = "retire"  # end-date (or inactivate) the line: no successor
    REPLACE = "replace"  # one successor: change the code (or end-date and add a line)
    SPLIT = "split"  # several successors: new lines after the original, original end-dated
    UPDATE_DESCRIPTION = "update_description"  # official title changed
    REVIEW = "review"  # a person must look (not in release, malformed, mismatch ...)
    END_PAIR = "end_pair"  # crosswalk: the pair's code is gone
    ADD_PAIR = "add_pair"  # crosswalk: the successor pair to add


class Decision(StrEnum):
    """A reviewer's decision on a plan row (the workbook shows them capitalized)."""

    APPROVED = "approved"
    PENDING = "pending"
    REJECTED = "rejected"
    CHANGED = "changed"  # approved with the reviewer's own replacement code(s)
