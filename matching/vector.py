"""Compiled matching: the engine's filters, score and order for many people at once.

`rank()` stays the definition of a good match; this module computes exactly the same scores
(same operations in the same order, so the same floats), the same rounding and the same
order and diversity rules, over columnar arrays, compiled with Numba. It exists so that
batch matching for a whole country and a feed with thousands of candidates stay cheap.
Reasons are not computed here: callers ask the engine for the few results they keep.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numba as nb
import numpy as np
import numpy.typing as npt

from matching.model import (
    AMSTERDAM,
    KINDS,
    LANGUAGE_COURSE,
    LEVEL_INDEX,
    SLOT_INDEX,
    Candidate,
    Person,
    Weights,
)
from matching.prepared import require_aware
from matching.ranking import (
    DIVERSITY_WINDOW,
    MAX_PER_ORGANIZER_IN_TOP,
    MAX_SAME_KIND_IN_A_ROW,
    ORGANIZER_TOP,
)
from matching.scoring import (
    CATEGORY_CREDIT,
    DISTANCE_EXPONENT,
    INTEREST_CAP,
    NEUTRAL_INTEREST,
    freshness_fit,
    normalise,
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

    def mask(self, keys: frozenset[str]) -> tuple[np.ndarray, bool]:
        """The words for these keys, and whether every key is known to the vocabulary."""
        words = [0] * self.words  # Python ints: numpy scalar operations cost ~1 us each
        complete = True
        for key in keys:
            bit = self.index.get(key)
            if bit is None:
                complete = False
                continue
            words[bit >> 6] |= 1 << (bit & 63)
        return np.array(words, dtype=np.uint64), complete


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

    def static_pass(self, today: date) -> npt.NDArray[np.bool_]:
        """Filters that do not depend on the person: status, places, dates."""
        t = today.toordinal()
        return (
            self.published & (self.free_places >= 1) & (self.start_ord <= t) & (self.end_ord >= t)
        )

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
        by_category: dict[str, list[str]] = {}
        for key in table.interests.index:
            cat = categories.get(key)
            if cat is not None:
                by_category.setdefault(cat, []).append(key)
        # Each distinct set is turned into bits once; people then index into the distinct rows.
        interest_ids: dict[tuple[str, ...], int] = {}
        interest_rows: list[tuple[np.ndarray, np.ndarray, bool]] = []
        need_ids: dict[tuple[str, ...], int] = {}
        need_rows: list[tuple[np.ndarray, bool]] = []
        slot_ids: dict[tuple[str, ...], int] = {}
        slot_rows: list[tuple[int, int]] = []
        which_interests = np.empty(p, dtype=np.int64)
        which_needs = np.empty(p, dtype=np.int64)
        which_slots = np.empty(p, dtype=np.int64)
        position = {cid: i for i, cid in enumerate(table.ids)}
        starts = [0]
        idx: list[int] = []
        for i in range(p):
            ikey = tuple(interests[i])
            n = interest_ids.get(ikey)
            if n is None:
                mine = frozenset(ikey)
                wanted = {categories[k] for k in mine if k in categories}
                siblings = frozenset(k for cat in wanted for k in by_category.get(cat, ()))
                n = interest_ids[ikey] = len(interest_rows)
                interest_rows.append(
                    (table.interests.mask(mine)[0], table.interests.mask(siblings)[0], bool(mine))
                )
            which_interests[i] = n
            nkey = tuple(needs[i])
            n = need_ids.get(nkey)
            if n is None:
                n = need_ids[nkey] = len(need_rows)
                need_rows.append(table.access.mask(frozenset(nkey)))
            which_needs[i] = n
            skey = tuple(availability[i])
            n = slot_ids.get(skey)
            if n is None:
                n = slot_ids[skey] = len(slot_rows)
                slots = frozenset(skey)
                slot_rows.append((_slot_mask(slots), len(slots)))
            which_slots[i] = n
            if excluded is not None:
                idx.extend(position[c] for c in excluded[i] if c in position)
                starts.append(len(idx))
        if excluded is None:
            starts = [0] * (p + 1)

        def rows(values: list[Any], dtype: Any, width: int) -> np.ndarray:
            return np.array(values, dtype=dtype).reshape(len(values), width)

        iw, aw = table.interests.words, table.access.words
        interest_words = rows([r[0] for r in interest_rows], np.uint64, iw)[which_interests]
        category_words = rows([r[1] for r in interest_rows], np.uint64, iw)[which_interests]
        has_interests = np.array([r[2] for r in interest_rows], dtype=np.bool_)[which_interests]
        need_words = rows([r[0] for r in need_rows], np.uint64, aw)[which_needs]
        needs_possible = np.array([r[1] for r in need_rows], dtype=np.bool_)[which_needs]
        avail = np.array([r[0] for r in slot_rows], dtype=np.int64)[which_slots]
        avail_size = np.array([r[1] for r in slot_rows], dtype=np.int64)[which_slots]
        lat = np.full(p, math.nan)
        lon = np.full(p, math.nan)
        if homes is not None and p:
            lat[:] = [h[0] for h in homes]
            lon[:] = [h[1] for h in homes]
        dist = (
            np.asarray(distances_km, dtype=np.float64).reshape(p, len(table))
            if distances_km is not None
            else np.zeros((0, 0))
        )
        return cls(
            interest_words=interest_words,
            has_interests=has_interests,
            category_words=category_words,
            availability=avail,
            availability_size=avail_size,
            level=np.array([LEVEL_INDEX[x] for x in dutch_level], dtype=np.int64),
            step=np.asarray(ladder_step, dtype=np.int64).reshape(p),
            max_km=np.asarray(max_distance_km, dtype=np.float64).reshape(p),
            need_words=need_words,
            needs_possible=needs_possible,
            lat=lat,
            lon=lon,
            distances=dist,
            excluded_start=np.asarray(starts, dtype=np.int64),
            excluded_idx=np.asarray(idx, dtype=np.int64),
        )


@dataclass(frozen=True)
class TopK:
    """Per person the chosen candidates (index into the table, -1 = none), scores, distances."""

    index: I64
    score: F64
    distance_km: F64

    def ids(self, table: CandidateTable, row: int) -> list[str]:
        """The chosen candidate ids of one person, best first."""
        return [table.ids[j] for j in self.index[row] if j >= 0]


# ---------------------------------------------------------------------------------------------
# Compiled kernels. Every float expression mirrors matching/scoring.py operation by operation.


@nb.njit(cache=True, inline="always")
def _popcount(x: np.uint64) -> int:  # pragma: no cover - compiled
    count = 0
    while x:
        x &= x - np.uint64(1)
        count += 1
    return count


@nb.njit(cache=True)
def _round4(x: float) -> float:  # pragma: no cover - compiled
    """Python's round(x, 4) for 0 <= x <= 1: exact half-even rounding of x's binary value."""
    xs = x * 16.0  # exact; 10000 = 16 * 625
    c = 134217729.0 * xs  # Veltkamp split: xs = xh + xl, each half fits 26 bits
    xh = c - (c - xs)
    xl = xs - xh
    hi = xh * 625.0  # exact products: x * 10000 == hi + lo exactly
    lo = xl * 625.0
    n = float(math.floor(hi + lo))
    while (hi - n) + lo < 0.0:
        n -= 1.0
    while (hi - (n + 1.0)) + lo >= 0.0:
        n += 1.0
    half = (hi - (n + 0.5)) + lo
    if half > 0.0 or (half == 0.0 and n % 2.0 == 1.0):
        n += 1.0
    return n / 10000.0


@nb.njit(cache=True)
def _haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:  # pragma: no cover
    """The same formula and operations as api/feed/batch.py's distance_m."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@nb.njit(cache=True)
