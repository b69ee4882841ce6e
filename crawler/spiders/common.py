"""SiteSpider: what every part of a site's spider shares: its site data, the run's state, the archive."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import scrapy

from pantau.base.sites import load_site_data
from pantau.crawler.site_rules import crawl_site
from pantau.pipelines.rules import ExtractionRules

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

    from pantau.crawler.archive import CrawlArchive

T = TypeVar("T")


class SiteSpider(scrapy.Spider):
    """A spider whose site knowledge all comes from the site file named like it."""

    archive: CrawlArchive | None = None  # set by the RunRecorder extension
    run_id: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site = crawl_site(self.name)
        self.allowed_domains = list(self.site.domains)
        self.extraction_rules = ExtractionRules.from_mapping(load_site_data(self.name))
        self.max_pages = 400  # crawl.max_pages, set in from_crawler

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """The site's pace: `[politeness] delay_factor` times the crawl's delays."""
        super().update_settings(settings)
        factor = crawl_site(cls.name).politeness.delay_factor
        for key in ("DOWNLOAD_DELAY", "AUTOTHROTTLE_START_DELAY"):
            settings.set(key, settings.getfloat(key) * factor, priority="spider")

    def count(self, key: str) -> None:
        """Add one to a crawl statistic."""
        self.crawler.stats.inc_value(key)

    def archive_call(self, work: Callable[[CrawlArchive], T], default: T) -> T:
        """Run one archive call; without an archive (unit runs) or when it fails, the default."""
        if self.archive is None:
            return default
        try:
            return work(self.archive)
        except Exception as exc:  # a database error must not end discovery: log, count, go on
            self.count("pantau/archive_errors")
            self.logger.error("archive call failed: %s", exc)
            return default

    def current_run_id(self) -> int | None:
        """The crawl_runs row of this run: the archive's (it started or adopted it), else the setting."""
        return (self.archive.run_id if self.archive is not None else None) or self.run_id
