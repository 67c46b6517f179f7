"""Our rows as the matching engine sees them: the one place that knows both sides.

The feed, batch matching and the score kept on a match all rank through these, so a person,
an opportunity, the taxonomy and a municipality's weights look the same to the engine everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from api.interests.models import Interest
from api.interests.service import interest_labels
from api.municipalities.policy import PolicySettings
from api.opportunities.models import Opportunity
from api.profiles.models import RecipientProfile
from matching import Candidate, Person, Reason, Weights


@dataclass(frozen=True)
class Taxonomy:
    """Interest categories and labels the engine needs for scores and reasons."""

    categories: dict[str, str]
    labels: dict[str, dict[str, str]]


def load_taxonomy(session: Session) -> Taxonomy:
    """One small query; the taxonomy has ~40 rows."""
    rows = session.execute(select(Interest.key, Interest.category_key)).all()
    return Taxonomy(
        categories={r.key: r.category_key for r in rows},
        labels=interest_labels(),  # every language, from the catalogues
    )


def person_from_profile(profile: RecipientProfile | Row[Any]) -> Person:
    """Only what the person told us; nothing about health, origin or neighbourhood.

    A profile, or a row with the same columns (the feed reads them without an ORM object)."""
    return Person(
        interests=frozenset(profile.interests or ()),
        availability=frozenset(profile.availability or ()),
        dutch_level=profile.dutch_level,
        ladder_step=profile.ladder_step or 2,
        max_distance_km=float(profile.max_distance_km),
        accessibility_needs=frozenset(profile.accessibility_needs or ()),
        language=profile.preferred_language,
    )


def weights_from_policy(policy: PolicySettings) -> Weights:
    """The municipality's weights for the engine."""
    w = policy.weights
    return Weights(
        interest=w.interest,
        distance=w.distance,
        time=w.time,
        ladder=w.ladder,
        language=w.language,
        freshness=w.freshness,
    )


def to_candidate(opp: Opportunity | Any, distance_m: float) -> Candidate:
    """An opportunity (a model, or a row with the same columns) as the engine sees it."""
    return Candidate(
        id=str(opp.id),
        kind=opp.kind,
        organizer_id=str(opp.team_id),
        title=opp.title,
        interests=frozenset(opp.interests or ()),
        slots=frozenset(opp.slots or ()),
        min_dutch_level=opp.min_dutch_level,
        teaches_level=opp.teaches_level if opp.kind == "language_course" else None,
        accessibility=frozenset(opp.accessibility or ()),
        ladder_step=opp.ladder_step,
        distance_km=max(0.0, distance_m / 1000.0),
        free_places=int(opp.places_left),
        status=opp.status,
        start_date=opp.start_date,
        end_date=opp.end_date,
        published_at=opp.published_at,
    )


def shown_reason(reason: Reason) -> dict[str, str]:
    """A reason as the API shows it (feed items, an opportunity's detail, a match's fit)."""
    return {"code": reason.code, "text": reason.text}