def _distance_fit(km: float, p_max: float) -> float:  # pragma: no cover - compiled
    """The engine's distance_fit, operation by operation."""
    if p_max <= 0.0:
        return 1.0 if km <= 0.0 else 0.0
    ratio = km / p_max
    return 0.0 if ratio >= 1.0 else 1.0 - ratio**DISTANCE_EXPONENT


@nb.njit(cache=True)
def _components(  # pragma: no cover - compiled
    j: int,
    p_interests: np.ndarray,
    p_has: bool,
    p_categories: np.ndarray,
    p_avail: int,
    p_avail_size: int,
    p_level: int,
    p_step: int,
    c_interests: np.ndarray,
    c_interest_count: np.ndarray,
    c_slots: np.ndarray,
    c_slot_count: np.ndarray,
    c_min_level: np.ndarray,
    c_teaches: np.ndarray,
    c_ladder: np.ndarray,
    out: np.ndarray,
) -> None:
    """The person-dependent components but distance, into out[0, 2, 3, 4]."""
    # interest_fit
    size = c_interest_count[j]
    if not p_has or size == 0:
        out[0] = NEUTRAL_INTEREST
    else:
        exact = 0
        sibling = 0
        for w in range(c_interests.shape[1]):
            theirs = c_interests[j, w]
            exact += _popcount(theirs & p_interests[w])
            sibling += _popcount(theirs & ~p_interests[w] & p_categories[w])
        credit = 0.0
        for _ in range(exact):
            credit += 1.0
        for _ in range(sibling):
            credit += CATEGORY_CREDIT
        fit = credit / (size if size < INTEREST_CAP else INTEREST_CAP)
        out[0] = fit if fit < 1.0 else 1.0
    # time_fit
    n_slots = c_slot_count[j]
    smaller = n_slots if n_slots < p_avail_size else p_avail_size
    if smaller == 0:
        out[2] = 0.0
    else:
        out[2] = _popcount(np.uint64(p_avail & c_slots[j])) / smaller
    # ladder_fit
    diff = c_ladder[j] - p_step
    if diff == -1:
        out[3] = 0.6
    elif diff == 0 or diff == 1:
        out[3] = 1.0
    elif diff == 2:
        out[3] = 0.5
    elif diff < 0:
        out[3] = 0.3
    else:
        out[3] = 0.1
    # language_fit
    taught = c_teaches[j]
    if taught >= 0:
        if taught == p_level + 1:
            out[4] = 1.0
        elif taught == p_level:
            out[4] = 0.8
        else:
            out[4] = 0.0
    else:
        minimum = c_min_level[j]
        if p_level > minimum:
            out[4] = 1.0
        elif p_level == minimum:
            out[4] = 0.7
        else:
            out[4] = 0.0


