"""Storage of stories: one function per question or change, SQL inside.

`story_items.id` grows with every placement (an editor's move deletes the row and inserts
another), so an engine that remembers the largest id it has seen catches up on everything
that changed since, its own placements, other workers' and editors' alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import delete, func, insert, select, text, union, update
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.db.tables import (
    blogs,
    item_sightings,
    items,
    sources,
    stories,
    story_items,
    updates,
)
from dateline.db.tables import utcnow as now
from dateline.search import index as search_index
from dateline.stories.categories import Classifier
from dateline.stories.embed import Vectors
from dateline.stories.engine import ItemIn
from dateline.stories.splitting import Report

# Serialises placement across processes on PostgreSQL (SQLite has one writer anyway).
LOCK_KEY = 0x53_54_4F_52  # "STOR"
ITEM_TEXT = 5000  # what clustering reads of an item's text
MOVE_CHUNK = 1000  # items a statement: well below SQLite's and asyncpg's parameter limits

when = func.coalesce(items.c.published_at, items.c.listed_at)


@dataclass(frozen=True)
class Seed:
    """A placed item, as an engine catching up needs it."""

    mark: int  # its story_items id
    item: ItemIn
    story: int
    vector: Vectors


async def serialise(conn: AsyncConnection) -> None:
    """Hold the stories lock until this transaction ends: two workers never both decide
    that an event needs a new story. SQLite's BEGIN IMMEDIATE already is such a lock."""
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def _item_in(row: Any) -> ItemIn:
    return ItemIn(
        id=row.id,
        source_id=row.source_id,
        url=row.url,
        title=row.title,
        text=row.text or row.summary,
        language=row.language,
        published_at=row.published_at,
    )


_ITEM_COLUMNS = (
    items.c.id,
    items.c.source_id,
    items.c.url,
    items.c.title,
    func.substr(items.c.text, 1, ITEM_TEXT).label("text"),
    func.substr(items.c.summary, 1, ITEM_TEXT).label("summary"),
    items.c.language,
    items.c.published_at,
)


async def unplaced(conn: AsyncConnection, limit: int) -> list[ItemIn]:
    """Items in no story yet, oldest first (as they were published)."""
    placed = select(story_items.c.item_id).where(story_items.c.item_id == items.c.id)
    query = select(*_ITEM_COLUMNS).where(~placed.exists()).order_by(when, items.c.id)
    return [_item_in(row) for row in await conn.execute(query.limit(limit))]


async def placed_among(conn: AsyncConnection, item_ids: Iterable[int]) -> set[int]:
    query = select(story_items.c.item_id).where(story_items.c.item_id.in_(list(item_ids)))
    return set((await conn.scalars(query)).all())


async def seeds(conn: AsyncConnection, after: int, since: datetime | None) -> list[Seed]:
    """Placements with an id above `after`, of items published since `since`."""
    query = (
        select(*_ITEM_COLUMNS, story_items.c.id.label("mark"), story_items.c.story_id)
        .add_columns(story_items.c.vector)
        .join(story_items, story_items.c.item_id == items.c.id)
        .where(story_items.c.id > after)
        .order_by(story_items.c.id)
    )
    if since is not None:
        query = query.where(when >= since)
    return [
        Seed(row.mark, _item_in(row), row.story_id, decode(row.vector))
        for row in await conn.execute(query)
    ]


async def last_mark(conn: AsyncConnection) -> int:
    return int(await conn.scalar(select(func.coalesce(func.max(story_items.c.id), 0))) or 0)


def encode(vector: Vectors) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def decode(blob: bytes) -> Vectors:
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)


async def new_story(conn: AsyncConnection, moment: datetime) -> int:
    values = {
        **{"title": "", "title_locked": False, "summary": "", "language": ""},
        **{"category_locked": False, "items_count": 0, "sources_count": 0, "live": False},
        **{"first_seen_at": moment, "last_seen_at": moment, "created_at": moment},
    }
    result = await conn.execute(insert(stories).values(values).returning(stories.c.id))
    return int(result.scalar_one())


