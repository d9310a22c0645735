"""The hub in-process, on a real database: recovery when a channel fell behind its doorbell,
and what catching up costs, counted in statements.

The stream tests in test_realtime.py run a real server; these need the hub's own hands: one
rings its doorbell by hand, as a render that failed (say, a locked database) would leave it
(the channel announced further than it rendered, and no pump running); the others count the
statements a catch-up runs and start a fresh hub, as a restarted node has."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import httpx
from sqlalchemy import event

from dateline.accounts.service import User
from dateline.db import Database
from dateline.liveblog import queries as blog_queries
from dateline.liveblog.models import Blog
from dateline.realtime.hub import Hub, Reader
from dateline.web.services import install, of_app
from tests.helpers import post


class Socket:
    """Stands in for a connection's asyncio transport: keeps what the hub writes."""

    def __init__(self) -> None:
        self.sent = b""

    def write(self, data: bytes) -> None:
        self.sent += data

    def is_closing(self) -> bool:
        return False

    def get_write_buffer_size(self) -> int:
        return 0


async def test_a_channel_left_behind_its_doorbell_still_delivers_the_next_update(
    app: object, db: Database, blog: Blog, editor: User
) -> None:
    hub: Hub = of_app(app).hub  # type: ignore[arg-type]
    channel, last = await hub.open(blog.slug, None)
    socket = Socket()
    assert hub.join(channel, Reader(None, socket, last, key_only=False))  # type: ignore[arg-type]
    hub.announce(blog.id, last + 5)  # rung for events the pump then failed to render
    assert channel.pump is not None
    async with asyncio.timeout(60):  # patience for a busy machine, not an expected speed
        await channel.pump  # found nothing to render: the channel is left behind its doorbell
    await post(db, blog, editor, "Late, but not lost.")  # commits, rings for last + 1
    async with asyncio.timeout(60):
        while b"Late, but not lost." not in socket.sent:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    assert f"id: {last + 1}".encode() in socket.sent


# What a catch-up costs: counted in database statements, never timed ------------------------


class Statements:
    """Counts the SQL statements the app's engine runs (a counting seam, no mock): how many
    in all, and how many read the log (`FROM blog_events`) or updates (`FROM updates`)."""

    def __init__(self, db: Database) -> None:
        self.engine = db.engine.sync_engine
        self.seen: list[str] = []

    def _record(self, *args: Any) -> None:
        self.seen.append(str(args[2]))  # (conn, cursor, statement, parameters, context, many)

    def reading(self, table: str) -> int:
        return sum(f"FROM {table}" in statement for statement in self.seen)

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


def restart(app: Any) -> Hub:
    """A fresh hub on the same database: what a web node has after a restart (no frames)."""
    old = of_app(app)
    install(app, replace(old, hub=Hub(old.hub.db, old.hub.renderer, old.hub.replay_limit)))
    return of_app(app).hub


async def last_seq(db: Database, blog: Blog) -> int:
    async with db.read() as conn:
        return (await blog_queries.blog_by_slug(conn, blog.slug)).last_seq


async def changes(client: httpx.AsyncClient, blog: Blog, since: int | str) -> dict[str, Any]:
    answer = await client.get(f"/live/{blog.slug}/changes?since={since}")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_catching_up_costs_the_same_few_statements_whatever_the_history(
    app: Any, db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    """On a blog with 300 key events, a reader 60 events behind costs what one 10 behind
    does: a handful of statements, not a key events list (and a pinned box) per frame."""
    for n in range(300):
        await post(db, blog, editor, f"Result {n} is in.", headline=f"Ward {n}", key_event=True)
    last = await last_seq(db, blog)
    costs = []
    for behind in (60, 10):
        restart(app)
        with Statements(db) as statements:
            body = await changes(client, blog, last - behind)
        costs.append(len(statements.seen))
        assert [e["seq"] for e in body["events"]] == list(range(last - behind + 1, last + 1))
        for frame in body["events"]:  # each frame carries its own entry, not the whole list
            assert frame["key_event_html"].count("<li>") == 1, frame["key_event_html"]
            assert f'/updates/{frame["update_id"]}"' in frame["key_event_html"]
    assert costs[0] == costs[1], f"statements for 60 and 10 behind: {costs}"
    assert costs[0] <= 10, statements.seen  # blog, log, updates, images (+ BEGINs)


async def test_readers_at_the_same_point_after_a_restart_share_one_rendering(
    app: Any, db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    """100 readers 20 events behind, all at once after a restart: the blog row and the log
    are read and rendered once (not a hundred requests queueing for the connection pool);
    a reader further back renders only what memory lacks."""
    for n in range(30):
        await post(db, blog, editor, f"Update {n}.", key_event=n % 3 == 0)
    last = await last_seq(db, blog)
    restart(app)
    with Statements(db) as statements:
        bodies = await asyncio.gather(*(changes(client, blog, last - 20) for _ in range(100)))
    assert statements.reading("blog_events") == 1
    # The blog row: once for all 100 readers' opening, once for the rendering.
    assert statements.reading("blogs") == 2, statements.seen
    # Once for all 100 readers: the frames' updates, and the filter bar's counts beside them.
    assert statements.reading("updates") == 2
    assert all(body == bodies[0] for body in bodies)
    assert [e["seq"] for e in bodies[0]["events"]] == list(range(last - 19, last + 1))

    with Statements(db) as statements:
        further = await changes(client, blog, last - 25)
        again = await changes(client, blog, last - 22)
    assert [e["seq"] for e in further["events"]] == list(range(last - 24, last + 1))
    assert further["events"][5:] == bodies[0]["events"]
    assert [e["seq"] for e in again["events"]] == list(range(last - 21, last + 1))
    assert statements.reading("blog_events") == 1, "only the 5 frames memory lacked"


HOSTILE_SINCE = [
    "-99999999999999999999",
    "-2147483649",
    "-1",
    str(2**70),
    "2147483648",
    "²",
    "1e3",
    "0x10",
    "abc",
    "%00",
]


async def test_hostile_since_values_answer_4xx_or_a_reset_never_500(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await post(db, blog, editor, "Polls have closed.")
    last = await last_seq(db, blog)
    for since in HOSTILE_SINCE:
        answer = await client.get(f"/live/{blog.slug}/changes?since={since}")
        assert 400 <= answer.status_code < 500, (since, answer.status_code, answer.text)
    beyond = await changes(client, blog, last + 1)
    assert beyond == {"seq": last, "reset": True, "events": []}
    largest = await changes(client, blog, 2**31 - 1)
    assert largest["reset"] is True
    assert (await changes(client, blog, 0))["events"][-1]["seq"] == last  # from the start


async def test_frames_kept_for_a_blog_nobody_listens_to_go_at_the_next_heartbeat(
    app: Any, db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    for n in range(5):
        await post(db, blog, editor, f"Update {n}.")
    hub = restart(app)
    await changes(client, blog, await last_seq(db, blog) - 5)
    channel = hub.by_slug[blog.slug]
    assert len(channel.recent) == 5, "kept for the next reader at that point"
    heartbeat = await hub.run_heartbeat(0.01)
    try:
        async with asyncio.timeout(5):
            while channel.recent:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
    finally:
        await hub.stop(heartbeat)
