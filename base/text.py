"""Scraped text as data: control characters out, and only http(s) links ever become links."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def clean(text: str | None) -> str:
    """Scraped text with control characters removed and whitespace runs collapsed to one space."""
    return " ".join(_CONTROL.sub(" ", text or "").split())


def safe_link(url: str) -> str | None:
    """The URL if it is an absolute http(s) link, else None (javascript:, data:, relative...)."""
    url = clean(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None
