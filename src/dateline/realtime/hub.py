"""The hub: one per process. It keeps the readers of each blog and writes every frame to all of
them in one pass, without a task switch per reader.

Why it is shaped like this (measured in bench/fanout.py): a queue and a coroutine per reader
costs a task switch and a garbage-collected object per reader per event, which at 10,000
readers turns 50 ms of work into seconds. Here the frames a pump pass renders are encoded
once, as one piece of HTTP body, and delivering them is a loop that writes that piece to each
reader's socket on the spot (see `Reader.write`); under load, the frames committed during a
pass and the pause after it go out together in the next (see `_pump`). A reader whose socket
already holds more than BUFFER_LIMIT unsent bytes is too slow: it is dropped and catches up
by resuming from the log, so it never slows the others.

Every reader in a channel's `everyone` or `key_only` set has had every frame up to the
channel's `latest` (join brings it level before adding it), so delivery needs no per-reader
bookkeeping. A reader that is ahead of the channel (it replayed the log while the pump was
still rendering) waits in `early` until the pump catches up with it.

Catching up is bounded the same way: a channel keeps its newest frames (at most the replay
limit), and a reader behind what memory holds has the missing older frames rendered once,
under the channel's lock, and kept for the next reader at that point (see `Hub.backlog`).
A reader further behind than the replay limit is told to reload, with nothing rendered.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from dateline.db import Database
from dateline.liveblog import queries as blog_queries
from dateline.liveblog.models import Blog
from dateline.realtime import queries
from dateline.realtime.frames import Frame, FrameRenderer
from dateline.realtime.transport import Piece, Send, Transport, send_now

log = logging.getLogger(__name__)
BUFFER_LIMIT = 64 * 1024  # unsent bytes a reader may hold before it counts as slow
FREEZE_AFTER = 1.0  # seconds after a join before the collector is told to skip readers


HEARTBEAT = Piece(b": heartbeat\n\n")


class Reader:
    """One open event stream. `transport` is set when the server lets us write the response
    body to the socket ourselves (see transport.py); otherwise frames go through `send`."""

    __slots__ = ("cursor", "end", "key_only", "send", "task", "transport")

    def __init__(
        self, send: Send, transport: Transport | None, cursor: int, key_only: bool
    ) -> None:
        self.send = send
        self.transport = transport
        self.cursor = cursor  # the last seq it was sent before joining (see Hub.join)
        self.key_only = key_only
        self.task = asyncio.current_task()
        self.end: str | None = None  # why the hub wants the stream closed

    def write(self, piece: Piece) -> bool:
        """Write now; False when the reader is too slow (or gone) and must be dropped."""
        transport = self.transport
        if transport is None:
            return send_now(self.send, piece)
        if transport.is_closing() or transport.get_write_buffer_size() > BUFFER_LIMIT:
            return False
        transport.write(piece.chunk)
        return True

    def close(self, reason: str) -> None:
        """Ask the stream's task to finish the response (it is waiting in sse._hold)."""
        if self.end is None:
            self.end = reason
            if self.task is not None and self.task is not asyncio.current_task():
                self.task.cancel()


