"""Value types and vocabularies of the matching engine, validated once at construction."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from zoneinfo import ZoneInfo

# The engine owns the vocabulary; the API validates input against these same values.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")  # every local day (start/end dates) is a Dutch one

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARTS: tuple[str, ...] = ("morning", "afternoon", "evening")
SLOTS: tuple[str, ...] = tuple(f"{day}-{part}" for day in DAYS for part in PARTS)
SLOT_INDEX: dict[str, int] = {slot: i for i, slot in enumerate(SLOTS)}

CEFR_LEVELS: tuple[str, ...] = ("A0", "A1", "A2", "B1", "B2", "C1", "C2")
LEVEL_INDEX: dict[str, int] = {level: i for i, level in enumerate(CEFR_LEVELS)}

KINDS: tuple[str, ...] = ("volunteer", "language_course", "informal_care")
LANGUAGE_COURSE = "language_course"
LANGUAGES: tuple[str, ...] = ("nl", "en")  # complete in every catalogue
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")  # "nl", "ti", "pt_BR"
LADDER_MIN = 1
LADDER_MAX = 6
ACCESSIBILITY: tuple[str, ...] = (
    "wheelchair",
    "step_free",
    "accessible_toilet",
    "quiet_space",
    "childcare",
)
TRAVEL_MODES: tuple[str, ...] = ("walk", "bike", "transit")
# The farthest a person can sensibly go by each mode, and what we assume when they don't say.
MAX_DISTANCE_KM: dict[str, float] = {"walk": 5.0, "bike": 15.0, "transit": 30.0}
DEFAULT_DISTANCE_KM: dict[str, float] = {"walk": 2.0, "bike": 5.0, "transit": 10.0}


def _frozen_strings(owner: object, name: str) -> frozenset[str]:
    """Coerce a field to frozenset[str] so callers may pass lists but never a bare string."""
    value = getattr(owner, name)
    if isinstance(value, str):
        raise TypeError(f"{name} must be a collection of strings, not a single string")
    if not isinstance(value, frozenset):
        if not isinstance(value, Iterable):
            raise TypeError(f"{name} must be a collection of strings")
        value = frozenset(value)
        object.__setattr__(owner, name, value)
    if not all(isinstance(item, str) for item in value):
        raise TypeError(f"{name} must contain strings only")
    return value


def _check_level(name: str, level: object) -> None:
    """Reject unknown CEFR levels early instead of failing deep inside ranking."""
    if level not in LEVEL_INDEX:
        raise ValueError(f"{name} must be one of {CEFR_LEVELS}, got {level!r}")


def _check_step(name: str, step: object) -> None:
    """Keep ladder steps on the 6-step participatieladder."""
    if isinstance(step, bool) or not isinstance(step, int) or not LADDER_MIN <= step <= LADDER_MAX:
        raise ValueError(f"{name} must be an int {LADDER_MIN}..{LADDER_MAX}, got {step!r}")


def check_distance(name: str, km: object) -> None:
    """Distances must be finite and non-negative so the distance curve stays in [0, 1]."""
    if isinstance(km, bool) or not isinstance(km, int | float) or not math.isfinite(km) or km < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {km!r}")


def _check_slots(name: str, slots: frozenset[str]) -> None:
    """Unknown slot names would silently never match, so refuse them."""
    unknown = slots.difference(SLOT_INDEX)
    if unknown:
        raise ValueError(f"{name} has unknown slots: {sorted(unknown)}")


@dataclass(frozen=True, slots=True)
class Person:
    """What a recipient told us about themselves; deliberately nothing about health or origin."""

    interests: frozenset[str]
    availability: frozenset[str]
    dutch_level: str
    ladder_step: int
    max_distance_km: float
    accessibility_needs: frozenset[str] = frozenset()
    language: str = "nl"

    def __post_init__(self) -> None:
        """Validate once so the hot ranking loop can trust every field."""
        _frozen_strings(self, "interests")
        _check_slots("availability", _frozen_strings(self, "availability"))
        _frozen_strings(self, "accessibility_needs")
        _check_level("dutch_level", self.dutch_level)
        _check_step("ladder_step", self.ladder_step)
        check_distance("max_distance_km", self.max_distance_km)
        if not LANGUAGE_TAG.match(self.language):  # texts fall back to Dutch where we lack it
            raise ValueError(f"language must be a language tag such as 'nl', got {self.language!r}")


@dataclass(frozen=True, slots=True)
class Candidate:
    """An opportunity as seen from one person (distance already computed by the caller)."""

    id: str
    kind: str
    organizer_id: str
    title: str
    interests: frozenset[str]
    slots: frozenset[str]
    min_dutch_level: str
    teaches_level: str | None
    accessibility: frozenset[str]
    ladder_step: int
    distance_km: float
    free_places: int
    status: str
    start_date: date | None
    end_date: date | None
    published_at: datetime | None

    def __post_init__(self) -> None:
        """Validate once so bad rows fail loudly at load time, not as odd rankings."""
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        _frozen_strings(self, "interests")
        _check_slots("slots", _frozen_strings(self, "slots"))
        _frozen_strings(self, "accessibility")
        _check_level("min_dutch_level", self.min_dutch_level)
        if self.teaches_level is not None:
            if self.kind != LANGUAGE_COURSE:
                raise ValueError("teaches_level is only allowed for kind 'language_course'")
            _check_level("teaches_level", self.teaches_level)
        _check_step("ladder_step", self.ladder_step)
        check_distance("distance_km", self.distance_km)
        if self.published_at is not None and self.published_at.utcoffset() is None:
            raise ValueError("published_at must be timezone-aware")

    def at_distance(self, distance_km: float) -> Candidate:
        """The same, already validated opportunity seen from another home (batch matching)."""
        check_distance("distance_km", distance_km)
        # A field-by-field copy: copy() of a slotted dataclass goes through __reduce_ex__,
        # several times slower, and the feed does this for every opportunity it explains.
        other = object.__new__(Candidate)
        for name in _CANDIDATE_FIELDS:
            object.__setattr__(other, name, getattr(self, name))
        object.__setattr__(other, "distance_km", distance_km)
        return other


_CANDIDATE_FIELDS = tuple(f.name for f in fields(Candidate))


@dataclass(frozen=True, slots=True)
class Weights:
    """Municipality policy for how much each component counts; defaults sum to 1."""

    interest: float = 0.35
    distance: float = 0.25
    time: float = 0.15
    ladder: float = 0.10
    language: float = 0.05
    freshness: float = 0.10

    def __post_init__(self) -> None:
        """Negative or non-finite weights would break the [0, 1] guarantee."""
        for name in ("interest", "distance", "time", "ladder", "language", "freshness"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value < 0
            ):
                raise ValueError(f"weight {name} must be a finite number >= 0, got {value!r}")


@dataclass(frozen=True, slots=True)
class Reason:
    """One human-readable argument for a suggestion, kept with the match."""

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class Ranked:
    """One ranked suggestion as handed to the API layer."""

    candidate_id: str
    score: float
    distance_km: float
    reasons: tuple[Reason, ...]