async def put(
    conn: AsyncConnection,
    item_id: int,
    story_id: int,
    vector: bytes,
    *,
    duplicate_of: int | None = None,
) -> None:
    """Item `item_id` is in story `story_id` (from wherever it was)."""
    await conn.execute(delete(story_items).where(story_items.c.item_id == item_id))
    values = {
        **{"item_id": item_id, "story_id": story_id, "duplicate_of": duplicate_of},
        **{"moved_by_editor": False, "vector": vector, "placed_at": now()},
    }
    await conn.execute(insert(story_items).values(values))


async def item_exists(conn: AsyncConnection, item_id: int) -> bool:
    return await conn.scalar(select(items.c.id).where(items.c.id == item_id)) is not None


async def story_open(conn: AsyncConnection, story_id: int) -> bool:
    """Is the story there, not deleted (merged away, emptied), and holding an item (a
    story that retention emptied is deleted only at the next recount) or a live blog?"""
    held = select(story_items.c.id).where(story_items.c.story_id == stories.c.id).exists()
    query = select(stories.c.id).where(
        stories.c.id == story_id,
        stories.c.deleted_at.is_(None),
        stories.c.blog_id.is_not(None) | held,
    )
    return await conn.scalar(query) is not None


async def move(
    conn: AsyncConnection, item_ids: Iterable[int], story_id: int, *, by_editor: bool = True
) -> None:
    """These placed items are in story `story_id` (an editor's decision, kept by later
    passes, or an automatic merge), each under a new placement id (so engines catching up
    see the move), a statement per thousand items (a story of 10,000 merges in seconds). A
    copy stays its original's copy when both move."""
    moving = set(item_ids)
    ordered = sorted(moving)
    placed_at = now()
    for start in range(0, len(ordered), MOVE_CHUNK):
        chunk = ordered[start : start + MOVE_CHUNK]
        columns = (story_items.c.item_id, story_items.c.duplicate_of, story_items.c.vector)
        rows = (await conn.execute(select(*columns).where(story_items.c.item_id.in_(chunk)))).all()
        if not rows:
            continue
        await conn.execute(delete(story_items).where(story_items.c.item_id.in_(chunk)))
        values = [
            {
                **{"item_id": row.item_id, "story_id": story_id, "vector": row.vector},
                **{"moved_by_editor": by_editor, "placed_at": placed_at},
                "duplicate_of": row.duplicate_of if row.duplicate_of in moving else None,
            }
            for row in rows
        ]
        await conn.execute(insert(story_items), values)


async def merged(conn: AsyncConnection, story_id: int, into: int) -> None:
    """Story `story_id` went into `into` (its items moved there): its address, and those of
    the stories that went into it before, now lead to `into` in one hop."""
    went = (stories.c.id == story_id) | (stories.c.merged_into == story_id)
    await conn.execute(update(stories).where(went, stories.c.id != into).values(merged_into=into))


async def bridged(conn: AsyncConnection, story_ids: Iterable[int]) -> set[int]:
    """Those of the stories that other stories were merged into: coverage (or an editor)
    showed them to be one event."""
    query = select(stories.c.merged_into).where(stories.c.merged_into.in_(list(story_ids)))
    return {int(found) for found in (await conn.scalars(query.distinct())).all()}


async def reports(conn: AsyncConnection, story_id: int, most: int) -> list[Report] | None:
    """The story's placed items as splitting weighs them; None when it has more than `most`
    (a story that big has shown what it is, and reading it every pass would cost)."""
    query = (
        select(story_items.c.item_id, story_items.c.duplicate_of, story_items.c.vector, when)
        .join(items, items.c.id == story_items.c.item_id)
        .where(story_items.c.story_id == story_id)
        .limit(most + 1)
    )
    rows = (await conn.execute(query)).all()
    if len(rows) > most:
        return None
    return [Report(row[0], row[3], decode(row[2]), row[1]) for row in rows]


