"""Quiet hours and periods in local Dutch time, also across daylight-saving changes."""

from datetime import UTC, datetime, time

from api.nudges.clock import fortnight, in_quiet_hours, iso_week, next_allowed, week_bounds

NIGHT, MORNING = time(21, 0), time(8, 0)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_daytime_is_not_quiet() -> None:
    noon = utc(2026, 11, 25, 11, 0)  # 12:00 CET
    assert not in_quiet_hours(noon, NIGHT, MORNING)
    assert next_allowed(noon, NIGHT, MORNING) == noon


def test_late_evening_waits_for_the_morning() -> None:
    evening = utc(2026, 11, 25, 21, 30)  # 22:30 CET
    assert next_allowed(evening, NIGHT, MORNING) == utc(2026, 11, 26, 7, 0)  # 08:00 CET


def test_early_morning_waits_until_eight_the_same_day() -> None:
    early = utc(2026, 11, 26, 5, 0)  # 06:00 CET
    assert next_allowed(early, NIGHT, MORNING) == utc(2026, 11, 26, 7, 0)


def test_autumn_dst_weekend() -> None:
    # Saturday 24 Oct 2026 22:00 CEST (UTC+2); clocks go back in the night; 08:00 CET is 07:00 UTC
    assert next_allowed(utc(2026, 10, 24, 20, 0), NIGHT, MORNING) == utc(2026, 10, 25, 7, 0)
    # 20:30 local is still allowed on both sides of the change
    assert not in_quiet_hours(utc(2026, 10, 24, 18, 30), NIGHT, MORNING)  # 20:30 CEST
    assert not in_quiet_hours(utc(2026, 10, 25, 19, 30), NIGHT, MORNING)  # 20:30 CET
    assert in_quiet_hours(utc(2026, 10, 25, 20, 30), NIGHT, MORNING)  # 21:30 CET


def test_spring_dst_weekend() -> None:
    # Saturday 28 Mar 2026 23:00 CET; clocks go forward; 08:00 CEST is 06:00 UTC
    assert next_allowed(utc(2026, 3, 28, 22, 0), NIGHT, MORNING) == utc(2026, 3, 29, 6, 0)
    assert in_quiet_hours(utc(2026, 3, 29, 5, 30), NIGHT, MORNING)  # 07:30 CEST
    assert not in_quiet_hours(utc(2026, 3, 29, 6, 0), NIGHT, MORNING)  # 08:00 CEST


def test_weeks_follow_local_midnight() -> None:
    # Sunday 23:30 local is still the old week; Monday 00:30 local the new one
    assert iso_week(utc(2026, 11, 29, 22, 30)) == "2026-W48"
    assert iso_week(utc(2026, 11, 29, 23, 30)) == "2026-W49"
    start, end = week_bounds(utc(2026, 11, 25, 12))
    assert start == utc(2026, 11, 22, 23, 0) and end == utc(2026, 11, 29, 23, 0)
    assert fortnight(utc(2026, 11, 25, 12)) != fortnight(utc(2026, 12, 9, 12))


def test_non_wrapping_quiet_hours() -> None:
    assert in_quiet_hours(utc(2026, 11, 25, 12, 30), time(13, 0), time(15, 0))
    assert not in_quiet_hours(utc(2026, 11, 25, 14, 30), time(13, 0), time(15, 0))
