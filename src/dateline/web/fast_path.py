"""Anonymous reads of pages versioned by a blog's log, answered from memory ahead of the app.

A busy live page is read thousands of times between two changes, and every read through the
app pays for routing, six layers of middleware and a database read of the blog's version
(bench/render.py). Yet the page only changes when the blog's log moves, and its relative
ages ("5 minutes ago") a little with time. So `DatelineApp` hands every request here first:

- a hit (an anonymous GET of a page kept here, still current) is answered at once with the
  bytes and headers the app sent the first time, or with a 304 when the client holds that
  copy, and a request id of its own; the request is counted like any other (`count`);
- everything else goes to the app (`slow`); when the app's answer is one that anyone may
  reuse, it is kept for the next reader. Readers asking for that page meanwhile wait for
  this one answer instead of rendering it again each (after an event, a busy page would be
  rendered once per waiting reader), and a copy past its time limit keeps serving while it
  is being renewed.

What an answer depends on is said by the route itself: `http_cache.of_blog` (and
`of_blog_set`) note the logs they version an answer by (`http_cache.noting_versions`), and
only answers that noted one are kept. The version is then known without the database: every
node's broker listener calls `announce(blog_id, seq)` for every committed event, here and on
other nodes alike, and an announcement drops the copies it makes stale. A copy rendered
while an event was being announced is not kept (`known` holds the newest seq heard of each
blog). If a broker message is lost, a copy lives at most `ttl` seconds, which also bounds
the age of the relative times on it (the slow path's render cache keeps a render as long
again, so a reader sees ages at most a minute old; `live.js` ticks them anyway).

On any doubt the app answers: a method other than GET, a path outside the reader's pages, a
query other than `page`, `filter` and `limit`, a cookie other than the language switch's (a
signed-in editor, a flash message), `Authorization`, or `If-Modified-Since` without
`If-None-Match`. Copies are keyed by path, query and the visitor's language (a page worded
in the visitor's language varies by it; a blog's own pages do not, and merely have a copy
per language asked for).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from starlette.types import Message, Receive, Scope, Send

from dateline import i18n
from dateline.web import http_cache

# Paths whose answers routes may version by a blog's log: live pages, feeds, embeds.
PREFIXES = ("/live/", "/embed/", "/feed.", "/category/")
QUERY_NAMES = frozenset({b"page", b"filter", b"limit"})
MAX_QUERY = 64  # bytes: anything longer is no reader's link
MAX_PAGE = 2 * 2**20  # a bigger answer is not kept
TTL_SECONDS = 30.0
MAX_BYTES = 64 * 2**20  # all copies together
LANGUAGE_MEMO = 256  # (cookie, Accept-Language) pairs remembered with their language
# Headers of a 200 that its 304 does not carry (Starlette's 304 has neither).
NOT_ON_304 = frozenset({b"content-type", b"content-length"})
REQUEST_ID = b"x-request-id"

Key = tuple[str, bytes, str]
Versions = tuple[tuple[int | None, int], ...]  # (blog id, or None for every blog; seq)
Slow = Callable[[Scope, Receive, Send], Awaitable[None]]
Count = Callable[[str, str, int, float], None]


@dataclass(frozen=True, slots=True)
class Copy:
    """One answer as the app gave it, and what it was versioned by."""

    etag: str  # the ETag header as sent: a client that holds the copy sends it back as is
    tag: str  # its opaque part, for any other If-None-Match
    head: list[tuple[bytes, bytes]]  # the 200's headers, but the request id
    not_modified_head: list[tuple[bytes, bytes]]
    body: bytes
    versions: Versions
    route: str
    born: float
    # The same headers as HTTP/1.1 header lines, for a server that writes them (`at_once`):
    # joined once per copy rather than once per answer.
    wire_head: bytes
    wire_not_modified_head: bytes


@dataclass(frozen=True, slots=True)
class Answer:
    """A whole answer from a copy, for a server that writes HTTP/1.1 itself (serving.py):
    its status, its header lines but the server's own and the request id, the request id
    and the body (empty for a 304)."""

    status: int
    head: bytes
    request_id: bytes
    body: bytes


@dataclass(frozen=True, slots=True)
class Request:
    """What a request that may be answered here asks for."""

    key: Key
    if_none_match: str | None


class FastPath:
    def __init__(
        self,
        request_id: Callable[[Scope], bytes],
        count: Count | None = None,
        clock: Callable[[], float] = time.monotonic,
        ttl: float = TTL_SECONDS,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.request_id = request_id
        self.count = count
        self.clock = clock
        self.ttl = ttl
        self.max_bytes = max_bytes
        self.copies: dict[Key, Copy] = {}  # oldest first: the first to go when full
        self.bytes = 0
        self.known: dict[int, int] = {}  # blog id -> newest seq announced
        self.announced = 0  # announcements so far, of any blog
        self.filling: dict[Key, asyncio.Future[None]] = {}  # pages being rendered for a copy
        self._languages: dict[tuple[bytes, bytes], str] = {}

    # Announcements ------------------------------------------------------------------------

    def announce(self, blog_id: int, seq: int) -> None:
        """A broker says blog_id has reached seq: drop the copies that are now stale."""
        self.announced += 1
        if seq > self.known.get(blog_id, 0):
            self.known[blog_id] = seq
        stale = [key for key, copy in self.copies.items() if _outdated(copy, blog_id, seq)]
        for key in stale:
            self._drop(key)

    # Serving ------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send, slow: Slow) -> None:
        asked = self._asked(scope)
        if asked is None:
            await slow(scope, receive, send)
            return
        began = time.perf_counter()
        copy = self._usable(asked.key)
        filling = self.filling.get(asked.key)
        if copy is None and filling is not None:
            await asyncio.shield(filling)  # one render for a page many readers asked for
            copy = self._usable(asked.key)
        if copy is None:
            await self._fill(scope, receive, send, slow, asked.key)
            return
        status = await self._answer(scope, send, copy, asked)
        if self.count is not None:
            self.count(copy.route, "GET", status, time.perf_counter() - began)

    def _usable(self, key: Key) -> Copy | None:
        """The copy kept for `key`, if young enough; once older than `ttl`, it still serves
        while a reader's request is renewing it, so readers never queue for the render."""
        copy = self.copies.get(key)
        if copy is None or (self.clock() - copy.born >= self.ttl and key not in self.filling):
            return None
        return copy

    def at_once(self, scope: Scope) -> Answer | None:
        """For a server that can write a whole answer without an ASGI cycle (serving.py): the
        answer to a request a kept copy serves without waiting, counted as `__call__` counts
        it; None when the request must go the usual way (`__call__`)."""
        asked = self._asked(scope)
        copy = None if asked is None else self._usable(asked.key)
        if asked is None or copy is None:
            return None
        began = time.perf_counter()
        rid = self.request_id(scope)
        if _holds(asked, copy):  # a 304 needs nothing of the 200: no body, no other headers
            answer = Answer(304, copy.wire_not_modified_head, rid, b"")
        else:
            answer = Answer(200, copy.wire_head, rid, copy.body)
        if self.count is not None:
            self.count(copy.route, "GET", answer.status, time.perf_counter() - began)
        return answer

    async def _answer(self, scope: Scope, send: Send, copy: Copy, asked: Request) -> int:
        rid = (REQUEST_ID, self.request_id(scope))
        if _holds(asked, copy):
            status, head, body = 304, [*copy.not_modified_head, rid], b""
        else:
            status, head, body = 200, [*copy.head, rid], copy.body
        await send({"type": "http.response.start", "status": status, "headers": head})
        await send({"type": "http.response.body", "body": body})
        return status

    async def _fill(self, scope: Scope, receive: Receive, send: Send, slow: Slow, key: Key) -> None:
        """Let the app answer, and keep its answer when anyone may reuse it. Readers who ask
        for the same page meanwhile wait for this answer (`filling`) rather than render it
        again: after an event, a busy page would otherwise be rendered once per reader."""
        if key in self.filling:  # the render they waited for was not kept: no second wait
            await self._through_app(scope, receive, send, slow, key)
            return
        done = self.filling[key] = asyncio.get_running_loop().create_future()
        try:
            await self._through_app(scope, receive, send, slow, key)
        finally:
            del self.filling[key]
            done.set_result(None)

    async def _through_app(
        self, scope: Scope, receive: Receive, send: Send, slow: Slow, key: Key
    ) -> None:
        announced = self.announced
        start: Message = {}
        body: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))
            await send(message)

        with http_cache.noting_versions() as versions:
            await slow(scope, receive, keep)
        copy = self._copy_of(scope, start, b"".join(body), tuple(versions))
        if copy is not None and self._current(copy, announced):
            self._keep(key, copy)

    def _copy_of(
        self, scope: Scope, start: Message, body: bytes, versions: Versions
    ) -> Copy | None:
        if start.get("status") != 200 or not versions or len(body) > MAX_PAGE:
            return None
        head = [(k, v) for k, v in start.get("headers", []) if k.lower() != REQUEST_ID]
        names = {k.lower(): v for k, v in head}
        etag = names.get(b"etag", b"").decode("latin-1")
        public = names.get(b"cache-control", b"").startswith(b"public")
        if b"set-cookie" in names or not public or not etag:
            return None
        route = getattr(scope.get("route"), "name", None) or "unmatched"
        bare = [(k, v) for k, v in head if k.lower() not in NOT_ON_304]
        tags = http_cache.etag_tags(etag)
        if len(tags) != 1:
            return None
        born = self.clock()
        return Copy(
            etag, tags[0], head, bare, body, versions, route, born, _wire(head), _wire(bare)
        )

    def _current(self, copy: Copy, announced: int) -> bool:
        """False when an announcement made the copy stale while the app rendered it."""
        for blog_id, seq in copy.versions:
            if blog_id is None and self.announced != announced:
                return False
            if blog_id is not None and self.known.get(blog_id, 0) > seq:
                return False
        return True

    def _keep(self, key: Key, copy: Copy) -> None:
        self._drop(key)
        self.copies[key] = copy
        self.bytes += len(copy.body)
        while self.bytes > self.max_bytes and self.copies:
            self._drop(next(iter(self.copies)))

    def _drop(self, key: Key) -> None:
        copy = self.copies.pop(key, None)
        if copy is not None:
            self.bytes -= len(copy.body)

    # Which requests may be answered here --------------------------------------------------

    def _asked(self, scope: Scope) -> Request | None:
        """The copy a request asks for, or None when the app must answer it."""
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        path: str = scope["path"]
        query: bytes = scope["query_string"]
        if not path.startswith(PREFIXES) or not _plain_query(query):
            return None
        cookie = accept = b""
        if_none_match: str | None = None
        since = False
        for name, value in scope["headers"]:
            if name == b"cookie":
                cookie = value
            elif name == b"accept-language":
                accept = value
            elif name == b"if-none-match":
                if_none_match = value.decode("latin-1")
            elif name == b"if-modified-since":
                since = True
            elif name == b"authorization":
                return None
        if since and if_none_match is None:
            return None  # answered by date: the app knows how
        language = self._language(cookie, accept)
        if language is None:
            return None
        return Request((path, query, language), if_none_match)

    def _language(self, cookie: bytes, accept: bytes) -> str | None:
        """The visitor's language as `i18n.LanguageMiddleware` chooses it, or None when the
        request carries a cookie other than the language switch's."""
        memo = (cookie, accept)
        found = self._languages.get(memo)
        if found is not None:
            return found
        switch = None
        for name, value in _cookies(cookie):
            if name != i18n.COOKIE:
                return None
            switch = value
        if len(self._languages) >= LANGUAGE_MEMO:
            self._languages.clear()
        chosen = self._languages[memo] = i18n.choose(switch, accept.decode("latin-1"))
        return chosen


def _holds(asked: Request, copy: Copy) -> bool:
    """Does the client hold this copy (If-None-Match names its tag)? Mostly the client sends
    the ETag back as it got it, which a comparison settles without parsing the header."""
    held = asked.if_none_match
    if held is None:
        return False
    return held == copy.etag or http_cache.matches(held, copy.tag)


def _wire(head: list[tuple[bytes, bytes]]) -> bytes:
    return b"".join(name + b": " + value + b"\r\n" for name, value in head)


def _outdated(copy: Copy, blog_id: int, seq: int) -> bool:
    return any(b is None or (b == blog_id and s < seq) for b, s in copy.versions)


def _plain_query(query: bytes) -> bool:
    """Only the reader's own links: `page`, `filter` and `limit`, briefly."""
    if not query:
        return True
    if len(query) > MAX_QUERY:
        return False
    return all(part.partition(b"=")[0] in QUERY_NAMES for part in query.split(b"&"))


def _cookies(header: bytes) -> Iterator[tuple[str, str]]:
    for pair in header.decode("latin-1").split(";"):
        name, _, value = pair.strip().partition("=")
        if name:
            yield name, value
