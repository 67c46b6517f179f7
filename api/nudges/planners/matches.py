"""Planners that follow a match: a request left waiting, a start not made.

(A request that expired is told with the expiry itself: api.nudges.events.)
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
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
        select(Match.id, Match.requested_at, User.coach_id, User.name, Opportunity.title)
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


def _waiting_what(
    row: tuple[uuid.UUID, datetime | None, uuid.UUID | None, str, str], scope: Scope
) -> Planned:
    match_id, requested_at, coach_id, name, title = row
    assert requested_at is not None and coach_id is not None  # by the query
    days = (scope.now - requested_at).days
    params = {"person": _first_name(name), "title": title, "days": days}
    return Planned(coach_id, str(match_id), params)


# Coaches hear about requests waiting > N days.
REQUEST_WAITING = Planner("request_waiting", _waiting_who, _waiting_what, capped=False)


# Approved, not started: (organiser, match id, the person's display name, title, approved at)
NotStarted = tuple[uuid.UUID, uuid.UUID, str, str, datetime]


def _not_started_who(session: Session, scope: Scope) -> list[NotStarted]:
    """Matches approved more than N days ago and not started, once per organiser of the team."""
    approved = entered(MatchStatus.APPROVED)
    rows = session.execute(
        select(
            Match.id,
            Opportunity.team_id,
            RecipientProfile.display_name,
            Opportunity.title,
            approved,
        )
        .join(Opportunity, Opportunity.id == Match.opportunity_id)
        .join(RecipientProfile, RecipientProfile.user_id == Match.recipient_id)
        .where(
            Match.municipality_id == scope.municipality_id,
            Match.status == MatchStatus.APPROVED,
            approved < scope.now - timedelta(days=scope.policy.approved_not_started_days),
        )
    ).all()
    organisers: dict[uuid.UUID, list[uuid.UUID]] = {}
    for team_id, organiser_id in session.execute(
        select(User.team_id, User.id).where(
            User.team_id.in_({team_id for _, team_id, _, _, _ in rows}),
            User.role == "organizer",
            User.is_active.is_(True),
        )
    ):
        organisers.setdefault(team_id, []).append(organiser_id)
    return [
        (organiser_id, match_id, name, title, at)
        for match_id, team_id, name, title, at in rows
        for organiser_id in organisers.get(team_id, ())
    ]


def _not_started_what(row: NotStarted, scope: Scope) -> Planned:
    organiser_id, match_id, name, title, at = row
    params = {
        "person": name,  # the name they chose to show
        "title": title,
        "days": (scope.now - at).days,
    }
    return Planned(organiser_id, str(match_id), params)


# Organisers hear when an approved person has not started after N days.
APPROVED_NOT_STARTED = Planner(
    "approved_not_started", _not_started_who, _not_started_what, capped=False
)
