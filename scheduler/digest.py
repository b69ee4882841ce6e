"""Building digests: every period a subscription's schedule says should exist, with its stories.

Catch-up driven: each run computes the period ends up to now, inserts the missing digest rows
(ON CONFLICT DO NOTHING) and, in the same transaction, chooses the stories, renders the message and
queues one delivery per recipient. Missed fires, double fires, restarts and DST therefore all
collapse to the same rows, and a re-send is byte-identical.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pantau.base.errors import ConfigError
from pantau.base.text import clean, safe_link
from pantau.base.topics import load_topic_specs
from pantau.scheduler import render
from pantau.scheduler.crash import crash_point
from pantau.scheduler.mail import check_address, message_id
from pantau.scheduler.schedules import Schedule, fire_times, parse_schedule
from pantau.storage import digests as store
from pantau.storage.digests import Candidate

if TYPE_CHECKING:
    import psycopg

    from pantau.base.settings import Settings, SubscriptionConfig

log = logging.getLogger(__name__)
CATCH_UP = timedelta(days=7)  # periods that ended longer ago than this are folded into the next one


@dataclass(frozen=True)
class Subscription:
    """A configured subscription, validated: parsed schedule, checked recipients, topic titles."""

    config: SubscriptionConfig
    schedule: Schedule
    recipients: list[str]
    topic_titles: list[str]

    @property
    def name(self) -> str:
        """The subscription's name (its key in the archive)."""
        return self.config.name


@dataclass(frozen=True)
class Built:
    """A digest this run created."""

    id: int
    subscription: str
    period_end: datetime
    status: str  # ready (queued for its recipients) or empty (nothing to send)
    subject: str
    text: str


def load_subscriptions(settings: Settings) -> list[Subscription]:
    """The configured subscriptions, validated; ConfigError naming the subscription and key."""
    titles = {topic.name: topic.title for topic in load_topic_specs(settings.topics_dir)}
    result = []
    for sub in settings.subscriptions:
        owner = f"subscription {sub.name!r}"
        unknown = [t for t in sub.topics if t not in titles]
        if unknown:
            raise ConfigError(
                f"{owner}: unknown topic(s) {unknown}; topics in {settings.topics_dir}: {sorted(titles)}"
            )
        recipients = [check_address(r, f"{owner} recipients") for r in sub.recipients]
        schedule = parse_schedule(sub.schedule, sub.timezone, owner=owner)
        result.append(Subscription(sub, schedule, recipients, [titles[t] for t in sub.topics]))
        if not recipients:
            log.warning("subscription %s has no recipients: no digests are built for it", sub.name)
    return result


def sync(conn: psycopg.Connection, subscriptions: list[Subscription], now: datetime) -> None:
    """Mirror the configured subscriptions into the archive (digests reference them)."""
    for sub in subscriptions:
        store.upsert_subscription(conn, sub.name, sub.config.model_dump(mode="json"), now)


def periods(conn: psycopg.Connection, sub: Subscription, now: datetime) -> list[tuple[datetime, datetime]]:
    """The (start, end] periods due by `now` that have no digest yet, oldest first, chained."""
    anchor = store.last_period_end(conn, sub.name) or store.subscription_created_at(conn, sub.name)
    ends = list(fire_times(sub.schedule, max(anchor, now - CATCH_UP), now))
    if sub.schedule.immediate:
        ends = ends[-1:]  # as-it-happens: one period up to the latest slice end
    if not ends:
        return []
    starts = [anchor, *ends[:-1]]
    return list(zip(starts, ends, strict=True))


def build_due(
    conn: psycopg.Connection,
    settings: Settings,
    subscriptions: list[Subscription],
    now: datetime,
    *,
    health: list[str],
) -> list[Built]:
    """Create every due digest of the given subscriptions, one transaction per period."""
    built = []
    for sub in subscriptions:
        if not sub.recipients:
            continue
        for start, end in periods(conn, sub, now):
            crash_point("before_build")
            with conn.transaction():
                digest = build_one(conn, settings, sub, start, end, now, health=health)
            crash_point("after_build")
            if digest is not None:
                built.append(digest)
    return built


@dataclass(frozen=True)
class Plan:
    """One period's stories and message, before anything is written."""

    chosen: list[tuple[Candidate, bool]]  # (story, updated since an earlier digest), best first
    rescored: list[Candidate]  # put on the topic by a rescore (include_rescored), a section of their own
    content: render.Rendered
    send: bool  # false: nothing to send, the digest is recorded as 'empty'


