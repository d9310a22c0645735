"""JSON API for sources: follow one, see its state, read its items newest first; every bad
request answers a JSON problem, never a 500."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from dateline.config import Settings
from dateline.db import Database
from dateline.ingest.models import Source
from dateline.liveblog.models import Blog
from dateline.web.services import install, of_app
from tests.ingest_factories import (
    add,
    document,
    ingest_settings,
    item,
    store_document,
    store_failure,
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


def problem(answer: httpx.Response, status: int) -> object:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error", "detail"}
    assert body["detail"]
    return body["detail"]


async def test_follow_a_source_for_a_blog_then_read_it(api: httpx.AsyncClient, blog: Blog) -> None:
    answer = await api.post(
        "/api/v1/sources",
        json={
            "url": "http://127.0.0.1:9/feed.xml?utm_source=x",
            "interval_seconds": 600,
            "blog": blog.slug,
        },
    )
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["canonical_url"] == "http://127.0.0.1:9/feed.xml"
    assert (created["kind"], created["interval_seconds"], created["blogs"]) == (
        "feed",
        600,
        [blog.slug],
    )
    assert created["state"]["status"] == "ok"
    assert created["state"]["last_fetch_at"] is None
    again = await api.get(f"/api/v1/sources/{created['id']}")
    assert again.json() == created
    listed = (await api.get("/api/v1/sources")).json()["items"]
    assert [source["id"] for source in listed] == [created["id"]]


async def test_bad_requests_answer_problems(api: httpx.AsyncClient, settings: Settings) -> None:
    detail = problem(await api.post("/api/v1/sources", json={"url": "ftp://example.org/f"}), 422)
    assert detail == {"url": "The address must start with http:// or https://."}
    detail = problem(
        await api.post("/api/v1/sources", json={"url": "http://127.0.0.1:9/f", "blog": "nope"}), 422
    )
    assert detail == {"blog": "There is no live blog at /live/nope."}
    problem(
        await api.post("/api/v1/sources", json={"url": "http://127.0.0.1:9/f", "kind": "x"}), 422
    )
    problem(await api.post("/api/v1/sources", json={"url": 5}), 422)
    problem(
        await api.post(
            "/api/v1/sources", content=b"{not json", headers={"Content-Type": "application/json"}
        ),
        400,
    )
    problem(
        await api.post(
            "/api/v1/sources", json={"url": "http://127.0.0.1:9/f", "interval_seconds": 1}
        ),
        422,
    )
    problem(await api.post("/api/v1/sources", json={"url": "http://" + "a" * 3000 + ".org/"}), 422)
    assert (
        await api.post("/api/v1/sources", json={"url": "http://127.0.0.1:9/f"})
    ).status_code == 201
    detail = problem(await api.post("/api/v1/sources", json={"url": "http://127.0.0.1:9/f#x"}), 409)
    assert "already followed" in str(detail)
    problem(await api.get("/api/v1/sources/999"), 404)
    problem(await api.get("/api/v1/sources/99999999999999999999"), 422)
    problem(await api.get("/api/v1/sources/abc/items"), 422)
    problem(await api.get("/api/v1/sources/1/items?before=0"), 422)
    gone = await api.get("/api/v1/sources/1/items?before=123")  # pruned: nothing older
    assert (gone.status_code, gone.json()) == (200, {"items": [], "next": None})


async def test_a_refused_address_is_a_problem_not_a_fetch(
    api: httpx.AsyncClient, app: object
) -> None:
    found = of_app(app)  # type: ignore[arg-type]
    strict = found.settings.model_copy(update={"allow_private_sources": False})
    install(app, replace(found, settings=strict))  # type: ignore[arg-type]
    detail = problem(await api.post("/api/v1/sources", json={"url": "http://127.0.0.1:9/f"}), 422)
    assert "loopback" in detail["url"]  # type: ignore[index]


async def test_sources_need_a_token(client: httpx.AsyncClient) -> None:
    problem(await client.get("/api/v1/sources"), 401)
    problem(await client.post("/api/v1/sources", json={"url": "http://127.0.0.1:9/f"}), 401)


async def test_items_newest_first_paginated(
    api: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    source = await add(db, settings, "https://wire.example.org/world.rss")
    await store_document(db, source, document(*(item(n) for n in range(1, 6))))
    first = (await api.get(f"/api/v1/sources/{source.id}/items?limit=2")).json()
    assert [i["title"] for i in first["items"]] == ["Story 5", "Story 4"]
    second = (await api.get(first["next"])).json()
    assert [i["title"] for i in second["items"]] == ["Story 3", "Story 2"]
    last = (await api.get(second["next"])).json()
    assert [i["title"] for i in last["items"]] == ["Story 1"]
    assert last["next"] is None
    shown = last["items"][0]
    assert set(shown) >= {
        "id", "url", "canonical_url", "title", "author", "published_at", "summary", "text",
        "html", "images", "key_event", "pinned", "external_id",
    }  # fmt: skip
    assert (shown["url"], shown["text"], shown["published_at"]) == (
        "https://wire.example.org/story-1",
        "Words of story 1.",
        "2026-11-29T12:01:00Z",
    )


async def test_source_state_shows_failures_in_plain_words(
    api: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    source: Source = await add(db, settings, "https://wire.example.org/world.rss")
    await store_failure(db, source, "The server answered 404 Not Found")
    state = (await api.get(f"/api/v1/sources/{source.id}")).json()["state"]
    assert state["consecutive_failures"] == 1
    assert state["last_error"] == "The server answered 404 Not Found"
    assert state["last_fetch_at"] is not None
    assert state["last_success_at"] is None


async def test_delete_a_source(api: httpx.AsyncClient, db: Database, settings: Settings) -> None:
    source = await add(db, settings, "https://wire.example.org/world.rss")
    assert (await api.delete(f"/api/v1/sources/{source.id}")).status_code == 204
    problem(await api.get(f"/api/v1/sources/{source.id}"), 404)


async def test_the_schema_documents_the_source_routes(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/api/v1/openapi.json")).json()["paths"]
    assert {
        "/api/v1/sources",
        "/api/v1/sources/{source_id}",
        "/api/v1/sources/{source_id}/items",
    } <= set(paths)
