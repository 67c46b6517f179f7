"""What a recipient tells about themselves; the home area is coarse, never an address."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from geoalchemy2 import Geography, Geometry
from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    cast,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, column_property, mapped_column

from api.db import Base


class RecipientProfile(Base):
    """One per recipient; the point is the PC4 area's centroid (or a ~250 m grid cell)."""

    __tablename__ = "recipient_profiles"
    __table_args__ = (
        CheckConstraint("ladder_step is null or ladder_step between 1 and 6", name="ladder_step"),
        CheckConstraint("travel_mode in ('walk', 'bike', 'transit')", name="travel_mode"),
        # any language tag; which ones are offered follows the catalogues (api/locale)
        CheckConstraint("preferred_language ~ '^[a-z]{2,3}(_[A-Z]{2})?$'", name="language"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    municipality_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )
    display_name: Mapped[str] = mapped_column(String(80))
    preferred_language: Mapped[str] = mapped_column(String(10), default="nl")
    postcode_area: Mapped[str | None] = mapped_column(String(4))
    home_area = mapped_column(Geography(geometry_type="POINT", srid=4326, spatial_index=True))
    travel_mode: Mapped[str] = mapped_column(String(10), default="bike")
    max_distance_km: Mapped[float] = mapped_column(Float, default=5.0)
    interests: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    availability: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list)
    accessibility_needs: Mapped[list[str]] = mapped_column(ARRAY(String(24)), default=list)
    dutch_level: Mapped[str] = mapped_column(String(2), default="A2")
    ladder_step: Mapped[int | None] = mapped_column(Integer)
    goals: Mapped[str | None] = mapped_column(Text)
    shared_contact: Mapped[str | None] = mapped_column(String(120))
    nudge_preferences: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    home_lat: Mapped[float | None] = column_property(func.ST_Y(cast(home_area, Geometry)))
    home_lon: Mapped[float | None] = column_property(func.ST_X(cast(home_area, Geometry)))
