"""Score every story against every topic; the scores and their matched terms travel with the item.

Topics are data (one TOML file per topic in ``settings.topics_dir``, see `pipelines.topics`). The
pipeline never drops an item: off-topic stories are archived too, so that a topic added later can
be scored against what was already fetched.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from pantau.config import PACKAGE_TOPICS_DIR
from pantau.errors import ConfigError
from pipelines.topics import Topic, TopicSpec

if TYPE_CHECKING:
    from pipelines.items import Article

__all__ = ["RelevancePipeline", "Topic", "load_topic", "load_topics"]


def load_topic(path: Path) -> Topic:
    """Read and compile one topic file; ConfigError names the file and the bad key."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"topic file {path} cannot be read: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"topic file {path} is not valid TOML: {exc}; fix the syntax") from exc
    try:
        spec = TopicSpec(**data)
    except ValidationError as exc:
        raise ConfigError(f"topic file {path}: {_describe(exc)}") from None
    if spec.name != path.stem:
        raise ConfigError(
            f"topic file {path}: 'name' is {spec.name!r} but must equal the file name {path.stem!r}"
        )
    return Topic(spec)


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        if item["type"] == "extra_forbidden":
            parts.append(f"unknown key '{key}'; remove it or check its spelling")
        else:
            parts.append(f"'{key}': {item['msg']}")
    return "; ".join(parts)


def load_topics(directory: Path) -> list[Topic]:
    """Every ``*.toml`` topic in a folder, sorted by file name; ConfigError if none or one is bad."""
    if not directory.is_dir():
        raise ConfigError(f"topics_dir {directory} is not a folder; create it or fix 'topics_dir'")
    topics = [load_topic(path) for path in sorted(directory.glob("*.toml"))]
    if not topics:
        raise ConfigError(f"topics_dir {directory} holds no topic files (*.toml); add one")
    return topics


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
