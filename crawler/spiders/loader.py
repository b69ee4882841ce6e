"""Scrapy's spider loader for pantau: one spider per site file, made from the site registry.

`SPIDER_LOADER_CLASS` in crawler/settings.py names it, so `scrapy crawl <site>` and `scrapy list`
know every site of the configuration (the shipped files and `sites_dir`) with no module per site.
Spiders in `SPIDER_MODULES` (none by default; tests add their own) are loaded as Scrapy does.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Self

from scrapy.spiderloader import SpiderLoader

from pantau.base.sites import Registry, get_site, load_registry, registry
from pantau.crawler.spiders.base import NewsSiteSpider

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.settings import BaseSettings


def site_spider(name: str) -> type[NewsSiteSpider]:
    """A NewsSiteSpider subclass for site `name`: the site's file is all it knows."""
    site = get_site(name)
    doc = f"{site.display_name} ({', '.join(site.domains)}): the site file's rules, over NewsSiteSpider."
    class_name = "".join(part.capitalize() for part in name.replace("-", "_").split("_")) + "Spider"
    return type(class_name, (NewsSiteSpider,), {"name": name, "__doc__": doc, "__module__": __name__})


class SiteSpiderLoader:
    """Implements Scrapy's SpiderLoaderProtocol: from_settings, load, list, find_by_request."""

    def __init__(self, spiders: dict[str, type[Spider]]) -> None:
        self._spiders = spiders

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        """The sites of the crawl's pantau settings (PANTAU_SETTINGS), then SPIDER_MODULES' spiders."""
        pantau = settings.get("PANTAU_SETTINGS")
        sites: Registry = load_registry(pantau.sites_dir) if pantau is not None else registry()
        spiders: dict[str, type[Spider]] = {name: site_spider(name) for name in sites.names}
        modules = SpiderLoader.from_settings(settings)
        spiders.update({name: modules.load(name) for name in modules.list()})
        return cls(spiders)

    def load(self, spider_name: str) -> type[Spider]:
        """The spider class called `spider_name`; KeyError if there is none."""
        try:
            return self._spiders[spider_name]
        except KeyError:
            raise KeyError(f"Spider not found: {spider_name}") from None

    def list(self) -> list[str]:
        """Every spider's name: the sites, sorted, then SPIDER_MODULES' spiders."""
        return list(self._spiders)

    def find_by_request(self, request: Request) -> builtins.list[str]:  # `list` is the method above
        """The spiders whose allowed domains cover the request's URL."""
        return [name for name, spider in self._spiders.items() if spider.handles_request(request)]
