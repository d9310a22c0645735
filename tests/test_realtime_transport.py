"""The fast path of live delivery (realtime/transport.py) under the servers it meets.

`dateline serve` runs uvicorn with its own protocol class (serving.HeaderDeadline, a subclass
of uvicorn's httptools protocol): a stream served by it must get the direct writer, or fan-out
silently falls back to the slow path. Under h11 the stream must fall back, and still deliver.
Both run the app in-process under a real uvicorn on 127.0.0.1, so the test can look at the
hub's reader; tests/test_realtime.py runs every stream behaviour under both protocols.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn

from dateline.accounts.service import User
from dateline.db import Database
from dateline.liveblog.models import Blog
from dateline.realtime.hub import Hub, Reader
from dateline.serving import header_deadline
from dateline.web.services import of_app
from tests.helpers import post
from tests.live_server import free_port
from tests.sse_client import EventReader

PATIENCE = 60  # seconds: for a busy machine, not an expected speed


@asynccontextmanager
async def serving(app: Any, protocol: Any) -> AsyncIterator[str]:
    """The app under a real uvicorn with `protocol`, in this event loop; its base URL."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, http=protocol, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(PATIENCE):
            while not server.started:
                assert not task.done(), "uvicorn did not start"
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def joined_reader(hub: Hub, blog: Blog) -> Reader:
    """The one reader of the blog's stream, once the hub has joined it."""
    async with asyncio.timeout(PATIENCE):
        while not (channel := hub.channels.get(blog.id)) or not channel.everyone:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    return next(iter(channel.everyone))


@pytest.mark.parametrize(
    ("protocol", "direct"),
    [
        pytest.param(header_deadline(10.0), True, id="dateline-serve"),
        pytest.param("h11", False, id="h11"),
    ],
)
async def test_dateline_serves_streams_through_the_direct_writer_and_h11_through_send(
    app: Any, db: Database, blog: Blog, editor: User, protocol: Any, direct: bool
) -> None:
    async with (
        serving(app, protocol) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=PATIENCE) as http,
        http.stream("GET", f"/live/{blog.slug}/events") as response,
    ):
        assert response.status_code == 200
        events = EventReader(response)
        reader = await joined_reader(of_app(app).hub, blog)
        assert (reader.transport is not None) is direct
        update = await post(db, blog, editor, "Delivered either way.")
        event = await events.next(within=PATIENCE)
        assert event.kind == "update.published"
        assert event.data["update_id"] == update.id
        assert "Delivered either way." in event.data["html"]
