"""Fetching sources politely and safely: one async fetcher on httpx behind the SSRF guard.

Every hop goes through `dateline.net.ssrf.GuardedTransport`, which checks the address and
connects to the IP it checked. Redirects are followed here, one hop at a time, so the fetcher
can count them, spot loops and apply the per-host politeness rules to each host it touches.

What a user notices is the error message: every failure is a `FetchError` whose `phrase` is
plain words ("The server answered 404 Not Found", "Response larger than 5 MB") kept with a
code, so a source's last error reads in each reader's language, with `retry_after` set when
the server asked us to wait (429/503 with Retry-After).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Protocol

import httpx

from dateline import __version__
from dateline.errors import PhrasedError
from dateline.i18n import N_, Phrase, Phrasebook
from dateline.ingest import unpack
from dateline.ingest.parsers.charset import decode_body
from dateline.net.ssrf import REFUSALS, GuardedTransport, RefusedURL, Resolver, system_resolver
from dateline.numbers import small_int

USER_AGENT = f"Dateline/{__version__}"


def user_agent(site_url: str) -> str:
    """Who is asking, with the newsroom's own address so a publisher knows whom to contact."""
    return f"{USER_AGENT} (news aggregator; +{site_url})"


ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, application/xml;q=0.9, "
    "text/html;q=0.9, application/json;q=0.8, */*;q=0.5"
)
MAX_RETRY_AFTER = 7 * 86400.0  # seconds: a server asking for longer waits a week
ACCEPT_ENCODING = "gzip, deflate, br"  # what `unpack` decodes, each with a bounded output
REDIRECTS = frozenset({301, 302, 303, 307, 308})
TEXTUAL = ("text/", "xml", "json", "html")


# Why a fetch failed, by code (a source keeps the code of its last error; see ingest/models).
FETCH_PROBLEMS = Phrasebook(
    timeout_total=N_("Timed out after %(seconds)s in total"),
    timeout_connect=N_("Timed out after %(seconds)s while connecting to %(host)s"),
    timeout_read=N_("Timed out after %(seconds)s while reading"),
    redirect_loop=N_("Redirect loop: %(url)s sends us back to %(target)s"),
    too_many_redirects=N_("Too many redirects (more than %(limit)s)"),
    address_refused=N_("Address refused: %(reason)s"),
    http_status=N_("The server answered %(status)s"),
    too_large=N_("Response larger than %(size)s"),
    connect_failed=N_("Could not connect to %(host)s (%(detail)s)"),
    connection_failed=N_("The connection to %(host)s failed (%(detail)s)"),
    fetch_failed=N_("Could not fetch (%(detail)s)."),
    process_gone=N_(
        "The fetch process stopped while reading this source; it is fetched again later."
    ),
)


