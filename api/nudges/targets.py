"""What a message is about, `{type, id}`, so the app opens the right screen (deep links)."""

from __future__ import annotations

from dataclasses import dataclass

TARGET_TYPES: tuple[str, ...] = (
    "match",  # GET /v1/me/matches or the coach's / organiser's match views
    "opportunity",
    "checkin",  # the check-in form (id null: for the person's active match)
    "caseload_person",
    "caseload",  # the coach's list (id null)
    "feed",  # the person's suggestions (id null)
    "inbox",  # the inbox itself, e.g. a daily summary (id null)
)


@dataclass(frozen=True)
class Target:
    type: str
    id: str | None = None


# Planned nudges: the target follows from the kind and, for some, the period (an id).
_NUDGE_TARGETS: dict[str, tuple[str, bool]] = {
    "weekly_suggestions": ("feed", False),
    "new_opportunity": ("opportunity", True),  # period: the opportunity
    "request_waiting": ("match", True),  # period: the match
    "approved_not_started": ("match", True),
    "checkin_prompt": ("checkin", False),
    "coach_digest": ("caseload", False),
    "growth_suggestion": ("feed", False),
}


def nudge_target(kind: str, period: str) -> Target:
    """The target of a planned nudge (the inbox for a kind we do not know)."""
    kind_type, by_period = _NUDGE_TARGETS.get(kind, ("inbox", False))
    return Target(kind_type, period if by_period else None)
