"""The compiled matcher gives exactly the engine's results: components, scores, order, top-k."""

from __future__ import annotations

import math
from dataclasses import replace
from random import Random

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from matching import Candidate, Person, Weights, rank
from matching.prepared import prepare
from matching.scoring import (
    distance_fit,
    freshness_fit,
    interest_fit,
    ladder_fit,
    language_fit,
    time_fit,
)
from matching.vector import CandidateTable, PersonBatch, components, top_k
from matching.vector.kernel import _round4

from .test_matching_helpers import (
    CATEGORIES,
    LABELS,
    NOW,
    candidate_lists,
    make_candidate,
    make_person,
    persons,
    scenarios,
    weights,
)

PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def engine_top(person: Person, items: list[Candidate], w: Weights, k: int, excluded=frozenset()):
    """(id, score, distance) of the engine's top k, unrounded distances."""
    ranked = rank(
        person,
        items,
        now=NOW,
        weights=w,
        categories=CATEGORIES,
        labels=LABELS,
        limit=k,
        excluded_ids=excluded,
    )
    return [(r.candidate_id, r.score) for r in ranked]


def vector_top(person: Person, items: list[Candidate], w: Weights, k: int, excluded=frozenset()):
    """The same through the compiled matcher, with the candidates' own distances."""
    table = CandidateTable.build(items)
    batch = PersonBatch.build(
        table,
        [person],
        categories=CATEGORIES,
        distances_km=[[c.distance_km for c in items]],
        excluded=[excluded],
    )
    result = top_k(table, batch, now=NOW, weights=w, k=k)
    return [
        (table.ids[j], float(s))
        for j, s in zip(result.index[0], result.score[0], strict=True)
        if j >= 0
    ]


@PROPERTY
@given(scenarios(max_size=40), weights(), st.integers(1, 60))
def test_top_k_is_the_engines_top_k(scenario, w: Weights, k: int) -> None:
    person, items = scenario
    assert vector_top(person, items, w, k) == engine_top(person, items, w, k)


@PROPERTY
@given(persons(), candidate_lists(max_size=40), weights(), st.integers(1, 25))
def test_top_k_matches_on_unfiltered_random_candidates(person, items, w, k) -> None:
    assert vector_top(person, items, w, k) == engine_top(person, items, w, k)


@PROPERTY
@given(scenarios(max_size=30), st.data())
def test_exclusions_are_respected_like_the_engine(scenario, data) -> None:
    person, items = scenario
    excluded = frozenset(
        data.draw(st.lists(st.sampled_from([c.id for c in items] or ["none"]), max_size=5))
    )
    w = Weights()
    assert vector_top(person, items, w, 20, excluded) == engine_top(person, items, w, 20, excluded)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(persons(), min_size=50, max_size=120), candidate_lists(max_size=80), st.randoms())
def test_many_people_at_once_agree_with_the_engine_one_by_one(people, items, rng) -> None:
    """Thousands of random pairs: a batch of people over one table, each checked."""
    table = CandidateTable.build(items)
    distances = [[rng.uniform(0.0, 25.0) for _ in items] for _ in people]
    batch = PersonBatch.build(table, people, categories=CATEGORIES, distances_km=distances)
    w = Weights()
    result = top_k(table, batch, now=NOW, weights=w, k=20)
    for i, person in enumerate(people):
        seen = [replace(c, distance_km=distances[i][n]) for n, c in enumerate(items)]
        assert [
            (table.ids[j], float(s))
            for j, s in zip(result.index[i], result.score[i], strict=True)
            if j >= 0
        ] == engine_top(person, seen, w, 20)


@PROPERTY
@given(persons(), candidate_lists(max_size=1), weights())
def test_each_component_and_the_total_equal_the_engine(person, items, w) -> None:
    """The kernel's score for a single passing pair is the engine's, to the last bit."""
    if not items:
        return
    cand = replace(
        items[0],
        status="published",
        free_places=1,
        start_date=None,
        end_date=None,
        distance_km=min(items[0].distance_km, person.max_distance_km),
        min_dutch_level="A0",
        teaches_level=None,
        accessibility=items[0].accessibility | person.accessibility_needs,
        slots=items[0].slots | (frozenset(list(person.availability)[:1])),
    )
    if not person.availability:
        return
    p = prepare(person, CATEGORIES)
    got = vector_top(person, [cand], w, 1)
    parts = (
        interest_fit(p, cand),
        distance_fit(p, cand),
        time_fit(p, cand),
        ladder_fit(p, cand),
        language_fit(p, cand),
        freshness_fit(cand, NOW),
    )
    assert all(0.0 <= x <= 1.0 for x in parts)
    expected = engine_top(person, [cand], w, 1)
    assert got == expected
    assert len(got) == 1


@settings(max_examples=2000, deadline=None)
@given(st.floats(0.0, 1.0, allow_nan=False))
@example(0.03125)  # an exact binary tie: half-even gives 0.0312
@example(0.00005)
@example(0.99995)
@example(1.0)
@example(0.0)
def test_rounding_is_pythons_round(x: float) -> None:
    assert _round4(x) == round(x, 4)


