"""Every fact a comment, docstring or site file cites is in the repository: docs/ has the section it names."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITATION = re.compile(r"docs/(sites|reliability)\.md((?:,? \d+(?:\.\d+)?)+)")
OUTSIDE = re.compile(r"(?<![\w/])(?:SITES|RELIABILITY)\.md")  # the research notes that never ship
HEADING = re.compile(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", re.MULTILINE)


def _tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    names = [n for n in listed.split("\0") if n.endswith((".py", ".toml", ".md", ".sh", ".sql"))]
    return [ROOT / n for n in names if not n.startswith("docs/") and (ROOT / n).is_file()]


def _sections(doc: str) -> set[str]:
    return set(HEADING.findall((ROOT / "docs" / f"{doc}.md").read_text(encoding="utf-8")))


def test_every_cited_section_exists():
    sections = {doc: _sections(doc) for doc in ("sites", "reliability")}
    cited: list[tuple[str, str, str]] = []
    for path in _tracked_text_files():
        for doc, numbers in CITATION.findall(path.read_text(encoding="utf-8")):
            cited += [(path.name, doc, n) for n in re.findall(r"\d+(?:\.\d+)?", numbers)]
    assert len(cited) >= 20  # the four site files, the crawl settings, middlewares, extension, extraction
    missing = [c for c in cited if c[2] not in sections[c[1]]]
    assert missing == []


def test_nothing_cites_notes_outside_the_repository():
    cites = [
        f"{path.relative_to(ROOT)}:{n + 1}"
        for path in _tracked_text_files()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines())
        if OUTSIDE.search(line)
    ]
    assert cites == []
