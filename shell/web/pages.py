"""The workspace pages: the topic now (home), a topic over time, and its chart data as CSV and JSON."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse, Response

from pantau.base.errors import PantauError
from pantau.storage.coverage import Bucket, site_states, term_counts
from pantau.web import charts, workspace
from pantau.web.params import FIRST_DAY, LAST_DAY, BadParameter, check_text
from pantau.web.trends import trends

if TYPE_CHECKING:
    from collections.abc import Callable

    from starlette.requests import Request

    from pantau.base.settings import Settings
    from pantau.storage.db import Database

TOPIC_RANGE_DAYS = 365
BUCKETS: tuple[Bucket, ...] = ("week", "month", "day")


class WorkspacePages:
    """The home and topic pages over the archive; `render` turns a template and context into a page."""

    def __init__(self, db: Database, settings: Settings, render: Callable[..., Response]) -> None:
        self.db = db
        self.settings = settings
        self.render = render

    def _today(self) -> date:
        return datetime.now(UTC).astimezone(self.settings.zone).date()

    def _topic(self, name: str | None) -> tuple[str, list[str]]:
        topics = workspace.topics_in_order(self.settings)
        if not topics:
            raise BadParameter(f"no topics are configured in {self.settings.topics_dir}; add a topic file")
        topic = name or topics[0]
        if topic not in topics:
            raise BadParameter(f"unknown topic {topic[:60]!r}; known: {', '.join(topics)}")
        return topic, topics

    def home(self, request: Request) -> Response:
        """The topic now: its newest stories by day, its coverage chart, the sites' health."""
        params = request.query_params
        try:
            check_text(params)
            topic, topics = self._topic(params.get("topic"))
            days = int(params["days"]) if params.get("days") in ("30", "90", "365") else 30
        except PantauError as exc:
            return self.render("error.html", 400, error=str(exc))
        today, sites = self._today(), [str(site) for site in self.settings.crawl.sites]
        buckets = workspace.local_days(today, days)
        with self.db.connection() as conn:
            counts = workspace.day_counts(conn, topic, buckets[0], today, self.settings.zone, "day")
            items = workspace.latest_stories(conn, topic, datetime.now(UTC))
            states = site_states(conn, sites)
        context: dict[str, Any] = {
            "topic": topic, "topics": topics, "days": days, "choices": workspace.CHART_DAYS,
            "chart": charts.stacked(buckets, counts, sites), "sites": sites, "states": states,
            "groups": workspace.by_day(items, self.settings.zone), "today": today,
        }  # fmt: skip
        return self.render("home.html", feed_topic=topic, **context)

    def _range(self, request: Request) -> tuple[str, list[str], date, date, Bucket]:
        """The topic page's topic, range (default: the last year) and bucket from the URL."""
        params = request.query_params
        check_text(params)
        topic, topics = self._topic(str(request.path_params["topic"]))
        until = _day(params.get("until"), "until") or self._today()
        since = _day(params.get("since"), "since") or until - timedelta(days=TOPIC_RANGE_DAYS - 1)
        if since > until:
            raise BadParameter(f"since {since} is after until {until}; swap them")
        if (until - since).days > 366 * 5:
            raise BadParameter("the range is longer than five years; give a shorter since..until")
        bucket = params.get("bucket") or "week"
        if bucket not in BUCKETS:
            raise BadParameter(f"bucket {bucket[:20]!r} is not one of {', '.join(BUCKETS)}")
        return topic, topics, since, until, bucket

    def _series(self, topic: str, since: date, until: date, bucket: Bucket) -> dict[str, Any]:
        buckets = workspace.buckets_between(since, until, bucket)
        with self.db.connection() as conn:
            counts = workspace.day_counts(conn, topic, since, until, self.settings.zone, bucket)
            terms = term_counts(conn, topic, since=buckets[0], until=until, bucket=bucket)
        return {"buckets": buckets, "counts": counts, "trends": trends(terms, buckets)}

    def topic_page(self, request: Request) -> Response:
        """A topic over any range: coverage per week or month and outlet, and its terms' movement."""
        try:
            topic, topics, since, until, bucket = self._range(request)
        except PantauError as exc:
            return self.render("error.html", 400, error=str(exc))
        data = self._series(topic, since, until, bucket)
        sites = [str(site) for site in self.settings.crawl.sites]
        chart = charts.stacked(data["buckets"], data["counts"], sites, bucket=bucket)
        query = {"since": since.isoformat(), "until": until.isoformat(), "bucket": bucket}
        context = {"topic": topic, "topics": topics, "since": since, "until": until, "bucket": bucket}
        return self.render(
            "topic.html", feed_topic=topic, chart=chart, sites=sites, trends=data["trends"],
            buckets=BUCKETS, query=query, **context,
        )  # fmt: skip

    def topic_data(self, request: Request) -> Response:
        """The topic page's chart data: CSV (bucket, site, stories) or JSON with the terms too."""
        fmt = str(request.path_params["fmt"])
        try:
            topic, _, since, until, bucket = self._range(request)
        except PantauError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        data = self._series(topic, since, until, bucket)
        rows = [(c.bucket.isoformat(), c.key, c.stories) for c in data["counts"]]
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(("bucket", "site", "stories"))
            writer.writerows(rows)
            name = f"{topic}-{bucket}-{since}-{until}.csv"
            headers = {"Content-Disposition": f'attachment; filename="{name}"'}
            return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
        terms = [{"term": t.term, "total": t.total, "series": t.series} for t in data["trends"]]
        return JSONResponse({
            "topic": topic, "since": since.isoformat(), "until": until.isoformat(), "bucket": bucket,
            "zone": self.settings.timezone, "buckets": [b.isoformat() for b in data["buckets"]],
            "coverage": [{"bucket": b, "site": s, "stories": n} for b, s, n in rows], "terms": terms,
        })  # fmt: skip


def _day(value: str | None, name: str) -> date | None:
    """The YYYY-MM-DD day of a parameter (None if empty); BadParameter otherwise."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadParameter(f"{name} {value[:30]!r} is not a date; give YYYY-MM-DD") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadParameter(f"{name} {value!r} is out of range; give a day from {FIRST_DAY} to {LAST_DAY}")
    return day
