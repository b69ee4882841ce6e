"""Subprocess entry point: run one spider in-process with CrawlerProcess, write items and stats as JSON.

    python -m tests.support.replay.child <site> <out.json> [--with-archive] [--with-pipelines]
        [-s KEY=VALUE ...]

Run from the project root; pantau's configuration comes from PANTAU_CONFIG (the replay's host_map).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

ITEMS: list[dict[str, Any]] = []


class CollectPipeline:
    """Last pipeline: keeps what reached it (the spider's fields plus the pipelines' title)."""

    def process_item(self, item: Any) -> Any:
        ITEMS.append(
            {
                "site": item.site,
                "url": item.url,
                "canonical_url": item.canonical_url,
                "site_article_id": item.site_article_id,
                "html": item.html,
                "extra_pages": item.extra_pages,
                "source": item.source,
                "listed_title": item.listed_title,
                "run_id": item.run_id,
                "fetched_at": item.fetched_at.isoformat(),
                "title": item.title,
                "text": item.text,
            }
        )
        return item


def main(argv: list[str]) -> int:
    site, out = argv[0], argv[1]
    settings = get_project_settings()
    pipelines = dict(settings.getdict("ITEM_PIPELINES")) if "--with-pipelines" in argv else {}
    pipelines["tests.support.replay.child.CollectPipeline"] = 990
    settings.set("ITEM_PIPELINES", pipelines, priority="cmdline")
    if "--with-archive" not in argv:
        settings.set("EXTENSIONS", {"pantau.crawler.extensions.RunRecorder": None}, priority="cmdline")
    for index, arg in enumerate(argv):
        if arg == "-s":
            key, _, value = argv[index + 1].partition("=")
            settings.set(key, value, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(site)
    process.crawl(crawler)
    process.start()
    stats = dict((crawler.stats.get_stats() if crawler.stats else {}).items())
    with Path(out).open("w", encoding="utf-8") as fh:
        # The pipeline lives in the imported module, not in __main__.
        from tests.support.replay.child import ITEMS as collected

        json.dump({"items": collected, "stats": stats}, fh, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
