"""How a topic's matched terms move: the most frequent over a range, with their counts per bucket."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pantau.storage.coverage import Count

TOP_TERMS = 12
SPARK_W, SPARK_H = 160, 24


@dataclass(frozen=True)
class Trend:
    """One term: stories over the range, per bucket, the last bucket against the one before."""

    term: str
    total: int
    series: list[int]
    points: str  # the sparkline's SVG polyline points

    @property
    def last(self) -> int:
        """Stories in the last bucket."""
        return self.series[-1] if self.series else 0

    @property
    def before(self) -> int:
        """Stories in the bucket before the last."""
        return self.series[-2] if len(self.series) > 1 else 0

    @property
    def movement(self) -> str:
        """'up', 'down' or 'flat': the last bucket against the one before."""
        return "up" if self.last > self.before else "down" if self.last < self.before else "flat"


def _points(series: list[int]) -> str:
    top = max(series, default=0) or 1
    step = SPARK_W / max(len(series) - 1, 1)
    return " ".join(
        f"{i * step:.1f},{SPARK_H - 2 - value / top * (SPARK_H - 4):.1f}" for i, value in enumerate(series)
    )


def trends(counts: list[Count], buckets: list[date], limit: int = TOP_TERMS) -> list[Trend]:
    """The `limit` most frequent terms over `buckets`, most frequent first."""
    index = {day: n for n, day in enumerate(buckets)}
    series: dict[str, list[int]] = {}
    for count in counts:
        if count.bucket in index:
            series.setdefault(count.key, [0] * len(buckets))[index[count.bucket]] += count.stories
    ranked = sorted(series.items(), key=lambda item: (-sum(item[1]), item[0].lower()))[:limit]
    return [Trend(term, sum(values), values, _points(values)) for term, values in ranked]
