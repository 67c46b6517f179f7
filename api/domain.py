"""Shared vocabulary: slots, CEFR levels, kinds, ladder steps, accessibility, NL bounding box."""

from __future__ import annotations

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARTS = ("morning", "afternoon", "evening")
SLOTS = tuple(f"{d}-{p}" for d in DAYS for p in PARTS)
CEFR_LEVELS = ("A0", "A1", "A2", "B1", "B2", "C1", "C2")
KINDS = ("volunteer", "language_course", "informal_care")
OPPORTUNITY_STATUSES = ("draft", "published", "paused", "closed")
LADDER_STEPS = (1, 2, 3, 4, 5, 6)
ACCESSIBILITY = ("wheelchair", "step_free", "accessible_toilet", "quiet_space", "childcare")
TRAVEL_MODES = ("walk", "bike", "transit")
# The farthest a person can sensibly go by each mode, and what we assume when they don't say.
MAX_DISTANCE_KM = {"walk": 5.0, "bike": 15.0, "transit": 30.0}
DEFAULT_DISTANCE_KM = {"walk": 2.0, "bike": 5.0, "transit": 10.0}
LANGUAGES = ("nl", "en")
# (min_lat, min_lon, max_lat, max_lon) of the Netherlands, generously.
NL_BBOX = (50.7, 3.3, 53.6, 7.3)


def in_netherlands(lat: float, lon: float) -> bool:
    """True when a point lies in the Netherlands' bounding box."""
    return NL_BBOX[0] <= lat <= NL_BBOX[2] and NL_BBOX[1] <= lon <= NL_BBOX[3]


def cefr_index(level: str) -> int:
    """Position of a CEFR level, A0 = 0."""
    return CEFR_LEVELS.index(level)
