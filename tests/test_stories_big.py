"""A story of 10,000 items: the API, the reader's page and the editor's page answer it a
page at a time, every item on exactly one page; an editor's merge and split of it work."""

from __future__ import annotations

from datetime import timedelta

import httpx
import numpy as np
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import func, insert, select

from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import items, story_items
from dateline.db.tables import utcnow as now
from dateline.stories import store
from dateline.stories.cards import STORY_PAGE_SIZE
from dateline.stories.embed import DIMENSIONS
from tests.ingest_factories import T0, add, ingest_settings

BIG = 10_000


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


async def story_of(db: Database, settings: Settings, outlet: str, count: int) -> int:
    """A story of `count` items of one outlet, written straight into the tables (placing
    10,000 items one by one would test the clusterer, not the paging); its id."""
    source = await add(db, settings, f"https://{outlet}.example/feed.xml")
    vector = store.encode(np.full(DIMENSIONS, 0.1, dtype=np.float32))
    async with db.write() as conn:
        story_id = await store.new_story(conn, T0)
        first = int(await conn.scalar(select(func.coalesce(func.max(items.c.id), 0))) or 0) + 1
        rows = [
            {
                "id": first + n,
                "source_id": source.id,
                "url": f"https://{outlet}.example/{n}",
                "canonical_url": f"https://{outlet}.example/{n}",
                "content_hash": f"{outlet}-{n}",
                "title": f"Flood update {n}",
                "language": "en",
                "published_at": T0 + timedelta(seconds=n),
                "listed_at": T0 + timedelta(seconds=n),
                "first_seen_at": T0 + timedelta(seconds=n),
            }
            for n in range(count)
        ]
        await conn.execute(insert(items), rows)
        placed = now()
        await conn.execute(
            insert(story_items),
            [
                {
                    **{"item_id": row["id"], "story_id": story_id, "vector": vector},
                    **{"duplicate_of": None, "moved_by_editor": False, "placed_at": placed},
                }
                for row in rows
            ],
        )
        await store.refresh(conn, [story_id])
    return story_id


@pytest.fixture
async def big(db: Database, settings: Settings) -> int:
    return await story_of(db, settings, "river", BIG)


async def test_the_api_pages_a_story_of_ten_thousand_items(
    client: httpx.AsyncClient, big: int
) -> None:
    first = (await client.get(f"/api/v1/stories/{big}")).json()
    assert (first["items_count"], len(first["items"])) == (BIG, 200)
    seen, after, pages = [], None, 0
    while True:
        params = {"limit": 1000, **({"after": after} if after else {})}
        answer = await client.get(f"/api/v1/stories/{big}", params=params)
        assert answer.status_code == 200
        seen += [entry["id"] for entry in answer.json()["items"]]
        pages += 1
        after = answer.json()["items_next"]
        if after is None:
            break
    assert pages == 10
    assert len(seen) == len(set(seen)) == BIG
    assert seen == sorted(seen)  # oldest first, nothing skipped or repeated
    (listed,) = (await client.get("/api/v1/stories")).json()["stories"]
    assert len(listed["items"]) == 5  # a list shows the first few, not 10,000


def reports(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [node.text(strip=True) for node in HTMLParser(answer.text).css("li.report h3")]


async def test_the_reader_pages_a_story_of_ten_thousand_items(
    client: httpx.AsyncClient, big: int
) -> None:
    pages = -(-BIG // STORY_PAGE_SIZE)
    first = await client.get(f"/stories/{big}")
    assert reports(first) == [f"Flood update {n}" for n in range(STORY_PAGE_SIZE)]
    later = HTMLParser(first.text).css_first("a[rel=next]")
    assert later is not None
    assert later.attributes["href"] == f"/stories/{big}?page=2"
    last = await client.get(f"/stories/{big}", params={"page": pages})
    assert reports(last)[-1] == f"Flood update {BIG - 1}"
    assert HTMLParser(last.text).css_first("a[rel=next]") is None
    beyond = await client.get(f"/stories/{big}", params={"page": pages + 1})
    assert beyond.status_code == 404


async def test_the_editor_pages_a_story_of_ten_thousand_items(
    editor_client: httpx.AsyncClient, big: int
) -> None:
    answer = await editor_client.get(f"/admin/stories/{big}", params={"page": 3})
    assert answer.status_code == 200
    rows = HTMLParser(answer.text).css("tbody tr")
    assert len(rows) == STORY_PAGE_SIZE


async def test_an_editor_merges_and_splits_a_story_of_ten_thousand_items(
    api: httpx.AsyncClient, db: Database, settings: Settings, big: int
) -> None:
    small = await story_of(db, settings, "lake", 3)
    merged = await api.post(f"/api/v1/stories/{big}/merge", json={"into": small})
    assert merged.status_code == 200, merged.text
    assert merged.json()["items_count"] == BIG + 3
    gone = await api.get(f"/api/v1/stories/{big}")  # merged away: leads to where it went
    assert (gone.status_code, gone.headers["location"]) == (301, f"/api/v1/stories/{small}")
    async with db.read() as conn:
        query = select(story_items.c.item_id).where(story_items.c.story_id == small)
        members = sorted((await conn.scalars(query)).all())
    split = await api.post(f"/api/v1/stories/{small}/split", json={"items": members[:BIG]})
    assert split.status_code == 200, split.text
    assert split.json()["items_count"] == BIG
    assert (await api.get(f"/api/v1/stories/{small}")).json()["items_count"] == 3
