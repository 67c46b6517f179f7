"""The match lifecycle: who may move a match where, capacity under concurrency, and its history.

suggested -(recipient)-> requested -(coach)-> approved -(organiser)-> active -> completed
side exits: declined (coach), withdrawn (recipient, any open stage), rejected (organiser),
expired (scheduler, stale requests).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from api.audit.service import record, record_many
from api.auth.security import Actor
from api.core.geo import point
from api.core.paging import Page, as_datetime, as_uuid, decode_cursor, encode_cursor
from api.core.time import AMSTERDAM
from api.db import utcnow
from api.errors import Conflict, Forbidden, NotFound, TooManyRequests
from api.feed.candidates import (
    load_taxonomy,
    person_from_profile,
    to_candidate,
    weights_from_policy,
)
from api.matches.models import OPEN_STATUSES, TAKES_A_PLACE, Match, MatchEvent
from api.municipalities.policy import load_policy
from api.opportunities.models import Opportunity
from api.profiles.models import RecipientProfile
from api.users.models import User
from api.users.service import caseload_person
from matching import reasons_for, score

# (from, to) -> the role that may make that step
ALLOWED: dict[tuple[str, str], tuple[str, ...]] = {
    ("suggested", "requested"): ("recipient",),
    ("requested", "approved"): ("coach", "system"),
    ("requested", "declined"): ("coach",),
    ("approved", "active"): ("organizer",),
    ("approved", "rejected"): ("organizer",),
    ("active", "completed"): ("organizer", "coach"),
    ("suggested", "withdrawn"): ("recipient",),
    ("requested", "withdrawn"): ("recipient",),
    ("approved", "withdrawn"): ("recipient",),
    ("active", "withdrawn"): ("recipient",),
    ("requested", "expired"): ("system",),
}


@dataclass
class MatchOutcome:
    """A match after a step, with anything the actor should know (e.g. an allowance warning)."""

    match: Match
    warnings: list[dict[str, str]] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.match, name)


def _load(session: Session, match_id: uuid.UUID, *, lock: bool = False) -> Match | None:
    stmt = (
        select(Match)
        .options(joinedload(Match.opportunity).joinedload(Opportunity.team))
        .where(Match.id == match_id)
    )
    if lock:
        stmt = stmt.with_for_update(of=Match)
    return session.scalar(stmt)


def _record(
    session: Session,
    match: Match,
    to: str,
    *,
    actor_id: uuid.UUID | None,
    role: str,
    reason: str | None = None,
    now: datetime | None = None,
) -> None:
    """Move the match and keep the step in its history."""
    frm = match.status if match.status else None
    if frm is not None and role not in ALLOWED.get((frm, to), ()):
        raise Conflict(f"A match that is {frm} cannot become {to}.")
    session.add(
        MatchEvent(
            match_id=match.id,
            from_status=frm,
            to_status=to,
            actor_id=actor_id,
            actor_role=role,
            reason=reason,
            at=now or utcnow(),
        )
    )
    match.status = to
    match.updated_at = now or utcnow()


def _audit_change(session: Session, actor: Actor, match: Match, purpose: str) -> None:
    record(
        session,
        actor=actor,
        subject_id=match.recipient_id,
        action="update",
        object_type="match",
        object_id=str(match.id),
        purpose=purpose,
    )


def _published(session: Session, actor: Actor, opportunity_id: uuid.UUID) -> Opportunity:
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
        raise Conflict(f"This opportunity is {opp.status} and takes no new matches.")
    return opp


def _fit(
    session: Session, recipient_id: uuid.UUID, opp: Opportunity, now: datetime
) -> tuple[float | None, list[dict[str, str]]]:
    """The score and reasons this pair has now, kept on the match."""
    profile = session.get(RecipientProfile, recipient_id)
    if profile is None or profile.home_lat is None:
        return None, []
    distance_m = (
        session.scalar(
            select(
                func.ST_Distance(
                    Opportunity.location, point(profile.home_lat, profile.home_lon), False
                )
            ).where(Opportunity.id == opp.id)
        )
        or 0.0
    )
    taken = _taken(session, opp.id)
    person = person_from_profile(profile)
    candidate = to_candidate(opp, float(distance_m), taken)
    taxonomy = load_taxonomy(session)
    policy = load_policy(session, opp.municipality_id)
    value = score(
        person,
        candidate,
        now=now,
        weights=weights_from_policy(policy),
        categories=taxonomy.categories,
    )
    reasons = reasons_for(
        person, candidate, categories=taxonomy.categories, labels=taxonomy.labels, now=now
    )
    return round(value, 4), [{"code": r.code, "text": r.text} for r in reasons]


def _taken(session: Session, opportunity_id: uuid.UUID) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Match)
            .where(Match.opportunity_id == opportunity_id, Match.status.in_(TAKES_A_PLACE))
        )
        or 0
    )


def _open_match(
    session: Session, recipient_id: uuid.UUID, opportunity_id: uuid.UUID
) -> Match | None:
    return session.scalar(
        select(Match)
        .where(
            Match.recipient_id == recipient_id,
            Match.opportunity_id == opportunity_id,
            Match.status.in_(OPEN_STATUSES),
        )
        .with_for_update()
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
    caseload_person(session, actor=actor, recipient_id=recipient_id)
    opp = _published(session, actor, opportunity_id)
    if _open_match(session, recipient_id, opp.id) is not None:
        raise Conflict("This person already has an open match for this opportunity.")
    value, reasons = _fit(session, recipient_id, opp, now)
    match = Match(
        id=uuid.uuid4(),
        municipality_id=actor.municipality_id,
        recipient_id=recipient_id,
        opportunity_id=opp.id,
        status="",
        score=value,
        reasons=reasons,
        coach_note=note,
    )
    _insert(session, match, "suggested", actor_id=actor.user_id, role="coach", reason=note, now=now)
    _audit_change(session, actor, match, "opportunity suggested")
    session.flush()
    return _reload(session, match.id)


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
    opp = _published(session, actor, opportunity_id)
    _within_daily_cap(session, actor, now)
    existing = _open_match(session, actor.user_id, opp.id)
    if existing is not None and existing.status != "suggested":
        raise Conflict("You already showed interest in this opportunity.")
    if existing is None:
        value, reasons = _fit(session, actor.user_id, opp, now)
        existing = Match(
            id=uuid.uuid4(),
            municipality_id=actor.municipality_id,
            recipient_id=actor.user_id,
            opportunity_id=opp.id,
            status="",
            score=value,
            reasons=reasons,
            message=message,
            requested_at=now,
        )
        _insert(session, existing, "requested", actor_id=actor.user_id, role="recipient", now=now)
    else:
        existing.message = message
        existing.requested_at = now
        _record(session, existing, "requested", actor_id=actor.user_id, role="recipient", now=now)
    session.flush()
    _auto_approve(session, existing, opp, now)
    return _reload(session, existing.id)


def _insert(
    session: Session,
    match: Match,
    status: str,
    *,
    actor_id: uuid.UUID,
    role: str,
    now: datetime,
    reason: str | None = None,
) -> None:
    """Add a new match in its first state; a twin made at the same moment is a 409, not a 500."""
    try:
        with session.begin_nested():
            match.status = status
            match.updated_at = now
            session.add(match)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("There is already an open match for this person and opportunity.") from exc
    session.add(
        MatchEvent(
            match_id=match.id,
            from_status=None,
            to_status=status,
            actor_id=actor_id,
            actor_role=role,
            reason=reason,
            at=now,
        )
    )


def _auto_approve(session: Session, match: Match, opp: Opportunity, now: datetime) -> None:
    """Kinds the municipality approves without a coach (e.g. courses), while places last."""
    policy = load_policy(session, match.municipality_id)
    if opp.kind not in policy.auto_approve_kinds:
        return
    locked = session.scalar(select(Opportunity).where(Opportunity.id == opp.id).with_for_update())
    if locked is not None and _taken(session, opp.id) < locked.capacity:
        _record(
            session,
            match,
            "approved",
            actor_id=None,
            role="system",
            now=now + timedelta(microseconds=1),  # just after the request, kept in order
            reason="approved by municipal policy",
        )
        session.flush()


def _within_daily_cap(session: Session, actor: Actor, now: datetime) -> None:
    """A person may ask for a few opportunities a day; more is likely a mistake or abuse."""
    policy = load_policy(session, actor.municipality_id)
    local = now.astimezone(AMSTERDAM)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    today = (
        session.scalar(
            select(func.count())
            .select_from(Match)
            .where(Match.recipient_id == actor.user_id, Match.requested_at >= midnight)
        )
        or 0
    )
    if today >= policy.max_requests_per_day:
        tomorrow = midnight + timedelta(days=1)
        raise TooManyRequests(
            f"You can ask for {policy.max_requests_per_day} opportunities a day. "
            "Try again tomorrow, or talk to your coach.",
            retry_after=int((tomorrow - local).total_seconds()),
        )


def _reload(session: Session, match_id: uuid.UUID) -> Match:
    """The match after a step, with its opportunity and its history, as callers show it."""
    session.flush()
    match = _load(session, match_id)
    assert match is not None
    return attach_history(session, [match])[0]


def _own_recipient_match(session: Session, actor: Actor, match_id: uuid.UUID) -> Match:
    match = _load(session, match_id, lock=True)
    if match is None or match.recipient_id != actor.user_id:
        raise NotFound()
    return match


def _caseload_match(session: Session, actor: Actor, match_id: uuid.UUID) -> Match:
    match = _load(session, match_id, lock=True)
    if match is None or match.municipality_id != actor.municipality_id:
        raise NotFound()
    person = session.get(User, match.recipient_id) if match.recipient_id else None
    if person is None or person.coach_id != actor.user_id:
        raise NotFound()
    return match


def _team_match(session: Session, actor: Actor, match_id: uuid.UUID) -> Match:
    """A match on the organiser's team's opportunity that they may see (approved or later)."""
    match = _load(session, match_id, lock=True)
    if (
        match is None
        or match.municipality_id != actor.municipality_id
        or match.opportunity.team_id != actor.team_id
        or match.status not in ("approved", "active", "completed", "rejected")
    ):
        raise NotFound()
    return match


def withdraw_match(session: Session, *, actor: Actor, match_id: uuid.UUID) -> Match:
    """The person steps back, at any open stage."""
    match = _own_recipient_match(session, actor, match_id)
    _record(session, match, "withdrawn", actor_id=actor.user_id, role="recipient")
    return _reload(session, match.id)


def approve_match(session: Session, *, actor: Actor, match_id: uuid.UUID) -> MatchOutcome:
    """The coach gives permission; the opportunity row lock makes the last place go once."""
    match = _caseload_match(session, actor, match_id)
    if match.status != "requested":
        raise Conflict(f"A match that is {match.status} cannot be approved.")
    opp = session.scalar(
        select(Opportunity).where(Opportunity.id == match.opportunity_id).with_for_update()
    )
    assert opp is not None
    if _taken(session, opp.id) >= opp.capacity:
        raise Conflict("This opportunity is full.")
    _record(session, match, "approved", actor_id=actor.user_id, role="coach")
    _audit_change(session, actor, match, "match approved")
    session.flush()
    return MatchOutcome(_reload(session, match.id), _allowance_warnings(session, match, opp))


def _allowance_warnings(session: Session, match: Match, opp: Opportunity) -> list[dict[str, str]]:
    """Warn (never block) when volunteer allowances together pass the municipality's cap."""
    policy = load_policy(session, match.municipality_id)
    total_cents = (
        session.scalar(
            select(func.coalesce(func.sum(Opportunity.monthly_allowance_cents), 0))
            .join(Match, Match.opportunity_id == Opportunity.id)
            .where(Match.recipient_id == match.recipient_id, Match.status.in_(TAKES_A_PLACE))
        )
        or 0
    )
    cap_cents = int(policy.allowance_cap_eur_month * 100)
    if opp.monthly_allowance_cents and total_cents > cap_cents:
        return [
            {
                "code": "allowance_over_cap",
                "text": (
                    f"Together the volunteer allowances come to EUR {total_cents / 100:.2f} "
                    f"a month, above the cap of EUR {cap_cents / 100:.2f}."
                    " Check this with the person."
                ),
            }
        ]
    return []


