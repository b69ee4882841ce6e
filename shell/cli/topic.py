"""`pantau topic`: list the topics and measure one against labelled stories."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pantau.base.errors import PantauError
from pantau.cli.app import pass_app

if TYPE_CHECKING:
    from pantau.cli.app import App
    from pantau.pipelines.topics import Topic

DEFAULT_TOPIC = "nk-russia-arms"


@dataclass(frozen=True)
class LabelledStory:
    """One line of an evaluation file."""

    id: str
    title: str
    text: str
    label: bool
    ambiguous: bool


@dataclass
class Confusion:
    """Counts of a binary classifier against labels, and the figures derived from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, label: bool) -> None:
        """Count one prediction."""
        if predicted:
            self.tp, self.fp = self.tp + label, self.fp + (not label)
        else:
            self.fn, self.tn = self.fn + label, self.tn + (not label)

    @property
    def precision(self) -> float:
        """Share of predicted on-topic stories that are on topic (0 when none predicted)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """Share of on-topic stories that were found (0 when there are none)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def figures(self) -> str:
        """The one-line summary: ``precision=P recall=R f1=F`` with three decimals."""
        return f"precision={self.precision:.3f} recall={self.recall:.3f} f1={self.f1:.3f}"


def read_labelled(path: Path) -> list[LabelledStory]:
    """Parse a JSON Lines file of {text, title?, label, id?, ambiguous?}; PantauError names the line."""
    stories = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                stories.append(_parse_line(line, f"{path}:{number}"))
    if not stories:
        raise PantauError(f"{path} holds no labelled stories; expected one JSON object per line")
    return stories


def _parse_line(line: str, where: str) -> LabelledStory:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise PantauError(f"{where}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise PantauError(f"{where}: expected an object with a string 'text'")
    if data.get("label") not in (0, 1) or isinstance(data.get("label"), bool):
        raise PantauError(f"{where}: 'label' must be 1 (on topic) or 0 (not), got {data.get('label')!r}")
    title = data.get("title") or ""
    if not isinstance(title, str):
        raise PantauError(f"{where}: 'title' must be a string")
    ident = str(data.get("id", where.rsplit(":", 1)[-1]))
    return LabelledStory(ident, title, data["text"], data["label"] == 1, bool(data.get("ambiguous")))


def evaluate(stories: Iterable[LabelledStory], predict: Callable[[LabelledStory], bool]) -> Confusion:
    """The confusion counts of ``predict`` over the stories."""
    confusion = Confusion()
    for story in stories:
        confusion.add(predict(story), story.label)
    return confusion


def baseline(topic: Topic, story: LabelledStory) -> bool:
    """The plain AND: every required group occurs somewhere in the title or text."""
    whole = f"{story.title}\n{story.text}"
    return all(group.pattern.search(whole) for group in topic.required)


def pick_topic(topics: list[Topic], name: str) -> Topic:
    """The topic called ``name``; PantauError lists the known names otherwise."""
    for topic in topics:
        if topic.name == name:
            return topic
    known = ", ".join(topic.name for topic in topics)
    raise PantauError(f"no topic named {name!r} (known: {known}); check --topic or topics_dir")


@click.group()
def topic() -> None:
    """List topics and evaluate them against labelled stories."""


@topic.command("list")
@pass_app
def topic_list(app: App) -> None:
    """Print each topic's name, title and threshold."""
    from pantau.pipelines.topics import load_topics

    for each in load_topics(app.settings.topics_dir):
        click.echo(f"{each.name}\t{each.title}\tthreshold={each.threshold:g}")


@topic.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--topic", "name", default=DEFAULT_TOPIC, show_default=True, help="Topic to evaluate.")
@click.option("--baseline", "show_baseline", is_flag=True, help="Also print the plain-AND baseline.")
@click.option("--unambiguous", is_flag=True, help='Skip stories marked "ambiguous": true.')
@click.option("--errors", "show_errors", is_flag=True, help="List each misclassified story and why.")
@pass_app
def topic_eval(
    app: App, file: Path, name: str, show_baseline: bool, unambiguous: bool, show_errors: bool
) -> None:
    """Score labelled JSON Lines stories; print confusion counts, then precision, recall and F1."""
    from pantau.pipelines.topics import load_topics

    chosen = pick_topic(load_topics(app.settings.topics_dir), name)
    stories = [s for s in read_labelled(file) if not (unambiguous and s.ambiguous)]
    scores = {s.id: chosen.score(s.title, s.text) for s in stories}
    confusion = evaluate(stories, lambda s: scores[s.id].on_topic)
    click.echo(
        f"topic {chosen.name} ({chosen.title}), threshold {chosen.threshold:g}, {len(stories)} stories"
    )
    if show_errors:
        for s in stories:
            if scores[s.id].on_topic != s.label:
                _echo_error(s, scores[s.id])
    if show_baseline:
        plain = evaluate(stories, lambda s: baseline(chosen, s))
        click.echo(f"baseline (plain AND): tp={plain.tp} fp={plain.fp} fn={plain.fn} tn={plain.tn}")
        click.echo(f"baseline {plain.figures()}")
    click.echo(f"tp={confusion.tp} fp={confusion.fp} fn={confusion.fn} tn={confusion.tn}")
    click.echo(confusion.figures())


def _echo_error(story: LabelledStory, score: Any) -> None:
    kind = "false negative" if story.label else "false positive"
    terms = ", ".join(score.matched_terms) or "-"
    click.echo(f"{kind}: {story.id} score={score.score:g} [{terms}] {story.title[:80]}")
