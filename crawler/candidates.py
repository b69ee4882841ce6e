"""What the spider and the backfill walker share: a candidate article, and the spider's side of the deal.

The walker (pantau.crawler.backfill.walker) finds article URLs on dated listings and hands them to
the spider it runs in, through `CandidateSink`: the spider records them, skips the known ones and
fetches the rest through its usual path (budget, single-page views, pipelines).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, Protocol, TypeVar

from pantau.base.canonical import Canonical
from pantau.crawler.listings import WIB, Listed

T = TypeVar("T")
LISTING_PRIORITY = 1_000_000  # listings before articles (crawl and backfill): budget spent newest first


@dataclass
class Candidate:
    """An article URL found in this run, where, and the date its listing gave."""

    canonical: Canonical
    source: str
    listed_title: str | None = None
    listed_at: datetime | None = None

    def sort_key(self) -> tuple[float, int]:
        """Newest first: the listed date, else the URL's date (WIB midnight); then the site's id."""
        when = self.listed_at
        if when is None and self.canonical.url_date is not None:
            when = datetime.combine(self.canonical.url_date, time(), tzinfo=WIB)
        return (when.timestamp() if when else 0.0), int(re.sub(r"\D", "", self.canonical.article_id) or 0)


class CandidateSink(Protocol):
    """The spider as a backfill walker sees it."""

    name: str
    crawler: Any

    def archive_call(self, work: Callable[[Any], T], default: T) -> T:
        """Run one archive call; on failure (logged, counted) or without an archive, the default."""
        ...

    def count(self, key: str) -> None:
        """Add one to a crawl statistic."""
        ...

    def discover(self, listed: list[Listed], source: str) -> int:
        """Add the article URLs among `listed` as candidates; how many article URLs it held."""
        ...

    def is_known(self, article_id: str) -> bool:
        """True if the archive already holds the article."""
        ...

    def add_retries(self, kind: str) -> None:
        """Make the URLs due again (of crawls or of backfills) candidates of this run."""
        ...
