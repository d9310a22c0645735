"""The SSRF guard: Dateline never sends a request to the network it runs in.

Webhook targets (and, later, ingestion sources) are addresses typed by newsroom users. Left
unchecked, `http://169.254.169.254/` or `http://localhost:6379/` would let anyone with an editor
account read cloud credentials or poke internal services through our server.

Two parts:

- `check_url` refuses schemes other than http(s), user names in the address, and any host whose
  resolved addresses include one that is not public unicast: loopback, private, link-local,
  multicast, reserved, unspecified, shared (CGNAT), and IPv4-mapped, 6to4 or NAT64 wrappings of
  those. Hosts are resolved with the system resolver, so numeric tricks like `2130706433` or
  `0x7f.1` are judged by the address they really reach.
- `GuardedTransport`, an httpx transport that checks EVERY request it sends (so every redirect
  hop is checked) and then connects to the very address it checked, with the Host header and
  TLS SNI of the name. Checking a name and letting the connection resolve it
  again would let a DNS server answer "public" to the check and "127.0.0.1" to the connect (DNS
  rebinding); here the name is resolved once per request.

How: `GuardedTransport` is an httpx transport that opens one httpcore HTTP/1.1 connection per
request over `GuardedBackend`, an httpcore network backend on plain asyncio streams. httpcore
asks the backend to connect to the request's host name; the backend resolves it, judges every
address and connects to one it judged, so the check and the connection see the same answer.
TLS is started on that connection with the name (SNI, certificate verified against the name).
One connection per request, never pooled: no connection opened for one name is reused for
another, and httpcore's pool, whose bookkeeping grows with the number of connections, is not on
the path (bench/ingest.py: a request costs about a third less CPU than through httpx's default
transport).

The client ignores proxy environment variables (`trust_env=False`): a proxy resolves names
itself, out of the guard's sight.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from typing import Any

import httpcore
import httpx

from dateline.errors import PhrasedError
from dateline.i18n import N_, Phrasebook

IPAddress = IPv4Address | IPv6Address
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]

SCHEMES = {"http": 80, "https": 443}
RESOLVE_TIMEOUT = 10.0
NAT64 = ip_network("64:ff9b::/96")  # RFC 6052: the last 32 bits are an IPv4 address
# Why an address is refused, by code: kept with a source's last error and read back in the
# reader's language.
REFUSALS = Phrasebook(
    invalid_url=N_("This is not a valid web address (%(detail)s)."),
    scheme=N_("The address must start with http:// or https://."),
    user_name=N_("The address must not contain a user name or password (the @ part)."),
    no_host=N_("The address has no host name."),
    port=N_("The port number must be between 1 and 65535."),
    not_public=N_(
        "%(host)s is a %(kind)s address. Dateline only sends requests to public internet addresses."
    ),
    leads_to_not_public=N_(
        "%(host)s leads to %(address)s, which is a %(kind)s address. Dateline only sends"
        " requests to public internet addresses."
    ),
    unknown_host=N_("The server %(host)s could not be found; check the address."),
)


class RefusedURL(PhrasedError):
    """The address is not one Dateline will send a request to; `message` says why."""

    status = 422


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """All addresses the system resolver gives for host, without blocking the event loop."""
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(RESOLVE_TIMEOUT):
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ip_address(info[4][0]) for info in infos))


def refusal(address: IPAddress) -> str | None:
    """Why a request must not go to this address, or None when it is public unicast."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return refusal(embedded)
    for kind in ("loopback", "unspecified", "link_local", "multicast", "private", "reserved"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    if not address.is_global:
        return "non-public"  # e.g. 100.64.0.0/10, shared by carrier-grade NAT
    return None


def _embedded_ipv4(address: IPAddress) -> IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4 or NAT64), if any."""
    if isinstance(address, IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def parse_url(url: str | httpx.URL) -> httpx.URL:
    """The URL as httpx (which sends the request) reads it, or RefusedURL saying what is wrong."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise RefusedURL(REFUSALS("invalid_url", detail=str(exc))) from exc
    if parsed.scheme not in SCHEMES:
        raise RefusedURL(REFUSALS("scheme"))
    if parsed.userinfo or "@" in parsed.netloc.decode("ascii", "replace"):
        raise RefusedURL(REFUSALS("user_name"))
    if not parsed.raw_host:
        raise RefusedURL(REFUSALS("no_host"))
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise RefusedURL(REFUSALS("port"))
    return parsed


async def check_url(
    url: str | httpx.URL, allow_private: bool, resolver: Resolver = system_resolver
) -> httpx.URL:
    """The URL as parsed, once its host resolved and every address passed; RefusedURL when
    any fails. (A request checks again when it connects: GuardedBackend.)

    With allow_private (tests, intranets) the addresses are resolved but not judged; the
    scheme and user-name rules still hold.
    """
    parsed = parse_url(url)
    host = parsed.raw_host.decode("ascii")  # IDNA-encoded, IPv6 without brackets
    await checked_addresses(host, parsed.port or SCHEMES[parsed.scheme], allow_private, resolver)
    return parsed


async def checked_addresses(
    host: str, port: int, allow_private: bool, resolver: Resolver = system_resolver
) -> tuple[IPAddress, ...]:
    """Every address host resolves to, once each; RefusedURL when one is not public."""
    addresses = await _resolve(host, port, resolver)
    if not allow_private:
        for address in addresses:
            reason = refusal(address)
            if reason is None:
                continue
            if host == str(address):
                raise RefusedURL(REFUSALS("not_public", host=host, kind=reason))
            phrase = REFUSALS("leads_to_not_public", host=host, address=str(address), kind=reason)
            raise RefusedURL(phrase)
    return tuple(addresses)


