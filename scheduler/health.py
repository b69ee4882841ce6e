"""Site health: small named checks with explicit thresholds (config [health]).

- failures in a row: the last `failures_in_a_row` crawls that reached a verdict all failed, were
  blocked, timed out, crashed or were suspect (skipped/interrupted/abandoned runs say nothing);
- quiet: no new story for longer than `quiet_factor` x the site's own usual gap between batches of
  new stories (90th percentile over `history_days`), never less than `quiet_min_hours`; or longer
  than the site's explicit `quiet_hours`;
- item count (layout changed): the latest finished crawl's listings held fewer article links than
  `min_links` (per site, default 1) and no listing answered 304 Not Modified;
- field coverage: the site's body selector matched fewer than `body_coverage` of the stories the
  latest finished crawl fetched (named with sample URLs).

A flag shows in `pantau status`, in the footer of the next digest, and in the log when it changes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pantau.storage import status as store
from pantau.storage.status import Run

if TYPE_CHECKING:
    import psycopg

    from pantau.base.settings import Settings

log = logging.getLogger(__name__)
BAD_STATUSES = ("failed", "timeout", "crashed", "blocked", "suspect")
SILENT_STATUSES = ("running", "skipped", "interrupted", "abandoned")
MIN_GAPS = 5  # batches needed before a site's usual gap means anything


@dataclass(frozen=True)
class SiteHealth:
    """One site's state: last run, when the next is due, and what is wrong (empty: healthy)."""

    site: str
    last_run: Run | None
    next_run: datetime | None
    flags: list[str]


def _kind(status: str) -> str:
    head = status.split(":", 1)[0]
    if head in BAD_STATUSES:
        return "bad"
    return "silent" if head in SILENT_STATUSES else "good"


def failing_runs(runs: list[Run], threshold: int) -> str | None:
    """A flag if the latest `threshold` runs with a verdict were all bad, else None."""
    verdicts = [run for run in runs if _kind(run.status) != "silent"][:threshold]
    if len(verdicts) < threshold or any(_kind(run.status) != "bad" for run in verdicts):
        return None
    last = verdicts[0]
    detail = f"{last.status}: {last.reason}" if last.reason else last.status
    return f"its last {threshold} crawls failed or were blocked (latest: {detail})"


def suspect_run(runs: list[Run], settings: Settings, site: str) -> list[str]:
    """Flags from the latest finished crawl: too few article links, or poor body-selector coverage."""
    last = next((run for run in runs if run.status == "finished"), None)
    if last is None:
        return []
    counts, flags = last.counts, []
    links, least = int(counts.get("discovered", 0)), settings.health.min_links.get(site, 1)
    if links < least and not counts.get("status_304"):
        flags.append(
            f"suspect: item_count: crawl run {last.id} found {links} article link(s) on its listings"
            f" (at least {least} expected); has the site's layout changed?"
        )
    fetched, missed = int(counts.get("fetched", 0)), int(counts.get("missed_body", 0))
    if fetched and (fetched - missed) / fetched < settings.health.body_coverage:
        samples = [e["url"] for e in last.errors if e.get("error", "").startswith("body selector")][:3]
        flags.append(
            f"suspect: field coverage: the body selector matched {fetched - missed} of {fetched} stories"
            f" in crawl run {last.id} (e.g. {', '.join(samples) or 'no sample'})"
        )
    return flags


def quiet_limit(settings: Settings, site: str, usual_gap: float | None, gaps: int) -> timedelta | None:
    """How long the site may go without a new story; None when its history is too short to say."""
    explicit = settings.health.quiet_hours.get(site)
    if explicit is not None:
        return timedelta(hours=explicit)
    if usual_gap is None or gaps < MIN_GAPS:
        return None
    learned = timedelta(seconds=usual_gap * settings.health.quiet_factor)
    return max(learned, timedelta(hours=settings.health.quiet_min_hours))


def assess(conn: psycopg.Connection, settings: Settings, site: str, now: datetime) -> SiteHealth:
    """Evaluate both checks for one site at `now`."""
    runs = store.recent_runs(conn, site, limit=max(20, settings.health.failures_in_a_row * 4))
    flags = []
    failing = failing_runs(runs, settings.health.failures_in_a_row)
    if failing:
        flags.append(failing)
    flags += suspect_run(runs, settings, site)
    fresh = store.freshness(conn, site, now, timedelta(days=settings.health.history_days))
    limit = quiet_limit(settings, site, fresh.usual_gap, fresh.gaps)
    if limit is not None and fresh.last_article is not None and now - fresh.last_article > limit:
        hours = (now - fresh.last_article).total_seconds() / 3600
        flags.append(f"no new story for {hours:.0f} h (usually at most {limit.total_seconds() / 3600:.1f} h)")
    last = runs[0] if runs else None
    interval = timedelta(minutes=settings.crawl.interval_minutes)
    next_run = max(last.started_at + interval, now) if last else now
    return SiteHealth(site, last, next_run, flags)


def assess_all(conn: psycopg.Connection, settings: Settings, now: datetime) -> list[SiteHealth]:
    """Every configured site's health."""
    return [assess(conn, settings, site, now) for site in settings.crawl.sites]


def record(conn: psycopg.Connection, health: SiteHealth, now: datetime) -> None:
    """Store the site's flag; log a warning when it turns unhealthy and a note when it recovers."""
    before = store.site_flag(conn, health.site)
    flagged = bool(health.flags)
    store.set_site_flag(conn, health.site, flagged, health.flags, now)
    was_flagged = before[0] if before else False
    if flagged and not was_flagged:
        log.warning("site is unhealthy: %s", "; ".join(health.flags), extra={"site": health.site})
    elif was_flagged and not flagged:
        log.info("site is healthy again", extra={"site": health.site})


def footer_lines(healths: list[SiteHealth]) -> list[str]:
    """One line per flagged site, for a digest's footer."""
    from pantau.scheduler.render import outlet_name

    return [f"{outlet_name(h.site)}: {'; '.join(h.flags)}" for h in healths if h.flags]
