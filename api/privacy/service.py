"""The person's own data: who looked at it, a full export, and erasure; the admin's audit trail.

Export and erasure are written in `api.privacy.export` and `api.privacy.erasure`.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.audit.models import AuditEvent
from api.auth.security import Actor
from api.core.paging import Page, keyset_page
from api.privacy.erasure import apply_retention, erase_for_person, erase_self
from api.privacy.export import export

# The routes and the retention job take these from here.
__all__ = [
    "access_log",
    "apply_retention",
    "audit_log",
    "erase_for_person",
    "erase_self",
    "export",
]


def _audit_page(
    session: Session, stmt: Select[tuple[AuditEvent]], *, limit: int, cursor: str | None
) -> Page:
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
