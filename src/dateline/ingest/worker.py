"""The ingest worker: claim due sources, fetch them with a bounded pool, store what they say.

    claim (lease) ──► fetch + parse, at most `ingest_concurrency` at a time ──► queue
                                                                                  │
                             one writer: many outcomes per transaction ◄──────────┘

- Leases (`store.claim`) keep any number of workers (inside `dateline serve`, or separate
  `dateline worker` processes) off each other's sources: a source is fetched by one worker
  per round. A worker that dies leaves leases that run out; shutdown gives them back at once.
- One writer per worker stores outcomes in batches: few transactions, and on SQLite the single
  writer is never fought over by the fetches.
- A malformed document, a refused address or a server error becomes that source's error in
  plain words; nothing a source sends can stop the worker or delay other sources.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import utcnow as now
from dateline.errors import DatelineError
from dateline.ingest import store
from dateline.ingest.fetch import Fetcher, FetchError, FetchResult, user_agent
from dateline.ingest.fetch_processes import FetchProcesses
from dateline.ingest.items import SOURCE_KINDS, ParsedDocument, SourceKind
from dateline.ingest.parse import parse_document
from dateline.ingest.store import Claimed, Outcome, Tally

log = logging.getLogger(__name__)

WRITE_BATCH = 200  # outcomes per transaction at most
PRUNE_EVERY = 3600.0  # seconds between deletions of items past the retention period
LEASE_MARGIN = 60.0  # seconds a lease outlives the longest fetch (time to store it)
Progress = Callable[[Sequence[Outcome]], None]
KINDS: dict[str, SourceKind] = {kind: kind for kind in SOURCE_KINDS}


def make_fetcher(settings: Settings) -> Fetcher:
    return Fetcher(
        allow_private=settings.allow_private_sources,
        total_timeout=settings.fetch_timeout_seconds,
        max_bytes=settings.fetch_max_bytes,
        max_redirects=settings.fetch_max_redirects,
        per_host_concurrency=settings.fetch_per_host,
        host_delay=settings.fetch_host_delay_seconds,
        user_agent=user_agent(settings.base_url),
    )


def parse(source: Claimed, result: FetchResult) -> ParsedDocument:
    """The document as the source's kind reads it; ParseError says what is wrong."""
    kind = KINDS.get(source.kind, "article")
    # Feeds as bytes, so the XML's own encoding declaration wins; pages as decoded text.
    data = result.body if kind == "feed" or not result.text else result.text
    return parse_document(
        kind, data, result.url, result.content_type, last_modified=result.last_modified
    )


async def fetch_one(fetcher: Fetcher, source: Claimed, driver: str) -> Outcome:
    """Fetch and parse one source, its items made rows for the database `driver` (e.g.
    "sqlite+aiosqlite"); every failure becomes an Outcome with plain words."""
    started = now()
    try:
        result = await fetcher.fetch(
            source.url, etag=source.etag, last_modified=source.last_modified
        )
    except FetchError as exc:
        return Outcome(source, started, error=exc.message, retry_after=exc.retry_after)
    except Exception as exc:  # a bug must cost one source, never the worker or its round
        log.exception("fetching a source failed", extra={"source": source.id, "url": source.url})
        return Outcome(source, started, error=f"Could not fetch ({type(exc).__name__}).")
    etag, modified = result.etag, result.last_modified
    if result.not_modified:
        return Outcome(
            source, started, not_modified=True, etag=etag, last_modified=modified
        )  # 304: nothing to parse
    try:
        if len(result.body) > PARSE_INLINE_BYTES:
            document = await asyncio.to_thread(parse, source, result)
        else:
            document = parse(source, result)
        return store.parsed(source, started, document, driver, etag=etag, last_modified=modified)
    except DatelineError as exc:
        return Outcome(source, started, error=exc.message)
    except Exception as exc:  # a parser bug must cost one source, never the worker
        log.exception("parsing a source failed", extra={"source": source.id, "url": source.url})
        return Outcome(
            source, started, error=f"Could not read this document ({type(exc).__name__})."
        )


