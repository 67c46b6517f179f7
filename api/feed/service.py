"""The personal feed: PostGIS finds what is within reach, the engine ranks it and says why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from api.auth.security import Actor
from api.core.geo import point
from api.core.paging import as_int, decode_cursor, encode_cursor
from api.db import utcnow
from api.errors import InvalidInput
from api.feed.candidates import (
    candidate_rows,
    excluded_opportunity_ids,
    load_shown,
    load_taxonomy,
    person_from_profile,
    weights_from_policy,
)
from api.municipalities.policy import load_policy
from api.profiles.service import get_profile
from matching import rank


@dataclass(frozen=True)
class FeedItem:
    """One suggestion with the reasons it is shown."""

    opportunity: Any
    score: float
    distance_km: float
    reasons: list[dict[str, str]]


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    next_cursor: str | None
    profile_complete: bool


def personal_feed(
    session: Session,
    *,
    actor: Actor,
    kind: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
    now: datetime | None = None,
) -> FeedPage:
    """Ranked suggestions for the signed-in person; empty until they gave a postcode and times."""
    now = now or utcnow()
    profile = get_profile(session, actor=actor)
    if profile.home_lat is None or not profile.availability:
        return FeedPage([], None, profile_complete=False)
    after = decode_cursor(cursor, as_int)
    offset = after[0] if after else 0
    if offset < 0:
        raise InvalidInput.field("cursor", "Not a cursor from this API.")
    policy = load_policy(session, actor.municipality_id)
    candidates = candidate_rows(
        session,
        municipality_id=actor.municipality_id,
        home=point(profile.home_lat, profile.home_lon),
        max_distance_km=profile.max_distance_km,
        availability=profile.availability,
        kind=kind,
    )
    taxonomy = load_taxonomy(session)
    ranked = rank(
        person_from_profile(profile),
        candidates,
        now=now,
        weights=weights_from_policy(policy),
        categories=taxonomy.categories,
        labels=taxonomy.labels,
        excluded_ids=excluded_opportunity_ids(
            session, recipient_id=actor.user_id, now=now, recent_days=policy.recent_decline_days
        ),
    )
    page = ranked[offset : offset + limit]
    by_id = load_shown(session, [r.candidate_id for r in page])
    items = []
    for r in page:
        opp = by_id[r.candidate_id]
        opp.distance_km = r.distance_km
        items.append(
            FeedItem(
                opportunity=opp,
                score=r.score,
                distance_km=r.distance_km,
                reasons=[{"code": x.code, "text": x.text} for x in r.reasons],
            )
        )
    more = offset + limit < len(ranked)
    return FeedPage(items, encode_cursor([offset + limit]) if more else None, True)
