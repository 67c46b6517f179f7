"""Municipalities (tenants), their policy and their teams."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, Timestamps, UUIDPk


class Municipality(UUIDPk, Timestamps, Base):
    """A tenant: every record belongs to exactly one."""

    __tablename__ = "municipalities"

    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    cbs_code: Mapped[str | None] = mapped_column(String(6))
    # A new token (from a sequence) whenever one of its opportunities changes, set by a trigger;
    # workers compare it to know their cached catalogue is still current (api/feed/catalog.py).
    catalog_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class Policy(Base):
    """Per-municipality policy; fields not set fall back to the defaults in code."""

    __tablename__ = "policies"

    municipality_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), primary_key=True
    )
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class Team(UUIDPk, Timestamps, Base):
    """A wijkteam or organisation whose organisers post opportunities."""

    __tablename__ = "teams"

    municipality_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(40), default="organisation")
