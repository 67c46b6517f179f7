"""The batch's JSON lines written by compiled code: 8 million items are bytes, not str objects.

Every line is `{"recipientId":"…","items":[{"opportunityId":"…","score":…},…]}` followed by a
newline. The pieces that recur (one prefix per opportunity, one text per score with four
decimals) are made once as bytes; a Numba kernel copies them into one buffer per municipality.
`MunicipalityTopK.lines` in api/feed/national.py writes the same text in plain Python and is
the reference the tests hold this to.
"""

from __future__ import annotations

from collections.abc import Sequence

import numba as nb
import numpy as np

_LINE_HEAD = b'{"recipientId":"'
_ITEMS = b'","items":['
_LINE_TAIL = b"]}\n"

# JSON text of each score with four decimals, closing its item: "0.415}" for 4150.
SCORE_TEXTS = [f"{q / 10000!r}}}" for q in range(10001)]


def _packed(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Texts as one byte array and the offsets where each starts (and the last ends)."""
    encoded = [t.encode() for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    if encoded:
        offsets[1:] = np.cumsum([len(b) for b in encoded])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets


_SCORES, _SCORE_OFFSETS = _packed(SCORE_TEXTS)
_HEAD = np.frombuffer(_LINE_HEAD, dtype=np.uint8)
_MID = np.frombuffer(_ITEMS, dtype=np.uint8)
_TAIL = np.frombuffer(_LINE_TAIL, dtype=np.uint8)


@nb.njit(cache=True)
def _copy(
    out: np.ndarray, at: int, src: np.ndarray, start: int, end: int
) -> int:  # pragma: no cover
    for b in range(start, end):
        out[at] = src[b]
        at += 1
    return at


@nb.njit(cache=True, nogil=True)
def _fill(  # pragma: no cover - compiled
    people: np.ndarray,
    people_at: np.ndarray,
    prefixes: np.ndarray,
    prefix_at: np.ndarray,
    scores: np.ndarray,
    score_at: np.ndarray,
    head: np.ndarray,
    mid: np.ndarray,
    tail: np.ndarray,
    index: np.ndarray,
    codes: np.ndarray,
    out: np.ndarray,
) -> int:
    at = 0
    for row in range(index.shape[0]):
        at = _copy(out, at, head, 0, head.shape[0])
        at = _copy(out, at, people, people_at[row], people_at[row + 1])
        at = _copy(out, at, mid, 0, mid.shape[0])
        first = True
        for n in range(index.shape[1]):
            j = index[row, n]
            if j < 0:
                continue
            if not first:
                out[at] = 44  # ","
                at += 1
            first = False
            at = _copy(out, at, prefixes, prefix_at[j], prefix_at[j + 1])
            c = codes[row, n]
            at = _copy(out, at, scores, score_at[c], score_at[c + 1])
        at = _copy(out, at, tail, 0, tail.shape[0])
    return at


def render_lines(
    people: Sequence[str], opportunity_ids: Sequence[str], index: np.ndarray, score: np.ndarray
) -> bytes:
    """The JSON lines of one municipality's result (index -1 = no item) as UTF-8 bytes."""
    people_bytes, people_at = _packed(people)
    prefixes, prefix_at = _packed(
        [f'{{"opportunityId":"{oid}","score":' for oid in opportunity_ids]
    )
    codes = np.rint(np.nan_to_num(score, nan=0.0) * 10000).astype(np.int64)
    longest_prefix = int(np.max(np.diff(prefix_at))) if len(opportunity_ids) else 0
    longest_score = int(np.max(np.diff(_SCORE_OFFSETS)))
    size = (
        len(people) * (len(_LINE_HEAD) + len(_ITEMS) + len(_LINE_TAIL))
        + len(people_bytes)
        + index.size * (longest_prefix + longest_score + 1)
    )
    out = np.empty(size, dtype=np.uint8)
    used = _fill(
        people_bytes,
        people_at,
        prefixes,
        prefix_at,
        _SCORES,
        _SCORE_OFFSETS,
        _HEAD,
        _MID,
        _TAIL,
        np.ascontiguousarray(index, dtype=np.int64),
        codes,
        out,
    )
    return out[:used].tobytes()


def warm_up() -> None:
    """Compile (or load the cached machine code of) the writer before timing anything."""
    render_lines(["p"], ["o"], np.zeros((1, 1), dtype=np.int64), np.zeros((1, 1)))
