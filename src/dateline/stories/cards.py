"""What the reader's pages show of stories: cards for the front and topic pages, and one
story's items for its page and feed.

A card speaks the reader's language where it can: its headline (unless an editor set one)
and excerpt come from the story's representative item, the first-published item with a
headline in the reader's language, else the first with a headline in any (so an English
reader of a story first told in German sees the English report's headline once there is
one). All reads are a fixed number of queries per page, whatever the size of the stories.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.db.tables import blogs, item_sightings, items, sources, stories, story_items
from dateline.errors import NotFound
from dateline.i18n import gettext as _
from dateline.text import line

EXCERPT_CHARS = 280
STORY_PAGE_SIZE = 50


@dataclass(frozen=True)
class Outlet:
    title: str
    site_url: str


@dataclass(frozen=True)
class Card:
    """One story as a card: headline, age, "N sources", category, excerpt, the original."""

    story_id: int
    title: str
    language: str
    excerpt: str
    url: str  # the representative item's original ("Read entire article")
    outlet: Outlet | None
    category_code: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    items_count: int
    sources_count: int
    live: bool
    blog_slug: str | None
    time_zone: str  # the blog's, for a live blog's story (its times read as on the blog)


@dataclass(frozen=True)
class StoryItem:
    """One report in a story, with the other outlets that carried it."""

    id: int
    url: str
    title: str
    excerpt: str
    language: str
    published_at: datetime | None
    listed_at: datetime  # published, never later than first seen: the timeline's order
    outlet: Outlet
    also_at: tuple[tuple[str, Outlet], ...]  # (url, outlet)


@dataclass(frozen=True)
class StoryPage:
    card: Card
    items: list[StoryItem]
    page: int
    pages: int


def excerpt(summary: str, text: str) -> str:
    """A card's few lines: the item's own summary, else the start of its text, cut at a word."""
    words = line(summary or text)
    if len(words) <= EXCERPT_CHARS:
        return words
    return words[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " …"


def _with_blog(query: Any) -> Any:
    """`query` of stories with their live blog's slug and time zone (None: not a blog's)."""
    return query.add_columns(blogs.c.slug, blogs.c.time_zone).outerjoin(
        blogs, blogs.c.id == stories.c.blog_id
    )


def _active() -> Any:
    return stories.c.deleted_at.is_(None)


async def front_cards(
    conn: AsyncConnection,
    language: str,
    limit: int,
    *,
    category: str | None = None,
    with_blogs: bool = False,
) -> list[Card]:
    """The most recently active stories, newest first. Stories that are Dateline's own live
    blogs are left out unless `with_blogs`: the front page shows those as live blog cards.
    A blog's story is there before any other outlet's report joins it (the blog is one)."""
    query = _with_blog(select(stories)).where(_active())
    if category is not None:
        query = query.where(stories.c.category_code == category)
    if with_blogs:
        query = query.where(or_(stories.c.items_count > 0, stories.c.blog_id.is_not(None)))
    else:
        query = query.where(stories.c.items_count > 0, stories.c.blog_id.is_(None))
    query = query.order_by(stories.c.last_seen_at.desc(), stories.c.id.desc()).limit(limit)
    rows = (await conn.execute(query)).all()
    leads = await _representatives(conn, [row.id for row in rows], language)
    return [_card(row, leads.get(row.id)) for row in rows]


async def story_card(conn: AsyncConnection, story_id: int, language: str) -> Card:
    """One story as a card; NotFound for a story that is not (or no longer) there."""
    query = _with_blog(select(stories))
    row = (await conn.execute(query.where(stories.c.id == story_id, _active()))).first()
    if row is None:
        raise NotFound(_("There is no story %(id)s.") % {"id": story_id})
    leads = await _representatives(conn, [row.id], language)
    return _card(row, leads.get(row.id))


async def story_page(conn: AsyncConnection, story_id: int, language: str, page: int) -> StoryPage:
    """One story and a page of its reports, oldest first (the story's timeline)."""
    card = await story_card(conn, story_id, language)
    count = select(func.count()).select_from(story_items).where(_originals(story_id))
    total = (await conn.execute(count)).scalar() or 0
    pages = max(1, -(-total // STORY_PAGE_SIZE))
    if page > pages:
        raise NotFound(
            _("This story has %(pages)s pages of reports, not %(page)s.")
            % {"pages": pages, "page": page}
        )
    query = _reports(story_id).order_by(items.c.listed_at, items.c.id)
    query = query.limit(STORY_PAGE_SIZE).offset((page - 1) * STORY_PAGE_SIZE)
    return StoryPage(card, await _story_items(conn, query), page, pages)


async def newest_reports(conn: AsyncConnection, story_id: int, limit: int) -> list[StoryItem]:
    """The story's latest reports, newest first: its feed."""
    query = _reports(story_id).order_by(items.c.listed_at.desc(), items.c.id.desc())
    return await _story_items(conn, query.limit(limit))


def _originals(story_id: int) -> Any:
    """A story's reports; near-duplicates are their original's `also_at`, not reports."""
    return and_(story_items.c.story_id == story_id, story_items.c.duplicate_of.is_(None))


def _reports(story_id: int) -> Any:
    return (
        select(
            items.c.id,
            items.c.url,
            items.c.title,
            items.c.summary,
            func.substr(items.c.text, 1, EXCERPT_CHARS * 2).label("text"),
            items.c.language,
            items.c.published_at,
            items.c.listed_at,
            sources.c.title.label("outlet"),
            sources.c.site_url,
        )
        .join(story_items, story_items.c.item_id == items.c.id)
        .join(sources, sources.c.id == items.c.source_id)
        .where(_originals(story_id))
    )


async def _story_items(conn: AsyncConnection, query: Any) -> list[StoryItem]:
    found = (await conn.execute(query)).all()
    also = await _also_at(conn, [r.id for r in found])
    return [
        StoryItem(
            id=r.id,
            url=web_url(r.url),
            title=r.title,
            excerpt=excerpt(r.summary, r.text),
            language=r.language,
            published_at=r.published_at,
            listed_at=r.listed_at,
            outlet=Outlet(r.outlet or _host(r.site_url or r.url), web_url(r.site_url)),
            also_at=tuple(also.get(r.id, ())),
        )
        for r in found
    ]


async def _representatives(
    conn: AsyncConnection, story_ids: Sequence[int], language: str
) -> dict[int, Any]:
    """Each story's representative item (see the module docstring), in one query."""
    if not story_ids:
        return {}
    primary = language.split("-")[0]
    rank = func.row_number().over(
        partition_by=story_items.c.story_id,
        order_by=(
            case((items.c.title == "", 1), else_=0),
            case((items.c.language == primary, 0), else_=1),
            items.c.listed_at,
            items.c.id,
        ),
    )
    ranked = (
        select(
            story_items.c.story_id,
            items.c.url,
            items.c.title,
            items.c.summary,
            func.substr(items.c.text, 1, EXCERPT_CHARS * 2).label("text"),
            items.c.language,
            sources.c.title.label("outlet"),
            sources.c.site_url,
            rank.label("rank"),
        )
        .join(items, items.c.id == story_items.c.item_id)
        .join(sources, sources.c.id == items.c.source_id)
        .where(story_items.c.story_id.in_(story_ids), story_items.c.duplicate_of.is_(None))
        .subquery()
    )
    rows = (await conn.execute(select(ranked).where(ranked.c.rank == 1))).all()
    return {row.story_id: row for row in rows}


async def _also_at(
    conn: AsyncConnection, item_ids: list[int]
) -> dict[int, list[tuple[str, Outlet]]]:
    """The other outlets of each report: exact copies seen elsewhere (sightings, with their
    own link) and near-duplicates (wire copies, rewrites) placed as its copies."""
    found: dict[int, list[tuple[str, Outlet]]] = {}
    if not item_ids:
        return found
    sighted = (
        select(item_sightings.c.item_id, item_sightings.c.url, sources.c.title, sources.c.site_url)
        .join(sources, sources.c.id == item_sightings.c.source_id)
        .where(item_sightings.c.item_id.in_(item_ids))
    )
    copies = (
        select(story_items.c.duplicate_of, items.c.url, sources.c.title, sources.c.site_url)
        .join(items, items.c.id == story_items.c.item_id)
        .join(sources, sources.c.id == items.c.source_id)
        .where(story_items.c.duplicate_of.in_(item_ids))
    )
    for query in (sighted, copies):
        for original, url, title, site_url in (await conn.execute(query)).all():
            address = web_url(url) or web_url(site_url)
            if address:
                outlet = Outlet(title or _host(site_url or url), web_url(site_url))
                found.setdefault(original, []).append((address, outlet))
    return found


def _card(row: Any, lead: Any) -> Card:
    """An editor's title is the story's in every language; else the representative's."""
    title = row.title if row.title_locked else ""
    title = title or (lead.title if lead is not None and lead.title else "") or row.title
    return Card(
        story_id=row.id,
        title=title or _("Untitled story"),
        language=(lead.language if lead is not None else "") or row.language,
        excerpt=excerpt(lead.summary, lead.text) if lead is not None else row.summary,
        url=web_url(lead.url) if lead is not None else "",
        outlet=Outlet(lead.outlet or _host(lead.site_url or lead.url), web_url(lead.site_url))
        if lead is not None
        else None,
        category_code=row.category_code,
        first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at,
        items_count=row.items_count,
        sources_count=row.sources_count,
        live=row.live,
        blog_slug=row.slug,
        time_zone=row.time_zone or "UTC",
    )


def web_url(url: str) -> str:
    """`url` when it is a web address; "" for anything else a source may have written
    (javascript:, data:), so no page links to it."""
    return url if url.lower().startswith(("https://", "http://")) else ""


def _host(url: str) -> str:
    """An unnamed outlet is called by its host, once ("www." dropped)."""
    host = url.split("://", 1)[-1].split("/", 1)[0]
    return host.removeprefix("www.")