async def members(conn: AsyncConnection, story_id: int) -> list[int]:
    query = select(story_items.c.item_id).where(story_items.c.story_id == story_id)
    return list((await conn.scalars(query.order_by(story_items.c.item_id))).all())


async def kept_stories(conn: AsyncConnection) -> set[int]:
    """Stories that automatic passes never merge or split: an editor moved items into or
    out of them, split them, retitled or categorised them, and live blogs' stories."""
    moved = select(story_items.c.story_id).where(story_items.c.moved_by_editor.is_(True))
    marked = select(stories.c.id).where(
        stories.c.deleted_at.is_(None),
        stories.c.title_locked.is_(True)
        | stories.c.category_locked.is_(True)
        | stories.c.members_locked.is_(True)
        | stories.c.live.is_(True)
        | stories.c.blog_id.is_not(None)
        | stories.c.source_id.is_not(None),
    )
    return set((await conn.scalars(union(moved, marked))).all())


async def liveblog_stories(conn: AsyncConnection, source_ids: Iterable[int]) -> dict[int, int]:
    """The story of each followed live blog among `source_ids`: all its updates are in it."""
    query = select(stories.c.source_id, stories.c.id).where(
        stories.c.source_id.in_(list(source_ids)), stories.c.deleted_at.is_(None)
    )
    return {row.source_id: row.id for row in await conn.execute(query)}


async def liveblog_sources(conn: AsyncConnection, source_ids: Iterable[int]) -> set[int]:
    query = select(sources.c.id).where(sources.c.id.in_(list(source_ids)))
    return set((await conn.scalars(query.where(sources.c.kind == "liveblog"))).all())


async def mark_live(conn: AsyncConnection, story_id: int, source_id: int) -> None:
    await conn.execute(
        update(stories).where(stories.c.id == story_id).values(live=True, source_id=source_id)
    )


async def sync_blogs(conn: AsyncConnection, stated: Callable[[str], str | None]) -> None:
    """Each of Dateline's own live blogs is a story, live while its coverage runs, under the
    blog's own title (an editor's, so clustering never renames it) and in the category the
    blog states (`stated`: its code), unless an editor chose the story's."""
    has_story = select(stories.c.id).where(stories.c.blog_id == blogs.c.id).exists()
    query = select(blogs).where(~has_story)
    for blog in await conn.execute(query):
        values = {
            **{"title": blog.title, "title_locked": True, "summary": blog.standfirst},
            **{"language": blog.language, "category_locked": False, "items_count": 0},
            **{"sources_count": 0, "live": blog.status == "live", "blog_id": blog.id},
            **{"first_seen_at": blog.coverage_start, "last_seen_at": blog.coverage_start},
            "created_at": now(),
        }
        await conn.execute(insert(stories).values(values))
    ended = select(blogs.c.id).where(blogs.c.status != "live")
    await conn.execute(
        update(stories)
        .where(stories.c.live.is_(True), stories.c.blog_id.in_(ended))
        .values(live=False)
    )
    of_blogs = select(stories.c.id, stories.c.category_code, blogs.c.category).join(
        blogs, blogs.c.id == stories.c.blog_id
    )
    for story in (await conn.execute(of_blogs.where(stories.c.category_locked.is_(False)))).all():
        code = stated(story.category)
        if code != story.category_code:
            confidence = None if code is None else 1.0
            await conn.execute(
                update(stories)
                .where(stories.c.id == story.id)
                .values(category_code=code, category_confidence=confidence)
            )


async def blog_seeds(conn: AsyncConnection) -> list[tuple[ItemIn, int]]:
    """Each own live blog as an item of its story (id: minus the blog's), so outlets' items
    about the same event join it: its title and standfirst, at its latest update."""
    latest = (
        select(func.max(updates.c.published_at))
        .where(updates.c.blog_id == blogs.c.id, updates.c.deleted_at.is_(None))
        .scalar_subquery()
    )
    query = select(
        blogs.c.id,
        blogs.c.title,
        blogs.c.standfirst,
        blogs.c.language,
        stories.c.id.label("story"),
        func.coalesce(latest, blogs.c.coverage_start).label("at"),
    ).join(stories, stories.c.blog_id == blogs.c.id)
    return [
        (ItemIn(-row.id, 0, "", row.title, row.standfirst, row.language, row.at), row.story)
        for row in await conn.execute(query)
    ]


