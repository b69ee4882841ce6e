"""The replay world: the four news sites served from loopback, for crawl tests of every kind.

API (all a test needs):

    from tests.support.replay import World, Story, default_world, add_faults, serve, run_crawl

    world = default_world()               # per site: on-topic seed stories, off-topic ones, a paged one
    add_faults(world)                     # optional: block pages, malformed, windows-1252, off-site redirect
    add_wire_pair(world)                  # optional: one Antara story on Okezone and (edited) Bisnis
    with serve(world) as server:          # threaded HTTP server on 127.0.0.1:<random port>
        result = run_crawl("kompas", server, tmp_path)   # real Scrapy crawl in a subprocess
        result.items, result.stats, result.finish_reason
        server.requests("kompas")         # the log: host, path, query, status, If-None-Match, ...
        world.add(Story(...)); world.remove("kompas", id)   # the server answers from the live world

`run_crawl(..., database_url=url)` runs with the RunRecorder extension and a real archive;
`pipelines=True` adds pantau's item pipelines; extra keyword arguments override [crawl] config keys
(e.g. max_pages=2). `Story.url` / `Story.site_article_id` are what pantau must store a story under.
Faults per World: `robots_status[host] = 503`, `robots_extra[host] = ["Disallow: /x"]`,
`redirects["host/path"] = location`, `blocked_hosts`, `missing`, `too_many["host/path"] = n` (429s).
Per Story: `fault = "blocked" | "malformed" | "offsite_redirect"`, `encoding`, `pages`, `template`.
"""

from tests.support.replay.crawl import CrawlResult, run_crawl
from tests.support.replay.server import Logged, ReplayHTTPServer, serve
from tests.support.replay.world import Story, World, add_faults, add_wire_pair, default_world, load_story_text

__all__ = [
    "CrawlResult",
    "Logged",
    "ReplayHTTPServer",
    "Story",
    "World",
    "add_faults",
    "add_wire_pair",
    "default_world",
    "load_story_text",
    "run_crawl",
    "serve",
]
