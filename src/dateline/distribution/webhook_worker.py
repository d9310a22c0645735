"""The webhook sender: a consumer of the blogs' event logs, like the live stream.

1. Fan-out: for each blog, read the log after the blog's cursor (`webhook_cursors`), write one
   `webhook_deliveries` row per matching webhook and event, and move the cursor, all in one
   transaction. A restart resumes from the cursor, so nothing is lost or queued twice.
2. Sending: claim due deliveries with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, a
   conditional UPDATE on SQLite), POST each one signed, log the attempt in `webhook_attempts`,
   then mark it delivered, schedule a retry with backoff, or give up and mark it failed.
   Any number of processes can run this; the leases keep them off each other's deliveries.

Delivery is at least once (a process can die between sending and recording): receivers
de-duplicate by the X-Dateline-Delivery header. Targets are checked by the SSRF guard again at
every attempt, because a name can be pointed elsewhere after it was registered.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.config import Settings
from dateline.db import Database, insert_new, take_leases
from dateline.db.tables import (
    blog_events,
    blogs,
    webhook_attempts,
    webhook_cursors,
    webhook_deliveries,
    webhooks,
)
from dateline.db.tables import utcnow as now
from dateline.distribution.webhooks import event_names, sign
from dateline.errors import NotFound
from dateline.liveblog import queries
from dateline.liveblog.models import Blog
from dateline.liveblog.present import iso, update_json
from dateline.net.ssrf import RefusedURL, Resolver, guarded_client, system_resolver

log = logging.getLogger(__name__)
T = TypeVar("T")

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
FAN_OUT_BATCH = 200  # log events per transaction
SEND_BATCH = 20  # deliveries claimed (and sent concurrently) at a time
LEASE_MARGIN = 30.0  # seconds a lease outlives the longest attempt
USER_AGENT = "Dateline-Webhooks/1"


# Fan-out: the log becomes deliveries ----------------------------------------------------------


async def fan_out(db: Database, base_url: str) -> bool:
    """Queue deliveries for every blog whose log is ahead of its cursor; True when some blog
    has more than one batch waiting."""
    cursor_seq = webhook_cursors.c.seq
    behind = (
        select(blogs.c.id)
        .select_from(blogs.outerjoin(webhook_cursors))
        .where(or_(cursor_seq.is_(None), blogs.c.last_seq > cursor_seq))
    )
    async with db.read() as conn:
        if (await conn.execute(select(webhooks.c.id).limit(1))).first() is None:
            return False  # nobody listens; new webhooks only hear events after their creation
        blog_ids = list((await conn.execute(behind)).scalars())
    more = False
    for blog_id in blog_ids:
        async with db.write() as conn:
            more = await _fan_out_blog(conn, blog_id, base_url) or more
    return more


async def _fan_out_blog(conn: AsyncConnection, blog_id: int, base_url: str) -> bool:
    cursor = await _lock_cursor(conn, blog_id)
    if cursor is None:
        return False  # another worker is on this blog
    events = (
        await conn.execute(
            select(blog_events)
            .where(blog_events.c.blog_id == blog_id, blog_events.c.seq > cursor)
            .order_by(blog_events.c.seq)
            .limit(FAN_OUT_BATCH)
        )
    ).all()
    if not events:
        return False
    scope = or_(webhooks.c.blog_id.is_(None), webhooks.c.blog_id == blog_id)
    hooks = (await conn.execute(select(webhooks).where(scope))).all()
    blog = await queries.blog_by_id(conn, blog_id)
    rows = []
    for event in events:
        rows += await _deliveries_for(conn, blog, event, hooks, base_url)
    if rows:
        await conn.execute(insert(webhook_deliveries), rows)
    where = webhook_cursors.c.blog_id == blog_id
    await conn.execute(update(webhook_cursors).where(where).values(seq=events[-1].seq))
    return len(events) == FAN_OUT_BATCH


async def _lock_cursor(conn: AsyncConnection, blog_id: int) -> int | None:
    """The blog's cursor, locked until commit; None when another worker holds it."""
    await conn.execute(insert_new(conn, webhook_cursors).values(blog_id=blog_id, seq=0))
    query = select(webhook_cursors.c.seq).where(webhook_cursors.c.blog_id == blog_id)
    # SQLite's SQL has no FOR UPDATE: BEGIN IMMEDIATE already made us the only writer.
    query = query.with_for_update(skip_locked=True)
    seq: int | None = (await conn.execute(query)).scalar_one_or_none()
    return seq


