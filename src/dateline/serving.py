"""How `dateline serve` runs uvicorn so that no client can hold the node's sockets.

uvicorn (0.54) closes a kept-alive connection `timeout_keep_alive` seconds after its last
answer and answers 503 beyond `limit_concurrency` connections, but it sets no deadline and no
size limit on a request's headers: a client that connects and sends nothing, or half a header
line, holds a socket and a file descriptor for ever, and a few thousand of them exhaust a
1,024 open-file limit, after which every new client fails. `HeaderDeadline` adds both to
uvicorn's httptools protocol (the one `dateline serve` always uses). It is the only code that
knows uvicorn's protocol internals; `tests/test_serve_limits.py` and, for the answers written
at once, `tests/test_fast_path.py` hold it to them.

`HeaderDeadline` also answers a request that a page kept in memory serves (web/fast_path.py)
right in the protocol, without uvicorn's ASGI cycle (a task, two sends, header checks): that
cycle costs far more than the answer. Only the plainest case: a GET with no body on a kept-
alive HTTP/1.1 connection with no answer in progress or queued, writing is not paused, and
the path needs no unquoting; everything else, and every miss, goes to the app as before.
The answer is written and logged as uvicorn would, with its default headers (`date`,
`server`), and the keep-alive timer is armed as after any answer.

Live event streams are answers in progress: uvicorn arms its keep-alive timer only once an
answer is complete, and the header deadline ends when the headers are in, so neither cuts a
stream (the streams' heartbeats are for proxies in front).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import resource

import httptools
import uvicorn
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.protocols.utils import get_client_addr

from dateline.config import Settings

log = logging.getLogger("uvicorn.error")  # the server's own log, which `serve` shows

# Files the process needs besides client connections: the database, logs, media files being
# served, outgoing fetches and webhook deliveries.
RESERVED_FILES = 256
# Request line and headers; nginx's default (large_client_header_buffers) is 32 KiB.
MAX_HEADER_BYTES = 64 * 1024
_ACCESS = '%s - "%s %s HTTP/%s" %d'  # uvicorn's access line
_BODY_HEADERS = frozenset({b"content-length", b"transfer-encoding"})
_TOO_LARGE_BODY = b"Request header fields too large.\n"
_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: " + str(len(_TOO_LARGE_BODY)).encode() + b"\r\n"
    b"connection: close\r\n\r\n" + _TOO_LARGE_BODY
)


class HeaderDeadline(HttpToolsProtocol):
    """uvicorn's httptools protocol that closes a connection whose request headers are late
    (`header_timeout` seconds after connecting or after the read that began the request) and
    answers 431 to headers over MAX_HEADER_BYTES, which httptools would otherwise buffer
    without end.

    The deadline's timer is armed only when a read ends with headers still to come: a
    kept-alive client's request nearly always arrives whole in one read, and a timer armed
    and cancelled for each of them is a cost per request (uvicorn's keep-alive timer guards
    the wait before the request's first byte)."""

    header_timeout = 10.0
    _header_timer: asyncio.TimerHandle | None = None
    _header_bytes = 0
    _awaiting_headers = True
    _answered_at_once = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_late)

    def connection_lost(self, exc: Exception | None) -> None:
        self._headers_arrived()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._awaiting_headers or self.transport.is_closing():
            return
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_late)
        # Counts a whole read even when a pipelined request began inside it: a little early.
        self._header_bytes += len(data)
        if self._header_bytes > MAX_HEADER_BYTES:
            self.transport.write(_TOO_LARGE)
            self.transport.close()

    def on_message_begin(self) -> None:
        # An answer written at once armed the keep-alive timer; a request that came in the
        # same read must not be cut by it.
        self._unset_keepalive_if_required()
        super().on_message_begin()
        self._awaiting_headers = True
        self._header_bytes = 0

    def on_headers_complete(self) -> None:
        self._headers_arrived()
        if self._at_once_possible() and contextvars.copy_context().run(self._answer_at_once):
            self._answered_at_once = True  # the request's end must not reach uvicorn's cycle
            return
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        if self._answered_at_once:
            self._answered_at_once = False
            return
        super().on_message_complete()

    def _at_once_possible(self) -> bool:
        if getattr(self.app, "fast_path", None) is None or self.pipeline or self.flow.write_paused:
            return False
        if self.cycle is not None and not self.cycle.response_complete:
            return False
        parser = self.parser
        if parser.get_method() != b"GET" or parser.get_http_version() != "1.1":
            return False
        if not parser.should_keep_alive() or parser.should_upgrade():
            return False
        return not any(name in _BODY_HEADERS for name, _ in self.headers)

    def _answer_at_once(self) -> bool:
        """Write the kept copy's answer, if there is one. Runs in a context of its own: the
        request id it sets for the log line ends with it."""
        url = httptools.parse_url(self.url)
        path = url.path.decode("ascii")
        if "%" in path:
            return False
        scope = {**self.scope, "method": "GET", "path": path, "query_string": url.query or b""}
        answer = self.app.fast_path.at_once(scope)
        if answer is None:
            return False
        content = [STATUS_LINE[answer.status]]
        for name, value in [*self.server_state.default_headers, *answer.head]:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend([b"\r\n", answer.body])
        self.transport.write(b"".join(content))
        logger = self.access_logger
        if self.access_log and logger.isEnabledFor(logging.INFO):
            shown = path + ("?" + url.query.decode("ascii") if url.query else "")
            # uvicorn's own line and arguments: its formatter and ops/logs.py unpack them.
            # The record is made directly: `info` would first walk the stack for a source
            # line that no format shows, a fifth of the line's cost.
            args = (get_client_addr(scope), "GET", shown, "1.1", answer.status)  # type: ignore[arg-type]
            logger.handle(
                logger.makeRecord(logger.name, logging.INFO, __file__, 0, _ACCESS, args, None)
            )
        self.on_response_complete()
        return True

    def _headers_arrived(self) -> None:
        self._awaiting_headers = False
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        self.transport.close()