@nb.njit(cache=True)
def _better(
    q1: float, d1: float, r1: int, q2: float, d2: float, r2: int
) -> bool:  # pragma: no cover
    """The engine's order: score desc, distance asc, id asc."""
    if q1 != q2:
        return q1 > q2
    if d1 != d2:
        return d1 < d2
    return r1 < r2


@nb.njit(cache=True, parallel=True)
def _top_k(  # pragma: no cover - compiled
    k: int,
    keep: int,
    diversify: bool,
    weights: np.ndarray,
    has_weights: bool,
    static_ok: np.ndarray,
    fresh: np.ndarray,
    c_lat: np.ndarray,
    c_lon: np.ndarray,
    c_id_rank: np.ndarray,
    c_kind: np.ndarray,
    c_organizer: np.ndarray,
    c_interests: np.ndarray,
    c_interest_count: np.ndarray,
    c_slots: np.ndarray,
    c_slot_count: np.ndarray,
    c_min_level: np.ndarray,
    c_teaches: np.ndarray,
    c_access: np.ndarray,
    c_ladder: np.ndarray,
    p_interests: np.ndarray,
    p_has: np.ndarray,
    p_categories: np.ndarray,
    p_avail: np.ndarray,
    p_avail_size: np.ndarray,
    p_level: np.ndarray,
    p_step: np.ndarray,
    p_max: np.ndarray,
    p_needs: np.ndarray,
    p_needs_possible: np.ndarray,
    p_lat: np.ndarray,
    p_lon: np.ndarray,
    p_dist: np.ndarray,
    ex_start: np.ndarray,
    ex_idx: np.ndarray,
    out_idx: np.ndarray,
    out_score: np.ndarray,
    out_dist: np.ndarray,
) -> None:
    n_people = p_avail.shape[0]
    n_cand = static_ok.shape[0]
    use_homes = p_dist.shape[0] == 0
    chunks = 64 if n_people > 64 else max(n_people, 1)
    per_chunk = (n_people + chunks - 1) // chunks
    for chunk in nb.prange(chunks):
        comp = np.empty(5, dtype=np.float64)
        top_j = np.empty(keep, dtype=np.int64)
        top_q = np.empty(keep, dtype=np.float64)
        top_d = np.empty(keep, dtype=np.float64)
        row = np.empty(n_cand, dtype=np.float64)
        stamp = np.full(n_cand, -1, dtype=np.int64)
        home = -1
        row_lat = math.nan
        row_lon = math.nan
        organizers = np.empty(ORGANIZER_TOP, dtype=np.int64)
        org_counts = np.empty(ORGANIZER_TOP, dtype=np.int64)
        taken = np.empty(keep, dtype=np.bool_)
        for i in range(chunk * per_chunk, min(n_people, (chunk + 1) * per_chunk)):
            size = 0
            max_km = p_max[i]
            if not p_needs_possible[i]:
                continue
            first = 0
            last = n_cand
            if use_homes:
                if p_lat[i] != row_lat or p_lon[i] != row_lon:
                    row_lat = p_lat[i]
                    row_lon = p_lon[i]
                    home = i  # people sorted by home share cached distances
                # A great circle is never shorter than its latitude difference on the sphere.
                band = math.degrees(max_km * 1000.0 / EARTH_RADIUS_M) * (1.0 + 1e-9) + 1e-9
                first = int(np.searchsorted(c_lat, row_lat - band, side="left"))
                last = int(np.searchsorted(c_lat, row_lat + band, side="right"))
            level = p_level[i]
            for j in range(first, last):
                if not static_ok[j] or (p_avail[i] & c_slots[j]) == 0:
                    continue
                if level < c_min_level[j]:
                    continue
                taught = c_teaches[j]
                if taught >= 0 and (taught < level or taught > level + 1):
                    continue
                unmet = False
                for w in range(p_needs.shape[1]):
                    if p_needs[i, w] & ~c_access[j, w]:
                        unmet = True
                if unmet:
                    continue
                excluded = False
                for e in range(ex_start[i], ex_start[i + 1]):
                    if ex_idx[e] == j:
                        excluded = True
                if excluded:
                    continue
                if has_weights:
                    _components(
                        j,
                        p_interests[i],
                        p_has[i],
                        p_categories[i],
                        p_avail[i],
                        p_avail_size[i],
                        level,
                        p_step[i],
                        c_interests,
                        c_interest_count,
                        c_slots,
                        c_slot_count,
                        c_min_level,
                        c_teaches,
                        c_ladder,
                        comp,
                    )
                    if size == keep:
                        # Even at distance 0 it could not reach the last kept score (its rounded
                        # score would be lower): skip it before measuring the distance.
                        best_case = (
                            weights[0] * comp[0]
                            + weights[1]
                            + weights[2] * comp[2]
                            + weights[3] * comp[3]
                            + weights[4] * comp[4]
                            + weights[5] * fresh[j]
                        )
                        if best_case < top_q[keep - 1] - 0.0002:
                            continue
                if use_homes:
                    if stamp[j] != home:
                        row[j] = _haversine_m(row_lat, row_lon, c_lat[j], c_lon[j])
                        stamp[j] = home
                    metres = row[j]
                    if metres > max_km * 1000.0:
                        continue
                    km = metres / 1000.0
                else:
                    km = p_dist[i, j]
                if km > max_km:
                    continue
                if has_weights:
                    comp[1] = _distance_fit(km, max_km)
                    total = (
                        weights[0] * comp[0]
                        + weights[1] * comp[1]
                        + weights[2] * comp[2]
                        + weights[3] * comp[3]
                        + weights[4] * comp[4]
                        + weights[5] * fresh[j]
                    )
                    if total >= 1.0:
                        total = 1.0
                    elif not total > 0.0:
                        total = 0.0
                    q = _round4(total)
                else:
                    q = 0.0
                # keep the best `keep` in order (insertion into a short sorted list)
                if size == keep and not _better(
                    q,
                    km,
                    c_id_rank[j],
                    top_q[size - 1],
                    top_d[size - 1],
                    c_id_rank[top_j[size - 1]],
                ):
                    continue
                pos = size if size < keep else keep - 1
                while pos > 0 and _better(
                    q, km, c_id_rank[j], top_q[pos - 1], top_d[pos - 1], c_id_rank[top_j[pos - 1]]
                ):
                    if pos < keep:
                        top_j[pos] = top_j[pos - 1]
                        top_q[pos] = top_q[pos - 1]
                        top_d[pos] = top_d[pos - 1]
                    pos -= 1
                top_j[pos] = j
                top_q[pos] = q
                top_d[pos] = km
                if size < keep:
                    size += 1
            # the engine's diversity rule over the head; the rest keeps its order
            head = size if size < DIVERSITY_WINDOW else DIVERSITY_WINDOW
            if not diversify:
                head = 0
            for t in range(size):
                taken[t] = False
            n_org = 0
            out_n = 0
            while out_n < head and out_n < k:
                best_t = -1
                best_pen = 4
                for t in range(head):
                    if taken[t]:
                        continue
                    pen = 0
                    if out_n < ORGANIZER_TOP:
                        org = c_organizer[top_j[t]]
                        for o in range(n_org):
                            if organizers[o] == org and org_counts[o] >= MAX_PER_ORGANIZER_IN_TOP:
                                pen += 2
                    if out_n >= MAX_SAME_KIND_IN_A_ROW:
                        kind = c_kind[top_j[t]]
                        run = True
                        for back in range(1, MAX_SAME_KIND_IN_A_ROW + 1):
                            if c_kind[out_idx[i, out_n - back]] != kind:
                                run = False
                        if run:
                            pen += 1
                    if pen < best_pen:
                        best_t = t
                        best_pen = pen
                        if pen == 0:
                            break
                taken[best_t] = True
                j = top_j[best_t]
                if out_n < ORGANIZER_TOP:
                    org = c_organizer[j]
                    found = False
                    for o in range(n_org):
                        if organizers[o] == org:
                            org_counts[o] += 1
                            found = True
                    if not found:
                        organizers[n_org] = org
                        org_counts[n_org] = 1
                        n_org += 1
                out_idx[i, out_n] = j
                out_score[i, out_n] = top_q[best_t]
                out_dist[i, out_n] = top_d[best_t]
                out_n += 1
            for t in range(head, size):
                if out_n >= k:
                    break
                out_idx[i, out_n] = top_j[t]
                out_score[i, out_n] = top_q[t]
                out_dist[i, out_n] = top_d[t]
                out_n += 1
            for t in range(out_n, k):
                out_idx[i, t] = -1
                out_score[i, t] = math.nan
                out_dist[i, t] = math.nan


