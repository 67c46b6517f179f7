"""Nudge schedules in local time: quiet hours, weeks and fortnights (zone from api.core.time)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

from api.core.time import AMSTERDAM, local_date


def parse_hhmm(value: str) -> time:
    """'21:00' -> time(21, 0)."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def in_quiet_hours(moment: datetime, start: time, end: time) -> bool:
    """Whether a UTC moment falls inside local quiet hours (which may wrap midnight)."""
    local = moment.astimezone(AMSTERDAM).time()
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def next_allowed(moment: datetime, start: time, end: time) -> datetime:
    """The moment itself, or the end of the quiet hours it falls in (local wall time)."""
    if not in_quiet_hours(moment, start, end):
        return moment
    local = moment.astimezone(AMSTERDAM)
    day = local.date() if local.time() < end else local.date() + timedelta(days=1)
    wake = datetime.combine(day, end, tzinfo=AMSTERDAM)
    return wake.astimezone(moment.tzinfo)


@lru_cache(maxsize=256)  # asked once per nudge planned, for the same few moments
def iso_week(moment: datetime) -> str:
    """'2026-W48': the local ISO week, the period of weekly nudges and caps."""
    y, w, _ = local_date(moment).isocalendar()
    return f"{y}-W{w:02d}"


def week_bounds(moment: datetime) -> tuple[datetime, datetime]:
    """UTC start and end of the local ISO week containing `moment` (Monday 00:00 local)."""
    day = local_date(moment)
    monday = day - timedelta(days=day.weekday())
    start = datetime.combine(monday, time(0), tzinfo=AMSTERDAM)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=AMSTERDAM)
    return start.astimezone(moment.tzinfo), end.astimezone(moment.tzinfo)


def fortnight(moment: datetime, every_days: int = 14) -> str:
    """A period of `every_days` local days (counted from 2024-01-01), for check-in prompts."""
    days = (local_date(moment) - date(2024, 1, 1)).days
    return f"F{every_days}-{days // every_days}" if every_days != 14 else f"F{days // 14}"
