"""Per-person precomputation shared by filters, scoring and reasons, so the hot loop stays lean."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from matching.model import LEVEL_INDEX, Person


@dataclass(frozen=True, slots=True)
class Prepared:
    """Everything about one person that ranking needs, computed once instead of per candidate."""

    person: Person
    level: int
    step: int
    max_km: float
    availability: frozenset[str]
    availability_size: int
    interests: frozenset[str]
    interest_categories: frozenset[str]
    needs: frozenset[str]
    categories: Mapping[str, str]


def prepare(person: Person, categories: Mapping[str, str]) -> Prepared:
    """Resolve levels and interest categories once per ranking call."""
    interest_categories = frozenset(
        categories[key] for key in person.interests if key in categories
    )
    return Prepared(
        person=person,
        level=LEVEL_INDEX[person.dutch_level],
        step=person.ladder_step,
        max_km=float(person.max_distance_km),
        availability=person.availability,
        availability_size=len(person.availability),
        interests=person.interests,
        interest_categories=interest_categories,
        needs=person.accessibility_needs,
        categories=categories,
    )


def require_aware(now: datetime) -> None:
    """Naive datetimes would silently use the server's zone; refuse them."""
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
