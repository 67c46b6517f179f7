"""Writing to the audit trail; the request's transaction carries it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from flask import has_request_context, request
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from api.audit.models import AuditEvent
from api.auth.security import Actor
from api.users.models import User


def _origin() -> str | None:
    if not has_request_context():
        return None
    rule = request.url_rule.rule if request.url_rule else request.path
    return f"{request.method} {rule}"[:80]


def record_many(
    session: Session,
    *,
    actor: Actor,
    subject_ids: Iterable[uuid.UUID],
    action: str,
    object_type: str,
    purpose: str,
) -> None:
    """One audit row per person seen in a list, written in one statement."""
    ids = list(dict.fromkeys(subject_ids))
    if not ids:
        return
    name = session.scalar(select(User.name).where(User.id == actor.user_id)) or "?"
    origin = _origin()
    session.execute(
        insert(AuditEvent),
        [
            {
                "id": uuid.uuid4(),
                "municipality_id": actor.municipality_id,
                "actor_id": actor.user_id,
                "actor_role": actor.role,
                "actor_name": name,
                "subject_id": sid,
                "action": action,
                "object_type": object_type,
                "result": "success",
                "origin": origin,
                "purpose": purpose,
            }
            for sid in ids
        ],
    )


def record(
    session: Session,
    *,
    actor: Actor,
    subject_id: uuid.UUID | None,
    action: str,
    object_type: str,
    object_id: str | None = None,
    purpose: str | None = None,
    actor_name: str | None = None,
) -> None:
    """Note that an actor read or changed someone's personal data."""
    user = session.get(User, actor.user_id) if actor_name is None else None
    origin = _origin()
    session.add(
        AuditEvent(
            municipality_id=actor.municipality_id,
            actor_id=actor.user_id,
            actor_role=actor.role,
            actor_name=actor_name or (user.name if user else "?"),
            subject_id=subject_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            origin=origin,
            purpose=purpose,
        )
    )
