"""One-time codes: an invitation (a new account) or a password reset (an existing one)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, Timestamps, UUIDPk

# What a code is for: activating a new account (POST /v1/auth/register) or choosing a new
# password for an account in use (POST /v1/auth/reset). A code opens only its own door.
ACTIVATE = "activate"
RESET = "reset"


class Invitation(UUIDPk, Timestamps, Base):
    """A one-time code for one account; only the code's hash is stored."""

    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint("purpose in ('activate', 'reset')", name="purpose_known"),)

    municipality_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )
    recipient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(10), default=ACTIVATE, server_default=ACTIVATE)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
