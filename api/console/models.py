"""Server-side console sessions: the cookie holds a random token, the database its hash."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, String, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UUIDPk


class ConsoleSession(UUIDPk, Base):
    """One browser sign-in, tied to an API sign-in (token family) so both end together."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the cookie value
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    family_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("token_families.id", ondelete="CASCADE"), index=True
    )
    # Role, municipality and team at sign-in: a change since then ends the session (as for tokens).
    role: Mapped[str] = mapped_column(String(20))
    municipality_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    team_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    csrf_secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # Messages for the next page (e.g. "approved"), shown once after a redirect.
    notices: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
