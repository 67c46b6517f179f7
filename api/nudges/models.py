"""The nudge outbox, the in-app inbox and registered push devices."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from api.auth.models import Device
from api.db import Base, Timestamps, UUIDPk

# Devices belong to sign-ins (api.auth): signing out removes the device registered under it.
__all__ = ["Device", "InboxMessage", "NotificationPreference", "Nudge"]

NUDGE_STATUSES = ("pending", "delivered", "dropped", "dead")
# A nudge is planned by us; an event answers something someone did (never capped).
CHANNELS = ("nudge", "event")


class Nudge(UUIDPk, Timestamps, Base):
    """One message to one person for one reason in one period; the key makes it happen once."""

    __tablename__ = "nudges"
    __table_args__ = (
        Index("uq_nudges_user_kind_period", "user_id", "kind", "period", unique=True),
        # The dispatcher's order (due, then id) straight from the index, without a sort.
        Index("ix_nudges_pending_due", "due_at", "id", postgresql_where=text("status = 'pending'")),
        CheckConstraint("status in ('pending', 'delivered', 'dropped', 'dead')", name="status"),
        CheckConstraint("channel in ('nudge', 'event')", name="channel"),
        Index(
            "ix_nudges_user_held",
            "user_id",
            "created_at",
            postgresql_where=text("drop_reason = 'daily_summary'"),
        ),
    )

    municipality_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(2))
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    drop_reason: Mapped[str | None] = mapped_column(String(40))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(300))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str] = mapped_column(String(10), default="nudge", server_default="nudge")
    # What the message is about, so the app opens the right screen (api.nudges.targets).
    target_type: Mapped[str | None] = mapped_column(String(20))
    target_id: Mapped[str | None] = mapped_column(String(64))
    # False: inbox only (the person's or staff member's preference, or a bundled request).
    push: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    # Devices already reached, so a retry after a partial failure pushes each device once.
    pushed_devices: Mapped[list[str]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )


class InboxMessage(UUIDPk, Base):
    """What the person reads in the app; always written, push or not."""

    __tablename__ = "inbox_messages"
    __table_args__ = (
        Index("ix_inbox_messages_user_created", "user_id", "created_at"),
        Index("ix_inbox_messages_user_updated", "user_id", "updated_at", "id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    nudge_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("nudges.id", ondelete="CASCADE"), unique=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(200))
    target_type: Mapped[str | None] = mapped_column(String(20))
    target_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Moves whenever the message changes (written, read): the app's change feed.
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @property
    def target(self) -> dict[str, str | None]:
        """`{type, id}`: what the message is about (the inbox itself for old messages)."""
        return {"type": self.target_type or "inbox", "id": self.target_id}


class NotificationPreference(Base):
    """A staff member's choice per event kind: 'push', 'inbox' or 'summary' (daily)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kinds: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class AlertedOpportunity(Base):
    """A published opportunity whose new-opportunity alerts were planned: looked at once."""

    __tablename__ = "alerted_opportunities"

    opportunity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True
    )
    planned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
