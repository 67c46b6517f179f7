"""Batch matching: many people against one municipality's opportunities at once.

Used for reverse matching (who should hear about a just-published opportunity) and for many
people's top-k (the nudge planners), through the compiled matcher (`api.feed.national`). The
engine one person at a time (`engine_top_k_for_profiles`) stays as the reference it is tested
against.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np
from sqlalchemy import Row, and_, any_, func, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from api.db import uuid_array
from api.feed.candidates import excluded_for_many
from api.feed.catalog import CATALOG
from api.feed.national import load_ranking, rank_people, ranked
from api.municipalities.policy import load_policy
from api.opportunities.models import Opportunity
from api.profiles.models import RecipientProfile
from api.ranking.adapter import (
    Taxonomy,
    load_taxonomy,
    person_from_profile,
    to_candidate,
    weights_from_policy,
)
from api.users.models import User
from matching import Candidate, Ranked, rank
from matching.vector import CandidateTable, TopK

# What ranking a person needs, with the names of RecipientProfile's attributes: rows selected
# with these rank like profiles, without loading ORM objects.
PROFILE_COLUMNS = (
    RecipientProfile.user_id,
    # Arrays as the driver gives them (lists): SQLAlchemy's ARRAY would copy each one again.
    type_coerce(RecipientProfile.interests, NullType()).label("interests"),
    type_coerce(RecipientProfile.availability, NullType()).label("availability"),
    RecipientProfile.dutch_level,
    RecipientProfile.ladder_step,
    RecipientProfile.max_distance_km,
    type_coerce(RecipientProfile.accessibility_needs, NullType()).label("accessibility_needs"),
    RecipientProfile.home_lat,
    RecipientProfile.home_lon,
)
ProfileLike = RecipientProfile | Row[Any]

EARTH_RADIUS_M = 6371008.7714  # PostGIS's sphere, so batch and feed distances agree
MAX_REACH_KM = 30.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on PostGIS's sphere (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class OpenOpportunity:
    """A published opportunity with its point and places taken, loaded once for many people."""

    candidate: Candidate  # built and validated once; each person gets a copy at their distance
    lat: float
    lon: float


def load_open_opportunities(
    session: Session, *, municipality_id: uuid.UUID
) -> list[OpenOpportunity]:
    """Every published opportunity of a municipality, in one query."""
    rows = session.scalars(
        select(Opportunity).where(
            Opportunity.municipality_id == municipality_id, Opportunity.status == "published"
        )
    )
    return [OpenOpportunity(to_candidate(o, 0.0), o.lat, o.lon) for o in rows]


class _Grid:
    """A coarse lat/lon grid so each person only measures opportunities in nearby cells."""

    CELL = 0.05  # degrees, ~5.5 km north-south

    def __init__(self, items: list[OpenOpportunity]) -> None:
        self.cells: dict[tuple[int, int], list[OpenOpportunity]] = {}
        for it in items:
            self.cells.setdefault(self._key(it.lat, it.lon), []).append(it)

    def _key(self, lat: float, lon: float) -> tuple[int, int]:
        return (math.floor(lat / self.CELL), math.floor(lon / self.CELL))

    def near(self, lat: float, lon: float, km: float) -> Iterator[OpenOpportunity]:
        dlat = km / 111.0
        dlon = km / (111.0 * max(0.2, math.cos(math.radians(lat))))
        (a0, b0), (a1, b1) = self._key(lat - dlat, lon - dlon), self._key(lat + dlat, lon + dlon)
        for a in range(a0, a1 + 1):
            for b in range(b0, b1 + 1):
                yield from self.cells.get((a, b), ())


def rank_for_profile(
    profile: RecipientProfile,
    grid: _Grid,
    *,
    now: datetime,
    taxonomy: Taxonomy,
    weights: Any,
    excluded: frozenset[str],
    limit: int | None,
) -> list[Ranked]:
    """One person's ranking from preloaded opportunities (same engine as the feed)."""
    if profile.home_lat is None or profile.home_lon is None or not profile.availability:
        return []
    reach = float(profile.max_distance_km)
    slots = set(profile.availability)
    candidates = []
    for it in grid.near(profile.home_lat, profile.home_lon, reach):
        if slots.isdisjoint(it.candidate.slots):
            continue
        d = distance_m(profile.home_lat, profile.home_lon, it.lat, it.lon)
        if d <= reach * 1000.0:
            candidates.append(it.candidate.at_distance(d / 1000.0))
    return rank(
        person_from_profile(profile),
        candidates,
        now=now,
        weights=weights,
        categories=taxonomy.categories,
        labels=taxonomy.labels,
        excluded_ids=excluded,
        limit=limit,
    )


def engine_top_k_for_profiles(
    session: Session,
    *,
    municipality_id: uuid.UUID,
    profiles: Iterable[RecipientProfile],
    now: datetime,
    k: int = 20,
    with_exclusions: bool = True,
) -> dict[uuid.UUID, list[Ranked]]:
    """The reference: the engine one person at a time, with reasons (tests and benchmarks)."""
    grid = _Grid(load_open_opportunities(session, municipality_id=municipality_id))
    taxonomy = load_taxonomy(session)
    policy = load_policy(session, municipality_id)
    weights = weights_from_policy(policy)
    profiles = list(profiles)
    exclusions = (
        excluded_for_many(
            session,
            recipient_ids=[p.user_id for p in profiles],
            now=now,
            recent_days=policy.recent_decline_days,
        )
        if with_exclusions
        else {}
    )
    out: dict[uuid.UUID, list[Ranked]] = {}
    for profile in profiles:
        excluded = exclusions.get(profile.user_id, frozenset())
        out[profile.user_id] = rank_for_profile(
            profile, grid, now=now, taxonomy=taxonomy, weights=weights, excluded=excluded, limit=k
        )
    return out


