"""Everyone's top k at once: plain rows from PostgreSQL into the compiled matcher.

This path loads a municipality's opportunities and people as columns (no ORM objects) and lets
`matching.vector` score them all, with the same results as the engine (tested against it).
`rank_people` is the shared core: batch matching and the nudge planners rank through it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

import numpy as np
from sqlalchemy import Select, and_, or_, select, text
from sqlalchemy.orm import Session

from api.feed import jsonlines
from api.feed.jsonlines import SCORE_TEXTS, render_lines
from api.matches.models import Match
from api.matches.status import OPEN_STATUSES, TURNED_DOWN
from api.municipalities.policy import load_policy
from api.ranking.adapter import load_taxonomy, to_candidate, weights_from_policy
from matching import Ranked, Weights
from matching.model import LEVEL_INDEX
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


def excluded_in(
    session: Session, municipality_id: uuid.UUID, *, now: datetime, recent_days: int
) -> dict[uuid.UUID, set[str]]:
    """Per person of the municipality, the opportunities the feed leaves out (one query)."""
    recent = now - timedelta(days=recent_days)
    excluded: dict[uuid.UUID, set[str]] = {}
    for rid, oid in session.execute(_excluded(municipality_id, recent)):
        if rid is not None:
            excluded.setdefault(rid, set()).add(str(oid))
    return excluded


@dataclass(frozen=True)
class Ranking:
    """What ranking anyone of one municipality needs: its table, taxonomy, weights, exclusions."""

    table: CandidateTable
    categories: dict[str, str]
    weights: Weights
    excluded: dict[uuid.UUID, set[str]]


def load_ranking(
    session: Session,
    municipality_id: uuid.UUID,
    *,
    now: datetime,
    table: CandidateTable | None = None,
    with_exclusions: bool = True,
) -> Ranking:
    """Policy, taxonomy and exclusions of a municipality (its table loaded unless given)."""
    policy = load_policy(session, municipality_id)
    return Ranking(
        table=table if table is not None else load_table(session, municipality_id),
        categories=load_taxonomy(session).categories,
        weights=weights_from_policy(policy),
        excluded=(
            excluded_in(session, municipality_id, now=now, recent_days=policy.recent_decline_days)
            if with_exclusions
            else {}
        ),
    )


def _batch(ranking: Ranking, rows: Sequence[Any]) -> PersonBatch:
    """People's matching columns as the compiled matcher's arrays."""
    return PersonBatch.from_columns(
        ranking.table,
        categories=ranking.categories,
        interests=[r.interests or () for r in rows],
        availability=[r.availability or () for r in rows],
        dutch_level=[r.dutch_level for r in rows],
        ladder_step=[r.ladder_step or DEFAULT_LADDER_STEP for r in rows],
        max_distance_km=[float(r.max_distance_km) for r in rows],
        needs=[r.accessibility_needs or () for r in rows],
        homes=[(r.home_lat, r.home_lon) for r in rows],
        excluded=[ranking.excluded.get(r.user_id, ()) for r in rows],
    )


def rank_people(ranking: Ranking, people: Sequence[Any], *, now: datetime, k: int) -> TopK:
    """Top k for people given as rows (or profiles) with the matching columns, in their order.

    Each needs `user_id`, `interests`, `availability`, `dutch_level`, `ladder_step`,
    `max_distance_km`, `accessibility_needs`, `home_lat` and `home_lon`, and a home and times
    (without them the engine suggests nothing: leave them out). Sorted by home inside, so people
    at one point share one row of distances.
    """
    order = sorted(range(len(people)), key=lambda i: (people[i].home_lat, people[i].home_lon))
    batch = _batch(ranking, [people[i] for i in order])
    found = top_k(ranking.table, batch, now=now, weights=ranking.weights, k=k)
    back = np.empty(len(order), dtype=np.int64)
    back[order] = np.arange(len(order), dtype=np.int64)
    return TopK(found.index[back], found.score[back], found.distance_km[back])


def ranked(table: CandidateTable, result: TopK, row: int) -> list[Ranked]:
    """One person's result as the engine's `Ranked` (rounded distance), without reasons."""
    return [
        Ranked(table.ids[j], s, round(d, 1), ())
        for j, s, d in zip(
            result.index[row].tolist(),
            result.score[row].tolist(),
            result.distance_km[row].tolist(),
            strict=True,
        )
        if j >= 0
    ]


@dataclass
class BatchTimings:
    """Seconds spent per phase, and how much was done."""

    warm_up: float = 0.0
    loading: float = 0.0
    loading_cpu: float = 0.0
    scoring: float = 0.0
    scoring_cpu: float = 0.0
    writing: float = 0.0
    waiting: float = 0.0  # of the loading, what scoring and writing did not hide
    people: int = 0
    opportunities: int = 0
    municipalities: int = 0
    per_municipality: list[tuple[str, int, int, float]] = field(default_factory=list)


@dataclass(frozen=True)
class MunicipalityTopK:
    """One municipality's result: who, which table, and the chosen indices."""

    slug: str
    people: list[str]  # ids
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
                prefixes[j] + SCORE_TEXTS[codes[row][n]] for n, j in enumerate(index[row]) if j >= 0
            )
            yield f'{{"recipientId":"{person}","items":[{items}]}}\n'

    def json_bytes(self) -> bytes:
        """All of `lines()` at once as UTF-8, built by compiled code (api/feed/jsonlines.py)."""
        found = self.result
        return render_lines(self.people, self.table.ids, found.index, found.score)

    def json_lines(self) -> str:
        """All of `lines()` at once."""
        return self.json_bytes().decode()


