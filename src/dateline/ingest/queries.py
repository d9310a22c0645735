"""Reads about sources and their items: one function per question the pages and the API ask."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.db.tables import (
    blogs,
    drafts,
    item_dismissals,
    item_sightings,
    items,
    source_blogs,
    sources,
)
from dateline.db.tables import item_uses as item_uses_table
from dateline.errors import NotFound
from dateline.i18n import gettext as _
from dateline.ingest.models import InboxItem, Item, Source, item_from_row, source_from_row

NEWEST_FIRST = (items.c.listed_at.desc(), items.c.id.desc())


async def _sources(conn: AsyncConnection, where: ColumnElement[bool]) -> list[Source]:
    """Sources with the blogs they feed, in the order they were added."""
    rows = (await conn.execute(select(sources).where(where).order_by(sources.c.id))).all()
    attached: defaultdict[int, list[tuple[int, str]]] = defaultdict(list)
    if rows:
        query = (
            select(source_blogs.c.source_id, blogs.c.id, blogs.c.slug)
            .join(blogs, blogs.c.id == source_blogs.c.blog_id)
            .where(source_blogs.c.source_id.in_([row.id for row in rows]))
            .order_by(blogs.c.slug)
        )
        for source_id, blog_id, slug in await conn.execute(query):
            attached[source_id].append((blog_id, slug))
    return [source_from_row(row, attached[row.id]) for row in rows]


async def list_sources(conn: AsyncConnection) -> list[Source]:
    """Every source, in the order they were added."""
    return await _sources(conn, and_(True))


async def source_by_id(conn: AsyncConnection, source_id: int) -> Source:
    found = await _sources(conn, sources.c.id == source_id)
    if not found:
        raise NotFound(_("There is no source #%(id)s.") % {"id": source_id})
    return found[0]


async def source_by_canonical_url(conn: AsyncConnection, canonical_url: str) -> Source | None:
    found = await _sources(conn, sources.c.canonical_url == canonical_url)
    return found[0] if found else None


async def item_by_id(conn: AsyncConnection, item_id: int) -> Item:
    row = (await conn.execute(select(items).where(items.c.id == item_id))).first()
    if row is None:
        raise NotFound(_("There is no item #%(id)s.") % {"id": item_id})
    return item_from_row(row)


async def _older_than(conn: AsyncConnection, before: int | None) -> ColumnElement[bool]:
    """Keyset condition: items after the cursor item in newest-first order."""
    if before is None:
        return and_(True)
    row = (await conn.execute(select(items.c.listed_at).where(items.c.id == before))).first()
    if row is None:  # pruned (DATELINE_ITEM_RETENTION_DAYS): everything older went with it
        return false()
    return or_(
        items.c.listed_at < row.listed_at,
        and_(items.c.listed_at == row.listed_at, items.c.id < before),
    )


async def items_of_source(
    conn: AsyncConnection, source_id: int, limit: int, before: int | None = None
) -> list[Item]:
    """Newest first; `before` is the id of the last item of the previous page."""
    query = (
        select(items)
        .where(_carried_by(source_id), await _older_than(conn, before))
        .order_by(*NEWEST_FIRST)
        .limit(limit)
    )
    return [item_from_row(row) for row in await conn.execute(query)]


def _carried_by(source_id: ColumnElement[int] | int) -> ColumnElement[bool]:
    """The item came from that source: stored under it, or seen there again (a sighting).
    Everything but the sightings belongs to the enclosing query, however deep: left to
    itself, SQLAlchemy gives a twice-nested EXISTS its own `items`, which matched any item."""
    sighted = (
        exists()
        .where(item_sightings.c.item_id == items.c.id, item_sightings.c.source_id == source_id)
        .correlate_except(item_sightings)
    )
    return or_(items.c.source_id == source_id, sighted)


def _from_blogs_source(blog_id: int) -> ColumnElement[bool]:
    """The item came from a source that feeds this blog's inbox."""
    return exists().where(source_blogs.c.blog_id == blog_id, _carried_by(source_blogs.c.source_id))


def _in_inbox(blog_id: int) -> ColumnElement[bool]:
    dismissed = exists().where(
        item_dismissals.c.item_id == items.c.id, item_dismissals.c.blog_id == blog_id
    )
    return and_(_from_blogs_source(blog_id), ~dismissed)


@dataclass(frozen=True, slots=True)
class InboxFilter:
    """What the editor narrowed the inbox to: one of the blog's sources, words to find."""

    source_id: int | None = None
    words: str = ""  # found anywhere in the headline, summary or text, in any case

    def condition(self) -> ColumnElement[bool]:
        found: list[ColumnElement[bool]] = []
        if self.source_id is not None:
            found.append(_carried_by(self.source_id))
        if self.words:
            escaped = re.sub(r"([\\%_])", r"\\\1", self.words)
            pattern = f"%{escaped}%"
            columns = (items.c.title, items.c.summary, items.c.text)
            found.append(or_(*(c.ilike(pattern, escape="\\") for c in columns)))
        return and_(True, *found)


