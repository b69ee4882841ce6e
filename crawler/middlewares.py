"""Downloader middlewares that keep a crawl on its site, and the exceptions all of them raise.

Order (see crawler/settings.py): SiteAllowlist (40) refuses every request outside the site's hosts or
http/https, redirects and start URLs included; FailClosedRobotsTxt (100) replaces Scrapy's fail-open
robots.txt handling (and names a TLS failure); OffsiteRedirect (650) refuses redirects off the site.
The polite ones are in crawler.politeness (RetryAfter 555, BlockPage 560), the replay host map in
crawler.hostmap (950).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

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


def host_of(url: str) -> str:
    """The URL's host, lower case, without a trailing dot."""
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def inc_stat(crawler: Crawler, key: str) -> None:
    """Add one to a crawl statistic (no stats collector: nothing)."""
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
        scheme, host = urlsplit(url).scheme, host_of(url)
        return scheme in ("http", "https") and any(host == d or host.endswith("." + d) for d in domains)

    def refuse(self, url: str, why: str) -> Refused:
        inc_stat(self.crawler, "pantau/refused_offsite")
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

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        # Scrapy logs every robots.txt download error with its traceback; a TLS failure gets our
        # one line (_robots_error) instead.
        for name in ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry"):
            logging.getLogger(name).addFilter(_NOT_TLS)

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
        reason = tls_failure(exc)
        if reason is None:
            self._unreachable(netloc, f"{type(exc).__name__}: {exc}")
            return
        self._stats.inc_value("pantau/tls_errors")
        first = self._stats.get_value("pantau/tls_errors") == 1  # one line per run, not per host
        log.log(
            logging.ERROR if first else logging.DEBUG,
            "TLS: the certificate of %s cannot be verified (%s); behind a TLS-inspecting proxy, set "
            "SSL_CERT_FILE to a CA bundle that includes the proxy's CA (README: Behind a proxy)",
            netloc,
            reason,
        )
        self._unreachable(netloc, f"TLS: {reason}", logged=True)

    def _unreachable(self, netloc: str, why: str, *, logged: bool = False) -> None:
        if logged:
            self._stats.set_value(ROBOTS_UNREACHABLE, netloc)
        elif netloc in self._endpoint_hosts():
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


def tls_failure(exc: BaseException) -> str | None:
    """OpenSSL's reason ("certificate verify failed") when `exc` is a failed TLS handshake, else None.

    Scrapy wraps Twisted's failure (ResponseNeverReceived, whose `reasons` hold the SSL.Error) in
    its own DownloadFailedError, keeping the text, so the text is what is read.
    """
    match = _SSL_ERROR.search(str(exc))
    return match["reason"] if match else None


class _NotTLSFilter(logging.Filter):
    """Drops Scrapy's records of a TLS failure (traceback, "Gave up retrying"): ours says it once."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not ((exc is not None and tls_failure(exc)) or _SSL_ERROR.search(record.getMessage()))


_SSL_ERROR = re.compile(r"SSL\.Error: \[\('SSL routines', '[^']*', '(?P<reason>[^']+)'\)")
_NOT_TLS = _NotTLSFilter()