def decline_match(session: Session, *, actor: Actor, match_id: uuid.UUID, reason: str) -> Match:
    """The coach says no, with a reason the person can read."""
    match = _caseload_match(session, actor, match_id)
    match.decision_reason = reason
    _record(session, match, "declined", actor_id=actor.user_id, role="coach", reason=reason)
    _audit_change(session, actor, match, "match declined")
    return _reload(session, match.id)


def confirm_match(session: Session, *, actor: Actor, match_id: uuid.UUID) -> Match:
    """The organiser confirms the person started."""
    match = _team_match(session, actor, match_id)
    _record(session, match, "active", actor_id=actor.user_id, role="organizer")
    return _reload(session, match.id)


def reject_match(session: Session, *, actor: Actor, match_id: uuid.UUID, reason: str) -> Match:
    """The organiser cannot take the person, with a reason."""
    match = _team_match(session, actor, match_id)
    match.decision_reason = reason
    _record(session, match, "rejected", actor_id=actor.user_id, role="organizer", reason=reason)
    return _reload(session, match.id)


def complete_match(session: Session, *, actor: Actor, match_id: uuid.UUID) -> Match:
    """The activity ended well."""
    if actor.role == "organizer":
        match = _team_match(session, actor, match_id)
    else:
        match = _caseload_match(session, actor, match_id)
    _record(session, match, "completed", actor_id=actor.user_id, role=actor.role)
    return _reload(session, match.id)


