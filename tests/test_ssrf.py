"""The SSRF guard: private targets are refused, at every redirect hop, and the connection goes
to the address that was checked (so a DNS answer that changes cannot slip past)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import ssl
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import httpx
import pytest

from dateline.net.ssrf import (
    GuardedTransport,
    IPAddress,
    RefusedURL,
    Resolver,
    check_url,
    checked_addresses,
    guarded_client,
    refusal,
)

# A tiny HTTP server on 127.0.0.1 (also the webhook receiver of test_webhooks.py) ------------


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes


Answer = Callable[[Received], tuple[int, dict[str, str]]]


class LocalServer:
    """Records every request and answers with `answer(request)` → (status, headers)."""

    def __init__(self, answer: Answer, tls: ssl.SSLContext | None = None) -> None:
        self.answer = answer
        self.received: list[Received] = []
        self._server: asyncio.Server | None = None
        self._tls = tls
        self.port = 0
        self._handlers: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{self.port}"

    async def __aenter__(self) -> LocalServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self._tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        """Stop listening and end every connection still open (a client that connected and
        never finished its request): a handler left waiting when its loop closes leaves a
        stream behind whose warning fails whichever test the collector runs in next."""
        assert self._server is not None
        self._server.close()
        for handler in self._handlers:
            handler.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handler = asyncio.current_task()
        assert handler is not None
        self._handlers.add(handler)
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            method, path, _ = head[0].split(" ", 2)
            pairs = (line.partition(":") for line in head[1:] if line)
            headers = {name.strip().lower(): value.strip() for name, _, value in pairs}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            request = Received(method, path, headers, body)
            self.received.append(request)
            status, extra = self.answer(request)
            lines = [f"HTTP/1.1 {status} Answer", "Content-Length: 0", "Connection: close"]
            lines += [f"{name}: {value}" for name, value in extra.items()]
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client went away mid-request; nothing to answer
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()
            self._handlers.discard(handler)


def ok(_: Received) -> tuple[int, dict[str, str]]:
    return 200, {}


def resolver_of(*answers: list[str]) -> Resolver:
    """A resolver giving each answer in turn (the last one again when they run out)."""
    queue = [[ip_address(text) for text in answer] for answer in answers]

    async def resolve(host: str, port: int) -> list[IPAddress]:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return resolve


# The address rules -------------------------------------------------------------------------

REFUSED = [
    ("http://127.0.0.1/", "loopback"),
    ("http://localhost:8000/admin", "loopback"),
    ("http://[::1]/", "loopback"),
    ("http://10.1.2.3/", "private"),
    ("http://192.168.1.1/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://2130706433/", "loopback"),  # 127.0.0.1 written as one decimal number
    ("http://0x7f.1/", "loopback"),
    ("http://[2002:7f00:1::]/", "loopback"),  # 6to4 wrapping of 127.0.0.1
    ("http://[64:ff9b::a00:1]/", "private"),  # NAT64 wrapping of 10.0.0.1
    ("http://100.64.0.1/", "non-public"),
    ("http://224.0.0.1/", "multicast"),
    ("http://[fe80::1]/", "link-local"),
    ("file:///etc/passwd", "http:// or https://"),
    ("gopher://example.org:70/_SET", "http:// or https://"),
    ("ftp://example.org/", "http:// or https://"),
    ("http://user@example.org/", "user name"),
    ("http://user:secret@example.org/", "user name"),
    ("http://example.org\\@127.0.0.1/", "user name"),
    ("http://example.org:99999/", "port"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
async def test_refused_urls(url: str, reason: str) -> None:
    with pytest.raises(RefusedURL, match=reason):
        await check_url(url, allow_private=False)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ip_address(address)) is None


async def test_a_public_literal_address_passes_without_dns() -> None:
    assert await check_url("https://93.184.216.34/hook", allow_private=False)
    checked = await checked_addresses("93.184.216.34", 443, allow_private=False)
    assert [str(a) for a in checked] == ["93.184.216.34"]


async def test_every_resolved_address_must_be_public() -> None:
    mixed = resolver_of(["93.184.216.34", "10.0.0.7"])
    with pytest.raises(RefusedURL, match=re.escape("10.0.0.7, which is a private address")):
        await check_url("https://mixed.example/", allow_private=False, resolver=mixed)


async def test_allow_private_still_refuses_other_schemes_and_user_names() -> None:
    assert await check_url("http://127.0.0.1:9/", allow_private=True)
    for url in ("file:///etc/passwd", "http://user@127.0.0.1/"):
        with pytest.raises(RefusedURL):
            await check_url(url, allow_private=True)


# The transport -----------------------------------------------------------------------------


async def test_the_transport_refuses_a_private_address_before_connecting() -> None:
    async with LocalServer(ok) as server, guarded_client(False, timeout=5) as client:
        with pytest.raises(RefusedURL, match="loopback"):
            await client.get(server.url)
    assert server.received == []


async def test_redirects_are_followed_when_every_hop_is_allowed() -> None:
    """The control for the next test: the same two servers, the door left open."""
    async with LocalServer(ok) as inner:
        redirect = LocalServer(lambda _: (302, {"Location": f"{inner.url}/secret"}))
        async with redirect as outer, guarded_client(True, timeout=5, follow_redirects=True) as c:
            answer = await c.get(f"{outer.url}/start")
    assert answer.status_code == 200
    assert [r.path for r in inner.received] == ["/secret"]


async def test_a_redirect_to_a_private_address_is_refused_at_that_hop() -> None:
    """The first hop is allowed, then the guard turns strict: the redirect hop is judged on
    its own, so it is refused and the second server never hears from us."""
    transport = GuardedTransport(allow_private=True)

    async def turn_strict(_: httpx.Response) -> None:
        transport.allow_private = False

    async with LocalServer(ok) as inner:
        redirect = LocalServer(lambda _: (302, {"Location": f"{inner.url}/secret"}))
        hooks: dict[str, list[Any]] = {"response": [turn_strict]}
        client = httpx.AsyncClient(transport=transport, follow_redirects=True, event_hooks=hooks)
        async with redirect as outer, client:
            with pytest.raises(RefusedURL, match="loopback"):
                await client.get(f"{outer.url}/start")
    assert [r.path for r in outer.received] == ["/start"]
    assert inner.received == []


async def test_the_connection_goes_to_the_checked_address_with_the_name_as_host() -> None:
    pinned = resolver_of(["127.0.0.1"])
    async with LocalServer(ok) as server:
        client = guarded_client(True, timeout=5, resolver=pinned)
        async with client:
            answer = await client.get(f"http://feeds.example:{server.port}/feed")
    assert answer.status_code == 200
    assert server.received[0].headers["host"] == f"feeds.example:{server.port}"
    assert answer.request.url.host == "feeds.example"  # redirects would resolve from the name


async def test_a_name_that_changes_its_answer_after_the_check_is_refused() -> None:
    """DNS rebinding: public for the check, loopback a moment later. The transport resolves
    once and judges the address it will connect to, so the switch is caught."""
    rebinding = resolver_of(["93.184.216.34"], ["127.0.0.1"])
    await check_url("http://rebind.example/", allow_private=False, resolver=rebinding)
    async with guarded_client(False, timeout=5, resolver=rebinding) as client:
        with pytest.raises(RefusedURL, match=re.escape("127.0.0.1, which is a loopback address")):
            await client.get("http://rebind.example/")


# TLS: the connection goes to the checked address, the certificate is checked against the name


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for feeds.example, made with the openssl command."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=feeds.example"),
            *("-addext", "subjectAltName=DNS:feeds.example"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def tls_server(certificate: tuple[Path, Path]) -> LocalServer:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return LocalServer(ok, tls=context)


def trusting(certificate: tuple[Path, Path]) -> GuardedTransport:
    """The guard, trusting the test certificate, with every name resolving to 127.0.0.1."""
    context = ssl.create_default_context(cafile=str(certificate[0]))
    return GuardedTransport(True, resolver_of(["127.0.0.1"]), ssl_context=context)


async def test_https_goes_to_the_checked_address_and_verifies_the_name(
    certificate: tuple[Path, Path],
) -> None:
    transport = trusting(certificate)
    async with tls_server(certificate) as server, httpx.AsyncClient(transport=transport) as c:
        answer = await c.get(f"https://feeds.example:{server.port}/feed")
    assert answer.status_code == 200
    assert server.received[0].headers["host"] == f"feeds.example:{server.port}"


async def test_https_to_a_name_the_certificate_does_not_cover_fails(
    certificate: tuple[Path, Path],
) -> None:
    transport = trusting(certificate)
    async with tls_server(certificate) as server, httpx.AsyncClient(transport=transport) as c:
        with pytest.raises(httpx.ConnectError, match=r"(?i)certificate"):
            await c.get(f"https://other.example:{server.port}/feed")
    assert server.received == []


async def test_https_with_an_untrusted_certificate_fails(certificate: tuple[Path, Path]) -> None:
    """The default trust store (certifi) does not know a self-signed certificate."""
    transport = GuardedTransport(True, resolver_of(["127.0.0.1"]))
    async with tls_server(certificate) as server, httpx.AsyncClient(transport=transport) as c:
        with pytest.raises(httpx.ConnectError, match=r"(?i)certificate verify failed"):
            await c.get(f"https://feeds.example:{server.port}/feed")
    assert server.received == []


def _client_sockets_to(port: int) -> int:
    """Client-side TCP connections of this machine to `port` still open at our end
    (ESTABLISHED in /proc/net/tcp): a socket we closed is in FIN_WAIT or gone."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError), open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                if remote_port == port and fields[3] == "01":  # 01: ESTABLISHED
                    count += 1
    return count


async def test_a_connection_given_up_on_is_closed_even_when_the_server_stops_reading() -> None:
    """A server that accepts and never reads: the upload times out, and the socket goes at
    once instead of waiting forever to send what is left (no leaked connections)."""
    accepted: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    timeout = httpx.Timeout(5.0, write=0.3)
    try:
        async with guarded_client(True, timeout=5) as client:
            with pytest.raises(httpx.WriteTimeout):
                await client.post(
                    f"http://127.0.0.1:{port}/", content=b"x" * 50_000_000, timeout=timeout
                )
            # Gone at once; the minute is patience for a busy machine. A leaked socket would
            # stay until the server reads, which it never does.
            async with asyncio.timeout(60):
                while _client_sockets_to(port):  # noqa: ASYNC110 - the kernel's table
                    await asyncio.sleep(0.05)
    finally:
        for writer in accepted:
            writer.transport.abort()
        server.close()
        await server.wait_closed()
