"""GET /v1/me/export: everything held about the person, as one document."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, joinedload

from api.audit.models import AuditEvent
from api.auth.models import RefreshToken, TokenFamily
from api.auth.security import Actor
from api.db import utcnow
from api.errors import NotFound
from api.experiments.service import my_experiments
from api.invitations.models import Invitation
from api.ladder.service import ladder_history
from api.matches.models import Match
from api.matches.service import attach_history
from api.nudges.models import Device, InboxMessage, Nudge
from api.opportunities.models import Opportunity
from api.plans import service as plans
from api.privacy.replies import stored_replies_about
from api.profiles.models import RecipientProfile
from api.progress.models import CheckIn
from api.users.models import User


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
        stored_replies_about(person=user, match_ids=[m.id for m in matches])
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
        "experiments": my_experiments(session, actor=actor),
        "steps": plans.all_steps(session, user_id=actor.user_id, now=now),
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
