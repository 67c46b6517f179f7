"""Concrete times of an opportunity, and the coarse day parts matching uses, derived from them.

A schedule is a list of weekly time blocks, e.g. ``{"day": "tue", "start": "09:30", "end":
"12:00"}``. Matching only knows day parts (``tue-morning``); a block counts for every part of
its day it overlaps: morning before 12:00, afternoon 12:00-18:00, evening from 18:00.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from api.i18n import N_
from matching.model import DAYS, PARTS, SLOT_INDEX

TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
MIN_BLOCK_MINUTES = 15  # as the message in block_problem says
MAX_BLOCKS = 21
# Where each day part starts and ends, in minutes after midnight (end exclusive).
PART_BOUNDS: dict[str, tuple[int, int]] = {
    "morning": (0, 12 * 60),
    "afternoon": (12 * 60, 18 * 60),
    "evening": (18 * 60, 24 * 60),
}
assert tuple(PART_BOUNDS) == PARTS  # noqa: S101 - kept in step with the engine


def minutes(hhmm: str) -> int:
    """'09:30' -> 570."""
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def block_problem(block: Mapping[str, Any]) -> str | None:
    """Why one block is not a valid time block, or None."""
    start, end = block.get("start"), block.get("end")
    if not (isinstance(start, str) and TIME_RE.match(start)):
        return N_("Use a start time like 09:30.")
    if not (isinstance(end, str) and TIME_RE.match(end)):
        return N_("Use an end time like 12:00.")
    if minutes(end) - minutes(start) < MIN_BLOCK_MINUTES:
        return N_("The end time must be at least 15 minutes after the start time.")
    return None


def overlap_problem(blocks: Sequence[Mapping[str, Any]]) -> str | None:
    """Blocks on the same day must not overlap."""
    by_day: dict[str, list[tuple[int, int]]] = {}
    for b in blocks:
        by_day.setdefault(b["day"], []).append((minutes(b["start"]), minutes(b["end"])))
    for spans in by_day.values():
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            if start < end:
                return N_("Two times on the same day overlap.")
    return None


def in_week_order(blocks: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The blocks as plain dicts, Monday first, then by start time."""
    plain = [{"day": b["day"], "start": b["start"], "end": b["end"]} for b in blocks]
    return sorted(plain, key=lambda b: (DAYS.index(b["day"]), b["start"], b["end"]))


def slots_of(blocks: Iterable[Mapping[str, Any]]) -> list[str]:
    """The day parts the blocks overlap, in the engine's slot order."""
    found: set[str] = set()
    for b in blocks:
        start, end = minutes(b["start"]), minutes(b["end"])
        for part, (lo, hi) in PART_BOUNDS.items():
            if start < hi and end > lo:
                found.add(f"{b['day']}-{part}")
    return sorted(found, key=SLOT_INDEX.__getitem__)


def hours_of(blocks: Iterable[Mapping[str, Any]]) -> Decimal:
    """Hours per week the blocks add up to, to one decimal."""
    total = sum(minutes(b["end"]) - minutes(b["start"]) for b in blocks)
    return (Decimal(total) / Decimal(60)).quantize(Decimal("0.1"))
