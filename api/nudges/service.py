"""The person's inbox and push devices."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from api.audit.service import audit_denied
from api.auth.security import Actor
from api.core.paging import Page, keyset_page
from api.db import utcnow
from api.errors import NotFound
from api.i18n import N_
from api.nudges.models import Device, InboxMessage


def list_inbox(
    session: Session,
    *,
    actor: Actor,
    limit: int = 20,
    cursor: str | None = None,
    unread: bool | None = None,
) -> Page:
    """Newest first."""
    stmt = select(InboxMessage).where(InboxMessage.user_id == actor.user_id)
    if unread:
        stmt = stmt.where(InboxMessage.read_at.is_(None))
    return keyset_page(
        session,
        stmt,
        order=(InboxMessage.created_at.desc(), InboxMessage.id.desc()),
        limit=limit,
        cursor=cursor,
    )


def mark_read(session: Session, *, actor: Actor, message_id: uuid.UUID) -> InboxMessage:
    """Mark one of your own messages read (idempotent)."""
    msg = session.get(InboxMessage, message_id)
    if msg is None or msg.user_id != actor.user_id:
        audit_denied(
            session,
            actor=actor,
            subject_id=msg.user_id if msg else None,
            action="update",
            object_type="inbox_message",
            object_id=message_id,
            purpose=N_("not their own message"),
        )
        raise NotFound()
    if msg.read_at is None:
        msg.read_at = utcnow()
        session.flush()
    return msg


def register_device(session: Session, *, actor: Actor, platform: str, push_token: str) -> Device:
    """Register (or re-register) a device for push."""
    session.execute(
        insert(Device)
        .values(id=uuid.uuid4(), user_id=actor.user_id, platform=platform, push_token=push_token)
        .on_conflict_do_update(
            index_elements=["user_id", "push_token"], set_={"platform": platform}
        )
    )
    device = session.scalar(
        select(Device).where(Device.user_id == actor.user_id, Device.push_token == push_token)
    )
    assert device is not None
    return device
