"""SQL pieces several planners share: who a person is, what they were told, transitions."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from api.db import uuid_text
from api.feed.batch import PROFILE_COLUMNS
from api.matches.models import Match, MatchEvent
from api.profiles.models import RecipientProfile

SUGGESTING_KINDS = ("weekly_suggestions", "new_opportunity", "growth_suggestion")

# A person as planners need them: what ranking needs, and what a nudge to them needs (no ORM
# objects: tens of thousands of rows per run).
PERSON = (
    *PROFILE_COLUMNS,
    RecipientProfile.display_name,
    RecipientProfile.preferred_language,
    RecipientProfile.nudge_preferences,
)


# Per person through the unique index (user_id first): a set-returning function keeps the
# lateral subquery from being turned into a join, which could pick a bad plan mid-run, while
# the table's statistics do not know the run's own new rows yet.
_SHOWN = text(
    "select k.user_id, x.oid from unnest(string_to_array(:users, ',')::uuid[]) as k(user_id)"
    " cross join lateral (select jsonb_array_elements_text(n.params -> 'opportunity_ids') as oid"
    "  from nudges n where n.user_id = k.user_id and n.kind in :kinds"
    "  and n.status <> 'dropped') as x"
).bindparams(bindparam("kinds", expanding=True))


def already_shown(session: Session, user_ids: list[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
    """Opportunities each person was already told about, in one query."""
    shown: dict[uuid.UUID, set[str]] = {u: set() for u in user_ids}
    if not user_ids:
        return shown
    rows = session.execute(_SHOWN, {"users": uuid_text(user_ids), "kinds": SUGGESTING_KINDS})
    for uid, oid in rows:
        shown[uid].add(oid)
    return shown


def entered(status: str) -> Any:
    """When the outer match last entered `status` (correlated; uses the match_id index)."""
    return (
        select(func.max(MatchEvent.at))
        .where(MatchEvent.match_id == Match.id, MatchEvent.to_status == status)
        .correlate(Match)
        .scalar_subquery()
    )