def test_rounding_near_every_tie() -> None:
    """Values a hair either side of each x.xxxx5, where a naive x*1e4 rounding goes wrong."""
    for n in range(0, 10000, 7):
        mid = (n + 0.5) / 10000
        for x in (math.nextafter(mid, 0), mid, math.nextafter(mid, 1)):
            assert _round4(x) == round(x, 4), x


def test_batch_with_homes_uses_the_batch_distance() -> None:
    """With homes and points, distances are PostGIS's sphere, as the per-person batch code."""
    from math import asin, cos, radians, sin, sqrt

    def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
        p1, p2 = radians(lat1), radians(lat2)
        dp, dl = p2 - p1, radians(lon2 - lon1)
        a = sin(dp / 2) ** 2 + cos(p1) * cos(p2) * sin(dl / 2) ** 2
        return 2 * 6371008.7714 * asin(min(1.0, sqrt(a)))

    rng = Random(3)
    points = [(52.37 + rng.uniform(-0.1, 0.1), 4.89 + rng.uniform(-0.15, 0.15)) for _ in range(60)]
    items = [
        make_candidate(
            id=f"c-{i:03d}",
            organizer_id=f"team-{i % 7}",
            kind=("volunteer", "informal_care")[i % 2],
            interests=frozenset(rng.sample(sorted(CATEGORIES), 2)),
        )
        for i in range(60)
    ]
    people = [make_person(max_distance_km=rng.choice([2.0, 5.0, 10.0, 30.0])) for _ in range(30)]
    homes = [(52.37 + rng.uniform(-0.05, 0.05), 4.89 + rng.uniform(-0.05, 0.05)) for _ in people]
    table = CandidateTable.build(items, lat=[p[0] for p in points], lon=[p[1] for p in points])
    batch = PersonBatch.build(table, people, categories=CATEGORIES, homes=homes)
    result = top_k(table, batch, now=NOW, weights=Weights(), k=10)
    found = 0
    for i, person in enumerate(people):
        seen = []
        for c, (lat, lon) in zip(items, points, strict=True):
            d = distance_m(homes[i][0], homes[i][1], lat, lon)
            if d <= person.max_distance_km * 1000.0:
                seen.append(replace(c, distance_km=d / 1000.0))
        expected = engine_top(person, seen, Weights(), 10)
        got = [
            (table.ids[j], float(s))
            for j, s in zip(result.index[i], result.score[i], strict=True)
            if j >= 0
        ]
        assert got == expected
        found += len(got)
    assert found > 0


@PROPERTY
@given(persons(), candidate_lists(max_size=1), st.floats(0.0, 40.0))
def test_every_component_is_the_engines_to_the_last_bit(person, items, km) -> None:
    """Each of the six components, computed by the compiled code, equals the engine's."""
    if not items:
        return
    cand = replace(items[0], distance_km=km)
    table = CandidateTable.build([cand])
    batch = PersonBatch.build(table, [person], categories=CATEGORIES, distances_km=[[km]])
    got = components(table, batch, 0, 0, now=NOW, distance_km=km)
    p = prepare(person, CATEGORIES)
    expected = (
        interest_fit(p, cand),
        distance_fit(p, cand),
        time_fit(p, cand),
        ladder_fit(p, cand),
        language_fit(p, cand),
        freshness_fit(cand, NOW),
    )
    assert got == expected


@PROPERTY
@given(persons(), candidate_lists(max_size=40), st.data())
def test_one_persons_batch_is_build_field_for_field(person, items, data) -> None:
    """The feed's one-person path gives exactly the arrays `build` gives for a list of one."""
    from dataclasses import fields

    rng = data.draw(st.randoms())
    points = [(52.37 + rng.uniform(-0.1, 0.1), 4.89 + rng.uniform(-0.1, 0.1)) for _ in items]
    table = CandidateTable.build(items, lat=[p[0] for p in points], lon=[p[1] for p in points])
    excluded = frozenset(
        data.draw(st.lists(st.sampled_from([c.id for c in items] + ["not-here"]), max_size=5))
    )
    home = (52.37 + rng.uniform(-0.05, 0.05), 4.89 + rng.uniform(-0.05, 0.05))
    many = PersonBatch.build(
        table, [person], categories=CATEGORIES, homes=[home], excluded=[excluded]
    )
    for _ in range(2):  # the second time with the table's kept category bits
        one = PersonBatch.one(table, person, categories=CATEGORIES, home=home, excluded=excluded)
        for f in fields(PersonBatch):
            a, b = getattr(one, f.name), getattr(many, f.name)
            assert a.dtype == b.dtype and a.shape == b.shape, f.name
            if f.name == "excluded_idx":
                assert sorted(a.tolist()) == sorted(b.tolist())
            else:
                assert np.array_equal(a, b), f.name
