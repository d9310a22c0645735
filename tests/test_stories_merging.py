"""Stories merge as coverage grows: reports two days apart start two stories, and a report
in between that fits both as surely as a report of one event joins them. An editor's
decision keeps stories apart."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import select

from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import stories
from dateline.stories import editing
from dateline.stories.assign import Assigner
from dateline.stories.embed import DIMENSIONS
from dateline.stories.engine import ItemIn, StoryEngine
from tests.ingest_factories import T0, ingest_settings
from tests.test_stories_store import feed, story_of, written

SAME = np.eye(DIMENSIONS, dtype=np.float32)[0]  # one event's reports, as the model sees them
WORDS = ["river levels rise along the valley", "volunteers fill sandbags overnight", "a dam holds"]


def report(n: int, hours: float) -> ItemIn:
    """Reports of one event in different words (no copies), naming nothing."""
    at = T0 + timedelta(hours=hours)
    return ItemIn(n, n, f"https://outlet{n}.example/{n}", WORDS[n % 3], WORDS[n % 3], "en", at)


def bridged(engine: StoryEngine) -> tuple[int, int, tuple[int, ...]]:
    """Reports at 0 h and 50 h (beyond the 48-hour window of each other), then one at 25 h."""
    first = engine.place(report(0, 0), SAME).story
    second = engine.place(report(1, 50), SAME).story
    return first, second, engine.place(report(2, 25), SAME).merged


def test_a_report_between_two_stories_of_one_event_merges_them() -> None:
    engine = StoryEngine()
    first, second, merged = bridged(engine)
    assert first != second
    assert len(merged) == 1
    assert len(list(engine.stories())) == 1
    assert engine.story_of(0) == engine.story_of(1) == engine.story_of(2)


def test_a_story_an_editor_decided_on_is_never_merged() -> None:
    engine = StoryEngine()
    engine.kept = {2}  # the key the second story will get
    _, second, merged = bridged(engine)
    assert (second, merged) == (2, ())
    assert engine.story_of(0) != engine.story_of(1)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


FLOOD = {  # one flood, in other words each time (not copies)
    3: (
        "Danube floods roads around Passau",
        "Floodwater closed roads around Passau on Sunday as the Danube kept rising.",
    ),
    5: (
        "Flooding in Passau: Danube still rising",
        "Residents of Passau moved to higher ground while the Danube went on rising.",
    ),
    7: (
        "Passau under water as the Danube rises",
        "The old town of Passau was flooded after the Danube burst its banks, firefighters said.",
    ),
}


async def publish(db: Database, settings: Settings, n: int, hours: float) -> None:
    entry = (*FLOOD[n], "en", hours)
    await feed(db, settings, f"outlet{n}", [written(n, entry, f"outlet{n}")])


async def open_stories(db: Database) -> set[int]:
    async with db.read() as conn:
        query = select(stories.c.id).where(stories.c.deleted_at.is_(None))
        return set((await conn.scalars(query)).all())


async def two_stories_two_days_apart(db: Database, settings: Settings) -> set[int]:
    await publish(db, settings, 3, 0)
    await publish(db, settings, 7, 50)
    await Assigner(db, settings).run()
    apart = await open_stories(db)
    assert len(apart) == 2
    return apart


async def test_stories_merge_in_the_database_when_coverage_bridges_them(
    db: Database, settings: Settings
) -> None:
    apart = await two_stories_two_days_apart(db, settings)
    await publish(db, settings, 5, 25)
    await Assigner(db, settings).run()
    (kept,) = await open_stories(db)
    assert kept in apart  # one of them took the other's reports; the other is deleted
    assert set((await story_of(db)).values()) == {kept}


async def test_an_editors_retitled_story_is_not_merged_away(
    db: Database, settings: Settings
) -> None:
    apart = await two_stories_two_days_apart(db, settings)
    await editing.retitle(db, max(apart), "Danube floods, second wave")
    await publish(db, settings, 5, 25)
    await Assigner(db, settings).run()
    assert await open_stories(db) == apart
