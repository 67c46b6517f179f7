"""The audit trail (BIO): who read or changed whose personal data, when, how and why."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UUIDPk


class AuditEvent(UUIDPk, Base):
    """Append-only: action, object, result, origin, actor, time."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_subject_at", "subject_id", "at"),
        Index("ix_audit_events_municipality_at", "municipality_id", "at"),
    )

    # None only for a failed sign-in to an unknown account: it belongs to no municipality.
    municipality_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE")
    )
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_role: Mapped[str] = mapped_column(String(20))
    actor_name: Mapped[str] = mapped_column(String(120))
    subject_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(20))  # read | create | update | delete | sign_in
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(80))
    result: Mapped[str] = mapped_column(String(20), default="success")  # success | denied
    origin: Mapped[str | None] = mapped_column(String(80))  # e.g. GET /v1/caseload/<uuid:...>
    purpose: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
