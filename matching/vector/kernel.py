"""The compiled kernels: each float expression mirrors matching/scoring.py, step by step."""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from matching.ranking import (
    DIVERSITY_WINDOW,
    MAX_PER_ORGANIZER_IN_TOP,
    MAX_SAME_KIND_IN_A_ROW,
    ORGANIZER_TOP,
)
from matching.scoring import (
    CATEGORY_CREDIT,
    DISTANCE_EXPONENT,
    FRESH_DAYS,
    INTEREST_CAP,
    NEUTRAL_INTEREST,
    STALE_DAYS,
    STALE_SCORE,
    UNKNOWN_FRESHNESS,
)
from matching.vector.tables import EARTH_RADIUS_M


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


_DAY_SECONDS = 86_400.0  # as matching.scoring


@nb.njit(cache=True)
def freshness_at(  # pragma: no cover - compiled
    now_us: int, published_us: np.ndarray, known: np.ndarray, out: np.ndarray
) -> None:
    """The engine's freshness_fit per candidate, from its publication in microseconds since
    the epoch: the age is an exact integer divided by 10**6 (as `timedelta.total_seconds`),
    then the same divisions and formula, so the same floats. One pass, no temporaries."""
    for j in range(published_us.shape[0]):
        if not known[j]:
            out[j] = UNKNOWN_FRESHNESS
            continue
        age = float(now_us - published_us[j]) / 1e6 / _DAY_SECONDS
        if age <= FRESH_DAYS:
            out[j] = 1.0
        elif age >= STALE_DAYS:
            out[j] = STALE_SCORE
        else:
            out[j] = 1.0 - (1.0 - STALE_SCORE) * (age - FRESH_DAYS) / (STALE_DAYS - FRESH_DAYS)


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


# nogil: a caller may read the next batch in another thread meanwhile (api/feed/national.py).
@nb.njit(cache=True, parallel=True, nogil=True)
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
            lon_limit = 360.0
            if use_homes:
                if p_lat[i] != row_lat or p_lon[i] != row_lon:
                    row_lat = p_lat[i]
                    row_lon = p_lon[i]
                    home = i  # people sorted by home share cached distances
                # A great circle is never shorter than its latitude difference on the sphere...
                reach_rad = max_km * 1000.0 / EARTH_RADIUS_M
                band = math.degrees(reach_rad) * (1.0 + 1e-9) + 1e-9
                first = int(np.searchsorted(c_lat, row_lat - band, side="left"))
                last = int(np.searchsorted(c_lat, row_lat + band, side="right"))
                # ...nor than 2R asin(cos(phi_max) sin(dlon / 2)), with phi_max the largest
                # |latitude| in the band: beyond this longitude difference nothing is in reach
                # (for points that do not straddle the antimeridian, as anywhere in Europe).
                widest = abs(row_lat) + band
                if widest >= 89.0:
                    lon_limit = 360.0
                else:
                    ratio = (reach_rad / 2.0) / math.cos(math.radians(widest))
                    lon_limit = (
                        360.0
                        if ratio >= 1.0
                        else math.degrees(2.0 * math.asin(ratio)) * (1.0 + 1e-9) + 1e-9
                    )
            level = p_level[i]
            for j in range(first, last):
                if not static_ok[j] or (p_avail[i] & c_slots[j]) == 0:
                    continue
                if use_homes and abs(c_lon[j] - row_lon) > lon_limit:
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
                # Distance first: per home it is computed once and then looked up, and it
                # drops everything out of reach before the components are worked out.
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
                    comp[1] = _distance_fit(km, max_km)
                    total = (
                        weights[0] * comp[0]
                        + weights[1] * comp[1]
                        + weights[2] * comp[2]
                        + weights[3] * comp[3]
                        + weights[4] * comp[4]
                        + weights[5] * fresh[j]
                    )
                    if size == keep and total < top_q[keep - 1] - 0.0002:
                        continue  # rounded, it would still be below the last one kept
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
