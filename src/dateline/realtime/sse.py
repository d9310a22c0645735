"""GET /live/{slug}/events: the Server-Sent Events stream of one blog, as a raw ASGI app.

It is raw ASGI rather than a FastAPI route so the hub can hold each connection's `send` and
write frames straight to it (see hub.py). A reader that reconnects with `Last-Event-ID: N`
(or `?since=N`) first gets every event after N from the log, then live ones: nothing is lost
or repeated, across restarts and web nodes, because ids are the blog's sequence numbers.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import parse_qs

from starlette.types import Receive, Scope, Send

from dateline.errors import NotFound
from dateline.realtime.hub import Hub, Reader

HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-store"),
    (b"x-accel-buffering", b"no"),  # tell nginx and friends not to buffer the stream
]
RETRY = b"retry: 2000\n\n"
RESET = b'event: reset\ndata: {"reason":"too far behind; reload the page"}\n\n'
END = {"type": "http.response.body", "body": b"", "more_body": False}
FINISH_SECONDS = 5  # a slow reader gets this long to take the last bytes


class EventStream:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = parse_qs(scope["query_string"].decode("latin-1"))
        key_only = query.get("filter", [""])[0] == "key-events"
        since = _since(scope, query)
        try:
            blog, channel = await self.hub.open(scope["path_params"]["slug"])
        except NotFound as exc:
            await _plain(send, 404, exc.message)
            return
        if since is None:
            since = blog.last_seq
        frames = await self.hub.backlog(channel, since, blog.last_seq)
        if not blog.is_live and not frames and since >= blog.last_seq:
            await _plain(send, 204, "")  # 204 tells EventSource to stop reconnecting
            return
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        if frames is None or since > blog.last_seq:
            await send({"type": "http.response.body", "body": RETRY + RESET, "more_body": False})
            return
        shown = [f.data for f in frames if f.key_related or not key_only]
        await send(
            {"type": "http.response.body", "body": RETRY + b"".join(shown), "more_body": True}
        )
        reader = Reader(send, frames[-1].seq if frames else since, key_only)
        if any(f.ends for f in frames) or not self.hub.join(channel, reader):
            reader.end = reader.end or "ended"
        try:
            await _hold(reader, receive)
        finally:
            self.hub.leave(channel, reader)
        if reader.end is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(send(END), FINISH_SECONDS)


async def _hold(reader: Reader, receive: Receive) -> None:
    """Wait until the client goes away, or until the hub ends this stream by cancelling us."""
    if reader.end is not None:
        return
    try:
        while (await receive())["type"] != "http.disconnect":
            pass
        reader.end = None  # gone: there is nobody left to finish the response for
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if reader.end is None or task is None:
            raise  # a real cancellation (server shutdown), not the hub's doing
        task.uncancel()


def _since(scope: Scope, query: dict[str, list[str]]) -> int | None:
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    value = next((v.decode("latin-1") for k, v in headers if k == b"last-event-id"), None)
    value = value or query.get("since", [None])[0]
    return int(value) if value and value.isdigit() else None


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    headers: list[tuple[bytes, bytes]] = [(b"content-type", b"text/plain; charset=utf-8")]
    if status != 204:
        headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body if status != 204 else b""})