@dataclass
class Channel:
    blog_id: int
    live: bool  # False once coverage has ended
    latest: int  # highest seq rendered into `recent` and written to every joined reader
    announced: int  # highest seq any broker message mentioned
    recent: deque[Frame]  # the newest frames, the last being `latest`'s, for replays
    everyone: set[Reader] = field(default_factory=set)
    key_only: set[Reader] = field(default_factory=set)  # ?filter=key-events
    early: list[Reader] = field(default_factory=list)  # ahead of `latest`: not joined yet
    filling: asyncio.Lock = field(default_factory=asyncio.Lock)  # one backfill at a time
    pump: asyncio.Task[None] | None = None
    next_pass: float = 0.0  # loop time before which the pump does not deliver again

    @property
    def joined(self) -> int:
        return len(self.everyone) + len(self.key_only)

    @property
    def listening(self) -> bool:
        return bool(self.everyone or self.key_only or self.early)

    def warm_for(self, since: int | None) -> bool:
        """Can a reader start here without the database? Yes while joined readers keep the
        pump running (so `latest` is current) and the reader is not ahead of it."""
        return self.live and self.joined > 0 and (since is None or since <= self.latest)

    def readers(self) -> list[Reader]:
        return [*self.everyone, *self.key_only, *self.early]

    def replay(self, since: int, upto: int) -> list[Frame] | None:
        """Frames after `since` up to at least `upto` from memory, or None without them."""
        return self.frames_after(since) if self.latest >= upto else None

    def frames_after(self, seq: int) -> list[Frame] | None:
        """Recent frames after seq, or None when they are no longer all in memory."""
        if seq >= self.latest:
            return []
        if not self.recent or self.recent[0].seq > seq + 1:
            return None
        return [frame for frame in self.recent if frame.seq > seq]

    def keep_older(self, frames: list[Frame], end: int) -> None:
        """Put frames rendered from the log, up to seq `end`, in front of `recent`, if they
        still join it seamlessly (a reader's `open` may have restarted the channel while
        they were rendered) and as far as the room allows (the newest are kept)."""
        right = self.recent[0].seq if self.recent else self.latest + 1
        room = (self.recent.maxlen or 0) - len(self.recent)
        fit = [frame for frame in frames if frame.seq <= end][-room:] if room > 0 else []
        if fit and right == end + 1 and fit[-1].seq == end:
            self.recent.extendleft(reversed(fit))


