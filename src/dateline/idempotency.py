"""`Idempotency-Key` on API changes: a client that lost an answer retries and gets the first.

Follows the IETF draft "The Idempotency-Key HTTP Header Field". A POST, PUT or PATCH under
/api/v1 from a caller with a valid bearer token may carry `Idempotency-Key: <1-200 printable
ASCII characters>` (a quoted structured-field string is accepted too). Keys are per user:

- the first request reserves the key in `idempotency_keys`, runs, and its answer (2xx or 4xx)
  is kept; a 5xx or an exception releases the key, so a retry runs again (a node that dies
  mid-request leaves its key taken, answering 409, until it expires: the change may be made);
- a retry of the same request (method, path, query and body) gets the kept answer byte for
  byte, with `Idempotent-Replayed: true`, and nothing runs again;
- the same key on a different request is a 422, and while the first is still running a 409;
- keys are forgotten after 24 hours (deleted lazily when a key is reserved).

The database is the truth, so a retry that reaches another web node is answered the same.
Anonymous requests and those without the header pass through untouched; the token is checked
before the body is read, and only a keyed request's body is buffered (at most MAX_BODY).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dateline.accounts.auth import Unauthorized, require_api_reader
from dateline.db import Database, insert_new
from dateline.db.tables import idempotency_keys as keys_table
from dateline.db.tables import utcnow
from dateline.limits import BodyTooLarge, answer
from dateline.web.errors import problem

HEADER = "idempotency-key"
METHODS = frozenset({"POST", "PUT", "PATCH"})  # DELETE is idempotent by itself
PREFIX = "/api/v1/"
MAX_KEY = 200
MAX_BODY = 1024 * 1024  # what a keyed request may send: JSON bodies are far smaller, and
# images, the one larger kind, are stored once by content hash and need no key
KEEP = timedelta(hours=24)


@dataclass(frozen=True)
class Stored:
    """The answer kept for a key; `status` is None while its request is still running."""

    fingerprint: str
    status: int | None
    content_type: str
    body: bytes


@dataclass
class IdempotencyKeys:
    """The `idempotency_keys` table: reserve a key, keep or release its answer. `now` is the
    clock that dates and expires keys (tests move it; nothing else should)."""

    db: Database
    now: Callable[[], datetime] = field(default=utcnow)

    async def reserve(
        self, user_id: int, key: str, method: str, path: str, fingerprint: str
    ) -> int | Stored:
        """The new reservation's id, or what an earlier request with this key left. Expired
        keys of every user go first, so an old key is free again."""
        moment = self.now()
        table = keys_table
        async with self.db.write() as conn:
            await conn.execute(delete(table).where(table.c.created_at < moment - KEEP))
            reserve = insert_new(conn, table).values(
                user_id=user_id,
                key=key,
                method=method,
                path=path,
                request_hash=fingerprint,
                content_type="",
                created_at=moment,
            )
            new_id = (await conn.execute(reserve.returning(table.c.id))).scalar_one_or_none()
            if new_id is not None:
                return int(new_id)
            mine = (table.c.user_id == user_id) & (table.c.key == key)
            row = (await conn.execute(select(table).where(mine))).first()
        if row is None:  # released or expired between the insert and the read: still busy
            return Stored(fingerprint, None, "", b"")
        return Stored(row.request_hash, row.status, row.content_type, row.body or b"")

    async def keep(self, reservation: int, status: int, content_type: str, body: bytes) -> None:
        async with self.db.write() as conn:
            await conn.execute(
                update(keys_table)
                .where(keys_table.c.id == reservation)
                .values(status=status, content_type=content_type[:100], body=body)
            )

    async def release(self, reservation: int) -> None:
        async with self.db.write() as conn:
            await conn.execute(delete(keys_table).where(keys_table.c.id == reservation))


class IdempotencyMiddleware:
    """Pure ASGI: it buffers the keyed request's body and the app's answer, nothing else."""

    def __init__(self, app: ASGIApp, keys: IdempotencyKeys) -> None:
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else None
        if (
            headers is None
            or HEADER not in headers
            or scope["method"] not in METHODS
            or not scope["path"].startswith(PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        user_id = await _api_user_id(scope)
        if user_id is None:  # the route answers 401 as it would without the header
            await self.app(scope, receive, send)
            return
        response = await self._keyed(scope, receive, send, headers, user_id)
        if response is not None:
            await response(scope, receive, send)

    async def _keyed(
        self, scope: Scope, receive: Receive, send: Send, headers: Headers, user_id: int
    ) -> Response | None:
        """Run the request once for its key; None when the app has answered, else the answer."""
        key = _key(headers.getlist(HEADER))
        if key is None:
            return problem(
                400, "bad_idempotency_key", "Send one Idempotency-Key of 1-200 printable ASCII."
            )
        try:
            body = await _read_body(receive, headers)
        except ClientDisconnect:
            return None  # nobody is left to answer, and a part of a body must not run
        except BodyTooLarge as too_large:  # the same 413 as any route's limit (limits.py)
            await answer(scope, receive, send, too_large)
            return None
        fingerprint = _fingerprint(scope, body)
        path = scope["path"][:500]  # for people reading the table
        found = await self.keys.reserve(user_id, key, scope["method"], path, fingerprint)
        if isinstance(found, int):
            await self._run_once(found, scope, _replay_body(body, receive), send)
            return None
        if found.fingerprint != fingerprint:
            detail = "This Idempotency-Key was used for a different request; use a new key."
            return problem(422, "idempotency_key_reused", detail)
        if found.status is None:
            detail = (
                "The first request with this Idempotency-Key is still being answered (or its"
                " server stopped meanwhile: the key is free again 24 hours after first use)."
            )
            return problem(409, "conflict", detail)
        replayed = {"idempotent-replayed": "true"}
        if found.content_type:
            replayed["content-type"] = found.content_type
        return Response(found.body, status_code=found.status, headers=replayed)

    async def _run_once(self, reservation: int, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app, keep its answer (or release the key on a 5xx or an error), then send
        it: kept first, so a retry that follows the answer at once is always a replay."""
        sent: list[Message] = []

        async def capture(message: Message) -> None:
            sent.append(message)

        try:
            await self.app(scope, receive, capture)
        except BaseException:
            # Shielded: a cancelled request still frees its key for the retry.
            await asyncio.shield(self.keys.release(reservation))
            raise
        start = next((m for m in sent if m["type"] == "http.response.start"), None)
        status = 500 if start is None else int(start["status"])
        if start is None or status >= 500:
            await self.keys.release(reservation)
        else:
            content_type = Headers(raw=start.get("headers", [])).get("content-type", "")
            body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
            await self.keys.keep(reservation, status, content_type, body)
        for message in sent:
            await send(message)


async def _api_user_id(scope: Scope) -> int | None:
    """The bearer token's user, resolved the way every API route does and kept in the
    request's state, so the route does not look the token up again; None if there is none."""
    try:
        return (await require_api_reader(Request(scope))).id
    except Unauthorized:
        return None


def _key(values: list[str]) -> str | None:
    """The one key sent, without structured-field quotes; None when it is not a valid key."""
    if len(values) != 1:
        return None
    key = values[0]
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not 0 < len(key) <= MAX_KEY or not all(" " <= c <= "~" for c in key):
        return None
    return key


async def _read_body(receive: Receive, headers: Headers) -> bytes:
    """The whole request body; BodyTooLarge as soon as it is known to exceed MAX_BODY (or the
    route's own limit, which BodyLimit's `receive` enforces)."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise BodyTooLarge(MAX_BODY)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientDisconnect
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise BodyTooLarge(MAX_BODY)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay_body(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app the buffered body once, then the client's own messages."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


def _fingerprint(scope: Scope, body: bytes) -> str:
    """SHA-256 of what makes two requests the same one: method, path, query and body."""
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(), scope["query_string"], body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()
