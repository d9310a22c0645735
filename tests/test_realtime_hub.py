"""The hub in-process, on a real database: recovery when a channel fell behind its doorbell.

The stream tests in test_realtime.py run a real server; this one needs to ring the hub's
doorbell by hand, as a render that failed (say, a locked database) would leave it: the
channel announced further than it rendered, and no pump running."""

from __future__ import annotations

import asyncio

from dateline.accounts.service import User
from dateline.db import Database
from dateline.liveblog.models import Blog
from dateline.realtime.hub import Hub, Reader
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
    hub: Hub = app.state.hub  # type: ignore[attr-defined]
    channel, last = await hub.open(blog.slug, None)
    socket = Socket()
    assert hub.join(channel, Reader(None, socket, last, key_only=False))  # type: ignore[arg-type]
    hub.announce(blog.id, last + 5)  # rung for events the pump then failed to render
    await asyncio.sleep(0.05)
    await post(db, blog, editor, "Late, but not lost.")  # commits, rings for last + 1
    async with asyncio.timeout(2):
        while b"Late, but not lost." not in socket.sent:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    assert f"id: {last + 1}".encode() in socket.sent
