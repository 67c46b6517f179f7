"""The nudge outbox, the in-app inbox and registered push devices."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
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

from api.db import Base, Timestamps, UUIDPk

NUDGE_STATUSES = ("pending", "delivered", "dropped", "dead")


class Nudge(UUIDPk, Timestamps, Base):
    """One message to one person for one reason in one period; the key makes it happen once."""

    __tablename__ = "nudges"
    __table_args__ = (
        Index("uq_nudges_user_kind_period", "user_id", "kind", "period", unique=True),
        # The dispatcher's order (due, then id) straight from the index, without a sort.
        Index("ix_nudges_pending_due", "due_at", "id", postgresql_where=text("status = 'pending'")),
        CheckConstraint("status in ('pending', 'delivered', 'dropped', 'dead')", name="status"),
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


class InboxMessage(UUIDPk, Base):
    """What the person reads in the app; always written, push or not."""

    __tablename__ = "inbox_messages"
    __table_args__ = (Index("ix_inbox_messages_user_created", "user_id", "created_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    nudge_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("nudges.id", ondelete="CASCADE"), unique=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Device(UUIDPk, Timestamps, Base):
    """A phone registered for push; only the provider's token is kept."""

    __tablename__ = "devices"
    __table_args__ = (
        Index("uq_devices_user_token", "user_id", "push_token", unique=True),
        CheckConstraint("platform in ('ios', 'android', 'web')", name="platform"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(10))
    push_token: Mapped[str] = mapped_column(String(400))


class AlertedOpportunity(Base):
    """A published opportunity whose new-opportunity alerts were planned: looked at once."""

    __tablename__ = "alerted_opportunities"

    opportunity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True
    )
    planned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
