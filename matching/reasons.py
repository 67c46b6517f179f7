"""Reasons: short, honest texts that explain a suggestion in the person's own language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from matching.messages import format_km, interest_label, join_labels, render, slot_label
from matching.model import (
    LANGUAGE_COURSE,
    LEVEL_INDEX,
    SLOT_INDEX,
    Candidate,
    Person,
    Reason,
    check_distance,
)
from matching.prepared import Prepared, prepare, require_aware
from matching.scoring import distance_fit_at, time_fit

MAX_REASONS = 4
MAX_INTEREST_LABELS = 2
NEW_SECONDS = 7 * 86_400.0

# How telling each reason is (higher first); distance and time scale with their actual fit.
_EXACT_INTEREST = 1.0
_CATEGORY_INTEREST = 0.55
_LANGUAGE_LEVEL = 0.95
_LADDER_GROWTH = 0.75
_NEW = 0.5
_DISTANCE_BASE, _DISTANCE_SPAN = 0.35, 0.6
_TIME_BASE, _TIME_SPAN = 0.35, 0.5
# Stable order when two reasons are equally telling (lower comes first).
_INTEREST, _LANGUAGE, _DISTANCE, _TIME, _LADDER, _FRESH = range(6)


class ReasonTexts:
    """Memoises rendered reasons for one person, since the same texts recur across candidates."""

    __slots__ = ("language", "labels", "_interest", "_distance", "_slot", "_level", "_fixed")

    def __init__(self, language: str, labels: Mapping[str, Mapping[str, str]]) -> None:
        """Start empty; texts are rendered on first use only."""
        self.language = language
        self.labels = labels
        self._interest: dict[frozenset[str], Reason] = {}
        self._distance: dict[float, Reason] = {}
        self._slot: dict[str, Reason] = {}
        self._level: dict[str, Reason] = {}
        self._fixed: dict[str, Reason] = {}

    def interest(self, shared: frozenset[str]) -> Reason:
        """Name up to two shared interests, alphabetically, in the person's language."""
        reason = self._interest.get(shared)
        if reason is None:
            language = self.language
            names = sorted(interest_label(language, key, self.labels) for key in shared)
            joined = join_labels(language, names[:MAX_INTEREST_LABELS])
            reason = Reason("interest", render(language, "interest", labels=joined))
            self._interest[shared] = reason
        return reason

    def distance(self, km: float) -> Reason:
        """Distance rounded to 0.1 km, as shown in the ranked result."""
        rounded = round(km, 1)
        reason = self._distance.get(rounded)
        if reason is None:
            text = render(self.language, "distance", km=format_km(self.language, rounded))
            reason = Reason("distance", text)
            self._distance[rounded] = reason
        return reason

    def slot(self, slot: str) -> Reason:
        """The first shared slot of the week, e.g. "past bij je dinsdagochtend"."""
        reason = self._slot.get(slot)
        if reason is None:
            text = render(self.language, "time_slot", slot=slot_label(self.language, slot))
            reason = Reason("time_slot", text)
            self._slot[slot] = reason
        return reason

    def level(self, level: str) -> Reason:
        """The level a fitting language course teaches."""
        reason = self._level.get(level)
        if reason is None:
            reason = Reason("language_level", render(self.language, "language_level", level=level))
            self._level[level] = reason
        return reason

    def fixed(self, code: str, key: str) -> Reason:
        """Texts without placeholders: category match, ladder growth, new."""
        reason = self._fixed.get(key)
        if reason is None:
            reason = Reason(code, render(self.language, key))
            self._fixed[key] = reason
        return reason

    def __len__(self) -> int:
        sizes = (len(self._interest), len(self._distance), len(self._slot), len(self._level))
        return sum(sizes) + len(self._fixed)


# Reasons do not depend on who reads them, only on the language and the taxonomy's labels: one
# memo per language serves every person in a process (a feed page then formats no numbers).
_SHARED: dict[str, tuple[Mapping[str, Mapping[str, str]], ReasonTexts]] = {}
_SHARED_LIMIT = 20_000  # texts per language before the memo starts afresh


def shared_texts(language: str, labels: Mapping[str, Mapping[str, str]]) -> ReasonTexts:
    """The process-wide memo for this language and these labels (a new taxonomy starts anew)."""
    hit = _SHARED.get(language)
    if hit is not None and hit[0] is labels and len(hit[1]) < _SHARED_LIMIT:
        return hit[1]
    texts = ReasonTexts(language, labels)
    _SHARED[language] = (labels, texts)
    return texts


def reasons_prepared(
    p: Prepared,
    c: Candidate,
    texts: ReasonTexts,
    now: datetime | None,
    distance_km: float | None = None,
) -> tuple[Reason, ...]:
    """Collect every applicable reason, then keep the most telling few.

    `distance_km`: the candidate seen from this person's home, as `c.at_distance` would give it
    (the feed explains twenty candidates a request; copying each cost a third of the reasons).
    """
    if distance_km is None:
        km = c.distance_km
    else:
        check_distance("distance_km", distance_km)
        km = distance_km
    found: list[tuple[float, int, Reason]] = []

    shared = p.interests & c.interests
    if shared:
        found.append((-_EXACT_INTEREST, _INTEREST, texts.interest(shared)))
    elif p.interest_categories:
        categories = p.categories
        wanted = p.interest_categories
        for key in c.interests:
            if categories.get(key) in wanted:
                reason = texts.fixed("interest", "interest_category")
                found.append((-_CATEGORY_INTEREST, _INTEREST, reason))
                break

    if c.teaches_level is not None and c.kind == LANGUAGE_COURSE:
        taught = LEVEL_INDEX[c.teaches_level]
        if p.level <= taught <= p.level + 1:
            found.append((-_LANGUAGE_LEVEL, _LANGUAGE, texts.level(c.teaches_level)))

    strength = _DISTANCE_BASE + _DISTANCE_SPAN * distance_fit_at(p, km)
    found.append((-strength, _DISTANCE, texts.distance(km)))

    common = p.availability & c.slots
    if common:
        first = min(common, key=SLOT_INDEX.__getitem__)
        strength = _TIME_BASE + _TIME_SPAN * time_fit(p, c)
        found.append((-strength, _TIME, texts.slot(first)))

    if c.ladder_step == p.step + 1:
        found.append((-_LADDER_GROWTH, _LADDER, texts.fixed("ladder_growth", "ladder_growth")))

    published = c.published_at
    if (
        now is not None
        and published is not None
        and (now - published).total_seconds() <= NEW_SECONDS
    ):
        found.append((-_NEW, _FRESH, texts.fixed("new", "new")))

    found.sort()  # (strength, order) is unique per reason, so Reasons are never compared
    return tuple([item[2] for item in found[:MAX_REASONS]])


def reasons_for(
    person: Person,
    candidate: Candidate,
    *,
    categories: Mapping[str, str],
    labels: Mapping[str, Mapping[str, str]],
    now: datetime | None = None,
) -> tuple[Reason, ...]:
    """Explain a suggestion; pass `now` to also say when it is new (rank() always does)."""
    if now is not None:
        require_aware(now)
    prepared = prepare(person, categories)
    return reasons_prepared(prepared, candidate, ReasonTexts(person.language, labels), now)
