"""rank(): ordering, tie-breaks, limits, rounding and the light diversity pass."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pytest

from matching import Candidate, Person, Ranked, Weights, rank
from matching.ranking import DIVERSITY_WINDOW

from .test_matching_helpers import CATEGORIES, LABELS, NOW, course, make_candidate, make_person


def run(person: Person, items: Iterable[Candidate], **kwargs: Any) -> list[Ranked]:
    """rank() with the shared taxonomy."""
    return rank(person, items, now=NOW, categories=CATEGORIES, labels=LABELS, **kwargs)


def ids(result: list[Ranked]) -> list[str]:
    """Candidate ids in ranked order."""
    return [r.candidate_id for r in result]


def test_better_fit_comes_first() -> None:
    near = make_candidate(id="near", distance_km=0.5)
    far = make_candidate(id="far", distance_km=8.0)
    off_topic = make_candidate(id="off", distance_km=0.5, interests=frozenset({"muziek"}))
    assert ids(run(make_person(), [far, off_topic, near])) == ["near", "far", "off"]


def test_ties_break_on_distance_then_id() -> None:
    # Only distance differs, but with all weight elsewhere the scores tie.
    no_distance = Weights(distance=0.0)
    a = make_candidate(id="b", distance_km=2.0)
    b = make_candidate(id="a", distance_km=3.0)
    c = make_candidate(id="c", distance_km=2.0)
    result = run(make_person(), [b, c, a], weights=no_distance, diversify=False)
    assert len({r.score for r in result}) == 1
    assert ids(result) == ["b", "c", "a"]


def test_ranked_fields_are_rounded() -> None:
    [result] = run(make_person(), [make_candidate(distance_km=1.26)])
    assert result.distance_km == 1.3
    assert result.score == round(result.score, 4)
    assert 0.0 <= result.score <= 1.0
    assert result.reasons[0].code == "interest"


def test_limit() -> None:
    items = [make_candidate(id=f"c{i}", distance_km=float(i)) for i in range(6)]
    assert ids(run(make_person(), items, limit=3)) == ["c0", "c1", "c2"]
    assert run(make_person(), items, limit=0) == []
    assert len(run(make_person(), items, limit=100)) == 6
    with pytest.raises(ValueError):
        run(make_person(), items, limit=-1)


def test_accepts_any_iterable_once() -> None:
    items = (make_candidate(id=f"c{i}", distance_km=float(i)) for i in range(3))
    assert ids(run(make_person(), items)) == ["c0", "c1", "c2"]


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        rank(make_person(), [], now=datetime(2024, 5, 1), categories={}, labels={})


def test_reasons_are_in_the_person_language() -> None:
    [result] = run(make_person(language="en"), [make_candidate(published_at=NOW)])
    texts = {r.code: r.text for r in result.reasons}
    assert texts["interest"] == "cooking"
    assert texts["time_slot"] == "fits your Tuesday morning"


# --- diversity ---


def test_no_three_of_the_same_kind_in_a_row_when_an_alternative_exists() -> None:
    volunteers = [
        make_candidate(id=f"v{i}", organizer_id=f"org{i}", distance_km=0.1 * i) for i in range(4)
    ]
    lesson = course("A2", id="lesson", organizer_id="school", distance_km=9.0)
    assert ids(run(make_person(), [*volunteers, lesson], diversify=False))[-1] == "lesson"
    result = ids(run(make_person(), [*volunteers, lesson]))
    assert result == ["v0", "v1", "lesson", "v2", "v3"]


def test_same_kind_stays_together_without_alternatives() -> None:
    volunteers = [
        make_candidate(id=f"v{i}", organizer_id=f"org{i}", distance_km=0.1 * i) for i in range(5)
    ]
    assert ids(run(make_person(), volunteers)) == [f"v{i}" for i in range(5)]


def test_at_most_two_per_organizer_in_the_top_ten_when_alternatives_exist() -> None:
    kinds = ["volunteer", "informal_care"]
    big = [
        make_candidate(id=f"big{i}", organizer_id="big", kind=kinds[i % 2], distance_km=0.1 * i)
        for i in range(6)
    ]
    small = [
        make_candidate(
            id=f"small{i}", organizer_id=f"small{i}", kind=kinds[i % 2], distance_km=5 + 0.1 * i
        )
        for i in range(10)
    ]
    plain = run(make_person(), big + small, diversify=False)
    assert [r.candidate_id for r in plain[:6]] == [f"big{i}" for i in range(6)]
    result = ids(run(make_person(), big + small))
    assert sum(cid.startswith("big") for cid in result[:10]) == 2
    assert result[:2] == ["big0", "big1"]
    assert sorted(result) == sorted(ids(plain))


def test_organizer_cap_yields_when_there_is_no_alternative() -> None:
    items = [make_candidate(id=f"c{i}", distance_km=0.1 * i) for i in range(4)]
    assert ids(run(make_person(), items)) == ["c0", "c1", "c2", "c3"]


def test_diversity_only_touches_the_head_of_a_long_list() -> None:
    items = [
        make_candidate(id=f"c{i:03d}", organizer_id="same", distance_km=0.01 * i)
        for i in range(DIVERSITY_WINDOW + 10)
    ]
    items.append(course("A2", id="lesson", organizer_id="other", distance_km=9.99))
    plain = ids(run(make_person(), items, diversify=False))
    mixed = ids(run(make_person(), items))
    assert sorted(mixed) == sorted(plain)
    # the lesson is beyond the window of the plain order, so it is not pulled forward
    assert plain.index("lesson") >= DIVERSITY_WINDOW
    assert mixed.index("lesson") == plain.index("lesson")


def test_a_limited_ranking_is_the_head_of_the_full_one() -> None:
    volunteers = [
        make_candidate(id=f"v{i}", organizer_id=f"org{i}", distance_km=0.1 * i) for i in range(4)
    ]
    lesson = course("A2", id="lesson", organizer_id="school", distance_km=9.0)
    # a limited ranking is the head of the full one, so pages and batch top-k agree with the feed
    full = ids(run(make_person(), [*volunteers, lesson]))
    assert ids(run(make_person(), [*volunteers, lesson], limit=3)) == full[:3]
    assert sorted(full) == ["lesson", "v0", "v1", "v2", "v3"]


def test_at_distance_copies_and_checks_only_the_distance() -> None:
    import pytest

    base = make_candidate(id="c1", distance_km=0.0)
    moved = base.at_distance(2.5)
    assert moved.distance_km == 2.5 and base.distance_km == 0.0
    assert moved.interests == base.interests and moved.id == "c1"
    with pytest.raises(ValueError):
        base.at_distance(-1.0)
