"""Shared builders and Hypothesis strategies for the matching tests (no tests live here)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from matching import CEFR_LEVELS, KINDS, SLOTS, Candidate, Person, Weights

NOW = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
TODAY = date(2024, 5, 1)

CATEGORIES: dict[str, str] = {
    "koken": "eten",
    "bakken": "eten",
    "tuinieren": "natuur",
    "dieren": "natuur",
    "computers": "techniek",
    "muziek": "cultuur",
}
LABELS: dict[str, dict[str, str]] = {
    "koken": {"nl": "koken", "en": "cooking"},
    "bakken": {"nl": "bakken", "en": "baking"},
    "tuinieren": {"nl": "tuinieren", "en": "gardening"},
    "dieren": {"nl": "dieren", "en": "animals"},
    "computers": {"nl": "computers", "en": "computers"},
    "muziek": {"nl": "muziek", "en": "music"},
}
INTEREST_KEYS: tuple[str, ...] = (*CATEGORIES, "zonder_categorie")
ACCESSIBILITY: tuple[str, ...] = ("wheelchair", "quiet_space", "childcare")
ORGANIZERS: tuple[str, ...] = ("team-a", "team-b", "team-c", "team-d")


def make_person(**overrides: Any) -> Person:
    """A person every default candidate fits; override one field to test one rule."""
    fields: dict[str, Any] = {
        "interests": frozenset({"koken"}),
        "availability": frozenset({"tue-morning", "wed-afternoon"}),
        "dutch_level": "A2",
        "ladder_step": 3,
        "max_distance_km": 10.0,
        "accessibility_needs": frozenset(),
        "language": "nl",
    }
    fields.update(overrides)
    return Person(**fields)


def make_candidate(**overrides: Any) -> Candidate:
    """A candidate that passes every hard filter for make_person() on TODAY."""
    fields: dict[str, Any] = {
        "id": "00000000-0000-0000-0000-000000000001",
        "kind": "volunteer",
        "organizer_id": "team-a",
        "title": "Samen koken in de buurt",
        "interests": frozenset({"koken"}),
        "slots": frozenset({"tue-morning"}),
        "min_dutch_level": "A1",
        "teaches_level": None,
        "accessibility": frozenset(),
        "ladder_step": 3,
        "distance_km": 1.2,
        "free_places": 2,
        "status": "published",
        "start_date": None,
        "end_date": None,
        "published_at": NOW - timedelta(days=30),
    }
    fields.update(overrides)
    return Candidate(**fields)


def course(teaches: str | None, **overrides: Any) -> Candidate:
    """A language course teaching `teaches`, otherwise a passing default candidate."""
    return make_candidate(
        kind="language_course", min_dutch_level="A0", teaches_level=teaches, **overrides
    )


# A small slot pool keeps overlaps likely so generated cases exercise the scoring paths.
_SLOT_POOL = SLOTS[:6]
_levels = st.sampled_from(CEFR_LEVELS)
_steps = st.integers(min_value=1, max_value=6)
_km = st.floats(min_value=0.0, max_value=30.0, allow_nan=False, allow_infinity=False)


def subsets(pool: tuple[str, ...]) -> st.SearchStrategy[frozenset[str]]:
    """Any subset of `pool` from one bitmask draw: far cheaper than drawing element by element."""
    return st.integers(0, 2 ** len(pool) - 1).map(
        lambda mask: frozenset(item for bit, item in enumerate(pool) if mask >> bit & 1)
    )


def interest_sets() -> st.SearchStrategy[frozenset[str]]:
    """Interest sets from a small vocabulary with categories, including unknown keys."""
    return subsets(INTEREST_KEYS)


def persons() -> st.SearchStrategy[Person]:
    """Any valid person, in either language."""
    return st.builds(
        Person,
        interests=interest_sets(),
        availability=subsets(_SLOT_POOL),
        dutch_level=_levels,
        ladder_step=_steps,
        max_distance_km=_km,
        accessibility_needs=subsets(ACCESSIBILITY[:2]),
        language=st.sampled_from(("nl", "en")),
    )


@st.composite
def candidates(draw: st.DrawFn, candidate_id: str = "c-000") -> Candidate:
    """Any valid candidate, roughly half of which pass the filters for a generated person."""
    kind = draw(st.sampled_from(KINDS))
    teaches = draw(st.none() | _levels) if kind == "language_course" else None
    day = timedelta(days=1)
    return Candidate(
        id=candidate_id,
        kind=kind,
        organizer_id=draw(st.sampled_from(ORGANIZERS)),
        title="t",
        interests=draw(interest_sets()),
        slots=draw(subsets(_SLOT_POOL)),
        min_dutch_level=draw(_levels),
        teaches_level=teaches,
        accessibility=draw(subsets(ACCESSIBILITY)),
        ladder_step=draw(_steps),
        distance_km=draw(_km),
        free_places=draw(st.integers(min_value=0, max_value=3)),
        status=draw(st.sampled_from(("published", "published", "published", "draft", "paused"))),
        start_date=draw(st.none() | st.integers(-3, 3).map(lambda n: TODAY + n * day)),
        end_date=draw(st.none() | st.integers(-3, 3).map(lambda n: TODAY + n * day)),
        published_at=draw(
            st.none() | st.floats(-5.0, 150.0).map(lambda days: NOW - timedelta(days=days))
        ),
    )


def candidate_lists(max_size: int = 30) -> st.SearchStrategy[list[Candidate]]:
    """Lists of candidates with unique ids."""
    return st.lists(candidates(), max_size=max_size).map(
        lambda items: [replace(c, id=f"c-{i:03d}") for i, c in enumerate(items)]
    )


@st.composite
def fitting_candidate(draw: st.DrawFn, person: Person) -> Candidate:
    """A random candidate nudged to pass the filters for `person`, sometimes all but one."""
    cand = draw(candidates())
    skipped = draw(st.integers(0, 14))  # 0..8 leaves that one filter to chance, else fix all
    rules = iter(range(9))

    def nudge() -> bool:
        return next(rules) != skipped

    changes: dict[str, Any] = {}
    if nudge():
        changes["status"] = "published"
    if nudge():
        changes["free_places"] = max(1, cand.free_places)
    if nudge() and cand.start_date is not None and cand.start_date > TODAY:
        changes["start_date"] = TODAY
    if nudge() and cand.end_date is not None and cand.end_date < TODAY:
        changes["end_date"] = None
    if nudge():
        changes["distance_km"] = person.max_distance_km * draw(st.floats(0.0, 1.0))
    level = CEFR_LEVELS.index(person.dutch_level)
    if nudge():
        changes["min_dutch_level"] = CEFR_LEVELS[draw(st.integers(0, level))]
    if nudge() and cand.teaches_level is not None:
        offset = draw(st.sampled_from((0, 1, 0, 1, -1, 2)))  # mostly fitting, some at the edges
        taught = max(0, min(level + offset, len(CEFR_LEVELS) - 1))
        changes["teaches_level"] = CEFR_LEVELS[taught]
    if nudge():
        changes["accessibility"] = cand.accessibility | person.accessibility_needs
    if nudge() and person.availability:
        changes["slots"] = cand.slots | {draw(st.sampled_from(sorted(person.availability)))}
    return replace(cand, **changes)


@st.composite
def scenarios(draw: st.DrawFn, max_size: int = 20) -> tuple[Person, list[Candidate]]:
    """A person plus candidates of which most, but not all, pass the hard filters."""
    person = draw(persons())
    if not person.availability and draw(st.integers(0, 9)) != 0:
        person = replace(person, availability=frozenset({"mon-morning", "mon-evening"}))
    count = draw(st.integers(0, max_size))
    items = draw(st.lists(fitting_candidate(person), min_size=count, max_size=count))
    return person, [replace(c, id=f"c-{i:03d}") for i, c in enumerate(items)]


def weights() -> st.SearchStrategy[Weights]:
    """Any valid policy, including all-zero and lopsided ones."""
    w = st.floats(min_value=0.0, max_value=10.0, allow_nan=False, allow_infinity=False)
    return st.builds(Weights, interest=w, distance=w, time=w, ladder=w, language=w, freshness=w)
