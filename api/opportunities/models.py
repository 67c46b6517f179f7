"""What there is to do: volunteer work, language courses, support for informal carers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from geoalchemy2 import Geography, Geometry
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    cast,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from api.db import Base, Timestamps, UUIDPk
from api.municipalities.models import Team


class Opportunity(UUIDPk, Timestamps, Base):
    """One opportunity posted by a team, at a public address."""

    __tablename__ = "opportunities"
    __allow_unmapped__ = True  # for distance_km below, which is never stored
    __table_args__ = (
        CheckConstraint("kind in ('volunteer', 'language_course', 'informal_care')", name="kind"),
        CheckConstraint("status in ('draft', 'published', 'paused', 'closed')", name="status"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("places_taken >= 0", name="places_taken_not_negative"),
        CheckConstraint("ladder_step between 1 and 6", name="ladder_step_range"),
        CheckConstraint(
            "end_date is null or start_date is null or end_date >= start_date",
            name="dates_in_order",
        ),
        CheckConstraint("image_url is null or image_url like 'https://%'", name="image_url_https"),
        CheckConstraint(
            "hours_per_week is null or hours_per_week > 0", name="hours_per_week_positive"
        ),
        Index("ix_opportunities_municipality_status", "municipality_id", "status"),
        Index("ix_opportunities_interests", "interests", postgresql_using="gin"),
    )

    municipality_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE")
    )
    team_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default="draft", server_default="draft")
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(String(200))
    location = mapped_column(
        Geography(geometry_type="POINT", srid=4326, spatial_index=True), nullable=False
    )
    interests: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    # Coarse day parts for matching (e.g. sat-morning), derived from `schedule` when it is given.
    slots: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list)
    # Concrete times: [{"day": "tue", "start": "09:30", "end": "12:00"}, ...], week order.
    schedule: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    hours_per_week: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    # Who runs it when that is not the team itself (e.g. the food bank a wijkteam posts for).
    organisation: Mapped[str | None] = mapped_column(String(120))
    # The contact person at the place: a public work contact, never a recipient's.
    contact_name: Mapped[str | None] = mapped_column(String(80))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    directions: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(String(500))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(Integer)
    # Approved + active matches; kept by api.matches.lifecycle in the same transaction.
    places_taken: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    min_dutch_level: Mapped[str] = mapped_column(String(2), default="A0")
    teaches_level: Mapped[str | None] = mapped_column(String(2))
    accessibility: Mapped[list[str]] = mapped_column(ARRAY(String(24)), default=list)
    ladder_step: Mapped[int] = mapped_column(Integer)
    monthly_allowance_cents: Mapped[int | None] = mapped_column(Integer)
    replaces_no_paid_work: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    team: Mapped[Team] = relationship(lazy="raise")
    # How far from the reader's home, set beside a listing or a feed item; never stored (and
    # absent, not null, where nobody set it: the schema leaves the field out then).
    distance_km: float
    # Why it may suit the reader, set beside one opportunity read by a recipient; never stored.
    reasons: list[dict[str, str]]

    lat: Mapped[float] = column_property(func.ST_Y(cast(location, Geometry)))
    lon: Mapped[float] = column_property(func.ST_X(cast(location, Geometry)))

    @property
    def organisation_name(self) -> str:
        """Who runs it as a person reads it: the organisation given, else the team's name."""
        return self.organisation or self.team.name

    @property
    def contact(self) -> dict[str, str | None] | None:
        """The contact person, or None when the organiser gave none."""
        if not self.contact_name:
            return None
        return {"name": self.contact_name, "phone": self.contact_phone, "email": self.contact_email}

    @hybrid_property
    def places_left(self) -> int:
        """Places nobody holds yet; the one definition for listings, the feed and approvals."""
        return max(0, self.capacity - self.places_taken)

    @places_left.inplace.expression
    @classmethod
    def _places_left_sql(cls) -> ColumnElement[int]:
        return func.greatest(cls.capacity - cls.places_taken, 0)
