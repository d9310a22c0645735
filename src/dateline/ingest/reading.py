"""Reading one claimed source: fetch it, parse it, make its items rows. The work is the same
in the worker's own process and in a fetch process (`fetch_processes.py`), so it is here once.

Every failure becomes an `Outcome` with plain words: nothing a source sends can stop the
worker or delay other sources.
"""

from __future__ import annotations

import asyncio
import logging

from dateline.config import Settings
from dateline.db.bulk import RowBinder
from dateline.db.tables import utcnow as now
from dateline.ingest import store
from dateline.ingest.fetch import Fetcher, FetchError, FetchResult, fetch_failed, user_agent
from dateline.ingest.parsers.items import (
    PARSE_PROBLEMS,
    SOURCE_KINDS,
    ParsedDocument,
    ParseError,
    SourceKind,
)
from dateline.ingest.parsers.parse import parse_document
from dateline.ingest.schedule import Claimed
from dateline.ingest.store import Outcome

log = logging.getLogger(__name__)

KINDS: dict[str, SourceKind] = {kind: kind for kind in SOURCE_KINDS}
# A typical feed (~60 KB) parses in ~3 ms: inline is fastest (a thread hop and the GIL cost
# a third of cold throughput in bench/ingest.py). A big page (articles, other sites' live
# blogs, up to fetch_max_bytes) can take a second in trafilatura: in a thread, so the event
# loop, which also serves live readers inside `dateline serve`, is never stalled by one.
PARSE_INLINE_BYTES = 256 * 1024


def make_fetcher(settings: Settings) -> Fetcher:
    return Fetcher(
        allow_private=settings.allow_private_sources,
        total_timeout=settings.fetch_timeout_seconds,
        max_bytes=settings.fetch_max_bytes,
        max_redirects=settings.fetch_max_redirects,
        per_host_concurrency=settings.fetch_per_host,
        host_delay=settings.fetch_host_delay_seconds,
        user_agent=user_agent(settings.base_url),
    )


def parse(source: Claimed, result: FetchResult) -> ParsedDocument:
    """The document as the source's kind reads it; ParseError says what is wrong."""
    kind = KINDS.get(source.kind, "article")
    # Feeds as bytes, so the XML's own encoding declaration wins; pages as decoded text.
    data = result.body if kind == "feed" or not result.text else result.text
    return parse_document(
        kind, data, result.url, result.content_type, last_modified=result.last_modified
    )


async def read_source(fetcher: Fetcher, source: Claimed, binder: RowBinder) -> Outcome:
    """Fetch and parse one source, its items made rows by `binder`; every failure becomes an
    Outcome with plain words."""
    started = now()
    try:
        result = await fetcher.fetch(
            source.url, etag=source.etag, last_modified=source.last_modified
        )
    except FetchError as exc:
        return Outcome(source, started, error=exc.phrase, retry_after=exc.retry_after)
    except Exception as exc:  # a bug must cost one source, never the worker or its round
        log.exception("fetching a source failed", extra={"source": source.id, "url": source.url})
        return Outcome(source, started, error=fetch_failed(exc))
    etag, modified = result.etag, result.last_modified
    if result.not_modified:  # 304: nothing to parse
        return Outcome(source, started, not_modified=True, etag=etag, last_modified=modified)
    try:
        if len(result.body) > PARSE_INLINE_BYTES:
            document = await asyncio.to_thread(parse, source, result)
        else:
            document = parse(source, result)
        return store.parsed(source, started, document, binder, etag=etag, last_modified=modified)
    except ParseError as exc:
        return Outcome(source, started, error=exc.phrase)
    except Exception as exc:  # a parser bug must cost one source, never the worker
        log.exception("parsing a source failed", extra={"source": source.id, "url": source.url})
        kind = type(exc).__name__
        return Outcome(source, started, error=PARSE_PROBLEMS("document_unreadable", detail=kind))
