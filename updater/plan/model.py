"""The migration plan's shape, shared by ``updater plan`` (which writes it) and
``updater apply`` / ``updater revert`` (which read it back).

A plan is a table, one row per proposed action, plus its identity. It travels as JSON
(``plan.json``) and as a review workbook (``plan.xlsx``: sheets "Summary", "Plan" and
"Plan identity"); ``apply`` reads either.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PLAN_ROW = "plan_row"  # 1-based, stable id of the plan row
SECTION = "section"  # "chargemaster" or "crosswalk"
ACTION = "action"  # PlanAction value
SOURCE_ROW = "source_row"  # 1-based data row in the chargemaster / crosswalk (header excluded)
CHARGE_CODE = "charge_code"
DESCRIPTION = "description"  # the line's own description, as in the chargemaster
OLD_CODE = "old_code"
PROPOSED = "proposed_codes"  # comma-separated successor codes ("" for retire/review)
# update_description: the new official title (what apply writes); replace, split and
# add_pair: the official title of each proposed code (one code: the title; several: one
# "CODE title" line each); add_pair's is written into a crosswalk's description column
PROPOSED_TEXT = "proposed_description"
OLD_TITLE = "old_title"  # the old code's official title (in the release in force)
RELATION = "relation"  # Relation value of the candidates
CANDIDATE_SOURCE = "candidate_source"  # where the candidates came from
SYSTEM = "system"
EFFECTIVE = "effective"  # the new release's effective date, ISO
REASON = "reason"  # plain words
FINDING = "finding"  # the scan's FindingKind behind the row
DEFAULT_DECISION = "default_decision"  # approved only for one-to-one authoritative
DECISION = "decision"  # Decision value (the reviewer's; starts as the default)
REPLACEMENT = "replacement"  # reviewer-editable code(s) (with decision "changed")
CHARGES_AT_RISK = "charges_at_risk"
PAIR_PROCEDURE = "procedure"  # crosswalk rows: the pair
PAIR_DIAGNOSIS = "diagnosis"
REVIEWER = "reviewer"  # who decided the row (the reviewer types it)
REVIEWED_ON = "reviewed_on"  # when, ISO yyyy-mm-dd
COMMENT = "comment"  # the reviewer's note

PLAN_COLUMNS = (PLAN_ROW, SECTION, ACTION, SOURCE_ROW, CHARGE_CODE, DESCRIPTION, OLD_CODE,
                OLD_TITLE, PROPOSED, PROPOSED_TEXT, RELATION, CANDIDATE_SOURCE, SYSTEM,
                EFFECTIVE, REASON, FINDING, DEFAULT_DECISION, DECISION, REPLACEMENT,
                REVIEWER, REVIEWED_ON, COMMENT, CHARGES_AT_RISK, PAIR_PROCEDURE,
                PAIR_DIAGNOSIS)
# Columns added after the first plans were written: a plan without them reads as blank.
OPTIONAL_COLUMNS = (OLD_TITLE, REVIEWER, REVIEWED_ON, COMMENT)


@dataclass
class PlanIdentity:
    """What the plan was made from; ``apply`` checks the chargemaster against it."""

    plan_id: str
    created: str  # ISO timestamp
    releases: list[dict[str, str]] = field(default_factory=list)  # id, system, effective, source
    chargemaster: str = ""  # path as given
    chargemaster_sha256: str = ""
    crosswalk: str = ""
    crosswalk_sha256: str = ""
    tool_version: str = ""
    # how the crosswalk writes ICD-10-CM codes (updater.codes: "dotted", "plain"; "" when
    # not known): the workbook and the reports write them the same way
    crosswalk_spelling: str = ""
