"""Everyone's top k at once: plain rows from PostgreSQL into the compiled matcher.

The per-person feed and `top_k_for_profiles` rank with the engine one person at a time; this
path loads a municipality's opportunities and people as columns (no ORM objects) and lets
`matching.vector` score them all, with the same results (tested against the engine).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

import numpy as np
from sqlalchemy import Select, and_, or_, select, text
from sqlalchemy.orm import Session

from api.matches.models import Match
from api.matches.status import OPEN_STATUSES, TURNED_DOWN
from api.municipalities.policy import load_policy
from api.ranking.adapter import load_taxonomy, to_candidate, weights_from_policy
from matching.vector import CandidateTable, PersonBatch, TopK, top_k, warm_up

DEFAULT_LADDER_STEP = 2  # as person_from_profile: an unknown step counts as 2

_OPPORTUNITIES = text(
    """
    select o.id, o.kind, o.team_id, o.title, o.interests, o.slots, o.min_dutch_level,
           o.teaches_level, o.accessibility, o.ladder_step, o.status,
           o.start_date, o.end_date, o.published_at,
           greatest(o.capacity - o.places_taken, 0) as places_left,
           st_y(o.location::geometry) as lat, st_x(o.location::geometry) as lon
    from opportunities o
    where o.municipality_id = :mid and o.status = 'published'
    """
)

# Sorted by home so people at the same coarse point share one row of distances.
_PEOPLE = text(
    """
    select p.user_id, p.interests, p.availability, p.dutch_level, p.ladder_step,
           p.max_distance_km, p.accessibility_needs,
           st_y(p.home_area::geometry) as lat, st_x(p.home_area::geometry) as lon
    from recipient_profiles p join users u on u.id = p.user_id
    where p.municipality_id = :mid and u.is_active and p.home_area is not null
      and cardinality(p.availability) > 0
    order by lat, lon
    """
)


def _excluded(
    municipality_id: uuid.UUID, recent: datetime
) -> Select[tuple[uuid.UUID | None, uuid.UUID]]:
    """The feed's exclusions (api/feed/candidates.py) for a whole municipality at once."""
    return select(Match.recipient_id, Match.opportunity_id).where(
        Match.municipality_id == municipality_id,
        Match.recipient_id.is_not(None),
        or_(
            Match.status.in_(OPEN_STATUSES),
            and_(Match.status.in_(TURNED_DOWN), Match.updated_at >= recent),
        ),
    )


@dataclass
class BatchTimings:
    """Seconds spent per phase, and how much was done."""

    warm_up: float = 0.0
    loading: float = 0.0
    scoring: float = 0.0
    scoring_cpu: float = 0.0
    writing: float = 0.0
    people: int = 0
    opportunities: int = 0
    municipalities: int = 0
    per_municipality: list[tuple[str, int, int, float]] = field(default_factory=list)


@dataclass(frozen=True)
class MunicipalityTopK:
    """One municipality's result: who, which table, and the chosen indices."""

    slug: str
    people: list[uuid.UUID]
    table: CandidateTable
    result: TopK

    def lines(self) -> Iterator[str]:
        """`{"recipientId":…,"items":[{"opportunityId":…,"score":…}]}` per person (JSON lines).

        Written from prepared pieces: ids are UUIDs and scores have four decimals, so every
        item is a fixed prefix per opportunity plus one of 10,001 score texts.
        """
        prefixes = [f'{{"opportunityId":"{oid}","score":' for oid in self.table.ids]
        index = self.result.index.tolist()
        units = np.rint(np.nan_to_num(self.result.score, nan=0.0) * 10000).astype(np.int64)
        codes = units.tolist()
        for row, person in enumerate(self.people):
            items = ",".join(
                prefixes[j] + _SCORE_TEXT[codes[row][n]] for n, j in enumerate(index[row]) if j >= 0
            )
            yield f'{{"recipientId":"{person}","items":[{items}]}}\n'


# JSON text of each score with four decimals, closing its item: "0.415}" for 4150.
_SCORE_TEXT = [f"{q / 10000!r}}}" for q in range(10001)]


def load_table(session: Session, municipality_id: uuid.UUID) -> CandidateTable:
    """A municipality's published opportunities as columns, with their points."""
    rows = session.execute(_OPPORTUNITIES, {"mid": municipality_id}).all()
    return CandidateTable.build(
        [to_candidate(r, 0.0) for r in rows], lat=[r.lat for r in rows], lon=[r.lon for r in rows]
    )


def municipality_top_k(
    session: Session,
    *,
    municipality_id: uuid.UUID,
    slug: str,
    now: datetime,
    k: int,
    timings: BatchTimings,
) -> MunicipalityTopK:
    """Top k for every active person with a home and times in one municipality."""
    started = time.perf_counter()
    policy = load_policy(session, municipality_id)
    taxonomy = load_taxonomy(session)
    table = load_table(session, municipality_id)
    people = session.execute(_PEOPLE, {"mid": municipality_id}).all()
    recent = now - timedelta(days=policy.recent_decline_days)
    excluded: dict[uuid.UUID, set[str]] = {}
    for rid, oid in session.execute(_excluded(municipality_id, recent)):
        if rid is not None:
            excluded.setdefault(rid, set()).add(str(oid))
    batch = PersonBatch.from_columns(
        table,
        categories=taxonomy.categories,
        interests=[r.interests or () for r in people],
        availability=[r.availability or () for r in people],
        dutch_level=[r.dutch_level for r in people],
        ladder_step=[r.ladder_step or DEFAULT_LADDER_STEP for r in people],
        max_distance_km=[float(r.max_distance_km) for r in people],
        needs=[r.accessibility_needs or () for r in people],
        homes=[(r.lat, r.lon) for r in people],
        excluded=[excluded.get(r.user_id, ()) for r in people],
    )
    loaded = time.perf_counter()
    cpu = time.process_time()
    result = top_k(table, batch, now=now, weights=weights_from_policy(policy), k=k)
    timings.scoring_cpu += time.process_time() - cpu
    scored = time.perf_counter()
    timings.loading += loaded - started
    timings.scoring += scored - loaded
    timings.people += len(people)
    timings.opportunities += len(table)
    timings.municipalities += 1
    timings.per_municipality.append((slug, len(people), len(table), scored - loaded))
    return MunicipalityTopK(slug, [r.user_id for r in people], table, result)


def national_top_k(
    session: Session,
    *,
    now: datetime,
    k: int,
    out: IO[str] | None = None,
    municipality_slug: str | None = None,
) -> BatchTimings:
    """Top k for everyone (or one municipality), written as JSON lines when `out` is given."""
    timings = BatchTimings()
    started = time.perf_counter()
    warm_up()
    timings.warm_up = time.perf_counter() - started
    query = "select id, slug from municipalities"
    params: dict[str, Any] = {}
    if municipality_slug:
        query += " where slug = :slug"
        params["slug"] = municipality_slug
    for mid, slug in session.execute(text(query + " order by slug"), params).all():
        found = municipality_top_k(
            session, municipality_id=mid, slug=slug, now=now, k=k, timings=timings
        )
        if out is not None:
            started = time.perf_counter()
            out.writelines(found.lines())
            timings.writing += time.perf_counter() - started
    return timings
