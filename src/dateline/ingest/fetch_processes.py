"""Fetch processes: one worker's fetching and parsing spread over child processes.

Python runs one thread at a time in a process, and a cold feed costs the worker a few
milliseconds of CPU (fetch, parse, item rows). With `DATELINE_INGEST_PROCESSES=N` the worker
keeps its leases and its writer, and hands each source it claimed to one of N children:

    worker: claim ──Claimed──► fetch process (own event loop, own Fetcher):
                                fetch, parse, item rows (bound by the worker's RowBinder)
            write ◄──Outcome──┘

- A source goes to the child with the fewest fetches in flight. The politeness limits of its
  host (`fetch_per_host`, `fetch_host_delay_seconds`) are kept here, by the same gate a
  Fetcher uses, around the whole fetch: across children as in one process. (A redirect to
  another host is gated by the child that follows it.)
- Messages are length-prefixed pickles over a socket pair the worker made and the child
  inherited: nothing else can write to it.
- A child that dies costs only the fetches it had in flight: they come back as errors in plain
  words (so the sources back off, even when a document crashes the parser every time), and the
  next source for that child starts a new one. A child that cannot start (a broken or
  half-upgraded install: the handshake compares versions) is logged and takes no sources for
  a minute; when none can start, the worker fetches them itself. Sources are not charged.
- Every answer is awaited at most the fetch timeout plus a margin, the politeness wait
  included (as in one process): a child that does not answer by then is stopped (and
  restarted at its next source); it costs a timeout, never the round.
- Children ignore SIGINT and SIGTERM and stop at the end of their input, when the worker
  stops (or dies).

Run as `python -m dateline.ingest.fetch_processes FD` by `FetchProcesses`, never by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import pickle
import signal
import socket
import sys
import time
from typing import Any

from dateline import __version__
from dateline.config import Settings
from dateline.db.bulk import RowBinder
from dateline.db.tables import utcnow as now
from dateline.ingest.fetch import FETCH_PROBLEMS, HostGate, fetch_failed, host_of, timed_out
from dateline.ingest.reading import make_fetcher, read_source
from dateline.ingest.schedule import Claimed
from dateline.ingest.store import Outcome

log = logging.getLogger(__name__)

READY_SECONDS = 60.0  # a child not ready this long after its start is killed
RETRY_START_SECONDS = 60.0  # after a child failed to start, the worker fetches itself this long
ANSWER_MARGIN = 30.0  # seconds an answer may take beyond the fetch timeout (parsing, queues)
STOP_SECONDS = 5.0  # a child still running this long after being told to stop is killed
GONE = FETCH_PROBLEMS("process_gone")
_LENGTH = 4  # bytes of a frame's length prefix


class FetchProcesses:
    """N fetch processes for one worker, started at their first fetch, restarted as needed."""

    def __init__(self, settings: Settings, binder: RowBinder, count: int) -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        self.settings = settings
        self.binder = binder
        self._children: list[_Child | None] = [None] * count
        self._starting = [asyncio.Lock() for _ in range(count)]
        self._failed_at = [-RETRY_START_SECONDS] * count  # monotonic time of a failed start
        self._loads = [0] * count  # fetches given to each child and not answered yet
        self._gate = HostGate(settings.fetch_per_host, settings.fetch_host_delay_seconds)
        self._timeout = settings.fetch_timeout_seconds + ANSWER_MARGIN

    async def start(self) -> None:
        """Start every child now (each also starts at its first fetch otherwise); one that
        cannot start is logged, and the worker fetches its share meanwhile."""
        await asyncio.gather(*(self._child(n) for n in range(len(self._children))))

    async def fetch(self, source: Claimed) -> Outcome | None:
        """Fetch and parse `source` in the least busy child that runs or may start: what it
        gave, or why not; None when the children failed to start lately (the caller fetches
        it itself, through its own politeness gate)."""
        started = now()
        usable = [n for n in range(len(self._children)) if not self._cooling(n)]
        if not usable:
            return None
        number = min(usable, key=self._loads.__getitem__)
        self._loads[number] += 1
        child, asked = None, False
        try:
            child = await self._child(number)  # starting one is not this source's time
            if child is None:
                return None
            async with asyncio.timeout(self._timeout):
                async with self._gate.enter(host_of(source.url)):
                    asked = True
                    return await child.fetch(source)
        except _ChildGone:
            return Outcome(source, started, error=GONE)
        except TimeoutError:
            if asked and child is not None:  # no answer in time: wedged; the next one restarts
                log.error("a fetch process did not answer in time; stopping it")
                child.kill()
            return Outcome(source, started, error=timed_out(self._timeout))
        finally:
            self._loads[number] -= 1

    def _cooling(self, number: int) -> bool:
        """Child `number` is not running and failed to start less than a minute ago."""
        child = self._children[number]
        if child is not None and child.alive:
            return False
        return time.monotonic() - self._failed_at[number] < RETRY_START_SECONDS

    async def _child(self, number: int) -> _Child | None:
        """Child `number`, started (again) when needed; None while it fails to start."""
        child = self._children[number]
        if child is not None and child.alive:
            return child
        async with self._starting[number]:
            child = self._children[number]
            if child is not None and child.alive:
                return child
            if child is not None:
                await child.aclose()
                self._children[number] = None
            if time.monotonic() - self._failed_at[number] < RETRY_START_SECONDS:
                return None
            try:
                child = await _Child.start(self.settings, self.binder)
            except (OSError, RuntimeError) as exc:
                self._failed_at[number] = time.monotonic()
                log.error("a fetch process could not start (%s); fetching in the worker", exc)
                return None
            self._children[number] = child
            return child

    async def aclose(self) -> None:
        """Tell every child to stop; fetches they still had in flight are dropped."""
        children, self._children = self._children, [None] * len(self._children)
        await asyncio.gather(*(child.aclose() for child in children if child is not None))

    @property
    def pids(self) -> list[int]:
        """Process ids of the children running now (for tests and operators)."""
        return [child.pid for child in self._children if child is not None and child.alive]


class _ChildGone(Exception):
    """The child process ended before it answered."""


class _Child:
    def __init__(
        self,
        process: asyncio.subprocess.Process,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.process = process
        self.pid = process.pid
        self._reader = reader
        self._writer = writer
        self._numbers = itertools.count()
        self._pending: dict[int, asyncio.Future[Outcome]] = {}
        self.alive = True
        self._answers = asyncio.create_task(self._read_answers(), name=f"fetch-process-{self.pid}")

    @classmethod
    async def start(cls, settings: Settings, binder: RowBinder) -> _Child:
        """A child that said it is ready; RuntimeError (or OSError) when it did not."""
        ours, theirs = socket.socketpair()
        try:
            process = await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", __name__, str(theirs.fileno())),
                pass_fds=[theirs.fileno()],
                stdin=asyncio.subprocess.DEVNULL,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        writer = None
        try:
            reader, writer = await asyncio.open_connection(sock=ours)
            writer.write(_frame((settings, binder, _build(binder))))
            try:  # ready: its imports done, the same code as ours, its fetcher made
                await asyncio.wait_for(_read(reader), READY_SECONDS)
            except (TimeoutError, asyncio.IncompleteReadError, ConnectionError) as exc:
                late = isinstance(exc, TimeoutError)
                raise RuntimeError("not ready in time" if late else "it exited at start") from exc
        except BaseException:  # also a worker stopping meanwhile: leave nothing running
            if writer is not None:
                writer.close()
            else:
                ours.close()
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise
        return cls(process, reader, writer)

    def kill(self) -> None:
        """End it now (its fetches in flight come back as GONE)."""
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()

    async def fetch(self, source: Claimed) -> Outcome:
        if not self.alive:
            raise _ChildGone
        number = next(self._numbers)
        answer: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._pending[number] = answer
        try:
            self._writer.write(_frame((number, source)))
            return await answer
        finally:
            self._pending.pop(number, None)

    async def _read_answers(self) -> None:
        try:
            while True:
                number, outcome = await _read(self._reader)
                answer = self._pending.get(number)
                if answer is not None and not answer.done():
                    answer.set_result(outcome)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass  # the child ended: its stream closed
        except Exception:
            log.exception("a fetch process sent an unreadable answer; stopping it")
            self.kill()
        finally:
            self.alive = False
            for answer in self._pending.values():
                if not answer.done():
                    answer.set_exception(_ChildGone())
            self._writer.close()

    async def aclose(self) -> None:
        """Close the stream (the child stops at end of input) and wait; kill it if it lingers."""
        self.alive = False
        self._writer.close()
        try:
            await asyncio.wait_for(self.process.wait(), STOP_SECONDS)
        except TimeoutError:
            log.warning("a fetch process did not stop; killing it", extra={"pid": self.pid})
            self.kill()
            await self.process.wait()
        self._answers.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._answers


def _frame(message: object) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(_LENGTH, "big") + data


async def _read(reader: asyncio.StreamReader) -> Any:
    """One message; only ever from the other end of our own socket pair."""
    size = int.from_bytes(await reader.readexactly(_LENGTH), "big")
    return pickle.loads(await reader.readexactly(size))  # noqa: S301


# The child's side ----------------------------------------------------------------------------


def _build(binder: RowBinder) -> tuple[str, tuple[str, ...]]:
    """What must be the same on both sides of the socket: Dateline's version and the order of
    an item row. An upgrade installed under a running worker fails the handshake."""
    return __version__, binder.columns


async def _serve(sock: socket.socket) -> None:
    """Answer each (number, Claimed) with (number, Outcome) until the worker closes the stream."""
    reader, writer = await asyncio.open_connection(sock=sock)
    settings, binder, build = await _read(reader)
    if build != _build(binder):
        ours = _build(binder)
        log.error("this fetch process runs %s, its worker %s: restart the worker", ours, build)
        return
    fetcher = make_fetcher(settings)
    writer.write(_frame("ready"))
    running: set[asyncio.Task[None]] = set()

    async def answer(number: int, source: Claimed) -> None:
        try:
            frame = _frame((number, await read_source(fetcher, source, binder)))
        except Exception as exc:  # read_source says what went wrong; this is the last net
            log.exception("fetching a source failed", extra={"source": source.id})
            frame = _frame((number, Outcome(source, now(), error=fetch_failed(exc))))
        writer.write(frame)

    try:
        while True:
            try:
                number, source = await _read(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return  # the worker closed the stream: stop
            task = asyncio.create_task(answer(number, source))
            running.add(task)
            task.add_done_callback(running.discard)
    finally:
        for task in running:
            task.cancel()
        await fetcher.aclose()


def main() -> None:
    """The child stops when the worker closes its stream, never on a signal: Ctrl-C in a
    terminal, or a service manager's SIGTERM, reaches the whole process group, and the worker
    must get the answers it is waiting for, or cancel them itself and hand the leases back,
    rather than record "fetch process stopped" for every source in flight."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, format="fetch process: %(levelname)s %(message)s")
    asyncio.run(_serve(socket.socket(fileno=int(sys.argv[1]))))


if __name__ == "__main__":
    main()
