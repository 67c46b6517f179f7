"""The personal feed: the compiled matcher ranks the cached catalogue; the engine says why."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numba
from sqlalchemy.orm import Session

from api.auth.security import Actor
from api.core.paging import as_int, decode_cursor, encode_cursor
from api.db import utcnow
from api.errors import InvalidInput
from api.feed.candidates import excluded_opportunity_ids, load_shown
from api.feed.catalog import CATALOG
from api.municipalities.policy import load_policy
from api.profiles.service import get_profile
from api.ranking.adapter import load_taxonomy, person_from_profile, weights_from_policy
from matching import reasons_for
from matching.vector import PersonBatch, top_k

# How long a next-page cursor keeps the first page's moment of ranking.
PAGE_MOMENT_KEPT = timedelta(hours=1)


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
    language: str = "nl"  # of the reasons


def personal_feed(
    session: Session,
    *,
    actor: Actor,
    kind: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
    now: datetime | None = None,
    language: str | None = None,
) -> FeedPage:
    """Ranked suggestions for the signed-in person; empty until they gave a postcode and times.

    Reasons are in `language` (the request's Accept-Language), else in the profile's.
    """
    now = now or utcnow()
    profile = get_profile(session, actor=actor)
    if profile.home_lat is None or profile.home_lon is None or not profile.availability:
        return FeedPage([], None, profile_complete=False, language=language or "nl")
    after = decode_cursor(cursor, as_int, as_int)
    offset = after[0] if after else 0
    if offset < 0:
        raise InvalidInput.field("cursor", "Not a cursor from this API.")
    if after:
        # Later pages rank at the moment of the first, so freshness does not reshuffle them.
        ranked_at = datetime.fromtimestamp(after[1] / 1000, tz=UTC)
        if now - PAGE_MOMENT_KEPT <= ranked_at <= now:
            now = ranked_at
    policy = load_policy(session, actor.municipality_id)
    taxonomy = load_taxonomy(session)
    table = CATALOG.table(session, actor.municipality_id)
    person = person_from_profile(profile)
    language = language or profile.preferred_language
    person = replace(person, language=language)
    excluded = excluded_opportunity_ids(
        session, recipient_id=actor.user_id, now=now, recent_days=policy.recent_decline_days
    )
    batch = PersonBatch.build(
        table,
        [person],
        categories=taxonomy.categories,
        homes=[(profile.home_lat, profile.home_lon)],
        excluded=[excluded],
    )
    # One person is one chunk of work: run it on this thread. A parallel region would wait
    # for (and spin) the kernel's other threads while the server's threads need the cores.
    threads = numba.get_num_threads()
    numba.set_num_threads(1)  # per calling thread
    try:
        # One more than the page, so we know whether a next page exists.
        found = top_k(
            table,
            batch,
            now=now,
            weights=weights_from_policy(policy),
            k=offset + limit + 1,
            only_kind=kind,
        )
    finally:
        numba.set_num_threads(threads)
    chosen = [
        (int(j), float(s), float(d))
        for j, s, d in zip(found.index[0], found.score[0], found.distance_km[0], strict=True)
        if j >= 0
    ]
    page = chosen[offset : offset + limit]
    by_id = load_shown(session, [table.ids[j] for j, _, _ in page])
    items = []
    for j, value, km in page:
        opp = by_id.get(table.ids[j])
        if opp is None:  # removed since this worker loaded the catalog
            continue
        candidate = table.candidates[j].at_distance(km)
        reasons = reasons_for(
            person, candidate, categories=taxonomy.categories, labels=taxonomy.labels, now=now
        )
        opp.distance_km = round(km, 1)
        items.append(
            FeedItem(
                opportunity=opp,
                score=value,
                distance_km=round(km, 1),
                reasons=[{"code": x.code, "text": x.text} for x in reasons],
            )
        )
    more = len(chosen) > offset + limit
    nxt = encode_cursor([offset + limit, int(now.timestamp() * 1000)]) if more else None
    return FeedPage(items, nxt, True, language)
