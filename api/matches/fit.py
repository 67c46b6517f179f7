"""The engine's view of one pair when the match is made: the score and reasons kept on it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.core.geo import point
from api.municipalities.policy import load_policy
from api.opportunities.models import Opportunity
from api.profiles.models import RecipientProfile
from api.ranking.adapter import (
    load_taxonomy,
    person_from_profile,
    shown_reason,
    to_candidate,
    weights_from_policy,
)
from matching import reasons_for, score


def fit(
    session: Session, recipient_id: uuid.UUID, opp: Opportunity, now: datetime
) -> tuple[float | None, list[dict[str, str]]]:
    """The score and reasons this pair has now; none without a home to measure from."""
    profile = session.get(RecipientProfile, recipient_id)
    if profile is None or profile.home_lat is None or profile.home_lon is None:
        return None, []
    distance_m = (
        session.scalar(
            select(
                func.ST_Distance(
                    Opportunity.location, point(profile.home_lat, profile.home_lon), False
                )
            ).where(Opportunity.id == opp.id)
        )
        or 0.0
    )
    person = person_from_profile(profile)
    candidate = to_candidate(opp, float(distance_m))
    taxonomy = load_taxonomy(session)
    policy = load_policy(session, opp.municipality_id)
    value = score(
        person,
        candidate,
        now=now,
        weights=weights_from_policy(policy),
        categories=taxonomy.categories,
    )
    reasons = reasons_for(
        person, candidate, categories=taxonomy.categories, labels=taxonomy.labels, now=now
    )
    return round(value, 4), [shown_reason(r) for r in reasons]
