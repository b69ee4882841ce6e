"""A replay world for backfills: five weeks of dated listings per site, on-topic stories among many others."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from tests.support.replay.world import SITES, WIB, Story, World, load_story_text

ON_TOPIC = {
    "okezone": "okezone_seed_update_perang",
    "detik": "detik_seed_as_khawatir",
    "bisnis": "bisnis_seed_gedung_putih",
    "kompas": "kompas_seed_kim_bertemu_putin",
}
OFF_TOPIC = ["offtopic_sepak_bola", "offtopic_harga_beras", "offtopic_pameran_wisata", "offtopic_ponsel_baru"]
ON_TOPIC_DAYS = (1, 4, 9, 13, 18, 24)  # days before today with an on-topic story
UNTAGGED_DAYS = (4, 13)  # of those, the ones no tag page lists (the daily index and search do)
RUSSIA_ONLY_DAY = 6  # a story tagged `rusia` that is about Russia alone
BEFORE_SINCE_DAY = 40  # an on-topic story older than every backfill the tests ask for
DAYS = 36  # the world's history
PAGE_SIZE = 4
BASE_IDS = {"okezone": 3100000, "detik": 7100000, "bisnis": 1600000, "kompas": 0}


def backfill_world(today: date) -> tuple[World, dict[str, list[Story]]]:
    """The world, and per site the on-topic stories a backfill from 30 days ago must find."""
    now = datetime.now(WIB).replace(microsecond=0)
    world = World(now=now, paged=True, page_size=PAGE_SIZE)
    expected: dict[str, list[Story]] = {site: [] for site in SITES}
    for site in SITES:
        serial = iter(range(1, 1000))
        for back in range(DAYS + 1):
            day = today - timedelta(days=back)
            for n in range(2 + back % 4):  # 2-5 other stories a day: one or two index pages
                _add(world, site, day, 6 + n, next(serial), OFF_TOPIC[(back + n) % 4], [])
            if back in ON_TOPIC_DAYS or back == BEFORE_SINCE_DAY:
                tags = [] if back in UNTAGGED_DAYS else ["korea-utara", "rusia"]
                story = _add(
                    world, site, day, 12, next(serial), ON_TOPIC[site], tags, title=f" (laporan {back})"
                )
                if back != BEFORE_SINCE_DAY:
                    expected[site].append(story)
            if back == RUSSIA_ONLY_DAY:
                _add(
                    world,
                    site,
                    day,
                    13,
                    next(serial),
                    "offtopic_ponsel_baru",
                    ["rusia"],
                    title="Rusia Pamerkan Ponsel Buatan Dalam Negeri",
                )
    return world, expected


def _add(
    world: World, site: str, day: date, hour: int, serial: int, stem: str, tags: list[str], *, title: str = ""
) -> Story:
    base_title, paragraphs = load_story_text(stem)
    when = datetime.combine(day, time(hour, serial % 60), tzinfo=WIB)
    article_id = f"{when:%H%M%S}{serial:03d}" if site == "kompas" else str(BASE_IDS[site] + serial)
    full_title = title if title.startswith("Rusia") else base_title + title
    body = [*paragraphs, f"Laporan ini adalah catatan nomor {serial} redaksi."]
    return world.add(Story(site, article_id, when, full_title, body, tags=tags, section="internasional"))
