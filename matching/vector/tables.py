"""Columns for the compiled matcher: candidates of one municipality, many people, results."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain

import numpy as np
import numpy.typing as npt

from matching.model import (
    KINDS,
    LANGUAGE_COURSE,
    LEVEL_INDEX,
    SLOT_INDEX,
    Candidate,
    Person,
)
from matching.scoring import (
    freshness_fit,
)

EARTH_RADIUS_M = 6371008.7714  # PostGIS's sphere, as in batch matching and the feed
NO_DATE_BEFORE = -(2**31)
NO_DATE_AFTER = 2**31 - 1

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
U64 = npt.NDArray[np.uint64]


class Vocabulary:
    """Bit positions for interests and accessibility features (64 per word)."""

    def __init__(self, keys: Sequence[str]) -> None:
        """Positions in first-seen order; words grow as needed."""
        self.index: dict[str, int] = {}
        for key in keys:
            self.index.setdefault(key, len(self.index))
        self.words = max(1, (len(self.index) + 63) // 64)

    def mask(self, keys: Iterable[str]) -> tuple[np.ndarray, bool]:
        """The words for these keys, and whether every key is known to the vocabulary."""
        words, complete = self.bits(keys)
        return np.array(words, dtype=np.uint64), complete

    def bits(self, keys: Iterable[str]) -> tuple[list[int], bool]:
        """The same as plain ints (cheap to build many of, then one array at the end)."""
        words = [0] * self.words
        complete = True
        index = self.index
        for key in keys:
            bit = index.get(key)
            if bit is None:
                complete = False
            else:
                words[bit >> 6] |= 1 << (bit & 63)
        return words, complete


def _slot_mask(slots: frozenset[str]) -> int:
    mask = 0
    for slot in slots:
        mask |= 1 << SLOT_INDEX[slot]
    return mask


@dataclass(frozen=True)
class CandidateTable:
    """Candidates of one municipality as columns; distances are per person, so lat/lon here."""

    ids: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    interests: Vocabulary
    access: Vocabulary
    id_rank: I64
    kind: I64
    organizer: I64
    interest_words: U64
    interest_count: I64
    slots: I64
    slot_count: I64
    min_level: I64
    teaches: I64
    access_words: U64
    ladder: I64
    free_places: I64
    published: npt.NDArray[np.bool_]
    start_ord: I64
    end_ord: I64
    lat: F64
    lon: F64

    @classmethod
    def build(
        cls,
        candidates: Sequence[Candidate],
        *,
        lat: Sequence[float] | None = None,
        lon: Sequence[float] | None = None,
    ) -> CandidateTable:
        """Columns from validated candidates (their distance_km is used only without lat/lon)."""
        items = tuple(candidates)
        n = len(items)
        if lat is not None and lon is not None:
            # Latitude order lets each person visit only the band their reach can touch.
            lats, lons = list(lat), list(lon)
            order_by_lat = sorted(range(n), key=lambda i: (lats[i], i))
            items = tuple(items[i] for i in order_by_lat)
            lat = [lats[i] for i in order_by_lat]
            lon = [lons[i] for i in order_by_lat]
        interests = Vocabulary([k for c in items for k in sorted(c.interests)])
        access = Vocabulary([k for c in items for k in sorted(c.accessibility)])
        organizers: dict[str, int] = {}
        order = sorted(range(n), key=lambda i: items[i].id)
        id_rank = np.empty(n, dtype=np.int64)
        for r, i in enumerate(order):
            id_rank[i] = r
        interest_words = np.zeros((n, interests.words), dtype=np.uint64)
        access_words = np.zeros((n, access.words), dtype=np.uint64)
        cols = {
            name: np.zeros(n, dtype=np.int64)
            for name in (
                "kind",
                "organizer",
                "interest_count",
                "slots",
                "slot_count",
                "min_level",
                "teaches",
                "ladder",
                "free_places",
                "start_ord",
                "end_ord",
            )
        }
        published = np.zeros(n, dtype=np.bool_)
        for i, c in enumerate(items):
            interest_words[i], _ = interests.mask(c.interests)
            access_words[i], _ = access.mask(c.accessibility)
            cols["kind"][i] = KINDS.index(c.kind)
            cols["organizer"][i] = organizers.setdefault(c.organizer_id, len(organizers))
            cols["interest_count"][i] = len(c.interests)
            cols["slots"][i] = _slot_mask(c.slots)
            cols["slot_count"][i] = len(c.slots)
            cols["min_level"][i] = LEVEL_INDEX[c.min_dutch_level]
            teaches = c.teaches_level if c.kind == LANGUAGE_COURSE else None
            cols["teaches"][i] = -1 if teaches is None else LEVEL_INDEX[teaches]
            cols["ladder"][i] = c.ladder_step
            cols["free_places"][i] = c.free_places
            cols["start_ord"][i] = (
                NO_DATE_BEFORE if c.start_date is None else c.start_date.toordinal()
            )
            cols["end_ord"][i] = NO_DATE_AFTER if c.end_date is None else c.end_date.toordinal()
            published[i] = c.status == "published"
        return cls(
            ids=tuple(c.id for c in items),
            candidates=items,
            interests=interests,
            access=access,
            id_rank=id_rank,
            interest_words=interest_words,
            access_words=access_words,
            published=published,
            lat=np.asarray(lat if lat is not None else [math.nan] * n, dtype=np.float64),
            lon=np.asarray(lon if lon is not None else [math.nan] * n, dtype=np.float64),
            **cols,
        )

    def __len__(self) -> int:
        """Number of candidates."""
        return len(self.ids)

    def positions(self) -> dict[str, int]:
        """Candidate id -> row, built once per table (a feed asks for it on every request)."""
        found: dict[str, int] | None = self.__dict__.get("_positions")
        if found is None:
            found = {cid: i for i, cid in enumerate(self.ids)}
            object.__setattr__(self, "_positions", found)
        return found

    def category_bits(self, categories: Mapping[str, str]) -> dict[str, list[int]]:
        """Per category, the bits of the vocabulary's keys in it (kept for the last mapping)."""
        kept: tuple[Mapping[str, str], dict[str, list[int]]] | None = self.__dict__.get(
            "_category_bits"
        )
        if kept is not None and kept[0] is categories:
            return kept[1]
        found: dict[str, list[int]] = {}
        for key, bit in self.interests.index.items():
            cat = categories.get(key)
            if cat is not None:
                found.setdefault(cat, []).append(bit)
        object.__setattr__(self, "_category_bits", (categories, found))
        return found

    def static_pass(self, today: date) -> npt.NDArray[np.bool_]:
        """Filters that do not depend on the person: status, places, dates (kept for the day:
        a table never changes, and the feed asks on every request). Shared: never write to it
        (a read-only flag would make Numba compile the kernels once more for that type)."""
        t = today.toordinal()
        kept: tuple[int, npt.NDArray[np.bool_]] | None = self.__dict__.get("_static_pass")
        if kept is not None and kept[0] == t:
            return kept[1]
        found = (
            self.published & (self.free_places >= 1) & (self.start_ord <= t) & (self.end_ord >= t)
        )
        object.__setattr__(self, "_static_pass", (t, found))
        return found

    def freshness(self, now: datetime) -> F64:
        """The engine's freshness per candidate (it does not depend on the person)."""
        return np.array([freshness_fit(c, now) for c in self.candidates], dtype=np.float64)