async def _deliveries_for(
    conn: AsyncConnection, blog: Blog, event: Any, hooks: Sequence[Any], base_url: str
) -> list[dict[str, Any]]:
    """Rows to queue for one logged event. A webhook hears only events logged after it was
    created, so registering one never replays a blog's history."""
    wanted = [
        (hook.id, name)
        for name in event_names(event.kind, event.payload)
        for hook in hooks
        if name in hook.events and hook.created_at <= event.created_at
    ]
    if not wanted:
        return []
    message = await _message(conn, blog, event, base_url)
    if message is None:
        return []
    queued = now()
    return [
        {
            "public_id": str(uuid.uuid4()),
            "webhook_id": hook_id,
            "blog_id": blog.id,
            "seq": event.seq,
            "event": name,
            "payload": {"event": name, **message},
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": queued,
            "created_at": queued,
        }
        for hook_id, name in wanted
    ]


async def _message(
    conn: AsyncConnection, blog: Blog, event: Any, base_url: str
) -> dict[str, Any] | None:
    """The body (less event and sent_at), or None when its update has been deleted since: a
    withdrawn text is not sent out."""
    page = f"{base_url}/live/{blog.slug}"
    update_body = None
    if event.update_id is not None:
        try:
            found = await queries.update_by_id(conn, blog.id, event.update_id)
        except NotFound:
            return None
        if found.is_deleted:
            return None
        update_body = {**update_json(found, base_url), "url": f"{page}/updates/{found.id}"}
    blog_body = {"slug": blog.slug, "title": blog.title, "url": page}
    return {"blog": blog_body, "update": update_body, "seq": event.seq}


# Sending ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    id: int
    public_id: str
    event: str
    payload: dict[str, Any]
    attempts: int  # made before this one
    url: str
    secret: str


@dataclass(frozen=True)
class Outcome:
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def claim_due(db: Database, limit: int, lease_seconds: float) -> list[Claimed]:
    """Take up to `limit` due deliveries for `lease_seconds`; other workers skip them, and
    take them over if this process dies before recording the attempt."""
    d = webhook_deliveries
    due = and_(d.c.status == PENDING, d.c.next_attempt_at <= now())
    order = [d.c.next_attempt_at, d.c.id]
    async with db.write() as conn:
        taken = await take_leases(conn, d, due, order, limit, lease_seconds, [d.c.id])
        if not taken:
            return []
        ids = [row.id for row in taken]
        details = (
            select(d.c.id, d.c.public_id, d.c.event, d.c.payload, d.c.attempts)
            .add_columns(webhooks.c.url, webhooks.c.secret)
            .join(webhooks, webhooks.c.id == d.c.webhook_id)
            .where(d.c.id.in_(ids))
            .order_by(d.c.id)
        )
        return [Claimed(*row) for row in await conn.execute(details)]


async def attempt(client: httpx.AsyncClient, claimed: Claimed, seconds: float) -> Outcome:
    """POST one delivery, signed; never raises for what the network or receiver does."""
    started, clock = now(), time.monotonic()
    timestamp = str(int(time.time()))
    body = json.dumps({**claimed.payload, "sent_at": iso(started)}, ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Dateline-Event": claimed.event,
        "X-Dateline-Delivery": claimed.public_id,
        "X-Dateline-Timestamp": timestamp,
        "X-Dateline-Signature": "sha256=" + sign(claimed.secret, timestamp, body),
    }
    status_code, error = None, ""
    try:
        async with asyncio.timeout(seconds):
            # Streamed so a receiver's (maybe huge) answer body is never read.
            async with client.stream("POST", claimed.url, content=body, headers=headers) as sent:
                status_code = sent.status_code
    except RefusedURL as exc:
        error = exc.message
    except TimeoutError:
        error = f"No answer within {seconds:g} seconds."
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}".rstrip(": ")
    if status_code is not None and not 200 <= status_code < 300:
        error = f"The receiver answered HTTP {status_code}."
    duration = round((time.monotonic() - clock) * 1000)
    return Outcome(started, duration, status_code, error[:500])


