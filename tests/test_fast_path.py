"""Anonymous reads answered from memory ahead of the app (web/fast_path.py): the same bytes and
headers as the app gives, 304s, never a kept copy for a signed-in editor, a fresh copy after
every event (from this node or, through the broker, another), a copy per language where the
page speaks the visitor's, and relative ages renewed after the time limit."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import socket
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import httpx
import pytest
import uvicorn
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import update as sql_update
from uvicorn.config import LOGGING_CONFIG
from uvicorn.logging import AccessFormatter
from uvicorn.server import ServerState

from dateline import serving
from dateline.accounts.service import User
from dateline.db import Database
from dateline.db.tables import blogs, updates
from dateline.liveblog.models import Blog
from dateline.ops.logs import JsonFormatter
from dateline.serving import HeaderDeadline
from dateline.web import http_cache
from dateline.web.fast_path import FastPath
from dateline.web.flash import FLASH_COOKIE
from dateline.web.page_cache import RenderCache
from dateline.web.services import install, of_app
from tests.helpers import log_in, post
from tests.test_multinode import PG_URL, REDIS_URL, Node, editor_on_a, nodes, slug_of  # noqa: F401
from tests.test_ops_metrics import json_server  # noqa: F401

PAGE = "/live/election-night"


class Seconds:
    """A monotonic clock that stands still until the test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def client(client: httpx.AsyncClient, app: object) -> httpx.AsyncClient:
    """The app keeps renders of its own (web/page_cache.py), keyed by the same version: with
    none kept, an answer that shows a change made behind the log's back came from the app."""
    found = of_app(app)  # type: ignore[arg-type]
    install(app, replace(found, page_cache=RenderCache(size=0)))  # type: ignore[arg-type]
    return client


@pytest.fixture
def seconds(app: object, client: httpx.AsyncClient) -> Seconds:
    """One stopped clock for the kept pages and the app's render cache."""
    clock = Seconds()
    app.fast_path.clock = clock  # type: ignore[attr-defined]
    found = of_app(app)  # type: ignore[arg-type]
    install(app, replace(found, page_cache=RenderCache(clock=clock)))  # type: ignore[arg-type]
    return clock


async def quietly(db: Database, blog: Blog, **values: object) -> None:
    """Change a blog behind the log's back, as no service would: an answer that does not show
    it came from memory, and one that does came from the app."""
    async with db.write() as conn:
        await conn.execute(sql_update(blogs).where(blogs.c.id == blog.id).values(**values))


def title_of(response: httpx.Response) -> str:
    return HTMLParser(response.text).css_first("h1").text(strip=True)


def comparable(response: httpx.Response) -> dict[str, str]:
    """Headers a person could tell apart: all but the request id, which is new each time."""
    return {k: v for k, v in response.headers.items() if k != "x-request-id"}