def top_k(
    table: CandidateTable,
    people: PersonBatch,
    *,
    now: datetime,
    weights: Weights,
    k: int,
    diversify: bool = True,
    only_kind: str | None = None,
) -> TopK:
    """Each person's first k of the engine's ranking (same ids, order and rounded scores)."""
    require_aware(now)
    if k < 1:
        raise ValueError("k must be >= 1")
    today = now.astimezone(AMSTERDAM).date()
    normalised = normalise(weights)
    w = np.array(normalised if normalised is not None else (0.0,) * 6, dtype=np.float64)
    keep = max(k, DIVERSITY_WINDOW) if diversify else k
    n = people.availability.shape[0]
    out_idx = np.full((n, k), -1, dtype=np.int64)
    out_score = np.full((n, k), math.nan)
    out_dist = np.full((n, k), math.nan)
    static_ok = table.static_pass(today)
    if only_kind is not None:
        static_ok &= table.kind == KINDS.index(only_kind)
    if n and len(table):
        _top_k(
            k,
            keep,
            diversify,
            w,
            normalised is not None,
            static_ok,
            table.freshness(now),
            table.lat,
            table.lon,
            table.id_rank,
            table.kind,
            table.organizer,
            table.interest_words,
            table.interest_count,
            table.slots,
            table.slot_count,
            table.min_level,
            table.teaches,
            table.access_words,
            table.ladder,
            people.interest_words,
            people.has_interests,
            people.category_words,
            people.availability,
            people.availability_size,
            people.level,
            people.step,
            people.max_km,
            people.need_words,
            people.needs_possible,
            people.lat,
            people.lon,
            people.distances,
            people.excluded_start,
            people.excluded_idx,
            out_idx,
            out_score,
            out_dist,
        )
    return TopK(out_idx, out_score, out_dist)
