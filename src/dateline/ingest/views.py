"""What the ingest editor pages show, each read in one place (routes stay parse → call →
render): the sources page, a blog's inbox, and an inbox item turned into a draft update."""

from __future__ import annotations

from dataclasses import dataclass

from dateline.accounts.permissions import Action, authorize
from dateline.accounts.service import User
from dateline.db import Database
from dateline.ingest import queries, service
from dateline.ingest.models import InboxItem, Item, Source
from dateline.liveblog import queries as blog_queries
from dateline.liveblog import team
from dateline.liveblog.models import Blog, UpdateDraft

INBOX_PAGE = 30


@dataclass(frozen=True)
class SourcesView:
    sources: list[Source]
    blogs: list[tuple[str, str]]  # (slug, title) for the "show in the inbox of" choice


@dataclass(frozen=True)
class InboxView:
    blog: Blog
    items: list[InboxItem]
    version: str  # ETag of the first page: changes when an item comes, changes or goes
    older: int | None  # cursor of the next page


@dataclass(frozen=True)
class Composed:
    blog: Blog
    item: Item
    source_name: str
    draft: UpdateDraft


async def sources_view(db: Database, user: User) -> SourcesView:
    async with db.read() as conn:
        await authorize(conn, user, Action.MANAGE_SOURCES)
        found = await queries.list_sources(conn)
        blogs = await blog_queries.list_blogs(conn)
    return SourcesView(found, [(s.blog.slug, s.blog.title) for s in blogs if s.blog.is_live])


async def inbox_view(db: Database, slug: str, user: User, before: int | None) -> InboxView:
    """A page of the blog's inbox, newest first; only for people who work on the blog."""
    async with db.read() as conn:
        blog = await team.authorized_blog(conn, slug, user, Action.WRITE_DRAFT)
        found = await queries.inbox(conn, blog.id, INBOX_PAGE + 1, before)
        version = await queries.inbox_version(conn, blog.id)
    older = found[INBOX_PAGE - 1].item.id if len(found) > INBOX_PAGE else None
    return InboxView(blog, found[:INBOX_PAGE], version, older)


async def compose(db: Database, slug: str, item_id: int, user: User) -> Composed:
    """The update form's draft made from one item of the blog's inbox."""
    async with db.read() as conn:
        blog = await team.authorized_blog(conn, slug, user, Action.WRITE_DRAFT)
        item = await queries.blog_item(conn, blog.id, item_id)
        source = await queries.source_by_id(conn, item.source_id)
    return Composed(blog, item, source.name, service.compose_update(item, source.name))
