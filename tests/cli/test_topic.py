"""`pantau topic eval` and `pantau topic list` end to end, in a subprocess as a user runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from pantau.base.settings import PACKAGE_TOPICS_DIR
from pantau.pipelines.topics import load_topics
from tests.support.helpers import FILES, run_pantau

LABELLED = FILES / "topics" / "labelled.jsonl"


def pantau(*args: str, home: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """`pantau ARGS` in a subprocess with XDG dirs and working directory in `home`."""
    return run_pantau(*args, home=home, cwd=home, **variables)


def expected_counts(path: Path, *, skip_ambiguous: bool = False) -> dict[str, int]:
    """Confusion counts computed here, from the topic's own scores and the file's labels."""
    topic = load_topics(PACKAGE_TOPICS_DIR)[0]
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for line in path.read_text(encoding="utf-8").splitlines():
        story = json.loads(line)
        if skip_ambiguous and story.get("ambiguous"):
            continue
        predicted = topic.score(story.get("title", ""), story["text"]).on_topic
        key = ("t" if predicted == bool(story["label"]) else "f") + ("p" if predicted else "n")
        counts[key] += 1
    return counts


def figures(c: dict[str, int]) -> str:
    precision = c["tp"] / (c["tp"] + c["fp"])
    recall = c["tp"] / (c["tp"] + c["fn"])
    f1 = 2 * precision * recall / (precision + recall)
    return f"precision={precision:.3f} recall={recall:.3f} f1={f1:.3f}"


def test_eval_prints_counts_and_ends_with_the_figures(tmp_path):
    result = pantau("topic", "eval", str(LABELLED), home=tmp_path)
    assert result.returncode == 0, result.stderr
    counts = expected_counts(LABELLED)
    # The labelled set holds two stories the topic gets wrong on purpose (a Russian speaker quoted on
    # a North Korean missile; a history piece) and one it misses (no country named): the counts show it.
    assert counts == {"tp": 6, "fp": 2, "fn": 1, "tn": 6}
    lines = result.stdout.strip().splitlines()
    assert "tp=6 fp=2 fn=1 tn=6" in lines
    assert lines[-1] == figures(counts) == "precision=0.750 recall=0.857 f1=0.800"
    assert "15 stories" in lines[0]


def test_eval_unambiguous_and_baseline(tmp_path):
    result = pantau("topic", "eval", str(LABELLED), "--unambiguous", "--baseline", home=tmp_path)
    assert result.returncode == 0, result.stderr
    counts = expected_counts(LABELLED, skip_ambiguous=True)
    assert counts["fn"] == 0
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == figures(counts)
    assert "14 stories" in lines[0]
    baseline = [line for line in lines if line.startswith("baseline precision=")]
    assert len(baseline) == 1
    # besides the two the topic gets wrong, the plain AND takes the tourism story with a "Baca juga"
    # link, the Russia–Iran treaty naming North Korea in passing, and the missile test
    assert "fp=5" in next(line for line in lines if line.startswith("baseline (plain AND)"))


def test_eval_lists_errors_when_asked(tmp_path):
    result = pantau("topic", "eval", str(LABELLED), "--errors", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "false negative: t07" in result.stdout
    assert "false positive: t14" in result.stdout
    assert "false positive: t15" in result.stdout


def test_eval_reads_topics_from_the_configured_folder(tmp_path):
    topics = tmp_path / "topics"
    topics.mkdir()
    shutil.copy(PACKAGE_TOPICS_DIR / "nk-russia-arms.toml", topics / "nk-russia-arms.toml")
    (topics / "palm-oil.toml").write_text(
        'name = "palm-oil"\ntitle = "Sawit"\nthreshold = 1\n[[groups]]\nname = "palm"\nterms = ["sawit"]\n',
        encoding="utf-8",
    )
    stories = tmp_path / "palm.jsonl"
    stories.write_text(
        '{"text": "Harga sawit naik.", "label": 1}\n{"text": "Harga cabai naik.", "label": 0}\n',
        encoding="utf-8",
    )
    env = {"PANTAU_TOPICS_DIR": str(topics)}
    result = pantau("topic", "eval", str(stories), "--topic", "palm-oil", home=tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-2:] == [
        "tp=1 fp=0 fn=0 tn=1",
        "precision=1.000 recall=1.000 f1=1.000",
    ]
    listed = pantau("topic", "list", home=tmp_path, **env)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "nk-russia-arms\tKorea Utara–Rusia\tthreshold=3",
        "palm-oil\tSawit\tthreshold=1",
    ]


def test_eval_errors_name_the_problem(tmp_path):
    unknown = pantau("topic", "eval", str(LABELLED), "--topic", "weather", home=tmp_path)
    assert unknown.returncode == 2
    assert "no topic named 'weather' (known: nk-russia-arms)" in unknown.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "a", "label": 1}\n{"text": "b", "label": "yes"}\n', encoding="utf-8")
    result = pantau("topic", "eval", str(bad), home=tmp_path)
    assert result.returncode == 2
    assert f"{bad}:2: 'label' must be 1 (on topic) or 0 (not)" in result.stderr
    bad.write_text('{"text": "a", "label": 1}\nnot json\n', encoding="utf-8")
    result = pantau("topic", "eval", str(bad), home=tmp_path)
    assert result.returncode == 2
    assert f"{bad}:2: not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr
