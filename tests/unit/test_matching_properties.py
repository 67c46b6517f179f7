"""Property tests: invariants of scoring and ranking that must hold for every input."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from random import Random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import CEFR_LEVELS, Candidate, Person, Ranked, Weights, passes_filters, rank, score
from matching.prepared import prepare
from matching.ranking import DIVERSITY_WINDOW, MAX_PER_ORGANIZER_IN_TOP, ORGANIZER_TOP
from matching.reasons import ReasonTexts, reasons_prepared

from .test_matching_helpers import (
    CATEGORIES,
    INTEREST_KEYS,
    LABELS,
    NOW,
    TODAY,
    candidate_lists,
    candidates,
    persons,
    scenarios,
    weights,
)

PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Scenario = tuple[Person, list[Candidate]]


def run(person: Person, items: Iterable[Candidate], **kwargs: Any) -> list[Ranked]:
    """rank() with the shared taxonomy."""
    return rank(person, items, now=NOW, categories=CATEGORIES, labels=LABELS, **kwargs)


def position(result: list[Ranked], candidate_id: str) -> int | None:
    """Index of a candidate in a ranking, or None when it was not returned."""
    for index, ranked in enumerate(result):
        if ranked.candidate_id == candidate_id:
            return index
    return None


@PROPERTY
@given(persons(), candidates(), weights())
def test_score_is_always_in_unit_interval(person: Person, cand: Candidate, w: Weights) -> None:
    value = score(person, cand, now=NOW, weights=w, categories=CATEGORIES)
    assert 0.0 <= value <= 1.0


@PROPERTY
@given(scenarios(), weights())
def test_ranked_values_are_in_range_and_rounded(scenario: Scenario, w: Weights) -> None:
    person, items = scenario
    for ranked in run(person, items, weights=w):
        assert 0.0 <= ranked.score <= 1.0
        assert ranked.score == round(ranked.score, 4)
        assert ranked.distance_km == round(ranked.distance_km, 1)
        assert 1 <= len(ranked.reasons) <= 4
        assert len({reason.code for reason in ranked.reasons}) == len(ranked.reasons)


def brief_filters(person: Person, c: Candidate, excluded: frozenset[str]) -> bool:
    """The hard filters written out independently, straight from the brief, as an oracle."""
    level = CEFR_LEVELS.index
    course_ok = (
        c.kind != "language_course"
        or c.teaches_level is None
        or level(c.teaches_level) in (level(person.dutch_level), level(person.dutch_level) + 1)
    )
    return (
        c.status == "published"
        and c.free_places >= 1
        and (c.start_date is None or c.start_date <= TODAY)
        and (c.end_date is None or c.end_date >= TODAY)
        and c.distance_km <= person.max_distance_km
        and level(person.dutch_level) >= level(c.min_dutch_level)
        and course_ok
        and person.accessibility_needs.issubset(c.accessibility)
        and bool(person.availability & c.slots)
        and c.id not in excluded
    )


@PROPERTY
@given(st.one_of(scenarios(), st.tuples(persons(), candidate_lists())), st.data())
def test_rank_returns_exactly_the_candidates_that_pass_the_filters(
    scenario: Scenario, data: st.DataObject
) -> None:
    person, items = scenario
    excluded = data.draw(st.frozensets(st.sampled_from([c.id for c in items] or ["none"])))
    result = run(person, items, excluded_ids=excluded)
    expected = {c.id for c in items if brief_filters(person, c, excluded)}
    for c in items:
        assert passes_filters(person, c, today=TODAY, excluded_ids=excluded) is (c.id in expected)
    assert {r.candidate_id for r in result} == expected
    assert len(result) == len(expected)


@PROPERTY
@given(persons(), candidates(), weights(), st.floats(0.0, 1.0))
def test_closer_never_lowers_the_score(
    person: Person, cand: Candidate, w: Weights, fraction: float
) -> None:
    closer = replace(cand, distance_km=cand.distance_km * fraction)
    before = score(person, cand, now=NOW, weights=w, categories=CATEGORIES)
    after = score(person, closer, now=NOW, weights=w, categories=CATEGORIES)
    assert after >= before


@PROPERTY
@given(scenarios(), weights(), st.data(), st.booleans())
def test_closer_never_lowers_the_rank(
    scenario: Scenario, w: Weights, data: st.DataObject, diversify: bool
) -> None:
    person, items = scenario
    if not items:
        return
    index = data.draw(st.integers(0, len(items) - 1))
    fraction = data.draw(st.floats(0.0, 1.0))
    target = items[index]
    moved = [*items]
    moved[index] = replace(target, distance_km=target.distance_km * fraction)
    before = run(person, items, weights=w, diversify=diversify)
    after = run(person, moved, weights=w, diversify=diversify)
    old = position(before, target.id)
    if old is None:  # it failed a filter; being closer may only let it in
        return
    new = position(after, target.id)
    assert new is not None
    assert new <= old
    assert after[new].score >= before[old].score


@PROPERTY
@given(persons(), candidates(), weights(), st.sampled_from(INTEREST_KEYS), st.integers(0, 2))
def test_adding_a_shared_interest_never_lowers_the_score(
    person: Person, cand: Candidate, w: Weights, key: str, how: int
) -> None:
    if how == 1:  # the opportunity also offers something the person already likes
        key = min(person.interests, default=key)
    elif how == 2:  # the person also likes something the opportunity already offers
        key = min(cand.interests, default=key)
    new_person = replace(person, interests=person.interests | {key})
    new_cand = replace(cand, interests=cand.interests | {key})
    before = score(person, cand, now=NOW, weights=w, categories=CATEGORIES)
    after = score(new_person, new_cand, now=NOW, weights=w, categories=CATEGORIES)
    assert after >= before


@PROPERTY
@given(scenarios(), st.randoms(use_true_random=False), st.none() | st.integers(0, 12))
def test_same_input_same_output_in_any_order(
    scenario: Scenario, rnd: Random, limit: int | None
) -> None:
    person, items = scenario
    first = run(person, items, limit=limit)
    assert run(person, items, limit=limit) == first
    shuffled = [*items]
    rnd.shuffle(shuffled)
    assert run(person, shuffled, limit=limit) == first


@PROPERTY
@given(scenarios(30), st.none() | st.integers(0, 15))
def test_diversity_only_reorders(scenario: Scenario, limit: int | None) -> None:
    person, items = scenario
    plain = run(person, items, diversify=False)
    mixed = run(person, items, diversify=True)
    assert Counter(mixed) == Counter(plain)
    if limit is not None:  # a top-k is the head of the full ranking, with or without diversity
        assert run(person, items, limit=limit, diversify=True) == mixed[:limit]
        assert run(person, items, limit=limit, diversify=False) == plain[:limit]


@PROPERTY
@given(scenarios(30))
def test_plain_order_is_sorted_and_diversity_keeps_the_best_first(scenario: Scenario) -> None:
    person, items = scenario
    plain = run(person, items, diversify=False)
    keys = [(-r.score, r.distance_km, r.candidate_id) for r in plain]
    assert [k[:2] for k in keys] == sorted(k[:2] for k in keys)
    mixed = run(person, items)
    if plain:
        assert mixed[0] == plain[0]


def penalty(placed: list[Candidate], candidate: Candidate) -> int:
    """How badly placing `candidate` after `placed` breaks the rules; the organizer cap weighs more."""
    over_cap = len(placed) < ORGANIZER_TOP and (
        sum(c.organizer_id == candidate.organizer_id for c in placed) >= MAX_PER_ORGANIZER_IN_TOP
    )
    run_of_three = len(placed) >= 2 and placed[-1].kind == placed[-2].kind == candidate.kind
    return 2 * over_cap + run_of_three


@PROPERTY
@given(scenarios(30))
def test_diversity_rules_are_only_broken_when_no_alternative_is_left(scenario: Scenario) -> None:
    person, items = scenario
    by_id = {c.id: c for c in items}
    mixed = [by_id[r.candidate_id] for r in run(person, items)]
    assert len(mixed) <= DIVERSITY_WINDOW
    for i, chosen in enumerate(mixed):
        broken = penalty(mixed[:i], chosen)
        if broken:
            assert all(penalty(mixed[:i], later) >= broken for later in mixed[i + 1 :])


@given(persons(), candidates(), st.floats(0.0, 60.0), st.booleans())
@PROPERTY
def test_reasons_at_a_distance_are_the_reasons_of_the_candidate_moved_there(
    person: Person, cand: Candidate, km: float, with_now: bool
) -> None:
    """The feed explains a candidate at the person's distance without copying it."""
    prepared = prepare(person, CATEGORIES)
    now = NOW if with_now else None
    moved = reasons_prepared(
        prepared, cand.at_distance(km), ReasonTexts(person.language, LABELS), now
    )
    assert reasons_prepared(prepared, cand, ReasonTexts(person.language, LABELS), now, km) == moved
