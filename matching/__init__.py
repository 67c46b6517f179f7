"""Meedoen matching engine: pure functions that rank opportunities for one person."""

from matching.filters import passes_filters
from matching.model import (
    CEFR_LEVELS,
    KINDS,
    SLOTS,
    Candidate,
    Person,
    Ranked,
    Reason,
    Weights,
)
from matching.ranking import rank
from matching.reasons import reasons_for
from matching.scoring import score

__all__ = [
    "CEFR_LEVELS",
    "KINDS",
    "SLOTS",
    "Candidate",
    "Person",
    "Ranked",
    "Reason",
    "Weights",
    "passes_filters",
    "rank",
    "reasons_for",
    "score",
]