def load_table(session: Session, municipality_id: uuid.UUID) -> CandidateTable:
    """A municipality's published opportunities as columns, with their points."""
    rows = session.execute(_OPPORTUNITIES, {"mid": municipality_id}).all()
    return CandidateTable.build(
        [to_candidate(r, 0.0) for r in rows], lat=[r.lat for r in rows], lon=[r.lon for r in rows]
    )


# Everyone to rank in one municipality as one text value PER COLUMN (no per-row driver objects,
# no per-row split): people separated by chr(30) (numbers by ","), keys of a set by chr(31)
# (never part of a key). All aggregates read the same ordered rows, so the columns line up;
# the order (home, then id) puts people at the same coarse point next to each other, so they
# share one row of distances. Ladder step and NULL sets as `person_from_profile` reads them;
# float8 as text is the shortest text that reads back as the same double. The user's own
# municipality is named too, so PostgreSQL reads users by that index instead of all of them.
_PEOPLE_COLUMNS = text(
    """
    select count(*) as n,
           coalesce(string_agg(user_id, chr(30)), '') as ids,
           coalesce(string_agg(interests, chr(30)), '') as interests,
           coalesce(string_agg(slots, chr(30)), '') as slots,
           coalesce(string_agg(needs, chr(30)), '') as needs,
           coalesce(string_agg(level, chr(30)), '') as levels,
           coalesce(string_agg(step, ','), '') as steps,
           coalesce(string_agg(max_km, ','), '') as max_km,
           coalesce(string_agg(lat::text, ','), '') as lat,
           coalesce(string_agg(lon::text, ','), '') as lon
    from (
      select p.user_id::text as user_id,
             array_to_string(coalesce(p.interests, '{}'), chr(31)) as interests,
             array_to_string(coalesce(p.availability, '{}'), chr(31)) as slots,
             array_to_string(coalesce(p.accessibility_needs, '{}'), chr(31)) as needs,
             p.dutch_level::text as level,
             coalesce(nullif(p.ladder_step, 0), :step)::text as step,
             p.max_distance_km::text as max_km,
             st_y(p.home_area::geometry) as lat, st_x(p.home_area::geometry) as lon
      from recipient_profiles p join users u on u.id = p.user_id
      where p.municipality_id = :mid and u.municipality_id = :mid and u.is_active
        and p.home_area is not null and cardinality(p.availability) > 0
      order by lat, lon, p.user_id
    ) people
    """
)


