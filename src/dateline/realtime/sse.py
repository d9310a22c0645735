"""GET /live/{slug}/events: the Server-Sent Events stream of one blog, as a raw ASGI app.

It is raw ASGI rather than a FastAPI route so the hub can hold each connection and write
frames straight to it (see hub.py and transport.py), and the app serves it ahead of its
middleware stack (`wants`), so an open stream costs no middleware frames or routing; the
security headers the middleware would add are added here. A reader that reconnects with
`Last-Event-ID: N` (or `?since=N`) first gets every event after N from the log, then live
ones: nothing is lost or repeated, across restarts and web nodes, because ids are the blog's
sequence numbers.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from urllib.parse import parse_qs

from starlette.types import Receive, Scope, Send

from dateline.errors import NotFound
from dateline.numbers import small_int
from dateline.realtime.hub import Hub, Reader
from dateline.realtime.transport import direct_writer

PATH = re.compile(r"/live/([^/]+)/events")
Headers = list[tuple[bytes, bytes]]
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
    def __init__(self, hub: Hub, security_headers: Headers) -> None:
        self.hub = hub
        self.security_headers = security_headers

    @staticmethod
    def wants(scope: Scope) -> bool:
        """Is this request for an event stream? (The app asks before its middleware.)"""
        return (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and _slug(scope) is not None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        slug = _slug(scope) or ""
        query = parse_qs(scope["query_string"].decode("latin-1"))
        key_only = query.get("filter", [""])[0] == "key-events"
        since = _since(scope, query)
        try:
            channel, last_seq = await self.hub.open(slug, since)
        except NotFound as exc:
            await self._plain(send, 404, exc.message)
            return
        if since is None:
            since = last_seq
        frames = await self.hub.backlog(channel, since, last_seq)
        if not channel.live and not frames and since >= last_seq:
            await self._plain(send, 204, "")  # 204 tells EventSource to stop reconnecting
            return
        headers = HEADERS + self.security_headers
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        if frames is None:
            await send({"type": "http.response.body", "body": RETRY + RESET, "more_body": False})
            return
        shown = [f.data for f in frames if f.key_related or not key_only]
        await send(
            {"type": "http.response.body", "body": RETRY + b"".join(shown), "more_body": True}
        )
        cursor = frames[-1].seq if frames else since
        reader = Reader(send, direct_writer(send), cursor, key_only)
        if any(f.ends for f in frames) or not self.hub.join(channel, reader):
            reader.end = reader.end or "ended"
        try:
            await _hold(reader, receive)
        finally:
            self.hub.leave(channel, reader)
        if reader.end is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(send(END), FINISH_SECONDS)

    async def _plain(self, send: Send, status: int, text: str) -> None:
        body = text.encode()
        headers = [(b"content-type", b"text/plain; charset=utf-8"), *self.security_headers]
        if status != 204:
            headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body if status != 204 else b""})


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


def _slug(scope: Scope) -> str | None:
    path: str = scope["path"]
    found = PATH.fullmatch(path.removeprefix(scope.get("root_path", "")))
    return found[1] if found else None


def _since(scope: Scope, query: dict[str, list[str]]) -> int | None:
    """Where the reader stands: None when it does not say (it starts from now), or -1 when
    what it says is no position in any log (negative, not a number, absurdly long), which
    `Hub.backlog` answers with a reset: the page reloads and starts again, right."""
    headers: Headers = scope["headers"]
    value = next((v.decode("latin-1") for k, v in headers if k == b"last-event-id"), None)
    value = value or query.get("since", [None])[0]
    if not value:
        return None
    found = small_int(value)
    return -1 if found is None else found
