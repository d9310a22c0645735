"""Live delivery over a real `dateline serve` on 127.0.0.1: SSE frames, resume, filter,
heartbeats, the polling fallback. Changes go through the real publish path (the JSON API)."""

from __future__ import annotations

import itertools
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
import pytest

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

REPLAY_LIMIT = 20
_slugs = (f"stream-{n}" for n in itertools.count(1))


@dataclass(frozen=True)
class StreamServer:
    base_url: str
    token: str


# httptools: the hub writes to each socket itself; h11: it goes through ASGI `send` instead.
@pytest.fixture(scope="module", params=["httptools", "h11"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StreamServer]:
    root = tmp_path_factory.mktemp("stream-server")
    port = free_port()
    env = server_env(root, port)
    env.update(DATELINE_SSE_HEARTBEAT_SECONDS="0.5", DATELINE_SSE_REPLAY_LIMIT=str(REPLAY_LIMIT))
    log_path = root / "server.log"
    run_cli(env, log_path, "db", "upgrade")
    run_cli(
        env, log_path, "user", "create", EDITOR_EMAIL, "--password-stdin",
        stdin=EDITOR_PASSWORD + "\n",
    )  # fmt: skip
    token = run_cli(env, log_path, "token", "create", EDITOR_EMAIL).strip()
    command = [str(DATELINE), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if request.param == "h11":
        uvicorn = [sys.executable, "-m", "uvicorn", "--factory", "dateline.app:create_app"]
        command = [*uvicorn, "--http", "h11", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_serving(process, f"http://127.0.0.1:{port}", log_path)
            yield StreamServer(f"http://127.0.0.1:{port}", token)
        finally:
            stop(process)


@pytest.fixture
async def http(server: StreamServer) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {server.token}"}
    async with httpx.AsyncClient(base_url=server.base_url, headers=headers, timeout=10) as client:
        yield client


async def new_blog(http: httpx.AsyncClient) -> tuple[str, int]:
    """A fresh blog (its slug) and its current sequence number."""
    slug = next(_slugs)
    answer = await http.post("/api/v1/blogs", json={"slug": slug, "title": f"Blog {slug}"})
    assert answer.status_code == 201, answer.text
    return slug, answer.json()["seq"]


async def publish(http: httpx.AsyncClient, slug: str, body: str, **fields: object) -> int:
    answer = await http.post(f"/api/v1/blogs/{slug}/updates", json={"body": body, **fields})
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


@asynccontextmanager
async def stream(
    http: httpx.AsyncClient,
    slug: str,
    query: str = "",
    headers: dict[str, str] | dict[bytes, bytes] | None = None,
) -> AsyncIterator[EventReader]:
    async with http.stream("GET", f"/live/{slug}/events{query}", headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-accel-buffering"] == "no"
        yield EventReader(response)


async def test_each_change_arrives_in_order_with_its_sequence_number_as_id(
    http: httpx.AsyncClient,
) -> None:
    slug, seq = await new_blog(http)
    async with stream(http, slug) as events:
        first = await publish(http, slug, "Polls have closed.", headline="Polls close")
        await http.patch(f"/api/v1/blogs/{slug}/updates/{first}", json={"key_event": True})
        await http.put(f"/api/v1/blogs/{slug}/recap", json={"items": ["Count begins"]})
        await http.request("DELETE", f"/api/v1/blogs/{slug}/updates/{first}", json={})
        received = await events.take(4)
    assert [e.id for e in received] == [seq + 1, seq + 2, seq + 3, seq + 4]
    assert [e.kind for e in received] == [
        "update.published",
        "update.edited",
        "recap.changed",
        "update.deleted",
    ]
    published = received[0].data
    assert published["update_id"] == first
    assert f'id="update-{first}"' in published["html"]
    assert "Polls close" in published["html"]
    assert "Key event" in received[1].data["html"]
    assert "Polls close" in received[1].data["key_event_html"]
    assert "Count begins" in received[2].data["recap_html"]
    assert received[3].data["html"] is None, "deleted without a note: nothing to show"


async def test_reconnect_with_last_event_id_gets_exactly_what_was_missed(
    http: httpx.AsyncClient,
) -> None:
    slug, seq = await new_blog(http)
    async with stream(http, slug) as events:
        await publish(http, slug, "One")
        [seen] = await events.take(1)
    for text in ("Two", "Three", "Four"):  # published while the reader is away
        await publish(http, slug, text)
    async with stream(http, slug, headers={"Last-Event-ID": str(seen.id)}) as events:
        replayed = await events.take(3)
        await publish(http, slug, "Five")
        live = await events.next()
    received = [seen, *replayed, live]
    assert [e.id for e in received] == list(range(seq + 1, seq + 6))
    texts = [e.data["html"].split('class="update__body">')[1].split("<")[1] for e in received]
    assert texts == ["p>One", "p>Two", "p>Three", "p>Four", "p>Five"]


async def test_since_parameter_resumes_like_last_event_id(http: httpx.AsyncClient) -> None:
    slug, seq = await new_blog(http)
    await publish(http, slug, "Earlier")
    async with stream(http, slug, f"?since={seq}") as events:
        [event] = await events.take(1)
    assert event.id == seq + 1


async def test_a_reader_too_far_behind_is_told_to_reload(http: httpx.AsyncClient) -> None:
    slug, seq = await new_blog(http)
    for n in range(REPLAY_LIMIT + 2):
        await publish(http, slug, f"Update {n}")
    async with stream(http, slug, f"?since={seq}") as events:
        reset = await events.next()
    assert reset.kind == "reset"


async def test_key_events_stream_carries_key_event_changes_only(http: httpx.AsyncClient) -> None:
    slug, _ = await new_blog(http)
    async with stream(http, slug, "?filter=key-events") as events:
        await publish(http, slug, "Routine update")
        key = await publish(http, slug, "Result declared", key_event=True)
        plain = await publish(http, slug, "Another routine update")
        await http.patch(f"/api/v1/blogs/{slug}/updates/{plain}", json={"key_event": True})
        received = await events.take(2)
    assert [(e.kind, e.data["update_id"]) for e in received] == [
        ("update.published", key),
        ("update.edited", plain),
    ]


async def test_coverage_end_closes_the_stream_and_later_readers_get_no_content(
    http: httpx.AsyncClient, server: StreamServer
) -> None:
    slug, _ = await new_blog(http)
    async with stream(http, slug) as events:
        assert (await http.post(f"/api/v1/blogs/{slug}/end")).status_code == 200
        last = await events.next()
        assert last.kind == "blog.ended"
        assert last.data["live"] is False
        with pytest.raises(EOFError):
            await events.next(within=30)
    answer = await http.get(f"/live/{slug}/events")
    assert answer.status_code == 204


async def test_idle_streams_get_heartbeat_comments(http: httpx.AsyncClient) -> None:
    slug, _ = await new_blog(http)
    async with stream(http, slug) as events:
        await publish(http, slug, "Only this")
        await events.next()
        lines = []
        async for line in events.lines:
            lines.append(line)
            if line.startswith(": heartbeat"):
                break
    assert ": heartbeat" in lines


async def test_unknown_blog_stream_is_404(http: httpx.AsyncClient) -> None:
    assert (await http.get("/live/no-such-blog/events")).status_code == 404


async def test_polling_fallback_answers_changes_and_304(http: httpx.AsyncClient) -> None:
    slug, seq = await new_blog(http)
    update = await publish(http, slug, "Polled update")
    answer = await http.get(f"/live/{slug}/changes?since={seq}")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=5"
    body = answer.json()
    assert body["seq"] == seq + 1
    assert body["reset"] is False
    assert [e["update_id"] for e in body["events"]] == [update]
    again = await http.get(
        f"/live/{slug}/changes?since={seq}", headers={"If-None-Match": answer.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""
    caught_up = (await http.get(f"/live/{slug}/changes?since={seq + 1}")).json()
    assert caught_up["events"] == []


async def test_a_stalled_reader_is_dropped_without_slowing_the_others(
    http: httpx.AsyncClient, server: StreamServer
) -> None:
    """A reader that stops reading is disconnected once its buffers fill; everyone else gets
    every event; the stalled one can resume from the last id it did receive."""
    slug, seq = await new_blog(http)
    host, port = server.base_url.removeprefix("http://").split(":")
    stalled = socket.socket()
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.connect((host, int(port)))
    stalled.sendall(f"GET /live/{slug}/events HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    big = "Long dispatch. " * 1300  # about 20 kB a frame: buffers fill after a few hundred
    async with stream(http, slug) as events:
        for n in range(160):
            await publish(http, slug, f"{n} {big}")
        received = await events.take(160, within=30)
    assert [e.id for e in received] == list(range(seq + 1, seq + 161))

    stalled.settimeout(15)
    raw = b""
    while chunk := stalled.recv(1 << 20):  # the server closes it: recv returns b"" at the end
        raw += chunk
    stalled.close()
    ids = [int(line[4:]) for line in raw.split(b"\n") if line.startswith(b"id: ")]
    assert ids == list(range(seq + 1, seq + 1 + len(ids))), "what it got has no gap"
    assert len(ids) < 160, "it was cut off rather than waited for"
    async with stream(http, slug, headers={"Last-Event-ID": str(ids[-1])}) as events:
        rest = await events.take(160 - len(ids), within=30)
    assert [e.id for e in rest] == list(range(ids[-1] + 1, seq + 161))


async def test_event_streams_carry_the_security_headers(http: httpx.AsyncClient) -> None:
    """Streams are served ahead of the middleware stack, so they set these themselves."""
    slug, _ = await new_blog(http)
    async with http.stream("GET", f"/live/{slug}/events") as response:
        headers = response.headers
    missing = await http.get("/live/no-such-blog/events")
    for answer in (headers, missing.headers):
        assert "frame-ancestors 'none'" in answer["content-security-policy"]
        assert answer["x-content-type-options"] == "nosniff"
        assert answer["x-frame-options"] == "DENY"
    assert headers.get_list("content-security-policy") == [headers["content-security-policy"]]


async def test_readers_joining_an_open_stream_get_each_later_event_once(
    http: httpx.AsyncClient,
) -> None:
    """Readers who join while others are listening start from the hub's memory, not the
    database: from now, or from their Last-Event-ID, with nothing missed or repeated."""
    slug, seq = await new_blog(http)
    async with stream(http, slug) as first:
        await publish(http, slug, "One")
        assert [e.id for e in await first.take(1)] == [seq + 1]
        async with (
            stream(http, slug) as fresh,
            stream(http, slug, headers={"Last-Event-ID": str(seq)}) as resuming,
        ):
            await publish(http, slug, "Two")
            await publish(http, slug, "Three")
            assert [e.id for e in await fresh.take(2)] == [seq + 2, seq + 3]
            assert [e.id for e in await resuming.take(3)] == [seq + 1, seq + 2, seq + 3]
            assert [e.id for e in await first.take(2)] == [seq + 2, seq + 3]
        await publish(http, slug, "Four")
        assert [e.id for e in await first.take(1)] == [seq + 4]


async def test_unknown_blog_stream_is_404_with_an_open_stream_elsewhere(
    http: httpx.AsyncClient,
) -> None:
    slug, _ = await new_blog(http)
    async with stream(http, slug):
        assert (await http.get("/live/no-such-blog/events")).status_code == 404
        assert (await http.post(f"/live/{slug}/events")).status_code == 405


async def test_frames_carry_their_own_key_events_entry_not_the_whole_list(
    http: httpx.AsyncClient,
) -> None:
    """A replay is as cheap on a blog with many key events as on one with none: each frame
    holds the one entry its update has in the list (or null when it has none any more)."""
    slug, seq = await new_blog(http)
    ids = [
        await publish(http, slug, f"Result {n}", headline=f"Ward {n}", key_event=True)
        for n in range(12)
    ]
    async with stream(http, slug, f"?since={seq}") as events:
        replayed = await events.take(12)
        await http.patch(f"/api/v1/blogs/{slug}/updates/{ids[3]}", json={"key_event": False})
        unmarked = await events.next()
    for event, update_id in zip(replayed, ids, strict=True):
        entry = event.data["key_event_html"]
        assert entry.count("<li>") == 1, entry
        assert f'/updates/{update_id}"' in entry, entry
    assert unmarked.data["update_id"] == ids[3]
    assert unmarked.data["key_event_html"] is None


HOSTILE_POSITIONS = ["-99999999999999999999", "-2147483649", "-1", str(2**70), "²", "1e3", "x"]


async def test_hostile_positions_get_a_reset_or_a_4xx_never_a_500(
    http: httpx.AsyncClient,
) -> None:
    """Last-Event-ID and ?since= come from anyone: what is no position in the log (or one
    beyond its end) tells the page to reload; the polling URL refuses what is no number."""
    slug, seq = await new_blog(http)
    await publish(http, slug, "Polls have closed.")
    for value in [*HOSTILE_POSITIONS, str(seq + 2), str(2**31)]:
        header = {b"Last-Event-ID": value.encode()}  # as bytes: "²" goes out as UTF-8
        async with stream(http, slug, headers=header) as events:
            assert (await events.next()).kind == "reset", value
        async with stream(http, slug, "?" + urlencode({"since": value})) as events:
            assert (await events.next()).kind == "reset", value
    for value in HOSTILE_POSITIONS:
        answer = await http.get(f"/live/{slug}/changes", params={"since": value})
        assert 400 <= answer.status_code < 500, (value, answer.status_code)
    beyond = await http.get(f"/live/{slug}/changes", params={"since": seq + 2})
    assert beyond.json() == {"seq": seq + 1, "reset": True, "events": []}
