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
- `GuardedTransport`, an httpx transport that runs `check_url` again for EVERY request it sends
  (so every redirect hop is checked) and then connects to the very address it checked, with
  the Host header and TLS SNI of the name. Checking a name and letting the connection resolve it
  again would let a DNS server answer "public" to the check and "127.0.0.1" to the connect (DNS
  rebinding); here the name is resolved once per request.

Why a transport wrapper and not an httpcore network backend: httpx has no public way to give its
transport a network backend, while the wrapper needs only public API (a new `Request` to the IP,
plus httpx's documented `sni_hostname` extension, so certificates are still verified against
the name). The price: the inner pool is keyed by IP, so keep-alive is off, or a kept connection
could be reused for another name on the same IP. Outbound calls here are occasional (a webhook
delivery, a feed poll), so a new connection each time costs little.

The client ignores proxy environment variables (`trust_env=False`): a proxy resolves names
itself, out of the guard's sight.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

import httpx

from dateline.errors import DatelineError

IPAddress = IPv4Address | IPv6Address
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]

SCHEMES = {"http": 80, "https": 443}
RESOLVE_TIMEOUT = 10.0
NAT64 = ip_network("64:ff9b::/96")  # RFC 6052: the last 32 bits are an IPv4 address
HINT = "Dateline only sends requests to public internet addresses."


class RefusedURL(DatelineError):
    """The address is not one Dateline will send a request to; `message` says why."""

    status = 422


@dataclass(frozen=True)
class CheckedURL:
    url: httpx.URL
    addresses: tuple[IPAddress, ...]  # in the resolver's order; all of them passed the check


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
        raise RefusedURL(f"This is not a valid web address ({exc}).") from exc
    if parsed.scheme not in SCHEMES:
        raise RefusedURL("The address must start with http:// or https://.")
    if parsed.userinfo or "@" in parsed.netloc.decode("ascii", "replace"):
        raise RefusedURL("The address must not contain a user name or password (the @ part).")
    if not parsed.raw_host:
        raise RefusedURL("The address has no host name.")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise RefusedURL("The port number must be between 1 and 65535.")
    return parsed


async def check_url(
    url: str | httpx.URL, allow_private: bool, resolver: Resolver = system_resolver
) -> CheckedURL:
    """Parse url, resolve its host and check every address; RefusedURL when any fails.

    With allow_private (tests, intranets) the addresses are resolved but not judged; the
    scheme and user-name rules still hold.
    """
    parsed = parse_url(url)
    host = parsed.raw_host.decode("ascii")  # IDNA-encoded, IPv6 without brackets
    addresses = await _resolve(host, parsed.port or SCHEMES[parsed.scheme], resolver)
    if not allow_private:
        for address in addresses:
            reason = refusal(address)
            if reason is not None:
                where = host if host == str(address) else f"{host} leads to {address}, which"
                raise RefusedURL(f"{where} is a {reason} address. {HINT}")
    return CheckedURL(parsed, tuple(addresses))


async def _resolve(host: str, port: int, resolver: Resolver) -> list[IPAddress]:
    try:
        return [ip_address(host)]
    except ValueError:
        pass  # a name (or a numeric form only the resolver understands, like 2130706433)
    try:
        addresses = await resolver(host, port)
    except (OSError, TimeoutError) as exc:
        raise RefusedURL(f"The server {host} could not be found; check the address.") from exc
    if not addresses:
        raise RefusedURL(f"The server {host} could not be found; check the address.")
    return addresses


class GuardedTransport(httpx.AsyncBaseTransport):
    """Checks every request (hence every redirect hop) and connects to the checked address.

    `allow_private` is a plain attribute so a caller (or a test) can change it between hops.
    """

    def __init__(self, allow_private: bool = False, resolver: Resolver = system_resolver) -> None:
        self.allow_private = allow_private
        self._resolver = resolver
        limits = httpx.Limits(max_keepalive_connections=0)  # the pool is keyed by IP: see above
        self._inner = httpx.AsyncHTTPTransport(trust_env=False, limits=limits)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        checked = await check_url(request.url, self.allow_private, self._resolver)
        name = request.url.raw_host.decode("ascii")
        failure: httpx.ConnectError | None = None
        for address in checked.addresses:
            pinned = httpx.Request(
                request.method,
                request.url.copy_with(host=str(address)),
                headers=request.headers,  # keeps Host: the name, not the address
                stream=request.stream,
                extensions={**request.extensions, "sni_hostname": name},
            )
            try:
                return await self._inner.handle_async_request(pinned)
            except httpx.ConnectError as exc:
                failure = exc  # try the name's next address, like a browser would
        assert failure is not None  # _resolve never returns an empty list
        raise failure

    async def aclose(self) -> None:
        await self._inner.aclose()


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