async def test_a_kept_page_has_the_bytes_and_headers_the_app_gives(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    await post(db, blog, editor, "Turnout is up in the north.")
    # A cookie the page ignores sends the request through the whole app.
    through_app = await client.get(PAGE, headers={"Cookie": "dl_csrf=seed"})
    first = await client.get(PAGE)
    await quietly(db, blog, title="Changed behind the log")
    kept = await client.get(PAGE)
    assert title_of(kept) == title_of(first) == "Election night in Northmarch – live"
    assert kept.status_code == through_app.status_code == 200
    assert kept.content == through_app.content
    assert comparable(kept) == comparable(through_app)
    assert kept.headers["etag"].startswith('W/"b')
    assert kept.headers["x-request-id"] != first.headers["x-request-id"]


async def test_a_reader_holding_the_copy_gets_the_same_304_as_from_the_app(
    client: httpx.AsyncClient, blog: Blog
) -> None:
    first = await client.get(PAGE)
    asked = {"If-None-Match": first.headers["etag"]}
    through_app = await client.get(PAGE, headers={**asked, "Cookie": "dl_csrf=seed"})
    kept = await client.get(PAGE, headers=asked)
    assert kept.status_code == through_app.status_code == 304
    assert kept.content == b""
    assert comparable(kept) == comparable(through_app)
    other = await client.get(PAGE, headers={"If-None-Match": 'W/"b1-s0-en-old"'})
    assert other.status_code == 200
    assert other.content == first.content


async def test_a_signed_in_editor_never_gets_the_anonymous_copy(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    await client.get(PAGE)
    await quietly(db, blog, title="Changed behind the log")
    await log_in(client, editor.email)
    assert title_of(await client.get(PAGE)) == "Changed behind the log"
    client.cookies.clear()
    assert title_of(await client.get(PAGE)) == "Election night in Northmarch – live"


async def test_a_flash_message_is_never_answered_from_memory(
    client: httpx.AsyncClient, db: Database, blog: Blog
) -> None:
    await client.get(PAGE)
    await quietly(db, blog, title="Changed behind the log")
    shown = await client.get(PAGE, headers={"Cookie": f"{FLASH_COOKIE}=saved"})
    assert title_of(shown) == "Changed behind the log"


async def test_publishing_an_update_drops_the_kept_copy(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    before = await client.get(PAGE)
    assert "No updates yet." in before.text
    await post(db, blog, editor, "The first result is in.")
    after = await client.get(PAGE)
    assert "The first result is in." in after.text
    assert after.headers["etag"] != before.headers["etag"]
    stale = await client.get(PAGE, headers={"If-None-Match": before.headers["etag"]})
    assert stale.status_code == 200
    assert "The first result is in." in stale.text


@pytest.mark.parametrize(
    "query",
    ["?utm_source=mail", "?page=1&x=1", "?filter=" + "k" * 80],
    ids=["other", "mixed", "long"],
)
async def test_queries_other_than_the_pages_own_go_to_the_app(
    client: httpx.AsyncClient, db: Database, blog: Blog, query: str
) -> None:
    await client.get(PAGE + query)
    await quietly(db, blog, title="Changed behind the log")
    assert title_of(await client.get(PAGE + query)) == "Changed behind the log"


async def test_the_pages_own_queries_are_kept_each_apart(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    for n in range(3):
        await post(db, blog, editor, f"Update {n}", key_event=n == 0)
    everything = await client.get(PAGE)
    key_only = await client.get(PAGE + "?filter=key-events")
    await quietly(db, blog, title="Changed behind the log")
    assert (await client.get(PAGE)).content == everything.content
    assert (await client.get(PAGE + "?filter=key-events")).content == key_only.content
    assert key_only.content != everything.content


async def test_a_page_in_the_visitors_language_is_kept_per_language(
    client: httpx.AsyncClient, db: Database, blog: Blog
) -> None:
    german = {"Accept-Language": "de-DE,de;q=0.9"}
    assert "All live coverage" in (await client.get("/feed.atom")).text
    assert "Alle Liveblogs" in (await client.get("/feed.atom", headers=german)).text
    kept_english = await client.get("/feed.atom", headers={"Accept-Language": "en-GB"})
    kept_german = await client.get("/feed.atom", headers={"Cookie": "dl_lang=de"})
    assert "All live coverage" in kept_english.text
    assert "Alle Liveblogs" in kept_german.text
    assert kept_german.headers["vary"] == "Accept-Language, Cookie"


async def test_a_blogs_page_speaks_the_blogs_language_whoever_asks(
    client: httpx.AsyncClient, db: Database, blog: Blog
) -> None:
    english = await client.get(PAGE)
    german_reader = await client.get(PAGE, headers={"Accept-Language": "de"})
    assert german_reader.content == english.content
    assert "vary" not in german_reader.headers


async def test_relative_ages_are_renewed_once_the_copy_is_old(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User, seconds: Seconds
) -> None:
    written = await post(db, blog, editor, "Counting has begun.")

    def age(response: httpx.Response) -> str:
        return HTMLParser(response.text).css_first(".update__age").text(strip=True)

    assert age(await client.get(PAGE)) == "just now"
    async with db.write() as conn:  # as if five minutes had passed since it was published
        earlier = written.published_at - timedelta(minutes=5)
        await conn.execute(
            sql_update(updates).where(updates.c.id == written.id).values(published_at=earlier)
        )
    seconds.now += 29
    assert age(await client.get(PAGE)) == "just now"
    seconds.now += 2
    assert age(await client.get(PAGE)) == "5 minutes ago"


async def test_a_copy_rendered_while_its_blog_moved_on_is_not_kept() -> None:
    """An event announced while the app renders: the copy may show the old state, so the next
    reader is sent to the app again."""
    fast_path = FastPath(lambda _: b"id")
    renders = 0

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        nonlocal renders
        renders += 1
        http_cache.of_blog(_Blog(7, 3 if renders == 1 else 4), "p1")
        if renders == 1:
            fast_path.announce(7, 4)  # committed and announced meanwhile
        await _answer_page(send)

    for _ in range(3):
        await fast_path(_scope(), _receive, _ignore, app)  # type: ignore[arg-type]
    assert renders == 2  # the first copy was refused; the second was kept and served


async def test_readers_asking_while_a_page_renders_share_that_one_render() -> None:
    fast_path = FastPath(lambda _: b"id")
    renders, release = 0, asyncio.Event()

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        nonlocal renders
        renders += 1
        http_cache.of_blog(_Blog(7, 3), "p1")
        await release.wait()
        await _answer_page(send)

    bodies: list[bytes] = []
    readers = [asyncio.create_task(_read(fast_path, app, bodies)) for _ in range(5)]
    await asyncio.sleep(0)  # all five have asked
    release.set()
    await asyncio.gather(*readers)
    assert renders == 1
    assert bodies == [b"<p>page</p>"] * 5


async def test_an_old_copy_serves_on_while_one_reader_renews_it() -> None:
    clock = Seconds()
    fast_path = FastPath(lambda _: b"id", clock=clock)
    renders, release = 0, asyncio.Event()

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        nonlocal renders
        renders += 1
        http_cache.of_blog(_Blog(7, 3), "p1")
        if renders == 2:
            await release.wait()
        await _answer_page(send, f"<p>render {renders}</p>".encode())

    bodies: list[bytes] = []
    await _read(fast_path, app, bodies)
    clock.now += fast_path.ttl + 1
    renewing = asyncio.create_task(_read(fast_path, app, bodies))
    await asyncio.sleep(0)
    await _read(fast_path, app, bodies)  # answered at once, from the old copy
    release.set()
    await renewing
    await _read(fast_path, app, bodies)
    old, new = b"<p>render 1</p>", b"<p>render 2</p>"
    assert bodies == [old, old, new, new]  # first, the reader who did not wait, renewer, next
    assert renders == 2


@pytest.fixture
async def reader_of_b(nodes: tuple[Node, Node, str]) -> AsyncIterator[httpx.AsyncClient]:  # noqa: F811
    async with httpx.AsyncClient(base_url=nodes[1].url, timeout=10) as reader:
        yield reader


@pytest.mark.skipif(
    not (PG_URL and REDIS_URL),
    reason="needs DATELINE_TEST_DATABASE_URL (PostgreSQL) and DATELINE_TEST_REDIS_URL",
)
async def test_an_event_published_on_another_node_drops_the_copy_kept_here(
    editor_on_a: httpx.AsyncClient,  # noqa: F811
    reader_of_b: httpx.AsyncClient,
) -> None:
    page = f"/live/{slug_of(editor_on_a)}"
    assert (await reader_of_b.get(page)).status_code == 200
    assert "Result 1" not in (await reader_of_b.get(page)).text  # kept on B now
    answer = await editor_on_a.post(
        f"/api/v1/blogs/{slug_of(editor_on_a)}/updates", json={"body": "Result 1"}
    )
    assert answer.status_code == 201
    for _ in range(100):  # the broker's message takes a moment to reach node B
        if "Result 1" in (await reader_of_b.get(page)).text:
            break
        await asyncio.sleep(0.1)
    else:
        pytest.fail("node B kept serving its copy after node A published")


def test_the_log_line_of_a_kept_page_carries_its_request_id(
    json_server: tuple[str, dict[str, str], Path],  # noqa: F811
) -> None:
    base, auth, log_path = json_server
    made = {"slug": "kept-in-memory", "title": "Kept"}
    assert httpx.post(f"{base}/api/v1/blogs", json=made, headers=auth).status_code == 201
    assert httpx.get(f"{base}/live/kept-in-memory").status_code == 200  # kept from now on
    kept = httpx.get(f"{base}/live/kept-in-memory", headers={"X-Request-Id": "kept-copy-7"})
    assert kept.headers["x-request-id"] == "kept-copy-7"
    deadline = time.monotonic() + 10  # patience for the log to be flushed, not a speed
    while time.monotonic() < deadline:
        lines = [json.loads(line) for line in log_path.read_text().splitlines() if line[:1] == "{"]
        mine = [line for line in lines if line.get("request_id") == "kept-copy-7"]
        if mine:
            break
        time.sleep(0.1)
    else:
        pytest.fail("no log line with the kept page's request id")
    assert (mine[0]["logger"], mine[0]["path"], mine[0]["status"]) == (
        "uvicorn.access",
        "/live/kept-in-memory",
        200,
    )


def test_a_real_server_answers_kept_pages_as_the_app_does_in_order(
    json_server: tuple[str, dict[str, str], Path],  # noqa: F811
) -> None:
    """`dateline serve` writes kept copies without uvicorn's ASGI cycle (serving.py): the same
    bytes and headers as the app, 304s, and pipelined answers in the order asked."""
    base, auth, _ = json_server
    made = {"slug": "written-at-once", "title": "At once"}
    assert httpx.post(f"{base}/api/v1/blogs", json=made, headers=auth).status_code == 201
    page = f"{base}/live/written-at-once"
    httpx.get(page)  # kept from now on
    kept, through_app = httpx.get(page), httpx.get(page, headers={"Cookie": "dl_csrf=seed"})
    assert kept.content == through_app.content
    assert unlike_each_time(kept) == unlike_each_time(through_app)
    asked = {"If-None-Match": kept.headers["etag"]}
    kept_304 = httpx.get(page, headers=asked)
    app_304 = httpx.get(page, headers={**asked, "Cookie": "dl_csrf=seed"})
    assert kept_304.status_code == app_304.status_code == 304
    assert unlike_each_time(kept_304) == unlike_each_time(app_304)

    host, port = base.removeprefix("http://").split(":")
    paths = ["/live/written-at-once", "/healthz", "/live/written-at-once?page=1"]
    asking = b"".join(f"GET {p} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode() for p in paths)
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(asking)
        with conn.makefile("rb") as stream:
            answers = [_read_answer(stream) for _ in paths]
    assert [status for status, _ in answers] == [200, 200, 200]
    assert answers[0][1] == kept.content
    assert answers[1][1] != kept.content  # the health check's own answer, second
    assert b"<h1" in answers[2][1]


def test_a_real_server_logs_kept_pages_with_the_app_s_json_fields(
    json_server: tuple[str, dict[str, str], Path],  # noqa: F811
) -> None:
    """The access line of an answer written at once has the fields of uvicorn's own line for
    the same request through the app, and the answer's request id."""
    base, auth, log_path = json_server
    made = {"slug": "logged-as-ever", "title": "Logged"}
    assert httpx.post(f"{base}/api/v1/blogs", json=made, headers=auth).status_code == 201
    page = f"{base}/live/logged-as-ever"
    with httpx.Client() as one_connection:  # one client address for every line
        one_connection.get(page)  # kept from now on
        ids = {"kept": "line-kept-1", "app": "line-app-1", "kept-304": "line-kept-2"}
        kept = one_connection.get(page, headers={"X-Request-Id": ids["kept"]})
        through_app = {"X-Request-Id": ids["app"], "Cookie": "dl_csrf=seed"}
        one_connection.get(page, headers=through_app)
        held = {"X-Request-Id": ids["kept-304"], "If-None-Match": kept.headers["etag"]}
        assert one_connection.get(page, headers=held).status_code == 304
    lines = _log_lines_with(log_path, set(ids.values()))
    by_id = {line["request_id"]: line for line in lines}
    assert set(by_id) == set(ids.values())
    kept_line, app_line = by_id[ids["kept"]], by_id[ids["app"]]
    assert set(kept_line) == set(app_line)
    for field in ("level", "logger", "message", "client", "method", "path", "status"):
        assert kept_line[field] == app_line[field]
    assert kept_line["path"] == "/live/logged-as-ever"
    assert datetime.fromisoformat(kept_line["time"]).utcoffset() is not None
    assert by_id[ids["kept-304"]]["status"] == 304
    assert by_id[ids["kept-304"]]["message"].endswith('"GET /live/logged-as-ever HTTP/1.1" 304')


def _log_lines_with(log_path: Path, request_ids: set[str]) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10  # patience for the log to be flushed, not a speed
    while time.monotonic() < deadline:
        lines = [json.loads(line) for line in log_path.read_text().splitlines() if line[:1] == "{"]
        mine = [line for line in lines if line.get("request_id") in request_ids]
        if len(mine) >= len(request_ids):
            return mine
        time.sleep(0.1)
    pytest.fail(f"log lines missing for {request_ids}")


def unlike_each_time(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in ("x-request-id", "date")}


def _read_answer(stream: BinaryIO) -> tuple[int, bytes]:
    """One HTTP/1.1 answer with a Content-Length, read from a kept-alive connection."""
    status = int(stream.readline().split(b" ")[1])
    length = 0
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    return status, stream.read(length)


# The access line of answers written at once, inside the protocol (serving.py) ------------

CLIENT = ("127.0.0.1", 50132)
ASKED = b"GET /live/x HTTP/1.1\r\nHost: dateline.test\r\n"


class _Transport(asyncio.Transport):
    """What a socket's transport gives the protocol: the bytes written are kept."""

    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += data

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        return None

    def resume_reading(self) -> None:
        return None

    def get_extra_info(self, name: str, default: object = None) -> object:
        return {"peername": CLIENT, "sockname": ("127.0.0.1", 8000)}.get(name, default)


class _Site:
    """An ASGI app with a kept copy of /live/x, as `DatelineApp` has after one reader."""

    def __init__(self) -> None:
        self.fast_path = FastPath(lambda _: b"rid-1")

    async def __call__(self, scope: object, receive: object, send: object) -> None:
        raise AssertionError("the app was asked; the kept copy should have answered")


@pytest.fixture
def access_logger() -> Iterator[logging.Logger]:
    """uvicorn's access logger, restored after the test sets it up its own way."""
    logger = logging.getLogger("uvicorn.access")
    saved = (logger.handlers[:], logger.level, logger.propagate, logger.disabled)
    yield logger
    logger.handlers[:], logger.level, logger.propagate, logger.disabled = saved


def _log_to(logger: logging.Logger, formatter: logging.Formatter) -> io.StringIO:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return stream


async def _connection() -> tuple[HeaderDeadline, _Transport]:
    site = _Site()
    await site.fast_path(_scope(), _receive, _ignore, _keeping_app)
    config = uvicorn.Config(site, http=HeaderDeadline, proxy_headers=False, log_config=None)
    protocol = HeaderDeadline(config, ServerState(), {})
    transport = _Transport()
    protocol.connection_made(transport)
    return protocol, transport


async def _ask(protocol: HeaderDeadline, transport: _Transport, *headers: bytes) -> bytes:
    """One request on the connection; the answer written at once (flushes given their turn)."""
    transport.written.clear()
    protocol.data_received(ASKED + b"".join(h + b"\r\n" for h in headers) + b"\r\n")
    await asyncio.sleep(0)
    return bytes(transport.written)


def _uvicorn_line(formatter: logging.Formatter, status: int) -> str:
    """The line uvicorn logs for GET /live/x from CLIENT: its message and arguments."""
    args = (f"{CLIENT[0]}:{CLIENT[1]}", "GET", "/live/x", "1.1", status)
    message = '%s - "%s %s HTTP/%s" %d'
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, message, args, None)
    return formatter.format(record)


async def test_answers_written_at_once_are_logged_in_uvicorns_words(
    access_logger: logging.Logger,
) -> None:
    uvicorns = AccessFormatter(fmt=LOGGING_CONFIG["formatters"]["access"]["fmt"], use_colors=False)
    log = _log_to(access_logger, uvicorns)
    protocol, transport = await _connection()
    whole = await _ask(protocol, transport)
    held = await _ask(protocol, transport, b'If-None-Match: W/"b7-s3"')
    among_others = await _ask(protocol, transport, b'If-None-Match: W/"b1-s1", W/"b7-s3"')
    assert whole.startswith(b"HTTP/1.1 200 OK\r\n")
    assert whole.endswith(b"<p>page</p>")
    for not_modified in (held, among_others):
        assert not_modified.startswith(b"HTTP/1.1 304 Not Modified\r\n")
        assert not_modified.endswith(b"\r\n\r\n")  # no body
        assert b"\r\ncontent-length:" not in not_modified
        assert b'\r\netag: W/"b7-s3"\r\n' in not_modified
        assert b"\r\nx-request-id: rid-1\r\n" in not_modified
    assert log.getvalue().splitlines() == [
        _uvicorn_line(uvicorns, 200),
        _uvicorn_line(uvicorns, 304),
        _uvicorn_line(uvicorns, 304),
    ]
    assert (
        log.getvalue().splitlines()[0]
        == 'INFO:     127.0.0.1:50132 - "GET /live/x HTTP/1.1" 200 OK'
    )


async def test_answers_written_at_once_are_logged_as_json_lines(
    access_logger: logging.Logger,
) -> None:
    log = _log_to(access_logger, JsonFormatter())
    protocol, transport = await _connection()
    await _ask(protocol, transport, b'If-None-Match: W/"b7-s3"')
    line = json.loads(log.getvalue())
    assert datetime.fromisoformat(line.pop("time")).utcoffset() is not None
    assert line == {
        "level": "info",
        "logger": "uvicorn.access",
        "message": '127.0.0.1:50132 - "GET /live/x HTTP/1.1" 304',
        "request_id": "rid-1",
        "client": "127.0.0.1:50132",
        "method": "GET",
        "path": "/live/x",
        "status": 304,
    }


async def test_an_operators_own_log_format_is_kept_for_answers_written_at_once(
    access_logger: logging.Logger,
) -> None:
    own = logging.Formatter("%(name)s %(levelname)s %(message)s")
    log = _log_to(access_logger, own)
    protocol, transport = await _connection()
    await _ask(protocol, transport)
    assert log.getvalue() == _uvicorn_line(own, 200) + "\n"
    assert log.getvalue().startswith("uvicorn.access INFO 127.0.0.1:50132 - ")


@pytest.mark.parametrize("off", ["no-access-log", "level-warning", "disabled"])
async def test_no_access_line_is_written_when_access_logging_is_off(
    access_logger: logging.Logger, off: str
) -> None:
    uvicorns = AccessFormatter(fmt=LOGGING_CONFIG["formatters"]["access"]["fmt"], use_colors=False)
    log = _log_to(access_logger, uvicorns)
    if off == "no-access-log":  # what uvicorn's --no-access-log does
        access_logger.handlers[:] = []
    elif off == "level-warning":
        access_logger.setLevel(logging.WARNING)
    else:
        access_logger.disabled = True
    protocol, transport = await _connection()
    assert (await _ask(protocol, transport)).startswith(b"HTTP/1.1 200 OK\r\n")
    assert log.getvalue() == ""


async def _keeping_app(scope: dict[str, object], receive: object, send: object) -> None:
    """The app's answer to the first reader: one anyone may reuse, versioned by blog 7."""
    http_cache.of_blog(_Blog(7, 3), "p1")
    await _answer_page(send)


# Pieces for driving FastPath without an app ----------------------------------------------


class _Blog:
    def __init__(self, blog_id: int, seq: int) -> None:
        self.id, self.last_seq, self.updated_at = blog_id, seq, None
        self.time_zone = "UTC"


def _scope() -> dict[str, object]:
    return {
        "type": "http",
        "method": "GET",
        "path": "/live/x",
        "query_string": b"",
        "headers": [],
    }


async def _receive() -> dict[str, object]:
    return {"type": "http.disconnect"}


async def _ignore(message: dict[str, object]) -> None:
    return None


async def _answer_page(send: object, body: bytes = b"<p>page</p>") -> None:
    head = [(b"etag", b'W/"b7-s3"'), (b"cache-control", b"public, max-age=0")]
    await send({"type": "http.response.start", "status": 200, "headers": head})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": body})  # type: ignore[operator]


async def _read(fast_path: FastPath, app: object, bodies: list[bytes]) -> None:
    """One reader's GET of /live/x; the body it got is appended to `bodies`."""
    got: list[bytes] = []

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.body":
            got.append(message["body"])  # type: ignore[arg-type]

    await fast_path(_scope(), _receive, send, app)  # type: ignore[arg-type]
    bodies.append(b"".join(got))


def test_long_request_targets_are_never_remembered() -> None:
    """Any client can send 64 KiB addresses; remembering them would let it fill memory."""
    serving._targets.clear()
    for number in range(50):
        long = f"/live/storm?{number}=".encode() + b"x" * 60_000
        assert serving._target(long) is None
    assert serving._targets == {}
    assert serving._target(b"/live/storm") == ("/live/storm", b"", "/live/storm")
    assert list(serving._targets) == [b"/live/storm"]
