"""Reads: one function per question the pages and the API ask. No writes here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.comments import queries as comment_queries
from dateline.db.tables import blogs, facts, images, update_images, updates
from dateline.errors import NotFound
from dateline.i18n import gettext as _
from dateline.i18n import ngettext
from dateline.liveblog.models import LIMITS, SLUG, Blog, Image, Update, short_title

NEWEST_FIRST = (updates.c.published_at.desc(), updates.c.id.desc())


@dataclass(frozen=True)
class BlogSummary:
    blog: Blog
    update_count: int
    last_update_at: datetime | None
    comment_count: int = 0  # approved readers' comments


@dataclass(frozen=True)
class KeyEvent:
    id: int
    published_at: datetime
    title: str


def visible(key_events_only: bool = False) -> ColumnElement[bool]:
    """Updates a reader sees: live ones, and deleted ones that carry a correction note."""
    if key_events_only:
        return and_(updates.c.key_event, updates.c.deleted_at.is_(None))
    return or_(updates.c.deleted_at.is_(None), updates.c.correction_note != "")


async def blog_by_slug(conn: AsyncConnection, slug: str, *, lock: bool = False) -> Blog:
    """The blog at /live/{slug}. A slug no blog could have (see models.SLUG) is not looked up:
    addresses come from anyone, and PostgreSQL refuses some text (NUL) with an error."""
    row = None
    if SLUG.match(slug) and len(slug) <= LIMITS["slug"]:
        query = select(blogs).where(blogs.c.slug == slug)
        row = (await conn.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        raise NotFound(_("There is no live blog at %(address)s.") % {"address": f"/live/{slug}"})
    return Blog.from_row(row)


async def list_blogs(conn: AsyncConnection) -> list[BlogSummary]:
    live = updates.c.deleted_at.is_(None)
    counts = (
        select(
            updates.c.blog_id,
            func.count().label("n"),
            func.max(updates.c.published_at).label("last"),
        )
        .where(live)
        .group_by(updates.c.blog_id)
        .subquery()
    )
    query = (
        select(blogs, counts.c.n, counts.c.last)
        .outerjoin(counts, counts.c.blog_id == blogs.c.id)
        .order_by((blogs.c.status == "live").desc(), blogs.c.updated_at.desc())
    )
    rows = (await conn.execute(query)).all()
    comments = await comment_queries.approved_counts(conn, [row.id for row in rows])
    return [
        BlogSummary(Blog.from_row(row), row.n or 0, row.last, comments.get(row.id, 0))
        for row in rows
    ]


async def stream_page(
    conn: AsyncConnection, blog_id: int, page: int, page_size: int, key_events_only: bool
) -> tuple[list[Update], int, int]:
    """One page of the stream, newest first; how many entries the whole stream shows (deletion
    notes included: they take a place on a page) and how many of them are live updates (what
    "N updates" counts, as the front page does)."""
    where = and_(updates.c.blog_id == blog_id, visible(key_events_only))
    counts = select(func.count(), func.count(updates.c.deleted_at)).where(where)
    entries, deleted = (await conn.execute(counts)).one()
    query = (
        select(updates)
        .where(where)
        .order_by(*NEWEST_FIRST)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return await _with_images(conn, (await conn.execute(query)).all()), entries, entries - deleted


@dataclass(frozen=True)
class StreamCounts:
    updates: int  # live ones, as the filter bar and the front page count them
    key_events: int


async def stream_counts(conn: AsyncConnection, blog_id: int) -> StreamCounts:
    """What the filter bar says, for the live stream to keep it current."""
    query = select(func.count(), func.count(case((updates.c.key_event, 1)))).where(
        updates.c.blog_id == blog_id, updates.c.deleted_at.is_(None)
    )
    total, key_events = (await conn.execute(query)).one()
    return StreamCounts(total, key_events)


async def updates_before(
    conn: AsyncConnection, blog_id: int, limit: int, before: int | None, key_events_only: bool
) -> list[Update]:
    """Cursor pagination for the API: the `limit` updates older than update `before`."""
    where = [updates.c.blog_id == blog_id, updates.c.deleted_at.is_(None)]
    if key_events_only:
        where.append(updates.c.key_event)
    if before is not None:
        anchor = await update_by_id(conn, blog_id, before)
        where.append(_older_than(anchor))
    query = select(updates).where(*where).order_by(*NEWEST_FIRST).limit(limit)
    return await _with_images(conn, (await conn.execute(query)).all())


async def key_events(conn: AsyncConnection, blog_id: int) -> list[KeyEvent]:
    """The key events list: only the columns it shows (a blog may have hundreds)."""
    columns = (updates.c.id, updates.c.published_at, updates.c.headline, updates.c.body_text)
    query = (
        select(*columns)
        .where(updates.c.blog_id == blog_id, visible(key_events_only=True))
        .order_by(*NEWEST_FIRST)
    )
    rows = (await conn.execute(query)).all()
    return [KeyEvent(r.id, r.published_at, short_title(r.headline, r.body_text)) for r in rows]


async def pinned_update(conn: AsyncConnection, blog_id: int) -> Update | None:
    query = select(updates).where(
        updates.c.blog_id == blog_id, updates.c.pinned, updates.c.deleted_at.is_(None)
    )
    found = await _with_images(conn, (await conn.execute(query.limit(1))).all())
    return found[0] if found else None


async def update_by_id(conn: AsyncConnection, blog_id: int, update_id: int) -> Update:
    query = select(updates).where(updates.c.blog_id == blog_id, updates.c.id == update_id)
    found = await _with_images(conn, (await conn.execute(query)).all())
    if not found:
        raise NotFound(_("There is no update %(id)s in this live blog.") % {"id": update_id})
    return found[0]


async def updates_by_ids(
    conn: AsyncConnection, blog_id: int, update_ids: Sequence[int]
) -> dict[int, Update]:
    """Several updates by id in two queries (rows, images): what a replay of the log needs."""
    if not update_ids:
        return {}
    query = select(updates).where(updates.c.blog_id == blog_id, updates.c.id.in_(update_ids))
    found = await _with_images(conn, (await conn.execute(query)).all())
    return {update.id: update for update in found}


async def page_of(conn: AsyncConnection, update: Update, page_size: int) -> int:
    """Which page of the full stream shows this update."""
    newer = (
        await conn.execute(
            select(func.count())
            .select_from(updates)
            .where(
                updates.c.blog_id == update.blog_id,
                visible(),
                ~_older_than(update),
                updates.c.id != update.id,
            )
        )
    ).scalar() or 0
    return newer // page_size + 1


def _older_than(anchor: Update) -> ColumnElement[bool]:
    return or_(
        updates.c.published_at < anchor.published_at,
        and_(updates.c.published_at == anchor.published_at, updates.c.id < anchor.id),
    )


async def _with_images(conn: AsyncConnection, rows: Sequence[Any]) -> list[Update]:
    """Attach images to updates with one query for the whole page."""
    ids = [row.id for row in rows]
    by_update: dict[int, list[Image]] = defaultdict(list)
    if ids:
        query = (
            select(update_images, images.c.width, images.c.height, images.c.widths)
            .join(images, images.c.hash == update_images.c.image_hash)
            .where(update_images.c.update_id.in_(ids))
            .order_by(update_images.c.update_id, update_images.c.position)
        )
        for r in (await conn.execute(query)).all():
            by_update[r.update_id].append(
                Image(r.image_hash, r.alt, r.caption, r.credit, r.width, r.height, r.widths)
            )
    return [_update(row, tuple(by_update[row.id])) for row in rows]


def _update(row: Any, attached: tuple[Image, ...] = ()) -> Update:
    fields = {name: getattr(row, name) for name in Update.__dataclass_fields__ if name != "images"}
    return Update(**fields, images=attached)


@dataclass(frozen=True)
class ReaderPage:
    """Everything /live/{slug} shows, read in one connection."""

    blog: Blog
    updates: list[Update]
    total: int  # live updates (deletion notes are shown but not counted)
    page: int
    pages: int
    key_events_only: bool
    key_events: list[KeyEvent]
    pinned: Update | None
    # "Last update" means the newest live update's time, as the front page and the desk say:
    # a recap edit or a key-event mark changes the blog, not what readers call an update.
    last_update_at: datetime | None


async def last_update_at(conn: AsyncConnection, blog_id: int) -> datetime | None:
    """When the blog's newest live (not deleted) update was published; None before the first."""
    query = select(func.max(updates.c.published_at)).where(
        updates.c.blog_id == blog_id, updates.c.deleted_at.is_(None)
    )
    found: datetime | None = (await conn.execute(query)).scalar()
    return found


