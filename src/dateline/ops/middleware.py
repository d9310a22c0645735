"""One pure-ASGI middleware per request for operations: a request id and the request metrics.

One layer, not two, because it runs around every request (bench/render.py measures the
cost). Outermost but for the server-error handler, so refusals made by other middleware
(413, 400) are counted too. Live event streams never pass here (app.DatelineApp): the hub
counts them (`instruments.py`).
"""

from __future__ import annotations

import itertools
import os
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dateline.ops.logs import request_id
from dateline.ops.metrics import Metrics
from dateline.ops.request_tally import UNMATCHED

HEADER = b"x-request-id"
# An id from the client (or the proxy in front) is kept only when it is short and plain, so
# it can go into logs and headers unchanged.
SANE_ID = re.compile(rb"[A-Za-z0-9-]{1,64}")


class RequestIds:
    """Each request's id: the client's (or the proxy's) when sane, else a new one. Without a
    random draw per request: 8 random hex digits for the maker, then a serial number."""

    def __init__(self) -> None:
        self._node = os.urandom(4).hex()
        self._serial = itertools.count(1)

    def __call__(self, scope: Scope) -> bytes:
        return _given_id(scope) or f"{self._node}{next(self._serial):08x}".encode()

    def logged(self, scope: Scope) -> bytes:
        """The id, also set for the log lines written while the request is answered outside
        `Observe` (web/fast_path.py): uvicorn's access line among them. Each request runs in
        a task of its own, so the setting ends with it."""
        rid = self(scope)
        request_id.set(rid.decode())
        return rid


class Observe:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.tally = metrics.requests
        self.request_id = RequestIds()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        rid = self.request_id(scope)
        token = request_id.set(rid.decode())
        status = 500  # unless an answer starts: an exception escapes to the error handler

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (HEADER, rid)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            name = getattr(route, "name", None) or UNMATCHED
            self.tally.observe(name, scope["method"], status, time.perf_counter() - began)
            request_id.reset(token)


def _given_id(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == HEADER:
            return value if SANE_ID.fullmatch(value) else None
    return None
