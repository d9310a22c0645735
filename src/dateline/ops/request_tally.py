"""Requests by route, method and status, and their latency, counted in plain ints.

Every request passes here, so this is the one counter kept cheap by hand: prometheus_client's
own Counter and Histogram take a lock per increment (about 3 µs a request for both), while
these dicts are bumped only on the event loop's thread and turned into Prometheus families
when /metrics is scraped (a custom collector: prometheus_client still writes the text).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

# Seconds; a page from memory takes about a millisecond, a cold live page tens of them.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Label values must stay few: any other method a client invents is counted as "other".
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # requests no route answered (404s, refusals before routing)


class RequestTally(Collector):
    def __init__(self) -> None:
        self.counts: dict[tuple[str, str, int], int] = {}
        # Per route: one count per bucket, the last for answers slower than every bound.
        self.buckets: dict[str, list[int]] = {}
        self.seconds: dict[str, float] = {}

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method if method in METHODS else "other", status)
        self.counts[key] = self.counts.get(key, 0) + 1
        buckets = self.buckets.get(route)
        if buckets is None:
            buckets = self.buckets[route] = [0] * (len(LATENCY_BUCKETS) + 1)
            self.seconds[route] = 0.0
        buckets[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self.seconds[route] += seconds

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "dateline_http_requests",
            "HTTP requests answered, by route name, method and status.",
            labels=["route", "method", "status"],
        )
        for (route, method, status), count in list(self.counts.items()):
            requests.add_metric([route, method, str(status)], count)
        yield requests
        latency = HistogramMetricFamily(
            "dateline_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by route name.",
            labels=["route"],
        )
        for route, buckets in list(self.buckets.items()):
            cumulative, total = [], 0
            for bound, count in zip((*map(str, LATENCY_BUCKETS), "+Inf"), buckets, strict=True):
                total += count
                cumulative.append((bound, float(total)))
            latency.add_metric([route], cumulative, sum_value=self.seconds[route])
        yield latency
