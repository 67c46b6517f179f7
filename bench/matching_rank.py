"""Benchmark rank() on 5,000 random candidates so regressions in the hot loop are visible."""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching import CEFR_LEVELS, KINDS, SLOTS, Candidate, Person, rank  # noqa: E402

SEED = 20240501
CANDIDATES = 5_000
RUNS = 50
CATEGORIES: dict[str, str] = {
    "koken": "eten",
    "bakken": "eten",
    "tuinieren": "natuur",
    "dieren": "natuur",
    "wandelen": "natuur",
    "voorlezen": "taal",
    "schrijven": "taal",
    "computers": "techniek",
    "fietsen_repareren": "techniek",
    "muziek": "cultuur",
    "schilderen": "cultuur",
    "ouderen_bezoeken": "zorg",
    "boodschappen": "zorg",
    "sport": "beweging",
}
INTERESTS = tuple(CATEGORIES)
LABELS = {key: {"nl": key.replace("_", " "), "en": key} for key in INTERESTS}
ACCESSIBILITY = ("wheelchair", "quiet_space", "childcare")
NOW = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def build_candidates(rng: random.Random) -> list[Candidate]:
    """Make a realistic-ish mix: most published, spread over 25 km and 120 organisers."""
    result = []
    for i in range(CANDIDATES):
        kind = rng.choice(KINDS)
        min_level = rng.randint(0, 3)
        teaches = None
        if kind == "language_course":
            teaches = CEFR_LEVELS[min(min_level + rng.randint(0, 2), len(CEFR_LEVELS) - 1)]
        published = NOW - timedelta(days=rng.uniform(0, 120)) if rng.random() < 0.9 else None
        result.append(
            Candidate(
                id=f"{rng.getrandbits(128):032x}",
                kind=kind,
                organizer_id=f"team-{rng.randrange(120)}",
                title=f"Opportunity {i}",
                interests=frozenset(rng.sample(INTERESTS, rng.randint(0, 4))),
                slots=frozenset(rng.sample(SLOTS, rng.randint(1, 6))),
                min_dutch_level=CEFR_LEVELS[min_level],
                teaches_level=teaches,
                accessibility=frozenset(rng.sample(ACCESSIBILITY, rng.randint(0, 3))),
                ladder_step=rng.randint(1, 6),
                distance_km=round(rng.uniform(0, 25), 2),
                free_places=rng.randint(0, 8),
                status="published" if rng.random() < 0.9 else "paused",
                start_date=date(2024, 4, 1) if rng.random() < 0.5 else None,
                end_date=date(2024, 12, 31) if rng.random() < 0.5 else None,
                published_at=published,
            )
        )
    return result


def measure(person: Person, candidates: list[Candidate], limit: int | None) -> list[float]:
    """Time RUNS calls of rank() and return the durations in milliseconds."""
    durations = []
    for _ in range(RUNS):
        start = time.perf_counter()
        rank(person, candidates, now=NOW, categories=CATEGORIES, labels=LABELS, limit=limit)
        durations.append((time.perf_counter() - start) * 1000.0)
    return durations


def main() -> None:
    """Print p50/p95 for a full ranking and for a typical feed page."""
    rng = random.Random(SEED)
    candidates = build_candidates(rng)
    person = Person(
        interests=frozenset({"koken", "tuinieren", "computers"}),
        availability=frozenset(rng.sample(SLOTS, 9)),
        dutch_level="A2",
        ladder_step=3,
        max_distance_km=15.0,
        accessibility_needs=frozenset(),
        language="nl",
    )
    matched = len(rank(person, candidates, now=NOW, categories=CATEGORIES, labels=LABELS))
    print(f"rank() over {CANDIDATES} candidates, {matched} pass the filters, {RUNS} runs")
    for limit in (None, 20):
        durations = sorted(measure(person, candidates, limit))
        p50 = statistics.median(durations)
        p95 = durations[min(len(durations) - 1, round(0.95 * (len(durations) - 1)))]
        print(f"  limit={limit!s:>4}: p50 {p50:6.2f} ms  p95 {p95:6.2f} ms")


if __name__ == "__main__":
    main()
