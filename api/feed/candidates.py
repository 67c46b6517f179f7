"""The feed's queries: what is within reach, what a person has already had, what a page shows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from api.matches.models import Match
from api.matches.status import OPEN_STATUSES, TURNED_DOWN
from api.opportunities.models import Opportunity
from matching import Candidate

# Re-exported above for api/feed/service.py and api/feed/national.py, which still import them
# from here; new code imports them from api.ranking.adapter.


def excluded_opportunity_ids(
    session: Session, *, recipient_id: uuid.UUID, now: datetime, recent_days: int
) -> frozenset[str]:
    """Open matches, and declined/withdrawn/rejected ones in the last `recent_days`."""
    return excluded_for_many(
        session, recipient_ids=[recipient_id], now=now, recent_days=recent_days
    )[recipient_id]


def excluded_for_many(
    session: Session, *, recipient_ids: Sequence[uuid.UUID], now: datetime, recent_days: int
) -> dict[uuid.UUID, frozenset[str]]:
    """The same exclusions for many people in one query."""
    recent = now - timedelta(days=recent_days)
    found: dict[uuid.UUID, set[str]] = {r: set() for r in recipient_ids}
    if not recipient_ids:
        return {}
    rows = session.execute(
        select(Match.recipient_id, Match.opportunity_id).where(
            Match.recipient_id.in_(list(recipient_ids)),
            or_(
                Match.status.in_(OPEN_STATUSES),
                and_(
                    Match.status.in_(TURNED_DOWN),
                    Match.updated_at >= recent,
                ),
            ),
        )
    )
    for rid, oid in rows:
        found[rid].add(str(oid))
    return {r: frozenset(v) for r, v in found.items()}


_RANKING_COLUMNS = (
    Opportunity.id,
    Opportunity.kind,
    Opportunity.team_id,
    Opportunity.title,
    Opportunity.interests,
    Opportunity.slots,
    Opportunity.min_dutch_level,
    Opportunity.teaches_level,
    Opportunity.accessibility,
    Opportunity.ladder_step,
    Opportunity.places_left,
    Opportunity.status,
    Opportunity.start_date,
    Opportunity.end_date,
    Opportunity.published_at,
)


def candidate_rows(
    session: Session,
    *,
    municipality_id: uuid.UUID,
    home: Any,
    max_distance_km: float,
    availability: Sequence[str],
    kind: str | None = None,
) -> list[Candidate]:
    """One PostGIS query: published ones within reach (GiST), only the columns ranking needs."""
    # Sphere, not spheroid, for both the reach and the distance: the same as batch matching.
    distance = func.ST_Distance(Opportunity.location, home, False)
    stmt = select(*_RANKING_COLUMNS, distance.label("distance_m")).where(
        Opportunity.municipality_id == municipality_id,
        Opportunity.status == "published",
        func.ST_DWithin(Opportunity.location, home, max_distance_km * 1000.0, False),
        Opportunity.slots.overlap(list(availability)),
    )
    if kind:
        stmt = stmt.where(Opportunity.kind == kind)
    return [_from_row(row) for row in session.execute(stmt).all()]


def _from_row(row: Any) -> Candidate:
    (
        oid,
        kind,
        team_id,
        title,
        interests,
        slots,
        min_level,
        teaches,
        access,
        step,
        places_left,
        status,
        start,
        end,
        published,
        distance_m,
    ) = row
    return Candidate(
        id=str(oid),
        kind=kind,
        organizer_id=str(team_id),
        title=title,
        interests=frozenset(interests or ()),
        slots=frozenset(slots or ()),
        min_dutch_level=min_level,
        teaches_level=teaches if kind == "language_course" else None,
        accessibility=frozenset(access or ()),
        ladder_step=step,
        distance_km=max(0.0, float(distance_m) / 1000.0),
        free_places=int(places_left),
        status=status,
        start_date=start,
        end_date=end,
        published_at=published,
    )


def load_shown(session: Session, ids: Sequence[str]) -> dict[str, Opportunity]:
    """The few opportunities a page shows, with their team, in one query."""
    if not ids:
        return {}
    rows = session.scalars(
        select(Opportunity)
        .options(joinedload(Opportunity.team))
        .where(Opportunity.id.in_([uuid.UUID(i) for i in ids]))
    )
    return {str(o.id): o for o in rows}
