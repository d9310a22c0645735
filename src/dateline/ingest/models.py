"""What the ingest pages, API and CLI show: a followed source with its state, and its items."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from dateline.i18n import Phrase, Phrasebook
from dateline.ingest.fetch import FETCH_PROBLEMS
from dateline.ingest.parsers.items import PARSE_PROBLEMS
from dateline.ingest.unpack import UNPACK_PROBLEMS
from dateline.net.ssrf import REFUSALS

OK, FAILING = "ok", "failing"
# Every code a source's last error can be kept as (store.error_columns), to read it back.
SOURCE_PROBLEMS: Phrasebook = FETCH_PROBLEMS | UNPACK_PROBLEMS | PARSE_PROBLEMS | REFUSALS


@dataclass(frozen=True, slots=True)
class Source:
    id: int
    url: str
    canonical_url: str
    kind: str
    title: str
    site_url: str
    interval_seconds: int
    blogs: tuple[tuple[int, str], ...]  # (id, slug) of the blogs whose inboxes it fills
    etag: str
    last_modified: str
    last_fetch_at: datetime | None
    last_success_at: datetime | None
    next_fetch_at: datetime
    consecutive_failures: int
    failing_since: datetime | None
    status: str
    last_error: str  # in English, as stored
    created_at: datetime
    last_error_phrase: Phrase | None = None  # the same, when it was stored with its code

    @property
    def error(self) -> str:
        """The last error in the language being spoken ("" when the last fetch went well);
        errors stored before codes, in English."""
        if self.last_error_phrase is not None:
            return self.last_error_phrase.said()
        return self.last_error

    @property
    def blog_slugs(self) -> list[str]:
        return [slug for _, slug in self.blogs]

    @property
    def name(self) -> str:
        """The title the source gives itself, or its host until the first fetch says."""
        return self.title or urlsplit(self.url).hostname or self.url


@dataclass(frozen=True, slots=True)
class SourceDraft:
    """A source as a user asks for it (CLI, API or form), before any check."""

    url: str
    kind: str = ""  # "" means feed
    interval_seconds: int | None = None  # None means the configured default
    blog_slug: str = ""  # "" means no blog (a source can be added to more blogs later)
    title: str = ""  # until the first fetch names it (an OPML file gives one)


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    source_id: int
    url: str
    canonical_url: str
    external_id: str
    title: str
    author: str
    published_at: datetime | None
    updated_at: datetime | None
    summary: str
    text: str
    html: str
    images: list[dict[str, str]]
    key_event: bool
    pinned: bool
    first_seen_at: datetime
    changed_at: datetime | None
    listed_at: datetime


@dataclass(frozen=True, slots=True)
class InboxItem:
    item: Item
    source_name: str


def source_from_row(row: Any, blogs: Sequence[tuple[int, str]] = ()) -> Source:
    return Source(
        id=row.id,
        url=row.url,
        canonical_url=row.canonical_url,
        kind=row.kind,
        title=row.title,
        site_url=row.site_url,
        interval_seconds=row.interval_seconds,
        blogs=tuple(blogs),
        etag=row.etag or "",
        last_modified=row.last_modified or "",
        last_fetch_at=row.last_fetch_at,
        last_success_at=row.last_success_at,
        next_fetch_at=row.next_fetch_at,
        consecutive_failures=row.consecutive_failures,
        failing_since=row.failing_since,
        status=row.status,
        last_error=row.last_error,
        created_at=row.created_at,
        last_error_phrase=SOURCE_PROBLEMS.restore(row.last_error_code, row.last_error_params)
        if row.last_error_code
        else None,
    )


def item_from_row(row: Any) -> Item:
    return Item(
        id=row.id,
        source_id=row.source_id,
        url=row.url,
        canonical_url=row.canonical_url,
        external_id=row.external_id or "",
        title=row.title,
        author=row.author,
        published_at=row.published_at,
        updated_at=row.updated_at,
        summary=row.summary,
        text=row.text,
        html=row.html,
        images=list(row.images or []),
        key_event=row.key_event,
        pinned=row.pinned,
        first_seen_at=row.first_seen_at,
        changed_at=row.changed_at,
        listed_at=row.listed_at,
    )
