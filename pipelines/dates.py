"""Dates as the four sites write them: ISO with or without offset, Indonesian prose, URL paths.

Every function returns a tz-aware ``datetime`` or ``None``, never raises on bad input. A naive value
(no offset in the text) is read in the zone the caller names: the sites publish in WIB (UTC+7).
``has_time`` tells a date with a clock time from a bare day, so that a caller never settles for a
day when another source on the page gives the minute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")
EARLIEST_YEAR = 1995  # the sites' archives start in the late 1990s; anything older is a misparse
MAX_AHEAD = timedelta(days=1)  # clock skew and time zones allow a little; more is a wrong date

# Indonesian month names and the abbreviations the sites print (English ones as seen on index pages).
_MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "pebruari": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "ags": 8, "agt": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip
_ZONES = {"wib": timezone(timedelta(hours=7)), "wita": timezone(timedelta(hours=8)),
          "wit": timezone(timedelta(hours=9)), "gmt": UTC, "utc": UTC}  # fmt: skip

_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_TIME = r"(?:[\s|,.\-–·]*(?:pukul\s*)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?!\d)(?::\d{2})?)?"
_ZONE = r"(?:\s*(?P<zone>WIB|WITA|WIT|GMT|UTC)\b)?"
# "15 September 2023 |13:10 WIB", "20 Sep 2023 20:02 WIB", "Kamis 09 Juli 2020 07:26 WIB"
_WORDY = re.compile(
    rf"\b(?P<day>\d{{1,2}})[\s\-]+(?P<month>{_MONTH_ALT})\.?[\s\-]+(?P<year>\d{{4}})\b{_TIME}{_ZONE}",
    re.IGNORECASE,
)
# "13/09/2023, 06:23 WIB" (day first, as every Indonesian site writes it)
_NUMERIC = re.compile(rf"\b(?P<day>\d{{1,2}})/(?P<month>\d{{1,2}})/(?P<year>\d{{4}})\b{_TIME}{_ZONE}")
# "2026/06/05 20:30:23" (detik dtk:publishdate) and "2023-09-13 06:23:11" (Kompas content_PublishedDate)
_SLASHED_ISO = re.compile(r"^(\d{4})/(\d{2})/(\d{2})")


@dataclass(frozen=True)
class ParsedDate:
    """A parsed moment, and whether the source gave a clock time or only a day."""

    value: datetime
    has_time: bool


def parse_iso(text: str, naive_tz: tzinfo = WIB) -> ParsedDate | None:
    """ISO 8601 (``T`` or space, ``Z`` or offset, ``/`` as date separator); naive means ``naive_tz``."""
    text = _SLASHED_ISO.sub(r"\1-\2-\3", text.strip())
    if len(text) < 10 or not text[:4].isdigit():
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    has_time = len(text) > 10
    if value.tzinfo is None:
        value = value.replace(tzinfo=naive_tz)
    return ParsedDate(value, has_time)


def parse_indonesian(text: str, naive_tz: tzinfo = WIB) -> ParsedDate | None:
    """The first date in Indonesian prose (``Jum'at, 15 September 2023 |13:10 WIB``, ``13/09/2023, 06:23``).

    The first date wins, so ``… 06:23 WIB Diperbarui 07:10 WIB`` gives the published one.
    """
    text = text.replace("\xa0", " ")
    matches = [m for m in (_WORDY.search(text), _NUMERIC.search(text)) if m]
    if not matches:
        return None
    match = min(matches, key=lambda m: m.start())
    month_text = match["month"].lower()
    month = _MONTHS[month_text] if month_text in _MONTHS else int(month_text)
    hour, minute = match["hour"], match["minute"]
    zone = _ZONES[match["zone"].lower()] if match["zone"] else naive_tz
    try:
        value = datetime(
            int(match["year"]), month, int(match["day"]), int(hour or 0), int(minute or 0), tzinfo=zone
        )
    except ValueError:  # 31 Juni, 25:61 …
        return None
    return ParsedDate(value, hour is not None)


def parse_any(text: str, naive_tz: tzinfo = WIB) -> ParsedDate | None:
    """ISO first, then Indonesian prose (Okezone's JSON-LD carries ``Kamis 09 Juli 2020 07:26 WIB``)."""
    return parse_iso(text, naive_tz) or parse_indonesian(text, naive_tz)


def parse_url_date(url: str, pattern: re.Pattern[str], naive_tz: tzinfo = WIB) -> ParsedDate | None:
    """The date a URL carries, by a pattern with named groups ``year month day`` [``hour minute``]."""
    match = pattern.search(url)
    if not match:
        return None
    groups = match.groupdict()
    has_time = groups.get("hour") is not None and groups.get("minute") is not None
    try:
        value = datetime(
            int(groups["year"]),
            int(groups["month"]),
            int(groups["day"]),
            int(groups["hour"]) if has_time else 0,
            int(groups["minute"]) if has_time else 0,
            tzinfo=naive_tz,
        )
    except (ValueError, KeyError, TypeError):
        return None
    return ParsedDate(value, has_time)


def is_plausible(value: datetime, now: datetime) -> bool:
    """False for dates before the sites existed or more than a day ahead of ``now``."""
    return value.year >= EARLIEST_YEAR and value <= now + MAX_AHEAD
