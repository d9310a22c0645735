"""Metrics, health and request ids as an operator meets them: /metrics in Prometheus's text
format with requests by route name, fetches by outcome and the stories queue; /healthz and
/readyz; neither /metrics nor /readyz for strangers; and on a real server, live streams and
events counted and JSON log lines that carry the request id."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from dateline.app import create_app
from dateline.config import Settings
from dateline.db import Database
from dateline.liveblog.models import Blog
from dateline.web.services import of_app
from tests.helpers import make_blog
from tests.ingest_factories import add, ingest_settings, make_due, rss
from tests.ingest_server import IngestServer, Reply, ingest_server
from tests.live_server import (
    DATELINE,
    free_port,
    log_tail,
    run_cli,
    server_env,
    stop,
    wait_until_serving,
)
from tests.sse_client import EventReader

__all__ = ["ingest_server"]  # the fixture
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


def samples(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return samples(response.text)


async def test_requests_are_counted_by_route_name_not_by_address(
    client: httpx.AsyncClient, blog: Blog, db: Database
) -> None:
    other = await make_blog(db, await _someone(db), slug="harbour-fire")
    for slug in (blog.slug, other.slug, blog.slug):
        assert (await client.get(f"/live/{slug}")).status_code == 200
    assert (await client.get("/live/no-such-blog")).status_code == 404
    assert (await client.get("/no/such/page")).status_code == 404
    found = await scrape(client)
    live = {"route": "reader.live_blog", "method": "GET"}
    assert value(found, "dateline_http_requests_total", **live, status="200") == 3
    assert value(found, "dateline_http_requests_total", **live, status="404") == 1
    assert (
        value(found, "dateline_http_requests_total", route="unmatched", method="GET", status="404")
        == 1
    )
    assert (
        value(found, "dateline_http_request_duration_seconds_count", route="reader.live_blog") == 4
    )
    assert not any("/live/" in str(labels) for _, labels in found)  # no raw paths as labels


async def test_a_made_up_method_is_counted_as_other(client: httpx.AsyncClient) -> None:
    await client.request("BREW", "/")
    found = await scrape(client)
    counted = [
        v
        for (name, labels), v in found.items()
        if name == "dateline_http_requests_total" and ("method", "other") in labels
    ]
    assert counted == [1]
    assert not any(("method", "BREW") in labels for _, labels in found)


async def test_fetches_are_counted_by_outcome_and_unplaced_items_queue_for_stories(
    client: httpx.AsyncClient, db: Database, settings: Settings, ingest_server: IngestServer
) -> None:
    feed = rss("Northwind Wire", [("a2", "Bridge reopens", "Traffic."), ("a1", "Storm", "Wind.")])
    good = Reply(feed, content_type="application/rss+xml", etag='"v1"')
    await add(db, settings, ingest_server.sequence("/feed.xml", [good, good]))
    await add(db, settings, ingest_server.route("/broken.xml", b"", status=500))
    worker = of_app(client._transport.app).ingest_worker  # type: ignore[attr-defined]
    await worker.run_round()
    await make_due(db)
    await worker.run_round()  # the feed answers 304 this time
    await worker.close()
    found = await scrape(client)
    assert value(found, "dateline_ingest_fetches_total", outcome="ok") == 1
    assert value(found, "dateline_ingest_fetches_total", outcome="not_modified") == 1
    assert value(found, "dateline_ingest_fetches_total", outcome="error") == 2
    assert value(found, "dateline_stories_unplaced_items") == 2


async def test_health_is_alive_and_ready_when_everything_answers(
    client: httpx.AsyncClient,
) -> None:
    alive = await client.get("/healthz")
    assert (alive.status_code, alive.json()) == (200, {"status": "alive"})
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": "ok", "broker": "ok", "schema": "ok"},
    }
    found = await scrape(client)
    assert value(found, "dateline_db_pool_size") >= 1


async def test_a_database_behind_its_schema_is_alive_but_not_ready(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'new.sqlite3'}",
        data_dir=tmp_path / "data",
        secret_key="test-secret-key",
    )
    async with _client(settings) as client:
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"database": "ok", "broker": "ok", "schema": "behind"}
        assert (await client.get("/metrics")).status_code == 200  # figures still answer


async def test_an_unreachable_broker_makes_the_node_unready(settings: Settings) -> None:
    gone = settings.model_copy(update={"broker_url": f"redis://127.0.0.1:{free_port()}/0"})
    async with _client(gone) as client:
        ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "unready"
    assert ready.json()["checks"]["broker"] == "unreachable"
    assert ready.json()["checks"]["database"] == "ok"


@pytest.mark.parametrize("variable", ["DATELINE_TEST_REDIS_URL", "DATELINE_TEST_DATABASE_URL"])
async def test_a_reachable_redis_or_postgresql_broker_is_ready(
    settings: Settings, variable: str
) -> None:
    import os

    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"{variable} is not set")
    async with _client(settings.model_copy(update={"broker_url": url})) as client:
        ready = await client.get("/readyz")
    assert (ready.status_code, ready.json()["checks"]["broker"]) == (200, "ok")


async def test_without_a_token_only_this_machine_may_ask(settings: Settings) -> None:
    async with _client(settings, client=("203.0.113.9", 40000)) as stranger:
        for path in ("/metrics", "/readyz"):
            refused = await stranger.get(path)
            assert refused.status_code == 403
            assert refused.json()["error"] == "forbidden"
            assert "DATELINE_METRICS_TOKEN" in refused.json()["detail"]
        assert (await stranger.get("/healthz")).status_code == 200


async def test_with_a_token_every_client_needs_it(settings: Settings) -> None:
    guarded = settings.model_copy(update={"metrics_token": SecretStr("s3cret-scrape-token")})
    async with _client(guarded, client=("203.0.113.9", 40000)) as client:
        assert (await client.get("/metrics")).status_code == 403
        wrong = {"Authorization": "Bearer not-the-token"}
        assert (await client.get("/metrics", headers=wrong)).status_code == 403
        right = {"Authorization": "Bearer s3cret-scrape-token"}
        assert (await client.get("/metrics", headers=right)).status_code == 200
        assert (await client.get("/readyz", headers=right)).status_code == 200
    async with _client(guarded) as local:  # a token set counts for loopback too
        assert (await local.get("/metrics")).status_code == 403


async def test_a_sane_request_id_is_echoed_and_anything_else_replaced(
    client: httpx.AsyncClient,
) -> None:
    kept = await client.get("/healthz", headers={"X-Request-Id": "edge-7f3a-42"})
    assert kept.headers["x-request-id"] == "edge-7f3a-42"
    for odd in ("a" * 65, "has space", "semi;colon", "under_score", "x/y", "<script>"):
        made = await client.get("/healthz", headers={"X-Request-Id": odd})
        assert made.headers["x-request-id"] != odd
        assert len(made.headers["x-request-id"]) == 16
    first, second = await client.get("/"), await client.get("/")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


# A real server: streams and events, and JSON logs -------------------------------------------


@pytest.fixture(scope="module")
def json_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, dict[str, str], Path]]:
    root = tmp_path_factory.mktemp("ops-server")
    port = free_port()
    env = server_env(root, port) | {"DATELINE_LOG_FORMAT": "json"}
    log_path = root / "server.log"
    run_cli(env, log_path, "db", "upgrade")
    run_cli(
        env, log_path, "user", "create", "editor@example.org", "--role", "editor",
        "--password-stdin", stdin="correct horse battery\n",
    )  # fmt: skip
    token = run_cli(env, log_path, "token", "create", "editor@example.org").strip()
    command = [str(DATELINE), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_serving(process, f"http://127.0.0.1:{port}", log_path)
            yield f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {token}"}, log_path
        finally:
            stop(process)


async def test_streams_and_events_are_counted_on_a_real_server(
    json_server: tuple[str, dict[str, str], Path],
) -> None:
    base, auth, _ = json_server
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        made = await http.post(
            "/api/v1/blogs", json={"slug": "ops-night", "title": "Ops night"}, headers=auth
        )
        assert made.status_code == 201
        async with http.stream("GET", "/live/ops-night/events") as stream:
            reader = EventReader(stream)
            await _until(http, lambda f: value(f, "dateline_event_streams_open") == 1)
            for n in range(3):
                posted = await http.post(
                    "/api/v1/blogs/ops-night/updates", json={"body": f"Update {n}"}, headers=auth
                )
                assert posted.status_code == 201
            assert len(await reader.take(3)) == 3
        found = await _until(http, lambda f: value(f, "dateline_event_streams_open") == 0)
    assert value(found, "dateline_events_published_total") >= 4  # the blog made, 3 updates
    assert value(found, "dateline_events_delivered_total") == 3
    assert value(found, "dateline_events_undelivered") == 0


def test_json_log_lines_carry_the_request_id(
    json_server: tuple[str, dict[str, str], Path],
) -> None:
    base, _, log_path = json_server
    answer = httpx.get(f"{base}/healthz", headers={"X-Request-Id": "trace-me-1234"})
    assert answer.headers["x-request-id"] == "trace-me-1234"
    deadline = time.monotonic() + 10  # patience for the log to be flushed, not a speed
    while time.monotonic() < deadline:
        lines = [_json(line) for line in log_path.read_text().splitlines()]
        mine = [line for line in lines if line and line.get("request_id") == "trace-me-1234"]
        if mine:
            break
        time.sleep(0.1)
    else:
        pytest.fail("no log line with the request id:\n" + log_tail(log_path))
    access = mine[0]
    assert (access["logger"], access["path"], access["status"]) == (
        "uvicorn.access",
        "/healthz",
        200,
    )
    assert {"time", "level", "message"} <= access.keys()


def _json(line: str) -> dict[str, object] | None:
    try:
        parsed = json.loads(line)
    except ValueError:
        return None  # the CLI's own output in the same log
    return parsed if isinstance(parsed, dict) else None


async def _until(http: httpx.AsyncClient, wanted: object) -> Samples:
    """Scrape until `wanted(samples)` holds; the server does its part at its own pace."""
    deadline = time.monotonic() + 20
    while True:
        found = samples((await http.get("/metrics")).text)
        if wanted(found) or time.monotonic() > deadline:  # type: ignore[operator]
            return found
        await _sleep()


async def _sleep() -> None:
    import asyncio

    await asyncio.sleep(0.05)


async def _someone(db: Database):  # type: ignore[no-untyped-def]
    from tests.helpers import make_user

    return await make_user(db, "editor", "second@example.org")


class _client:
    """An in-process client for an app made with these settings (no lifespan, like the
    shared `client` fixture)."""

    def __init__(self, settings: Settings, client: tuple[str, int] = ("127.0.0.1", 123)) -> None:
        self.app = create_app(settings)
        transport = httpx.ASGITransport(app=self.app, client=client)
        self.http = httpx.AsyncClient(transport=transport, base_url="http://testserver")

    async def __aenter__(self) -> httpx.AsyncClient:
        return self.http

    async def __aexit__(self, *_: object) -> None:
        await self.http.aclose()
        await of_app(self.app).db.dispose()
