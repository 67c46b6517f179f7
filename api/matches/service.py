"""Match use cases: each checks who may act, makes one lifecycle step and audits it.

The steps themselves (allowed moves, history, places taken) belong to `api.matches.lifecycle`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from api.audit.service import record
from api.auth.security import Actor
from api.core.paging import Page
from api.db import utcnow
from api.errors import Conflict
from api.i18n import N_, match_status
from api.matches.access import (
    caseload_match,
    open_match,
    own_recipient_match,
    published_opportunity,
    team_match,
)
from api.matches.fit import fit
from api.matches.lifecycle import lock_free_place, transition, transition_many
from api.matches.models import Match, MatchEvent, MatchFeedback
from api.matches.queries import (
    Candidate,
    TeamCandidate,
    attach_history,
    list_candidates,
    list_coach_matches,
    list_my_matches,
    list_person_matches,
    list_team_candidates,
    reload,
    team_candidates,
)
from api.matches.rules import (
    allowance_previews,
    allowance_warnings,
    auto_approve,
    within_daily_cap,
)
from api.matches.status import MatchStatus
from api.profiles.service import caseload_person

# Other packages import these from here.
__all__ = [
    "Candidate",
    "MatchOutcome",
    "Page",
    "TeamCandidate",
    "allowance_previews",
    "approve_match",
    "attach_history",
    "complete_match",
    "confirm_match",
    "decline_match",
    "expire_stale_requests",
    "give_feedback",
    "list_candidates",
    "list_coach_matches",
    "list_my_matches",
    "list_person_matches",
    "list_team_candidates",
    "reject_match",
    "request_match",
    "suggest_match",
    "team_candidates",
    "withdraw_match",
]


@dataclass
class MatchOutcome:
    """A match after a step, with anything the actor should know (e.g. an allowance warning)."""

    match: Match
    warnings: list[dict[str, str]] = field(default_factory=list)


def _audit_change(session: Session, actor: Actor, match: Match, purpose: str) -> None:
    """The person can see in their access log who changed their match and why."""
    record(
        session,
        actor=actor,
        subject_id=match.recipient_id,
        action="update",
        object_type="match",
        object_id=str(match.id),
        purpose=purpose,
    )


def suggest_match(
    session: Session,
    *,
    actor: Actor,
    recipient_id: uuid.UUID,
    opportunity_id: uuid.UUID,
    note: str | None,
    now: datetime | None = None,
) -> Match:
    """A coach proposes an opportunity to someone on their caseload."""
    now = now or utcnow()
    caseload_person(
        session, actor=actor, recipient_id=recipient_id, action="create", object_type="suggestion"
    )
    opp = published_opportunity(session, actor, opportunity_id)
    if open_match(session, recipient_id, opp.id) is not None:
        raise Conflict("This person already has an open match for this opportunity.")
    value, reasons = fit(session, recipient_id, opp, now)
    match = Match(
        id=uuid.uuid4(),
        municipality_id=actor.municipality_id,
        recipient_id=recipient_id,
        opportunity_id=opp.id,
        score=value,
        reasons=reasons,
        coach_note=note,
    )
    transition(
        session,
        match,
        MatchStatus.SUGGESTED,
        role="coach",
        actor_id=actor.user_id,
        reason=note,
        now=now,
    )
    _audit_change(session, actor, match, N_("opportunity suggested"))
    return reload(session, match.id)


def request_match(
    session: Session,
    *,
    actor: Actor,
    opportunity_id: uuid.UUID,
    message: str | None,
    now: datetime | None = None,
) -> Match:
    """'I'm interested': a new request, or the answer to a coach's suggestion."""
    now = now or utcnow()
    opp = published_opportunity(session, actor, opportunity_id)
    within_daily_cap(session, actor, now)
    match = open_match(session, actor.user_id, opp.id)
    if match is not None and match.status != MatchStatus.SUGGESTED:
        raise Conflict("You already showed interest in this opportunity.")
    if match is None:
        value, reasons = fit(session, actor.user_id, opp, now)
        match = Match(
            id=uuid.uuid4(),
            municipality_id=actor.municipality_id,
            recipient_id=actor.user_id,
            opportunity_id=opp.id,
            score=value,
            reasons=reasons,
        )
    match.message = message
    match.requested_at = now
    transition(
        session, match, MatchStatus.REQUESTED, role="recipient", actor_id=actor.user_id, now=now
    )
    auto_approve(session, match, opp, now)
    return reload(session, match.id)


def withdraw_match(session: Session, *, actor: Actor, match_id: uuid.UUID) -> Match:
    """The person steps back, at any open stage."""
    match = own_recipient_match(session, actor, match_id)
    transition(session, match, MatchStatus.WITHDRAWN, role="recipient", actor_id=actor.user_id)
    return reload(session, match.id)


def approve_match(session: Session, *, actor: Actor, match_id: uuid.UUID) -> MatchOutcome:
    """The coach gives permission; the opportunity row lock makes the last place go once."""
    match = caseload_match(session, actor, match_id)
    if match.status != MatchStatus.REQUESTED:
        raise Conflict(
            "A match that is {status} cannot be approved.", status=match_status(match.status)
        )
    if not lock_free_place(session, match.opportunity_id):
        raise Conflict("This opportunity is full.")
    transition(session, match, MatchStatus.APPROVED, role="coach", actor_id=actor.user_id)
    _audit_change(session, actor, match, N_("match approved"))
    warnings = allowance_warnings(session, match, match.opportunity)
    return MatchOutcome(reload(session, match.id), warnings)


def decline_match(session: Session, *, actor: Actor, match_id: uuid.UUID, reason: str) -> Match:
    """The coach says no, with a reason the person can read."""
    match = caseload_match(session, actor, match_id)
    match.decision_reason = reason
    transition(
        session, match, MatchStatus.DECLINED, role="coach", actor_id=actor.user_id, reason=reason
    )
    _audit_change(session, actor, match, N_("match declined"))
    return reload(session, match.id)


def confirm_match(session: Session, *, actor: Actor, match_id: uuid.UUID) -> Match:
    """The organiser confirms the person started."""
    match = team_match(session, actor, match_id)
    transition(session, match, MatchStatus.ACTIVE, role="organizer", actor_id=actor.user_id)
    _audit_change(session, actor, match, N_("start confirmed"))
    return reload(session, match.id)


def reject_match(session: Session, *, actor: Actor, match_id: uuid.UUID, reason: str) -> Match:
    """The organiser cannot take the person, with a reason."""
    match = team_match(session, actor, match_id)
    match.decision_reason = reason
    transition(
        session,
        match,
        MatchStatus.REJECTED,
        role="organizer",
        actor_id=actor.user_id,
        reason=reason,
    )
    _audit_change(session, actor, match, N_("candidate not taken"))
    return reload(session, match.id)


def complete_match(session: Session, *, actor: Actor, match_id: uuid.UUID) -> Match:
    """The activity ended well."""
    if actor.role == "organizer":
        match = team_match(session, actor, match_id)
    else:
        match = caseload_match(session, actor, match_id)
    transition(session, match, MatchStatus.COMPLETED, role=actor.role, actor_id=actor.user_id)
    _audit_change(session, actor, match, N_("match completed"))
    return reload(session, match.id)


def give_feedback(
    session: Session,
    *,
    actor: Actor,
    match_id: uuid.UUID,
    helped: bool,
    again: bool,
    words: str | None,
    now: datetime | None = None,
) -> Match:
    """The person answers "did it help?" for a match that ended (an answer may be changed).

    Asked when a match completed, or when the person stepped back from an active one.
    """
    now = now or utcnow()
    match = own_recipient_match(session, actor, match_id)
    ended_after_start = match.status == MatchStatus.COMPLETED or (
        match.status == MatchStatus.WITHDRAWN
        and session.scalar(
            select(MatchEvent.id).where(
                MatchEvent.match_id == match.id,
                MatchEvent.from_status == MatchStatus.ACTIVE,
                MatchEvent.to_status == MatchStatus.WITHDRAWN,
            )
        )
        is not None
    )
    if not ended_after_start:
        raise Conflict("You can tell us whether it helped once you have taken part.")
    answer = {"helped": helped, "again": again, "words": words, "answered_at": now}
    session.execute(
        insert(MatchFeedback)
        .values(match_id=match.id, **answer)
        .on_conflict_do_update(index_elements=["match_id"], set_=answer)
    )
    return reload(session, match.id)


def expire_stale_requests(
    session: Session, *, now: datetime, municipality_id: uuid.UUID, days: int
) -> list[Match]:
    """Requests nobody decided on within `days` expire (the scheduler's job)."""
    stale = list(
        session.scalars(
            select(Match)
            .where(
                Match.municipality_id == municipality_id,
                Match.status == MatchStatus.REQUESTED,
                Match.requested_at < now - timedelta(days=days),
            )
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
    )
    return transition_many(session, stale, MatchStatus.EXPIRED, role="system", now=now)