@dataclass(frozen=True)
class PersonBatch:
    """Many people as columns, ready for `top_k`."""

    interest_words: U64
    has_interests: npt.NDArray[np.bool_]
    category_words: U64
    availability: I64
    availability_size: I64
    level: I64
    step: I64
    max_km: F64
    need_words: U64
    needs_possible: npt.NDArray[np.bool_]
    lat: F64
    lon: F64
    distances: F64  # (people, candidates) in km when given by the caller, else empty
    excluded_start: I64
    excluded_idx: I64

    @classmethod
    def build(
        cls,
        table: CandidateTable,
        people: Sequence[Person],
        *,
        categories: Mapping[str, str],
        homes: Sequence[tuple[float, float]] | None = None,
        distances_km: Sequence[Sequence[float]] | None = None,
        excluded: Sequence[frozenset[str]] | None = None,
    ) -> PersonBatch:
        """People against one table: homes (lat, lon) for batch, or each candidate's distance."""
        return cls.from_columns(
            table,
            categories=categories,
            interests=[p.interests for p in people],
            availability=[p.availability for p in people],
            dutch_level=[p.dutch_level for p in people],
            ladder_step=[p.ladder_step for p in people],
            max_distance_km=[p.max_distance_km for p in people],
            needs=[p.accessibility_needs for p in people],
            homes=homes,
            distances_km=distances_km,
            excluded=excluded,
        )

    @classmethod
    def one(
        cls,
        table: CandidateTable,
        person: Person,
        *,
        categories: Mapping[str, str],
        home: tuple[float, float],
        excluded: Iterable[str] = (),
    ) -> PersonBatch:
        """`build` for one person at a home, field for field (a feed request): plain ints and
        a few small arrays instead of the set machinery that pays off for many people."""
        vocab = table.interests
        interests = tuple(person.interests)
        own, _ = vocab.bits(interests)
        kin = {c for c in map(categories.get, interests) if c is not None}
        sib = [0] * vocab.words
        for bit in chain.from_iterable(table.category_bits(categories).get(c, ()) for c in kin):
            sib[bit >> 6] |= 1 << (bit & 63)
        needs = tuple(person.accessibility_needs)
        need_words, known = table.access.bits(needs)
        slots = frozenset(person.availability)
        position = table.positions()
        idx = [position[c] for c in excluded if c in position]
        return cls(
            interest_words=np.array([own], dtype=np.uint64),
            has_interests=np.array([bool(interests)]),
            category_words=np.array([sib], dtype=np.uint64),
            availability=np.array([_slot_mask(slots)], dtype=np.int64),
            availability_size=np.array([len(slots)], dtype=np.int64),
            level=np.array([LEVEL_INDEX[person.dutch_level]], dtype=np.int64),
            step=np.array([person.ladder_step], dtype=np.int64),
            max_km=np.array([person.max_distance_km], dtype=np.float64),
            need_words=np.array([need_words], dtype=np.uint64),
            needs_possible=np.array([known or not needs]),
            lat=np.array([home[0]], dtype=np.float64),
            lon=np.array([home[1]], dtype=np.float64),
            distances=np.zeros((0, 0)),
            excluded_start=np.array([0, len(idx)], dtype=np.int64),
            excluded_idx=np.array(idx, dtype=np.int64),
        )

    @classmethod
    def from_columns(
        cls,
        table: CandidateTable,
        *,
        categories: Mapping[str, str],
        interests: Sequence[Iterable[str]],
        availability: Sequence[Iterable[str]],
        dutch_level: Sequence[str],
        ladder_step: Sequence[int],
        max_distance_km: Sequence[float],
        needs: Sequence[Iterable[str]],
        homes: Sequence[tuple[float, float]] | None = None,
        distances_km: Sequence[Sequence[float]] | None = None,
        excluded: Sequence[Iterable[str]] | None = None,
    ) -> PersonBatch:
        """The same from plain columns (database rows), memoising the masks of repeated sets."""
        p = len(dutch_level)
        interest_ids: dict[tuple[str, ...], int] = {}
        need_ids: dict[tuple[str, ...], int] = {}
        slot_ids: dict[tuple[str, ...], int] = {}
        which_interests = [interest_ids.setdefault(tuple(x), len(interest_ids)) for x in interests]
        which_needs = [need_ids.setdefault(tuple(x), len(need_ids)) for x in needs]
        which_slots = [slot_ids.setdefault(tuple(x), len(slot_ids)) for x in availability]
        position = table.positions() if excluded is not None and any(excluded) else {}
        starts = [0]
        idx: list[int] = []
        if excluded is not None:
            for i in range(p):
                idx.extend(position[c] for c in excluded[i] if c in position)
                starts.append(len(idx))
        else:
            starts = [0] * (p + 1)
        lat = np.full(p, math.nan)
        lon = np.full(p, math.nan)
        if homes is not None and p:
            lat[:] = [h[0] for h in homes]
            lon[:] = [h[1] for h in homes]
        return cls.from_sets(
            table,
            categories=categories,
            interest_sets=list(interest_ids),
            which_interests=np.array(which_interests, dtype=np.int64),
            slot_sets=list(slot_ids),
            which_slots=np.array(which_slots, dtype=np.int64),
            need_sets=list(need_ids),
            which_needs=np.array(which_needs, dtype=np.int64),
            level=np.array([LEVEL_INDEX[x] for x in dutch_level], dtype=np.int64),
            step=np.asarray(ladder_step, dtype=np.int64).reshape(p),
            max_km=np.asarray(max_distance_km, dtype=np.float64).reshape(p),
            lat=lat,
            lon=lon,
            distances=(
                np.asarray(distances_km, dtype=np.float64).reshape(p, len(table))
                if distances_km is not None
                else None
            ),
            excluded_start=np.asarray(starts, dtype=np.int64),
            excluded_idx=np.asarray(idx, dtype=np.int64),
        )

    @classmethod
    def from_sets(
        cls,
        table: CandidateTable,
        *,
        categories: Mapping[str, str],
        interest_sets: Sequence[Sequence[str]],
        which_interests: I64,
        slot_sets: Sequence[Sequence[str]],
        which_slots: I64,
        need_sets: Sequence[Sequence[str]],
        which_needs: I64,
        level: I64,
        step: I64,
        max_km: F64,
        lat: F64,
        lon: F64,
        excluded_start: I64,
        excluded_idx: I64,
        distances: F64 | None = None,
    ) -> PersonBatch:
        """The same from the distinct sets and, per person, which set is theirs (plain arrays
        otherwise). Each distinct set becomes key codes; their bits are OR-ed with NumPy."""
        vocab = table.interests
        # Per interest key: its own bit, and the bits of every vocabulary key of its category
        # (a person's siblings are the keys of any of their interests' categories).
        keys = {k: n for n, k in enumerate(dict.fromkeys(chain.from_iterable(interest_sets)))}
        cat_bits = table.category_bits(categories)
        own = [[0] * vocab.words for _ in range(len(keys) + 1)]  # last row: nothing
        sib = [[0] * vocab.words for _ in range(len(keys) + 1)]
        for key, code in keys.items():
            bit = vocab.index.get(key)
            if bit is not None:
                own[code][bit >> 6] |= 1 << (bit & 63)
            cat = categories.get(key)
            for b in cat_bits.get(cat, ()) if cat is not None else ():
                sib[code][b >> 6] |= 1 << (b & 63)
        codes, counts = _codes(interest_sets, keys)
        interest_set_words = _or_rows(np.array(own, dtype=np.uint64), codes, counts)
        category_set_words = _or_rows(np.array(sib, dtype=np.uint64), codes, counts)
        has_interest_set = counts > 0

        access = table.access
        need_keys = {k: n for n, k in enumerate(dict.fromkeys(chain.from_iterable(need_sets)))}
        need_bits = [[0] * access.words for _ in range(len(need_keys) + 1)]
        known = np.zeros(len(need_keys) + 1, dtype=np.int64)
        for key, code in need_keys.items():
            bit = access.index.get(key)
            if bit is not None:
                need_bits[code][bit >> 6] |= 1 << (bit & 63)
                known[code] = 1
        codes, counts = _codes(need_sets, need_keys)
        need_set_words = _or_rows(np.array(need_bits, dtype=np.uint64), codes, counts)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])) if len(counts) else counts
        known_sum = np.add.reduceat(np.append(known[codes], 0), starts) if len(counts) else counts
        need_set_possible = np.where(counts > 0, known_sum == counts, True)

        slot_set_masks = np.array(
            [_slot_mask(frozenset(keys_of_set)) for keys_of_set in slot_sets], dtype=np.int64
        )
        slot_set_sizes = np.array(
            [len(frozenset(keys_of_set)) for keys_of_set in slot_sets], dtype=np.int64
        )
        interest_words = interest_set_words[which_interests]
        category_words = category_set_words[which_interests]
        has_interests = has_interest_set[which_interests]
        need_words = need_set_words[which_needs]
        needs_possible = need_set_possible[which_needs]
        avail = slot_set_masks[which_slots]
        avail_size = slot_set_sizes[which_slots]
        return cls(
            interest_words=interest_words,
            has_interests=has_interests,
            category_words=category_words,
            availability=avail,
            availability_size=avail_size,
            level=level,
            step=step,
            max_km=max_km,
            need_words=need_words,
            needs_possible=needs_possible,
            lat=lat,
            lon=lon,
            distances=distances if distances is not None else np.zeros((0, 0)),
            excluded_start=excluded_start,
            excluded_idx=excluded_idx,
        )


