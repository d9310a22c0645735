"""Sources in and out in bulk: OPML import and export, and feed discovery on any page."""

from __future__ import annotations

from dateline.accounts.service import User
from dateline.config import Settings
from dateline.db import Database
from dateline.errors import Invalid
from dateline.ingest import queries, service
from dateline.ingest.fetch import FetchError
from dateline.ingest.models import SourceDraft
from dateline.ingest.parsers.discover import FeedLink, discover_feeds
from dateline.ingest.parsers.opml import OpmlFeed, parse_opml, write_opml
from dateline.ingest.reading import make_fetcher
from dateline.ingest.service import ImportReport
from dateline.net.ssrf import Resolver, system_resolver


async def import_opml(
    db: Database,
    settings: Settings,
    data: bytes,
    blog_slug: str = "",
    user: User | None = None,
    resolver: Resolver = system_resolver,
) -> ImportReport:
    """Follow every feed of an OPML file (each added or skipped with its reason); a file that
    is not OPML is refused as a whole (ParseError)."""
    feeds = parse_opml(data)
    drafts = [SourceDraft(feed.url, "feed", None, blog_slug, feed.title) for feed in feeds]
    return await service.add_many(db, settings, drafts, user, resolver)


async def export_opml(db: Database, title: str, user: User | None = None) -> str:
    """Every feed source as OPML 2.0 (article and live-blog pages are not feeds: left out).
    `user` None: the server's own CLI."""
    if user is None:
        async with db.read() as conn:
            found = await queries.list_sources(conn)
    else:
        found = await service.list_sources(db, user)
    feeds = [OpmlFeed(s.url, s.name, s.site_url) for s in found if s.kind == "feed"]
    return write_opml(feeds, title)


async def discover(db: Database, settings: Settings, page_url: str, user: User) -> list[FeedLink]:
    """The feeds a page announces with <link rel="alternate">; the page itself when it is a
    feed. Invalid (plain words) when the page cannot be fetched. Only for those who may
    follow sources: nobody else makes the server fetch a page."""
    await service.may_follow_sources(db, user)
    fetcher = make_fetcher(settings)
    try:
        result = await fetcher.fetch(page_url.strip())
    except FetchError as exc:
        raise Invalid({"url": exc.message}) from exc
    finally:
        await fetcher.aclose()
    if any(mark in result.content_type for mark in ("rss", "atom", "feed+json")):
        return [FeedLink(result.url, "", "rss")]
    return discover_feeds(result.body, result.url)
