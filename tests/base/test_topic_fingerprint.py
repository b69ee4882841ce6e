"""A topic's fingerprint: what decides its scores, and nothing else."""

from __future__ import annotations

from typing import Any

from pantau.base.settings import PACKAGE_TOPICS_DIR
from pantau.base.topics import TopicSpec, load_topic_spec, topic_fingerprint

SHIPPED = load_topic_spec(PACKAGE_TOPICS_DIR / "nk-russia-arms.toml")


def _changed(**changes: Any) -> TopicSpec:
    return TopicSpec(**{**SHIPPED.model_dump(), **changes})


def test_the_fingerprint_is_stable_and_ignores_names_and_words_for_readers() -> None:
    assert topic_fingerprint(SHIPPED) == topic_fingerprint(_changed())
    assert len(topic_fingerprint(SHIPPED)) == 16
    renamed = _changed(name="nk-copy", title="Another title", description="Other words")
    assert topic_fingerprint(renamed) == topic_fingerprint(SHIPPED)


def test_threshold_terms_and_scoring_change_the_fingerprint() -> None:
    groups = SHIPPED.model_dump()["groups"]
    groups[0]["terms"] = [*groups[0]["terms"], "Hwasong-11"]
    scoring = {**SHIPPED.scoring.model_dump(), "window": SHIPPED.scoring.window + 1}
    variants = [_changed(threshold=1000), _changed(groups=groups), _changed(scoring=scoring)]
    prints = {topic_fingerprint(SHIPPED), *(topic_fingerprint(spec) for spec in variants)}
    assert len(prints) == 4