def _codes(column: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The distinct values of a column (first seen first), and each row's index into them."""
    seen: dict[str, int] = {}
    which = np.fromiter(
        (seen.setdefault(v, len(seen)) for v in column), dtype=np.int64, count=len(column)
    )
    return list(seen), which


def _distinct(column: Sequence[str]) -> tuple[list[list[str]], np.ndarray]:
    """The distinct joined sets of a column as lists of keys, and each row's index into them."""
    values, which = _codes(column)
    return [v.split("\x1f") if v else [] for v in values], which


def _numbers(joined: str, n: int, dtype: type[np.generic]) -> np.ndarray:
    """A column of numbers joined by "," as an array (parsed in C, exactly as float() would)."""
    if not n:
        return np.zeros(0, dtype=dtype)
    return np.array(joined.split(","), dtype=np.float64).astype(dtype)


def load_people(
    session: Session, ranking: Ranking, municipality_id: uuid.UUID
) -> tuple[list[str], PersonBatch]:
    """Everyone to rank in the municipality (ids as text) and their columns for the matcher,
    read in one statement as a few long texts and turned into arrays column by column."""
    session.execute(text("set local work_mem = '64MB'"))  # the sort by home stays in memory
    row = session.execute(
        _PEOPLE_COLUMNS, {"mid": municipality_id, "step": DEFAULT_LADDER_STEP}
    ).one()
    n = int(row.n)

    def texts(joined: str) -> list[str]:
        return joined.split("\x1e") if n else []

    people = texts(row.ids)
    # Each distinct set once, and per person which one.
    interest_sets, which_interests = _distinct(texts(row.interests))
    slot_sets, which_slots = _distinct(texts(row.slots))
    need_sets, which_needs = _distinct(texts(row.needs))
    level_names, which_level = _codes(texts(row.levels))
    level_of = np.array([LEVEL_INDEX[k] for k in level_names], dtype=np.int64)
    position = ranking.table.positions()
    excluded = ranking.excluded
    starts = np.zeros(n + 1, dtype=np.int64)
    idx: list[int] = []
    if excluded:
        by_text = {str(k): v for k, v in excluded.items()}
        for at, person in enumerate(people):
            mine = by_text.get(person)
            if mine:
                idx.extend(position[c] for c in mine if c in position)
            starts[at + 1] = len(idx)
    batch = PersonBatch.from_sets(
        ranking.table,
        categories=ranking.categories,
        interest_sets=interest_sets,
        which_interests=which_interests,
        slot_sets=slot_sets,
        which_slots=which_slots,
        need_sets=need_sets,
        which_needs=which_needs,
        level=level_of[which_level] if n else np.zeros(0, dtype=np.int64),
        step=_numbers(row.steps, n, np.int64),
        max_km=_numbers(row.max_km, n, np.float64),
        lat=_numbers(row.lat, n, np.float64),
        lon=_numbers(row.lon, n, np.float64),
        excluded_start=starts,
        excluded_idx=np.asarray(idx, dtype=np.int64),
    )
    return people, batch


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
    loaded = _load(session, municipality_id, slug, now)
    return _score(loaded, now=now, k=k, timings=timings)


@dataclass(frozen=True)
class _Loaded:
    """One municipality read and turned into arrays, with what that took (loader thread)."""

    slug: str
    ranking: Ranking
    people: list[str]
    batch: PersonBatch
    seconds: float
    cpu: float


def _load(session: Session, municipality_id: uuid.UUID, slug: str, now: datetime) -> _Loaded:
    started, cpu = time.perf_counter(), time.thread_time()
    ranking = load_ranking(session, municipality_id, now=now)
    people, batch = load_people(session, ranking, municipality_id)  # sorted by home
    return _Loaded(
        slug, ranking, people, batch, time.perf_counter() - started, time.thread_time() - cpu
    )


def _score(loaded: _Loaded, *, now: datetime, k: int, timings: BatchTimings) -> MunicipalityTopK:
    ranking, table = loaded.ranking, loaded.ranking.table
    started = time.perf_counter()
    result = top_k(table, loaded.batch, now=now, weights=ranking.weights, k=k)
    took = time.perf_counter() - started
    timings.loading += loaded.seconds
    timings.loading_cpu += loaded.cpu
    timings.scoring += took
    timings.people += len(loaded.people)
    timings.opportunities += len(table)
    timings.municipalities += 1
    timings.per_municipality.append((loaded.slug, len(loaded.people), len(table), took))
    return MunicipalityTopK(loaded.slug, loaded.people, table, result)


def _write(out: IO[str], found: MunicipalityTopK) -> None:
    """A file's bytes go straight to its buffer (no decoding and encoding half a gigabyte)."""
    raw = getattr(out, "buffer", None)
    if raw is not None and (getattr(out, "encoding", "") or "").lower().replace("-", "") == "utf8":
        out.flush()
        raw.write(found.json_bytes())
    else:
        out.write(found.json_lines())


def national_top_k(
    session: Session,
    *,
    now: datetime,
    k: int,
    out: IO[str] | None = None,
    municipality_slug: str | None = None,
    overlap: bool = True,
) -> BatchTimings:
    """Top k for everyone (or one municipality), written as JSON lines when `out` is given.

    A loader thread reads the next municipality while this one is scored and written: the
    compiled kernels run without the GIL, so reading (PostgreSQL, then parsing) overlaps them.
    Only the loader touches the session once it has started, one municipality at a time.
    `overlap=False` waits for each load before the next step (to time the phases alone).
    """
    timings = BatchTimings()
    started = time.perf_counter()
    warm_up()
    jsonlines.warm_up()
    timings.warm_up = time.perf_counter() - started
    query = "select id, slug from municipalities"
    params: dict[str, Any] = {}
    if municipality_slug:
        query += " where slug = :slug"
        params["slug"] = municipality_slug
    towns = session.execute(text(query + " order by slug"), params).all()
    cpu = time.process_time()
    writing_cpu = 0.0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-loader") as loader:
        queue = iter(towns)

        def load_next() -> Future[_Loaded] | None:
            town = next(queue, None)
            return None if town is None else loader.submit(_load, session, town[0], town[1], now)

        pending = load_next()
        while pending is not None:
            waited = time.perf_counter()
            loaded = pending.result()
            timings.waiting += time.perf_counter() - waited
            pending = load_next()
            if not overlap and pending is not None:
                waited = time.perf_counter()
                wait([pending])
                timings.waiting += time.perf_counter() - waited
            found = _score(loaded, now=now, k=k, timings=timings)
            if out is not None:
                started, writing = time.perf_counter(), time.thread_time()
                _write(out, found)
                timings.writing += time.perf_counter() - started
                writing_cpu += time.thread_time() - writing
    # The kernel's own threads are not any Python thread's: its CPU is what the rest leaves.
    timings.scoring_cpu = time.process_time() - cpu - timings.loading_cpu - writing_cpu
    return timings
