"""Use cases of sources: follow one (CLI, API, editor page), import many from OPML, stop
following, and turn an inbox item into a draft update. Transactions and rules live here;
fetching and storing items is the worker's (worker.py, store.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.accounts.permissions import Action, authorize
from dateline.accounts.service import User
from dateline.config import Settings
from dateline.db import Database, insert_new
from dateline.db.tables import item_dismissals, items, source_blogs, sources
from dateline.db.tables import utcnow as now
from dateline.errors import Conflict, DatelineError, Invalid, NotFound
from dateline.i18n import gettext as _
from dateline.ingest import queries
from dateline.ingest.models import OK, Item, Source, SourceDraft
from dateline.ingest.parsers.canonical import canonicalize
from dateline.ingest.parsers.items import SOURCE_KINDS
from dateline.liveblog import queries as blog_queries
from dateline.liveblog import team
from dateline.liveblog.models import UpdateDraft
from dateline.net.ssrf import RefusedURL, Resolver, check_url, system_resolver

MIN_INTERVAL, MAX_INTERVAL = 60, 7 * 86400
UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
QUOTE_CHARS = 400  # how much of an item the prefilled update quotes


def parse_interval(text: str) -> int:
    """ "90", "90s", "5m", "2h", "1d" → seconds; Invalid with plain words otherwise."""
    match = re.fullmatch(r"\s*(\d{1,7})\s*([smhd]?)\s*", text.lower())
    if match is None:
        raise Invalid({"interval": _("Write the interval as seconds or like 5m, 2h or 1d.")})
    return int(match.group(1)) * UNITS[match.group(2)]


async def add_source(
    db: Database,
    settings: Settings,
    draft: SourceDraft,
    user: User | None = None,
    resolver: Resolver = system_resolver,
) -> Source:
    """Follow a source: checked (kind, interval, address, blog), fetched soon after. A
    source already followed is added to the named blog's inbox instead: one wire feed can
    serve several live blogs. `user` None: the server's own CLI."""
    await may_follow_sources(db, user)
    url, kind, interval = await _checked(settings, draft, resolver)
    canonical = canonicalize(url)
    async with db.write() as conn:
        blog_id = await _blog_for_source(conn, draft.blog_slug, user)
        moment = now()
        statement = insert_new(conn, sources).values(
            url=url,
            canonical_url=canonical,
            kind=kind,
            title=draft.title[:300],
            site_url="",
            interval_seconds=interval,
            next_fetch_at=moment,  # due at once: the editor wants to see items now
            consecutive_failures=0,
            status=OK,
            last_error="",
            created_by=user.id if user else None,
            created_at=moment,
        )
        source_id = (await conn.execute(statement.returning(sources.c.id))).scalar_one_or_none()
        if source_id is None:
            taken = await queries.source_by_canonical_url(conn, canonical)
            assert taken is not None  # the conflict was on canonical_url
            if blog_id is None or blog_id in dict(taken.blogs):
                raise Conflict(_followed(url, draft.blog_slug if blog_id else "", taken.id))
            source_id = taken.id
        if blog_id is not None:
            await conn.execute(
                insert_new(conn, source_blogs).values(
                    source_id=source_id,
                    blog_id=blog_id,
                    added_by=user.id if user else None,
                    added_at=moment,
                )
            )
        return await queries.source_by_id(conn, source_id)


def _followed(url: str, slug: str, source_id: int) -> str:
    if slug:
        return _(
            "%(url)s is already followed in the inbox of /live/%(slug)s as source #%(id)s."
        ) % {
            "url": url,
            "slug": slug,
            "id": source_id,
        }
    return _("%(url)s is already followed as source #%(id)s.") % {"url": url, "id": source_id}


async def _blog_for_source(conn: AsyncConnection, slug: str, user: User | None) -> int | None:
    """The id of the blog whose inbox the source is to fill (None: no blog named). A blog's
    inbox is its editors' to fill."""
    if not slug:
        return None
    try:
        blog_id = (await blog_queries.blog_by_slug(conn, slug)).id
    except NotFound as exc:
        raise Invalid({"blog": exc.message}) from exc
    if user is not None:
        await authorize(conn, user, Action.MANAGE_BLOG, blog_id)
    return blog_id


