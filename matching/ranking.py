"""Ranking: filter, score, order deterministically, lightly diversify, explain."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Final

from matching.filters import passes
from matching.model import AMSTERDAM, Candidate, Person, Ranked, Weights
from matching.prepared import prepare, require_aware
from matching.reasons import ReasonTexts, reasons_prepared
from matching.scoring import normalise, score_prepared

DIVERSITY_WINDOW = 50  # only the head of the feed is reordered; people rarely scroll further
MAX_SAME_KIND_IN_A_ROW = 2
MAX_PER_ORGANIZER_IN_TOP = 2
ORGANIZER_TOP = 10
_DEFAULT_WEIGHTS = Weights()

# (-score, distance_km, candidate id, input position, candidate): a plain tuple sorts fast and
# gives the tie-break score desc, distance asc, id asc; the position only separates duplicate
# ids, so candidates themselves are never compared.
Entry = tuple[float, float, str, int, Candidate]
_CANDIDATE: Final = 4


def _penalty(chosen: list[Entry], organizer_counts: dict[str, int], candidate: Candidate) -> int:
    """0 when placing this candidate next breaks no rule; the organizer cap outranks a kind run."""
    penalty = 0
    if (
        len(chosen) < ORGANIZER_TOP
        and organizer_counts.get(candidate.organizer_id, 0) >= MAX_PER_ORGANIZER_IN_TOP
    ):
        penalty += 2
    if len(chosen) >= MAX_SAME_KIND_IN_A_ROW:
        kind = candidate.kind
        if all(prev[_CANDIDATE].kind == kind for prev in chosen[-MAX_SAME_KIND_IN_A_ROW:]):
            penalty += 1
    return penalty


def diversify_entries(entries: Sequence[Entry], window: int = DIVERSITY_WINDOW) -> list[Entry]:
    """Vary the head of the feed by greedily taking the best entry that breaks the fewest rules."""
    head = list(entries[:window])
    chosen: list[Entry] = []
    organizer_counts: dict[str, int] = {}
    while head:
        best_index = 0
        best_penalty = 4
        for index, entry in enumerate(head):
            penalty = _penalty(chosen, organizer_counts, entry[_CANDIDATE])
            if penalty < best_penalty:
                best_index, best_penalty = index, penalty
                if penalty == 0:
                    break
        entry = head.pop(best_index)
        if len(chosen) < ORGANIZER_TOP:
            organizer = entry[_CANDIDATE].organizer_id
            organizer_counts[organizer] = organizer_counts.get(organizer, 0) + 1
        chosen.append(entry)
    chosen.extend(entries[window:])
    return chosen


def rank(
    person: Person,
    candidates: Iterable[Candidate],
    *,
    now: datetime,
    weights: Weights = _DEFAULT_WEIGHTS,
    categories: Mapping[str, str],
    labels: Mapping[str, Mapping[str, str]],
    excluded_ids: frozenset[str] = frozenset(),
    limit: int | None = None,
    diversify: bool = True,
) -> list[Ranked]:
    """Suggest opportunities for one person, best first, each with its reasons."""
    require_aware(now)
    if limit is not None and limit < 0:
        raise ValueError("limit must be >= 0")
    today = now.astimezone(AMSTERDAM).date()
    prepared = prepare(person, categories)
    normalised = normalise(weights)

    entries: list[Entry] = []
    append = entries.append
    for seq, candidate in enumerate(candidates):
        if passes(prepared, candidate, today, excluded_ids):
            value = round(score_prepared(prepared, candidate, now, normalised), 4)
            append((-value, candidate.distance_km, candidate.id, seq, candidate))
    entries.sort()
    if limit is not None:
        # Diversify the same head as an unlimited ranking would, so a top-k is a prefix of it.
        del entries[max(limit, DIVERSITY_WINDOW) if diversify else limit :]
    ordered = diversify_entries(entries) if diversify else entries
    if limit is not None:
        ordered = ordered[:limit]

    texts = ReasonTexts(person.language, labels)
    return [
        Ranked(
            candidate_id=candidate_id,
            score=0.0 - neg_score,  # 0.0 - x never yields -0.0
            distance_km=round(distance_km, 1),
            reasons=reasons_prepared(prepared, candidate, texts, now),
        )
        for neg_score, distance_km, candidate_id, _, candidate in ordered
    ]
