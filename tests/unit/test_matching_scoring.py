"""Scoring components and the weighted mean, checked against the policy in the brief."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from matching import Candidate, Person, Weights, score
from matching.prepared import prepare
from matching.scoring import (
    distance_fit,
    freshness_fit,
    interest_fit,
    ladder_fit,
    language_fit,
    time_fit,
)

from .test_matching_helpers import CATEGORIES, NOW, course, make_candidate, make_person

ONLY = {
    name: Weights(**{n: (1.0 if n == name else 0.0) for n in Weights.__slots__})
    for name in Weights.__slots__
}


def component(name: str, person: Person, candidate: Candidate) -> float:
    """Score with all weight on one component, i.e. that component's value."""
    return score(person, candidate, now=NOW, weights=ONLY[name], categories=CATEGORIES)


def test_default_weights_sum_to_one() -> None:
    w = Weights()
    total = w.interest + w.distance + w.time + w.ladder + w.language + w.freshness
    assert total == pytest.approx(1.0)


# --- interest ---


@pytest.mark.parametrize(
    ("mine", "theirs", "expected"),
    [
        ({"koken"}, {"koken"}, 1.0),
        ({"koken"}, {"bakken"}, 0.5),  # same category "eten"
        ({"koken"}, {"muziek"}, 0.0),
        ({"koken"}, {"koken", "muziek"}, 0.5),
        ({"koken", "muziek"}, {"koken", "muziek"}, 1.0),
        ({"koken"}, {"koken", "bakken"}, 0.75),
        ({"koken"}, {"koken", "muziek", "dieren", "computers"}, 1 / 3),
        ({"koken", "muziek", "dieren"}, {"koken", "muziek", "dieren", "computers"}, 1.0),
        (set(), {"koken"}, 0.3),  # no interests given: neutral
        ({"koken"}, set(), 0.3),  # opportunity without tags: neutral
        ({"zonder_categorie"}, {"koken"}, 0.0),
    ],
)
def test_interest_fit(mine: set[str], theirs: set[str], expected: float) -> None:
    person = make_person(interests=frozenset(mine))
    candidate = make_candidate(interests=frozenset(theirs))
    assert interest_fit(prepare(person, CATEGORIES), candidate) == pytest.approx(expected)
    assert component("interest", person, candidate) == pytest.approx(expected)


def test_interest_category_needs_the_mapping() -> None:
    person = make_person(interests=frozenset({"koken"}))
    candidate = make_candidate(interests=frozenset({"bakken"}))
    assert interest_fit(prepare(person, {}), candidate) == 0.0


# --- distance ---


@pytest.mark.parametrize(
    ("km", "expected"),
    [(0.0, 1.0), (10.0, 0.0), (5.0, 1 - 0.5**0.75), (2.5, 1 - 0.25**0.75), (12.0, 0.0)],
)
def test_distance_fit(km: float, expected: float) -> None:
    p = prepare(make_person(max_distance_km=10.0), {})
    assert distance_fit(p, make_candidate(distance_km=km)) == pytest.approx(expected)


def test_distance_fit_with_zero_maximum() -> None:
    p = prepare(make_person(max_distance_km=0.0), {})
    assert distance_fit(p, make_candidate(distance_km=0.0)) == 1.0
    assert distance_fit(p, make_candidate(distance_km=0.1)) == 0.0


def test_distance_fit_decreases() -> None:
    p = prepare(make_person(max_distance_km=10.0), {})
    values = [distance_fit(p, make_candidate(distance_km=km / 10)) for km in range(101)]
    assert values == sorted(values, reverse=True)


# --- time ---


@pytest.mark.parametrize(
    ("mine", "theirs", "expected"),
    [
        ({"tue-morning"}, {"tue-morning"}, 1.0),
        ({"tue-morning", "wed-morning"}, {"tue-morning"}, 1.0),
        ({"tue-morning", "wed-morning"}, {"tue-morning", "thu-morning"}, 0.5),
        ({"tue-morning", "wed-morning", "thu-morning"}, {"tue-morning", "fri-evening"}, 0.5),
        ({"tue-morning"}, {"wed-morning"}, 0.0),
        (set(), {"wed-morning"}, 0.0),
    ],
)
def test_time_fit(mine: set[str], theirs: set[str], expected: float) -> None:
    p = prepare(make_person(availability=frozenset(mine)), {})
    assert time_fit(p, make_candidate(slots=frozenset(theirs))) == pytest.approx(expected)