class FetchError(PhrasedError):
    """A fetch failed; `phrase` says why in plain words.

    `http_status` is the server's answer when there was one; `retry_after` (seconds) is set
    when a 429 or 503 carried a Retry-After header, so the scheduler can back off as asked.
    """

    status = 502

    def __init__(
        self, phrase: Phrase, *, http_status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(phrase)
        self.http_status = http_status
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One fetched document. With `not_modified` (a 304), body and text are empty."""

    url: str  # final URL, after redirects
    status: int
    body: bytes
    text: str  # decoded body ("" for non-text content types)
    content_type: str  # media type without parameters, lower case
    etag: str
    last_modified: str
    not_modified: bool = False
    encoding: str = ""  # the charset the text was decoded with


class Clock(Protocol):
    """Where the politeness gate reads the time and waits.

    A seam so tests can check the gaps the gate keeps by the waits it asks for, which do not
    depend on how fast (or busy) the machine is; everything else uses `MONOTONIC`.
    """

    def now(self) -> float:
        """Seconds on a clock that never goes backwards."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` on that clock."""
        ...


class MonotonicClock:
    """The real clock: `time.monotonic` and `asyncio.sleep`."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


MONOTONIC = MonotonicClock()


class HostGate:
    """Per-host concurrency limit plus a minimum gap between request starts to one host."""

    def __init__(self, concurrency: int, delay: float, clock: Clock = MONOTONIC) -> None:
        self._concurrency = concurrency
        self._delay = delay
        self._clock = clock
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._next_start: dict[str, float] = {}

    @asynccontextmanager
    async def enter(self, host: str) -> AsyncIterator[None]:
        slot = self._slots.setdefault(host, asyncio.Semaphore(self._concurrency))
        async with slot:
            async with self._locks.setdefault(host, asyncio.Lock()):
                wait = self._next_start.get(host, 0.0) - self._clock.now()
                if wait > 0:
                    await self._clock.sleep(wait)
                self._next_start[host] = self._clock.now() + self._delay
            yield


class Fetcher:
    """Fetches http(s) documents with conditional GET, caps, timeouts and politeness.

    One instance per worker: the per-host limits only hold among requests of the same
    instance. Use `async with Fetcher(...) as fetcher` or call `aclose()`. `clock` times
    the gaps between requests to one host (tests pass one that only pretends to wait).
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        connect_timeout: float = 10.0,
        read_timeout: float = 20.0,
        total_timeout: float = 60.0,
        max_bytes: int = 5_000_000,
        max_redirects: int = 5,
        per_host_concurrency: int = 2,
        host_delay: float = 1.0,
        user_agent: str = USER_AGENT,
        resolver: Resolver = system_resolver,
        clock: Clock = MONOTONIC,
    ) -> None:
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.total_timeout = total_timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self._gate = HostGate(per_host_concurrency, host_delay, clock)
        # Requests go to the guarded transport directly, not through an httpx.AsyncClient:
        # redirects are followed here hop by hop, no proxy may resolve names out of the
        # guard's sight, and no cookies are kept; the client's machinery for those cost a
        # fifth of a fetch (bench/ingest.py).
        self._transport = GuardedTransport(allow_private, resolver)
        self._headers = {
            "User-Agent": user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        self._timeouts = httpx.Timeout(read_timeout, connect=connect_timeout).as_dict()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def fetch(self, url: str, *, etag: str = "", last_modified: str = "") -> FetchResult:
        """GET url, following redirects; FetchError (plain message) on any failure.

        Pass the etag / last_modified of the previous result to make the request
        conditional: an unchanged document comes back as `not_modified` without a body.
        """
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            async with asyncio.timeout(self.total_timeout):
                return await self._follow(url, headers)
        except TimeoutError as exc:
            raise FetchError(timed_out(self.total_timeout)) from exc

    async def _follow(self, url: str, headers: dict[str, str]) -> FetchResult:
        seen: list[str] = []
        current = url
        while True:
            seen.append(current)
            result = await self._hop(current, headers)
            if isinstance(result, FetchResult):
                return result
            if result in seen:
                raise FetchError(FETCH_PROBLEMS("redirect_loop", url=current, target=result))
            if len(seen) > self.max_redirects:
                limit = self.max_redirects
                raise FetchError(FETCH_PROBLEMS("too_many_redirects", limit=limit))
            current = result

    async def _hop(self, url: str, headers: dict[str, str]) -> FetchResult | str:
        """One request: a result, or the absolute URL a redirect points to."""
        try:
            target = httpx.URL(url)  # parsed once, for the gate and the request
            async with self._gate.enter(target.host):
                request = httpx.Request(
                    "GET",
                    target,
                    headers={**self._headers, **headers},
                    extensions={"timeout": self._timeouts},
                )
                response = await self._transport.handle_async_request(request)
                response.request = request
                try:
                    return await self._read(response)
                finally:
                    await response.aclose()
        except RefusedURL as exc:
            raise FetchError(FETCH_PROBLEMS("address_refused", reason=exc.phrase)) from exc
        except httpx.InvalidURL as exc:
            raise FetchError(REFUSALS("invalid_url", detail=str(exc))) from exc
        except httpx.HTTPError as exc:
            raise FetchError(self._transport_problem(exc, url)) from exc

    async def _read(self, response: httpx.Response) -> FetchResult | str:
        status = response.status_code
        if status in REDIRECTS and "location" in response.headers:
            return str(response.url.join(response.headers["location"]))
        if status == 304:
            return _result(response, b"", not_modified=True)
        if not 200 <= status < 300:
            answered = f"{status} {response.reason_phrase or ''}".rstrip()
            raise FetchError(
                FETCH_PROBLEMS("http_status", status=answered),
                http_status=status,
                retry_after=parse_retry_after(response.headers.get("retry-after"))
                if status in (429, 503)
                else None,
            )
        return _result(response, await self._body(response))

    async def _body(self, response: httpx.Response) -> bytes:
        """The unpacked body, read and unpacked only while it stays within max_bytes.

        Unpacked here, not by httpx, whose decoders unpack a whole network chunk at once: a
        few hundred bytes of Brotli unpack to a gigabyte (see `dateline.ingest.unpack`).
        """
        size_said = small_int(response.headers.get("content-length", ""))
        if size_said is not None and size_said > self.max_bytes:
            raise self._too_large()
        try:
            names = unpack.encodings(response.headers.get_list("content-encoding"))
            unpacker = unpack.Unpacker(names, self.max_bytes)
            chunks: list[bytes] = []
            async for chunk in response.aiter_raw():
                chunks.extend(unpacker.feed(chunk))
        except unpack.TooLarge:
            raise self._too_large() from None
        except unpack.CannotUnpack as exc:
            raise FetchError(exc.phrase) from exc
        return b"".join(chunks)

    def _too_large(self) -> FetchError:
        return FetchError(FETCH_PROBLEMS("too_large", size=_size(self.max_bytes)))

    def _transport_problem(self, exc: httpx.HTTPError, url: str) -> Phrase:
        host = httpx.URL(url).host
        if isinstance(exc, httpx.ConnectTimeout):
            seconds = _secs(self.connect_timeout)
            return FETCH_PROBLEMS("timeout_connect", seconds=seconds, host=host)
        if isinstance(exc, httpx.TimeoutException):
            return FETCH_PROBLEMS("timeout_read", seconds=_secs(self.read_timeout))
        if isinstance(exc, httpx.ConnectError):
            detail = str(exc) or "connection refused"
            return FETCH_PROBLEMS("connect_failed", host=host, detail=detail)
        detail = f"{type(exc).__name__}: {exc}"
        return FETCH_PROBLEMS("connection_failed", host=host, detail=detail)


def timed_out(seconds: float) -> Phrase:
    """Why a fetch that took longer than `seconds` in all was given up."""
    return FETCH_PROBLEMS("timeout_total", seconds=_secs(seconds))


def fetch_failed(exc: BaseException) -> Phrase:
    """Why a fetch stopped on a bug of ours (logged where it is caught): its kind only."""
    return FETCH_PROBLEMS("fetch_failed", detail=type(exc).__name__)


def _result(response: httpx.Response, body: bytes, *, not_modified: bool = False) -> FetchResult:
    raw_type = response.headers.get("content-type", "")
    media_type = raw_type.split(";", 1)[0].strip().lower()
    text, encoding = "", ""
    if body and (not media_type or any(mark in media_type for mark in TEXTUAL)):
        text, encoding = decode_body(body, raw_type)
    return FetchResult(
        url=str(response.url),
        status=response.status_code,
        body=body,
        text=text,
        content_type=media_type,
        etag=response.headers.get("etag", ""),
        last_modified=response.headers.get("last-modified", ""),
        not_modified=not_modified,
        encoding=encoding,
    )


def host_of(url: str) -> str:
    """The host of `url` as the politeness gate keys it; "" when `url` is not one."""
    try:
        return httpx.URL(url).host
    except (httpx.InvalidURL, ValueError):
        return ""


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    seconds = small_int(value)
    if seconds is not None:
        return float(min(seconds, MAX_RETRY_AFTER))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(MAX_RETRY_AFTER, max(0.0, (when - (now or datetime.now(UTC))).total_seconds()))


def _secs(seconds: float) -> str:
    return f"{seconds:g} s"


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:g} MB"
    if size >= 1_000:
        return f"{size / 1_000:g} KB"
    return f"{size} bytes"
