"""GET /api/v1/search: the documented answer, public for published coverage, a token for the
newsroom's items; bad input is a clear 4xx, never a 500."""

from __future__ import annotations

import httpx
import pytest

from dateline.accounts.service import User
from dateline.config import Settings
from dateline.db import Database
from dateline.liveblog.models import Blog
from tests.helpers import post
from tests.ingest_factories import add, document, ingest_settings, item, store_document


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


async def test_a_reader_gets_results_with_snippets_and_links(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    update = await post(db, blog, editor, "Rescue crews reached Sallowmere.", headline="Rescue")
    answer = await client.get("/api/v1/search", params={"q": "sallowmere"})
    assert answer.status_code == 200
    (result,) = answer.json()["results"]
    assert result["type"] == "update"
    assert result["id"] == update.id
    assert result["title"] == "Rescue"
    assert result["language"] == "en"
    assert result["url"] == f"/live/{blog.slug}/updates/{update.id}"
    assert "<mark>Sallowmere</mark>" in result["snippet"]
    assert result["published_at"].endswith("Z")
    assert result["score"] > 0
    assert answer.json()["next"] is None


async def test_an_empty_query_is_an_empty_answer(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/search", params={"q": ""})
    assert answer.status_code == 200
    assert answer.json() == {"results": [], "next": None}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "x" * 10240}, "q"),
        ({"q": "words " * 100}, "q"),
        ({"q": "rescue", "cursor": "bm90LWEtY3Vyc29y"}, "cursor"),
        ({"q": "rescue", "type": "everything"}, "type"),
        ({"q": "rescue", "since": "yesterday"}, "since"),
        ({"q": "rescue", "limit": "1000"}, "limit"),
    ],
)
async def test_bad_input_is_a_422_that_names_the_field(
    client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    answer = await client.get("/api/v1/search", params=params)
    assert answer.status_code == 422
    assert answer.json()["error"] == "invalid"
    assert field in str(answer.json()["detail"])


async def test_a_thousand_filter_values_get_an_answer(client: httpx.AsyncClient) -> None:
    params = [("q", "rescue")] + [("blog", f"blog-{n}") for n in range(1000)]
    answer = await client.get("/api/v1/search", params=params)
    assert answer.status_code == 200


async def test_followed_items_need_a_token(
    client: httpx.AsyncClient, api: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    source = await add(db, settings, "https://wire.example.org/feed.rss")
    await store_document(db, source, document(item(1, "The Ashford bypass is closed.")))
    with_token = await api.get("/api/v1/search", params={"q": "bypass"})
    (result,) = with_token.json()["results"]
    assert result["type"] == "item"
    assert result["url"] == "https://wire.example.org/story-1"
    del api.headers["Authorization"]
    anonymous = await client.get("/api/v1/search", params={"q": "bypass"})
    assert anonymous.json()["results"] == []
    wrong = await client.get(
        "/api/v1/search", params={"q": "bypass"}, headers={"Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 401


async def test_next_pages_through_all_results(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    for n in range(5):
        await post(db, blog, editor, f"Sallowmere report {n}.", headline=f"Report {n}")
    seen: list[str] = []
    params = {"q": "sallowmere", "limit": "2"}
    while True:
        page = (await client.get("/api/v1/search", params=params)).json()
        seen += [result["title"] for result in page["results"]]
        if page["next"] is None:
            break
        params["cursor"] = page["next"]
    assert sorted(seen) == [f"Report {n}" for n in range(5)]
