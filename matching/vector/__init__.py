"""Compiled matching: the engine's filters, score and order for many people at once.

`rank()` stays the definition of a good match; this module computes exactly the same scores
(same operations in the same order, so the same floats), the same rounding and the same
order and diversity rules, over columnar arrays, compiled with Numba. It exists so that
batch matching for a whole country and a feed with thousands of candidates stay cheap.
Reasons are not computed here: callers ask the engine for the few results they keep.
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np

from matching.model import AMSTERDAM, KINDS, Candidate, Weights
from matching.prepared import require_aware
from matching.ranking import DIVERSITY_WINDOW
from matching.scoring import normalise
from matching.vector.kernel import _components, _distance_fit, _top_k
from matching.vector.tables import (
    CandidateTable,
    PersonBatch,
    TopK,
    Vocabulary,
)


def top_k(
    table: CandidateTable,
    people: PersonBatch,
    *,
    now: datetime,
    weights: Weights,
    k: int,
    diversify: bool = True,
    only_kind: str | None = None,
) -> TopK:
    """Each person's first k of the engine's ranking (same ids, order and rounded scores)."""
    require_aware(now)
    if k < 1:
        raise ValueError("k must be >= 1")
    today = now.astimezone(AMSTERDAM).date()
    normalised = normalise(weights)
    w = np.array(normalised if normalised is not None else (0.0,) * 6, dtype=np.float64)
    keep = max(k, DIVERSITY_WINDOW) if diversify else k
    n = people.availability.shape[0]
    out_idx = np.full((n, k), -1, dtype=np.int64)
    out_score = np.full((n, k), math.nan)
    out_dist = np.full((n, k), math.nan)
    static_ok = table.static_pass(today)
    if only_kind is not None:
        static_ok = static_ok & (table.kind == KINDS.index(only_kind))  # the kept one is shared
    if n and len(table):
        _top_k(
            k,
            keep,
            diversify,
            w,
            normalised is not None,
            static_ok,
            table.freshness(now),
            table.lat,
            table.lon,
            table.id_rank,
            table.kind,
            table.organizer,
            table.interest_words,
            table.interest_count,
            table.slots,
            table.slot_count,
            table.min_level,
            table.teaches,
            table.access_words,
            table.ladder,
            people.interest_words,
            people.has_interests,
            people.category_words,
            people.availability,
            people.availability_size,
            people.level,
            people.step,
            people.max_km,
            people.need_words,
            people.needs_possible,
            people.lat,
            people.lon,
            people.distances,
            people.excluded_start,
            people.excluded_idx,
            out_idx,
            out_score,
            out_dist,
        )
    return TopK(out_idx, out_score, out_dist)


def components(
    table: CandidateTable,
    people: PersonBatch,
    person: int,
    candidate: int,
    *,
    now: datetime,
    distance_km: float,
) -> tuple[float, float, float, float, float, float]:
    """The compiled code's six components of one pair, so tests can hold them to the engine's."""
    out = np.zeros(5, dtype=np.float64)
    _components(
        candidate,
        people.interest_words[person],
        bool(people.has_interests[person]),
        people.category_words[person],
        int(people.availability[person]),
        int(people.availability_size[person]),
        int(people.level[person]),
        int(people.step[person]),
        table.interest_words,
        table.interest_count,
        table.slots,
        table.slot_count,
        table.min_level,
        table.teaches,
        table.ladder,
        out,
    )
    distance = _distance_fit(distance_km, float(people.max_km[person]))
    fresh = float(table.freshness(now)[candidate])
    return (float(out[0]), distance, float(out[2]), float(out[3]), float(out[4]), fresh)


def warm_up() -> None:
    """Compile (or load the cached machine code of) the kernels before timing anything."""
    one = Candidate(
        id="warm-up",
        kind="volunteer",
        organizer_id="t",
        title="t",
        interests=frozenset({"a"}),
        slots=frozenset({"mon-morning"}),
        min_dutch_level="A0",
        teaches_level=None,
        accessibility=frozenset(),
        ladder_step=2,
        distance_km=0.0,
        free_places=1,
        status="published",
        start_date=None,
        end_date=None,
        published_at=None,
    )
    table = CandidateTable.build([one], lat=[52.0], lon=[5.0])
    people = PersonBatch.from_columns(
        table,
        categories={},
        interests=[("a",)],
        availability=[("mon-morning",)],
        dutch_level=["B1"],
        ladder_step=[2],
        max_distance_km=[5.0],
        needs=[()],
        homes=[(52.0, 5.0)],
    )
    top_k(table, people, now=_WARM_UP_NOW, weights=Weights(), k=1)


_WARM_UP_NOW = datetime(2026, 1, 1, tzinfo=AMSTERDAM)


__all__ = ["CandidateTable", "PersonBatch", "TopK", "Vocabulary", "components", "top_k", "warm_up"]
