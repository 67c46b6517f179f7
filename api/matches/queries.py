"""Reading matches: a person's list, the coach's queue, an organiser's candidates, histories."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from api.audit.service import record_many
from api.auth.security import Actor
from api.core.paging import Page, keyset_page
from api.errors import NotFound
from api.i18n import N_
from api.matches.access import load_match
from api.matches.models import Match, MatchEvent, MatchFeedback
from api.matches.status import TAKES_A_PLACE
from api.opportunities.models import Opportunity
from api.profiles.models import RecipientProfile
from api.users.models import User


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
    """Give each match its history and "did it help?" answer, in two queries (no N+1)."""
    ids = [m.id for m in matches]
    history = _history(session, ids)
    answers = (
        {
            f.match_id: f
            for f in session.scalars(select(MatchFeedback).where(MatchFeedback.match_id.in_(ids)))
        }
        if ids
        else {}
    )
    for m in matches:
        m.history = history[m.id]
        m.feedback = answers.get(m.id)
    return matches


def reload(session: Session, match_id: uuid.UUID) -> Match:
    """The match after a step, with its opportunity and its history, as callers show it."""
    session.flush()
    match = load_match(session, match_id)
    assert match is not None
    return attach_history(session, [match])[0]


def _page(session: Session, stmt: Select[tuple[Match]], *, limit: int, cursor: str | None) -> Page:
    """Newest first, each match with its history."""
    page = keyset_page(
        session, stmt, order=(Match.created_at.desc(), Match.id.desc()), limit=limit, cursor=cursor
    )
    attach_history(session, page.items)
    return page


def _base() -> Select[tuple[Match]]:
    return select(Match).options(joinedload(Match.opportunity).joinedload(Opportunity.team))


def list_person_matches(
    session: Session,
    *,
    recipient_id: uuid.UUID,
    status: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> Page:
    """One person's matches with their history, newest first (the caller checked access)."""
    stmt = _base().where(Match.recipient_id == recipient_id)
    if status:
        stmt = stmt.where(Match.status == status)
    return _page(session, stmt, limit=limit, cursor=cursor)


def list_my_matches(
    session: Session,
    *,
    actor: Actor,
    status: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> Page:
    """The person's own matches with their history."""
    return list_person_matches(
        session, recipient_id=actor.user_id, status=status, limit=limit, cursor=cursor
    )


def list_coach_matches(
    session: Session,
    *,
    actor: Actor,
    status: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> Page:
    """The coach's queue: matches of people on their caseload, each with the person's name.

    The name comes in the same query as the match and its opportunity (no call per person).
    """
    stmt = (
        _base()
        .add_columns(func.coalesce(RecipientProfile.display_name, User.name))
        .join(User, User.id == Match.recipient_id)
        .outerjoin(RecipientProfile, RecipientProfile.user_id == Match.recipient_id)
        .where(User.coach_id == actor.user_id, Match.municipality_id == actor.municipality_id)
    )
    if status:
        stmt = stmt.where(Match.status == status)
    page = keyset_page(
        session,
        stmt,
        order=(Match.created_at.desc(), Match.id.desc()),
        limit=limit,
        cursor=cursor,
        item=_with_name,
    )
    attach_history(session, page.items)
    record_many(
        session,
        actor=actor,
        subject_ids=[m.recipient_id for m in page.items if m.recipient_id],
        action="read",
        object_type="match",
        purpose=N_("approval queue"),
    )
    return page


def _with_name(row: Any) -> Match:
    """The match with the person's name (display name, else account name) beside it."""
    match: Match = row[0]
    match.recipient_name = row[1]
    return match


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
        _candidates_select()
        .where(Match.opportunity_id == opportunity_id)
        .order_by(Match.created_at)
    ).all()
    _audit_candidates(session, actor, [r[5] for r in rows])
    return [Candidate(r[0], r[1], _first_name(r[2], r[4]), r[3]) for r in rows]


def _candidates_select(*extra: Any) -> Select[Any]:
    """Approved and active matches with what an organiser may see of the person.

    Columns: match id, status, display name, shared contact, account name, recipient id, then
    `extra`. The one shape behind one opportunity's candidates and the team's queue.
    """
    return (
        select(
            Match.id,
            Match.status,
            RecipientProfile.display_name,
            RecipientProfile.shared_contact,
            User.name,
            Match.recipient_id,
            *extra,
        )
        .join(User, User.id == Match.recipient_id)
        .outerjoin(RecipientProfile, RecipientProfile.user_id == Match.recipient_id)
        .where(Match.status.in_(TAKES_A_PLACE))
    )


def _first_name(display_name: str | None, name: str) -> str:
    """An organiser knows a candidate by first name only."""
    return (display_name or name).split(" ")[0]


def _audit_candidates(session: Session, actor: Actor, subject_ids: list[uuid.UUID | None]) -> None:
    """Each person whose first name and contact an organiser saw finds it in their access log."""
    record_many(
        session,
        actor=actor,
        subject_ids=[s for s in subject_ids if s is not None],
        action="read",
        object_type="candidate",
        purpose=N_("organiser sees approved candidates (first name, contact)"),
    )


@dataclass(frozen=True)
class TeamCandidate(Candidate):
    """A candidate on the team's list of all its opportunities: for which one, since when."""

    opportunity_id: uuid.UUID
    opportunity_title: str
    since: datetime


def _team_candidates_stmt(actor: Actor) -> Select[Any]:
    """Approved and active people across the organiser's team's opportunities, in one query."""
    return (
        _candidates_select(Opportunity.id, Opportunity.title, Match.updated_at)
        .join(Opportunity, Opportunity.id == Match.opportunity_id)
        .where(
            Opportunity.municipality_id == actor.municipality_id,
            Opportunity.team_id == actor.team_id,
        )
    )


def _team_candidate(r: Any) -> TeamCandidate:
    return TeamCandidate(r[0], r[1], _first_name(r[2], r[4]), r[3], r[6], r[7], r[8])


def team_candidates(session: Session, *, actor: Actor, limit: int = 500) -> list[TeamCandidate]:
    """Approved and active people across all the team's opportunities, approved first, oldest first.

    What list_candidates shows for one opportunity, for all of them in one query, audited alike.
    """
    rows = session.execute(
        _team_candidates_stmt(actor)
        .order_by(Match.status.desc(), Match.updated_at, Match.id)  # approved before active
        .limit(limit)
    ).all()
    _audit_candidates(session, actor, [r[5] for r in rows])
    return [_team_candidate(r) for r in rows]


def list_team_candidates(
    session: Session,
    *,
    actor: Actor,
    status: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> Page:
    """The organiser's queue over all the team's opportunities: who waits longest comes first.

    First name and chosen contact only, as for one opportunity; each person seen is audited.
    """
    stmt = _team_candidates_stmt(actor)
    if status:
        stmt = stmt.where(Match.status == status)
    page = keyset_page(
        session,
        stmt,
        order=(Match.updated_at.asc(), Match.id.asc()),
        limit=limit,
        cursor=cursor,
        item=lambda r: r,
    )
    _audit_candidates(session, actor, [r[5] for r in page.items])
    return Page([_team_candidate(r) for r in page.items], page.next_cursor)