async def record(
    db: Database, claimed: Claimed, outcome: Outcome, retry_seconds: list[float]
) -> str:
    """Log the attempt and decide what follows: delivered, a retry after the next wait of
    `retry_seconds`, or failed once they are used up. Answers the new status."""
    number = claimed.attempts + 1
    values: dict[str, Any] = {"attempts": number, "lease_until": None}
    if outcome.ok:
        values["status"] = DELIVERED
    elif number > len(retry_seconds):
        values["status"] = FAILED
    else:
        values["next_attempt_at"] = now() + timedelta(seconds=retry_seconds[number - 1])
    d = webhook_deliveries
    async with db.write() as conn:
        changed = await conn.execute(
            update(d).where(d.c.id == claimed.id).values(**values).returning(d.c.status)
        )
        status = changed.scalar_one_or_none()
        if status is None:
            return "deleted"  # its webhook was deleted while we were sending
        await conn.execute(
            insert(webhook_attempts).values(
                delivery_id=claimed.id,
                number=number,
                started_at=outcome.started_at,
                duration_ms=outcome.duration_ms,
                status_code=outcome.status_code,
                error=outcome.error,
            )
        )
        return str(status)


# The worker ---------------------------------------------------------------------------------


class WebhookWorker:
    """Fans out and sends, in a loop. Woken at once by commits in this process (it is a
    `Database.commit_listener`), and it polls, so events written by other processes or while
    it was stopped are sent too."""

    def __init__(
        self, db: Database, settings: Settings, resolver: Resolver = system_resolver
    ) -> None:
        self.db = db
        self.settings = settings
        self._resolver = resolver
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self._writes: set[asyncio.Task[Any]] = set()

    async def wake(self, appended: list[tuple[int, int]]) -> None:
        self._wake.set()

    async def start(self) -> None:
        settings = self.settings
        self._client = guarded_client(
            settings.allow_private_addresses,
            timeout=settings.webhook_timeout_seconds,
            resolver=self._resolver,
        )
        self._task = asyncio.create_task(self._run(), name="webhook-worker")

    async def stop(self) -> None:
        """Stop now; a delivery cut off mid-send is sent again when its lease runs out."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        # Writes cut off by the cancel still finish (see _write); wait for them.
        await asyncio.gather(*self._writes, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                # The database may be restarting; the next pass retries, nothing is lost.
                log.exception("webhook worker pass failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.webhook_poll_seconds):
                    await self._wake.wait()
            self._wake.clear()

    async def run_once(self) -> None:
        """Queue what the logs hold, then send everything that is due."""
        while await self._write(fan_out(self.db, self.settings.base_url)):
            pass
        lease = self.settings.webhook_timeout_seconds + LEASE_MARGIN
        while claimed := await self._write(claim_due(self.db, SEND_BATCH, lease)):
            await asyncio.gather(*(self._send(item) for item in claimed))
            if len(claimed) < SEND_BATCH:
                break

    async def _write(self, transaction: Coroutine[Any, Any, T]) -> T:
        """Run one database write to its end even when `stop()` cancels the worker: a
        transaction cut off in BEGIN or COMMIT can leave its SQLite connection holding the
        write lock, and every other writer of the file then waits for it. `stop()` waits for
        such writes; what a cut-off pass claimed is sent again when its lease runs out."""
        task = asyncio.ensure_future(transaction)
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)
        return await asyncio.shield(task)

    async def _send(self, claimed: Claimed) -> None:
        assert self._client is not None, "start() the worker first"
        settings = self.settings
        outcome = await attempt(self._client, claimed, settings.webhook_timeout_seconds)
        try:
            recorded = record(self.db, claimed, outcome, settings.webhook_retry_seconds)
            status = await self._write(recorded)
        except Exception:
            # Unrecorded, it is sent again once the lease runs out (at least once).
            log.exception("recording a webhook attempt failed", extra={"delivery": claimed.id})
            return
        if not outcome.ok:
            log.warning(
                "webhook delivery attempt failed",
                extra={
                    "delivery": claimed.public_id,
                    "url": claimed.url,
                    "attempt": claimed.attempts + 1,
                    "status": status,
                    "error": outcome.error,
                },
            )
