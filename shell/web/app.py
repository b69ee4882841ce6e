"""The web application: GET-only pages and API over the archive, rendered with autoescaping Jinja2."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pantau.base.errors import PantauError
from pantau.base.snippets import from_marked, story_lead
from pantau.base.text import safe_link
from pantau.present.filters import make_filters
from pantau.present.records import hit_record, local_short, story_record
from pantau.storage.search import search
from pantau.storage.story import StoryNotFound, find_story
from pantau.web import charts, diffs, search_view, workspace
from pantau.web.feeds import atom_feed
from pantau.web.pages import WorkspacePages
from pantau.web.params import PAGE_SIZE, search_request
from pantau.web.urls import check_base_url, public_base

if TYPE_CHECKING:
    from pantau.base.settings import Settings
    from pantau.storage.db import Database

# The parameters that make `/` a search (`/?q=senjata`) instead of the topic's home page.
SEARCH_KEYS = ("q", "site", "since", "until", "lang", "min_score", "clusters", "page")

# The real folder (resolved): Starlette refuses files that resolve outside it, as editable links do.
STATIC_DIR = Path(__file__).resolve().parent / "static"


def safe_url(url: str | None) -> str:
    """The URL if it is an absolute http(s) link, else '' (a scraped javascript: link never becomes one)."""
    return safe_link(url or "") or ""


def _templates(settings: Settings) -> Environment:
    env = Environment(loader=PackageLoader("pantau.web", "templates"), autoescape=True)
    zone = settings.zone
    env.filters["local"] = lambda value: local_short(value, zone)
    env.filters["hhmm"] = lambda value: value.astimezone(zone).strftime("%H:%M") if value else "-"
    env.filters["safe_url"] = safe_url
    env.filters["highlight"] = lambda snippet: Markup(from_marked(snippet).html())  # noqa: S704 - escaped inside
    env.filters["outlet"] = workspace.outlet
    env.filters["colour"] = charts.colour
    return env


class ArchiveViews:
    """The endpoints, sharing the database pool and settings; each runs in Starlette's thread pool."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.templates = _templates(settings)
        self.base_url = check_base_url(settings.web.base_url)
        self.workspace = WorkspacePages(db, settings, self._page)

    def _page(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("topics", workspace.topics_in_order(self.settings))
        html = self.templates.get_template(name).render(zone=self.settings.timezone, **context)
        return HTMLResponse(html, status_code=status)

    def home(self, request: Request) -> Response:
        """The topic now; with search parameters (`/?q=senjata`), the search page."""
        if any(key in request.query_params for key in SEARCH_KEYS):
            return self.search_page(request)
        return self.workspace.home(request)

    def search_page(self, request: Request) -> Response:
        """The search form and, with a query or filters, a page of results with counts and facets."""
        params = request.query_params
        topics = workspace.topics_in_order(self.settings)
        context: dict[str, Any] = {"params": params, "sites": self.settings.crawl.sites, "hits": []}
        context["languages"] = search_view.LANGUAGES
        try:
            wanted = search_request(params, self.settings)
            searched = any(params.get(key) for key in (*SEARCH_KEYS, "topic"))
            context.update(clusters=wanted.clusters, searched=searched)
            if context["searched"]:
                facet_topic = wanted.filters.topic or (topics[0] if topics else "")
                with self.db.connection() as conn:
                    context.update(
                        search_view.run(conn, wanted, params, facet_topic), facet_topic=facet_topic
                    )
        except PantauError as exc:
            return self._page("search.html", 400, error=str(exc), **context)
        return self._page("search.html", feed_topic=params.get("topic"), **context)

    def story_page(self, request: Request) -> Response:
        """One story with its topics, other copies, earlier versions (what changed) and date source."""
        try:
            with self.db.connection() as conn:
                story = find_story(conn, str(request.path_params["id"]))
        except StoryNotFound as exc:
            return self._page("error.html", 404, error=str(exc))
        lead = story_lead(story.fields["lead"], story.fields["body"])  # never the body's opening twice
        return self._page(
            "story.html", story=story, f=story.fields, lead=lead,
            changes=diffs.changes(story.fields, story.versions),
            provenance=diffs.date_provenance(story.fields["date_source"]),
        )  # fmt: skip

    def api_search(self, request: Request) -> Response:
        """JSON search: the same parameters as the search page; `q` may be empty to browse."""
        try:
            wanted = search_request(request.query_params, self.settings)
            with self.db.connection() as conn:
                hits = search(
                    conn, wanted.filters, limit=PAGE_SIZE, offset=wanted.offset, clusters=wanted.clusters
                )
        except PantauError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        results = [hit_record(hit, self.settings.zone) for hit in hits]
        return JSONResponse({"query": wanted.filters.query, "offset": wanted.offset, "results": results})

    def api_article(self, request: Request) -> Response:
        """One story as JSON, with its topics, copies and versions."""
        try:
            with self.db.connection() as conn:
                story = find_story(conn, str(request.path_params["id"]))
        except StoryNotFound as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        return JSONResponse(story_record(story, self.settings.zone))

    def feed(self, request: Request) -> Response:
        """The Atom feed of a topic: recent on-topic stories, one entry per story cluster."""
        topic = request.path_params["topic"]
        try:
            make_filters(self.settings, None, topic=topic)
        except PantauError as exc:
            return Response(str(exc), status_code=404, media_type="text/plain")
        with self.db.connection() as conn:
            body = atom_feed(conn, public_base(request, self.base_url), topic, self.settings)
        return Response(body, media_type="application/atom+xml; charset=utf-8")

    def topic_data(self, request: Request) -> Response:
        """The topic chart's data, `.csv` or `.json` (anything else: 404)."""
        if request.path_params["fmt"] not in ("csv", "json"):
            return Response("no such page; use .csv or .json", status_code=404, media_type="text/plain")
        return self.workspace.topic_data(request)


def create_app(db: Database, settings: Settings) -> Starlette:
    """The web view over an opened archive; only GET and HEAD are routed (anything else: 405)."""
    views = ArchiveViews(db, settings)
    routes = [
        Route("/", views.home, name="home"),
        Route("/search", views.search_page, name="search"),
        Route("/topics/{topic}.{fmt}", views.topic_data, name="topic_data"),
        Route("/topics/{topic}", views.workspace.topic_page, name="topic"),
        Route("/articles/{id:int}", views.story_page, name="story"),
        Route("/feeds/{topic}.atom", views.feed, name="feed"),
        Route("/api/search", views.api_search, name="api_search"),
        Route("/api/articles/{id:int}", views.api_article, name="api_article"),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    return Starlette(routes=routes)
