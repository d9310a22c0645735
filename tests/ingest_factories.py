"""Factories for the ingest tests: sources added through the service, parsed documents built
by hand (the parser contract of dateline.ingest.parsers.items), and outcomes stored like the
worker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from ipaddress import ip_address

from sqlalchemy import update

from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import sources
from dateline.ingest import queries, schedule, service, store
from dateline.ingest.models import Source, SourceDraft
from dateline.ingest.parsers.canonical import canonicalize
from dateline.ingest.parsers.items import ParsedDocument, ParsedItem
from dateline.net.ssrf import IPAddress

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def ingest_settings(settings: Settings) -> Settings:
    """Tests fetch from 127.0.0.1 and do not wait between requests to it."""
    return settings.model_copy(
        update={
            "allow_private_sources": True,
            "fetch_host_delay_seconds": 0.0,
            "fetch_timeout_seconds": 5.0,
            "ingest_poll_seconds": 0.05,
            "item_retention_days": 0,  # the real pages and feeds here are years old
        }
    )


async def public_resolver(host: str, port: int) -> list[IPAddress]:
    """DNS is a true external: the made-up example hosts resolve to a documentation-free
    public address, so the SSRF rules run as they would for a real newsroom source."""
    return [ip_address("93.184.215.14")]


async def add(
    db: Database, settings: Settings, url: str, kind: str = "feed", blog: str = ""
) -> Source:
    draft = SourceDraft(url, kind, None, blog)
    return await service.add_source(db, settings, draft, resolver=public_resolver)


def item(
    n: int, text: str = "", url: str = "", external_id: str = "", **fields: object
) -> ParsedItem:
    link = url or f"https://wire.example.org/story-{n}"
    return ParsedItem(
        url=link,
        canonical_url=canonicalize(link, keep_fragment="#" in link),
        title=str(fields.pop("title", f"Story {n}")),
        text=text or f"Words of story {n}.",
        external_id=external_id,
        **{"published_at": T0 + timedelta(minutes=n), **fields},  # type: ignore[arg-type]
    )


def document(*items: ParsedItem, title: str = "Example Wire", kind: str = "feed") -> ParsedDocument:
    return ParsedDocument(kind=kind, title=title, items=tuple(items))  # type: ignore[arg-type]


async def store_document(db: Database, source: Source, parsed: ParsedDocument) -> store.Tally:
    """Claim the source and store a fetch that gave `parsed`, as the worker would."""
    (claimed,) = await schedule.claim(db, 1, 60, only=[source.id])
    outcome = store.parsed(claimed, datetime.now(UTC), parsed, store.item_binder(db), etag='"v1"')
    return await store.record(db, [outcome])


async def store_failure(
    db: Database, source: Source, error: str, retry_after: float | None = None
) -> None:
    (claimed,) = await schedule.claim(db, 1, 60, only=[source.id])
    outcome = store.Outcome(claimed, datetime.now(UTC), error=error, retry_after=retry_after)
    await store.record(db, [outcome])


def rss(title: str, entries: list[tuple[str, str, str]]) -> bytes:
    """An RSS 2.0 feed: entries are (guid, title, text), newest first."""
    items_xml = "".join(
        f"<item><guid>{guid}</guid><title>{headline}</title>"
        f"<link>https://wire.example.org/{guid}</link><description>{text}</description>"
        f"<pubDate>Sun, 29 Nov 2026 12:{59 - n:02d}:00 GMT</pubDate></item>"
        for n, (guid, headline, text) in enumerate(entries)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://wire.example.org/</link>{items_xml}"
        "</channel></rss>"
    ).encode()


async def make_due(db: Database) -> None:
    """Every source due now, as if its interval had passed."""
    async with db.write() as conn:
        await conn.execute(update(sources).values(next_fetch_at=datetime.now(UTC)))


async def shown(db: Database, source: Source) -> tuple[Source, list[str]]:
    """A source's state and its items' titles, newest first, as the pages show them."""
    async with db.read() as conn:
        state = await queries.source_by_id(conn, source.id)
        found = await queries.items_of_source(conn, source.id, 100)
    return state, [item.title for item in found]
