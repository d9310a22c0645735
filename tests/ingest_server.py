"""A real HTTP server on 127.0.0.1 for fetcher and ingest tests, with routes set per test.

Use the `ingest_server` fixture (import it into a test module, or from conftest) and register
what each path answers:

    ingest_server.route("/feed.xml", body=rss, content_type="application/rss+xml", etag='"v1"')
    ingest_server.redirect("/old", "/feed.xml")
    ingest_server.sequence("/live", [Reply(body=page1), Reply(body=page2)])  # grows per fetch
    url = ingest_server.url("/feed.xml")

A route with an `etag` or `last_modified` answers 304 to a matching conditional request.
`encoding` compresses the body (gzip, deflate, br, or layers: "gzip, gzip"); a body the test
packed itself is sent as given with `headers={"Content-Encoding": ...}`. `delay` waits before
answering; `drip` sends the body a byte at a time with that pause (to trip read timeouts).
Every request is recorded in `requests` (path, headers, monotonic start time), and
`max_in_flight` tells the most requests the server was handling at once, per path
(`max_in_flight_total`: all paths).
"""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest


@dataclass(frozen=True)
class Reply:
    """What a path answers. Body bytes are sent as given (after optional compression)."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    last_modified: str = ""
    encoding: str = ""  # "", "gzip", "deflate", "br" or a list of them ("gzip, gzip")
    delay: float = 0.0  # seconds before the status line
    drip: float = 0.0  # seconds between body bytes
    omit_length: bool = False  # no Content-Length (the body ends when the connection closes)


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]  # names in lower case
    started: float  # time.monotonic()


def _compress(body: bytes, encoding: str) -> bytes:
    """`body` packed with each coding of `encoding` in turn ("gzip, br": gzip, then br)."""
    for coding in filter(None, (name.strip() for name in encoding.split(","))):
        if coding in ("gzip", "x-gzip"):
            body = gzip.compress(body)
        elif coding == "deflate":
            body = zlib.compress(body)
        elif coding == "br":
            body = bytes(brotli.compress(body))
        else:
            raise ValueError(f"no such coding here: {coding}")
    return body


class IngestServer:
    """Routes and a request log, shared with the handler threads under one lock."""

    def __init__(self) -> None:
        self._routes: dict[str, list[Reply]] = {}
        self._hits: dict[str, int] = {}
        self._in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}
        self.max_in_flight_total = 0
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, body: bytes | str = b"", **reply: object) -> str:
        """Answer path with one Reply (keyword arguments as in Reply); returns its URL."""
        data = body.encode() if isinstance(body, str) else body
        return self.sequence(path, [Reply(data, **reply)])  # type: ignore[arg-type]

    def sequence(self, path: str, replies: list[Reply]) -> str:
        """Answer the n-th request with replies[n]; the last one repeats."""
        with self._lock:
            self._routes[path] = list(replies)
            self._hits[path] = 0
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        return self.route(path, status=status, headers={"Location": to})

    def seen(self, path: str) -> list[Seen]:
        return [request for request in self.requests if request.path == path]

    def next_reply(self, path: str, headers: dict[str, str]) -> Reply:
        with self._lock:
            self.requests.append(Seen(path, headers, time.monotonic()))
            replies = self._routes.get(path)
            if replies is None:
                return Reply(b"not here", status=404, content_type="text/plain")
            index = min(self._hits[path], len(replies) - 1)
            self._hits[path] += 1
            self._in_flight[path] = self._in_flight.get(path, 0) + 1
            self.max_in_flight[path] = max(self.max_in_flight.get(path, 0), self._in_flight[path])
            total = sum(self._in_flight.values())
            self.max_in_flight_total = max(self.max_in_flight_total, total)
            return replies[index]

    def done(self, path: str) -> None:
        with self._lock:
            if path in self._in_flight:
                self._in_flight[path] -= 1

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _not_modified(reply: Reply, headers: dict[str, str]) -> bool:
    if reply.etag and headers.get("if-none-match") == reply.etag:
        return True
    return bool(reply.last_modified) and headers.get("if-modified-since") == reply.last_modified


def _handler_for(server: IngestServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            headers = {name.lower(): value for name, value in self.headers.items()}
            reply = server.next_reply(path, headers)
            try:
                self._answer(reply, headers)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeouts, size cap): what those tests want
            finally:
                server.done(path)

        def _answer(self, reply: Reply, headers: dict[str, str]) -> None:
            time.sleep(reply.delay)
            if _not_modified(reply, headers):
                self.send_response(304)
                self._validators(reply)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = _compress(reply.body, reply.encoding)
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            if reply.encoding:
                self.send_header("Content-Encoding", reply.encoding)
            self._validators(reply)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.omit_length:
                self.send_header("Connection", "close")
                self.close_connection = True
            else:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self._send_body(body, reply.drip)

        def _validators(self, reply: Reply) -> None:
            if reply.etag:
                self.send_header("ETag", reply.etag)
            if reply.last_modified:
                self.send_header("Last-Modified", reply.last_modified)

        def _send_body(self, body: bytes, drip: float) -> None:
            if not drip:
                self.wfile.write(body)
                return
            for index in range(len(body)):
                self.wfile.write(body[index : index + 1])
                self.wfile.flush()
                time.sleep(drip)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the request log is `server.requests`."""

    return Handler


@pytest.fixture
def ingest_server() -> Iterator[IngestServer]:
    server = IngestServer()
    server.start()
    yield server
    server.stop()
