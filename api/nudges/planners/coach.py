"""The coach's weekly digest: who on the caseload has been quiet or stuck (not one per person)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from api.matches.models import MatchEvent
from api.nudges.clock import iso_week
from api.nudges.planners.skeleton import Planned, Planner, Scope
from api.profiles.models import RecipientProfile
from api.users.models import User

NAMES_SHOWN = 5


def _digest_who(session: Session, scope: Scope) -> list[tuple[uuid.UUID, list[str]]]:
    """Per coach, the display names of people quiet for N weeks or stuck for N months."""
    quiet_since = scope.now - timedelta(weeks=scope.policy.inactive_weeks)
    stalled_since = scope.now - timedelta(days=30 * scope.policy.ladder_stalled_months)
    last_event = (
        select(func.max(MatchEvent.at))
        .where(MatchEvent.actor_id == User.id)
        .correlate(User)
        .scalar_subquery()
    )
    rows = session.execute(
        select(User.coach_id, RecipientProfile.display_name)
        .join(RecipientProfile, RecipientProfile.user_id == User.id)
        .where(
            User.municipality_id == scope.municipality_id,
            User.role == "recipient",
            User.is_active.is_(True),
            User.coach_id.is_not(None),
            User.created_at < quiet_since,
            and_(
                func.coalesce(last_event, User.created_at) < quiet_since,
                func.coalesce(User.last_login_at, User.created_at) < quiet_since,
            )
            | (RecipientProfile.updated_at < stalled_since),
        )
        .order_by(User.coach_id, RecipientProfile.display_name)
    ).all()
    by_coach: dict[uuid.UUID, list[str]] = {}
    for coach_id, name in rows:
        by_coach.setdefault(coach_id, []).append(name)
    return list(by_coach.items())


def _digest_what(row: tuple[uuid.UUID, list[str]], scope: Scope) -> Planned:
    coach_id, names = row
    more = len(names) - NAMES_SHOWN
    shown = ", ".join(names[:NAMES_SHOWN]) + (f" (+{more})" if more > 0 else "")
    return Planned(coach_id, iso_week(scope.now), {"count": len(names), "people": shown})


# Once a week per coach: who on the caseload has been quiet or stuck.
COACH_DIGEST = Planner("coach_digest", _digest_who, _digest_what, capped=False)
