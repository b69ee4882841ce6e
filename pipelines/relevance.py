"""Score every story against every topic; the scores and their matched terms travel with the item.

Topics are data (one TOML file per topic in ``settings.topics_dir``, see `pipelines.topics`). The
pipeline never drops an item: off-topic stories are archived too, so that a topic added later can
be scored against what was already fetched.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pantau.config import PACKAGE_TOPICS_DIR, describe_validation_error
from pantau.errors import ConfigError
from pipelines.topics import Topic

if TYPE_CHECKING:
    from pipelines.items import Article

__all__ = ["GroupSpec", "RelevancePipeline", "ScoringSpec", "Topic", "TopicSpec", "load_topic", "load_topics"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GroupSpec(_Strict):
    """One group of terms in a topic file."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    role: Literal["required", "context"] = "required"
    penalty: float = Field(1.0, ge=0)
    terms: list[str] = Field(min_length=1)

    @field_validator("terms")
    @classmethod
    def _real_terms(cls, terms: list[str]) -> list[str]:
        for term in terms:
            if not re.search(r"\w", term):
                raise ValueError(f"term {term!r} has no letters or digits")
        return terms


class ScoringSpec(_Strict):
    """How evidence is weighed (see the comments in the shipped topic file)."""

    window: int = Field(2, ge=1, le=10)
    lead_sentences: int = Field(4, ge=0)
    lead_weight: float = Field(2.0, ge=0)
    body_weight: float = Field(1.0, ge=0)
    title_weight: float = Field(3.0, ge=0)
    title_partial_weight: float = Field(1.0, ge=0)
    relation: list[str] = Field(default_factory=list)
    relation_title_weight: float = Field(2.0, ge=0)
    body_cap: float = Field(8.0, gt=0)
    context_below: float = Field(6.0, ge=0)


class TopicSpec(_Strict):
    """A topic file as written."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    title: str = Field(min_length=1)
    description: str = ""
    threshold: float = Field(gt=0)
    scoring: ScoringSpec = Field(default_factory=ScoringSpec)
    groups: list[GroupSpec] = Field(min_length=1)

    @field_validator("groups")
    @classmethod
    def _one_required(cls, groups: list[GroupSpec]) -> list[GroupSpec]:
        if not any(group.role == "required" for group in groups):
            raise ValueError("at least one group needs role = 'required'")
        names = [group.name for group in groups]
        if len(set(names)) != len(names):
            raise ValueError(f"group names must be unique (got {names})")
        return groups

    @model_validator(mode="after")
    def _relation_names_required_groups(self) -> TopicSpec:
        required = {group.name for group in self.groups if group.role == "required"}
        unknown = set(self.scoring.relation) - required
        if unknown:
            raise ValueError(f"scoring.relation names {sorted(unknown)}, which are not required groups")
        return self


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
        # Topic files hold long term lists: name the key, not the whole value.
        raise ConfigError(f"topic file {path}: {describe_validation_error(exc, show_input=False)}") from None
    if spec.name != path.stem:
        raise ConfigError(
            f"topic file {path}: 'name' is {spec.name!r} but must equal the file name {path.stem!r}"
        )
    return Topic(spec)


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
