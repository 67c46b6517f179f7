"""The compiled JSON-lines writer of the national batch writes exactly the reference's text."""

from __future__ import annotations

import json
import random
import uuid
from types import SimpleNamespace
from typing import cast

import numpy as np

from api.feed.national import MunicipalityTopK
from matching.vector import CandidateTable, TopK


def _result(rng: random.Random, people: int, candidates: int, k: int) -> MunicipalityTopK:
    index = np.full((people, k), -1, dtype=np.int64)
    score = np.full((people, k), np.nan)
    for row in range(people):
        found = rng.randint(0, min(k, candidates))  # some get nothing, some a full page
        index[row, :found] = rng.sample(range(candidates), found)
        score[row, :found] = sorted(
            (rng.choice([0.0, 1.0, 0.0001, 0.9999, round(rng.random(), 4)]) for _ in range(found)),
            reverse=True,
        )
    ids = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(candidates)]
    ids[0] = "warm-up-ëxtra"  # not only UUIDs: any id text, UTF-8 included
    table = cast(CandidateTable, SimpleNamespace(ids=ids))
    people_ids = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(people)]
    return MunicipalityTopK("town", people_ids, table, TopK(index, score, np.zeros_like(score)))


def test_compiled_lines_equal_the_reference_text() -> None:
    rng = random.Random(7)
    for people, candidates, k in [(0, 3, 5), (1, 1, 1), (50, 40, 20), (300, 7, 10)]:
        found = _result(rng, people, candidates, k)
        reference = "".join(found.lines())
        assert found.json_lines() == reference
        for line in reference.splitlines():
            parsed = json.loads(line)
            assert set(parsed) == {"recipientId", "items"}
