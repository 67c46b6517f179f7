"""Soft scoring: how well a (filtered) opportunity fits, as a weighted mean in [0, 1]."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from matching.model import LANGUAGE_COURSE, LEVEL_INDEX, Candidate, Person, Weights
from matching.prepared import Prepared, prepare, require_aware

NEUTRAL_INTEREST = 0.3  # no interests on either side: neither a plus nor a minus
CATEGORY_CREDIT = 0.5  # a sibling interest in the same category counts half
INTEREST_CAP = 3  # matching 3 of an opportunity's interests is already a full fit
DISTANCE_EXPONENT = 0.75
FRESH_DAYS = 14.0
STALE_DAYS = 90.0
STALE_SCORE = 0.3
UNKNOWN_FRESHNESS = 0.5
_DAY_SECONDS = 86_400.0

# Ladder fit by (opportunity step - person step): growth one step up is as good as "same".
_LADDER_FIT: dict[int, float] = {-1: 0.6, 0: 1.0, 1: 1.0, 2: 0.5}
_LADDER_FAR_BELOW = 0.3
_LADDER_FAR_ABOVE = 0.1

NormalisedWeights = tuple[float, float, float, float, float, float]


def normalise(weights: Weights) -> NormalisedWeights | None:
    """Divide by the weight sum once; None means every weight is 0 and every score is 0."""
    parts = (
        weights.interest,
        weights.distance,
        weights.time,
        weights.ladder,
        weights.language,
        weights.freshness,
    )
    largest = max(parts)
    if largest <= 0:
        return None
    scaled = [part / largest for part in parts]  # keeps the sum finite even for huge weights
    total = sum(scaled)
    return (
        scaled[0] / total,
        scaled[1] / total,
        scaled[2] / total,
        scaled[3] / total,
        scaled[4] / total,
        scaled[5] / total,
    )


def interest_fit(p: Prepared, c: Candidate) -> float:
    """Exact shared interests count fully, same-category ones half; more overlap never hurts."""
    mine = p.interests
    theirs = c.interests
    if not mine or not theirs:
        return NEUTRAL_INTEREST
    credit = 0.0
    categories = p.categories
    wanted = p.interest_categories
    for key in theirs:
        if key in mine:
            credit += 1.0
        elif wanted and categories.get(key) in wanted:
            credit += CATEGORY_CREDIT
    size = len(theirs)
    fit = credit / (size if size < INTEREST_CAP else INTEREST_CAP)
    return fit if fit < 1.0 else 1.0


def distance_fit(p: Prepared, c: Candidate) -> float:
    """Decay within the person's own maximum; closer never scores lower."""
    return distance_fit_at(p, c.distance_km)


def distance_fit_at(p: Prepared, km: float) -> float:
    """`distance_fit` for a candidate seen at `km` (the feed explains without copying it)."""
    max_km = p.max_km
    if max_km <= 0.0:
        return 1.0 if km <= 0.0 else 0.0
    ratio = km / max_km
    if ratio >= 1.0:
        return 0.0
    decay: float = ratio**DISTANCE_EXPONENT  # a positive base: float, never complex
    return 1.0 - decay


def time_fit(p: Prepared, c: Candidate) -> float:
    """Share of the smaller of the two weekly schedules that overlaps."""
    slots = c.slots
    smaller = min(len(slots), p.availability_size)
    if smaller == 0:
        return 0.0
    shared = len(p.availability & slots)
    return shared / smaller  # shared <= smaller, so this is already <= 1


def ladder_fit(p: Prepared, c: Candidate) -> float:
    """Favour the person's own step and one step of growth; far above is discouraging."""
    diff = c.ladder_step - p.step
    fit = _LADDER_FIT.get(diff)
    if fit is not None:
        return fit
    return _LADDER_FAR_BELOW if diff < 0 else _LADDER_FAR_ABOVE


def language_fit(p: Prepared, c: Candidate) -> float:
    """Comfortable Dutch beats just-enough; a course one level up is the best course."""
    level = p.level
    if c.teaches_level is not None and c.kind == LANGUAGE_COURSE:
        taught = LEVEL_INDEX[c.teaches_level]
        if taught == level + 1:
            return 1.0
        return 0.8 if taught == level else 0.0
    minimum = LEVEL_INDEX[c.min_dutch_level]
    if level > minimum:
        return 1.0
    return 0.7 if level == minimum else 0.0


def freshness_fit(c: Candidate, now: datetime) -> float:
    """New postings get a boost that fades to a floor, so old ones are not buried."""
    published = c.published_at
    if published is None:
        return UNKNOWN_FRESHNESS
    age = (now - published).total_seconds() / _DAY_SECONDS
    if age <= FRESH_DAYS:
        return 1.0
    if age >= STALE_DAYS:
        return STALE_SCORE
    return 1.0 - (1.0 - STALE_SCORE) * (age - FRESH_DAYS) / (STALE_DAYS - FRESH_DAYS)


def score_prepared(
    p: Prepared, c: Candidate, now: datetime, weights: NormalisedWeights | None
) -> float:
    """Weighted mean of the components, clamped to [0, 1] against float rounding."""
    if weights is None:
        return 0.0
    w_interest, w_distance, w_time, w_ladder, w_language, w_fresh = weights
    total = (
        w_interest * interest_fit(p, c)
        + w_distance * distance_fit(p, c)
        + w_time * time_fit(p, c)
        + w_ladder * ladder_fit(p, c)
        + w_language * language_fit(p, c)
        + w_fresh * freshness_fit(c, now)
    )
    if total >= 1.0:
        return 1.0
    return total if total > 0.0 else 0.0


def score(
    person: Person,
    candidate: Candidate,
    *,
    now: datetime,
    weights: Weights,
    categories: Mapping[str, str],
) -> float:
    """Score one opportunity for one person (unrounded; rank() rounds to 4 decimals)."""
    require_aware(now)
    return score_prepared(prepare(person, categories), candidate, now, normalise(weights))