async def _checked(
    settings: Settings, draft: SourceDraft, resolver: Resolver
) -> tuple[str, str, int]:
    errors: dict[str, str] = {}
    kind = draft.kind or "feed"
    if kind not in SOURCE_KINDS:
        errors["kind"] = _("The kind must be feed, article or liveblog.")
    interval = draft.interval_seconds or settings.source_interval_seconds
    if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
        errors["interval"] = _("The interval must be between one minute and one week.")
    url = draft.url.strip()
    if not url:
        errors["url"] = _("Give the address of a feed or page.")
    else:
        try:
            url = str(await check_url(url, settings.allow_private_sources, resolver))
        except RefusedURL as exc:
            errors["url"] = exc.message
    if errors:
        raise Invalid(errors)
    return url, kind, interval


@dataclass
class ImportReport:
    added: list[Source] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (url, why)


async def add_many(
    db: Database,
    settings: Settings,
    drafts: list[SourceDraft],
    user: User | None = None,
    resolver: Resolver = system_resolver,
) -> ImportReport:
    """Follow many sources (OPML import): each one added or skipped with its reason."""
    await may_follow_sources(db, user)
    report = ImportReport()
    for draft in drafts:
        try:
            report.added.append(await add_source(db, settings, draft, user, resolver))
        except DatelineError as exc:
            report.skipped.append((draft.url, exc.message))
    return report


async def delete_source(db: Database, source_id: int, user: User | None) -> None:
    """Stop following a source; its items go with it. A source feeding blogs' inboxes is
    theirs to drop: the user must edit every one of them."""
    await may_follow_sources(db, user)
    async with db.write() as conn:
        source = await queries.source_by_id(conn, source_id)
        if user is not None:
            for blog_id, _ in source.blogs:
                await authorize(conn, user, Action.MANAGE_BLOG, blog_id)
        await conn.execute(delete(sources).where(sources.c.id == source_id))


async def dismiss(db: Database, slug: str, item_id: int, user: User) -> None:
    """Remove an item from one blog's inbox (other blogs and the API still have it)."""
    async with db.write() as conn:
        blog_id = (await team.authorized_blog(conn, slug, user, Action.WRITE_DRAFT)).id
        await queries.blog_item(conn, blog_id, item_id)
        await conn.execute(
            insert_new(conn, item_dismissals).values(
                item_id=item_id, blog_id=blog_id, dismissed_by=user.id, dismissed_at=now()
            )
        )


async def list_sources(db: Database, user: User) -> list[Source]:
    """Every source with its state: for the accounts that may follow sources."""
    async with db.read() as conn:
        await authorize(conn, user, Action.MANAGE_SOURCES)
        return await queries.list_sources(conn)


async def get_source(db: Database, user: User, source_id: int) -> Source:
    async with db.read() as conn:
        await authorize(conn, user, Action.MANAGE_SOURCES)
        return await queries.source_by_id(conn, source_id)


async def source_items(
    db: Database, user: User, source_id: int, limit: int, before: int | None = None
) -> list[Item]:
    """A page of the source's items, newest first (NotFound for an unknown source)."""
    async with db.read() as conn:
        await authorize(conn, user, Action.MANAGE_SOURCES)
        await queries.source_by_id(conn, source_id)
        return await queries.items_of_source(conn, source_id, limit, before)


async def may_follow_sources(db: Database, user: User | None) -> None:
    """Forbidden unless the user may follow sources (None: the server's own CLI may)."""
    if user is not None:
        async with db.read() as conn:
            await authorize(conn, user, Action.MANAGE_SOURCES)


async def item_count(db: Database) -> int:
    async with db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(items))).scalar_one())


def compose_update(item: Item, source_name: str) -> UpdateDraft:
    """The update form prefilled from an item: its headline, a short quote as a Markdown
    blockquote, the source's name and a link to the whole article. Nothing is published
    until the editor presses Publish."""
    words = " ".join((item.text or item.summary).split())
    if len(words) > QUOTE_CHARS:
        words = words[:QUOTE_CHARS].rsplit(" ", 1)[0] + "…"
    lines = [f"> {words}", ">", f"> — {source_name}"] if words else [f"— {source_name}"]
    read_all = _("Read entire article")  # in the editor's language, who may reword it
    body = "\n".join([*lines, "", f"[{read_all}]({_link(item.url)})"])
    return UpdateDraft(body=body, headline=item.title[:200])


def _link(url: str) -> str:
    """A URL safe inside Markdown link parentheses."""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
