"""Reading stories for the API: a page of stories, one story with a page of its items."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.db.tables import blogs, item_sightings, items, sources, stories, story_items

ITEMS_SHOWN_IN_LISTS = 5


async def story_row(conn: AsyncConnection, story_id: int) -> Any:
    """The story, deleted or not; None when there never was one."""
    query = select(stories, blogs.c.slug).outerjoin(blogs, blogs.c.id == stories.c.blog_id)
    return (await conn.execute(query.where(stories.c.id == story_id))).first()


async def merged_into(conn: AsyncConnection, story_id: int) -> int | None:
    """The open story that story `story_id` was merged into, following later merges (a
    merge records the end of the chain, so this is mostly one step); None when the story is
    open, never was, was emptied, or its chain ends at a story emptied since (or loops)."""
    query = select(stories.c.deleted_at, stories.c.merged_into)
    seen: set[int] = set()
    current: int | None = story_id
    while current is not None and current not in seen:
        seen.add(current)
        row = (await conn.execute(query.where(stories.c.id == current))).first()
        if row is None:
            return None
        if row.deleted_at is None:
            return None if current == story_id else current
        current = row.merged_into
    return None


async def recent(conn: AsyncConnection, limit: int, before: int | None) -> list[Any]:
    """Most recently active stories first, after the story `before` in that order."""
    query = (
        select(stories, blogs.c.slug)
        .outerjoin(blogs, blogs.c.id == stories.c.blog_id)
        .where(stories.c.deleted_at.is_(None))
    )
    if before is not None:
        cursor = await story_row(conn, before)
        if cursor is None:
            return []
        last = cursor.last_seen_at
        query = query.where(
            or_(
                stories.c.last_seen_at < last,
                and_(stories.c.last_seen_at == last, stories.c.id < cursor.id),
            )
        )
    query = query.order_by(stories.c.last_seen_at.desc(), stories.c.id.desc()).limit(limit)
    return list((await conn.execute(query)).all())


def _source(row: Any, prefix: str = "") -> dict[str, Any]:
    return {
        "id": getattr(row, f"{prefix}source_id"),
        "title": getattr(row, f"{prefix}source_title"),
        "site_url": getattr(row, f"{prefix}site_url"),
    }


async def story_items_page(
    conn: AsyncConnection, story_id: int, limit: int, after: int | None = None
) -> list[dict[str, Any]]:
    """The story's items (copies left out: they are their original's `also_at`), oldest
    first, from the item after `after`."""
    query = (
        select(
            items.c.id,
            items.c.url,
            items.c.title,
            items.c.language,
            items.c.published_at,
            sources.c.id.label("source_id"),
            sources.c.title.label("source_title"),
            sources.c.site_url,
        )
        .join(story_items, story_items.c.item_id == items.c.id)
        .join(sources, sources.c.id == items.c.source_id)
        .where(story_items.c.story_id == story_id, story_items.c.duplicate_of.is_(None))
        .order_by(items.c.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(items.c.id > after)
    rows = (await conn.execute(query)).all()
    also = await _also_at(conn, [row.id for row in rows])
    return [
        {
            "id": row.id,
            "url": row.url,
            "title": row.title,
            "language": row.language,
            "published_at": row.published_at,
            "source": _source(row),
            "also_at": also.get(row.id, []),
        }
        for row in rows
    ]


async def _also_at(conn: AsyncConnection, item_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Where else each item was seen: other sources' exact copies (sightings, with their
    own link) and near-duplicates (wire copies, rewrites) placed as its copies."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not item_ids:
        return found
    outlet = (sources.c.id.label("source_id"), sources.c.title.label("source_title"))
    sighted = (
        select(item_sightings.c.item_id, item_sightings.c.url, *outlet, sources.c.site_url)
        .join(sources, sources.c.id == item_sightings.c.source_id)
        .where(item_sightings.c.item_id.in_(item_ids))
        .order_by(item_sightings.c.item_id, sources.c.id)
    )
    for row in await conn.execute(sighted):
        found[row.item_id].append({"url": row.url, "source": _source(row)})
    copies = (
        select(
            story_items.c.duplicate_of.label("item_id"), items.c.url, *outlet, sources.c.site_url
        )
        .join(items, items.c.id == story_items.c.item_id)
        .join(sources, sources.c.id == items.c.source_id)
        .where(story_items.c.duplicate_of.in_(item_ids))
        .order_by(story_items.c.duplicate_of, items.c.id)
    )
    for row in await conn.execute(copies):
        found[row.item_id].append({"url": row.url, "source": _source(row)})
    return found
