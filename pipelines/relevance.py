"""Score every story against every topic; the scores and their matched terms travel with the item.

Topics are data (one TOML file per topic in ``settings.topics_dir``, see `pantau.base.topics`). The
pipeline never drops an item: off-topic stories are archived too, so that a topic added later can
be scored against what was already fetched.
"""

from __future__ import annotations

from typing import Any

from pantau.base.models import Article
from pantau.base.settings import PACKAGE_TOPICS_DIR
from pantau.pipelines.topics import Topic, load_topics


class RelevancePipeline:
    """Set ``item.topics`` to every topic's score; count on-topic stories; never drop an item."""

    def __init__(self, topics: list[Topic], stats: Any = None) -> None:
        self.topics = topics
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> RelevancePipeline:
        """Topics from ``PANTAU_SETTINGS.topics_dir`` (the packaged topics when there are no settings)."""
        settings = crawler.settings.get("PANTAU_SETTINGS")
        directory = settings.topics_dir if settings is not None else PACKAGE_TOPICS_DIR
        return cls(load_topics(directory), crawler.stats)

    def process_item(self, item: Article) -> Article:
        """Score the item's title and clean text against each topic."""
        item.topics = {topic.name: topic.score(item.title, item.text) for topic in self.topics}
        if self.stats is not None and any(score.on_topic for score in item.topics.values()):
            self.stats.inc_value("pantau/on_topic")
        return item
