"""Downloader middlewares that keep a crawl polite: Retry-After for 429 (555), block pages (560).

RetryAfter retries HTTP 429 after the server's Retry-After, pausing the host; BlockPage turns
Cloudflare and AWS WAF challenge pages into errors before anything parses them, and stops
requesting a host after `blocked_after` of them in a row.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from scrapy import signals

from pantau.crawler.middlewares import BlockedPage, Refused, host_of, inc_stat
from pantau.crawler.site_rules import crawl_site

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response


log = logging.getLogger(__name__)


def block_reason(status: int, headers: Mapping[str, str], body: bytes) -> str | None:
    """Why a response is a block/challenge page rather than content, or None if it is content.

    Cloudflare: 403/503 with "Just a moment..." / `cf-chl` / `cf-mitigated: challenge`. AWS WAF: the
    202 JS challenge carrying `awsWafCookieDomainList` or `x-amzn-waf-action` (docs/sites.md 3.5, 4.5, 5).
    """
    head = body[:65536]
    lowered = {k.lower(): v.lower() for k, v in headers.items()}
    if lowered.get("cf-mitigated") == "challenge" or (
        status in (403, 503) and (b"Just a moment" in head or b"cf-chl" in head or b"cf_chl" in head)
    ):
        return f"cloudflare challenge (HTTP {status})"
    if status == 403 and b"cloudflare" in head.lower() and b"error code: 1020" in head.lower():
        return "cloudflare access denied (HTTP 403)"
    if "x-amzn-waf-action" in lowered or (status == 202 and b"awsWafCookieDomainList" in head):
        return f"aws waf challenge (HTTP {status})"
    return None


class BlockPageMiddleware:
    """Turn block pages into `BlockedPage` errors; after N in a row from one host, stop requesting it."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.in_a_row: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def _limit(self) -> int:
        name = getattr(self.crawler.spider, "name", "")
        try:
            return crawl_site(name).politeness.blocked_after
        except KeyError:
            return 3

    def process_request(self, request: Request) -> None:
        host = host_of(request.url)
        if self.in_a_row[host] >= self._limit():
            inc_stat(self.crawler, "pantau/backed_off")
            raise Refused(f"{host} answered {self.in_a_row[host]} block pages in a row; backing off")

    def process_response(self, request: Request, response: Response) -> Response:
        reason = block_reason(response.status, _headers(response), response.body)
        host = host_of(request.url)
        # Whether the listings answered decides a run's verdict (blocked or finished).
        listing = "listing_url" in request.meta or "walk" in request.meta
        if reason is None:
            self.in_a_row[host] = 0
            if listing and response.status < 400:
                inc_stat(self.crawler, "pantau/listings_answered")
            return response
        self.in_a_row[host] += 1
        inc_stat(self.crawler, "pantau/blocked")
        if listing:
            inc_stat(self.crawler, "pantau/blocked_listings")
        log.warning("blocked: %s answered %s (%d in a row)", request.url, reason, self.in_a_row[host])
        raise BlockedPage(f"{reason}: {request.url}")


def _headers(response: Response) -> dict[str, str]:
    return {str(k): str(v) for k, v in response.headers.to_unicode_dict().items()}


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class RetryAfterMiddleware:
    """Retry HTTP 429 after the server's Retry-After (or exponential back-off), pausing the host.

    Scrapy's RetryMiddleware would retry at once (scrapy#3849), so 429 is left out of
    RETRY_HTTP_CODES and handled here. A wait longer than `max_wait` is not honoured by retrying in
    this run: the response is passed on as an error and the URL is retried by a later run.
    """

    def __init__(self, crawler: Crawler, max_retries: int, max_wait: float, base: float = 2.0) -> None:
        self.crawler, self.max_retries, self.max_wait, self.base = crawler, max_retries, max_wait, base

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        middleware = cls(crawler, settings.getint("RETRY_TIMES"), settings.getfloat("PANTAU_RETRY_AFTER_MAX"))
        crawler.signals.connect(middleware.headers_received, signal=signals.headers_received)
        return middleware

    def headers_received(self, headers: Any, body_length: int, request: Request, spider: Any) -> None:  # noqa: ARG002
        """Pause the host as soon as a Retry-After arrives, while the response still holds the slot.

        By the time process_response runs, the downloader has freed the slot and may have started the
        host's next request already: that one request would go out inside the server's wait.
        """
        value = headers.get(b"Retry-After")
        wait = retry_after_seconds(value.decode("latin-1") if value else None, datetime.now(UTC))
        if wait is not None and wait <= self.max_wait:
            self._pause_host(request, wait)

    async def process_response(self, request: Request, response: Response) -> Response | Request:
        if response.status != 429:
            return response
        attempt = int(request.meta.get("pantau_429_retries", 0))
        header = response.headers.get(b"Retry-After")
        wait = retry_after_seconds(header.decode("latin-1") if header else None, datetime.now(UTC))
        wait = self.base * 2**attempt if wait is None else wait
        if attempt >= self.max_retries or wait > self.max_wait:
            log.warning(
                "429 from %s: giving up this run (attempt %d, wait %.0fs)", request.url, attempt, wait
            )
            return response
        inc_stat(self.crawler, "pantau/retry_after")
        log.info("429 from %s: retrying in %.1fs", request.url, wait)
        self._pause_host(request, wait)
        await asyncio.sleep(wait)  # Scrapy runs on the asyncio reactor (TWISTED_REACTOR default)
        meta = {**request.meta, "pantau_429_retries": attempt + 1}
        return request.replace(meta=meta, dont_filter=True)

    def _pause_host(self, request: Request, wait: float) -> None:
        """Hold back the host's other requests too (the download slot's next start moves)."""
        engine = self.crawler.engine
        downloader = getattr(engine, "downloader", None)
        try:
            key = downloader.get_slot_key(request)  # type: ignore[union-attr]
            slot = downloader.slots[key]  # type: ignore[union-attr]
        except (AttributeError, KeyError):
            return
        slot.lastseen = max(slot.lastseen, time.monotonic() + wait - slot.delay)  # the slot clock
