"""Coverage charts as plain geometry for a server-rendered SVG: stacked bars per bucket and outlet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from pantau.storage.coverage import Count

WIDTH, HEIGHT, LEFT, BOTTOM = 900, 180, 34, 20
# One colour per outlet, told apart in grey print too; an unknown site gets the last one.
COLOURS = {"okezone": "#1b6ca8", "detik": "#e07b00", "bisnis": "#2e8540", "kompas": "#8e3b9e"}
OTHER_COLOUR = "#777777"


@dataclass(frozen=True)
class Bar:
    """One outlet's share of one bucket: a rectangle, its colour, what it says on hover."""

    x: float
    y: float
    width: float
    height: float
    colour: str
    site: str
    stories: int


@dataclass(frozen=True)
class Column:
    """One bucket: its first day, its stacked bars, its total, its link target and axis label."""

    day: date
    last: date  # the bucket's last day
    x: float
    width: float
    bars: list[Bar]
    total: int
    label: str


@dataclass(frozen=True)
class Chart:
    """A stacked bar chart of stories per bucket and outlet, sized for one SVG."""

    columns: list[Column]
    top: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: int = BOTTOM

    @property
    def total(self) -> int:
        """All stories the chart shows."""
        return sum(column.total for column in self.columns)


def colour(site: str) -> str:
    """The outlet's colour in every chart and legend."""
    return COLOURS.get(site, OTHER_COLOUR)


def _last_day(day: date, bucket: str) -> date:
    if bucket == "week":
        return day + timedelta(days=6)
    if bucket == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return day


def _label(day: date, index: int, step: int, monthly: bool) -> str:
    if monthly:
        return f"{day:%b %Y}" if index % step == 0 else ""
    return f"{day.day} {day:%b}" if index % step == 0 else ""


def stacked(buckets: list[date], counts: list[Count], sites: list[str], *, bucket: str = "day") -> Chart:
    """The chart of `counts` over `buckets` (every bucket drawn, empty ones too), outlets in order."""
    by_bucket: dict[date, dict[str, int]] = {day: {} for day in buckets}
    for count in counts:
        if count.bucket in by_bucket:
            by_bucket[count.bucket][count.key] = by_bucket[count.bucket].get(count.key, 0) + count.stories
    top = max((sum(values.values()) for values in by_bucket.values()), default=0) or 1
    plot_w, plot_h = WIDTH - LEFT, HEIGHT - BOTTOM
    slot = plot_w / max(len(buckets), 1)
    gap = min(2.0, slot * 0.2)
    step = max(1, round(len(buckets) / 10))
    columns = []
    for index, day in enumerate(buckets):
        x, y, bars = LEFT + index * slot, float(plot_h), []
        order = sites + sorted(set(by_bucket[day]) - set(sites))
        for site in order:
            stories = by_bucket[day].get(site, 0)
            if stories:
                height = stories / top * (plot_h - 4)
                y -= height
                bars.append(Bar(x, y, slot - gap, height, colour(site), site, stories))
        # No label so near the right edge that the SVG would cut it.
        label = _label(day, index, step, bucket == "month") if x < WIDTH - 40 else ""
        columns.append(
            Column(day, _last_day(day, bucket), x, slot, bars, sum(by_bucket[day].values()), label)
        )
    return Chart(columns, top)