def expire_stale_requests(
    session: Session, *, now: datetime, municipality_id: uuid.UUID, days: int
) -> list[Match]:
    """Requests nobody decided on within `days` expire (the scheduler's job)."""
    stale = list(
        session.scalars(
            select(Match)
            .where(
                Match.municipality_id == municipality_id,
                Match.status == "requested",
                Match.requested_at < now - timedelta(days=days),
            )
            .with_for_update(skip_locked=True)
        )
    )
    for match in stale:
        _record(session, match, "expired", actor_id=None, role="system", now=now)
    session.flush()
    return stale


def _history(session: Session, match_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[MatchEvent]]:
    out: dict[uuid.UUID, list[MatchEvent]] = {m: [] for m in match_ids}
    if not match_ids:
        return out
    for ev in session.scalars(
        select(MatchEvent)
        .where(MatchEvent.match_id.in_(match_ids))
        .order_by(MatchEvent.at, MatchEvent.id)
    ):
        out[ev.match_id].append(ev)
    return out


def attach_history(session: Session, matches: list[Match]) -> list[Match]:
    """Give each match its history in one query (no N+1)."""
    history = _history(session, [m.id for m in matches])
    for m in matches:
        m.history = history[m.id]
    return matches


def _page(session: Session, stmt: Any, *, limit: int, cursor: str | None) -> Page:
    after = decode_cursor(cursor, as_datetime, as_uuid)
    if after is not None:
        stmt = stmt.where(tuple_(Match.created_at, Match.id) < tuple_(*after))
    found = list(
        session.scalars(stmt.order_by(Match.created_at.desc(), Match.id.desc()).limit(limit + 1))
    )
    items = attach_history(session, found[:limit])
    nxt = (
        encode_cursor([items[-1].created_at.isoformat(), str(items[-1].id)])
        if len(found) > limit
        else None
    )
    return Page(items, nxt)


