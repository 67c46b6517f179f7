"""The person's own data: who looked at it, a full export, and erasure."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from api.audit.models import AuditEvent
from api.audit.service import record
from api.auth.security import Actor
from api.core.paging import Page, keyset_page
from api.db import utcnow
from api.errors import Forbidden, NotFound
from api.idempotency.models import IdempotencyKey
from api.matches.lifecycle import transition_many
from api.matches.models import Match, MatchEvent
from api.matches.service import attach_history
from api.matches.status import OPEN_STATUSES, TAKES_A_PLACE, MatchStatus
from api.nudges.models import Device, InboxMessage, Nudge
from api.opportunities.models import Opportunity
from api.profiles.models import RecipientProfile
from api.progress.models import CheckIn
from api.progress.service import ladder_history
from api.users.models import User


def _audit_page(session: Session, stmt: Any, *, limit: int, cursor: str | None) -> Page:
    return keyset_page(
        session,
        stmt,
        order=(AuditEvent.at.desc(), AuditEvent.id.desc()),
        limit=limit,
        cursor=cursor,
    )


def access_log(
    session: Session, *, actor: Actor, limit: int = 20, cursor: str | None = None
) -> Page:
    """Who (role and name) read or changed my data, when and why."""
    stmt = select(AuditEvent).where(AuditEvent.subject_id == actor.user_id)
    return _audit_page(session, stmt, limit=limit, cursor=cursor)


def audit_log(
    session: Session,
    *,
    actor: Actor,
    limit: int = 20,
    cursor: str | None = None,
    actor_id: uuid.UUID | None = None,
    subject_id: uuid.UUID | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page:
    """The municipality's audit trail for admins, filterable."""
    stmt = select(AuditEvent).where(AuditEvent.municipality_id == actor.municipality_id)
    if actor_id:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if subject_id:
        stmt = stmt.where(AuditEvent.subject_id == subject_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if since:
        stmt = stmt.where(AuditEvent.at >= since)
    if until:
        stmt = stmt.where(AuditEvent.at < until)
    return _audit_page(session, stmt, limit=limit, cursor=cursor)


def export(session: Session, *, actor: Actor) -> dict[str, Any]:
    """Everything held about the person, as one document."""
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound()
    matches = list(
        session.scalars(
            select(Match)
            .options(joinedload(Match.opportunity).joinedload(Opportunity.team))
            .where(Match.recipient_id == actor.user_id)
            .order_by(Match.created_at, Match.id)
        )
    )
    nudges = session.scalars(
        select(Nudge).where(Nudge.user_id == actor.user_id).order_by(Nudge.created_at)
    ).all()
    return {
        "exported_at": utcnow(),
        "account": {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "created_at": user.created_at,
            "last_login_at": user.last_login_at,
        },
        "profile": session.get(RecipientProfile, actor.user_id),
        "matches": attach_history(session, matches),
        "checkins": session.scalars(
            select(CheckIn).where(CheckIn.user_id == actor.user_id).order_by(CheckIn.date)
        ).all(),
        "ladder": ladder_history(session, user_id=actor.user_id),
        "nudges": [
            {"kind": n.kind, "status": n.status, "created_at": n.created_at, "params": n.params}
            for n in nudges
        ],
        "inbox": session.scalars(
            select(InboxMessage)
            .where(InboxMessage.user_id == actor.user_id)
            .order_by(InboxMessage.created_at)
        ).all(),
        "devices": [
            {"platform": d.platform, "created_at": d.created_at}
            for d in session.scalars(select(Device).where(Device.user_id == actor.user_id))
        ],
        "access_log": session.scalars(
            select(AuditEvent).where(AuditEvent.subject_id == actor.user_id).order_by(AuditEvent.at)
        ).all(),
    }


ERASED = "erased person"


def erase_person(session: Session, *, user_id: uuid.UUID) -> None:
    """Delete the person and everything personal; matches stay only as anonymous counts."""
    person = session.get(User, user_id)
    profile = session.get(RecipientProfile, user_id)
    own_matches = list(
        session.scalars(
            select(Match)
            .where(Match.recipient_id == user_id)
            .order_by(Match.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    # An erased person takes no place and waits for no decision.
    transition_many(
        session,
        [m for m in own_matches if m.status in OPEN_STATUSES],
        MatchStatus.WITHDRAWN,
        role="system",
    )
    # Messages to coaches and organisers that name the person go too.
    if own_matches:
        session.execute(
            delete(Nudge).where(
                Nudge.kind.in_(("request_waiting", "approved_not_started")),
                Nudge.period.in_([str(m.id) for m in own_matches]),
            )
        )
    if person is not None and person.coach_id is not None:
        names = {n for n in (profile.display_name if profile else None, person.name) if n}
        for name in names:
            session.execute(
                delete(Nudge).where(
                    Nudge.kind == "coach_digest",
                    Nudge.user_id == person.coach_id,
                    Nudge.params["people"].astext.contains(name),
                )
            )
    session.execute(
        update(AuditEvent).where(AuditEvent.actor_id == user_id).values(actor_name=ERASED)
    )
    match_ids = select(Match.id).where(Match.recipient_id == user_id).scalar_subquery()
    session.execute(
        update(MatchEvent).where(MatchEvent.match_id.in_(match_ids)).values(reason=None)
    )
    session.execute(update(MatchEvent).where(MatchEvent.actor_id == user_id).values(actor_id=None))
    session.execute(
        update(Match)
        .where(Match.recipient_id == user_id)
        .values(
            recipient_id=None,
            reasons=[],
            message=None,
            coach_note=None,
            decision_reason=None,
            score=None,
        )
    )
    session.execute(
        update(AuditEvent).where(AuditEvent.object_id == str(user_id)).values(object_id=None)
    )
    # Everything else that names the person goes with the account (ON DELETE CASCADE):
    # profile, check-ins, ladder, nudges, inbox, devices, idempotency keys, tokens, invitations.
    session.execute(delete(User).where(User.id == user_id))
    session.flush()


def erase_self(session: Session, *, actor: Actor) -> None:
    """DELETE /v1/me."""
    record(
        session,
        actor=actor,
        subject_id=None,
        action="delete",
        object_type="person",
        object_id=None,
        purpose="erasure asked by the person",
        actor_name=ERASED,
    )
    erase_person(session, user_id=actor.user_id)


def erase_for_person(session: Session, *, actor: Actor, recipient_id: uuid.UUID) -> None:
    """A coach (own caseload) or admin (own municipality) erases a person who asked at the desk."""
    person = session.get(User, recipient_id)
    if (
        person is None
        or person.role != "recipient"
        or person.municipality_id != actor.municipality_id
        or (actor.role == "coach" and person.coach_id != actor.user_id)
    ):
        raise NotFound()
    if actor.role not in ("coach", "admin"):
        raise Forbidden("Your role may not do this.")
    record(
        session,
        actor=actor,
        subject_id=None,
        action="delete",
        object_type="person",
        object_id=None,
        purpose="erasure asked at the desk",
    )
    erase_person(session, user_id=person.id)


def apply_retention(
    session: Session,
    *,
    now: datetime,
    municipality_id: uuid.UUID,
    note_days: int,
    inactive_days: int,
) -> dict[str, int]:
    """Remove check-in notes and inactive accounts after the policy's periods."""
    notes = session.execute(
        update(CheckIn)
        .where(
            CheckIn.municipality_id == municipality_id,
            CheckIn.note.is_not(None),
            CheckIn.created_at < now - timedelta(days=note_days),
        )
        .values(note=None)
    ).rowcount
    cutoff = now - timedelta(days=inactive_days)
    last_checkin = (
        select(func.max(CheckIn.created_at)).where(CheckIn.user_id == User.id).scalar_subquery()
    )
    stale = list(
        session.scalars(
            select(User.id).where(
                User.municipality_id == municipality_id,
                User.role == "recipient",
                User.created_at < cutoff,
                or_(User.last_login_at.is_(None), User.last_login_at < cutoff),
                or_(last_checkin.is_(None), last_checkin < cutoff),
                ~select(Match.id)
                .where(Match.recipient_id == User.id, Match.status.in_(TAKES_A_PLACE))
                .exists(),
            )
        )
    )
    for user_id in stale:
        erase_person(session, user_id=user_id)
    # Stored replies to retried requests are only needed for a day; they hold personal data.
    session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < now - timedelta(days=1))
    )
    return {"notes_removed": int(notes or 0), "accounts_erased": len(stale)}