# --- ladder ---


@pytest.mark.parametrize(
    ("opportunity_step", "expected"),
    [(1, 0.3), (2, 0.6), (3, 1.0), (4, 1.0), (5, 0.5), (6, 0.1)],
)
def test_ladder_fit_for_person_on_step_3(opportunity_step: int, expected: float) -> None:
    p = prepare(make_person(ladder_step=3), {})
    assert ladder_fit(p, make_candidate(ladder_step=opportunity_step)) == expected


# --- language ---


@pytest.mark.parametrize(("minimum", "expected"), [("A0", 1.0), ("A1", 1.0), ("A2", 0.7)])
def test_language_fit_general(minimum: str, expected: float) -> None:
    p = prepare(make_person(dutch_level="A2"), {})
    assert language_fit(p, make_candidate(min_dutch_level=minimum)) == expected


@pytest.mark.parametrize(("teaches", "expected"), [("A2", 0.8), ("B1", 1.0), (None, 1.0)])
def test_language_fit_course(teaches: str | None, expected: float) -> None:
    p = prepare(make_person(dutch_level="A2"), {})
    assert language_fit(p, course(teaches)) == expected


# --- freshness ---


@pytest.mark.parametrize(
    ("age_days", "expected"),
    [(-1, 1.0), (0, 1.0), (14, 1.0), (52, 0.65), (90, 0.3), (400, 0.3)],
)
def test_freshness_fit(age_days: float, expected: float) -> None:
    candidate = make_candidate(published_at=NOW - timedelta(days=age_days))
    assert freshness_fit(candidate, NOW) == pytest.approx(expected)


def test_freshness_unknown_publication_is_neutral() -> None:
    assert freshness_fit(make_candidate(published_at=None), NOW) == 0.5


# --- weighted mean ---


def test_score_is_the_weighted_mean() -> None:
    person = make_person()
    candidate = make_candidate(distance_km=5.0, ladder_step=5, min_dutch_level="A2")
    parts = {name: component(name, person, candidate) for name in Weights.__slots__}
    w = Weights()
    expected = sum(getattr(w, name) * value for name, value in parts.items())
    actual = score(person, candidate, now=NOW, weights=w, categories=CATEGORIES)
    assert actual == pytest.approx(expected)


def test_score_only_depends_on_weight_ratios() -> None:
    person, candidate = make_person(), make_candidate(distance_km=3.3)
    base = score(person, candidate, now=NOW, weights=Weights(), categories=CATEGORIES)
    doubled = Weights(**{n: 2 * getattr(Weights(), n) for n in Weights.__slots__})
    assert score(
        person, candidate, now=NOW, weights=doubled, categories=CATEGORIES
    ) == pytest.approx(base)


def test_huge_weights_still_give_a_mean() -> None:
    person, candidate = make_person(), make_candidate(distance_km=3.3)
    base = score(person, candidate, now=NOW, weights=Weights(), categories=CATEGORIES)
    huge = Weights(**{n: 1e307 * getattr(Weights(), n) for n in Weights.__slots__})
    assert score(person, candidate, now=NOW, weights=huge, categories=CATEGORIES) == pytest.approx(
        base
    )


def test_zero_weights_score_zero() -> None:
    zero = Weights(**dict.fromkeys(Weights.__slots__, 0.0))
    assert score(make_person(), make_candidate(), now=NOW, weights=zero, categories={}) == 0.0


def test_perfect_candidate_scores_one() -> None:
    candidate = make_candidate(distance_km=0.0, ladder_step=4, published_at=NOW)
    assert score(make_person(), candidate, now=NOW, weights=Weights(), categories={}) == 1.0


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        score(
            make_person(),
            make_candidate(),
            now=datetime(2024, 5, 1, 10, 0),
            weights=Weights(),
            categories={},
        )