def _base() -> Any:
    return select(Match).options(joinedload(Match.opportunity).joinedload(Opportunity.team))


def list_my_matches(
    session: Session,
    *,
    actor: Actor,
    status: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> Page:
    """The person's own matches with their history."""
    stmt = _base().where(Match.recipient_id == actor.user_id)
    if status:
        stmt = stmt.where(Match.status == status)
    return _page(session, stmt, limit=limit, cursor=cursor)


def list_coach_matches(
    session: Session,
    *,
    actor: Actor,
    status: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> Page:
    """The coach's queue: matches of people on their caseload."""
    stmt = (
        _base()
        .join(User, User.id == Match.recipient_id)
        .where(User.coach_id == actor.user_id, Match.municipality_id == actor.municipality_id)
    )
    if status:
        stmt = stmt.where(Match.status == status)
    page = _page(session, stmt, limit=limit, cursor=cursor)
    record_many(
        session,
        actor=actor,
        subject_ids=[m.recipient_id for m in page.items if m.recipient_id],
        action="read",
        object_type="match",
        purpose="approval queue",
    )
    return page


@dataclass(frozen=True)
class Candidate:
    """What an organiser may know about an approved or active person: nothing more."""

    match_id: uuid.UUID
    status: str
    first_name: str
    contact: str | None


def list_candidates(
    session: Session, *, actor: Actor, opportunity_id: uuid.UUID
) -> list[Candidate]:
    """Approved and active people for the organiser's own opportunity."""
    opp = session.get(Opportunity, opportunity_id)
    if opp is None or opp.municipality_id != actor.municipality_id or opp.team_id != actor.team_id:
        raise NotFound()
    rows = session.execute(
        select(
            Match.id,
            Match.status,
            RecipientProfile.display_name,
            RecipientProfile.shared_contact,
            User.name,
            Match.recipient_id,
        )
        .join(User, User.id == Match.recipient_id)
        .outerjoin(RecipientProfile, RecipientProfile.user_id == Match.recipient_id)
        .where(Match.opportunity_id == opportunity_id, Match.status.in_(TAKES_A_PLACE))
        .order_by(Match.created_at)
    ).all()
    record_many(
        session,
        actor=actor,
        subject_ids=[r[5] for r in rows],
        action="read",
        object_type="candidate",
        purpose="organiser sees approved candidates (first name, contact)",
    )
    return [Candidate(r[0], r[1], (r[2] or r[4]).split(" ")[0], r[3]) for r in rows]


def ensure_role(actor: Actor, *roles: str) -> None:
    """Guard for services called outside the HTTP layer."""
    if actor.role not in roles:
        raise Forbidden("Your role may not do this.")
