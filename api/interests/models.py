"""The interest taxonomy: stable slugs with Dutch and English labels, grouped in categories."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Integer, SmallInteger, String, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base


class InterestCategory(Base):
    """A group of related interests (partial credit in matching)."""

    __tablename__ = "interest_categories"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    label_nl: Mapped[str] = mapped_column(String(80))
    label_en: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Interest(Base):
    """One interest, e.g. `koken`."""

    __tablename__ = "interests"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    category_key: Mapped[str] = mapped_column(
        ForeignKey("interest_categories.key", ondelete="RESTRICT"), index=True
    )
    label_nl: Mapped[str] = mapped_column(String(80))
    label_en: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def labels(self) -> dict[str, str]:
        """Labels by language."""
        return {"nl": self.label_nl, "en": self.label_en}


class TaxonomyVersion(Base):
    """One row whose version is renewed (by a trigger, in the same transaction, at random) with
    every change to the interests: a worker checks its copy of the taxonomy by a primary-key
    read instead of hashing the table on every feed request."""

    __tablename__ = "taxonomy_version"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, server_default="1")
    version: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), server_default=text("gen_random_uuid()")
    )
