"""The merged facts of a blog or story, kept between requests while they have not changed.

Reading and merging every fact of a blog of a thousand updates (and drawing its chart and
map) costs more than the rest of its facts page. So each database keeps the merged facts of
the last few dozen blogs and stories it was asked for (`SIZE`, least recently used go first),
each with its *version*: one small aggregate query over the same facts that changes on every
change a reader could see —

- a fact stored, read again or forgotten: their number, the sum and the largest of their ids
  (ids only grow; a fact replaced by one with a reused id still moves the newest reading
  time), the newest reading time;
- an editor's review (confirm, correct, reject): the sum of the facts' `revision`, which
  every review raises by one in SQL (no clock is trusted: two reviews in one instant, or on
  two nodes whose clocks differ, still change it);
- the blog itself (an update edited or deleted, so its headline as a source changed): the
  blog's last event `seq` and its "last updated" time.

Each request reads the version (one indexed query) and uses the kept facts only when it is
the same, so no web node ever shows a stale page, however many nodes there are: nothing has
to be told to forget. Only what readers see is kept (rejected facts left out); the editors'
review page reads afresh. What is drawn from the facts (a chart, a map, in one language) is
kept with them (`Entry.drawn`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.db import Database
from dateline.db.tables import blogs, facts
from dateline.facts import merge, queries
from dateline.facts.merge import Merged

SIZE = 32  # blogs and stories kept per database
DRAWN = 6  # things made of one's facts kept with them: a blog of 1,000 updates' JSON is ~0.5 MB
T = TypeVar("T")


@dataclass(slots=True)
class Entry:
    """A blog's or story's merged facts for readers, at one version."""

    version: tuple[Any, ...]
    merged: tuple[Merged, ...]
    drawn: OrderedDict[object, Any] = field(default_factory=OrderedDict)

    def draw(self, key: object, make: Callable[[], T]) -> T:
        """What `make` makes of these facts (the chart and map in a language, a download in
        an order), made once a version; the last `DRAWN` kept."""
        if key in self.drawn:
            self.drawn.move_to_end(key)
        else:
            self.drawn[key] = make()
            while len(self.drawn) > DRAWN:
                self.drawn.popitem(last=False)
        found: T = self.drawn[key]
        return found


class FactsCache:
    """The merged facts of the blogs and stories last asked for, by (kind, id)."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[str, int], Entry] = OrderedDict()

    async def of_blog(self, conn: AsyncConnection, blog_id: int) -> Entry:
        wanted = facts.c.blog_id == blog_id
        version = await _version(conn, wanted, blog_id)
        return await self._entry(("blog", blog_id), version, lambda: queries.of_blog(conn, blog_id))

    async def of_story(self, conn: AsyncConnection, story_id: int) -> Entry:
        wanted, blog_id = await queries.story_facts_filter(conn, story_id)
        version = await _version(conn, wanted, blog_id)
        return await self._entry(
            ("story", story_id), version, lambda: queries.of_story(conn, story_id)
        )

    async def _entry(
        self, key: tuple[str, int], version: tuple[Any, ...], read: Callable[[], Any]
    ) -> Entry:
        kept = self._entries.get(key)
        if kept is not None and kept.version == version:
            self._entries.move_to_end(key)
            return kept
        entry = Entry(version, tuple(merge.merge(await read())))
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return entry

    def __len__(self) -> int:
        return len(self._entries)


async def _version(
    conn: AsyncConnection, wanted: ColumnElement[bool], blog_id: int | None
) -> tuple[Any, ...]:
    """What changes whenever the facts `wanted` (or the blog they are read from) change."""
    blog = select(blogs.c.last_seq, blogs.c.updated_at).where(blogs.c.id == blog_id)
    last_seq = blog.with_only_columns(blogs.c.last_seq).scalar_subquery()
    updated_at = blog.with_only_columns(blogs.c.updated_at).scalar_subquery()
    query = select(
        func.count(),
        func.sum(facts.c.id),
        func.max(facts.c.id),
        func.max(facts.c.extracted_at),
        func.sum(facts.c.revision),
        last_seq,
        updated_at,
    ).where(wanted)
    return tuple((await conn.execute(query)).one())


_caches: WeakKeyDictionary[Database, FactsCache] = WeakKeyDictionary()


def of(db: Database) -> FactsCache:
    """The cache of this database (a process may serve several: tests, the bench)."""
    found = _caches.get(db)
    if found is None:
        found = _caches[db] = FactsCache()
    return found


def clear() -> None:
    """Forget every database's kept facts (the bench measures a page after a change so)."""
    _caches.clear()
