"""Hard filters: an opportunity that fails any of these is never suggested."""

from __future__ import annotations

from datetime import date

from matching.model import LANGUAGE_COURSE, LEVEL_INDEX, Candidate, Person
from matching.prepared import Prepared, prepare

_NO_CATEGORIES: dict[str, str] = {}


def passes(p: Prepared, c: Candidate, today: date, excluded_ids: frozenset[str]) -> bool:
    """Check all hard rules, cheapest first, against a prepared person."""
    if c.status != "published" or c.free_places < 1:
        return False
    if c.start_date is not None and c.start_date > today:
        return False
    if c.end_date is not None and c.end_date < today:
        return False
    if c.distance_km > p.max_km:
        return False
    level = p.level
    if level < LEVEL_INDEX[c.min_dutch_level]:
        return False
    if c.teaches_level is not None and c.kind == LANGUAGE_COURSE:
        # A course below your level teaches nothing; two levels up is too hard.
        taught = LEVEL_INDEX[c.teaches_level]
        if taught < level or taught > level + 1:
            return False
    if p.needs and not p.needs <= c.accessibility:
        return False
    if p.availability.isdisjoint(c.slots):
        return False
    return c.id not in excluded_ids


def passes_filters(
    person: Person,
    candidate: Candidate,
    *,
    today: date,
    excluded_ids: frozenset[str] = frozenset(),
) -> bool:
    """Tell whether an opportunity may be suggested to this person at all."""
    return passes(prepare(person, _NO_CATEGORIES), candidate, today, excluded_ids)
