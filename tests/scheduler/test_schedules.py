"""Schedule strings become period ends; DST days give one digest per local day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pantau.base.errors import ConfigError
from pantau.scheduler.schedules import AS_IT_HAPPENS, fire_times, next_fire, parse_schedule

BERLIN = ZoneInfo("Europe/Berlin")


def local_days(schedule: str, zone: str, start: datetime, days: int) -> list[datetime]:
    parsed = parse_schedule(schedule, zone)
    return list(fire_times(parsed, start, start + timedelta(days=days)))


@pytest.mark.parametrize("spec", ["daily 07:00", "daily 02:30", "30 2 * * *"])
@pytest.mark.parametrize(
    "start", [datetime(2024, 3, 29, tzinfo=BERLIN), datetime(2024, 10, 25, tzinfo=BERLIN)]
)
def test_one_period_per_local_day_across_dst(spec, start):
    ends = local_days(spec, "Europe/Berlin", start, 5)
    dates = [end.astimezone(BERLIN).date() for end in ends]
    assert len(ends) == 5
    assert len(set(dates)) == 5
    assert all(end.tzinfo is UTC for end in ends)


def test_daily_keeps_wall_clock_time_across_dst():
    ends = local_days("daily 07:00", "Europe/Berlin", datetime(2024, 3, 30, tzinfo=BERLIN), 2)
    assert [e.astimezone(BERLIN).hour for e in ends] == [7, 7]
    assert ends[1] - ends[0] == timedelta(hours=23)  # the spring-forward day is 23 hours long


def test_hourly_in_jakarta():
    start = datetime(2024, 11, 21, 6, 59, tzinfo=ZoneInfo("Asia/Jakarta"))
    ends = local_days("hourly", "Asia/Jakarta", start, 1)
    assert len(ends) == 24
    assert ends[0] == datetime(2024, 11, 21, 0, 0, tzinfo=UTC)


def test_cron_weekdays_only():
    start = datetime(2024, 11, 18, tzinfo=ZoneInfo("Asia/Jakarta"))  # a Monday
    ends = local_days("0 7 * * 1-5", "Asia/Jakarta", start, 7)
    assert [e.astimezone(ZoneInfo("Asia/Jakarta")).isoweekday() for e in ends] == [1, 2, 3, 4, 5]


def test_as_it_happens_slices_are_aligned():
    start = datetime(2024, 11, 21, 10, 2, tzinfo=UTC)
    ends = local_days("as-it-happens", "Asia/Jakarta", start, 1)
    assert ends[0] == datetime(2024, 11, 21, 10, 5, tzinfo=UTC)
    assert ends[1] - ends[0] == AS_IT_HAPPENS
    assert parse_schedule("as-it-happens", "UTC").immediate


def test_range_is_half_open():
    end = datetime(2024, 11, 21, 0, 0, tzinfo=UTC)  # 07:00 WIB
    parsed = parse_schedule("daily 07:00", "Asia/Jakarta")
    assert list(fire_times(parsed, end, end)) == []
    assert list(fire_times(parsed, end - timedelta(seconds=1), end)) == [end]
    assert next_fire(parsed, end) == end + timedelta(days=1)


@pytest.mark.parametrize(
    "bad", ["daily 25:00", "weekly", "0 7 * *", "daily seven", "0 7 * * 5-1", "0 7 * * 8"]
)
def test_invalid_schedule_names_the_subscription(bad):
    with pytest.raises(ConfigError, match=r"subscription 'analysts': invalid schedule"):
        parse_schedule(bad, "Asia/Jakarta", owner="subscription 'analysts'")


@pytest.mark.parametrize(
    ("weekdays", "expected"),
    [
        ("1-5", [1, 2, 3, 4, 5]),
        ("0", [7]),
        ("7", [7]),
        ("sat,sun", [6, 7]),
        ("*/2", [2, 4, 6, 7]),
        ("5-7", [5, 6, 7]),
    ],
)
def test_cron_weekdays_are_standard_cron(weekdays, expected):
    start = datetime(2024, 11, 17, 12, tzinfo=ZoneInfo("Asia/Jakarta"))  # a Sunday, after 07:00
    ends = local_days(f"0 7 * * {weekdays}", "Asia/Jakarta", start, 7)
    assert sorted(e.astimezone(ZoneInfo("Asia/Jakarta")).isoweekday() for e in ends) == expected


def test_repeated_hour_is_not_fired_again_from_the_previous_period_end():
    parsed = parse_schedule("daily 02:30", "Europe/Berlin")
    first = datetime(2024, 10, 27, 0, 30, tzinfo=UTC)  # 02:30 CEST, before the clocks go back
    assert next(fire_times(parsed, first, first + timedelta(days=2))) == datetime(
        2024, 10, 28, 1, 30, tzinfo=UTC
    )
