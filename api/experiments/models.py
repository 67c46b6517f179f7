"""Experiments on nudge strategies: the pre-registration, its arms, who is in which, exposure."""

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
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, Timestamps, UUIDPk

EXPERIMENT_STATUSES = ("draft", "running", "stopped", "finished")


class Experiment(UUIDPk, Timestamps, Base):
    """A municipality's pre-registered trial; what is analysed freezes at start."""

    __tablename__ = "experiments"
    __table_args__ = (
        CheckConstraint(
            "status in ('draft', 'running', 'stopped', 'finished')", name="status_known"
        ),
        CheckConstraint("horizon_days between 1 and 730", name="horizon_range"),
    )

    municipality_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    hypothesis: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    salt: Mapped[str] = mapped_column(String(64))
    eligibility: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    strata: Mapped[list[str]] = mapped_column(ARRAY(String(20)), default=list)
    primary_outcome: Mapped[str] = mapped_column(String(30))
    horizon_days: Mapped[int] = mapped_column(Integer)
    secondary_outcomes: Mapped[list[str]] = mapped_column(ARRAY(String(30)), default=list)
    guardrails: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    enrol_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    planned_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    dpia_reference: Mapped[str] = mapped_column(String(120))
    ethics_reference: Mapped[str] = mapped_column(String(120))
    # Frozen at start: the power calculation and the planned sample size it was based on.
    registration: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stop_reason: Mapped[str | None] = mapped_column(String(60))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class ExperimentArm(UUIDPk, Base):
    """One arm: its weight and its way of giving nudges (the control: current policy)."""

    __tablename__ = "experiment_arms"
    __table_args__ = (
        Index("uq_experiment_arms_key", "experiment_id", "key", unique=True),
        CheckConstraint("weight between 1 and 10", name="weight_range"),
    )

    experiment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("experiments.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(80))
    weight: Mapped[int] = mapped_column(Integer)
    is_control: Mapped[bool] = mapped_column(Boolean, default=False)
    treatment: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stop_reason: Mapped[str | None] = mapped_column(String(60))


class Assignment(Base):
    """A person's arm in an experiment: decided once at enrolment, kept for good."""

    __tablename__ = "experiment_assignments"
    __table_args__ = (Index("ix_experiment_assignments_user", "user_id"),)

    experiment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("experiments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    arm_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("experiment_arms.id", ondelete="CASCADE"), index=True
    )
    stratum: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # At enrolment: ladder step, last wellbeing, nudges paused (for change outcomes, guardrails).
    baseline: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    opted_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Exposure(UUIDPk, Base):
    """A nudge of the arm's strategy given, or withheld because of it (once per nudge key)."""

    __tablename__ = "experiment_exposures"
    __table_args__ = (
        Index(
            "uq_experiment_exposures_key",
            "experiment_id",
            "user_id",
            "kind",
            "period",
            unique=True,
        ),
        CheckConstraint("outcome in ('given', 'withheld')", name="outcome_known"),
    )

    experiment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("experiments.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    arm_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("experiment_arms.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