async def refresh(
    conn: AsyncConnection, story_ids: Iterable[int], classifier: Classifier | None = None
) -> None:
    """Recount each story from its items: times, counts, and (unless an editor set them)
    title, language and category. An emptied story is marked deleted. Search sees the
    stories as they are now, in this same transaction."""
    changed = sorted(set(story_ids))
    for story_id in changed:
        await _refresh_one(conn, story_id, classifier)
    await search_index.refresh(conn, "story", changed)


async def _refresh_one(conn: AsyncConnection, story_id: int, classifier: Classifier | None) -> None:
    members = select(story_items.c.item_id).where(story_items.c.story_id == story_id)
    span = select(func.count(), func.min(when), func.max(when)).where(items.c.id.in_(members))
    count, first, last = (await conn.execute(span)).one()
    story = (await conn.execute(select(stories).where(stories.c.id == story_id))).one()
    if not count and story.blog_id is not None:  # a live blog's story stays, empty or not
        kept = {"items_count": 0, "merged_into": None}
        await conn.execute(update(stories).where(stories.c.id == story_id).values(kept))
        return
    if not count:
        values: dict[str, Any] = {"items_count": 0, "sources_count": 0, "deleted_at": now()}
        await conn.execute(update(stories).where(stories.c.id == story_id).values(values))
        return
    outlets = union(
        select(items.c.source_id).where(items.c.id.in_(members)),
        select(item_sightings.c.source_id).where(item_sightings.c.item_id.in_(members)),
    ).subquery()
    sources_count = await conn.scalar(select(func.count()).select_from(outlets))
    values = {
        **{"items_count": count, "sources_count": sources_count, "deleted_at": None},
        "merged_into": None,  # a story with items is at its own address
        **{"first_seen_at": first, "last_seen_at": last},
    }
    if not story.title_locked:
        headline = await _headline(conn, members)
        if headline is not None:
            values.update(
                title=headline.title, summary=headline.summary, language=headline.language
            )
            if classifier is not None and not story.category_locked:
                found = classifier.classify(headline.title, headline.summary, headline.language)
                values.update(
                    category_code=found.code if found else None,
                    category_confidence=found.confidence if found else None,
                )
    await conn.execute(update(stories).where(stories.c.id == story_id).values(values))


async def _headline(conn: AsyncConnection, members: Any) -> Any:
    """The story's representative: its first item with a headline (the event as first
    reported), else its first item."""
    excerpt = func.substr(func.coalesce(func.nullif(items.c.summary, ""), items.c.text), 1, 500)
    query = (
        select(items.c.title, excerpt.label("summary"), items.c.language)
        .where(items.c.id.in_(members))
        .order_by((items.c.title == "").asc(), when, items.c.id)
        .limit(1)
    )
    return (await conn.execute(query)).first()


async def stale(conn: AsyncConnection) -> list[int]:
    """Stories whose items went without them (retention deletes old items, and their
    `story_items` rows with them): their counts, times and headline need recounting. The
    totals are compared first, so a pass with nothing deleted costs two counts."""
    placed = await conn.scalar(select(func.count()).select_from(story_items))
    counted = await conn.scalar(
        select(func.coalesce(func.sum(stories.c.items_count), 0)).where(
            stories.c.deleted_at.is_(None)
        )
    )
    if placed == counted:
        return []
    held = (
        select(story_items.c.story_id, func.count().label("held"))
        .group_by(story_items.c.story_id)
        .subquery()
    )
    query = (
        select(stories.c.id)
        .outerjoin(held, held.c.story_id == stories.c.id)
        .where(
            stories.c.deleted_at.is_(None),
            func.coalesce(held.c.held, 0) != stories.c.items_count,
        )
    )
    return list((await conn.scalars(query.order_by(stories.c.id))).all())
