"""Writing to the audit trail; the request's transaction carries it."""

from __future__ import annotations

import uuid

from flask import has_request_context, request
from sqlalchemy.orm import Session

from api.audit.models import AuditEvent
from api.auth.security import Actor
from api.users.models import User


def record(
    session: Session,
    *,
    actor: Actor,
    subject_id: uuid.UUID | None,
    action: str,
    object_type: str,
    object_id: str | None = None,
    purpose: str | None = None,
) -> None:
    """Note that an actor read or changed someone's personal data."""
    user = session.get(User, actor.user_id)
    origin = None
    if has_request_context():
        rule = request.url_rule.rule if request.url_rule else request.path
        origin = f"{request.method} {rule}"[:80]
    session.add(
        AuditEvent(
            municipality_id=actor.municipality_id,
            actor_id=actor.user_id,
            actor_role=actor.role,
            actor_name=user.name if user else "?",
            subject_id=subject_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            origin=origin,
            purpose=purpose,
        )
    )
