"""Retention deletes old items; the stories they were in must still tell the truth: how many
items and sources, since when, under which headline, and none left standing empty."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import items, stories, story_items
from dateline.ingest import store as ingest_store
from dateline.stories.assign import Assigner
from tests.ingest_factories import T0, ingest_settings
from tests.test_stories_store import QUAKE, STRIKE, feed, story_of, written


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


LONG_AGO = T0 - timedelta(days=60)  # when the "early" outlets' items were listed
CUTOFF = T0 - timedelta(days=30)  # the retention period's start


async def list_long_ago(db: Database, *titles: str) -> None:
    """Backdate when these items were listed, so retention finds them old."""
    async with db.write() as conn:
        await conn.execute(
            update(items).where(items.c.title.in_(titles)).values(listed_at=LONG_AGO)
        )


async def story_row(db: Database, story_id: int) -> object:
    async with db.read() as conn:
        return (await conn.execute(select(stories).where(stories.c.id == story_id))).one()


async def test_story_counts_stay_true_after_retention_deletes_items(
    db: Database, settings: Settings
) -> None:
    await feed(db, settings, "early", [written(0, STRIKE[0], "early")])
    await feed(db, settings, "quake", [written(5 + n, e, "quake") for n, e in enumerate(QUAKE)])
    await list_long_ago(db, STRIKE[0][0], *(title for title, *_ in QUAKE))
    for n, entry in enumerate(STRIKE[1:], start=1):
        await feed(db, settings, f"late{n}", [written(n, entry, f"late{n}")])
    assigner = Assigner(db, settings)
    await assigner.run()
    placed = await story_of(db)
    strike, quake = placed[STRIKE[0][0]], placed[QUAKE[0][0]]
    assert (await story_row(db, strike)).items_count == 3  # type: ignore[attr-defined]

    assert await ingest_store.prune(db, CUTOFF) == 3  # the early strike report and the quake
    await assigner.run()  # the stories loop's next pass

    row = await story_row(db, strike)
    assert (row.items_count, row.sources_count) == (2, 2)  # type: ignore[attr-defined]
    assert row.first_seen_at == T0 + timedelta(hours=1)  # type: ignore[attr-defined]
    assert row.title == STRIKE[1][0]  # type: ignore[attr-defined]
    emptied = await story_row(db, quake)
    assert emptied.items_count == 0  # type: ignore[attr-defined]
    assert emptied.deleted_at is not None  # type: ignore[attr-defined]
    assert await assigner.recount_stale() == 0  # nothing left to repair


async def test_stories_update_repairs_counts_after_retention_in_a_new_process(
    db: Database, settings: Settings
) -> None:
    await feed(db, settings, "early", [written(0, STRIKE[0], "early")])
    await list_long_ago(db, STRIKE[0][0])
    await feed(db, settings, "late", [written(1, STRIKE[1], "late")])
    await Assigner(db, settings).run()
    story = (await story_of(db))[STRIKE[1][0]]
    await ingest_store.prune(db, CUTOFF)
    assert await Assigner(db, settings).recount_stale() == 1
    assert (await story_row(db, story)).items_count == 1  # type: ignore[attr-defined]


async def test_a_running_loop_places_a_copy_of_an_item_retention_deleted(
    db: Database, settings: Settings
) -> None:
    original = written(0, STRIKE[0], "early")
    await feed(db, settings, "early", [original])
    await list_long_ago(db, STRIKE[0][0])
    assigner = Assigner(db, settings)  # a worker running before and after the prune
    await assigner.run()
    emptied = (await story_of(db))[STRIKE[0][0]]
    await ingest_store.prune(db, CUTOFF)
    assert await Assigner(db, settings).recount_stale() == 1  # another worker was quicker
    moved = "https://paper.example/strike"
    retitled = "Berlin: U-Bahn and buses halted"
    copy = replace(original, url=moved, canonical_url=moved, title=retitled)
    await feed(db, settings, "paper", [copy])

    assert await assigner.run() == 1  # not refused for copying the deleted original
    async with db.read() as conn:
        query = select(story_items.c.duplicate_of, stories.c.id, stories.c.items_count)
        joined = query.join(stories, stories.c.id == story_items.c.story_id)
        (row,) = (await conn.execute(joined)).all()
    assert (row.duplicate_of, row.items_count) == (None, 1)
    assert row.id != emptied  # a story of its own, not the emptied one brought back
    assert (await story_row(db, emptied)).deleted_at is not None  # type: ignore[attr-defined]


async def test_a_long_running_loop_forgets_items_far_outside_the_window(
    db: Database, settings: Settings
) -> None:
    assigner = Assigner(db, settings, window=timedelta(hours=2))
    await feed(db, settings, "early", [written(0, STRIKE[0], "early")])
    await assigner.run()
    assert assigner.remembered == 1
    await feed(db, settings, "quake", [written(5 + n, e, "quake") for n, e in enumerate(QUAKE)])
    await assigner.run()  # the quake is 30 hours later: the strike is of no use any more
    assert assigner.remembered == len(QUAKE)
    assert len(set((await story_of(db)).values())) == 2  # forgetting is not unplacing
