"""The hub: one per process. It keeps the readers of each blog and writes every frame to all of
them in one pass, without a task switch per reader.

Why it is shaped like this (measured in bench/fanout.py): a queue and a coroutine per reader
costs a task switch and a garbage-collected object per reader per event, which at 10,000
readers turns 50 ms of work into seconds. Here a frame is encoded once; delivering it is a
loop that drives each reader's ASGI `send` to completion on the spot. A `send` that would have
to wait (the reader's socket buffer is full) means that reader is too slow: it is dropped and
catches up by resuming from the log, so it never slows the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from dateline.db import Database
from dateline.liveblog import queries as blog_queries
from dateline.liveblog.models import Blog
from dateline.realtime import queries
from dateline.realtime.frames import Frame, FrameRenderer

log = logging.getLogger(__name__)
RECENT_FRAMES = 256  # kept per blog so reconnecting readers rarely need the database
HEARTBEAT = b": heartbeat\n\n"
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Reader:
    """One open event stream."""

    __slots__ = ("cursor", "end", "key_only", "send", "task")

    def __init__(self, send: Send, cursor: int, key_only: bool) -> None:
        self.send = send
        self.cursor = cursor  # highest seq this reader has been sent (or skipped)
        self.key_only = key_only
        self.task = asyncio.current_task()
        self.end: str | None = None  # why the hub wants the stream closed

    def offer(self, message: dict[str, Any]) -> bool:
        """Write now if the socket takes it; False when it would have to wait (or failed)."""
        step: Any = self.send(message)
        try:
            step.send(None)
        except StopIteration:
            return True
        except Exception:
            log.exception("writing to a live reader failed")
            return False
        step.close()
        return False

    def close(self, reason: str) -> None:
        if self.end is None and self.task is not None:
            self.end = reason
            self.task.cancel()


@dataclass
class Channel:
    blog_id: int
    latest: int  # highest seq rendered into `recent`
    announced: int  # highest seq any broker message mentioned
    readers: set[Reader] = field(default_factory=set)
    recent: deque[Frame] = field(default_factory=lambda: deque(maxlen=RECENT_FRAMES))
    pump: asyncio.Task[None] | None = None

    def frames_after(self, seq: int) -> list[Frame] | None:
        """Recent frames after seq, or None when they are no longer all in memory."""
        if seq >= self.latest:
            return []
        if not self.recent or self.recent[0].seq > seq + 1:
            return None
        return [frame for frame in self.recent if frame.seq > seq]


class Hub:
    def __init__(self, db: Database, renderer: FrameRenderer, replay_limit: int) -> None:
        self.db = db
        self.renderer = renderer
        self.replay_limit = replay_limit
        self.channels: dict[int, Channel] = {}

    # Announcements ------------------------------------------------------------------------

    def announce(self, blog_id: int, seq: int) -> None:
        """A broker says blog_id has reached seq. Cheap and synchronous."""
        channel = self.channels.get(blog_id)
        if channel is None or seq <= channel.announced:
            return
        channel.announced = seq
        if channel.pump is None or channel.pump.done():
            channel.pump = asyncio.create_task(self._pump(channel), name=f"pump-{blog_id}")

    async def _pump(self, channel: Channel) -> None:
        """Render what the log holds beyond `latest`, once, and deliver it to every reader."""
        while channel.latest < channel.announced and channel.readers:
            try:
                frames = await self._render_after(channel.blog_id, channel.latest)
            except Exception:
                log.exception("rendering events failed", extra={"blog_id": channel.blog_id})
                return
            if not frames:
                return
            for frame in frames:
                channel.recent.append(frame)
                channel.latest = frame.seq
                self._deliver(channel, frame)

    def _deliver(self, channel: Channel, frame: Frame) -> None:
        message = {"type": "http.response.body", "body": frame.data, "more_body": True}
        gone = [r for r in channel.readers if not _offer_frame(r, frame, message)]
        channel.readers.difference_update(gone)

    async def _render_after(self, blog_id: int, seq: int) -> list[Frame]:
        async with self.db.read() as conn:
            events = await queries.events_after(conn, blog_id, seq, self.replay_limit)
            if not events:
                return []
            blog = await blog_queries.blog_by_id(conn, blog_id)
            return await self.renderer.frames(conn, blog, events)

    # Readers ------------------------------------------------------------------------------

    async def open(self, slug: str) -> tuple[Blog, Channel]:
        async with self.db.read() as conn:
            blog = await blog_queries.blog_by_slug(conn, slug)
        channel = self.channels.get(blog.id)
        if channel is None:
            channel = self.channels[blog.id] = Channel(blog.id, blog.last_seq, blog.last_seq)
        elif not channel.readers and blog.last_seq > channel.latest:
            # Nobody was listening here, so nothing was rendered: start afresh from the log.
            channel.latest = channel.announced = blog.last_seq
            channel.recent.clear()
        return blog, channel

    async def backlog(self, channel: Channel, since: int, upto: int) -> list[Frame] | None:
        """Frames after `since` up to at least `upto` (from memory when it has them, else from
        the log), or None when the reader is too far behind to replay."""
        if since >= upto:
            return []
        if channel.latest >= upto and (frames := channel.frames_after(since)) is not None:
            return frames
        frames = await self._render_after(channel.blog_id, since)
        return None if len(frames) >= self.replay_limit else frames

    def join(self, channel: Channel, reader: Reader) -> bool:
        """Add a reader whose backlog has been sent, and bring it level with the frames that
        arrived meanwhile. False when that is impossible (it must reset)."""
        missed = channel.frames_after(reader.cursor)
        if missed is None:
            return False
        for frame in missed:
            message = {"type": "http.response.body", "body": frame.data, "more_body": True}
            if not _offer_frame(reader, frame, message):
                return True  # closed already: slow, or coverage ended
        channel.readers.add(reader)
        return True

    def leave(self, channel: Channel, reader: Reader) -> None:
        channel.readers.discard(reader)

    # Heartbeats ---------------------------------------------------------------------------

    async def heartbeat(self, every: float) -> None:
        """Keep idle connections open through proxies, and re-read the log in case a broker
        message went missing (the log is the truth; the broker is only a doorbell)."""
        message = {"type": "http.response.body", "body": HEARTBEAT, "more_body": True}
        while True:
            await asyncio.sleep(every)
            for channel in list(self.channels.values()):
                for reader in tuple(channel.readers):
                    if not reader.offer(message):
                        channel.readers.discard(reader)
                        reader.close("slow")
            await self._check_log()

    async def _check_log(self) -> None:
        watched = [c.blog_id for c in self.channels.values() if c.readers]
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
            for reader in tuple(channel.readers):
                reader.close("shutdown")
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _offer_frame(reader: Reader, frame: Frame, message: dict[str, Any]) -> bool:
    """Send one frame to one reader. False when the reader must leave (slow, or it ended)."""
    if reader.cursor >= frame.seq:
        return True
    reader.cursor = frame.seq
    if reader.key_only and not frame.key_related:
        return True
    if not reader.offer(message):
        reader.close("slow")
        return False
    if frame.ends:
        reader.close("ended")
        return False
    return True