class Hub:
    def __init__(self, db: Database, renderer: FrameRenderer, replay_limit: int) -> None:
        self.db = db
        self.renderer = renderer
        self.replay_limit = replay_limit
        self.channels: dict[int, Channel] = {}
        self.by_slug: dict[str, Channel] = {}
        self.reading: dict[str, asyncio.Task[Blog]] = {}  # blog rows being read, by slug
        self.freezer = Freezer(lambda: sum(c.joined for c in self.channels.values()))

    # Announcements ------------------------------------------------------------------------

    def announce(self, blog_id: int, seq: int) -> None:
        """A broker (or the heartbeat's look at the log) says blog_id has reached seq. Cheap
        and synchronous. A pump that gave up (a failed render) is started again here, so the
        next heartbeat recovers a channel even when no new event comes."""
        channel = self.channels.get(blog_id)
        if channel is None:
            return
        channel.announced = max(channel.announced, seq)
        behind = channel.latest < channel.announced and channel.listening
        if behind and (channel.pump is None or channel.pump.done()):
            channel.pump = asyncio.create_task(self._pump(channel), name=f"pump-{blog_id}")

    async def _pump(self, channel: Channel) -> None:
        """Render what the log holds beyond `latest`, once, and deliver it to every reader.

        A pass that took T seconds of writing is followed by at least T seconds for the rest
        of the process (publishing requests above all), and the frames committed meanwhile
        go out together, one write per reader. Under load that halves the passes and keeps
        publishing moving; an idle blog's next event still goes out at once."""
        loop = asyncio.get_running_loop()
        while channel.latest < channel.announced and channel.listening:
            if (rest := channel.next_pass - loop.time()) > 0:
                await asyncio.sleep(rest)
            try:
                frames = await self._render(channel.blog_id, channel.latest, channel.announced)
            except Exception:
                log.exception("rendering events failed", extra={"blog_id": channel.blog_id})
                return
            if not frames:
                return
            began = loop.time()
            self._deliver(channel, frames)
            channel.next_pass = 2 * loop.time() - began

    def _deliver(self, channel: Channel, frames: list[Frame]) -> None:
        channel.recent.extend(frames)
        channel.latest = frames[-1].seq
        _write_all(channel.everyone, Piece(b"".join(f.data for f in frames)))
        key = [f.data for f in frames if f.key_related]
        if key:
            _write_all(channel.key_only, Piece(b"".join(key)))
        if any(f.ends for f in frames):
            channel.live = False
            for reader in (*channel.everyone, *channel.key_only):
                reader.close("ended")
            channel.everyone.clear()
            channel.key_only.clear()
        early, channel.early = channel.early, []
        for reader in early:
            self.join(channel, reader)

    async def _render(self, blog_id: int, after: int, upto: int) -> list[Frame]:
        """The frames of events after `after` up to `upto` (at most the replay limit)."""
        limit = min(upto - after, self.replay_limit)
        if limit <= 0:
            return []
        async with self.db.read() as conn:
            events = await queries.events_after(conn, blog_id, after, limit)
            if not events:
                return []
            blog = await blog_queries.blog_by_id(conn, blog_id)
            return await self.renderer.frames(conn, blog, events)

    # Readers ------------------------------------------------------------------------------

    async def open(self, slug: str, since: int | None) -> tuple[Channel, int]:
        """The blog's channel and the seq a new reader starts from. A channel with readers
        is kept current by its pump, so it answers without the database; a reader that is
        ahead of it (or any reader of a quiet or ended blog) reads the blog row."""
        channel = self.by_slug.get(slug)
        if channel is not None and channel.warm_for(since):
            return channel, channel.latest
        blog = await self._blog_row(slug)
        if since is not None and since > blog.last_seq:
            blog = await self._read_blog(slug)  # the shared read began before that event
        channel = self.channels.get(blog.id)
        if channel is None:
            recent: deque[Frame] = deque(maxlen=self.replay_limit)
            channel = Channel(blog.id, blog.is_live, blog.last_seq, blog.last_seq, recent)
            self.channels[blog.id] = self.by_slug[slug] = channel
        elif not channel.listening and blog.last_seq > channel.latest:
            # Nobody was listening here, so nothing was rendered: start afresh from the log.
            channel.latest = channel.announced = blog.last_seq
            channel.recent.clear()
        channel.live = blog.is_live
        self.announce(blog.id, blog.last_seq)  # in case a broker message went missing
        return channel, blog.last_seq

    async def _blog_row(self, slug: str) -> Blog:
        """The blog row, read once for every reader asking at the same moment: after a
        restart, a hundred readers of one blog cost one query and one pooled connection, not
        a hundred requests queueing for the pool (which, on a busy machine, timed out)."""
        task = self.reading.get(slug)
        if task is None:
            task = asyncio.create_task(self._read_blog(slug), name=f"blog-row-{slug}")
            self.reading[slug] = task
            task.add_done_callback(lambda done: self._read_done(slug, done))
        return await asyncio.shield(task)  # one reader giving up does not cancel the others'

    def _read_done(self, slug: str, task: asyncio.Task[Blog]) -> None:
        if self.reading.get(slug) is task:
            del self.reading[slug]
        if not task.cancelled():
            task.exception()  # retrieved here, in case every reader waiting for it gave up

    async def _read_blog(self, slug: str) -> Blog:
        async with self.db.read() as conn:
            return await blog_queries.blog_by_slug(conn, slug)

    def must_reload(self, since: int, upto: int) -> bool:
        """Is a reader at `since` too far behind, or somewhere the log has never been?"""
        return since < 0 or since > upto or upto - since > self.replay_limit

    async def backlog(self, channel: Channel, since: int, upto: int) -> list[Frame] | None:
        """Frames after `since` up to at least `upto`, or None when the reader must reload:
        it is more than the replay limit behind, or claims a position the log does not have
        (negative, or beyond `upto`, the blog's last seq).

        Memory serves what it holds; what it lacks is rendered from the log once, under the
        channel's lock, and kept there, so readers at the same point (a hundred of them after
        a restart, say) share one rendering, and the cost of any catch-up is bounded by the
        replay limit, not by the blog's history."""
        if self.must_reload(since, upto):
            return None
        if since == upto:
            return []
        if (frames := channel.replay(since, upto)) is not None:
            return frames
        async with channel.filling:
            if (frames := channel.replay(since, upto)) is not None:
                return frames  # rendered by the reader that held the lock before us
            warm = channel.latest >= upto
            newer = list(channel.recent) if warm else []
            end = newer[0].seq - 1 if newer else channel.latest
            older = await self._render(channel.blog_id, since, end if warm else upto)
            channel.keep_older(older, end)
            return older + newer

    def join(self, channel: Channel, reader: Reader) -> bool:
        """Add a reader whose backlog has been sent, and bring it level with the frames that
        arrived meanwhile. False when that is impossible (it must reset)."""
        if reader.cursor > channel.latest:
            channel.early.append(reader)  # the pump joins it once it has caught up
            return True
        missed = channel.frames_after(reader.cursor)
        if missed is None:
            return False
        shown = [f for f in missed if f.key_related or not reader.key_only]
        if shown and not reader.write(Piece(b"".join(f.data for f in shown))):
            reader.close("slow")
        elif any(f.ends for f in missed):
            reader.close("ended")
        else:
            (channel.key_only if reader.key_only else channel.everyone).add(reader)
            self.freezer.joined()
        return True

    def leave(self, channel: Channel, reader: Reader) -> None:
        channel.everyone.discard(reader)
        channel.key_only.discard(reader)
        with contextlib.suppress(ValueError):
            channel.early.remove(reader)
        self.freezer.left()

    # Heartbeats ---------------------------------------------------------------------------

    async def heartbeat(self, every: float) -> None:
        """Keep idle connections open through proxies, and re-read the log in case a broker
        message went missing (the log is the truth; the broker is only a doorbell). Frames
        kept for replays of a blog nobody is listening to are let go: polls and restarts
        fill them again when asked, so memory follows the blogs being read, not every blog
        someone once asked about."""
        while True:
            await asyncio.sleep(every)
            for channel in list(self.channels.values()):
                _write_all(channel.everyone, HEARTBEAT)
                _write_all(channel.key_only, HEARTBEAT)
                if not channel.listening:
                    channel.recent.clear()
            await self._check_log()

    async def _check_log(self) -> None:
        watched = [c.blog_id for c in self.channels.values() if c.listening]
        if not watched:
            return
        try:
            async with self.db.read() as conn:
                seqs = await queries.last_seqs(conn, watched)
        except Exception:
            log.exception("heartbeat could not read the log")
            return
        for blog_id, seq in seqs.items():
            self.announce(blog_id, seq)

    async def run_heartbeat(self, every: float) -> asyncio.Task[None]:
        return asyncio.create_task(self.heartbeat(every), name="sse-heartbeat")

    async def stop(self, task: asyncio.Task[None] | None) -> None:
        for channel in self.channels.values():
            for reader in channel.readers():
                reader.close("shutdown")
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _write_all(readers: set[Reader], piece: Piece) -> None:
    """The hot loop: one write per reader, and the slow ones dropped."""
    slow = [reader for reader in readers if not reader.write(piece)]
    for reader in slow:
        readers.discard(reader)
        reader.close("slow")


