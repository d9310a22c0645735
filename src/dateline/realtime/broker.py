"""Brokers only say "blog B has event seq N"; the log in the database stays the truth.

- MemoryBroker: one process (the default).
- RedisBroker: Redis pub/sub, for several web nodes.
- PostgresBroker: PostgreSQL LISTEN/NOTIFY, for several web nodes without Redis.

A lost message costs a delay, never an update: the hub re-reads the log at every heartbeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any, Protocol

from dateline.numbers import small_int

log = logging.getLogger(__name__)
CHANNEL = "dateline_events"
RETRY_SECONDS = 1.0
OnEvent = Callable[[int, int], None]


class Broker(Protocol):
    async def publish(self, events: list[tuple[int, int]]) -> None:
        """Announce committed (blog_id, seq) pairs to every node."""

    async def start(self, on_event: OnEvent) -> None:
        """Begin calling on_event(blog_id, seq) for announcements from any node."""

    async def close(self) -> None: ...


def make_broker(url: str) -> Broker:
    if url.startswith("memory:"):
        return MemoryBroker()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBroker(url)
    if url.startswith(("postgresql", "postgres://")):
        return PostgresBroker(url)
    raise ValueError(f"DATELINE_BROKER_URL must be memory://, redis://… or postgresql://…: {url}")


def encode(blog_id: int, seq: int) -> str:
    return f"{blog_id}:{seq}"


def decode(message: str | bytes) -> tuple[int, int] | None:
    text = message.decode() if isinstance(message, bytes) else message
    blog, _, seq = text.partition(":")
    blog_id, number = small_int(blog), small_int(seq)
    if blog_id is None or number is None:
        log.warning("ignoring malformed broker message %r", text)
        return None
    return blog_id, number


class MemoryBroker:
    def __init__(self) -> None:
        self._on_event: OnEvent | None = None

    async def publish(self, events: list[tuple[int, int]]) -> None:
        if self._on_event is not None:
            for blog_id, seq in events:
                self._on_event(blog_id, seq)

    async def start(self, on_event: OnEvent) -> None:
        self.listen(on_event)

    def listen(self, on_event: OnEvent) -> None:
        self._on_event = on_event

    async def close(self) -> None:
        self._on_event = None


class _Listening:
    """A background task that keeps a subscription open, reconnecting after failures."""

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    async def start(self, on_event: OnEvent) -> None:
        self._task = asyncio.create_task(self._keep_listening(on_event), name="broker-listen")

    async def _keep_listening(self, on_event: OnEvent) -> None:
        while True:
            try:
                await self._listen(on_event)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("broker subscription lost; reconnecting in %.0f s", RETRY_SECONDS)
            await asyncio.sleep(RETRY_SECONDS)

    async def _listen(self, on_event: OnEvent) -> None:
        raise NotImplementedError

    async def _stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class RedisBroker(_Listening):
    def __init__(self, url: str) -> None:
        super().__init__()
        import redis.asyncio

        self._redis: Any = redis.asyncio.from_url(url)

    async def publish(self, events: list[tuple[int, int]]) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for blog_id, seq in events:
                pipe.publish(CHANNEL, encode(blog_id, seq))
            await pipe.execute()

    async def _listen(self, on_event: OnEvent) -> None:
        async with self._redis.pubsub() as pubsub:
            await pubsub.subscribe(CHANNEL)
            async for message in pubsub.listen():
                if message["type"] == "message" and (found := decode(message["data"])):
                    on_event(*found)

    async def close(self) -> None:
        await self._stop()
        await self._redis.aclose()


class PostgresBroker(_Listening):
    def __init__(self, url: str) -> None:
        super().__init__()
        self._dsn = "postgresql://" + url.split("://", 1)[1]
        self._publisher: Any = None
        self._lock = asyncio.Lock()

    async def publish(self, events: list[tuple[int, int]]) -> None:
        import asyncpg

        async with self._lock:  # one asyncpg connection runs one query at a time
            if self._publisher is None or self._publisher.is_closed():
                self._publisher = await asyncpg.connect(self._dsn)
            for blog_id, seq in events:
                await self._publisher.execute(
                    "SELECT pg_notify($1, $2)", CHANNEL, encode(blog_id, seq)
                )

    async def _listen(self, on_event: OnEvent) -> None:
        import asyncpg

        conn = await asyncpg.connect(self._dsn)
        lost = asyncio.get_running_loop().create_future()

        def notified(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
            if found := decode(payload):
                on_event(*found)

        def terminated(_conn: Any) -> None:
            if not lost.done():
                lost.set_result(None)

        conn.add_termination_listener(terminated)
        try:
            await conn.add_listener(CHANNEL, notified)
            await lost
            raise ConnectionError("PostgreSQL LISTEN connection closed")
        finally:
            await conn.close()

    async def close(self) -> None:
        await self._stop()
        if self._publisher is not None:
            await self._publisher.close()