def _codes(sets: Sequence[Sequence[str]], keys: Mapping[str, int]) -> tuple[I64, I64]:
    """Every set's key codes one after another, and how many each set has."""
    codes = list(map(keys.__getitem__, chain.from_iterable(sets)))
    return np.array(codes, dtype=np.int64), np.array(list(map(len, sets)), dtype=np.int64)


def _or_rows(bits: U64, codes: I64, counts: I64) -> U64:
    """Per set, the OR of its keys' rows of `bits` (an empty set: the last row, all zeros)."""
    if not len(counts):
        return np.zeros((0, bits.shape[1]), dtype=np.uint64)
    nothing = len(bits) - 1
    # Empty sets take the zero row, so every segment has at least one element to reduce.
    padded: list[int] = []
    flat = codes.tolist()
    at = 0
    for c in counts.tolist():
        if c:
            padded.extend(flat[at : at + c])
            at += c
        else:
            padded.append(nothing)
    sizes = np.maximum(counts, 1)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    return np.bitwise_or.reduceat(bits[np.array(padded, dtype=np.int64)], starts, axis=0)


@dataclass(frozen=True)
class TopK:
    """Per person the chosen candidates (index into the table, -1 = none), scores, distances."""

    index: I64
    score: F64
    distance_km: F64

    def ids(self, table: CandidateTable, row: int) -> list[str]:
        """The chosen candidate ids of one person, best first."""
        return [table.ids[j] for j in self.index[row] if j >= 0]
