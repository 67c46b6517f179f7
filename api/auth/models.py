"""Refresh-token families: rotation on every use, reuse revokes the family."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, Timestamps, UUIDPk


class TokenFamily(UUIDPk, Timestamps, Base):
    """One sign-in; all tokens issued from it share its fate."""

    __tablename__ = "token_families"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(40))


class RefreshToken(Timestamps, Base):
    """One issued refresh token; spent once it has been exchanged."""

    __tablename__ = "refresh_tokens"

    jti: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("token_families.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    spent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Device(UUIDPk, Timestamps, Base):
    """A phone registered for push; only the provider's token is kept.

    A token belongs to one account, the last to register it (a phone handed on). Registered
    under a sign-in, the device goes when that sign-in ends.
    """

    __tablename__ = "devices"
    __table_args__ = (
        Index("uq_devices_push_token", "push_token", unique=True),
        CheckConstraint("platform in ('ios', 'android', 'web')", name="platform"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(10))
    push_token: Mapped[str] = mapped_column(String(400))
    family_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("token_families.id", ondelete="SET NULL"), index=True
    )
