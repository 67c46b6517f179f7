"""Hard filters and input validation: what may never be suggested, and what is refused."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import matching
from matching import Candidate, Person, Weights, passes_filters, rank

from .test_matching_helpers import (
    CATEGORIES,
    LABELS,
    NOW,
    TODAY,
    course,
    make_candidate,
    make_person,
)


def ok(person: Person, candidate: Candidate, **kwargs: Any) -> bool:
    """Shorthand for the filter on TODAY."""
    return passes_filters(person, candidate, today=TODAY, **kwargs)


def test_default_candidate_passes() -> None:
    assert ok(make_person(), make_candidate())


@pytest.mark.parametrize("status", ["draft", "paused", "closed", "", "Published"])
def test_only_published_passes(status: str) -> None:
    assert not ok(make_person(), make_candidate(status=status))


def test_free_places() -> None:
    assert not ok(make_person(), make_candidate(free_places=0))
    assert not ok(make_person(), make_candidate(free_places=-1))
    assert ok(make_person(), make_candidate(free_places=1))


def test_start_date() -> None:
    assert not ok(make_person(), make_candidate(start_date=TODAY + timedelta(days=1)))
    assert ok(make_person(), make_candidate(start_date=TODAY))
    assert ok(make_person(), make_candidate(start_date=TODAY - timedelta(days=10)))


def test_end_date() -> None:
    assert not ok(make_person(), make_candidate(end_date=TODAY - timedelta(days=1)))
    assert ok(make_person(), make_candidate(end_date=TODAY))
    assert ok(make_person(), make_candidate(end_date=TODAY + timedelta(days=10)))


def test_rank_uses_the_amsterdam_date() -> None:
    # 22:30 UTC on 1 May is already 2 May in Amsterdam (CEST, UTC+2).
    late = datetime(2024, 5, 1, 22, 30, tzinfo=UTC)
    tomorrow = make_candidate(start_date=TODAY + timedelta(days=1))
    ended = make_candidate(id="ended", end_date=TODAY)
    result = rank(make_person(), [tomorrow, ended], now=late, categories={}, labels={})
    assert [r.candidate_id for r in result] == [tomorrow.id]


def test_distance_within_person_maximum() -> None:
    person = make_person(max_distance_km=5.0)
    assert ok(person, make_candidate(distance_km=5.0))
    assert not ok(person, make_candidate(distance_km=5.01))
    assert ok(make_person(max_distance_km=0.0), make_candidate(distance_km=0.0))


def test_dutch_level_at_least_minimum() -> None:
    person = make_person(dutch_level="A2")
    assert ok(person, make_candidate(min_dutch_level="A2"))
    assert ok(person, make_candidate(min_dutch_level="A0"))
    assert not ok(person, make_candidate(min_dutch_level="B1"))


@pytest.mark.parametrize(
    ("teaches", "expected"),
    [("A0", False), ("A1", False), ("A2", True), ("B1", True), ("B2", False), ("C2", False)],
)
def test_language_course_level_is_own_or_one_above(teaches: str, expected: bool) -> None:
    assert ok(make_person(dutch_level="A2"), course(teaches)) is expected


def test_language_course_without_level_uses_minimum_only() -> None:
    assert ok(make_person(dutch_level="A2"), course(None))
    assert not ok(make_person(dutch_level="A2"), replace(course(None), min_dutch_level="B1"))


def test_course_minimum_still_applies() -> None:
    assert not ok(make_person(dutch_level="A2"), replace(course("B1"), min_dutch_level="B1"))


def test_accessibility_needs_must_all_be_offered() -> None:
    person = make_person(accessibility_needs=frozenset({"wheelchair", "quiet_space"}))
    assert not ok(person, make_candidate(accessibility=frozenset({"wheelchair"})))
    assert ok(person, make_candidate(accessibility=frozenset({"wheelchair", "quiet_space"})))
    assert ok(make_person(), make_candidate(accessibility=frozenset()))
    assert ok(make_person(), make_candidate(accessibility=frozenset({"childcare"})))


def test_needs_at_least_one_shared_slot() -> None:
    person = make_person(availability=frozenset({"tue-morning"}))
    assert not ok(person, make_candidate(slots=frozenset({"tue-afternoon"})))
    assert not ok(make_person(availability=frozenset()), make_candidate())
    assert ok(person, make_candidate(slots=frozenset({"tue-afternoon", "tue-morning"})))


def test_excluded_ids() -> None:
    candidate = make_candidate()
    assert not ok(make_person(), candidate, excluded_ids=frozenset({candidate.id}))
    assert ok(make_person(), candidate, excluded_ids=frozenset({"other"}))
    result = rank(
        make_person(),
        [candidate],
        now=NOW,
        categories=CATEGORIES,
        labels=LABELS,
        excluded_ids=frozenset({candidate.id}),
    )
    assert result == []


def test_interests_ladder_and_freshness_are_not_filters() -> None:
    candidate = make_candidate(interests=frozenset({"muziek"}), ladder_step=6, published_at=None)
    assert ok(make_person(ladder_step=1), candidate)


# --- validation: bad input is refused at construction, not ranked oddly ---


@pytest.mark.parametrize(
    "overrides",
    [
        {"dutch_level": "B3"},
        {"ladder_step": 0},
        {"ladder_step": 7},
        {"ladder_step": True},
        {"max_distance_km": -1.0},
        {"max_distance_km": float("nan")},
        {"availability": frozenset({"monday-morning"})},
        {
            "language": "Dutch"
        },  # not a language tag (an unknown tag such as "de" falls back to Dutch)
    ],
)
def test_person_rejects_invalid_values(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        make_person(**overrides)


@pytest.mark.parametrize(
    "overrides",
    [
        {"kind": "job"},
        {"min_dutch_level": "X"},
        {"teaches_level": "B1"},  # only a language course teaches a level
        {"slots": frozenset({"mon-night"})},
        {"ladder_step": 9},
        {"distance_km": -0.1},
        {"distance_km": float("inf")},
        {"published_at": datetime(2024, 5, 1, 10, 0)},  # naive
    ],
)
def test_candidate_rejects_invalid_values(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        make_candidate(**overrides)


def test_sets_given_as_lists_are_frozen_but_strings_are_refused() -> None:
    person = make_person(interests=["koken", "koken"], availability=["tue-morning"])
    assert person.interests == frozenset({"koken"})
    assert isinstance(person.availability, frozenset)
    with pytest.raises(TypeError):
        make_person(interests="koken")
    with pytest.raises(TypeError):
        make_candidate(slots="tue-morning")


@pytest.mark.parametrize(
    "name", ["interest", "distance", "time", "ladder", "language", "freshness"]
)
def test_weights_must_be_non_negative(name: str) -> None:
    with pytest.raises(ValueError):
        Weights(**{name: -0.1})


def test_person_and_candidate_hold_no_sensitive_fields() -> None:
    # Nothing about health, nationality, origin or neighbourhood may enter the engine.
    assert {f.name for f in fields(Person)} == {
        "interests",
        "availability",
        "dutch_level",
        "ladder_step",
        "max_distance_km",
        "accessibility_needs",
        "language",
    }
    candidate_fields = {f.name for f in fields(Candidate)}
    for forbidden in ("health", "nationality", "origin", "neighbourhood", "postcode"):
        assert not any(forbidden in name for name in candidate_fields)


def test_public_api() -> None:
    assert set(matching.__all__) == {
        "SLOTS",
        "CEFR_LEVELS",
        "KINDS",
        "Person",
        "Candidate",
        "Weights",
        "Reason",
        "Ranked",
        "passes_filters",
        "score",
        "rank",
        "reasons_for",
    }
    assert len(matching.SLOTS) == 21
    assert matching.SLOTS[:3] == ("mon-morning", "mon-afternoon", "mon-evening")
    assert matching.SLOTS[-1] == "sun-evening"
    assert matching.CEFR_LEVELS == ("A0", "A1", "A2", "B1", "B2", "C1", "C2")
    assert matching.KINDS == ("volunteer", "language_course", "informal_care")


def test_value_types_are_frozen() -> None:
    candidate = make_candidate()
    with pytest.raises(AttributeError):
        candidate.distance_km = 0.0  # type: ignore[misc]  # frozen: the point of this test
    assert replace(candidate, distance_km=0.5).distance_km == 0.5
