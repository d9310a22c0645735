"""What the ingest editor pages show, each read in one place (routes stay parse → call →
render): the sources page, a blog's inbox, and an inbox item turned into a draft update."""

from __future__ import annotations

from dataclasses import dataclass, replace

from dateline.accounts.permissions import Action, authorize
from dateline.accounts.service import User
from dateline.config import Settings
from dateline.db import Database
from dateline.errors import Invalid
from dateline.i18n import gettext as _
from dateline.ingest import exchange, present, queries, service
from dateline.ingest.models import InboxItem, Item, Source
from dateline.ingest.parsers.discover import FeedLink
from dateline.ingest.queries import InboxFilter, ItemUse, Sighting
from dateline.liveblog import queries as blog_queries
from dateline.liveblog import team
from dateline.liveblog.models import Blog, UpdateDraft
from dateline.net.ssrf import RefusedURL, check_url

INBOX_PAGE = 30
FIRST_SHOWN = {"failing": 0, "retrying": 1, "ok": 2}  # the sources that need a look come first
PRIVATE_REFUSALS = {"not_public", "leads_to_not_public"}


@dataclass(frozen=True)
class SourceRow:
    source: Source
    state: str  # "ok", "retrying" or "failing" (present.STATES)
    state_words: str
    items: int  # kept under it


@dataclass(frozen=True)
class SourcesView:
    rows: list[SourceRow]
    blogs: list[tuple[str, str]]  # (slug, title) for the "show in the inbox of" choice


@dataclass(frozen=True)
class InboxRow:
    item: Item
    source_name: str
    use: ItemUse | None  # when the team last made an update or a draft of it
    also_from: list[Sighting]  # other sources that carried it


@dataclass(frozen=True)
class InboxView:
    blog: Blog
    rows: list[InboxRow]
    version: str  # ETag of the first page: changes when an item comes, changes or goes
    older: int | None  # cursor of the next page
    only: InboxFilter
    sources: list[Source]  # the blog's sources, to filter by


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
        counts = await queries.item_counts(conn)
        blogs = await blog_queries.list_blogs(conn)
    rows = [
        SourceRow(s, present.state_of(s), present.state_words(s), counts.get(s.id, 0))
        for s in found
    ]
    rows.sort(key=lambda row: (FIRST_SHOWN[row.state], row.source.id))
    return SourcesView(rows, [(s.blog.slug, s.blog.title) for s in blogs if s.blog.is_live])


async def inbox_view(
    db: Database, slug: str, user: User, before: int | None, only: InboxFilter
) -> InboxView:
    """A page of the blog's inbox, newest first, as filtered; only for people who work on
    the blog. A source that does not feed this blog filters to nothing."""
    async with db.read() as conn:
        blog = await team.authorized_blog(conn, slug, user, Action.WRITE_DRAFT)
        found = await queries.inbox(conn, blog.id, INBOX_PAGE + 1, before, only)
        version = await queries.inbox_version(conn, blog.id)
        shown = found[:INBOX_PAGE]
        ids = [entry.item.id for entry in shown]
        uses = await queries.item_uses(conn, blog.id, ids)
        others = await queries.other_sources(conn, ids)
        sources = await queries.blog_sources(conn, blog.id)
    older = found[INBOX_PAGE - 1].item.id if len(found) > INBOX_PAGE else None
    rows = [_row(entry, uses.get(entry.item.id), others.get(entry.item.id, [])) for entry in shown]
    return InboxView(blog, rows, version, older, only, sources)


def _row(entry: InboxItem, use: ItemUse | None, seen: list[Sighting]) -> InboxRow:
    return InboxRow(entry.item, entry.source_name, use, seen)


async def compose(db: Database, slug: str, item_id: int, user: User) -> Composed:
    """The update form's draft made from one item of the blog's inbox."""
    async with db.read() as conn:
        blog = await team.authorized_blog(conn, slug, user, Action.WRITE_DRAFT)
        item = await queries.blog_item(conn, blog.id, item_id)
        source = await queries.source_by_id(conn, item.source_id)
    return Composed(blog, item, source.name, service.compose_update(item, source.name))


def as_typed(composed: Composed, draft: UpdateDraft) -> Composed:
    """The same item with the editor's own text, to show the form again."""
    return replace(composed, draft=draft)


async def check_address(settings: Settings, url: str) -> None:
    """Invalid when the address is refused as private or local, naming the setting that
    allows it (intranet feeds); every other refusal is add_source's to explain."""
    try:
        await check_url(url.strip(), settings.allow_private_sources)
    except RefusedURL as exc:
        if exc.phrase.code in PRIVATE_REFUSALS:
            hint = _(
                "To follow sources on a private network, the server's administrator can set"
                " DATELINE_ALLOW_PRIVATE_SOURCES=1."
            )
            raise Invalid({"url": f"{exc.message} {hint}"}) from exc


async def feeds_instead(
    db: Database, settings: Settings, url: str, user: User
) -> list[FeedLink] | None:
    """The feeds a web page announces, when the address given as a feed is such a page; None
    when it is a feed (or cannot be read now: the source is added and its state says why)."""
    try:
        found = await exchange.discover(db, settings, url, user)
    except Invalid:
        return None
    if not found or any(feed.url == url.strip() for feed in found):
        return None
    return found
