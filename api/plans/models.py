"""A person's plan: small concrete steps with a date, and every change each step went through."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, Timestamps, UUIDPk
from api.plans.status import ACTIONS, KINDS, OPEN, SIDES, SUGGESTION_SOURCES, StepStatus, sql_in


class PlanStep(UUIDPk, Timestamps, Base):
    """One small step: what, by when, with whom, why; proposed, agreed, done or dropped."""

    __tablename__ = "plan_steps"
    __allow_unmapped__ = True  # for `history` below, which is never stored
    __table_args__ = (
        CheckConstraint(sql_in(StepStatus), name="status"),
        CheckConstraint(sql_in(SIDES, "proposed_by"), name="proposed_by"),
        CheckConstraint(f"kind is null or {sql_in(KINDS, 'kind')}", name="kind"),
        # An erased person's steps stay only as anonymous counts (like their matches).
        CheckConstraint(
            "recipient_id is null or kind is not null or what is not null", name="kind_or_what"
        ),
        CheckConstraint(
            f"suggested_from is null or {sql_in(SUGGESTION_SOURCES, 'suggested_from')}",
            name="suggested_from",
        ),
        Index("ix_plan_steps_recipient_status", "recipient_id", "status"),
        # Planners and the caseload look for open steps by their date.
        Index(
            "ix_plan_steps_open_due",
            "municipality_id",
            "due_on",
            postgresql_where=text(sql_in(OPEN)),
        ),
    )

    municipality_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE")
    )
    # NULL once the person erased their data.
    recipient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    kind: Mapped[str | None] = mapped_column(String(30))
    what: Mapped[str | None] = mapped_column(Text)
    why: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    due_is_week: Mapped[bool] = mapped_column(Boolean, default=False)  # "by week 49"
    with_coach: Mapped[bool] = mapped_column(Boolean, default=False)
    match_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("matches.id", ondelete="SET NULL"), index=True
    )
    opportunity_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("opportunities.id", ondelete="SET NULL")
    )
    # Written only by api.plans.lifecycle (with a PlanStepEvent).
    status: Mapped[str] = mapped_column(String(10))
    proposed_by: Mapped[str] = mapped_column(String(10))
    proposed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    agreed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dropped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    drop_reason: Mapped[str | None] = mapped_column(Text)  # the person's own words
    # A finished match, a ladder rung or a check-in suggests the step is done; the person says.
    suggested_done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    suggested_from: Mapped[str | None] = mapped_column(String(10))
    suggestion_dismissed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    # Set by api.plans.service for a response, never stored: the changes so far (oldest
    # first) and how many days an open step is past its date (late, never failed).
    history: list[PlanStepEvent]
    late_days: int
    late: bool
    due_week: str | None
    waiting_for: str | None  # who still has to agree to a proposal
    suggestion: dict[str, Any] | None  # {source, at} while something suggests it done


class PlanStepEvent(UUIDPk, Base):
    """One change of a step: who did what, when, and in which words (append-only)."""

    __tablename__ = "plan_step_events"
    __table_args__ = (CheckConstraint(sql_in(ACTIONS, "action"), name="action"),)

    step_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plan_steps.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_role: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
