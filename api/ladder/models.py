"""The participatieladder: every position a person was placed on, by themselves or their coach."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UUIDPk


class LadderEntry(UUIDPk, Base):
    """One position on the participatieladder, from the person ('self') or the coach ('coach')."""

    __tablename__ = "ladder_entries"
    __table_args__ = (
        CheckConstraint("step between 1 and 6", name="step_range"),
        CheckConstraint("source in ('self', 'coach')", name="source"),
        Index("ix_ladder_entries_user_at", "user_id", "at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    municipality_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(5))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
