"""Re-extraction: the current site rules run on every stored story's raw HTML (all its pages).

This is our extractor improving, not the site editing its story: a changed story is updated in
place (no version, no update time, so no "updated" digest entry) and rescored; an unchanged one is
not written at all. A page the current rules cannot extract any more keeps its stored text and is
named in the report. Batches as in rescoring: extracted outside the transaction, written in one.
"""

from __future__ import annotations

import difflib
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pantau.base.errors import ConfigError
from pantau.base.fingerprints import content_hash, simhash
from pantau.base.sites import load_site_data, site_file
from pantau.pipelines.extract import ExtractionError, extract_article
from pantau.pipelines.language import detect_language, html_lang
from pantau.pipelines.metadata import compile_selector
from pantau.pipelines.rescore import Progress, RescoreReport, score_stories
from pantau.pipelines.rules import ExtractionRules
from pantau.storage import reprocess as store
from pantau.storage.articles import clean
from pantau.storage.reprocess import StoredPage, StoryText

if TYPE_CHECKING:
    import psycopg

    from pantau.pipelines.topics import Topic
    from pantau.storage.db import Database

BATCH_SIZE = 100
FIELDS = ("title", "lead", "text", "dates", "language")
_SELECTOR_KEYS = ("title", "lead", "authors", "section", "tags", "body", "drop", "visible_date")
_DIFF_LINES = 12


@dataclass
class SiteTally:
    """What re-extraction found on one site."""

    stories: int = 0
    changed: int = 0
    fields: Counter[str] = field(default_factory=Counter)
    failed: list[str] = field(default_factory=list)  # "URL: reason", the story kept its text
    examples: list[str] = field(default_factory=list)  # unified diffs of a few changed stories


@dataclass
class ReextractReport:
    """What a re-extraction run did (or, dry, would do), per site, and the rescoring that followed."""

    total: int = 0
    done: int = 0
    sites: dict[str, SiteTally] = field(default_factory=dict)
    rescore: RescoreReport = field(default_factory=RescoreReport)
    interrupted: bool = False


def check_rules(sites: Sequence[str]) -> dict[str, ExtractionRules]:
    """Each site's current extraction rules, every selector compiled; ConfigError names the site file."""
    rules = {}
    for site in sites:
        try:
            rules[site] = ExtractionRules.from_mapping(load_site_data(site))
            for key in _SELECTOR_KEYS:
                for spec in getattr(rules[site], key):
                    compile_selector(spec)
        except (ValueError, KeyError) as exc:  # a SiteFileError (unreadable, bad TOML) names the file itself
            raise ConfigError(f"site file {site_file(site)}: {exc}; fix it and run again") from None
    return rules


def reextract(
    db: Database,
    rules: dict[str, ExtractionRules],
    topics: Sequence[Topic],
    *,
    since: datetime | None = None,
    dry_run: bool = False,
    examples: int = 3,
    batch_size: int = BATCH_SIZE,
    stop: threading.Event | None = None,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ReextractReport:
    """Re-extract the stored stories of the sites in `rules`; `stop` ends it between two batches."""
    sites = sorted(rules)
    report = ReextractReport(sites={site: SiteTally() for site in sites})
    for topic in topics:
        report.rescore.tally(topic.name)
    with db.connection() as conn:
        report.total = store.count_raw(conn, sites, since)
        after = 0
        while True:
            if stop is not None and stop.is_set():
                report.interrupted = True
                break
            batch = store.raw_batch(conn, sites, after=after, since=since, limit=batch_size)
            if not batch:
                break
            changes = [(page, new) for page in batch if (new := _one(page, rules, report, examples))]
            if changes:
                _write(conn, changes, topics, report, dry_run=dry_run, now=clock())
            report.done += len(batch)
            after = batch[-1].id
            if progress is not None:
                progress(report.done, max(report.total, report.done))
    return report


def _write(
    conn: psycopg.Connection,
    changes: list[tuple[StoredPage, dict[str, Any]]],
    topics: Sequence[Topic],
    report: ReextractReport,
    *,
    dry_run: bool,
    now: datetime,
) -> None:
    """Rescore the changed stories on their new text; unless dry, store both in one transaction."""
    texts = [StoryText(page.id, new["title"], new["body"], new["content_hash"]) for page, new in changes]
    old = store.batch_scores(conn, [page.id for page, _ in changes], [topic.name for topic in topics])
    scores = score_stories(texts, topics, old, report.rescore, stale_only=False)
    report.rescore.stories += len(changes)
    if dry_run:
        return
    with conn.transaction():
        for page, new in changes:
            store.update_extracted(conn, page.id, new)
        store.write_scores(conn, scores, now)


def _one(
    page: StoredPage, rules: dict[str, ExtractionRules], report: ReextractReport, examples: int
) -> dict[str, Any] | None:
    """The story's new values if its extraction changed, else None (failures are counted)."""
    tally = report.sites[page.site]
    tally.stories += 1
    pages = page.pages()
    try:
        found = extract_article(pages[0], page.url, rules[page.site], pages[1:], now=page.first_seen_at)
    except ExtractionError as exc:
        tally.failed.append(f"{page.canonical_url}: {exc.reason}")
        return None
    language, probability = detect_language(found.text, html_lang(pages[0]))
    body = clean(found.text)
    new = {
        "title": clean(found.title).strip(),
        "lead": clean(found.lead) if found.lead else None,
        "body": body,
        "published_at": found.published_at,
        "date_source": found.date_source,
        "language": language,
        "language_prob": probability,
    }
    changed = _changed_fields(page, new)
    if not changed:
        return None
    new.update(content_hash=content_hash(body), simhash=simhash(body))  # only for a story to write
    tally.changed += 1
    tally.fields.update(changed)
    if len(tally.examples) < examples:
        tally.examples.append(_diff(page, new, changed))
    return new


def _changed_fields(page: StoredPage, new: dict[str, Any]) -> list[str]:
    dates_changed = new["published_at"] is not None and (
        new["published_at"] != page.published_at or new["date_source"] != page.date_source
    )
    flags = {
        "title": new["title"] != page.title,
        "lead": new["lead"] != page.lead,
        "text": new["body"] != page.body,
        "dates": dates_changed,
        "language": new["language"] != page.language,
    }
    return [name for name in FIELDS if flags[name]]


def _diff(page: StoredPage, new: dict[str, Any], changed: list[str]) -> str:
    """A short unified diff of the changed fields of one story, headed by its URL."""
    old = {
        "title": page.title,
        "lead": page.lead,
        "text": page.body,
        "dates": f"{page.published_at} ({page.date_source})",
        "language": page.language,
    }
    now = {
        "title": new["title"],
        "lead": new["lead"],
        "text": new["body"],
        "dates": f"{new['published_at']} ({new['date_source']})",
        "language": new["language"],
    }
    lines = [page.canonical_url]
    for name in changed:
        before, after = str(old[name] or "").splitlines(), str(now[name] or "").splitlines()
        diff = list(
            difflib.unified_diff(before, after, f"{name} (stored)", f"{name} (now)", n=0, lineterm="")
        )
        lines += diff[:_DIFF_LINES] + (["  …"] if len(diff) > _DIFF_LINES else [])
    return "\n".join(lines)
