"""Whose match is it: each role reaches only its own matches; anything else does not exist (404).

The matches come back locked (FOR UPDATE) and fresh, as the lifecycle needs them.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from api.audit.service import audit_denied
from api.auth.security import Actor
from api.errors import Conflict, NotFound
from api.i18n import N_, opportunity_status
from api.matches.models import Match
from api.matches.status import OPEN_STATUSES, ORGANISER_SEES
from api.opportunities.models import Opportunity
from api.users.models import User


def load_match(session: Session, match_id: uuid.UUID, *, lock: bool = False) -> Match | None:
    """A match with its opportunity and team; locked and re-read when it is about to change."""
    stmt = (
        select(Match)
        .options(joinedload(Match.opportunity).joinedload(Opportunity.team))
        .where(Match.id == match_id)
    )
    if lock:
        stmt = stmt.with_for_update(of=Match).execution_options(populate_existing=True)
    return session.scalar(stmt)


def own_recipient_match(session: Session, actor: Actor, match_id: uuid.UUID) -> Match:
    """The person's own match."""
    match = load_match(session, match_id, lock=True)
    if match is None or match.recipient_id != actor.user_id:
        raise NotFound()
    return match


def _denied(session: Session, actor: Actor, match: Match | None, match_id: uuid.UUID) -> NotFound:
    """Refuse as if the match did not exist, and keep the attempt in the audit trail."""
    audit_denied(
        session,
        actor=actor,
        subject_id=match.recipient_id if match is not None else None,
        action="update",
        object_type="match",
        object_id=match_id,
        purpose=N_("match of someone else") if match is not None else N_("match unknown"),
    )
    return NotFound()


def caseload_match(session: Session, actor: Actor, match_id: uuid.UUID) -> Match:
    """A match of someone on the coach's caseload."""
    match = load_match(session, match_id, lock=True)
    if match is None or match.municipality_id != actor.municipality_id:
        raise _denied(session, actor, match, match_id)
    person = session.get(User, match.recipient_id) if match.recipient_id else None
    if person is None or person.coach_id != actor.user_id:
        raise _denied(session, actor, match, match_id)
    return match


def team_match(session: Session, actor: Actor, match_id: uuid.UUID) -> Match:
    """A match on the organiser's team's opportunity that they may see (approved or later)."""
    match = load_match(session, match_id, lock=True)
    if (
        match is None
        or match.municipality_id != actor.municipality_id
        or match.opportunity.team_id != actor.team_id
        or match.status not in ORGANISER_SEES
    ):
        raise _denied(session, actor, match, match_id)
    return match


def published_opportunity(session: Session, actor: Actor, opportunity_id: uuid.UUID) -> Opportunity:
    """An opportunity of the actor's municipality that takes new matches (draft: 404)."""
    opp = session.scalar(
        select(Opportunity)
        .options(joinedload(Opportunity.team))
        .where(
            Opportunity.id == opportunity_id,
            Opportunity.municipality_id == actor.municipality_id,
        )
    )
    if opp is None or opp.status == "draft":
        raise NotFound()
    if opp.status != "published":
        raise Conflict(
            "This opportunity is {status} and takes no new matches.",
            status=opportunity_status(opp.status),
        )
    return opp


def open_match(
    session: Session, recipient_id: uuid.UUID, opportunity_id: uuid.UUID
) -> Match | None:
    """The person's open match for this opportunity, locked, if there is one."""
    return session.scalar(
        select(Match)
        .where(
            Match.recipient_id == recipient_id,
            Match.opportunity_id == opportunity_id,
            Match.status.in_(OPEN_STATUSES),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
