"""The web application: GET-only pages and API over the archive, rendered with autoescaping Jinja2."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

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
from pantau.scheduler.render import outlet_name
from pantau.storage.search import Filters, Hit, search
from pantau.storage.story import StoryNotFound, find_story
from pantau.web.feeds import atom_feed

if TYPE_CHECKING:
    from pantau.base.settings import Settings
    from pantau.storage.db import Database

PAGE_SIZE = 20


# The real folder (resolved): Starlette refuses files that resolve outside it, as editable links do.
STATIC_DIR = Path(__file__).resolve().parent / "static"


def safe_url(url: str | None) -> str:
    """The URL if it is an absolute http(s) link, else '' (a scraped javascript: link never becomes one)."""
    return safe_link(url or "") or ""


def _templates(settings: Settings) -> Environment:
    env = Environment(loader=PackageLoader("pantau.web", "templates"), autoescape=True)
    env.filters["local"] = lambda value: local_short(value, settings.zone)
    env.filters["safe_url"] = safe_url
    env.filters["outlet"] = outlet_name
    env.filters["highlight"] = lambda snippet: Markup(from_marked(snippet).html())  # noqa: S704 - escaped inside
    return env


class ArchiveViews:
    """The endpoints, sharing the database pool and settings; each runs in Starlette's thread pool."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.templates = _templates(settings)

    def _page(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = self.templates.get_template(name).render(zone=self.settings.timezone, **context)
        return HTMLResponse(html, status_code=status)

    def _filters(self, request: Request) -> tuple[Filters, int, bool]:
        params = request.query_params
        min_score = params.get("min_score") or None
        try:
            score = float(min_score) if min_score is not None else None
            page = max(int(params.get("page") or 1), 1)
        except ValueError:
            raise PantauError("min_score and page must be numbers") from None
        filters = make_filters(
            self.settings,
            params.get("q"),
            sites=[site for site in params.getlist("site") if site],
            since=params.get("since"),
            until=params.get("until"),
            languages=[lang for lang in params.getlist("lang") if lang],
            topic=params.get("topic") or None,
            min_score=score,
        )
        return filters, (page - 1) * PAGE_SIZE, params.get("clusters") in ("1", "on", "true")

    def _search(self, request: Request) -> tuple[Filters, int, bool, list[Hit]]:
        filters, offset, clusters = self._filters(request)
        if not request.query_params:  # the first visit: just the form
            return filters, offset, clusters, []
        with self.db.connection() as conn:
            hits = search(conn, filters, limit=PAGE_SIZE, offset=offset, clusters=clusters)
        return filters, offset, clusters, hits

    def search_page(self, request: Request) -> Response:
        """The search form (GET) and, with a query, a page of results."""
        params = request.query_params
        context: dict[str, Any] = {"params": params, "sites": self.settings.crawl.sites, "hits": []}
        try:
            _, offset, clusters, hits = self._search(request)
        except PantauError as exc:
            return self._page("search.html", 400, error=str(exc), **context)
        page = offset // PAGE_SIZE + 1
        kept = [(key, value) for key, value in params.multi_items() if key != "page"]
        next_url = "?" + urlencode([*kept, ("page", str(page + 1))]) if len(hits) == PAGE_SIZE else ""
        context.update(hits=hits, searched=bool(params), page=page, clusters=clusters)
        return self._page("search.html", next_url=next_url, **context)

    def story_page(self, request: Request) -> Response:
        """One story with its topics, other copies and earlier versions."""
        try:
            with self.db.connection() as conn:
                story = find_story(conn, str(request.path_params["id"]))
        except StoryNotFound as exc:
            return self._page("error.html", 404, error=str(exc))
        lead = story_lead(story.fields["lead"], story.fields["body"])  # never the body's opening twice
        return self._page("story.html", story=story, f=story.fields, lead=lead)

    def api_search(self, request: Request) -> Response:
        """JSON search: the same parameters as the search page; `q` may be empty to browse."""
        try:
            filters, offset, clusters = self._filters(request)
            with self.db.connection() as conn:
                hits = search(conn, filters, limit=PAGE_SIZE, offset=offset, clusters=clusters)
        except PantauError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        results = [hit_record(hit, self.settings.zone) for hit in hits]
        return JSONResponse({"query": filters.query, "offset": offset, "results": results})

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
            body = atom_feed(conn, request, topic, self.settings)
        return Response(body, media_type="application/atom+xml; charset=utf-8")


def create_app(db: Database, settings: Settings) -> Starlette:
    """The web view over an opened archive; only GET and HEAD are routed (anything else: 405)."""
    views = ArchiveViews(db, settings)
    routes = [
        Route("/", views.search_page, name="search"),
        Route("/articles/{id:int}", views.story_page, name="story"),
        Route("/feeds/{topic}.atom", views.feed, name="feed"),
        Route("/api/search", views.api_search, name="api_search"),
        Route("/api/articles/{id:int}", views.api_article, name="api_article"),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    return Starlette(routes=routes)
