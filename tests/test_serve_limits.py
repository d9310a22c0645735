"""`dateline serve` against clients that hold connections: slow or half-sent headers, idle
kept-alive connections, more connections than the cap, a low open-file limit.

A real server on loopback with short timeouts (0.5 s for headers, 1 s keep-alive) and a cap of
3 connections; each test waits generously (10 s) for the server to act, never asserts how
soon it did."""

from __future__ import annotations

import asyncio
import http.client
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from dateline.config import Settings
from dateline.serving import MAX_HEADER_BYTES, connection_cap
from tests.live_server import (
    DATELINE,
    EDITOR_EMAIL,
    EDITOR_PASSWORD,
    free_port,
    run_cli,
    server_env,
    stop,
    wait_until_serving,
)
from tests.sse_client import EventReader

WAIT = 10.0  # generous: the configured timeouts are 0.5 s and 1 s
CAP = 3
LOW_OPEN_FILES = 512


@dataclass(frozen=True)
class Served:
    host: str
    port: int
    token: str
    pid: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("limited-server")
    port = free_port()
    env = server_env(root, port)
    env.update(
        DATELINE_HEADER_TIMEOUT_SECONDS="0.5",
        DATELINE_KEEP_ALIVE_SECONDS="1",
        DATELINE_MAX_CONNECTIONS=str(CAP),
        DATELINE_SSE_HEARTBEAT_SECONDS="3600",  # streams stay silent unless something happens
        DATELINE_INGEST_IN_SERVE="false",
    )
    log_path = root / "server.log"
    run_cli(env, log_path, "db", "upgrade")
    run_cli(
        env, log_path, "user", "create", EDITOR_EMAIL, "--password-stdin",
        stdin=EDITOR_PASSWORD + "\n",
    )  # fmt: skip
    token = run_cli(env, log_path, "token", "create", EDITOR_EMAIL).strip()
    # Started the way many systems start services: a low soft open-file limit.
    serve = f"ulimit -Sn {LOW_OPEN_FILES} && exec {DATELINE} serve --host 127.0.0.1 --port {port}"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            ["/bin/sh", "-c", serve], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_until_serving(process, f"http://127.0.0.1:{port}", log_path)
            yield Served("127.0.0.1", port, token, process.pid, log_path)
        finally:
            stop(process)


def closed_by_server(sock: socket.socket) -> bool:
    """Read until the server closes the connection (True) or WAIT passes (False)."""
    sock.settimeout(WAIT)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def test_a_client_that_sends_half_a_header_line_is_disconnected(served: Served) -> None:
    with socket.create_connection((served.host, served.port)) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slo")
        assert closed_by_server(sock)


def test_a_client_that_connects_and_sends_nothing_is_disconnected(served: Served) -> None:
    with socket.create_connection((served.host, served.port)) as sock:
        assert closed_by_server(sock)


def test_a_kept_alive_connection_that_starts_a_request_but_stalls_is_disconnected(
    served: Served,
) -> None:
    with socket.create_connection((served.host, served.port)) as sock:
        sock.sendall(b"GET /healthz-none HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        sock.settimeout(WAIT)
        assert sock.recv(65536).startswith(b"HTTP/1.1 404")  # one answer, the connection kept
        sock.sendall(b"GET / HTTP/1.1\r\nHo")
        assert closed_by_server(sock)


def test_endless_headers_are_refused_with_431(served: Served) -> None:
    with socket.create_connection((served.host, served.port)) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * MAX_HEADER_BYTES)
        sock.sendall(b"a" * 100)  # one read past the limit, so the server reads all we sent
        sock.settimeout(WAIT)
        answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
        assert closed_by_server(sock)


def idle_connection_is_closed(served: Served) -> bool:
    """One answer on a kept-alive connection, then silence: does the server close it?"""
    connection = http.client.HTTPConnection(served.host, served.port, timeout=WAIT)
    try:
        connection.request("GET", "/")
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 200
        assert answer.getheader("connection") != "close"  # kept alive, then idle
        assert connection.sock is not None
        return closed_by_server(connection.sock)
    finally:
        connection.close()


def test_an_idle_kept_alive_connection_is_closed(served: Served) -> None:
    assert idle_connection_is_closed(served)


def test_the_open_file_limit_is_raised_to_the_hard_limit(served: Served) -> None:
    limits = Path(f"/proc/{served.pid}/limits")
    if not limits.exists():
        pytest.skip("reads /proc (Linux)")
    line = next(x for x in limits.read_text().splitlines() if x.startswith("Max open files"))
    soft, hard = line.split()[3:5]
    assert int(soft) > LOW_OPEN_FILES
    assert soft == hard
    assert f"Open-file limit raised from {LOW_OPEN_FILES} to {hard}" in served.log_path.read_text()


def test_the_connection_cap_is_lowered_to_fit_the_open_files() -> None:
    assert connection_cap(Settings(max_connections=20_000), open_files=1024) == 768
    assert connection_cap(Settings(max_connections=500), open_files=1024) == 500


@asynccontextmanager
async def reader(served: Served, slug: str) -> AsyncIterator[EventReader]:
    """A live stream on a connection of its own."""
    async with (
        httpx.AsyncClient(base_url=served.base_url, timeout=WAIT) as client,
        client.stream("GET", f"/live/{slug}/events") as response,
    ):
        assert response.status_code == 200
        yield EventReader(response)


async def test_streams_outlive_the_idle_timeout_and_beyond_the_cap_new_clients_get_503(
    served: Served,
) -> None:
    headers = {"Authorization": f"Bearer {served.token}"}
    async with httpx.AsyncClient(base_url=served.base_url, headers=headers) as api:
        created = await api.post("/api/v1/blogs", json={"slug": "capped", "title": "Capped"})
        assert created.status_code == 201, created.text
    async with reader(served, "capped") as first, reader(served, "capped") as second:
        # A kept-alive connection opened after the streams is closed as idle: by then the
        # streams have been silent for longer than the keep-alive timeout too.
        assert await asyncio.to_thread(idle_connection_is_closed, served)
        async with reader(served, "capped"):  # the third connection: the cap is reached
            async with httpx.AsyncClient(base_url=served.base_url, timeout=WAIT) as late:
                refused = await late.get("/")
            assert refused.status_code == 503
            assert refused.text == "Service Unavailable"
        published = await publish_when_a_slot_is_free(served, headers)
        for stream in (first, second):
            event = await stream.next(within=WAIT)
            assert (event.kind, event.data["update_id"]) == ("update.published", published)


async def publish_when_a_slot_is_free(served: Served, headers: dict[str, str]) -> int:
    """The third stream has just closed; the server may not have seen it go yet."""
    async with httpx.AsyncClient(base_url=served.base_url, headers=headers, timeout=WAIT) as api:
        for _ in range(100):
            answer = await api.post("/api/v1/blogs/capped/updates", json={"body": "Still reading."})
            if answer.status_code != 503:
                assert answer.status_code == 201, answer.text
                return int(answer.json()["id"])
            await asyncio.sleep(0.1)
    pytest.fail("the server kept refusing after a stream closed")
