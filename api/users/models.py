"""People who sign in: one role each, in one municipality."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, Timestamps, UUIDPk

ROLES = ("recipient", "organizer", "coach", "admin")


class User(UUIDPk, Timestamps, Base):
    """An account; recipients have a coach, organisers a team."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role in ('recipient', 'organizer', 'coach', 'admin')", name="role_known"),
        CheckConstraint("role <> 'organizer' or team_id is not null", name="organizer_has_team"),
    )

    municipality_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str | None] = mapped_column(String(254), unique=True)  # stored lower-case
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    coach_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
