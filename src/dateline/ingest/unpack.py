"""Unpacking a compressed response with a bound on what comes out, step by step.

A packed body can unpack to a million times its size (800 bytes of Brotli to 1 GB of zeros),
so a size cap checked on whole network chunks, or after unpacking, comes too late: the memory
and the CPU are spent by then. Here every decoder produces at most about `STEP` bytes per call
and is asked again only while the fetcher still wants more, and the packed bytes and the
output of every decoder (`Content-Encoding: gzip, gzip` has two) are counted against the cap as
they come: `TooLarge` is raised as soon as one passes it. httpx's own decoders unpack a whole
network chunk in one call, so the fetcher reads the raw bytes and unpacks them here.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from typing import Protocol

import brotli  # 1.2 or later: Decompressor.process(output_buffer_limit=...)

from dateline.errors import PhrasedError
from dateline.i18n import N_, Phrasebook

STEP = 256 * 1024  # bytes a decoder produces per call (Brotli may give up to twice that)
MAX_LAYERS = 2  # "gzip, gzip" is a known server mistake; more layers are refused
ALIASES = {"x-gzip": "gzip"}  # RFC 9110 8.4.1.3


class TooLarge(Exception):
    """The packed body or the output of one of its decoders passed the limit."""


# Why a body cannot be unpacked, by code (a source keeps the code of its last error).
UNPACK_PROBLEMS = Phrasebook(
    too_many_layers=N_(
        "The server packed the response %(count)s times; Dateline unpacks at most %(limit)s layers"
    ),
    unknown_coding=N_("The server packed the response as %(coding)s, which Dateline cannot unpack"),
    corrupt=N_("The server sent a compressed response that could not be unpacked"),
)


class CannotUnpack(PhrasedError):
    """The body cannot be unpacked; `phrase` says why in plain words."""


class Decoder(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]:
        """Unpack `data` (the next bytes of the stream) in pieces of at most about STEP."""
        ...


class _Zlib:
    """gzip, zlib-wrapped or raw deflate, as `wbits` says."""

    def __init__(self, wbits: int) -> None:
        self._inflate = zlib.decompressobj(wbits)

    def decode(self, data: bytes) -> Iterator[bytes]:
        # Asked again while a call filled its STEP: output may be pending with no input left.
        # Anything after the end of the stream is ignored, as httpx and browsers do.
        while not self._inflate.eof:
            out = self._inflate.decompress(data, STEP)
            data = self._inflate.unconsumed_tail
            if out:
                yield out
            if not data and len(out) < STEP:
                return


class _Deflate:
    """`deflate` as servers send it: zlib-wrapped (RFC 9110) or raw (a common mistake)."""

    def __init__(self) -> None:
        self._head = b""
        self._inflate: _Zlib | None = None

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self._inflate is None:
            self._head += data
            if len(self._head) < 2:  # the zlib header is two bytes
                return
            data, self._head = self._head, b""
            wrapped = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._inflate = _Zlib(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        yield from self._inflate.decode(data)


class _Brotli:
    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        # Output may still be pending when it can accept more input: ask until none comes.
        out: bytes = self._decompressor.process(data, output_buffer_limit=STEP)
        while out or not self._decompressor.can_accept_more_data():
            yield out
            out = self._decompressor.process(b"", output_buffer_limit=STEP)


DECODERS: dict[str, Callable[[], Decoder]] = {
    "gzip": lambda: _Zlib(16 + zlib.MAX_WBITS),
    "deflate": _Deflate,
    "br": _Brotli,
}


def encodings(values: list[str]) -> list[str]:
    """The codings of Content-Encoding header values, in the order they were applied;
    CannotUnpack for one we do not know or more than MAX_LAYERS."""
    names = [ALIASES.get(name, name) for value in values for name in _names(value)]
    if len(names) > MAX_LAYERS:
        phrase = UNPACK_PROBLEMS("too_many_layers", count=len(names), limit=MAX_LAYERS)
        raise CannotUnpack(phrase)
    for name in names:
        if name not in DECODERS:
            raise CannotUnpack(UNPACK_PROBLEMS("unknown_coding", coding=repr(name[:40])))
    return names


def _names(value: str) -> list[str]:
    names = (name.strip().lower() for name in value.split(","))
    return [name for name in names if name and name != "identity"]


class Unpacker:
    """Unpacks one body packed with `names` (as `encodings` gives them), within `limit`."""

    def __init__(self, names: list[str], limit: int) -> None:
        self._decoders = [DECODERS[name]() for name in reversed(names)]  # last applied first
        self._sizes = [0] * (len(self._decoders) + 1)  # packed bytes, then each decoder's out
        self._limit = limit

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        """The unpacked bytes of the next raw chunk, piece by piece (pull only what you keep);
        TooLarge as soon as the packed bytes or any decoder's output pass the limit,
        CannotUnpack when the data is corrupt."""
        return self._through(0, chunk)

    def _through(self, stage: int, data: bytes) -> Iterator[bytes]:
        self._sizes[stage] += len(data)
        if self._sizes[stage] > self._limit:
            raise TooLarge
        if stage == len(self._decoders):
            if data:
                yield data
            return
        try:
            for out in self._decoders[stage].decode(data):
                yield from self._through(stage + 1, out)
        except (zlib.error, brotli.error) as exc:
            raise CannotUnpack(UNPACK_PROBLEMS("corrupt")) from exc
