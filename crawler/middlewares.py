"""Downloader middlewares that keep a crawl on its site, polite, and away from block pages.

Order (see crawler/settings.py): SiteAllowlist (40) refuses every request outside the site's hosts or
http/https, redirects and start URLs included; FailClosedRobotsTxt (100) replaces Scrapy's fail-open
robots.txt handling; RetryAfter (555) retries 429 after Retry-After; BlockPage (560) turns challenge
pages into errors before anything parses them; HostMap (950, replays only) sends requests to loopback.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from ipaddress import ip_address
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import TextResponse
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from pantau.crawler.site_rules import crawl_site

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

log = logging.getLogger(__name__)
ROBOTS_UNREACHABLE = "pantau/robots_unreachable"


class BlockedPage(IgnoreRequest):
    """A challenge or block page (Cloudflare, AWS WAF) answered instead of the content."""


class Refused(IgnoreRequest):
    """A request pantau will not send (outside the site, backed-off host, unmapped replay host)."""


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def _stats_inc(crawler: Crawler, key: str) -> None:
    if crawler.stats is not None:
        crawler.stats.inc_value(key)


class SiteAllowlistMiddleware:
    """Refuse any request whose scheme is not http(s) or whose host is outside the spider's domains."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def allowed(self, url: str) -> bool:
        """True if `url` is http(s) on one of the spider's domains or their subdomains."""
        domains = getattr(self.crawler.spider, "allowed_domains", None) or ()
        scheme, host = urlsplit(url).scheme, _host(url)
        return scheme in ("http", "https") and any(host == d or host.endswith("." + d) for d in domains)

    def refuse(self, url: str, why: str) -> Refused:
        _stats_inc(self.crawler, "pantau/refused_offsite")
        log.warning("refused %s: %s", url, why)
        return Refused(f"{why}: {url}")

    def process_request(self, request: Request) -> None:
        if not self.allowed(request.url):
            raise self.refuse(request.url, "outside the site's hosts (or not http/https)")


class OffsiteRedirectMiddleware(SiteAllowlistMiddleware):
    """Refuse a redirect whose Location leaves the site, before RedirectMiddleware follows it.

    Scrapy drops such redirects silently at scheduling (no errback); refusing here lets the spider
    record the failed URL with the reason, and covers start requests (dont_filter) too.
    """

    def process_request(self, request: Request) -> None:  # noqa: ARG002 - responses only
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if 300 <= response.status < 400 and location:
            target = response.urljoin(location.decode("latin-1"))
            if not self.allowed(target):
                raise self.refuse(request.url, f"redirect to {target} leaves the site")
        return response


class FailClosedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, but a 5xx or unreachable robots.txt disallows its host.

    RFC 9309 2.3.1.4: "unreachable" means complete disallow. Scrapy allows everything instead
    (scrapy#2443). When the host is one the site's discovery endpoints live on, nothing more is
    requested from the site: the stat `pantau/robots_unreachable` names the host and the spider closes
    as `robots_unreachable`. Any other host (a subdomain a listing links to) is only disallowed itself,
    so one dead subdomain cannot skip every run of the site (`pantau/robots_unreachable_hosts`).
    """

    async def process_request(self, request: Request) -> None:  # type: ignore[override]
        if self._stats.get_value(ROBOTS_UNREACHABLE) and not request.meta.get("dont_obey_robotstxt"):
            raise Refused(f"robots.txt unreachable this run; not requesting {request.url}")
        await super().process_request(request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self._unreachable(netloc, f"HTTP {response.status}")
            return
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        self._unreachable(netloc, f"{type(exc).__name__}: {exc}")

    def _unreachable(self, netloc: str, why: str) -> None:
        if netloc in self._endpoint_hosts():
            log.error("robots.txt of %s unreachable (%s): skipping this site's run", netloc, why)
            self._stats.set_value(ROBOTS_UNREACHABLE, netloc)
        else:
            log.warning("robots.txt of %s unreachable (%s): nothing on that host is requested", netloc, why)
            self._stats.inc_value("pantau/robots_unreachable_hosts")
        deny_all = build_from_crawler(self._parserimpl, self.crawler, b"User-agent: *\nDisallow: /\n")
        pending = self._parsers[netloc]
        self._parsers[netloc] = deny_all
        if isinstance(pending, Deferred):
            pending.callback(deny_all)

    def _endpoint_hosts(self) -> set[str]:
        """Hosts of the spider's discovery endpoints (all hosts when the spider has none)."""
        site = getattr(self.crawler.spider, "site", None)
        if site is None:
            return set(self._parsers)
        return {urlsplit(endpoint.url).netloc for endpoint in site.discovery.endpoints}


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
        host = _host(request.url)
        if self.in_a_row[host] >= self._limit():
            _stats_inc(self.crawler, "pantau/backed_off")
            raise Refused(f"{host} answered {self.in_a_row[host]} block pages in a row; backing off")

    def process_response(self, request: Request, response: Response) -> Response:
        reason = block_reason(response.status, _headers(response), response.body)
        host = _host(request.url)
        if reason is None:
            self.in_a_row[host] = 0
            return response
        self.in_a_row[host] += 1
        _stats_inc(self.crawler, "pantau/blocked")
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
        _stats_inc(self.crawler, "pantau/retry_after")
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


class HostMapMiddleware:
    """Replays only: send each request for a mapped host to its loopback address, unchanged otherwise.

    The server still sees the real host (Host header) and the spider the real https URL. With a map
    configured, a host without an entry is refused: nothing can reach a real site from a replay.
    """

    def __init__(self, crawler: Crawler, host_map: Mapping[str, str]) -> None:
        for host, target in host_map.items():
            if not _is_loopback(target):
                raise ValueError(
                    f"crawl.host_map: {host} -> {target} is not a loopback address (127.0.0.0/8)"
                )
        self.crawler, self.host_map = crawler, dict(host_map)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings: Any = crawler.settings.get("PANTAU_SETTINGS")
        host_map = settings.crawl.host_map if settings is not None else {}
        if not host_map:
            raise NotConfigured("no crawl.host_map")
        return cls(crawler, host_map)

    def process_request(self, request: Request) -> None:
        if "pantau_real_url" in request.meta:
            return
        parts = urlsplit(request.url)
        host = _host(request.url)
        target = self.host_map.get(host)
        if target is None:
            _stats_inc(self.crawler, "pantau/refused_unmapped")
            raise Refused(f"replay: no crawl.host_map entry for {host}; refusing {request.url}")
        request.meta["pantau_real_url"] = request.url
        request.meta.setdefault("download_slot", host)
        request.meta.pop("proxy", None)  # never through a proxy: the target is loopback
        request.headers.pop(b"Proxy-Authorization", None)
        request.headers[b"Host"] = parts.netloc.encode("ascii")
        query = f"?{parts.query}" if parts.query else ""
        request._set_url(f"http://{target}{parts.path or '/'}{query}")

    def process_response(self, request: Request, response: Response) -> Response:
        real = request.meta.pop("pantau_real_url", None)
        if real is None:
            return response
        request._set_url(real)
        request.headers.pop(b"Host", None)
        if isinstance(response, TextResponse):  # keep an undeclared charset undeclared (not frozen)
            return response.replace(url=real, encoding=response._declared_encoding())
        return response.replace(url=real)

    def process_exception(self, request: Request, exception: Exception) -> None:  # noqa: ARG002
        real = request.meta.pop("pantau_real_url", None)
        if real is not None:
            request._set_url(real)
            request.headers.pop(b"Host", None)


def _is_loopback(target: str) -> bool:
    host = target.rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False