# A typical feed (~60 KB) parses in ~3 ms: inline is fastest (a thread hop and the GIL cost
# a third of cold throughput in bench/ingest.py). A big page (articles, other sites' live
# blogs, up to fetch_max_bytes) can take a second in trafilatura: in a thread, so the event
# loop, which also serves live readers inside `dateline serve`, is never stalled by one.
PARSE_INLINE_BYTES = 256 * 1024


class IngestWorker:
    """Fetches due sources in rounds; `start()`/`stop()` run it in the background."""

    def __init__(self, db: Database, settings: Settings, fetcher: Fetcher | None = None) -> None:
        self.db = db
        self.settings = settings
        self.concurrency = settings.ingest_concurrency
        self.lease_seconds = settings.fetch_timeout_seconds + LEASE_MARGIN
        # Lease a source must still have when its fetch starts: the fetch, then storing it.
        self._lease_needed = timedelta(seconds=settings.fetch_timeout_seconds + LEASE_MARGIN / 2)
        store.binding(db.driver)  # refuse a database driver the store cannot write through
        self._fetcher = fetcher
        self._own_fetcher = fetcher is None
        # Child processes fetch and parse when configured; a fetcher given here (tests) wins.
        self._processes = (
            FetchProcesses(settings, db.driver, settings.ingest_processes)
            if settings.ingest_processes and fetcher is None
            else None
        )
        self._held: dict[int, datetime] = {}  # claimed here, not stored yet: id → lease
        self._task: asyncio.Task[None] | None = None
        self._next_prune = 0.0  # monotonic time of the next pruning: at the first round

    @property
    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            self._fetcher = make_fetcher(self.settings)
        return self._fetcher

    async def start(self) -> None:
        await self.warm_up()
        self._task = asyncio.create_task(self._run(), name="ingest-worker")

    @property
    def fetch_process_ids(self) -> list[int]:
        """Process ids of this worker's fetch processes running now (none without them)."""
        return self._processes.pids if self._processes is not None else []

    async def warm_up(self) -> None:
        """Start the fetch processes now, if any (otherwise at the first fetch)."""
        if self._processes is not None:
            await self._processes.start()

    async def stop(self) -> None:
        """Stop now: fetches in flight are dropped and their leases given back, so another
        worker (or the next start) fetches those sources at once."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.close()

    async def close(self) -> None:
        await self._release_held()
        if self._own_fetcher and self._fetcher is not None:
            await self._fetcher.aclose()
            self._fetcher = None
        if self._processes is not None:
            await self._processes.aclose()

    async def _release_held(self) -> None:
        held, self._held = self._held, {}
        await store.release(self.db, held)

    async def _run(self) -> None:
        while True:
            try:
                await self.run_round()
            except Exception:
                # The database may be restarting; the next round retries, nothing is lost.
                log.exception("ingest round failed")
            if time.monotonic() >= self._next_prune:
                self._next_prune = time.monotonic() + PRUNE_EVERY
                try:
                    await self.prune()
                except Exception:
                    log.exception("pruning old items failed")  # tried again in an hour
            await asyncio.sleep(self.settings.ingest_poll_seconds)

    def retention_start(self) -> datetime | None:
        """Items listed before this are neither kept nor stored (None: keep everything)."""
        days = self.settings.item_retention_days
        return now() - timedelta(days=days) if days else None

    async def prune(self) -> int:
        """Delete the items past DATELINE_ITEM_RETENTION_DAYS (none when it is 0)."""
        cutoff = self.retention_start()
        if cutoff is None:
            return 0
        deleted = await store.prune(self.db, cutoff)
        days = self.settings.item_retention_days
        if deleted:
            log.info("pruned old items", extra={"items": deleted, "days": days})
        return deleted

    async def run_round(
        self, only: Sequence[int] | None = None, progress: Progress | None = None
    ) -> Tally:
        """Fetch every due source (or just `only`, due or not) once; what was stored."""
        tally = Tally()
        queue: asyncio.Queue[Outcome | None] = asyncio.Queue()
        writer = asyncio.create_task(self._write(queue, tally, progress))
        try:
            await self._fetch_all(queue, list(only) if only is not None else None)
        finally:
            queue.put_nowait(None)
            try:
                await writer  # what was fetched is stored, even when the round is stopped
            finally:
                await self._release_held()  # fetches cut off: another worker may take them
        return tally

    async def _fetch_all(
        self, queue: asyncio.Queue[Outcome | None], only: list[int] | None
    ) -> None:
        """Keep up to `concurrency` fetches running and half as many sources claimed ahead:
        a claim waits while the writer holds SQLite's one write lock, and the fetches (in
        fetch processes, on the other cores) go on meanwhile with the sources claimed before.
        A source that waited so long its lease could run out mid-fetch is given back and
        claimed again with a fresh lease."""
        running: set[asyncio.Task[None]] = set()
        ahead: deque[Claimed] = deque()
        claiming: asyncio.Task[list[Claimed]] | None = None
        wanted = 0
        exhausted = False
        gave_back = False  # sources given back since the claim in flight began
        try:
            while True:
                stale: list[Claimed] = []
                while ahead and len(running) < self.concurrency:
                    source = ahead.popleft()
                    if source.lease_until - now() < self._lease_needed:
                        stale.append(source)  # its lease could run out mid-fetch
                    else:
                        running.add(asyncio.create_task(self._fetch_into(source, queue)))
                if stale:  # given back now, so a later claim takes them with a fresh lease
                    await store.release(self.db, {s.id: self._held[s.id] for s in stale})
                    for source in stale:
                        del self._held[source.id]
                    exhausted, gave_back = False, claiming is not None
                    if only is not None:
                        only += [source.id for source in stale]
                room = self.concurrency + self.concurrency // 2 - len(running) - len(ahead)
                low = len(ahead) <= self.concurrency // 4
                if claiming is None and not exhausted and low and room > 0:
                    wanted = room
                    claiming = asyncio.create_task(
                        store.claim(self.db, wanted, self.lease_seconds, only)
                    )
                if not running and claiming is None:
                    return
                waiting = running if claiming is None else running | {claiming}
                done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                running -= done
                if claiming is not None and claiming in done:
                    claimed, claiming = claiming.result(), None
                    exhausted, gave_back = len(claimed) < wanted and not gave_back, False
                    self._hold(claimed)
                    ahead.extend(claimed)
                    if only is not None:
                        taken = {source.id for source in claimed}
                        only = [i for i in only if i not in taken]
        finally:
            for task in running:
                task.cancel()
            if claiming is not None:  # a claim may commit as it is cancelled: keep its leases
                claiming.cancel()
                try:
                    self._hold(await claiming)
                except asyncio.CancelledError:
                    pass
                except Exception:
                    log.exception("claiming sources failed")

    def _hold(self, claimed: list[Claimed]) -> None:
        for source in claimed:
            self._held[source.id] = source.lease_until

    async def _fetch_into(self, source: Claimed, queue: asyncio.Queue[Outcome | None]) -> None:
        """Every claimed source gets an outcome, even when a bug strikes outside fetch_one."""
        try:
            outcome = None
            if self._processes is not None:
                outcome = await self._processes.fetch(source)  # None: no process, fetch here
            if outcome is None:
                outcome = await fetch_one(self.fetcher, source, self.db.driver)
        except Exception as exc:
            log.exception("fetching a source failed", extra={"source": source.id})
            outcome = Outcome(source, now(), error=f"Could not fetch ({type(exc).__name__}).")
        await queue.put(outcome)

    async def _write(
        self, queue: asyncio.Queue[Outcome | None], tally: Tally, progress: Progress | None
    ) -> None:
        """Store outcomes as they come, everything waiting at once in one transaction."""
        finished = False
        while not finished:
            batch = [await queue.get()]
            while not queue.empty() and len(batch) < WRITE_BATCH:
                batch.append(queue.get_nowait())
            finished = None in batch
            outcomes = [outcome for outcome in batch if outcome is not None]
            if not outcomes:
                continue
            stored = await store.record(self.db, outcomes, self.retention_start())
            for outcome in outcomes:
                self._held.pop(outcome.source.id, None)
            tally.new.update(stored.new)
            tally.updated.update(stored.updated)
            tally.failed.update(stored.failed)
            if progress is not None:
                progress(outcomes)
