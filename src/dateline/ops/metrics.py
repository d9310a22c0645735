"""What a node counts, in Prometheus's text format (prometheus_client).

Each `create_app` has its own registry, never the library's global one: tests build many apps
in one process, and each web node answers for itself (Prometheus scrapes every node and adds
them up). Counters are bumped where things happen (the request middleware through
`request_tally.py`, the commit listener, `instruments.py`); gauges that describe a state
(open streams, the database pool, the stories queue) are read when /metrics is asked for, so
the hot paths pay nothing for them.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from sqlalchemy import func, select

from dateline.db import Database
from dateline.db.tables import items, story_items
from dateline.ops.request_tally import RequestTally

if TYPE_CHECKING:
    from dateline.realtime.hub import Hub

log = logging.getLogger(__name__)

QUERY_TIMEOUT_SECONDS = 2.0
FETCH_OUTCOMES = ("ok", "not_modified", "error")


class Metrics:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.hub: Hub | None = None  # set by instruments.MeteredHub
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = RequestTally()  # bumped by middleware.Observe
        self.registry.register(self.requests)
        self.published = Counter(
            "dateline_events_published",
            "Blog events this node committed and announced to the broker.",
            registry=self.registry,
        )
        self.delivered = Counter(
            "dateline_events_delivered",
            "Blog events written to this node's live readers (one per reader and event).",
            registry=self.registry,
        )
        self.fetches = Counter(
            "dateline_ingest_fetches",
            "Source fetches stored by this node's ingest worker, by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        for outcome in FETCH_OUTCOMES:
            self.fetches.labels(outcome)  # present at 0 before the first fetch
        self.unplaced = Gauge(
            "dateline_stories_unplaced_items",
            "Items of followed sources not yet placed in a story (the clustering queue).",
            registry=self.registry,
        )
        self._state_gauges()

    def _state_gauges(self) -> None:
        """Gauges read at scrape time from the objects that hold the state."""
        streams = Gauge(
            "dateline_event_streams_open",
            "Live event streams open on this node.",
            registry=self.registry,
        )
        streams.set_function(self._open_streams)
        behind = Gauge(
            "dateline_events_undelivered",
            "Events the broker announced that this node's readers have not been sent yet "
            "(the broker-to-reader lag, in events).",
            registry=self.registry,
        )
        behind.set_function(self._undelivered)
        pool = Gauge(
            "dateline_db_pool_connections",
            "Database connections of this node's pool, by state.",
            ["state"],
            registry=self.registry,
        )
        for state in ("in_use", "idle", "overflow"):
            pool.labels(state).set_function(lambda state=state: self._pool(state))  # type: ignore[misc]
        size = Gauge(
            "dateline_db_pool_size", "Connections the pool keeps open.", registry=self.registry
        )
        size.set_function(lambda: self._pool("size"))

    async def count_published(self, events: list[tuple[int, int]]) -> None:
        """A commit listener: the (blog_id, seq) pairs a transaction appended."""
        self.published.inc(len(events))

    async def exposition(self) -> bytes:
        """The text /metrics answers, with the gauges that need the database brought up to date."""
        try:
            self.unplaced.set(await asyncio.wait_for(self._unplaced(), QUERY_TIMEOUT_SECONDS))
        except Exception as exc:  # the other figures still answer while the database is down
            log.warning("metrics: counting unplaced items failed: %r", exc)
        return generate_latest(self.registry)

    async def _unplaced(self) -> int:
        async with self.db.read() as conn:
            waiting = select(func.count()).select_from(items)
            placed = select(story_items.c.item_id).where(story_items.c.item_id == items.c.id)
            return int(await conn.scalar(waiting.where(~placed.exists())) or 0)

    def _open_streams(self) -> float:
        if self.hub is None:
            return 0.0
        return float(sum(len(channel.readers()) for channel in self.hub.channels.values()))

    def _undelivered(self) -> float:
        if self.hub is None:
            return 0.0
        return float(
            sum(
                max(0, channel.announced - channel.latest)
                for channel in self.hub.channels.values()
                if channel.listening
            )
        )

    def _pool(self, state: str) -> float:
        """SQLAlchemy's queue pool counts (an in-memory SQLite has a pool without them: 0)."""
        pool = self.db.engine.pool
        reading = {
            "in_use": "checkedout",
            "idle": "checkedin",
            "overflow": "overflow",
            "size": "size",
        }[state]
        count = getattr(pool, reading, None)
        return float(max(0, count())) if callable(count) else 0.0
