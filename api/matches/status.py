"""The one vocabulary of match states; the database CHECK and partial index are built from it."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class MatchStatus(StrEnum):
    """Where a match is; `str` values, so they compare and store as the plain words."""

    SUGGESTED = "suggested"
    REQUESTED = "requested"
    APPROVED = "approved"
    ACTIVE = "active"
    COMPLETED = "completed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"
    EXPIRED = "expired"


# Waiting for a decision: no place taken yet.
WAITING: tuple[MatchStatus, ...] = (MatchStatus.SUGGESTED, MatchStatus.REQUESTED)
# Approved and started matches hold one of the opportunity's places.
TAKES_A_PLACE: tuple[MatchStatus, ...] = (MatchStatus.APPROVED, MatchStatus.ACTIVE)
# Still going somewhere: at most one such match per person and opportunity.
OPEN_STATUSES: tuple[MatchStatus, ...] = WAITING + TAKES_A_PLACE
# Someone said no (coach, person or organiser): kept out of the feed for a while.
TURNED_DOWN: tuple[MatchStatus, ...] = (
    MatchStatus.DECLINED,
    MatchStatus.WITHDRAWN,
    MatchStatus.REJECTED,
)
# What an organiser may see of a match on their team's opportunity.
ORGANISER_SEES: tuple[MatchStatus, ...] = (
    *TAKES_A_PLACE,
    MatchStatus.COMPLETED,
    MatchStatus.REJECTED,
)


def sql_in(statuses: Iterable[MatchStatus], column: str = "status") -> str:
    """`status in ('a', 'b')` as SQL text, for constraints and index conditions."""
    return f"{column} in ({', '.join(repr(s.value) for s in statuses)})"
