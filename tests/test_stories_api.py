"""The stories API: the shapes other tools depend on, paging, and editors' decisions that
stick; bad requests are 4xx problems that change nothing."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from sqlalchemy import select

from dateline.accounts.tokens import create_token_for
from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import stories
from dateline.stories.assign import Assigner
from tests.helpers import make_user
from tests.ingest_factories import ingest_settings
from tests.test_stories_store import AIRPORT, QUAKE, STRIKE, feed, publish_all, written

STORY_KEYS = {
    *("id", "title", "summary", "language", "category", "first_seen_at", "last_seen_at"),
    *("sources_count", "items_count", "live", "blog", "items"),
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


@pytest.fixture
async def placed(db: Database, settings: Settings) -> dict[str, int]:
    """The test stories published by seven outlets and placed: story id by first title."""
    await publish_all(db, settings)
    await Assigner(db).run()
    async with db.read() as conn:
        rows = await conn.execute(select(stories.c.id, stories.c.title))
        return {row.title: row.id for row in rows}


async def story(client: httpx.AsyncClient, story_id: int, **params: object) -> dict:
    response = await client.get(f"/api/v1/stories/{story_id}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_stories_are_listed_most_recently_active_first_and_page(
    client: httpx.AsyncClient, placed: dict[str, int]
) -> None:
    first = (await client.get("/api/v1/stories", params={"limit": 2})).json()
    assert [s["title"] for s in first["stories"]] == [AIRPORT[0][0], QUAKE[0][0]]
    assert set(first["stories"][0]) == STORY_KEYS
    rest = await client.get("/api/v1/stories", params={"limit": 2, "before": first["next"]})
    assert [s["title"] for s in rest.json()["stories"]] == [STRIKE[0][0]]
    assert rest.json()["next"] is None


async def test_a_story_has_its_items_with_their_sources(
    client: httpx.AsyncClient, placed: dict[str, int]
) -> None:
    found = await story(client, placed[STRIKE[0][0]])
    assert (found["items_count"], found["sources_count"], found["live"]) == (3, 3, False)
    assert found["first_seen_at"] == "2026-11-29T12:00:00Z"
    titles = [entry["title"] for entry in found["items"]]
    assert titles == [title for title, *_ in STRIKE]
    first = found["items"][0]
    assert first["source"]["title"] == "outlet0"
    assert first["url"] == "https://outlet0.example/0"
    assert first["language"] == "en"
    assert found["category"]["code"] == "medtop:09000000"  # labour, assigned automatically
    assert first["also_at"] == []


async def test_a_big_story_pages_its_items(
    client: httpx.AsyncClient, placed: dict[str, int]
) -> None:
    story_id = placed[STRIKE[0][0]]
    page = await story(client, story_id, limit=2)
    assert len(page["items"]) == 2
    rest = await story(client, story_id, limit=2, after=page["items_next"])
    assert [entry["title"] for entry in rest["items"]] == [STRIKE[2][0]]
    assert rest["items_next"] is None


async def test_copies_are_shown_as_also_at_with_their_own_links(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    original = written(1, QUAKE[0], "wire")
    await feed(db, settings, "wire", [original])
    same = "https://paper.example/quake"
    await feed(db, settings, "paper", [replace(original, url=same, canonical_url=same)])
    await Assigner(db).run()
    (only,) = (await client.get("/api/v1/stories")).json()["stories"]
    (entry,) = only["items"]
    assert [(a["url"], a["source"]["title"]) for a in entry["also_at"]] == [(same, "paper")]
    assert only["sources_count"] == 2


async def test_an_unknown_story_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/stories/999")
    assert response.status_code == 404
    assert response.json()["detail"] == "There is no such story."


async def test_an_editor_moves_an_item_and_it_sticks(
    api: httpx.AsyncClient, db: Database, placed: dict[str, int]
) -> None:
    strike, quake = placed[STRIKE[0][0]], placed[QUAKE[0][0]]
    item_id = (await story(api, strike))["items"][2]["id"]
    response = await api.post(f"/api/v1/items/{item_id}/story", json={"story": quake})
    assert response.status_code == 200, response.text
    assert response.json()["items_count"] == 3
    await Assigner(db).run()  # a later pass keeps the editor's decision
    assert item_id in [entry["id"] for entry in (await story(api, quake))["items"]]
    assert (await story(api, strike))["items_count"] == 2


async def test_merging_moves_every_item_and_deletes_the_story(
    api: httpx.AsyncClient, placed: dict[str, int]
) -> None:
    strike, airport = placed[STRIKE[0][0]], placed[AIRPORT[0][0]]
    merged = await api.post(f"/api/v1/stories/{strike}/merge", json={"into": airport})
    assert merged.status_code == 200
    assert merged.json()["items_count"] == 5
    gone = await api.get(f"/api/v1/stories/{strike}")
    assert (gone.status_code, gone.headers["location"]) == (301, f"/api/v1/stories/{airport}")
    quake = placed[QUAKE[0][0]]
    item_id = (await story(api, quake))["items"][0]["id"]
    moved = await api.post(f"/api/v1/items/{item_id}/story", json={"story": strike})
    assert moved.status_code == 409  # a deleted story takes nothing
    assert (await story(api, quake))["items_count"] == 2


async def test_refused_merges_and_splits_change_nothing(
    api: httpx.AsyncClient, placed: dict[str, int]
) -> None:
    strike, quake = placed[STRIKE[0][0]], placed[QUAKE[0][0]]
    before = await story(api, strike)
    assert (
        await api.post(f"/api/v1/stories/{strike}/merge", json={"into": strike})
    ).status_code == 422
    all_ids = [entry["id"] for entry in before["items"]]
    split_all = await api.post(f"/api/v1/stories/{strike}/split", json={"items": all_ids})
    assert split_all.status_code == 422
    none = await api.post(f"/api/v1/stories/{strike}/split", json={"items": []})
    assert none.status_code == 422
    foreign = (await story(api, quake))["items"][0]["id"]
    other = await api.post(f"/api/v1/stories/{strike}/split", json={"items": [foreign]})
    assert other.status_code == 422
    garbage = await api.post(f"/api/v1/stories/{strike}/merge", json={"into": "x"})
    assert garbage.status_code == 422
    assert await story(api, strike) == before


async def test_a_split_makes_a_new_story_of_the_chosen_items(
    api: httpx.AsyncClient, placed: dict[str, int]
) -> None:
    strike = placed[STRIKE[0][0]]
    german = (await story(api, strike))["items"][1]["id"]
    response = await api.post(f"/api/v1/stories/{strike}/split", json={"items": [german]})
    assert response.status_code == 200, response.text
    new = response.json()
    assert new["id"] != strike
    assert [entry["id"] for entry in new["items"]] == [german]
    assert new["title"] == STRIKE[1][0]
    assert new["category"] == {"code": "medtop:09000000", "name": "Arbeit"}  # in German
    assert new["language"] == "de"
    assert (await story(api, strike))["items_count"] == 2


async def test_an_editors_title_and_category_stick(
    api: httpx.AsyncClient, db: Database, settings: Settings, placed: dict[str, int]
) -> None:
    strike = placed[STRIKE[0][0]]
    changed = await api.patch(
        f"/api/v1/stories/{strike}",
        json={"title": "Berlin transit strike", "category": "medtop:09000000"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["title"] == "Berlin transit strike"
    assert changed.json()["category"]["code"] == "medtop:09000000"
    late = written(50, (*STRIKE[0][:2], "en", 3), "late")
    await feed(db, settings, "late", [replace(late, title="Berlin strike: trains back tonight")])
    await Assigner(db).run()
    again = await story(api, strike)
    assert again["title"] == "Berlin transit strike"
    assert again["items_count"] == 4
    assert again["category"]["code"] == "medtop:09000000"
    unknown = await api.patch(f"/api/v1/stories/{strike}", json={"category": "medtop:x"})
    assert unknown.status_code == 422


async def test_changes_need_an_editors_write_token(
    client: httpx.AsyncClient, db: Database, placed: dict[str, int]
) -> None:
    strike = placed[STRIKE[0][0]]
    url = f"/api/v1/stories/{strike}"
    assert (await client.patch(url, json={"title": "x"})).status_code == 401
    contributor = await make_user(db, "contributor", "c@example.org")
    token = await create_token_for(db, contributor.email, "t", "write")
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.patch(url, json={"title": "x"}, headers=headers)).status_code == 403
    assert (await story(client, strike))["title"] == STRIKE[0][0]
