"""Sending queued deliveries: claim one (committed), send it, mark the outcome at once.

The order is what makes delivery exactly-once in practice. A claim is committed before the mail
server is contacted, so two senders never hold the same delivery; `sent` is committed right after
the server accepted, so the one window left (accepted, then the process dies before that commit)
is a single statement long. A claim older than the lease is returned to `pending` by the sweep, and
the re-sent message carries the same Message-ID, so a duplicate from that window is recognisable.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pantau.scheduler.crash import crash_point
from pantau.scheduler.mail import Letter, PermanentFailure, TransientFailure, compose, recipient_hash
from pantau.storage import digests as store

if TYPE_CHECKING:
    from pantau.base.settings import Settings
    from pantau.scheduler.mail import Transport
    from pantau.storage.db import Database
    from pantau.storage.digests import Claimed

log = logging.getLogger(__name__)
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)


@dataclass
class SendReport:
    """What one pass over the outbox did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    swept: list[int] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """Delay before the next attempt after `attempts` transient failures: 1, 2, 4 ... 60 minutes."""
    delay: timedelta = BACKOFF_FIRST * 2 ** max(0, attempts - 1)
    return min(BACKOFF_MAX, delay)


def send_due(
    db: Database,
    settings: Settings,
    transport: Transport,
    clock: Callable[[], datetime],
    *,
    stop: threading.Event | None = None,
    subscription: str | None = None,
) -> SendReport:
    """Send every due delivery (optionally of one subscription) until none is left or `stop` is set."""
    report = SendReport()
    now = clock()
    with db.connection() as conn:
        report.swept = store.sweep_leases(conn, now, now - timedelta(minutes=settings.mail.lease_minutes))
    if report.swept:
        log.warning(
            "deliveries %s were left 'sending' by a sender that died; they are queued again", report.swept
        )
    while stop is None or not stop.is_set():
        with db.connection() as conn:  # autocommit: the claim is committed by this statement
            claimed = store.claim(conn, clock(), subscription)
        if claimed is None:
            break
        outcome = deliver(db, settings, transport, claimed, clock)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def deliver(
    db: Database, settings: Settings, transport: Transport, claimed: Claimed, clock: Callable[[], datetime]
) -> str:
    """Send one claimed delivery and record the outcome: 'sent', 'retrying' or 'failed'."""
    extra = {"digest_id": claimed.digest_id}
    with db.connection() as conn:
        digest = store.stored_digest(conn, claimed.digest_id)
    letter = Letter(
        sender=settings.mail.sender,
        recipient=claimed.recipient,
        subject=digest.subject,
        text=digest.body_text,
        html=digest.body_html,
        message_id=claimed.message_id,
        date=digest.created_at,
        unsubscribe_url=settings.mail.unsubscribe_url or None,
    )
    key = f"digest-{claimed.digest_id}-{recipient_hash(claimed.recipient)}"
    try:
        transport.send(compose(letter), claimed.recipient, key)
    except TransientFailure as exc:
        return _transient(db, settings, claimed, str(exc), clock())
    except PermanentFailure as exc:
        with db.connection() as conn:
            store.mark_failed(conn, claimed.id, _one_line(str(exc)))
            store.finish_digest(conn, claimed.digest_id, clock())
        log.error(
            "digest delivery to %s failed for good: %s", claimed.recipient, _one_line(str(exc)), extra=extra
        )
        return "failed"
    crash_point("after_send")
    with db.connection() as conn:
        store.mark_sent(conn, claimed.id, clock())
        store.finish_digest(conn, claimed.digest_id, clock())
    log.info("digest sent to %s via %s", claimed.recipient, transport.description, extra=extra)
    return "sent"


def _transient(db: Database, settings: Settings, claimed: Claimed, error: str, now: datetime) -> str:
    extra = {"digest_id": claimed.digest_id}
    error = _one_line(error)
    with db.connection() as conn:
        if claimed.attempts >= settings.mail.max_attempts:
            store.mark_failed(conn, claimed.id, f"gave up after {claimed.attempts} attempts: {error}")
            store.finish_digest(conn, claimed.digest_id, now)
            log.error(
                "digest delivery to %s failed after %d attempts: %s",
                claimed.recipient,
                claimed.attempts,
                error,
                extra=extra,
            )
            return "failed"
        retry_at = now + backoff(claimed.attempts)
        store.mark_retry(conn, claimed.id, error, retry_at)
    log.warning(
        "digest delivery to %s failed (attempt %d), retrying at %s: %s",
        claimed.recipient,
        claimed.attempts,
        retry_at.isoformat(timespec="seconds"),
        error,
        extra=extra,
    )
    return "retrying"


def _one_line(text: str) -> str:
    return " ".join(text.split())[:500]
