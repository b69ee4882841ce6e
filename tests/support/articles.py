"""Articles as the pipelines hand them to the store, for the pipeline, storage and fault tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pantau.base.models import Article, TopicScore

DEFAULT_BODY = (
    "Pemimpin Korea Utara Kim Jong Un bertemu Presiden Rusia Vladimir Putin di Kosmodrom Vostochny.\n"
    "Kedua pemimpin membahas kerja sama militer, termasuk kemungkinan pasokan amunisi artileri."
)


def build_article(number: int = 1, **overrides: Any) -> Article:
    """An Article as the pipelines hand it to the store; `number` makes URL and site id unique."""
    values: dict[str, Any] = {
        "site": "okezone",
        "url": f"https://news.okezone.com/read/2023/09/13/18/{number}/berita?page=all",
        "canonical_url": f"https://news.okezone.com/read/2023/09/13/18/{number}/berita",
        "site_article_id": str(number),
        "html": f"<html><body><h1>Berita {number}</h1><p>{DEFAULT_BODY}</p></body></html>",
        "fetched_at": datetime(2023, 9, 13, 12, 0, tzinfo=UTC),
        "title": f"Kim Jong Un dan Putin bertemu ({number})",
        "text": DEFAULT_BODY,
        "published_at": datetime(2023, 9, 13, 11, 0, tzinfo=UTC),
        "language": "id",
        "topics": {"nk-russia-arms": TopicScore(0.9, True, ["Kim Jong Un", "amunisi"])},
    }
    values.update(overrides)
    return Article(**values)
