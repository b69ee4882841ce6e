"""HostMap (950, replays and tests only): sends each request for a mapped host to a loopback address."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from ipaddress import ip_address
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured
from scrapy.http import TextResponse

from pantau.crawler.middlewares import Refused, host_of, inc_stat

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response


log = logging.getLogger(__name__)


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
            raise NotConfigured  # no message: Scrapy would log "Disabled ..." as a WARNING every run
        return cls(crawler, host_map)

    def process_request(self, request: Request) -> None:
        if "pantau_real_url" in request.meta:
            return
        parts = urlsplit(request.url)
        host = host_of(request.url)
        target = self.host_map.get(host)
        if target is None:
            inc_stat(self.crawler, "pantau/refused_unmapped")
            raise Refused(f"replay: no crawl.host_map entry for {host}; refusing {request.url}")
        request.meta["pantau_real_url"] = request.url
        request.meta.setdefault("download_slot", host)
        request.meta.pop("proxy", None)  # never through a proxy: the target is loopback
        request.headers.pop(b"Proxy-Authorization", None)
        request.headers[b"Host"] = parts.netloc.encode("ascii")
        query = f"?{parts.query}" if parts.query else ""
        # "127.0.0.1:PORT" is plain HTTP; "https://127.0.0.1:PORT" keeps TLS (certificate checks too).
        scheme, _, address = target.rpartition("://")
        request._set_url(f"{scheme or 'http'}://{address}{parts.path or '/'}{query}")

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
    host = target.removeprefix("https://").rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False