async def reader_page(
    conn: AsyncConnection, slug: str, page: int, page_size: int, key_events_only: bool
) -> ReaderPage:
    blog = await blog_by_slug(conn, slug)
    stream, entries, total = await stream_page(conn, blog.id, page, page_size, key_events_only)
    pages = max(1, -(-entries // page_size))
    if page > pages:
        raise NotFound(
            ngettext(
                "This live blog has %(pages)s page of updates, not %(page)s.",
                "This live blog has %(pages)s pages of updates, not %(page)s.",
                pages,
            )
            % {"pages": pages, "page": page}
        )
    return ReaderPage(
        blog=blog,
        updates=stream,
        total=total,
        page=page,
        pages=pages,
        key_events_only=key_events_only,
        key_events=await key_events(conn, blog.id),
        # The pinned box shows only on the first page of the full stream.
        pinned=await pinned_update(conn, blog.id) if page == 1 and not key_events_only else None,
        last_update_at=await last_update_at(conn, blog.id),
    )


# Reads for feeds, the embed and sharing (dateline.distribution) ----------------------------


@dataclass(frozen=True)
class BlogSet:
    """The blogs a category or site-wide feed spans, summarised for its ETag and title."""

    count: int
    seq_total: int
    updated_at: datetime | None
    name: str


def _in_category(name: str) -> ColumnElement[bool]:
    """Case-insensitive, with the database lowering both sides so they always agree."""
    return func.lower(blogs.c.category) == func.lower(name)


async def blog_set(conn: AsyncConnection, category: str | None = None) -> BlogSet:
    """Every change bumps one blog's last_seq by one, so the sum moves with each change."""
    query = select(
        func.count(),
        func.coalesce(func.sum(blogs.c.last_seq), 0),
        func.max(blogs.c.updated_at),
        func.min(blogs.c.category),
    )
    if category is not None:
        query = query.where(_in_category(category))
    count, seq_total, updated_at, name = (await conn.execute(query)).one()
    if category is not None and (not category or not count):
        raise NotFound(
            _("There is no live coverage in the category “%(name)s”.") % {"name": category}
        )
    return BlogSet(count, int(seq_total), updated_at, name if category is not None else "")


async def latest_updates(
    conn: AsyncConnection,
    limit: int,
    *,
    blog_id: int | None = None,
    category: str | None = None,
    key_events_only: bool = False,
) -> list[Update]:
    """The newest live updates of one blog, of a category, or of the whole site (feeds, embed).

    Deleted updates are left out even with a correction note: a feed entry cannot be unsaid.
    """
    query = select(updates).where(updates.c.deleted_at.is_(None))
    if key_events_only:
        query = query.where(updates.c.key_event)
    if blog_id is not None:
        query = query.where(updates.c.blog_id == blog_id)
    if category is not None:
        query = query.where(updates.c.blog_id.in_(select(blogs.c.id).where(_in_category(category))))
    query = query.order_by(*NEWEST_FIRST).limit(limit)
    return await _with_images(conn, (await conn.execute(query)).all())


async def blogs_by_id(conn: AsyncConnection, ids: set[int]) -> dict[int, Blog]:
    if not ids:
        return {}
    rows = (await conn.execute(select(blogs).where(blogs.c.id.in_(ids)))).all()
    return {row.id: Blog.from_row(row) for row in rows}


async def blog_by_id(conn: AsyncConnection, blog_id: int) -> Blog:
    found = await blogs_by_id(conn, {blog_id})
    if blog_id not in found:
        raise NotFound(_("Blog %(id)s no longer exists.") % {"id": blog_id})
    return found[blog_id]


async def has_facts(conn: AsyncConnection, blog_id: int) -> bool:
    """Has the blog a fact for readers (its page then links to its facts page)? Readers see
    every fact but a rejected one (facts.records.SHOWN_TO_READERS; the facts package reads
    blogs, so this package asks the table itself)."""
    query = select(facts.c.id).where(facts.c.blog_id == blog_id, facts.c.review != "rejected")
    return (await conn.execute(query.limit(1))).first() is not None
