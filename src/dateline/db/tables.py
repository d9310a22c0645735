"""Tables: the current state of every blog plus its append-only event log (docs/architecture.md).

Times are stored as timezone-aware UTC. Alembic migrations in `migrations/versions` must agree
with this module; tests/test_migrations.py checks that they do.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that always goes in and comes out as aware UTC, on SQLite and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("display_name", String(120), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(20), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    # Shown in the editor's session list so they can tell their devices apart.
    Column("user_agent", String(300), nullable=False, default="", server_default=""),
    Column("ip", String(45), nullable=False, default="", server_default=""),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(120), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    # "read" tokens may call what a reader could plus the caller's own drafts; "write" all.
    Column("scope", String(10), nullable=False, default="write", server_default="write"),
    Column("last_used_at", UTCDateTime),
)

# Answers to API POSTs sent with an Idempotency-Key header, so a client that retries after a
# lost answer gets the first answer again instead of a second update. Forgotten after a day.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(200), nullable=False),
    Column("method", String(10), nullable=False),
    Column("path", String(500), nullable=False),
    Column("request_hash", String(64), nullable=False),  # SHA-256 of the body: reuse must match
    Column("status", Integer),  # None while the first request is still being answered
    Column("content_type", String(100), nullable=False, default="", server_default=""),
    Column("body", LargeBinary),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("user_id", "key"),
    Index("ix_idempotency_keys_created", "created_at"),
)

# One-time links that let an invited person set a password (`dateline user invite`).
invites = Table(
    "invites",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("email", String(254), nullable=False),
    Column("role", String(20), nullable=False),
    Column("created_by", ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
)

# Failed logins per key ("email:…" or "ip:…"): what the growing delays are computed from.
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", UTCDateTime, nullable=False),
    Column("locked_until", UTCDateTime),
)

blogs = Table(
    "blogs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(80), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("standfirst", Text, nullable=False, default=""),
    Column("category", String(60), nullable=False, default=""),
    Column("time_zone", String(64), nullable=False),
    # The language its reader pages, feeds and embeds speak (i18n.LANGUAGES); the default
    # is the database's, so rows written by code that predates the column read as English.
    Column("language", String(8), nullable=False, server_default="en"),
    Column("status", String(10), nullable=False),
    Column("coverage_start", UTCDateTime, nullable=False),
    Column("coverage_end", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("owner_id", ForeignKey("users.id", ondelete="SET NULL")),
    Column("recap_items", JSON, nullable=False, default=list),
    Column("recap_updated_at", UTCDateTime),
    # Highest seq in blog_events; bumped in the same transaction as each event (no gaps).
    Column("last_seq", Integer, nullable=False, default=0),
)

updates = Table(
    "updates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("blog_id", ForeignKey("blogs.id", ondelete="CASCADE"), nullable=False),
    Column("author_id", ForeignKey("users.id", ondelete="SET NULL")),
    Column("author_name", String(120), nullable=False, default=""),
    Column("published_at", UTCDateTime, nullable=False),
    Column("headline", String(200), nullable=False, default=""),
    Column("body", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("body_text", Text, nullable=False),
    Column("key_event", Boolean, nullable=False, default=False),
    Column("pinned", Boolean, nullable=False, default=False),
    Column("edited_at", UTCDateTime),
    Column("deleted_at", UTCDateTime),
    Column("correction_note", Text, nullable=False, default=""),
    # Bumped by every change to the update; the API's ETag/If-Match and the edit form's
    # "changed while you edited" check compare it, so a stale write is refused, not applied.
    Column("version", Integer, nullable=False, default=1, server_default="1"),
    Index("ix_updates_blog_stream", "blog_id", "published_at", "id"),
)

images = Table(
    "images",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    # Widths stored on disk, e.g. [320, 640, 1024]: the srcset is built from this list.
    Column("widths", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

update_images = Table(
    "update_images",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("update_id", ForeignKey("updates.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("image_hash", ForeignKey("images.hash"), nullable=False),
    Column("alt", String(300), nullable=False, default=""),
    Column("caption", String(500), nullable=False, default=""),
    Column("credit", String(200), nullable=False, default=""),
)

blog_events = Table(
    "blog_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("blog_id", ForeignKey("blogs.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("update_id", Integer),
    Column("actor_id", ForeignKey("users.id", ondelete="SET NULL")),
    Column("payload", JSON, nullable=False, default=dict),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("blog_id", "seq"),
)

# Newsroom: who works on which blog, contributors' drafts, and what the audit page shows --------

# Editors and contributors of a blog (the creator is one). Admins need no membership.
blog_members = Table(
    "blog_members",
    metadata,
    Column("blog_id", ForeignKey("blogs.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("added_by", ForeignKey("users.id", ondelete="SET NULL")),
    Column("added_at", UTCDateTime, nullable=False),
)

# A contributor's update waiting for an editor; public only once published (then update_id).
drafts = Table(
    "drafts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("blog_id", ForeignKey("blogs.id", ondelete="CASCADE"), nullable=False),
    Column("author_id", ForeignKey("users.id", ondelete="SET NULL")),
    Column("author_name", String(120), nullable=False),
    Column("headline", String(200), nullable=False, default=""),
    Column("body", Text, nullable=False),
    Column("key_event", Boolean, nullable=False, default=False),
    Column("images", JSON, nullable=False, default=list),  # [{hash, alt, caption, credit}]
    Column("status", String(10), nullable=False),  # pending, published, rejected
    Column("review_note", Text, nullable=False, default=""),
    Column("reviewed_by", ForeignKey("users.id", ondelete="SET NULL")),
    Column("reviewed_at", UTCDateTime),
    Column("update_id", ForeignKey("updates.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_drafts_blog_status", "blog_id", "status"),
)

# What the public log (blog_events) does not hold: drafts, membership, account changes.
audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("blog_id", ForeignKey("blogs.id", ondelete="CASCADE")),
    Column("actor_id", ForeignKey("users.id", ondelete="SET NULL")),
    Column("action", String(40), nullable=False),
    Column("detail", JSON, nullable=False, default=dict),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_audit_events_blog", "blog_id", "created_at"),
)

# Webhooks (docs/webhooks.md) ----------------------------------------------------------------

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String(2000), nullable=False),
    # NULL: every blog, including those created later.
    Column("blog_id", ForeignKey("blogs.id", ondelete="CASCADE"), index=True),
    Column("events", JSON, nullable=False),  # e.g. ["update.published", "blog.ended"]
    # Kept as it is, because signing needs it; shown to the editor once, at creation.
    Column("secret", String(100), nullable=False),
    Column("created_by", ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, nullable=False),
)

# How far the delivery worker has read each blog's log (it catches up from here on restart).
webhook_cursors = Table(
    "webhook_cursors",
    metadata,
    Column("blog_id", ForeignKey("blogs.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, nullable=False),
)

# One row per (webhook, event): the message, its state, and the lease of whoever sends it.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("public_id", String(36), nullable=False, unique=True),  # X-Dateline-Delivery
    Column("webhook_id", ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
    Column("blog_id", ForeignKey("blogs.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("event", String(40), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(10), nullable=False),  # pending, delivered, failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("lease_until", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("webhook_id", "blog_id", "seq", "event"),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
)

# Every try of a delivery: what the receiver answered (or what went wrong) and how long it took.
webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "delivery_id",
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("number", Integer, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("status_code", Integer),
    Column("error", String(500), nullable=False, default=""),
)


def utcnow() -> datetime:
    return datetime.now(UTC)


# Sources (docs/ingest.md) -------------------------------------------------------------------

# A feed, article page or other site's live blog that the ingest worker polls.
sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String(2000), nullable=False),  # as the editor typed it
    Column("canonical_url", String(2000), nullable=False, unique=True),  # one row per source
    Column("kind", String(10), nullable=False),  # feed, article, liveblog
    Column("title", String(300), nullable=False, default=""),
    Column("site_url", String(2000), nullable=False, default=""),
    Column("interval_seconds", Integer, nullable=False, default=300),
    Column("etag", String(500)),
    Column("last_modified", String(100)),
    Column("last_fetch_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("next_fetch_at", UTCDateTime, nullable=False),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("failing_since", UTCDateTime),  # first failure of the current run of failures
    Column("status", String(10), nullable=False, default="ok"),  # ok, failing
    Column("last_error", String(500), nullable=False, default=""),  # plain words, English
    # The same error as a code and its params (dateline.i18n.Phrase), said in each reader's
    # language; "" for none, and for errors stored before codes (then last_error is shown).
    Column("last_error_code", String(40), nullable=False, default=""),
    Column("last_error_params", JSON, nullable=False, default=dict),
    Column("lease_until", UTCDateTime),  # a worker is fetching it until then
    Column("created_by", ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_sources_due", "next_fetch_at"),
)

# The live blogs whose inboxes show a source's items: one wire feed can serve several blogs.
source_blogs = Table(
    "source_blogs",
    metadata,
    Column("source_id", ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
    Column("blog_id", ForeignKey("blogs.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("added_by", ForeignKey("users.id", ondelete="SET NULL")),
    Column("added_at", UTCDateTime, nullable=False),
)

# What sources published. Exact duplicates cannot exist: one row per canonical URL, per
# content hash and per (source, external id); NULL external ids never collide.
items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("canonical_url", String(2000), nullable=False, unique=True),
    Column("external_id", String(500)),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("title", String(1000), nullable=False, default=""),
    Column("author", String(300), nullable=False, default=""),
    Column("published_at", UTCDateTime),
    Column("updated_at", UTCDateTime),
    Column("summary", Text, nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("html", Text, nullable=False, default=""),
    Column("images", JSON, nullable=False, default=list),  # [{url, caption, credit}]
    Column("key_event", Boolean, nullable=False, default=False),
    Column("pinned", Boolean, nullable=False, default=False),
    Column("language", String(20), nullable=False, default=""),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("changed_at", UTCDateTime),  # last time a fetch changed its text
    # Newest-first key: published time, but never later than first seen (no future dates).
    Column("listed_at", UTCDateTime, nullable=False),
    UniqueConstraint("source_id", "external_id"),
    Index("ix_items_source_listed", "source_id", "listed_at", "id"),
    Index("ix_items_listed", "listed_at"),  # pruning items past the retention period
)

# Other sources that carried an item stored once under its first source: the inboxes of the
# blogs those sources feed show it too.
item_sightings = Table(
    "item_sightings",
    metadata,
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("source_id", ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("url", String(2000), nullable=False, default="", server_default=""),  # its own link
)

# An item an editor dismissed from one blog's inbox.
item_dismissals = Table(
    "item_dismissals",
    metadata,
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("blog_id", ForeignKey("blogs.id", ondelete="CASCADE"), primary_key=True),
    Column("dismissed_by", ForeignKey("users.id", ondelete="SET NULL")),
    Column("dismissed_at", UTCDateTime, nullable=False),
)

# Stories (docs/stories.md) ------------------------------------------------------------------

# Items of many sources about one event. Dateline's own live blogs (blog_id) and followed
# live-blog sources (source_id) are stories too, marked live.
stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(1000), nullable=False, default=""),
    Column("title_locked", Boolean, nullable=False, default=False),  # an editor's title
    Column("summary", Text, nullable=False, default=""),
    Column("language", String(20), nullable=False, default=""),
    Column("category_code", String(60)),
    Column("category_confidence", Float),
    Column("category_locked", Boolean, nullable=False, default=False),  # an editor's category
    # An editor split it or moved items out: what stays in it is their decision too, so no
    # automatic pass splits it again (stories/splitting.py).
    Column("members_locked", Boolean, nullable=False, default=False, server_default=false()),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("items_count", Integer, nullable=False, default=0),
    Column("sources_count", Integer, nullable=False, default=0),
    Column("live", Boolean, nullable=False, default=False),
    Column("blog_id", ForeignKey("blogs.id", ondelete="SET NULL"), unique=True),
    Column("source_id", ForeignKey("sources.id", ondelete="SET NULL"), unique=True),
    Column("deleted_at", UTCDateTime),  # merged into another or emptied: kept for links
    # Where a story merged away went (the end of the chain: one hop), so its address answers
    # with a redirect there; null for a story emptied, and for every open one. No foreign key:
    # SQLite adds one to a table only by copying it (migration 0017), and stories are never
    # removed, only marked deleted.
    Column("merged_into", Integer, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_stories_active", "last_seen_at", "id"),
)

# Every stored item is in exactly one story. The id grows with every placement (an editor's
# move deletes and inserts), so a clustering engine catches up on what changed by id.
story_items = Table(
    "story_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("story_id", ForeignKey("stories.id", ondelete="CASCADE"), nullable=False, index=True),
    # A near-duplicate (wire copy, light rewrite) of that item: shown as one of its also_at.
    Column("duplicate_of", ForeignKey("items.id", ondelete="SET NULL"), index=True),
    Column("moved_by_editor", Boolean, nullable=False, default=False),  # automatic passes keep it
    Column("vector", LargeBinary, nullable=False),  # the embedding, float16: no second embedding
    Column("placed_at", UTCDateTime, nullable=False),
)

# Search (docs/search.md) --------------------------------------------------------------------

# One row per findable document: its words as written (for snippets), where it belongs (for
# filters and who may see it) and, on PostgreSQL, a `tsv` tsvector column with a GIN index
# (added by migration 0012; SQLite keeps stemmed words in the FTS5 table `search_fts` instead).
# Exactly one of the four document columns is set; deleting the document deletes the row.
search_docs = Table(
    "search_docs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(10), nullable=False),  # update, draft, item, story
    Column("update_id", ForeignKey("updates.id", ondelete="CASCADE"), unique=True),
    Column("draft_id", ForeignKey("drafts.id", ondelete="CASCADE"), unique=True),
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), unique=True),
    Column("story_id", ForeignKey("stories.id", ondelete="CASCADE"), unique=True),
    Column("blog_id", ForeignKey("blogs.id", ondelete="CASCADE"), index=True),
    Column("author_id", Integer),  # a draft's writer, who may find it
    Column("category", String(60), nullable=False, default=""),
    Column("language", String(20), nullable=False, default=""),
    # Before the text, so ranking reads it without reading past a long body.
    Column("published_at", UTCDateTime, nullable=False),
    Column("title", String(1000), nullable=False, default=""),
    Column("body", Text, nullable=False, default=""),
    Index("ix_search_docs_kind_published", "kind", "published_at"),
)

# What each database's search index adds beyond these tables (migration 0012): SQLite's FTS5
# table `search_fts` with its shadow tables, PostgreSQL's `search_docs.tsv` and its GIN index.
SEARCH_INDEX_EXTRAS = {"search_fts", "tsv", "ix_search_docs_tsv"}


def declared_here(name: str | None, type_: Any, parent_names: Any) -> bool:
    """Alembic's `include_name`: compare everything but the search index's own parts."""
    if name is None:
        return True
    return name not in SEARCH_INDEX_EXTRAS and not name.startswith("search_fts_")


# Inbox item uses (docs/ingest.md) -------------------------------------------------------------

# An inbox item an editor turned into an update (published) or a draft (waiting), so the
# inbox says "Used 12:04 by Ana" and links to it. One row per use: an item may serve twice.
item_uses = Table(
    "item_uses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("blog_id", ForeignKey("blogs.id", ondelete="CASCADE"), nullable=False),
    Column("update_id", ForeignKey("updates.id", ondelete="SET NULL")),
    Column("draft_id", ForeignKey("drafts.id", ondelete="SET NULL")),
    Column("used_by", ForeignKey("users.id", ondelete="SET NULL")),
    Column("used_by_name", String(120), nullable=False),
    Column("used_at", UTCDateTime, nullable=False),
    Index("ix_item_uses_blog_item", "blog_id", "item_id"),
)

# Facts (docs/facts.md) ----------------------------------------------------------------------

# Every published update and stored item the facts extractor has read: at which version (an
# update's `version`, an item's content hash) and with which extractor, so a pass reads only
# what is new or changed, and a text without facts is not read again.
fact_sources = Table(
    "fact_sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("update_id", ForeignKey("updates.id", ondelete="CASCADE"), unique=True),
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), unique=True),
    Column("source_version", String(64), nullable=False),
    Column("extractor_version", String(20), nullable=False),
    Column("extracted_at", UTCDateTime, nullable=False),
)

# One fact (incident, exchange, ceasefire, talks) read from one update or item: its JSON in
# the shape of POST /api/v1/facts/extract, the columns tables sort and merge by, its evidence
# and an editor's review. Only `suggested` rows are replaced when the text is read again.
facts = Table(
    "facts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(10), nullable=False),  # incident, exchange, ceasefire, talks
    Column("source_kind", String(6), nullable=False),  # update, item
    Column("update_id", ForeignKey("updates.id", ondelete="CASCADE")),
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE")),
    Column("blog_id", ForeignKey("blogs.id", ondelete="CASCADE")),  # an update's blog
    Column("fact", JSON, nullable=False),
    Column("fingerprint", String(40), nullable=False),  # the same fact read again
    Column("place_name", String(200)),
    Column("geonames_id", Integer),
    Column("lat", Float),
    Column("lon", Float),
    Column("killed", Integer),
    Column("injured", Integer),
    Column("fact_date", Date),  # the fact's own date, else the day its source was published
    Column("evidence_start", Integer, nullable=False),
    Column("evidence_end", Integer, nullable=False),
    Column("evidence_text", Text, nullable=False),
    Column("review", String(10), nullable=False),  # suggested, confirmed, corrected, rejected
    Column("reviewed_by", ForeignKey("users.id", ondelete="SET NULL")),
    Column("reviewed_at", UTCDateTime),
    # Counts the row's reviews: every review adds one in SQL, so the facts' version (the sum)
    # changes with each, whatever the clocks of the nodes say (facts/cache.py).
    Column("revision", Integer, nullable=False, server_default="0"),
    Column("extracted_at", UTCDateTime, nullable=False),
    Column("extractor_version", String(20), nullable=False),
    Index("ix_facts_blog", "blog_id", "fact_date"),
    Index("ix_facts_item", "item_id"),
    Index("ix_facts_update", "update_id"),
)

# An update an editor said is not a key event, though its facts suggested one: the editor
# page stops suggesting it. Accepting a suggestion is the update's own `key_event` flag.
key_event_dismissals = Table(
    "key_event_dismissals",
    metadata,
    Column("update_id", ForeignKey("updates.id", ondelete="CASCADE"), primary_key=True),
    Column("dismissed_by", ForeignKey("users.id", ondelete="SET NULL")),
    Column("dismissed_at", UTCDateTime, nullable=False),
)

# Reader comments (docs/comments.md) ---------------------------------------------------------

# A reader's question or comment on a live blog. Readers see it only once an editor approved
# it; a rejected or deleted one keeps no text (`body` and `name` are emptied), so nothing a
# moderator refused can leak into a page, feed, export or the event stream later.
comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("blog_id", ForeignKey("blogs.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(80), nullable=False, default=""),  # optional: "" is anonymous
    Column("body", Text, nullable=False),
    # pending, approved, rejected, deleted
    Column("status", String(10), nullable=False),
    # SHA-256 of the text folded for comparison: the same text twice in a day is refused.
    Column("fingerprint", String(64), nullable=False),
    Column("reports", Integer, nullable=False, default=0),  # readers' reports since approval
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime),
    Column("decided_by", ForeignKey("users.id", ondelete="SET NULL")),
    # The update that answered it ("Reader question from Anna: …").
    Column("answer_update_id", ForeignKey("updates.id", ondelete="SET NULL")),
    Index("ix_comments_blog_status", "blog_id", "status", "created_at"),
    Index("ix_comments_fingerprint", "blog_id", "fingerprint"),
)

# Who sent comments and reports lately, for the per-address rate limit: only a keyed hash of
# the address (HMAC with the site's secret key), never the address; rows go after a day.
comment_senders = Table(
    "comment_senders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("address_hash", String(64), nullable=False),
    Column("sent_at", UTCDateTime, nullable=False),
    Index("ix_comment_senders_address", "address_hash", "sent_at"),
    Index("ix_comment_senders_sent", "sent_at"),
)

# Blogs whose editors switched comments off (a blog is open for comments unless listed here).
comments_closed = Table(
    "comments_closed",
    metadata,
    Column("blog_id", ForeignKey("blogs.id", ondelete="CASCADE"), primary_key=True),
    Column("closed_by", ForeignKey("users.id", ondelete="SET NULL")),
    Column("closed_at", UTCDateTime, nullable=False),
)
