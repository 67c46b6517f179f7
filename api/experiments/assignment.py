"""Who goes to which arm: a salted hash and blocked randomisation within strata (pure).

No Flask, no ORM. Within each stratum (e.g. ladder step 2 with coach K) people are put in
order by a salted hash of their id and dealt out in blocks: a block holds every arm as often as
its weight says (weights 2:1:1 -> a block of four), shuffled by a salted hash of the stratum and
the block's number. So each stratum stays balanced to within one block, the order people come
in does not matter within one enrolment run, and the same salt, people and history always give
the same arms. Stored assignments are never recomputed; later enrolments continue the blocks.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


def salted(salt: str, *parts: str) -> int:
    """A 64-bit number from the salt and the parts (SHA-256): the same input, the same number."""
    digest = hashlib.sha256("\x1f".join((salt, *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def block_order(salt: str, stratum: str, block: int, slots: Sequence[str]) -> list[str]:
    """The arms of one block in their salted order."""
    keyed = sorted(
        range(len(slots)), key=lambda i: salted(salt, "block", stratum, str(block), str(i))
    )
    return [slots[i] for i in keyed]


def slots_of(weights: Mapping[str, int]) -> list[str]:
    """One block: every arm as often as its weight, in a fixed order (the arms' keys sorted)."""
    return [key for key in sorted(weights) for _ in range(weights[key])]


@dataclass(frozen=True)
class Assigned:
    """One person's arm, the stratum they were balanced in and their place in its sequence."""

    person: str
    stratum: str
    arm: str
    position: int


def assign(
    salt: str,
    weights: Mapping[str, int],
    people: Iterable[tuple[str, str]],
    taken: Mapping[str, int] | None = None,
) -> list[Assigned]:
    """Arms for newly enrolled (person, stratum) pairs; `taken`: places used per stratum."""
    slots = slots_of(weights)
    size = len(slots)
    by_stratum: dict[str, list[str]] = defaultdict(list)
    for person, stratum in people:
        by_stratum[stratum].append(person)
    out: list[Assigned] = []
    for stratum in sorted(by_stratum):
        start = (taken or {}).get(stratum, 0)
        ordered = sorted(by_stratum[stratum], key=lambda p: (salted(salt, "person", p), p))
        blocks: dict[int, list[str]] = {}
        for offset, person in enumerate(ordered):
            position = start + offset
            block = position // size
            if block not in blocks:
                blocks[block] = block_order(salt, stratum, block, slots)
            out.append(Assigned(person, stratum, blocks[block][position % size], position))
    return out


def stratum_key(values: Mapping[str, str | int | None]) -> str:
    """'coach=…|ladder_step=2': the stratum as one stable text (names sorted)."""
    return "|".join(f"{name}={values[name]}" for name in sorted(values)) or "all"