@dataclass(frozen=True)
class PeopleTopK:
    """Many people's top k against one municipality's table, by person."""

    table: CandidateTable
    result: TopK
    rows: dict[uuid.UUID, int]  # person -> row of `result`; people without a home or times: none

    @cached_property
    def _index(self) -> list[list[int]]:
        index: list[list[int]] = self.result.index.tolist()
        return index  # once: one row at a time costs more than the rest

    def indices(self, user_id: uuid.UUID) -> list[int]:
        """The person's picks as positions in `table`, best first."""
        row = self.rows.get(user_id)
        if row is None:
            return []
        return [j for j in self._index[row] if j >= 0]

    def ranked(self, user_id: uuid.UUID) -> list[Ranked]:
        """The person's picks as the engine's `Ranked`, without reasons."""
        row = self.rows.get(user_id)
        return [] if row is None else ranked(self.table, self.result, row)


def rank_profiles(
    session: Session,
    *,
    municipality_id: uuid.UUID,
    profiles: Iterable[ProfileLike],
    now: datetime,
    k: int = 20,
    with_exclusions: bool = True,
) -> PeopleTopK:
    """Top-k for many people of one municipality, compiled, over the cached catalogue.

    Profiles may be ORM objects or rows with the same names (see `PROFILE_COLUMNS`).
    """
    able = [p for p in profiles if p.home_lat is not None and p.availability]
    table = CATALOG.table(session, municipality_id)
    if not able:
        none = TopK(np.empty((0, k), dtype=np.int64), np.empty((0, k)), np.empty((0, k)))
        return PeopleTopK(table, none, {})
    ranking = load_ranking(
        session, municipality_id, now=now, table=table, with_exclusions=with_exclusions
    )
    result = rank_people(ranking, able, now=now, k=k)
    return PeopleTopK(table, result, {p.user_id: row for row, p in enumerate(able)})


def top_k_for_profiles(
    session: Session,
    *,
    municipality_id: uuid.UUID,
    profiles: Iterable[ProfileLike],
    now: datetime,
    k: int = 20,
    with_exclusions: bool = True,
) -> dict[uuid.UUID, list[Ranked]]:
    """Top-k for many people of one municipality: the engine's ids, order, scores, distances.

    Compiled (`rank_profiles`) and without reasons: no caller of a batch shows them (the feed
    asks the engine for the few it shows).
    """
    people = list(profiles)
    found = rank_profiles(
        session,
        municipality_id=municipality_id,
        profiles=people,
        now=now,
        k=k,
        with_exclusions=with_exclusions,
    )
    return {p.user_id: found.ranked(p.user_id) for p in people}


@dataclass(frozen=True)
class Audience:
    """A person for whom an opportunity ranks high, and where."""

    recipient_id: uuid.UUID
    position: int
    ranked: Ranked


def audiences(
    session: Session,
    *,
    municipality_id: uuid.UUID,
    opportunity_ids: Sequence[uuid.UUID],
    now: datetime,
    top_n: int = 5,
) -> dict[uuid.UUID, list[Audience]]:
    """Reverse matching for several opportunities of one municipality, ranking each person once.

    Per opportunity: the active people within its reach (PostGIS, as always) whose times
    overlap, for whom it is in their top N, best placed first.
    """
    found: dict[uuid.UUID, list[Audience]] = {o: [] for o in opportunity_ids}
    if not opportunity_ids:
        return found
    rows = session.execute(
        select(*PROFILE_COLUMNS, func.array_agg(Opportunity.id).label("in_reach"))
        .join(User, User.id == RecipientProfile.user_id)
        .join(
            Opportunity,
            and_(
                Opportunity.id == any_(uuid_array(opportunity_ids)),
                Opportunity.municipality_id == municipality_id,
                Opportunity.status == "published",
                func.ST_DWithin(
                    RecipientProfile.home_area, Opportunity.location, MAX_REACH_KM * 1000.0, False
                ),
                func.ST_DWithin(
                    RecipientProfile.home_area,
                    Opportunity.location,
                    RecipientProfile.max_distance_km * 1000.0,
                    False,
                ),
                RecipientProfile.availability.overlap(Opportunity.slots),
            ),
        )
        .where(RecipientProfile.municipality_id == municipality_id, User.is_active.is_(True))
        .group_by(RecipientProfile.user_id)
    ).all()
    if not rows:
        return found
    ranking = load_ranking(
        session, municipality_id, now=now, table=CATALOG.table(session, municipality_id)
    )
    result = rank_people(ranking, rows, now=now, k=top_n)
    for row, person in enumerate(rows):
        reach = set(person.in_reach)
        for position, r in enumerate(ranked(ranking.table, result, row), 1):
            oid = uuid.UUID(r.candidate_id)
            if oid in reach:
                found[oid].append(Audience(person.user_id, position, r))
    for people in found.values():
        people.sort(key=lambda a: (a.position, -a.ranked.score, str(a.recipient_id)))
    return found


def recipients_for_opportunity(
    session: Session, *, opportunity_id: uuid.UUID, now: datetime, top_n: int = 5
) -> list[Audience]:
    """Reverse matching: active people within reach for whom this opportunity is in their top N."""
    opp = session.get(Opportunity, opportunity_id)
    if opp is None or opp.status != "published":
        return []
    return audiences(
        session,
        municipality_id=opp.municipality_id,
        opportunity_ids=[opportunity_id],
        now=now,
        top_n=top_n,
    )[opportunity_id]
