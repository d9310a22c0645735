"""Putting every item in a story: the pass that `dateline stories update` runs until nothing
is left, and that the stories worker runs continuously.

Items are embedded before the lock is taken (that is the slow part); then, under the
stories lock (`store.serialise`), the engine catches up on every placement made since it
last looked (other workers', editors'), the items still unplaced are placed, and their
stories recounted, all in one transaction. So two workers never both start a story for
one event, and an editor's decision is what every engine sees next.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import utcnow as now
from dateline.stories import categorising, splitting, store
from dateline.stories.categories import Classifier
from dateline.stories.embed import embed
from dateline.stories.engine import ItemIn, Placement, StoryEngine, item_text

log = logging.getLogger(__name__)

BATCH = 256  # items embedded, then placed in one transaction
WINDOW = timedelta(hours=48)
SPLIT_MOST = 200  # a story with more items is not weighed for a split (see store.reports)


class Assigner:
    """Places unplaced items with one engine, kept across passes."""

    def __init__(
        self,
        db: Database,
        settings: Settings | None = None,
        *,
        window: timedelta = WINDOW,
    ) -> None:
        self.db = db
        self.settings = settings
        self.window = window
        self._classifier: Classifier | None = None
        self._corrections = -1  # how many editors' categories the classifier has learnt
        self._engine = StoryEngine(window=window)
        self._mark = 0  # largest story_items id the engine has seen
        self._horizon: datetime | None = None  # the engine knows stories from here on

    async def run(self) -> int:
        """Place every unplaced item; how many were placed."""
        total = 0
        while placed := await self.run_once():
            total += placed
        return total

    async def run_once(self, batch: int = BATCH) -> int:
        """Place up to `batch` unplaced items; 0 when there were none."""
        async with self.db.read() as conn:
            batch_items = await store.unplaced(conn, batch)
        if not batch_items:
            await self.recount_stale()
            return 0
        vectors = await asyncio.to_thread(embed, [item_text(item) for item in batch_items])
        try:
            return await self._write(batch_items, vectors)
        except _Outdated:  # the database lost items the engine remembers: read it again
            return await self._write(batch_items, vectors)

    async def _write(self, batch_items: list[ItemIn], vectors: Any) -> int:
        """Place the batch in one transaction under the stories lock. When it fails, what
        the engine decided was rolled back: it starts again from the database."""
        try:
            async with self.db.write() as conn:
                await store.serialise(conn)
                stale = await store.stale(conn)  # before placing: placed items count from here
                await self._catch_up(conn, _earliest(batch_items))
                done = await store.placed_among(conn, (item.id for item in batch_items))
                pending = zip(batch_items, vectors, strict=True)
                touched = await self._place(conn, [(i, v) for i, v in pending if i.id not in done])
                touched |= await self._split(conn, touched)
                await store.refresh(conn, touched.union(stale), await self._categorise(conn))
                self._mark = await store.last_mark(conn)
        except BaseException:
            self._forget()
            raise
        return len(batch_items) - len(done)

    async def recount_stale(self) -> int:
        """Recount the stories that lost items to retention (an emptied one is marked
        deleted), so their counts stay true; how many were recounted."""
        async with self.db.read() as conn:
            if not await store.stale(conn):
                return 0
        async with self.db.write() as conn:
            await store.serialise(conn)
            stale = await store.stale(conn)
            await store.refresh(conn, stale, await self._categorise(conn))
        return len(stale)

    @property
    def remembered(self) -> int:
        """How many placed items the engine holds in memory (about 5 KB each)."""
        return len(self._engine)

    def _forget(self) -> None:
        """Start the engine again from the database at the next pass."""
        self._engine, self._mark, self._horizon = StoryEngine(window=self.window), 0, None

    async def _categorise(self, conn: AsyncConnection) -> Classifier:
        """The classifier, built again when editors chose categories since: their choices
        guide the stories placed after them."""
        count = await categorising.corrections_count(conn)
        if self._classifier is None or count != self._corrections:
            examples = await categorising.corrections(conn)
            self._classifier = categorising.classifier(self.settings, examples)
            self._corrections = count
        return self._classifier

    async def _catch_up(self, conn: AsyncConnection, earliest: datetime | None) -> None:
        """Learn the placements made since the last pass. The engine starts again from the
        database when an item is older than what it covers (an archive imported), and when
        it covers far more than the window (a loop running for weeks): what it remembers
        stays what a freshly started worker would load."""
        since = earliest - self.window * 2 if earliest else None
        if self._horizon is not None and (
            since is None or since < self._horizon or since - self._horizon > self.window * 2
        ):
            self._forget()
        if self._mark == 0:
            self._horizon = since
        for seed in await store.seeds(conn, self._mark, self._horizon):
            self._engine.restore(seed.item, seed.story, seed.vector)
        self._engine.kept = await store.kept_stories(conn)
        await store.sync_blogs(conn, lambda words: categorising.stated_code(self.settings, words))
        blogs = [
            (item, story)
            for item, story in await store.blog_seeds(conn)
            if self._engine.story_of(item.id) is None
        ]
        if blogs:
            vectors = embed([item_text(item) for item, _ in blogs])  # a few: the blogs are few
            for (item, story), vector in zip(blogs, vectors, strict=True):
                self._engine.restore(item, story, vector)

    async def _place(self, conn: AsyncConnection, batch: list[tuple[ItemIn, Any]]) -> set[int]:
        touched: set[int] = set()
        source_ids = {item.source_id for item, _ in batch}
        liveblogs = await store.liveblog_sources(conn, source_ids)
        liveblog_story = await store.liveblog_stories(conn, liveblogs)
        for item, vector in batch:
            story_id = liveblog_story.get(item.source_id)
            duplicate_of = None
            if story_id is not None:  # a followed live blog's update is in its story
                self._engine.restore(item, story_id, vector)
            else:
                if self._engine.story_of(item.id) is not None:  # its id was a deleted item's
                    raise _Outdated
                placement = self._engine.place(item, vector)
                story_id, duplicate_of = placement.story, placement.duplicate_of
                if duplicate_of is not None and duplicate_of < 0:  # a blog's own words
                    duplicate_of = None
                await self._check(conn, placement, duplicate_of, touched)
                if placement.new:
                    story_id = await store.new_story(conn, now())
                    self._engine.rekey(placement.story, story_id)
                for merged in placement.merged:  # emptied: deleted when recounted
                    await store.move(
                        conn, await store.members(conn, merged), story_id, by_editor=False
                    )
                    await store.merged(conn, merged, story_id)
                    touched.add(merged)
                if item.source_id in liveblogs:
                    await store.mark_live(conn, story_id, item.source_id)
                    liveblog_story[item.source_id] = story_id
            await store.put(
                conn, item.id, story_id, store.encode(vector), duplicate_of=duplicate_of
            )
            touched.add(story_id)
        return touched

    async def _split(self, conn: AsyncConnection, grown: set[int]) -> set[int]:
        """Split off the later event of each story this pass grew that turned out to hold
        two (`splitting`), as an automatic merge is made: never a story an editor decided
        on, nor a live blog's (`store.kept_stories`), nor one that other stories were merged
        into (coverage bridged them: splitting it would undo that, and the next bridging
        report would merge it again). The stories made."""
        if not grown:
            return set()
        candidates = grown - await store.kept_stories(conn)
        candidates -= await store.bridged(conn, candidates)
        made: set[int] = set()
        for story_id in sorted(candidates):
            found = await store.reports(conn, story_id, SPLIT_MOST)
            later = splitting.later_event(found) if found else None
            if later is None:
                continue
            new_id = await store.new_story(conn, now())
            await store.move(conn, later, new_id, by_editor=False)
            for item_id in sorted(later):
                if self._engine.story_of(item_id) is not None:  # else older than it holds
                    self._engine.move(item_id, new_id)
            made.add(new_id)
            log.info("story %s held two events: split into %s", story_id, new_id)
        return made

    async def _check(
        self, conn: AsyncConnection, placement: Placement, duplicate_of: int | None, seen: set[int]
    ) -> None:
        """Retention, or a deleted source, may have taken items the engine remembers (its
        stories emptied, perhaps by another worker): a placement must not point at them."""
        if duplicate_of is not None and not await store.item_exists(conn, duplicate_of):
            raise _Outdated
        if placement.new or placement.story in seen:  # a story this pass already checked
            return
        if not await store.story_open(conn, placement.story):
            raise _Outdated


class _Outdated(Exception):
    """The engine remembers items the database no longer holds."""


def _earliest(batch: list[ItemIn]) -> datetime | None:
    dated = [item.published_at for item in batch if item.published_at is not None]
    return min(dated) if dated else None