def header_deadline(seconds: float) -> type[HeaderDeadline]:
    """The protocol class with this deadline (uvicorn instantiates the class it is given)."""

    class Configured(HeaderDeadline):
        header_timeout = seconds

    return Configured


def raise_open_file_limit() -> int:
    """Raise this process's soft open-file limit to the hard one where the OS allows; return
    the soft limit in force. Many systems start services at 1,024 with a far higher hard
    limit, and every connection holds a file."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == hard:
        return soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError) as exc:  # e.g. macOS refuses "unlimited"
        log.warning("Open-file limit stays at %d (hard limit %d): %s", soft, hard, exc)
        return soft
    log.info("Open-file limit raised from %d to %d.", soft, hard)
    return hard


def connection_cap(settings: Settings, open_files: int) -> int:
    """DATELINE_MAX_CONNECTIONS, lowered so that connections never use up the open files."""
    fits = max(1, open_files - RESERVED_FILES)
    if settings.max_connections > fits:
        log.warning(
            "Serving at most %d connections, not %d: the open-file limit is %d. Raise the "
            "hard limit (LimitNOFILE= in systemd, ulimit -Hn) to serve more.",
            fits,
            settings.max_connections,
            open_files,
        )
    return min(settings.max_connections, fits)


def serve(settings: Settings, host: str, port: int) -> None:
    """Run the site with header, keep-alive and connection limits from the settings."""
    config = uvicorn.Config(
        "dateline.app:create_app",
        factory=True,
        host=host,
        port=port,
        proxy_headers=False,
        http=header_deadline(settings.header_timeout_seconds),
        timeout_keep_alive=settings.keep_alive_seconds,
        # Live event streams never end by themselves: give them a few seconds, then close.
        timeout_graceful_shutdown=3,
    )  # logging is configured from here on
    # uvicorn counts the connection asking too: a limit of N serves N - 1 at once.
    config.limit_concurrency = connection_cap(settings, raise_open_file_limit()) + 1
    uvicorn.Server(config).run()
