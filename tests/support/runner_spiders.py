"""Small spiders for the runner tests, loaded with `-s SPIDER_MODULES=tests.support.runner_spiders`.

Each requests routes of the loopback server named by `-s LOOPBACK_URL=...` and does one thing:
finish, hang, crash (SIGKILL itself), or keep crawling slowly until interrupted. They run with
pantau's crawler.settings (so RunRecorder is on), minus what only real sites need.
"""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from scrapy import Request, Spider
from scrapy.exceptions import DropItem
from scrapy.http import Response

_LOOPBACK_SETTINGS = {
    # Loopback is no news site: the allow-list and robots.txt handling are for the real ones.
    "DOWNLOADER_MIDDLEWARES": {},
    "ROBOTSTXT_OBEY": False,
    "ITEM_PIPELINES": {},
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "RETRY_ENABLED": False,
}


class LoopbackSpider(Spider):
    """Requests `paths` on the loopback server."""

    paths: tuple[str, ...] = ("/ok",)
    custom_settings: dict[str, Any] = _LOOPBACK_SETTINGS

    async def start(self) -> AsyncIterator[Any]:
        base = self.settings.get("LOOPBACK_URL")
        for path in self.paths:
            yield Request(base + path, callback=self.parse, dont_filter=True)

    def parse(self, response: Response) -> Any:
        self.crawler.stats.inc_value("pantau/fetched")
        yield from ()


class Finishes(LoopbackSpider):
    name = "finishes"
    paths = ("/ok", "/status?n=404")


class Hangs(LoopbackSpider):
    name = "hangs"
    paths = ("/hang",)
    custom_settings = {**_LOOPBACK_SETTINGS, "DOWNLOAD_TIMEOUT": 600}  # noqa: RUF012 (Scrapy's own shape)


class Crashes(LoopbackSpider):
    name = "crashes"

    def parse(self, response: Response) -> Any:
        os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would
        yield from ()


class Endless(LoopbackSpider):
    """Fetches /slow again and again: only a stop (SIGINT) ends it, gracefully."""

    name = "endless"
    paths = ("/slow?s=0.1",)
    # pantau's DEPTH_LIMIT would end the chain. noqa: Scrapy declares custom_settings this way.
    custom_settings = {**_LOOPBACK_SETTINGS, "DEPTH_LIMIT": 0}  # noqa: RUF012

    def parse(self, response: Response) -> Any:
        self.crawler.stats.inc_value("pantau/fetched")
        yield Request(response.url, callback=self.parse, dont_filter=True)


class Blocked(LoopbackSpider):
    """Counts a block page for its listing and fetches no article: the run is 'blocked'."""

    name = "blocked"

    def parse(self, response: Response) -> Any:
        self.crawler.stats.inc_value("pantau/blocked")
        self.crawler.stats.inc_value("pantau/blocked_listings")
        yield from ()


@dataclass
class Page:
    """The least an item needs for RunRecorder: its canonical URL."""

    canonical_url: str


class FaultyPipeline:
    """Drops one item and raises on another, as a broken extraction or database would."""

    def process_item(self, item: Page) -> Page:
        if item.canonical_url.endswith("/dropped"):
            raise DropItem("no text extracted")
        if item.canonical_url.endswith("/raises"):
            raise RuntimeError("pipeline bug")
        return item


class Faulty(LoopbackSpider):
    """Yields three items: one dropped, one raising in a pipeline, one fine."""

    name = "faulty"
    custom_settings = {  # noqa: RUF012 (Scrapy's own shape)
        **_LOOPBACK_SETTINGS,
        "ITEM_PIPELINES": {"tests.support.runner_spiders.FaultyPipeline": 100},
    }

    def parse(self, response: Response) -> Any:
        base = self.settings.get("LOOPBACK_URL")
        for name in ("dropped", "raises", "fine"):
            yield Page(f"{base}/{name}")