def plan_one(
    conn: psycopg.Connection,
    settings: Settings,
    sub: Subscription,
    start: datetime,
    end: datetime,
    *,
    health: list[str],
) -> Plan | None:
    """The stories and rendered message of one period, writing nothing; None for an empty live slice."""
    params = _selection(settings, sub, start, end)
    new = _best_per_cluster(store.candidates(conn, params, updated=False))
    changed = _best_per_cluster(store.candidates(conn, params, updated=True))
    rescored = _rescored(conn, sub, params, {c.cluster for c in new})
    if not new and not changed and not rescored and sub.schedule.immediate:
        return None  # no row: the next slice's period starts where this one did
    chosen = [(c, False) for c in new] + [(c, True) for c in changed]
    entries = _entries(conn, sub, chosen, end)
    entries += _entries(conn, sub, [(c, False) for c in rescored], end, rescored=True)
    content = render.render(
        entries,
        topic_titles=sub.topic_titles,
        period_end_local=end.astimezone(sub.schedule.zone),
        period_label=_period_label(start, end, sub.schedule.zone),
        health=health,
        unsubscribe_url=settings.mail.unsubscribe_url or None,
    )
    return Plan(chosen, rescored, content, bool(chosen or rescored) or sub.config.send_empty)


def build_one(
    conn: psycopg.Connection,
    settings: Settings,
    sub: Subscription,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    health: list[str],
) -> Built | None:
    """Create one period's digest with its stories, message and deliveries (caller's transaction).

    None when the period already has a digest, or when it is an empty as-it-happens slice.
    """
    plan = plan_one(conn, settings, sub, start, end, health=health)
    if plan is None:
        return None
    digest_id = store.insert_digest(conn, sub.name, start, end, now)
    if digest_id is None:
        return None
    for rank, (candidate, updated) in enumerate(plan.chosen, start=1):
        store.insert_item(conn, digest_id, candidate, rank, updated=updated)
    for rank, candidate in enumerate(plan.rescored, start=len(plan.chosen) + 1):
        store.insert_item(conn, digest_id, candidate, rank, updated=False, rescored=True)
    content = plan.content
    status = "ready" if plan.send else "empty"
    store.set_content(
        conn,
        digest_id,
        subject=content.subject,
        body_text=content.text,
        body_html=content.html,
        message_id=message_id(digest_id, "", settings.mail.sender),
        status=status,
        finished_at=None if plan.send else now,
    )
    if plan.send:
        for recipient in sub.recipients:
            store.add_delivery(
                conn, digest_id, recipient, message_id(digest_id, recipient, settings.mail.sender), now
            )
    log.info(
        "digest built: %d stories, %s",
        len(plan.chosen) + len(plan.rescored),
        "queued" if plan.send else "nothing to send",
        extra={"subscription": sub.name, "digest_id": digest_id},
    )
    return Built(digest_id, sub.name, end, status, content.subject, content.text)


def _selection(settings: Settings, sub: Subscription, start: datetime, end: datetime) -> dict[str, Any]:
    return {
        "subscription": sub.name,
        "start": start,
        "end": end,
        "topics": sub.config.topics,
        "min_score": sub.config.min_score,
        "include_backfill": sub.config.include_backfill,
        "languages": settings.languages,
    }


def _rescored(
    conn: psycopg.Connection, sub: Subscription, params: dict[str, Any], listed: set[int]
) -> list[Candidate]:
    """Stories a rescore put on the topic in the period, if the subscription asks for them."""
    if not sub.config.include_rescored:
        return []
    found = _best_per_cluster(store.candidates(conn, params, kind="rescored"))
    return [c for c in found if c.cluster not in listed]


def _best_per_cluster(candidates: list[Candidate]) -> list[Candidate]:
    """One article per story: the best-scoring (then earliest id); stories best first, then newest."""
    best: dict[int, Candidate] = {}
    for cand in sorted(candidates, key=lambda c: (-c.score, c.id)):
        best.setdefault(cand.cluster, cand)
    epoch = datetime.min.replace(tzinfo=ZoneInfo("UTC"))
    return sorted(best.values(), key=lambda c: (-c.score, -(c.published_at or epoch).timestamp(), c.id))


def _entries(
    conn: psycopg.Connection,
    sub: Subscription,
    chosen: list[tuple[Candidate, bool]],
    end: datetime,
    rescored: bool = False,
) -> list[render.Entry]:
    rows = store.entry_rows(conn, [c.id for c, _ in chosen], sub.config.topics, end)
    zone = sub.schedule.zone
    return [_entry(rows[c.id], zone, updated, rescored) for c, updated in chosen]


def _entry(row: store.EntryRow, zone: ZoneInfo, updated: bool, rescored: bool) -> render.Entry:
    """One story as the reader sees it: its canonical link, snippet, and who else carried it when."""
    return render.Entry(
        title=clean(row.title),
        outlet=render.outlet_name(row.site),
        published=render.local_time(row.published_at, zone),
        url=safe_link(row.canonical_url),
        snippet=render.snippet(row.title, row.lead, row.body, row.terms),
        also=render.also_reported(
            list(zip(row.also_sites, row.also_times, strict=True)), zone, row.published_at
        ),
        updated=updated,
        rescored=rescored,
    )


def _period_label(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    return f"Stories first seen {render.local_time(start, zone)} – {render.local_time(end, zone)}"
