"""The one vocabulary of a plan step: its states, who proposes, the kinds of step.

(A "plan step" is one small concrete thing a person means to do by a date; not to be confused
with a step on the participatieladder, which lives in api/ladder.)
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class StepStatus(StrEnum):
    """Where a plan step is; `str` values, so they compare and store as the plain words."""

    PROPOSED = "proposed"
    AGREED = "agreed"
    DONE = "done"
    DROPPED = "dropped"


# Still to do: at most MAX_OPEN of these per person, so a plan stays small.
OPEN: tuple[StepStatus, ...] = (StepStatus.PROPOSED, StepStatus.AGREED)
CLOSED: tuple[StepStatus, ...] = (StepStatus.DONE, StepStatus.DROPPED)
MAX_OPEN = 3

# Who may propose, agree, finish: the person and their coach ("system" for a person without a
# coach, whose own proposals count as agreed: there is nobody else to agree).
SIDES: tuple[str, ...] = ("recipient", "coach")

# The small list of kinds; a step may also be plain words only.
KINDS: tuple[str, ...] = (
    "visit_activity",
    "start_activity",
    "language_course_level",
    "make_cv",
    "talk_to_employer",
    "training",
    "trial_placement",
    "apply_for_job",
    "start_paid_work",
)

# Each kind in plain words, for messages (the app has its own labels).
KIND_LABELS: dict[str, dict[str, str]] = {
    "visit_activity": {"nl": "een activiteit bezoeken", "en": "visit an activity"},
    "start_activity": {"nl": "beginnen met een activiteit", "en": "start an activity"},
    "language_course_level": {"nl": "een taalniveau halen", "en": "reach a language level"},
    "make_cv": {"nl": "een cv maken", "en": "make a CV"},
    "talk_to_employer": {"nl": "praten met een werkgever", "en": "talk to an employer"},
    "training": {"nl": "een training of cursus", "en": "a training"},
    "trial_placement": {"nl": "een proefplaats", "en": "a trial placement"},
    "apply_for_job": {"nl": "solliciteren", "en": "apply for a job"},
    "start_paid_work": {"nl": "beginnen met betaald werk", "en": "start paid work"},
}


def label(kind: str | None, what: str | None, language: str) -> str:
    """A step in words: the person's own words first, else its kind in their language."""
    if what:
        return what
    names = KIND_LABELS.get(kind or "", {})
    return names.get(language) or names.get("nl") or ""


# What a step of a kind looks like once done, as a check-in's `stepsTowardWork` says it.
CHECKIN_EVIDENCE: dict[str, tuple[str, ...]] = {
    "course_completed": ("language_course_level", "training"),
    "certificate": ("language_course_level", "training"),
    "cv_made": ("make_cv",),
    "applied_for_job": ("apply_for_job",),
    "job_interview": ("talk_to_employer", "apply_for_job"),
    "trial_placement": ("trial_placement",),
    "work_experience_place": ("trial_placement",),
    "started_paid_work": ("start_paid_work",),
}

# Reaching this rung of the participatieladder (self or coach) suggests a step of a kind done.
LADDER_EVIDENCE: dict[str, int] = {
    "start_activity": 3,
    "trial_placement": 4,
    "start_paid_work": 5,
}

# Where a suggestion to close a step came from.
SUGGESTION_SOURCES: tuple[str, ...] = ("match", "ladder", "checkin")

# The kinds of event in a step's history.
ACTIONS: tuple[str, ...] = (
    "proposed",
    "agreed",
    "done",
    "dropped",
    "new_date",
    "suggested_done",
    "suggestion_dismissed",
)


def sql_in(values: Iterable[str], column: str = "status") -> str:
    """`status in ('a', 'b')` as SQL text, for constraints, indexes and raw queries."""
    return f"{column} in ({', '.join(repr(str(v)) for v in values)})"
