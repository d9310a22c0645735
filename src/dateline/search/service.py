"""Searching, for whoever asks: readers find published updates and stories; a signed-in
newsroom also finds followed items, and the drafts of the blogs they work on (contributors:
their own). One function for the page and the API alike.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.accounts.permissions import member_blog_ids
from dateline.accounts.service import User
from dateline.db import Database
from dateline.db.tables import blogs, items, search_docs, utcnow
from dateline.errors import Invalid
from dateline.i18n import gettext as _
from dateline.numbers import small_int
from dateline.search import engine
from dateline.search.query import Query, parse
from dateline.search.snippets import Marker

MAX_QUERY = 500  # characters of a query; a longer one is refused, not cut silently
MAX_LIMIT = 50
MAX_OFFSET = 1000  # results a search pages through; nobody reads further
PUBLIC = ("update", "story")
TYPES = ("update", "draft", "item", "story")


@dataclass(frozen=True)
class Search:
    """What was asked: the typed words and the filters."""

    q: str
    types: tuple[str, ...] = ()
    blog: str | None = None
    source: int | None = None
    language: str | None = None
    category: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 20
    cursor: str | None = None


@dataclass(frozen=True)
class Hit:
    type: str
    id: int
    title: str
    title_html: Markup
    snippet: Markup
    published_at: datetime
    language: str
    score: float
    blog_slug: str | None = None
    link: str = ""  # a followed item's own address on its site
    time_zone: str = "UTC"  # its blog's, so an update reads as on the live page; else UTC


@dataclass(frozen=True)
class Results:
    query: Query
    hits: list[Hit] = field(default_factory=list)
    next_cursor: str | None = None


async def search(
    db: Database, asked: Search, user: User | None, now: datetime | None = None
) -> Results:
    """A page of results, best first (relevance, then recency); an empty query finds nothing."""
    if len(asked.q) > MAX_QUERY:
        too_long = _("A search may be at most %(n)d characters long.") % {"n": MAX_QUERY}
        raise Invalid({"q": too_long})
    offset = offset_of(asked.cursor)
    query = parse(asked.q)
    if query.empty:
        return Results(query)
    limit = max(1, min(asked.limit, MAX_LIMIT))
    async with db.read() as conn:
        filters = engine.Filters(
            visible=await _visible(conn, user, asked.types),
            kinds=asked.types,
            blog_id=await _blog_id(conn, asked.blog),
            source_id=asked.source,
            language=asked.language,
            category=asked.category,
            since=asked.since,
            until=asked.until,
        )
        rows = await engine.run(conn, query, filters, now or utcnow(), limit + 1, offset)
        hits = await _hits(conn, rows[:limit], query)
    more = len(rows) > limit and offset + limit < MAX_OFFSET
    return Results(query, hits, cursor_of(offset + limit) if more else None)


def cursor_of(offset: int) -> str:
    """An opaque cursor for the page that starts after `offset` results."""
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode().rstrip("=")


def offset_of(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        decoded = ""
    offset = small_int(decoded[1:], 6) if decoded.startswith("o") else None
    if offset is None or offset > MAX_OFFSET:
        raise Invalid({"cursor": _("This cursor is not one a search gave; start again.")})
    return offset


async def _visible(
    conn: AsyncConnection, user: User | None, types: tuple[str, ...]
) -> ColumnElement[bool]:
    kind = search_docs.c.kind
    if user is None:
        return kind.in_(PUBLIC)
    shown = kind.in_((*PUBLIC, "item"))
    if types and "draft" not in types:
        return shown
    if user.role == "admin":
        return or_(shown, kind == "draft")
    own = search_docs.c.author_id == user.id
    team = await member_blog_ids(conn, user) if user.role == "editor" else set()
    on_team = search_docs.c.blog_id.in_(sorted(team)) if team else false()
    return or_(shown, and_(kind == "draft", or_(own, on_team)))


async def _blog_id(conn: AsyncConnection, slug: str | None) -> int | None:
    """The blog filter's id; a slug of no blog gives an id that matches nothing."""
    if slug is None:
        return None
    found = await conn.scalar(select(blogs.c.id).where(blogs.c.slug == slug))
    return int(found) if found is not None else 0


async def _hits(conn: AsyncConnection, rows: list[Any], query: Query) -> list[Hit]:
    places = await _blogs(conn, {row.blog_id for row in rows if row.blog_id})
    links = await _links(conn, [row.item_id for row in rows if row.item_id])
    marker = Marker.of(query)
    hits = []
    for row in rows:
        slug, zone = places.get(row.blog_id, (None, "UTC"))
        hits.append(
            Hit(
                type=row.kind,
                id=row.update_id or row.draft_id or row.item_id or row.story_id,
                title=row.title,
                title_html=marker.highlight(row.title, row.language),
                snippet=marker.snippet(row.body or row.title, row.language),
                published_at=row.published_at,
                language=row.language,
                score=round(float(row.score), 6),
                blog_slug=slug,
                link=links.get(row.item_id, ""),
                time_zone=zone,
            )
        )
    return hits


async def _blogs(conn: AsyncConnection, ids: set[int]) -> dict[int, tuple[str, str]]:
    """blog id → (slug, time zone) of the blogs whose updates and drafts were found."""
    if not ids:
        return {}
    query = select(blogs.c.id, blogs.c.slug, blogs.c.time_zone).where(blogs.c.id.in_(ids))
    return {row.id: (row.slug, row.time_zone) for row in await conn.execute(query)}


async def _links(conn: AsyncConnection, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    found = await conn.execute(select(items.c.id, items.c.url).where(items.c.id.in_(ids)))
    return {row.id: row.url for row in found}
