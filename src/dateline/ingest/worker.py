"""The ingest worker: claim due sources, fetch them with a bounded pool, store what they say.

    claim (lease) ──► fetch + parse, at most `ingest_concurrency` at a time ──► queue
                      (in fetch processes when configured)                         │
                             one writer: many outcomes per transaction ◄───────────┘

- Leases (`schedule.claim`) keep workers on several machines (or `dateline serve` beside a
  `dateline worker`) off each other's sources: a source is fetched by one worker per round.
- One machine uses its cores through fetch processes (`DATELINE_INGEST_PROCESSES`): one
  worker, its claims and its writer in one process, fetching and parsing in N children.
- One writer per worker stores outcomes in batches: few transactions, and on SQLite the single
  writer is never fought over by the fetches.
- A malformed document, a refused address or a server error becomes that source's error in
  plain words (`reading.py`); nothing a source sends can stop the worker or other sources.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import utcnow
from dateline.ingest import schedule, store
from dateline.ingest.fetch import Fetcher, fetch_failed
from dateline.ingest.fetch_processes import FetchProcesses
from dateline.ingest.reading import make_fetcher, read_source
from dateline.ingest.schedule import Claimed
from dateline.ingest.store import Outcome, Tally

log = logging.getLogger(__name__)

WRITE_BATCH = 200  # outcomes per transaction at most
PRUNE_EVERY = 3600.0  # seconds between deletions of items past the retention period
LEASE_MARGIN = 60.0  # seconds a lease outlives the longest fetch (time to store it)
Progress = Callable[[Sequence[Outcome]], None]
Clock = Callable[[], datetime]
Queue = asyncio.Queue[Outcome | None]  # None: the round is over


class IngestWorker:
    """Fetches due sources in rounds; `start()`/`stop()` run it in the background."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        fetcher: Fetcher | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.db = db
        self.settings = settings
        self.concurrency = settings.ingest_concurrency
        self.lease_seconds = settings.fetch_timeout_seconds + LEASE_MARGIN
        # Lease a source must still have when its fetch starts: the fetch, then storing it.
        self._lease_needed = timedelta(seconds=settings.fetch_timeout_seconds + LEASE_MARGIN / 2)
        self._clock = clock
        # Refuses at once a database the store cannot write item rows to in bulk.
        self._binder = store.item_binder(db)
        self._fetcher = fetcher
        self._own_fetcher = fetcher is None
        # Child processes fetch and parse when configured; a fetcher given here (tests) wins.
        self._processes = (
            FetchProcesses(settings, self._binder, settings.ingest_processes)
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
        return utcnow() - timedelta(days=days) if days else None

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
        queue: Queue = asyncio.Queue()
        writer = asyncio.create_task(self._write(queue, tally, progress))
        try:
            await _Round(self, queue, only).run()
        finally:
            queue.put_nowait(None)
            try:
                await writer  # what was fetched is stored, even when the round is stopped
            finally:
                await self._release_held()  # fetches cut off: another worker may take them
        return tally

    # What a round asks of its worker ----------------------------------------------------------

    async def claim(self, limit: int, only: Collection[int] | None) -> list[Claimed]:
        """Lease up to `limit` sources (due ones, or those of `only`), held until stored."""
        claimed = await schedule.claim(
            self.db, limit, self.lease_seconds, sorted(only) if only is not None else None
        )
        self._held.update((source.id, source.lease_until) for source in claimed)
        return claimed

    def lease_too_short(self, source: Claimed) -> bool:
        """Its lease could run out before its fetch and storing are done."""
        return source.lease_until - self._clock() < self._lease_needed

    async def give_back(self, given: Sequence[Claimed]) -> None:
        """Release leases unused: a later claim (here or elsewhere) takes the sources anew."""
        await schedule.release(self.db, {source.id: self._held[source.id] for source in given})
        for source in given:
            del self._held[source.id]

    async def _release_held(self) -> None:
        held, self._held = self._held, {}
        await schedule.release(self.db, held)

    async def fetch_into(self, source: Claimed, queue: Queue) -> None:
        """Every claimed source gets an outcome, even when a bug strikes outside read_source."""
        try:
            outcome = None
            if self._processes is not None:
                outcome = await self._processes.fetch(source)  # None: no process, fetch here
            if outcome is None:
                outcome = await read_source(self.fetcher, source, self._binder)
        except Exception as exc:
            log.exception("fetching a source failed", extra={"source": source.id})
            outcome = Outcome(source, utcnow(), error=fetch_failed(exc))
        await queue.put(outcome)

    async def _write(self, queue: Queue, tally: Tally, progress: Progress | None) -> None:
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


@dataclass(frozen=True, slots=True)
class _Claim:
    """What one claim asked for and got, and how many give-backs had happened when it began."""

    wanted: int
    got: list[Claimed]
    give_backs: int


class _Round:
    """One round's fetching. Up to `concurrency` fetches run, and up to half as many sources
    are claimed ahead: a claim waits while the writer holds SQLite's one write lock, and the
    fetches (in fetch processes, on the other cores) go on meanwhile with the sources claimed
    before. Every source claimed is fetched once (its outcome goes to the queue) or given
    back; the round ends when nothing runs and a claim found fewer sources than it asked for.
    """

    def __init__(self, worker: IngestWorker, queue: Queue, only: Sequence[int] | None) -> None:
        self.worker = worker
        self.queue = queue
        self.size = worker.concurrency
        self.only = set(only) if only is not None else None  # still to claim, when given
        self.running: set[asyncio.Task[None]] = set()
        self.ahead: deque[Claimed] = deque()  # claimed, not started yet
        self.claiming: asyncio.Task[_Claim] | None = None
        self.out_of_sources = False
        self.give_backs = 0

    async def run(self) -> None:
        try:
            while True:
                await self._start_fetches()
                self._claim_more()
                if not self.running and self.claiming is None:
                    return
                await self._wait()
        finally:
            await self._cut_off()

    async def _start_fetches(self) -> None:
        """Start sources claimed ahead while there is room. A source that waited so long that
        its lease could run out mid-fetch is given back, to be claimed with a fresh lease."""
        stale = []
        while self.ahead and len(self.running) < self.size:
            source = self.ahead.popleft()
            if self.worker.lease_too_short(source):
                stale.append(source)
            else:
                self.running.add(asyncio.create_task(self.worker.fetch_into(source, self.queue)))
        if stale:
            await self.worker.give_back(stale)
            self.give_backs += 1
            self.out_of_sources = False  # they are due again
            if self.only is not None:
                self.only.update(source.id for source in stale)

    def _claim_more(self) -> None:
        """Claim when a quarter of the pool or less is waiting ahead: enough for a full pool
        and half as many ahead. One claim at a time, none once the sources ran out."""
        if self.claiming is not None or self.out_of_sources:
            return
        if len(self.ahead) > self.size // 4:
            return
        wanted = self.size + self.size // 2 - len(self.running) - len(self.ahead)
        if wanted > 0:
            self.claiming = asyncio.create_task(self._claim(wanted))

    async def _claim(self, wanted: int) -> _Claim:
        give_backs = self.give_backs
        return _Claim(wanted, await self.worker.claim(wanted, self.only), give_backs)

    async def _wait(self) -> None:
        """Until a fetch ends or the claim in flight returns."""
        waiting = self.running if self.claiming is None else self.running | {self.claiming}
        done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        self.running.difference_update(done)
        if self.claiming is not None and self.claiming in done:
            claim, self.claiming = self.claiming.result(), None
            self._took(claim)

    def _took(self, claim: _Claim) -> None:
        self.ahead.extend(claim.got)
        if self.only is not None:
            self.only.difference_update(source.id for source in claim.got)
        # Fewer than asked: no source is left, unless some were given back after the claim
        # began (it may not have seen them).
        short = len(claim.got) < claim.wanted
        self.out_of_sources = short and claim.give_backs == self.give_backs

    async def _cut_off(self) -> None:
        """Cancel what still runs (the round ended, was stopped or failed). A claim that
        committed is held by the worker (`IngestWorker.claim`), which gives its leases back
        with the others of the round."""
        for task in self.running:
            task.cancel()
        if self.claiming is None:
            return
        self.claiming.cancel()
        try:
            await self.claiming
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("claiming sources failed")
