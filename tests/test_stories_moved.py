"""A story merged into another keeps its address: its page, its feeds, its facts, its
editor's page and its API resources answer a permanent redirect to the story it went into,
in one hop however many merges followed, whether an editor merged it or coverage did. A
story emptied stays a 404."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import update

from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import stories, utcnow
from dateline.stories import editing
from dateline.stories.assign import Assigner
from tests.helpers import parse
from tests.ingest_factories import ingest_settings
from tests.test_stories_merging import open_stories, publish, two_stories_two_days_apart
from tests.test_story_editor_pages import FERRY, MUSEUM, item_id, seed

READER_PATHS = ("/stories/{}", "/stories/{}/feed.atom", "/stories/{}/facts")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


async def ferry_and_museum(db: Database, settings: Settings) -> tuple[int, int]:
    placed = await seed(db, settings)
    ferry, museum = placed[FERRY[0][1]], placed[MUSEUM[0][1]]
    assert ferry != museum
    return ferry, museum


def moved_to(answer: httpx.Response) -> str:
    assert answer.status_code == 301, (answer.request.url, answer.status_code, answer.text)
    return answer.headers["location"]


async def test_a_merged_storys_pages_lead_readers_and_editors_to_where_it_went(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    ferry, museum = await ferry_and_museum(db, settings)
    await editing.merge(db, museum, ferry, None)
    for path in READER_PATHS:
        assert moved_to(await editor_client.get(path.format(museum))) == path.format(ferry)
    assert moved_to(await editor_client.get(f"/stories/{museum}?page=1")) == (
        f"/stories/{ferry}?page=1"
    )
    assert moved_to(await editor_client.get(f"/admin/stories/{museum}")) == (
        f"/admin/stories/{ferry}"
    )
    followed = parse(await editor_client.get(f"/stories/{museum}", follow_redirects=True))
    reports = {h.text() for h in followed.css(".timeline h3")}
    assert reports == {FERRY[0][1], FERRY[1][1], MUSEUM[0][1]}


async def test_a_merged_story_in_the_api_answers_301_with_where_it_went(
    api: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    ferry, museum = await ferry_and_museum(db, settings)
    merged = await api.post(f"/api/v1/stories/{museum}/merge", json={"into": ferry})
    assert merged.status_code == 200, merged.text
    answer = await api.get(f"/api/v1/stories/{museum}", params={"limit": 1})
    assert moved_to(answer) == f"/api/v1/stories/{ferry}?limit=1"
    assert answer.json() == {"merged_into": ferry}
    assert moved_to(await api.get(f"/api/v1/stories/{museum}/facts")) == (
        f"/api/v1/stories/{ferry}/facts"
    )
    followed = await api.get(f"/api/v1/stories/{museum}", follow_redirects=True)
    assert followed.json()["id"] == ferry
    assert followed.json()["items_count"] == 3
    again = await api.post(f"/api/v1/stories/{museum}/merge", json={"into": ferry})
    assert again.status_code == 409  # changes are never redirected: the story is gone


async def test_a_chain_of_merges_ends_at_the_last_story_in_one_hop(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    ferry, museum = await ferry_and_museum(db, settings)
    apart = await editing.split(db, ferry, [await item_id(db, FERRY[1][1])], None)
    await editing.merge(db, museum, ferry, None)
    await editing.merge(db, ferry, apart, None)
    for gone in (museum, ferry):
        assert moved_to(await client.get(f"/stories/{gone}")) == f"/stories/{apart}"
        api_answer = await client.get(f"/api/v1/stories/{gone}")
        assert moved_to(api_answer) == f"/api/v1/stories/{apart}"
    assert (await client.get(f"/stories/{apart}")).status_code == 200


async def test_a_loop_of_merged_stories_is_a_404_not_a_redirect_loop(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    ferry, museum = await ferry_and_museum(db, settings)
    await editing.merge(db, museum, ferry, None)
    async with db.write() as conn:  # a state no merge makes, written by hand
        gone = {"merged_into": museum, "deleted_at": utcnow()}
        await conn.execute(update(stories).where(stories.c.id == ferry).values(gone))
    for path in (f"/stories/{museum}", f"/stories/{ferry}", f"/api/v1/stories/{museum}"):
        assert (await client.get(path)).status_code == 404, path


async def test_an_emptied_story_stays_a_404_and_so_do_the_stories_merged_into_it(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    ferry, museum = await ferry_and_museum(db, settings)
    apart = await editing.split(db, ferry, [await item_id(db, FERRY[1][1])], None)
    await editing.merge(db, museum, ferry, None)
    for title in (FERRY[0][1], MUSEUM[0][1]):  # ferry is emptied by moves, not merged
        await editing.move_item(db, await item_id(db, title), apart, None)
    for gone in (ferry, museum):
        for path in (f"/stories/{gone}", f"/api/v1/stories/{gone}", f"/stories/{gone}/facts"):
            assert (await client.get(path)).status_code == 404, path
    assert "There is no story" in (await client.get(f"/stories/{ferry}")).text


async def test_a_story_merged_by_clustering_leads_to_the_story_it_joined(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    apart = await two_stories_two_days_apart(db, settings)
    await publish(db, settings, 5, 25)  # a report between them: one event after all
    await Assigner(db, settings).run()
    (kept,) = await open_stories(db)
    (gone,) = apart - {kept}
    assert moved_to(await client.get(f"/stories/{gone}")) == f"/stories/{kept}"
    assert moved_to(await client.get(f"/api/v1/stories/{gone}")) == f"/api/v1/stories/{kept}"


async def test_a_page_past_the_last_of_an_open_story_is_still_a_404(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    ferry, _ = await ferry_and_museum(db, settings)
    assert (await client.get(f"/stories/{ferry}?page=9")).status_code == 404
    assert (await client.get("/stories/999999")).status_code == 404
