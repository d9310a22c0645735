"""Several web nodes over one PostgreSQL database: a reader on node B hears what editors publish
on node A, in order and without loss, through Redis or PostgreSQL LISTEN/NOTIFY; a node that is
killed mid-stream loses nothing once its reader resumes."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.cluster import NEEDS_SERVERS, PG_URL, REDIS_URL, Node, admin, database_url
from tests.live_server import (
    EDITOR_EMAIL,
    EDITOR_PASSWORD,
    free_port,
    run_cli,
    server_env,
)
from tests.sse_client import EventReader

DATABASE = f"dateline_multinode_{os.getpid()}"
pytestmark = pytest.mark.skipif(not (PG_URL and REDIS_URL), reason=NEEDS_SERVERS)


def node_database_url() -> str:
    return database_url(DATABASE)


@pytest.fixture(scope="module", params=["redis", "postgresql"])
def nodes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Node, Node, str]]:
    """Nodes A and B, started once per broker; each test works on a blog of its own."""
    tmp_path = tmp_path_factory.mktemp(f"nodes-{request.param}")
    drop = f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"
    asyncio.run(admin(drop, f"CREATE DATABASE {DATABASE}"))
    broker = REDIS_URL if request.param == "redis" else node_database_url()
    made = []
    for name in ("a", "b"):
        port = free_port()
        env = server_env(tmp_path / name, port)
        env.update(DATELINE_DATABASE_URL=node_database_url(), DATELINE_BROKER_URL=broker)
        made.append(Node(port, env, tmp_path / f"{name}.log"))
    a, b = made
    run_cli(a.env, a.log_path, "db", "upgrade")
    run_cli(
        a.env, a.log_path, "user", "create", EDITOR_EMAIL, "--password-stdin",
        stdin=EDITOR_PASSWORD + "\n",
    )  # fmt: skip
    token = run_cli(a.env, a.log_path, "token", "create", EDITOR_EMAIL).strip()
    try:
        a.start()
        b.start()
        yield a, b, token
    finally:
        for node in made:
            node.stop()
        asyncio.run(admin(drop))


@pytest.fixture
async def editor_on_a(
    nodes: tuple[Node, Node, str], request: pytest.FixtureRequest
) -> AsyncIterator[httpx.AsyncClient]:
    """An API client on node A, with a fresh blog at /live/vote-<test>."""
    a, _, token = nodes
    headers = {"Authorization": f"Bearer {token}"}
    slug = "vote-" + request.node.originalname.removeprefix("test_").replace("_", "-")[:40]
    async with httpx.AsyncClient(base_url=a.url, headers=headers, timeout=10) as client:
        answer = await client.post("/api/v1/blogs", json={"slug": slug, "title": "Vote"})
        assert answer.status_code == 201, answer.text
        client.headers["X-Test-Blog"] = slug
        yield client


def slug_of(editor: httpx.AsyncClient) -> str:
    return editor.headers["X-Test-Blog"]


async def publish_many(editor: httpx.AsyncClient, first: int, count: int) -> None:
    for n in range(first, first + count):
        answer = await editor.post(
            f"/api/v1/blogs/{slug_of(editor)}/updates", json={"body": f"Result {n}"}
        )
        assert answer.status_code == 201


def numbers(events: list[object]) -> list[int]:
    return [int(e.data["html"].split("Result ")[1].split("<")[0]) for e in events]  # type: ignore[attr-defined]


async def test_reader_on_b_receives_everything_published_on_a(
    nodes: tuple[Node, Node, str], editor_on_a: httpx.AsyncClient
) -> None:
    _, b, _ = nodes
    async with (
        httpx.AsyncClient(base_url=b.url, timeout=10) as reader,
        reader.stream("GET", f"/live/{slug_of(editor_on_a)}/events") as response,
    ):
        events = EventReader(response)
        publisher = asyncio.create_task(publish_many(editor_on_a, 1, 20))
        received = await events.take(20, within=30)
        await publisher
    assert numbers(received) == list(range(1, 21))
    assert [e.id for e in received] == list(range(received[0].id, received[0].id + 20))  # type: ignore[operator]


async def test_killed_node_loses_nothing_once_the_reader_resumes(
    nodes: tuple[Node, Node, str], editor_on_a: httpx.AsyncClient
) -> None:
    _, b, _ = nodes
    async with httpx.AsyncClient(base_url=b.url, timeout=10) as reader:
        url = f"/live/{slug_of(editor_on_a)}/events"
        async with reader.stream("GET", url) as response:
            events = EventReader(response)
            await publish_many(editor_on_a, 1, 5)
            before = await events.take(5)
            b.kill()  # mid-stream, no goodbye
            with pytest.raises((EOFError, httpx.HTTPError)):
                await events.next(within=30)  # at once; patience for a busy machine
        await publish_many(editor_on_a, 6, 5)  # while B is down
        b.start()
        resume = {"Last-Event-ID": str(before[-1].id)}
        async with reader.stream("GET", url, headers=resume) as response:
            events = EventReader(response)
            missed = await events.take(5)
            await publish_many(editor_on_a, 11, 3)
            live = await events.take(3)
    everything = before + missed + live
    assert numbers(everything) == list(range(1, 14))
    ids = [e.id for e in everything]
    assert ids == sorted(set(ids)), "no event twice, none out of order"