async def inbox(
    conn: AsyncConnection,
    blog_id: int,
    limit: int,
    before: int | None = None,
    only: InboxFilter = InboxFilter(),
) -> list[InboxItem]:
    """New items from the sources attached to the blog, newest first, less dismissed ones,
    narrowed to what `only` asks for."""
    query = (
        select(items, sources.c.title.label("source_title"), sources.c.url.label("source_url"))
        .join(sources, sources.c.id == items.c.source_id)
        .where(_in_inbox(blog_id), only.condition(), await _older_than(conn, before))
        .order_by(*NEWEST_FIRST)
        .limit(limit)
    )
    return [
        InboxItem(item_from_row(row), _named(row.source_title, row.source_url))
        for row in await conn.execute(query)
    ]


def _named(title: str, url: str) -> str:
    """A source's name as Source.name says it: its title, else its host."""
    return title or urlsplit(url).hostname or url


@dataclass(frozen=True, slots=True)
class ItemUse:
    """The latest time an item of a blog's inbox became an update or a draft there."""

    used_at: datetime
    used_by_name: str
    update_id: int | None  # the update, also once the draft made from it was published
    draft_id: int | None  # the draft while it waits for an editor


async def item_uses(conn: AsyncConnection, blog_id: int, item_ids: list[int]) -> dict[int, ItemUse]:
    """Item id → its latest use in this blog, for the items that were used."""
    if not item_ids:
        return {}
    query = (
        select(item_uses_table, drafts.c.update_id.label("published_as"))
        .outerjoin(drafts, drafts.c.id == item_uses_table.c.draft_id)
        .where(item_uses_table.c.blog_id == blog_id, item_uses_table.c.item_id.in_(item_ids))
        .order_by(item_uses_table.c.id)
    )
    found: dict[int, ItemUse] = {}
    for row in await conn.execute(query):
        update_id = row.update_id or row.published_as
        draft_id = None if update_id else row.draft_id
        found[row.item_id] = ItemUse(row.used_at, row.used_by_name, update_id, draft_id)
    return found


@dataclass(frozen=True, slots=True)
class Sighting:
    source_name: str
    url: str  # the item's own link there ("" when it was not kept)


async def other_sources(conn: AsyncConnection, item_ids: list[int]) -> dict[int, list[Sighting]]:
    """Item id → the other sources that carried the same item (merged as a duplicate)."""
    if not item_ids:
        return {}
    query = (
        select(item_sightings.c.item_id, item_sightings.c.url, sources.c.title, sources.c.url)
        .join(sources, sources.c.id == item_sightings.c.source_id)
        .where(item_sightings.c.item_id.in_(item_ids))
        .order_by(item_sightings.c.item_id, sources.c.id)
    )
    found: defaultdict[int, list[Sighting]] = defaultdict(list)
    for item_id, seen_at, title, source_url in await conn.execute(query):
        found[item_id].append(Sighting(_named(title, source_url), seen_at))
    return dict(found)


async def blog_sources(conn: AsyncConnection, blog_id: int) -> list[Source]:
    """The sources that fill the blog's inbox, in the order they were added."""
    attached = exists().where(
        source_blogs.c.blog_id == blog_id, source_blogs.c.source_id == sources.c.id
    )
    return await _sources(conn, attached)


async def item_counts(conn: AsyncConnection) -> dict[int, int]:
    """Source id → how many items are kept under it."""
    query = select(items.c.source_id, func.count()).group_by(items.c.source_id)
    return {source_id: count for source_id, count in await conn.execute(query)}


async def blog_item(conn: AsyncConnection, blog_id: int, item_id: int) -> Item:
    """An item from one of the blog's own sources (dismissed or not); NotFound otherwise, so a
    blog's team sees only what its sources brought."""
    query = select(items).where(items.c.id == item_id, _from_blogs_source(blog_id))
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound(_("There is no item #%(id)s in this blog's inbox.") % {"id": item_id})
    return item_from_row(row)


async def inbox_version(conn: AsyncConnection, blog_id: int) -> str:
    """Changes whenever the inbox would look different: a new, changed, dismissed or used
    item."""
    query = (
        select(func.count(), func.max(items.c.id), func.max(items.c.changed_at))
        .select_from(items.join(sources, sources.c.id == items.c.source_id))
        .where(_in_inbox(blog_id))
    )
    count, newest, changed = (await conn.execute(query)).one()
    stamp = changed.timestamp() if changed is not None else 0
    used = select(func.max(item_uses_table.c.id)).where(item_uses_table.c.blog_id == blog_id)
    return f"{count}-{newest or 0}-{stamp:.6f}-{await conn.scalar(used) or 0}"
