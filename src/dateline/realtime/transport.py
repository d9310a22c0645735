"""How event-stream bytes reach a reader's connection: the one module that knows the server.

Two ways, chosen once per stream by `direct_writer`:

- direct: under uvicorn's httptools protocol (plain, or `dateline serve`'s `HeaderDeadline`
  subclass of it), the hub writes each body chunk straight to the connection's asyncio
  transport. Writing through ASGI `send` costs a coroutine per reader per frame, most of the
  cost of fan-out in Python (bench/fanout.py); a plain `transport.write` does not.
- through `send` (`send_now`): any other server, or h11. Correct everywhere, only slower.

`Piece` encodes a stretch of the stream once for both ways. The rest of realtime/ knows only
`Transport` (three methods of asyncio's transports) and `Piece`; nothing outside this module
knows uvicorn's internals. `tests/test_realtime_transport.py` holds `direct_writer` to them,
and tests/test_realtime.py runs every stream test under both protocols.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

log = logging.getLogger(__name__)
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Transport(Protocol):
    """What the hub needs of a connection's asyncio transport."""

    def write(self, data: bytes) -> None: ...
    def is_closing(self) -> bool: ...
    def get_write_buffer_size(self) -> int: ...


class Piece:
    """Bytes of the event stream, encoded once for every reader: as an HTTP/1.1 chunk for
    readers written to directly, as an ASGI message for the others."""

    __slots__ = ("chunk", "message")

    def __init__(self, data: bytes) -> None:
        self.chunk = b"%x\r\n%s\r\n" % (len(data), data)
        self.message = {"type": "http.response.body", "body": data, "more_body": True}


def direct_writer(send: Send) -> Transport | None:
    """The connection's transport, when the hub may write the response body to it itself.
    Ask after the response head has gone out.

    ASGI has no standard way to reach the socket (the `http.response.zerocopysend` extension
    sends files, and uvicorn does not offer it). uvicorn's `send` is a bound method of the
    request's cycle object, which keeps the asyncio `transport` it writes to; its httptools
    cycle also records in `chunked_encoding` how it frames the body. When that says chunked,
    after the response head has gone out, a `Piece.chunk` written to the transport is byte for
    byte what `send` would have written, so the two mix: the closing `send` (the last chunk)
    keeps uvicorn's own state right, and its flow control still sees the buffer. Anything
    else (h11, HTTP/2, another server, a wrapped `send`, changed internals) gives None.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if getattr(cycle, "chunked_encoding", None) is not True:
        return None
    if not all(hasattr(transport, m) for m in ("write", "is_closing", "get_write_buffer_size")):
        return None
    return transport


def send_now(send: Send, piece: Piece) -> bool:
    """Drive the ASGI `send` of `piece` to completion now, without a task switch; False if it
    would have to wait (the connection is applying back-pressure) or failed."""
    step: Any = send(piece.message)
    try:
        step.send(None)
    except StopIteration:
        return True
    except Exception:
        log.exception("writing to a live reader failed")
        return False
    step.close()
    return False
