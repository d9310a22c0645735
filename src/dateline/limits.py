"""What a request may carry: a body no larger than its route takes, and no NUL (U+0000).

The body limit and the NUL check of paths and queries are pure ASGI middleware just inside the
security headers, so nothing behind them (authentication, idempotency keys, form and JSON
parsing, a route's query) reads more than a route accepts or hands PostgreSQL a text it cannot
hold. A declared Content-Length past the limit is answered at once, without reading a byte of
the body; a chunked body is counted as it is read and cut off when it passes the limit. Both
answers come from the app's own exception handlers (a JSON problem under /api, the error page
elsewhere), and a 413 closes the connection so the unread rest is never read.

Text inside JSON bodies is checked once parsed (`ApiInput`); text typed into HTML forms loses
its NUL characters where forms are read (`web/forms.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dateline.config import Settings
from dateline.i18n import N_
from dateline.i18n import gettext as _
from dateline.numbers import small_int

NUL_MESSAGE = N_("Text may not contain the NUL character (U+0000).")
# GET, HEAD and DELETE carry no body worth reading; DELETE's JSON may hold a correction note
# (500 characters, 6 KB even if every one is escaped).
QUIET_METHODS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})
QUIET_BODY = 8 * 1024
# The POST routes that take a file: images through the API and the update forms (a draft's
# form has the same upload slot), and OPML imports.
FILE_ROUTES = re.compile(
    r"/api/v1/images|/admin/sources/import"
    r"|/admin/live/[^/]+/(?:updates|updates/[^/]+/edit|drafts/[^/]+/publish)"
)


@dataclass(frozen=True)
class BodyLimits:
    """The largest body, in bytes, of a form or JSON request and of a request with a file."""

    form: int
    file: int

    @classmethod
    def from_settings(cls, settings: Settings) -> BodyLimits:
        # A file's form also carries its text fields and the multipart framing.
        return cls(settings.max_body_bytes, settings.max_upload_bytes + settings.max_body_bytes)

    def for_request(self, method: str, path: str) -> int:
        if method in QUIET_METHODS:
            return QUIET_BODY
        return self.file if FILE_ROUTES.fullmatch(path) else self.form


class BodyTooLarge(HTTPException):
    """A body past its route's limit: a 413, answered by the app's HTTPException handler."""

    def __init__(self, limit: int) -> None:
        size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
        words = _("The request is too large: this address takes at most %(size)s.")
        super().__init__(413, words % {"size": size})


class BodyLimit:
    """Refuses a body past its route's limit before reading it, or as soon as it passes."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.for_request(scope["method"], scope["path"])
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def closing(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if message["status"] == 413:  # the rest of the body stays unread on the wire
                    message["headers"] = [*message.get("headers", []), (b"connection", b"close")]
            await send(message)

        declared = Headers(scope=scope).get("content-length")
        if declared is not None and not _within(declared, limit):
            await answer(scope, receive, closing, BodyTooLarge(limit))
            return
        try:
            await self.app(scope, counted, closing)
        except BodyTooLarge as exc:  # met outside the routes (a middleware reading the body)
            if started:
                raise
            await answer(scope, receive, closing, exc)


def _within(declared: str, limit: int) -> bool:
    size = small_int(declared.strip())
    return size is not None and size <= limit


class RefuseNul:
    """A NUL in the path or the query is a 422 under /api and a 400 page elsewhere, on every
    route and backend, before any route looks a slug or a name up (PostgreSQL would fail)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        where = _nul_in_address(scope) if scope["type"] == "http" else None
        if where is None:
            await self.app(scope, receive, send)
            return
        error = {"type": "nul", "loc": where, "msg": NUL_MESSAGE, "input": None}
        await answer(scope, receive, send, RequestValidationError([error]))


def _nul_in_address(scope: Scope) -> tuple[str, str] | None:
    """Where a NUL is: ("path", "path"), ("query", name), or None."""
    if "\x00" in scope["path"]:
        return ("path", "path")
    query: bytes = scope["query_string"]
    if b"%00" not in query and b"\x00" not in query:  # "%00" is the only escape that is NUL
        return None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return ("query", name.replace("\x00", "") or "query")
    return ("query", "query")


async def answer(scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
    """Answer `exc` with the app's own handler for it, as if a route had raised it."""
    handlers: dict[Any, Any] = scope["app"].exception_handlers
    handler = next(handlers[kind] for kind in type(exc).__mro__ if kind in handlers)
    response = await handler(Request(scope, receive), exc)
    await response(scope, receive, send)


class ApiInput(BaseModel):
    """The base of every JSON body the API takes: strict types, no unknown fields, and no NUL
    in any text (checked on the parsed values, once the body is within its limit)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _holds_nul(value):
            raise PydanticCustomError("nul", NUL_MESSAGE)
        return value


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False  # numbers, booleans, and nested models (which check their own fields)
