"""Site knowledge: one TOML file per site in this folder (crawler/sites/<site>.toml)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

SITE_NAMES = ("okezone", "detik", "bisnis", "kompas")
_DOMAINS = {"okezone.com": "okezone", "detik.com": "detik", "bisnis.com": "bisnis", "kompas.com": "kompas"}


@cache
def load_site_data(name: str) -> dict[str, Any]:
    """The raw tables of crawler/sites/<name>.toml."""
    if name not in SITE_NAMES:
        raise KeyError(f"unknown site {name!r}; known: {', '.join(SITE_NAMES)}")
    text = resources.files("crawler.sites").joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def site_for_url(url: str) -> str | None:
    """The site a URL belongs to by its registrable domain (amp./m./news. hosts included), or None."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    for domain, name in _DOMAINS.items():
        if host == domain or host.endswith("." + domain):
            return name
    return None
