"""Planners that follow a match: a request left waiting, a start not made.

(A request that expired is told with the expiry itself: api.nudges.events.)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.matches.models import Match
from api.matches.status import MatchStatus
from api.nudges.planners.queries import entered
from api.nudges.planners.skeleton import Planned, Planner, Scope
from api.opportunities.models import Opportunity
from api.profiles.models import RecipientProfile
from api.users.models import User


def _first_name(name: str | None) -> str:
    return (name or "").split(" ")[0] or "daar"


def _waiting_who(session: Session, scope: Scope) -> Sequence[Any]:
    """Requests waiting longer than N days but not yet expired, of people with a coach."""
    return session.execute(
        select(Match, User, Opportunity.title)
        .join(User, User.id == Match.recipient_id)
        .join(Opportunity, Opportunity.id == Match.opportunity_id)
        .where(
            Match.municipality_id == scope.municipality_id,
            Match.status == MatchStatus.REQUESTED,
            Match.requested_at < scope.now - timedelta(days=scope.policy.request_waiting_days),
            Match.requested_at >= scope.now - timedelta(days=scope.policy.request_expiry_days),
            User.coach_id.is_not(None),
        )
    ).all()


def _waiting_what(row: tuple[Match, User, str], scope: Scope) -> Planned:
    match, person, title = row
    assert match.requested_at is not None and person.coach_id is not None  # by the query
    days = (scope.now - match.requested_at).days
    params = {"person": _first_name(person.name), "title": title, "days": days}
    return Planned(person.coach_id, str(match.id), params)


# Coaches hear about requests waiting > N days.
REQUEST_WAITING = Planner("request_waiting", _waiting_who, _waiting_what, capped=False)


def _not_started_who(
    session: Session, scope: Scope
) -> Iterator[tuple[uuid.UUID, Match, Opportunity, RecipientProfile, datetime]]:
    """Matches approved more than N days ago and not started, once per organiser of the team."""
    approved = entered(MatchStatus.APPROVED)
    rows = session.execute(
        select(Match, Opportunity, RecipientProfile, approved)
        .join(Opportunity, Opportunity.id == Match.opportunity_id)
        .join(RecipientProfile, RecipientProfile.user_id == Match.recipient_id)
        .where(
            Match.municipality_id == scope.municipality_id,
            Match.status == MatchStatus.APPROVED,
            approved < scope.now - timedelta(days=scope.policy.approved_not_started_days),
        )
    ).all()
    for match, opp, person, at in rows:
        organisers = session.scalars(
            select(User.id).where(
                User.team_id == opp.team_id, User.role == "organizer", User.is_active.is_(True)
            )
        ).all()
        for organiser_id in organisers:
            yield organiser_id, match, opp, person, at


def _not_started_what(
    row: tuple[uuid.UUID, Match, Opportunity, RecipientProfile, datetime], scope: Scope
) -> Planned:
    organiser_id, match, opp, person, at = row
    params = {
        "person": person.display_name,  # the name they chose to show
        "title": opp.title,
        "days": (scope.now - at).days,
    }
    return Planned(organiser_id, str(match.id), params)


# Organisers hear when an approved person has not started after N days.
APPROVED_NOT_STARTED = Planner(
    "approved_not_started", _not_started_who, _not_started_what, capped=False
)
