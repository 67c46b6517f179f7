"""The check-in prompt: people with an active match are asked how it goes, every N days."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from api.matches.models import Match
from api.matches.status import MatchStatus
from api.nudges.clock import fortnight
from api.nudges.planners.skeleton import Planned, Planner, Scope
from api.opportunities.models import Opportunity
from api.profiles.models import RecipientProfile


def _checkin_who(session: Session, scope: Scope) -> Sequence[Row[Any]]:
    """Each person with an active match, with the title of one of them."""
    return session.execute(
        select(
            RecipientProfile.user_id,
            RecipientProfile.display_name,
            RecipientProfile.preferred_language,
            RecipientProfile.nudge_preferences,
            func.min(Opportunity.title).label("title"),
        )
        .join(Match, Match.recipient_id == RecipientProfile.user_id)
        .join(Opportunity, Opportunity.id == Match.opportunity_id)
        .where(Match.municipality_id == scope.municipality_id, Match.status == MatchStatus.ACTIVE)
        .group_by(RecipientProfile.user_id)
    ).all()


def _checkin_what(row: Row[Any], scope: Scope) -> Planned:
    period = fortnight(scope.now, scope.policy.checkin_every_days)
    return Planned.for_person(row, period, {"name": row.display_name, "title": row.title})


# Every N days (policy, default 14), people with an active match are asked how it goes.
CHECKIN_PROMPT = Planner("checkin_prompt", _checkin_who, _checkin_what)
