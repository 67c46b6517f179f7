"""The feed's array freshness must be the engine's, bit for bit, or feed and rank() disagree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from api.feed.catalog import FeedTable
from matching import Candidate
from matching.scoring import FRESH_DAYS, STALE_DAYS, freshness_fit
from matching.vector import CandidateTable

NOW = datetime(2026, 11, 30, 9, 13, 7, 123457, tzinfo=UTC)
DAY_US = 86_400 * 10**6


def _candidate(i: int, published: datetime | None) -> Candidate:
    return Candidate(
        id=f"{i:08d}-0000-4000-8000-000000000000",
        kind="volunteer",
        organizer_id="team",
        title="Iets doen",
        interests=frozenset(),
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
        published_at=published,
    )


def _same(ages_us: list[int | None], now: datetime) -> None:
    when = [None if a is None else now - timedelta(microseconds=a) for a in ages_us]
    cands = [_candidate(i, w) for i, w in enumerate(when)]
    table = FeedTable.of(
        CandidateTable.build(cands, lat=[52.37] * len(cands), lon=[4.9] * len(cands))
    )
    fast = table.freshness(now)
    assert [float(x) for x in fast] == [freshness_fit(c, now) for c in table.candidates]


def test_boundaries_and_unknown_publication() -> None:
    edges: list[int | None] = [None, 0, -1, -DAY_US]
    for days in (FRESH_DAYS, STALE_DAYS):
        edges += [int(days * DAY_US) + d for d in (-2, -1, 0, 1, 2)]
    _same(edges, NOW)


@settings(max_examples=60, deadline=None)
@given(
    ages=st.lists(
        st.one_of(st.none(), st.integers(min_value=-5 * DAY_US, max_value=400 * DAY_US)),
        min_size=1,
        max_size=40,
    ),
    shift_us=st.integers(min_value=0, max_value=10**12),
)
def test_any_ages_at_any_moment(ages: list[int | None], shift_us: int) -> None:
    _same(ages, NOW + timedelta(microseconds=shift_us))