async def _resolve(host: str, port: int, resolver: Resolver) -> list[IPAddress]:
    literal = _literal(host)
    if literal is not None:
        return [literal]
    try:
        addresses = await resolver(host, port)
    except (OSError, TimeoutError) as exc:
        raise RefusedURL(REFUSALS("unknown_host", host=host)) from exc
    if not addresses:
        raise RefusedURL(REFUSALS("unknown_host", host=host))
    return addresses


@lru_cache(maxsize=1024)
def _literal(host: str) -> IPAddress | None:
    """The address a host written as one stands for; None for a name (or a numeric form only
    the resolver understands, like 2130706433). Cached: parsing costs more than a request's
    other checks, and a worker asks about the same hosts all day."""
    try:
        return ip_address(host)
    except ValueError:
        return None


class GuardedStream(httpcore.AsyncNetworkStream):
    """An asyncio connection as httpcore reads and writes it, timeouts included."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109 (httpcore's signature)
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout("no answer in time") from exc
        except OSError as exc:
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout("could not send in time") from exc
        except OSError as exc:
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        """Closed at once, unsent bytes dropped: connections are never reused, and a peer that
        stops reading must not keep the socket open while close() waits to flush."""
        self._writer.close()
        self._writer.transport.abort()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            self._writer.close()
            raise httpcore.ConnectTimeout("the TLS handshake took too long") from exc
        except (OSError, ssl.SSLError) as exc:
            self._writer.close()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        names = {"ssl_object": "ssl_object", "client_addr": "sockname", "server_addr": "peername"}
        if info in names:
            return self._writer.get_extra_info(names[info])
        if info == "socket":
            return self._writer.get_extra_info("socket")
        if info == "is_readable":
            return self._reader.at_eof()
        return None


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to addresses that passed the check, resolving each name once."""

    def __init__(self, transport: GuardedTransport) -> None:
        self._transport = transport  # its allow_private may change between requests

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await checked_addresses(
            host, port, self._transport.allow_private, self._transport.resolver
        )
        failure: Exception | None = None
        for address in addresses:  # the name's next address when one does not answer
            try:
                async with asyncio.timeout(timeout):
                    reader, writer = await asyncio.open_connection(str(address), port)
                return GuardedStream(reader, writer)
            except TimeoutError as exc:
                failure = httpcore.ConnectTimeout(f"no answer from {address} in time")
                failure.__cause__ = exc
            except OSError as exc:
                failure = httpcore.ConnectError(exc.strerror or str(exc) or "refused")
                failure.__cause__ = exc
        assert failure is not None  # checked_addresses never returns an empty list
        raise failure

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class GuardedTransport(httpx.AsyncBaseTransport):
    """Every request (hence every redirect hop) gets its own checked connection.

    `allow_private` is a plain attribute so a caller (or a test) can change it between hops.
    """

    def __init__(
        self,
        allow_private: bool = False,
        resolver: Resolver = system_resolver,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.resolver = resolver
        self._ssl_context = ssl_context or httpx.create_ssl_context(trust_env=False)
        self._backend = GuardedBackend(self)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = parse_url(request.url)  # scheme, user name, port: refused before any lookup
        connection = httpcore.AsyncHTTPConnection(
            origin=httpcore.Origin(url.raw_scheme, url.raw_host, url.port or SCHEMES[url.scheme]),
            ssl_context=self._ssl_context,
            network_backend=self._backend,
        )
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            with _as_httpx_errors():
                response = await connection.handle_async_request(core_request)
        except BaseException:
            await connection.aclose()
            raise
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response, connection),
            extensions=response.extensions,
        )


class _Body(httpx.AsyncByteStream):
    """The response body; closing it closes its connection (never reused)."""

    def __init__(self, response: httpcore.Response, connection: httpcore.AsyncHTTPConnection):
        self._response = response
        self._connection = connection

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for part in self._response.aiter_stream():
                yield part

    async def aclose(self) -> None:
        await self._response.aclose()
        await self._connection.aclose()


_HTTPX_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
}


@contextmanager
def _as_httpx_errors() -> Iterator[None]:
    """httpcore's errors as the httpx errors callers catch (what httpx's own transport does)."""
    try:
        yield
    except httpcore.TimeoutException as exc:
        raise _HTTPX_ERRORS.get(type(exc), httpx.TimeoutException)(str(exc)) from exc
    except httpcore.NetworkError as exc:
        raise _HTTPX_ERRORS.get(type(exc), httpx.NetworkError)(str(exc)) from exc
    except (httpcore.ProtocolError, httpcore.UnsupportedProtocol) as exc:
        raise _HTTPX_ERRORS.get(type(exc), httpx.TransportError)(str(exc)) from exc


def guarded_client(
    allow_private: bool,
    *,
    timeout: float,
    follow_redirects: bool = False,
    resolver: Resolver = system_resolver,
) -> httpx.AsyncClient:
    """An httpx client whose every request goes through the guard (proxies from the
    environment are ignored on purpose: they would resolve names out of our sight)."""
    return httpx.AsyncClient(
        transport=GuardedTransport(allow_private, resolver),
        trust_env=False,
        timeout=timeout,
        follow_redirects=follow_redirects,
        max_redirects=5,
    )
