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
`server`), and the keep-alive timer is armed as after any answer. Its access line is the one
uvicorn would log, made without `logging`'s machinery when the log is set up as `serve` sets
it up (`access_line`): that machinery cost more than the answer.

Live event streams are answers in progress: uvicorn arms its keep-alive timer only once an
answer is complete, and the header deadline ends when the headers are in, so neither cuts a
stream (the streams' heartbeats are for proxies in front).
"""

from __future__ import annotations

import asyncio
import contextvars
import http
import json
import logging
import resource
import time
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote

import httptools
import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.logging import AccessFormatter
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.protocols.utils import get_client_addr

from dateline.config import Settings
from dateline.ops.logs import JsonFormatter
from dateline.web.fast_path import REQUEST_ID

log = logging.getLogger("uvicorn.error")  # the server's own log, which `serve` shows

# Files the process needs besides client connections: the database, logs, media files being
# served, outgoing fetches and webhook deliveries.
RESERVED_FILES = 256
# Request line and headers; nginx's default (large_client_header_buffers) is 32 KiB.
MAX_HEADER_BYTES = 64 * 1024
_ACCESS = '%s - "%s %s HTTP/%s" %d'  # uvicorn's access line
_UVICORN_ACCESS_FORMAT = LOGGING_CONFIG["formatters"]["access"]["fmt"]
_TARGETS_MEMO = 1024  # request targets remembered with their path, query and logged form
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
    _access_line: AccessLine | None = None  # chosen at the connection's first answer at once

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
        target = _target(self.url)
        if target is None:
            return False
        path, query, shown = target
        scope = {**self.scope, "method": "GET", "path": path, "query_string": query}
        answer = self.app.fast_path.at_once(scope)
        if answer is None:
            return False
        head = _SERVER_HEAD.of(self.server_state.default_headers)  # as uvicorn: date, server
        rid = answer.request_id
        status = STATUS_LINE[answer.status]
        end = b"\r\n\r\n"
        self.transport.write(b"".join((status, head, answer.head, _RID, rid, end, answer.body)))
        if self.access_log and self.access_logger.isEnabledFor(logging.INFO):
            if self._access_line is None:
                client = get_client_addr(self.scope)
                self._access_line = access_line(self.access_logger, client, self.loop)
            self._access_line(shown, answer.status, rid)
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


_RID = REQUEST_ID + b": "


def _target(url: bytes) -> tuple[str, bytes, str] | None:
    """A request target's path, query and its form in the access line (uvicorn's: the path
    quoted); None when the path needs unquoting or is not ASCII (the app's way handles it).
    Remembered: readers ask for the same few targets again and again."""
    if len(url) > _TARGET_MOST:
        return None  # no reader page has such an address; never kept, so never a memory sink
    try:
        return _targets[url]
    except KeyError:
        pass
    parsed = httptools.parse_url(url)
    query = parsed.query or b""
    try:
        path = parsed.path.decode("ascii")
        shown = quote(path) + ("?" + query.decode("ascii") if query else "")
    except UnicodeDecodeError:
        path = "%"
    if len(_targets) >= _TARGETS_MEMO:
        _targets.clear()
    target = _targets[url] = None if "%" in path else (path, query, shown)
    return target


_targets: dict[bytes, tuple[str, bytes, str] | None] = {}
_TARGET_MOST = 256  # bytes of a target worth remembering: 1,024 of them stay under 300 KB


class _WireHead:
    """uvicorn's default headers (`date`, `server`) as header lines; uvicorn replaces the
    list once a second, so they are joined once a second."""

    def __init__(self) -> None:
        self.headers: object = None
        self.wire = b""

    def of(self, headers: list[tuple[bytes, bytes]]) -> bytes:
        if headers is not self.headers:
            self.wire = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
            self.headers = headers  # held, so its identity is not reused
        return self.wire


_SERVER_HEAD = _WireHead()


# The access line of answers written at once --------------------------------------------------

AccessLine = Callable[[str, int, bytes], None]  # (path with query as shown, status, request id)


def access_line(logger: logging.Logger, client: str, loop: asyncio.AbstractEventLoop) -> AccessLine:
    """How the answers a connection gets at once are logged, chosen from `logger`'s set-up
    once per connection (the caller checks per answer that the logger logs INFO at all).

    uvicorn logs a line through `logging`: a LogRecord, its handler's lock, uvicorn's
    formatter (which copies the record twice), and a flush, i.e. a write to the file or pipe,
    per line. Together that costs more than the answer itself. When the logger is set up as
    `dateline serve` sets it up (uvicorn's one handler on a stream, with uvicorn's access
    format without colours, or ops/logs.py's JSON lines), the same line is made here from a
    prefix fixed per connection, and lines are flushed once per turn of the event loop:
    several answers' lines reach the file in one write, in the order they were written, and
    before any line logged after them on the same stream (that one's flush takes them
    along). Any other set-up (a log config of the operator's own, filters, more handlers)
    gets a real LogRecord, as from uvicorn."""
    handlers = logger.handlers
    if len(handlers) == 1 and not logger.propagate and not logger.filters:
        handler = handlers[0]
        plain = type(handler) is logging.StreamHandler and not handler.filters
        if plain and isinstance(handler, logging.StreamHandler) and handler.level <= logging.INFO:
            formatter = handler.formatter
            if _is_uvicorn_access_format(formatter):
                return _text_lines(_Lines.of(handler, loop), client)
            if type(formatter) is JsonFormatter:
                return _json_lines(_Lines.of(handler, loop), logger.name, client)
    return _records(logger, client)


def _is_uvicorn_access_format(formatter: logging.Formatter | None) -> bool:
    return (
        type(formatter) is AccessFormatter
        and not formatter.use_colors
        and type(formatter._style) is logging.PercentStyle
        and formatter._fmt == _UVICORN_ACCESS_FORMAT
    )


def _text_lines(lines: _Lines, client: str) -> AccessLine:
    """uvicorn's line: `INFO:     127.0.0.1:50132 - "GET /live/x HTTP/1.1" 200 OK`."""
    level = logging.getLevelName(logging.INFO)
    start = f'{level}:{" " * (8 - len(level))} {client} - "GET '  # uvicorn's `levelprefix`
    ends = {
        status: f' HTTP/1.1" {status} {http.HTTPStatus(status).phrase}{lines.terminator}'
        for status in (200, 304)
    }
    write = lines.write

    def line(shown: str, status: int, request_id: bytes) -> None:
        write(start + shown + ends[status])

    return line


def _json_lines(lines: _Lines, name: str, client: str) -> AccessLine:
    """ops/logs.py's JSON line for uvicorn's access record, field for field."""
    level = logging.getLevelName(logging.INFO).lower()
    write = lines.write

    def line(shown: str, status: int, request_id: bytes) -> None:
        fields: dict[str, Any] = {
            "time": datetime.fromtimestamp(time.time(), UTC).isoformat(timespec="milliseconds"),
            "level": level,
            "logger": name,
            "message": f'{client} - "GET {shown} HTTP/1.1" {status}',
            "request_id": request_id.decode("latin-1"),
            "client": client,
            "method": "GET",
            "path": shown,
            "status": status,
        }
        write(json.dumps(fields, ensure_ascii=False, default=str) + lines.terminator)

    return line


def _records(logger: logging.Logger, client: str) -> AccessLine:
    def line(shown: str, status: int, request_id: bytes) -> None:
        # uvicorn's own message and arguments: its formatter and ops/logs.py unpack them.
        # The record is made directly: `info` would first walk the stack for a source line
        # that no format shows.
        args = (client, "GET", shown, "1.1", status)
        logger.handle(
            logger.makeRecord(logger.name, logging.INFO, __file__, 0, _ACCESS, args, None)
        )

    return line


class _Lines:
    """Lines written to a logging handler's stream under its lock, flushed once per turn of
    the event loop instead of once per line."""

    _of: ClassVar[weakref.WeakKeyDictionary[logging.Handler, _Lines]] = weakref.WeakKeyDictionary()

    def __init__(self, handler: logging.StreamHandler[Any], loop: asyncio.AbstractEventLoop):
        self.handler = handler
        self.loop = loop
        self.terminator = handler.terminator
        self.flush_due = False

    @classmethod
    def of(cls, handler: logging.StreamHandler[Any], loop: asyncio.AbstractEventLoop) -> _Lines:
        """One per handler and loop, so that one flush serves all connections."""
        found = cls._of.get(handler)
        if found is None or found.loop is not loop:
            found = cls._of[handler] = cls(handler, loop)
        return found

    def write(self, line: str) -> None:
        handler = self.handler
        handler.acquire()
        try:
            handler.stream.write(line)
        except Exception:  # as StreamHandler.emit: the handler reports it (stderr)
            handler.handleError(logging.makeLogRecord({"msg": line}))
        finally:
            handler.release()
        if not self.flush_due:
            self.flush_due = True
            self.loop.call_soon(self._flush)

    def _flush(self) -> None:
        self.flush_due = False
        try:
            self.handler.flush()
        except Exception:  # a closed pipe, a full disk: reported as logging reports them
            self.handler.handleError(logging.makeLogRecord({"msg": "flushing the access log"}))


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
