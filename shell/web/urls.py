"""Absolute links the web view hands out (feeds): from `web.base_url`, never from the Host header.

A feed reader keeps the links it was given, so a forged `Host:` would plant links to another site.
With `web.base_url` set (behind a reverse proxy: the public address, path prefix included) every
absolute link starts with it; without it, with the address the server actually listens on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pantau.base.errors import ConfigError

if TYPE_CHECKING:
    from starlette.requests import Request


def check_base_url(value: str) -> str:
    """`web.base_url` without a trailing slash ('' if unset); ConfigError unless an http(s) URL."""
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"web.base_url {value!r} is not an http(s) URL without query; "
            "give the public address, e.g. https://news.example.org/pantau"
        )
    return value.rstrip("/")


def public_base(request: Request, base_url: str) -> str:
    """The base of absolute links: `base_url` when set, else the listening socket's address."""
    if base_url:
        return base_url
    server = request.scope.get("server") or ("127.0.0.1", 80)
    host, port = str(server[0]), server[1]
    host = f"[{host}]" if ":" in host else host
    return f"{request.scope.get('scheme', 'http')}://{host}" + (f":{port}" if port else "")
