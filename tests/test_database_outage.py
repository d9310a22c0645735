"""A database out of reach is a 503 with Retry-After, never a 500: no servers needed here.

The app is pointed at a PostgreSQL port where nothing listens, as during a restart (connections
refused). tests/test_deploy.py plays a real restart, through nginx, when PostgreSQL is there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from dateline.app import create_app
from dateline.config import Settings
from dateline.web.services import of_app
from tests.live_server import free_port


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=f"postgresql+asyncpg://dateline@127.0.0.1:{free_port()}/dateline",
        data_dir=tmp_path / "data",
        secret_key="test-secret-key",
        base_url="http://testserver",
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http
    finally:
        await of_app(app).db.dispose()


async def test_a_reader_is_told_the_site_cannot_reach_its_database(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/live/election-night")
    assert page.status_code == 503
    assert page.headers["retry-after"] == "5"
    assert "cannot reach its database" in page.text


async def test_an_api_caller_gets_a_json_problem_to_retry(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/blogs/election-night")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert answer.json()["error"] == "unavailable"


async def test_the_node_still_says_it_is_alive(client: httpx.AsyncClient) -> None:
    """A liveness probe must not get every node restarted for a database outage."""
    assert (await client.get("/healthz")).status_code == 200
