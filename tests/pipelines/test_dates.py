"""Dates as the sites print them: Indonesian prose, naive WIB, UTC metas, URL paths."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pantau.pipelines import dates

WIB = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Susi Susanti , Jurnalis-Jum'at, 15 September 2023 |13:10 WIB", datetime(2023, 9, 15, 13, 10)),
        ("Jumat, 04 Okt 2024 19:34 WIB", datetime(2024, 10, 4, 19, 34)),
        ("Rabu, 20 Sep 2023 20:02 WIB", datetime(2023, 9, 20, 20, 2)),
        ("Selasa, 29 Juli 2025 | 18:27", datetime(2025, 7, 29, 18, 27)),
        ("Kompas.com - 13/09/2023, 06:23 WIB", datetime(2023, 9, 13, 6, 23)),
        ("Kompas.com, 03/08/2026, 17:53 WIB", datetime(2026, 8, 3, 17, 53)),
        ("Kompas.com - 13/09/2023, 06:23 WIB Diperbarui 14/09/2023, 07:10 WIB", datetime(2023, 9, 13, 6, 23)),
        ("Kamis 09 Juli 2020 07:26 WIB", datetime(2020, 7, 9, 7, 26)),
        ("Natasha Oktalia, Jurnalis · Kamis 09 Juli 2020 07:26 WIB", datetime(2020, 7, 9, 7, 26)),
        ("Jum'at, 19 Juni 2015 13:05 WIB", datetime(2015, 6, 19, 13, 5)),
        ("Senin, 07 Sep 2026 16:04 WIB", datetime(2026, 9, 7, 16, 4)),
        ("02 Jan 2019 | 23:36 WIB", datetime(2019, 1, 2, 23, 36)),
        ("Sabtu, 17 Agu 2024 08.15 WIB", datetime(2024, 8, 17, 8, 15)),
        ("Minggu, 03 Ags 2025 10:00", datetime(2025, 8, 3, 10, 0)),
        ("1 Mei 2024 pukul 09.30 WIB", datetime(2024, 5, 1, 9, 30)),
        ("Selasa, 31 Des 2024 23:59 WIB", datetime(2024, 12, 31, 23, 59)),
        ("Rabu, 14 Feb 2024 · 12:00 WIB", datetime(2024, 2, 14, 12, 0)),
        ("Kamis, 07 Mar 2024 05:05 WIB", datetime(2024, 3, 7, 5, 5)),
        ("Senin, 08 Apr 2024 11:11", datetime(2024, 4, 8, 11, 11)),
        ("Kamis, 13 Jun 2024 13:13", datetime(2024, 6, 13, 13, 13)),
        ("Selasa, 09 Jul 2024 09:09", datetime(2024, 7, 9, 9, 9)),
        ("Rabu, 30 Okt 2024 21:00", datetime(2024, 10, 30, 21, 0)),
        ("Jumat, 29 Nov 2024 06:06", datetime(2024, 11, 29, 6, 6)),
        ("Jumat, 12 Januari 2024 14:00 WIB", datetime(2024, 1, 12, 14, 0)),
        ("Senin, 5 Februari 2024 14:00 WIB", datetime(2024, 2, 5, 14, 0)),
        ("Senin, 4 Maret 2024 14:00 WIB", datetime(2024, 3, 4, 14, 0)),
        ("Senin, 1 April 2024 14:00 WIB", datetime(2024, 4, 1, 14, 0)),
        ("Senin, 7 Oktober 2024 14:00 WIB", datetime(2024, 10, 7, 14, 0)),
        ("Senin, 4 November 2024 14:00 WIB", datetime(2024, 11, 4, 14, 0)),
        ("Senin, 2 Desember 2024 14:00 WIB", datetime(2024, 12, 2, 14, 0)),
    ],
)
def test_indonesian_dates_are_read_in_wib(text, expected):
    parsed = dates.parse_indonesian(text)
    assert parsed is not None
    assert parsed.has_time
    assert parsed.value == expected.replace(tzinfo=WIB)
    assert parsed.value.utcoffset() == timedelta(hours=7)


def test_wita_and_wit_carry_their_own_offsets():
    wita = dates.parse_indonesian("Senin, 07 Sep 2026 16:04 WITA")
    wit = dates.parse_indonesian("Senin, 07 Sep 2026 16:04 WIT")
    assert wita is not None
    assert wit is not None
    assert wita.value == datetime(2026, 9, 7, 8, 4, tzinfo=UTC)
    assert wit.value == datetime(2026, 9, 7, 7, 4, tzinfo=UTC)


def test_a_day_without_a_time_says_so():
    parsed = dates.parse_indonesian("22 Juni 2026")
    assert parsed == dates.ParsedDate(datetime(2026, 6, 22, tzinfo=WIB), has_time=False)


def test_a_number_after_the_year_is_not_taken_for_a_time():
    parsed = dates.parse_indonesian("pada 14 September 2023, 5.000 orang hadir")
    assert parsed is not None
    assert not parsed.has_time


@pytest.mark.parametrize(
    "text", ["", "tanpa tanggal", "31 Juni 2023 10:00 WIB", "Rabu, 20 Sep 2023 25:61 WIB", "13/13/2023"]
)
def test_nonsense_gives_none(text):
    assert dates.parse_indonesian(text) is None


@pytest.mark.parametrize(
    ("text", "expected", "has_time"),
    [
        ("2023-09-13T06:23:11+07:00", datetime(2023, 9, 13, 6, 23, 11, tzinfo=WIB), True),
        ("2026-10-02T23:10:00+00:00", datetime(2026, 10, 3, 6, 10, tzinfo=WIB), True),  # Kompas meta is UTC
        ("2026-10-02T23:10:00Z", datetime(2026, 10, 3, 6, 10, tzinfo=WIB), True),
        (
            "2026/06/05 20:30:23",
            datetime(2026, 6, 5, 20, 30, 23, tzinfo=WIB),
            True,
        ),  # dtk:publishdate, naive WIB
        ("2026-03-26 12:14:10", datetime(2026, 3, 26, 12, 14, 10, tzinfo=WIB), True),  # content_PublishedDate
        ("2023-09-15", datetime(2023, 9, 15, tzinfo=WIB), False),
    ],
)
def test_iso_dates(text, expected, has_time):
    parsed = dates.parse_iso(text)
    assert parsed is not None
    assert parsed.value == expected
    assert parsed.has_time is has_time
    assert parsed.value.tzinfo is not None


@pytest.mark.parametrize("text", ["Kamis 09 Juli 2020 07:26 WIB", "not a date", "2023-13-45T00:00:00"])
def test_iso_refuses_prose(text):
    assert dates.parse_iso(text) is None


def test_parse_any_reads_okezone_prose_json_ld():
    parsed = dates.parse_any("Kamis 09 Juli 2020 07:26 WIB")
    assert parsed is not None
    assert parsed.value == datetime(2020, 7, 9, 7, 26, tzinfo=WIB)


def test_naive_values_follow_the_named_zone_across_a_dst_change():
    # WIB has no DST; a zone that has one shows the naive zone is applied per instant, not as a fixed offset.
    berlin = ZoneInfo("Europe/Berlin")
    before = dates.parse_iso("2023-03-26 01:30:00", berlin)
    after = dates.parse_iso("2023-03-26 03:30:00", berlin)
    assert before is not None
    assert after is not None
    assert before.value.utcoffset() == timedelta(hours=1)
    assert after.value.utcoffset() == timedelta(hours=2)
    assert after.value.astimezone(UTC) - before.value.astimezone(UTC) == timedelta(hours=1)


def test_url_dates_with_and_without_a_clock_time():
    kompas = re.compile(
        r"/read/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<hour>[01]\d|2[0-3])(?P<minute>[0-5]\d)\d+/"
    )
    bisnis = re.compile(r"/read/(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})/")
    parsed = dates.parse_url_date("https://www.kompas.com/global/read/2023/09/14/104900670/putin", kompas)
    assert parsed == dates.ParsedDate(datetime(2023, 9, 14, 10, 49, tzinfo=WIB), has_time=True)
    parsed = dates.parse_url_date("https://kabar24.bisnis.com/read/20230913/19/1694663/kim/2", bisnis)
    assert parsed == dates.ParsedDate(datetime(2023, 9, 13, tzinfo=WIB), has_time=False)
    assert dates.parse_url_date("https://kabar24.bisnis.com/read/20231340/19/1/x", bisnis) is None
    assert dates.parse_url_date("https://www.bisnis.com/", bisnis) is None


def test_plausible_refuses_the_far_future_and_the_distant_past():
    now = datetime(2026, 10, 10, 12, 0, tzinfo=UTC)
    assert dates.is_plausible(now + timedelta(hours=23), now)
    assert not dates.is_plausible(now + timedelta(days=1, minutes=1), now)
    assert not dates.is_plausible(datetime(1990, 1, 1, tzinfo=UTC), now)
