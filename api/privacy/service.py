"""The person's own data: who looked at it, a full export, and erasure."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Text, delete, func, or_, select, tuple_, update
from sqlalchemy.orm import Session, aliased, joinedload

from api.audit.models import AuditEvent
from api.audit.service import audit_denied, record
from api.auth.models import RefreshToken, TokenFamily
from api.auth.security import Actor
from api.core.paging import Page, keyset_page
from api.db import rows_changed, utcnow
from api.errors import Forbidden, NotFound
from api.idempotency.models import IdempotencyKey
from api.invitations.models import Invitation
from api.ladder.service import ladder_history
from api.matches.lifecycle import transition_many
from api.matches.models import Match, MatchEvent
from api.matches.service import attach_history
from api.matches.status import OPEN_STATUSES, TAKES_A_PLACE, MatchStatus
from api.nudges.models import Device, InboxMessage, Nudge
from api.opportunities.models import Opportunity
from api.profiles.models import RecipientProfile
from api.progress.models import CheckIn
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
    result: str | None = None,
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
    if result:
        stmt = stmt.where(AuditEvent.result == result)
    if since:
        stmt = stmt.where(AuditEvent.at >= since)
    if until:
        stmt = stmt.where(AuditEvent.at < until)
    return _audit_page(session, stmt, limit=limit, cursor=cursor)


def _json_fragment(value: str) -> str:
    """How a string looks inside PostgreSQL's text form of a JSON document."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


def _stored_replies_about(
    *,
    person: User,
    match_ids: list[uuid.UUID],
    texts: tuple[str | None, ...] = (),
) -> Any:
    """Stored idempotent replies (anyone's, in the person's municipality) that mention the person.

    A reply mentions them when it holds their id or one of their matches' ids (e.g. a coach's
    approve reply carries the match with the person's message), or, with `texts`, their name or
    e-mail (a safety net for erasure: deleting a reply too many only makes a retry act anew).
    """
    body = IdempotencyKey.body.cast(Text)
    needles = [str(person.id), *(str(m) for m in match_ids)]
    conditions = [body.contains(n) for n in needles]
    conditions += [
        body.icontains(_json_fragment(t), autoescape=True)
        for t in dict.fromkeys(texts)
        if t and len(t) >= 3  # a very short name would match nearly every reply
    ]
    in_municipality = select(User.id).where(User.municipality_id == person.municipality_id)
    return (
        select(IdempotencyKey)
        .where(
            IdempotencyKey.body.is_not(None),
            IdempotencyKey.user_id.in_(in_municipality),
            or_(IdempotencyKey.user_id == person.id, *conditions),
        )
        .order_by(IdempotencyKey.created_at)
    )


def _mask(token: str) -> str:
    """Enough of a push token to recognise a phone, too little to use it."""
    return "****" + token[-4:] if len(token) > 8 else "****"


def _sessions(session: Session, user_id: uuid.UUID) -> list[dict[str, Any]]:
    """Sign-ins: when each began, was last used (the newest token issued) and ended."""
    rows = session.execute(
        select(
            TokenFamily.created_at,
            func.max(RefreshToken.created_at),
            TokenFamily.revoked_at,
            TokenFamily.revoked_reason,
        )
        .outerjoin(RefreshToken, RefreshToken.family_id == TokenFamily.id)
        .where(TokenFamily.user_id == user_id)
        .group_by(TokenFamily.id)
        .order_by(TokenFamily.created_at)
    ).all()
    return [
        {
            "created_at": created,
            "last_used_at": last or created,
            "revoked_at": revoked,
            "revoked_reason": reason,
        }
        for created, last, revoked, reason in rows
    ]


def _invitations(session: Session, user_id: uuid.UUID, now: datetime) -> list[dict[str, Any]]:
    """When and by whom the person was invited and what became of it; never the code."""
    by = aliased(User)
    rows = session.execute(
        select(Invitation, by.name, by.role)
        .outerjoin(by, by.id == Invitation.created_by_id)
        .where(Invitation.recipient_id == user_id)
        .order_by(Invitation.created_at)
    ).all()
    return [
        {
            "created_at": inv.created_at,
            "created_by_name": name,
            "created_by_role": role,
            "expires_at": inv.expires_at,
            "used_at": inv.used_at,
            "status": "used" if inv.used_at else ("expired" if inv.expires_at < now else "open"),
        }
        for inv, name, role in rows
    ]


def export(session: Session, *, actor: Actor) -> dict[str, Any]:
    """Everything held about the person, as one document."""
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound()
    now = utcnow()
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
    coach = session.get(User, user.coach_id) if user.coach_id else None
    replies = session.scalars(
        _stored_replies_about(person=user, match_ids=[m.id for m in matches])
    ).all()
    return {
        "exported_at": now,
        "account": {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "created_at": user.created_at,
            "last_login_at": user.last_login_at,
        },
        "coach": {"id": coach.id, "name": coach.name} if coach else None,
        "invitations": _invitations(session, user.id, now),
        "sessions": _sessions(session, user.id),
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
            {"platform": d.platform, "created_at": d.created_at, "push_token": _mask(d.push_token)}
            for d in session.scalars(
                select(Device).where(Device.user_id == actor.user_id).order_by(Device.created_at)
            )
        ],
        "stored_replies": [
            {
                "key": r.key if r.user_id == user.id else None,  # another's key is theirs
                "yours": r.user_id == user.id,
                "created_at": r.created_at,
                "status_code": r.status_code,
                "body": r.body,
            }
            for r in replies
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
    forget_stored_replies(session, user_id=user_id)
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


def forget_stored_replies(session: Session, *, user_id: uuid.UUID) -> int:
    """Delete every stored idempotent reply that mentions the person, whoever's key it is.

    A retry with such a key then acts anew (and finds the person gone) instead of replaying
    their data. Runs before the person's matches are anonymised: their ids find the replies.
    """
    person = session.get(User, user_id)
    if person is None:
        return 0
    profile = session.get(RecipientProfile, user_id)
    match_ids = list(session.scalars(select(Match.id).where(Match.recipient_id == user_id)))
    texts = (person.name, person.email, profile.display_name if profile else None)
    about = _stored_replies_about(person=person, match_ids=match_ids, texts=texts)
    keys = about.with_only_columns(IdempotencyKey.user_id, IdempotencyKey.key).order_by(None)
    return rows_changed(
        session,
        delete(IdempotencyKey)
        .where(tuple_(IdempotencyKey.user_id, IdempotencyKey.key).in_(keys))
        .execution_options(synchronize_session=False),
    )


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
        audit_denied(
            session,
            actor=actor,
            subject_id=person.id if person is not None and person.role == "recipient" else None,
            action="delete",
            object_type="person",
            object_id=recipient_id,
            purpose="erasure refused: not within reach",
        )
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
    notes = rows_changed(
        session,
        update(CheckIn)
        .where(
            CheckIn.municipality_id == municipality_id,
            CheckIn.note.is_not(None),
            CheckIn.created_at < now - timedelta(days=note_days),
        )
        .values(note=None),
    )
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
    return {"notes_removed": notes, "accounts_erased": len(stale)}
