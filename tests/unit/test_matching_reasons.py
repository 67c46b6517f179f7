"""Reason codes and texts, in Dutch (B1) and English, most telling first."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from matching import Candidate, Person, Reason, reasons_for
from matching.prepared import prepare
from matching.reasons import ReasonTexts, reasons_prepared

from .test_matching_helpers import CATEGORIES, LABELS, NOW, course, make_candidate, make_person


def reasons(person: Person, candidate: Candidate, *, with_now: bool = True) -> tuple[Reason, ...]:
    """Reasons with the shared taxonomy."""
    return reasons_for(
        person,
        candidate,
        categories=CATEGORIES,
        labels=LABELS,
        now=NOW if with_now else None,
    )


def by_code(found: tuple[Reason, ...]) -> dict[str, str]:
    """Reasons as code -> text."""
    return {reason.code: reason.text for reason in found}


@pytest.mark.parametrize(
    ("language", "km", "expected"),
    [
        ("nl", 1.23, "1,2 km van huis"),
        ("en", 1.23, "1.2 km from home"),
        ("nl", 0.0, "0,0 km van huis"),
        ("nl", 9.96, "10,0 km van huis"),
        ("en", 7.0, "7.0 km from home"),
    ],
)
def test_distance_reason(language: str, km: float, expected: str) -> None:
    found = by_code(reasons(make_person(language=language), make_candidate(distance_km=km)))
    assert found["distance"] == expected


@pytest.mark.parametrize(
    ("slots", "nl", "en"),
    [
        ({"tue-morning"}, "past bij je dinsdagochtend", "fits your Tuesday morning"),
        ({"wed-afternoon"}, "past bij je woensdagmiddag", "fits your Wednesday afternoon"),
        ({"fri-evening"}, "past bij je vrijdagavond", "fits your Friday evening"),
        ({"sun-evening", "mon-morning"}, "past bij je maandagochtend", "fits your Monday morning"),
    ],
)
def test_time_slot_reason_uses_first_shared_slot_in_week_order(
    slots: set[str], nl: str, en: str
) -> None:
    availability = frozenset({"mon-morning", "wed-afternoon", "tue-morning"} | slots)
    candidate = make_candidate(slots=frozenset(slots))
    for language, expected in (("nl", nl), ("en", en)):
        person = make_person(availability=availability, language=language)
        assert by_code(reasons(person, candidate))["time_slot"] == expected


@pytest.mark.parametrize(
    ("mine", "theirs", "nl", "en"),
    [
        ({"koken"}, {"koken"}, "koken", "cooking"),
        ({"koken", "tuinieren"}, {"koken", "tuinieren"}, "koken en tuinieren", "cooking and gardening"),
        ({"koken", "tuinieren", "muziek"}, {"koken", "tuinieren", "muziek"}, "koken en muziek", "cooking and gardening"),
        ({"koken"}, {"bakken"}, "lijkt op wat je leuk vindt", "close to what you like"),
        ({"koken", "dieren"}, {"koken", "tuinieren"}, "koken", "cooking"),
    ],
)  # fmt: skip
def test_interest_reason(mine: set[str], theirs: set[str], nl: str, en: str) -> None:
    candidate = make_candidate(interests=frozenset(theirs))
    for language, expected in (("nl", nl), ("en", en)):
        person = make_person(interests=frozenset(mine), language=language)
        assert by_code(reasons(person, candidate))["interest"] == expected


def test_no_interest_reason_without_overlap() -> None:
    person = make_person(interests=frozenset({"koken"}))
    found = by_code(reasons(person, make_candidate(interests=frozenset({"muziek"}))))
    assert "interest" not in found
    assert "interest" not in by_code(reasons(make_person(interests=frozenset()), make_candidate()))


def test_interest_label_falls_back_to_dutch_then_key() -> None:
    person = make_person(interests=frozenset({"koken", "onbekend"}), language="en")
    candidate = make_candidate(interests=frozenset({"koken", "onbekend"}))
    labels = {"koken": {"nl": "koken"}}
    found = reasons_for(person, candidate, categories={}, labels=labels, now=NOW)
    assert by_code(found)["interest"] == "koken and onbekend"


@pytest.mark.parametrize(("step", "expected"), [(3, False), (4, True), (5, False), (2, False)])
def test_ladder_growth_only_one_step_up(step: int, expected: bool) -> None:
    found = by_code(reasons(make_person(ladder_step=3), make_candidate(ladder_step=step)))
    assert ("ladder_growth" in found) is expected
    if expected:
        assert found["ladder_growth"] == "een stap verder richting werk"
        english = reasons(make_person(ladder_step=3, language="en"), make_candidate(ladder_step=4))
        assert by_code(english)["ladder_growth"] == "a step further towards work"


@pytest.mark.parametrize("teaches", ["A2", "B1"])
def test_language_level_reason(teaches: str) -> None:
    nl = by_code(reasons(make_person(dutch_level="A2"), course(teaches)))
    en = by_code(reasons(make_person(dutch_level="A2", language="en"), course(teaches)))
    assert nl["language_level"] == f"cursus op jouw niveau ({teaches})"
    assert en["language_level"] == f"course at your level ({teaches})"


def test_no_language_level_reason_for_other_kinds_or_untaught_courses() -> None:
    assert "language_level" not in by_code(reasons(make_person(), make_candidate()))
    assert "language_level" not in by_code(reasons(make_person(), course(None)))


@pytest.mark.parametrize(
    ("age_days", "expected"), [(0, True), (6.9, True), (7, True), (7.1, False)]
)
def test_new_reason_within_seven_days(age_days: float, expected: bool) -> None:
    candidate = make_candidate(published_at=NOW - timedelta(days=age_days))
    nl = by_code(reasons(make_person(), candidate))
    assert ("new" in nl) is expected
    if expected:
        assert nl["new"] == "nieuw"
        assert by_code(reasons(make_person(language="en"), candidate))["new"] == "new"


def test_new_reason_needs_now_and_a_date() -> None:
    fresh = make_candidate(published_at=NOW)
    assert "new" not in by_code(reasons(make_person(), fresh, with_now=False))
    assert "new" not in by_code(reasons(make_person(), make_candidate(published_at=None)))


def test_at_most_four_reasons_most_telling_first() -> None:
    person = make_person(dutch_level="A2", ladder_step=3)
    candidate = course("B1", ladder_step=4, published_at=NOW, distance_km=9.0)
    found = reasons(person, candidate)
    assert len(found) == 4
    assert len({r.code for r in found}) == 4
    # exact interest and the fitting course level say the most; a far distance says little
    assert [r.code for r in found[:2]] == ["interest", "language_level"]
    assert "distance" not in {r.code for r in found}


def test_close_distance_outranks_weaker_reasons() -> None:
    found = reasons(make_person(), make_candidate(distance_km=0.3, ladder_step=4))
    assert [r.code for r in found] == ["interest", "distance", "time_slot", "ladder_growth"]


def test_reasons_are_deterministic() -> None:
    person = make_person(interests=frozenset({"koken", "tuinieren", "bakken"}))
    candidate = make_candidate(interests=frozenset({"bakken", "tuinieren", "koken"}))
    assert reasons(person, candidate) == reasons(person, candidate)
    assert by_code(reasons(person, candidate))["interest"] == "bakken en koken"


def test_a_distance_given_apart_must_be_a_distance() -> None:
    person, candidate = make_person(), make_candidate()
    texts = ReasonTexts(person.language, LABELS)
    for bad in (-0.1, math.inf, math.nan):
        with pytest.raises(ValueError, match="distance_km"):
            reasons_prepared(prepare(person, CATEGORIES), candidate, texts, None, bad)
