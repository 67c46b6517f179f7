"""The check-in prompt: people with an active match are asked how it goes, every N days."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.matches.models import Match
from api.matches.status import MatchStatus
from api.nudges.clock import fortnight
from api.nudges.planners.skeleton import Planned, Planner, Scope
from api.opportunities.models import Opportunity
from api.profiles.models import RecipientProfile


def _checkin_who(session: Session, scope: Scope) -> Sequence[Any]:
    """Each person with an active match, with the title of one of them."""
    return session.execute(
        select(RecipientProfile, func.min(Opportunity.title))
        .join(Match, Match.recipient_id == RecipientProfile.user_id)
        .join(Opportunity, Opportunity.id == Match.opportunity_id)
        .where(Match.municipality_id == scope.municipality_id, Match.status == MatchStatus.ACTIVE)
        .group_by(RecipientProfile.user_id)
    ).all()


def _checkin_what(row: tuple[RecipientProfile, str], scope: Scope) -> Planned:
    profile, title = row
    period = fortnight(scope.now, scope.policy.checkin_every_days)
    return Planned.for_person(profile, period, {"name": profile.display_name, "title": title})


# Every N days (policy, default 14), people with an active match are asked how it goes.
CHECKIN_PROMPT = Planner("checkin_prompt", _checkin_who, _checkin_what)
