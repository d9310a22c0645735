"""Tables: the current state of every blog plus its append-only event log (docs/architecture.md).

Times are stored as timezone-aware UTC. Alembic migrations in `migrations/versions` must agree
with this module; tests/test_migrations.py checks that they do.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
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
