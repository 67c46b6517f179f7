"""A match between a person and an opportunity, and every step it took."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base, Timestamps, UUIDPk
from api.matches.status import OPEN_STATUSES, TAKES_A_PLACE, MatchStatus, sql_in
from api.opportunities.models import Opportunity

# The status words live in api.matches.status; re-exported for older imports.
__all__ = ["OPEN_STATUSES", "TAKES_A_PLACE", "Match", "MatchEvent", "MatchFeedback", "MatchStatus"]


class Match(UUIDPk, Timestamps, Base):
    """Recipient x opportunity; keeps the score and reasons it was found with."""

    __tablename__ = "matches"
    __allow_unmapped__ = True  # for `history` below, which is never stored
    __table_args__ = (
        CheckConstraint(sql_in(MatchStatus), name="status"),
        # At most one open match per person and opportunity.
        Index(
            "uq_matches_open_pair",
            "recipient_id",
            "opportunity_id",
            unique=True,
            postgresql_where=text(sql_in(OPEN_STATUSES)),
        ),
        Index("ix_matches_opportunity_status", "opportunity_id", "status"),
        Index("ix_matches_municipality_status", "municipality_id", "status"),
    )

    municipality_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE")
    )
    # NULL once the person erased their data: the match remains only as an anonymous count.
    recipient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    opportunity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE")
    )
    # Written only by api.matches.lifecycle.transition (with a MatchEvent and the place count).
    status: Mapped[str] = mapped_column(String(12))
    score: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    message: Mapped[str | None] = mapped_column(Text)
    coach_note: Mapped[str | None] = mapped_column(Text)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    opportunity: Mapped[Opportunity] = relationship(lazy="raise")
    # The steps so far, oldest first; set by api.matches.queries.attach_history, never stored.
    history: list[MatchEvent]
    # The person's "did it help?" answer, if any; set by attach_history too.
    feedback: MatchFeedback | None
    # The person's name on the coach's queue; set by api.matches.queries, never stored.
    recipient_name: str | None


class MatchEvent(UUIDPk, Base):
    """One transition: who did what, when and why (append-only)."""

    __tablename__ = "match_events"

    match_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("matches.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_role: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class MatchFeedback(Base):
    """The person's answer to "did it help?" after a match ended: kept with the match."""

    __tablename__ = "match_feedback"

    match_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("matches.id", ondelete="CASCADE"), primary_key=True
    )
    helped: Mapped[bool] = mapped_column(Boolean)
    again: Mapped[bool] = mapped_column(Boolean)
    words: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
