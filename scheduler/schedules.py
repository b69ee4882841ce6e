"""Subscription schedules ("daily 07:00", "hourly", "as-it-happens", cron) turned into digest periods.

A period ends at each fire time of the schedule in the subscription's zone. The fire times come
from APScheduler's CronTrigger, stepped in UTC: stepping a zone-aware time by a microsecond in the
zone's wall clock never leaves the repeated hour of a DST fall-back (the trigger then returns the
same instant forever). A fire time whose wall-clock time equals the previous one's (the repeated
hour) is dropped, so a daily schedule yields exactly one period per local day, DST or not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from pantau.base.errors import ConfigError

# "as-it-happens" digests cover fixed slices of this length (aligned to the epoch, so two daemons
# agree on the period ends); an empty slice sends nothing.
AS_IT_HAPPENS = timedelta(minutes=5)
_DAILY = re.compile(r"^daily\s+(\d{1,2}):(\d{2})$")
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: a cron trigger, or fixed slices for as-it-happens."""

    text: str
    zone: ZoneInfo
    trigger: CronTrigger | None  # None: as-it-happens

    @property
    def immediate(self) -> bool:
        """True for as-it-happens: empty periods are skipped rather than recorded."""
        return self.trigger is None


def parse_schedule(text: str, zone: str, *, owner: str = "schedule") -> Schedule:
    """Parse a schedule string; ConfigError naming `owner` and the accepted forms when invalid."""
    tz = ZoneInfo(zone)
    spec = " ".join(text.strip().lower().split())
    if spec == "as-it-happens":
        return Schedule(text, tz, None)
    if spec == "hourly":
        return Schedule(text, tz, CronTrigger(minute=0, timezone=tz))
    daily = _DAILY.match(spec)
    try:
        if daily:
            return Schedule(text, tz, CronTrigger(hour=int(daily[1]), minute=int(daily[2]), timezone=tz))
        return Schedule(text, tz, _from_crontab(spec, tz))
    except ValueError as exc:
        raise ConfigError(
            f"{owner}: invalid schedule {text!r} ({exc}); use 'hourly', 'daily HH:MM', 'as-it-happens' "
            "or a five-field cron expression such as '0 7 * * 1-5'"
        ) from None


def _from_crontab(spec: str, zone: ZoneInfo) -> CronTrigger:
    """A five-field cron expression with standard cron weekdays (0 or 7 = Sunday, 1 = Monday).

    APScheduler 3.x numbers weekdays from Monday = 0, so its own from_crontab reads "1-5" as
    Tuesday to Saturday; the weekday field is therefore expanded here into day names.
    """
    fields = spec.split()
    if len(fields) != 5:
        raise ValueError(f"a cron expression has 5 fields, this one has {len(fields)}")
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=_weekdays(weekday), timezone=zone
    )


def _weekdays(field: str) -> str:
    if field == "*":
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        span, _, step = part.partition("/")
        if span == "*":
            first, last = 0, 6
        else:
            low, _, high = span.partition("-")
            first, last = _day(low), _day(high or low)
            last = 7 if last == 0 and high else last  # "5-0" is not a range; "5-7" and "5-sun" are
        if last < first:
            raise ValueError(f"weekday range {span!r} runs backwards")
        days |= {d % 7 for d in range(first, last + 1, int(step or 1))}
    return ",".join(_NAMES[d] for d in sorted(days))


def _day(token: str) -> int:
    token = token.strip().lower()[:3]
    if token in _NAMES:
        return _NAMES.index(token)
    if token.isdigit() and int(token) <= 7:
        return int(token)
    raise ValueError(f"{token!r} is not a weekday (0-7 or sun-sat)")


_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def fire_times(schedule: Schedule, after: datetime, until: datetime) -> Iterator[datetime]:
    """The schedule's period ends in (after, until], in UTC, one per distinct local wall-clock time."""
    if schedule.trigger is None:
        step = AS_IT_HAPPENS
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        current = epoch + ((after - epoch) // step + 1) * step
        while current <= until:
            yield current
            current += step
        return
    # `after` is usually the previous period's end: its wall time counts as already fired.
    previous_wall = after.astimezone(schedule.zone).replace(tzinfo=None)
    fire = schedule.trigger.get_next_fire_time(None, after.astimezone(UTC) + _TICK)
    while fire is not None and fire <= until:
        wall = fire.astimezone(schedule.zone).replace(tzinfo=None)
        if wall != previous_wall:
            yield fire.astimezone(UTC)
        previous_wall = wall
        fire = schedule.trigger.get_next_fire_time(fire, fire.astimezone(UTC) + _TICK)


def next_fire(schedule: Schedule, after: datetime) -> datetime | None:
    """The first period end after `after` (for status), or None if the schedule never fires again."""
    horizon = after + timedelta(days=400)
    return next(fire_times(schedule, after, horizon), None)
