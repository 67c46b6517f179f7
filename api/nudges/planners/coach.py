"""The coach's weekly digest: who on the caseload has been quiet or stuck (not one per person)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from api.matches.models import MatchEvent
from api.nudges.clock import iso_week
from api.nudges.planners.skeleton import Planned, Planner, Scope
from api.profiles.models import RecipientProfile
from api.users.models import User

NAMES_SHOWN = 5


# Per coach: how many on the caseload are quiet or stuck, the first names, alphabetically, and
# those people's ids (so reading the digest is in their access logs)
Digest = tuple[uuid.UUID, int, list[str], list[uuid.UUID]]


def _digest_who(session: Session, scope: Scope) -> Sequence[Digest]:
    """Per coach, how many people are quiet for N weeks or stuck for N months, and who first."""
    quiet_since = scope.now - timedelta(weeks=scope.policy.inactive_weeks)
    stalled_since = scope.now - timedelta(days=30 * scope.policy.ladder_stalled_months)
    # No event since: with `created_at < quiet_since` below, the same as "the last event (or the
    # account's creation) before", and an anti-join over recent events instead of one look-up of
    # the last event per person.
    acted_lately = (
        select(MatchEvent.id)
        .where(MatchEvent.actor_id == User.id, MatchEvent.at >= quiet_since)
        .exists()
    )
    name = RecipientProfile.display_name
    names = func.array_agg(aggregate_order_by(name, name, User.id))
    ids = func.array_agg(aggregate_order_by(User.id, name, User.id))
    rows = session.execute(
        select(User.coach_id, func.count(), names[1:NAMES_SHOWN], ids[1:NAMES_SHOWN])
        .join(RecipientProfile, RecipientProfile.user_id == User.id)
        .where(
            User.municipality_id == scope.municipality_id,
            # always the person's own; said here so the index, not a scan of all, finds them
            RecipientProfile.municipality_id == scope.municipality_id,
            User.role == "recipient",
            User.is_active.is_(True),
            User.coach_id.is_not(None),
            User.created_at < quiet_since,
            and_(
                ~acted_lately,
                func.coalesce(User.last_login_at, User.created_at) < quiet_since,
            )
            | (RecipientProfile.updated_at < stalled_since),
        )
        .group_by(User.coach_id)
        .order_by(User.coach_id)
    ).all()
    return [(coach_id, count, list(first), list(who)) for coach_id, count, first, who in rows]


def _digest_what(row: Digest, scope: Scope) -> Planned:
    coach_id, count, first, who = row
    more = count - NAMES_SHOWN
    shown = ", ".join(first) + (f" (+{more})" if more > 0 else "")
    params = {"count": count, "people": shown, "subjects": [str(i) for i in who]}
    return Planned(coach_id, iso_week(scope.now), params)


# Once a week per coach: who on the caseload has been quiet or stuck.
COACH_DIGEST = Planner("coach_digest", _digest_who, _digest_what, capped=False)
