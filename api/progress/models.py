"""Self-reported progress: check-ins with hours, wellbeing and steps toward work."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UUIDPk

# A check-in can be corrected or removed by its author for this long after it was made.
CORRECTION_DAYS = 14

STEPS_TOWARD_WORK = (
    "course_completed",
    "certificate",
    "cv_made",
    "applied_for_job",
    "job_interview",
    "trial_placement",
    "work_experience_place",
    "started_paid_work",
)


class CheckIn(UUIDPk, Base):
    """What the person tells about a day or week: hours, how they feel, steps they made."""

    __tablename__ = "checkins"
    __table_args__ = (
        CheckConstraint("hours >= 0 and hours <= 80", name="hours_range"),
        CheckConstraint("wellbeing between 1 and 5", name="wellbeing_range"),
        CheckConstraint("ladder_step is null or ladder_step between 1 and 6", name="ladder_step"),
        Index("ix_checkins_user_date", "user_id", "date"),
        # One check-in per activity and day, so hours are never counted twice (also under
        # concurrent posts); check-ins without an activity are not limited.
        Index(
            "uq_checkins_match_date",
            "match_id",
            "date",
            unique=True,
            postgresql_where=text("match_id is not null"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    municipality_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )
    match_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("matches.id", ondelete="SET NULL"), index=True
    )
    date: Mapped[date] = mapped_column(Date)
    hours: Mapped[float] = mapped_column(Numeric(4, 1))
    wellbeing: Mapped[int] = mapped_column(Integer)
    ladder_step: Mapped[int | None] = mapped_column(Integer)
    steps_toward_work: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    informal_care: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @property
    def changeable_until(self) -> datetime:
        """Until when the person may correct or remove it."""
        return self.created_at + timedelta(days=CORRECTION_DAYS)