class Freezer:
    """Keeps open streams out of the garbage collector's full passes.

    Each connection is a few hundred long-lived objects (uvicorn's protocol, the request
    cycle, our task and reader); at 10,000 readers a full collection walks them all and stops
    the process for about a second. `gc.freeze()` moves everything alive into a generation the
    collector never walks. It runs FREEZE_AFTER seconds after readers join (a burst of joins
    costs one freeze a second, each cheap). Frozen objects are never collected, so once more
    readers have left since the last unfreeze than half of those still open, it unfreezes:
    the next full collection takes back what they left, and later joins freeze again. Memory
    held by departed readers so stays below half of what the open ones use.
    """

    def __init__(self, readers: Callable[[], int]) -> None:
        self.readers = readers
        self.scheduled = False
        self.departed = 0  # readers that left since the last unfreeze

    def joined(self) -> None:
        if not self.scheduled:
            self.scheduled = True
            asyncio.get_running_loop().call_later(FREEZE_AFTER, self._freeze)

    def _freeze(self) -> None:
        self.scheduled = False
        gc.collect(1)  # young garbage only (cheap): do not freeze what is already dead
        gc.freeze()

    def left(self) -> None:
        self.departed += 1
        if self.departed > self.readers() // 2:
            self.departed = 0
            gc.unfreeze()
