"""Webhooks: newsroom tools hear of published updates, key events and ended coverage.

This module is what the pages and the API call: register, list and delete webhooks (the target
is checked with the SSRF guard, `dateline.net.ssrf`), show recent deliveries, and the signing
scheme that receivers verify (docs/webhooks.md). Sending lives in `webhook_worker.py`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.accounts.permissions import Action, authorize
from dateline.accounts.service import User
from dateline.db import Database, inserted_id
from dateline.db.tables import blogs, webhook_attempts, webhook_deliveries, webhooks
from dateline.db.tables import utcnow as now
from dateline.errors import Invalid, NotFound
from dateline.i18n import gettext as _
from dateline.liveblog import queries
from dateline.net.ssrf import RefusedURL, Resolver, check_url, system_resolver

EVENTS = ("update.published", "update.key_event", "blog.ended")
REPLAY_WINDOW = 300  # seconds: receivers refuse older (or future) timestamps
MAX_URL = 2000


@dataclass(frozen=True)
class Webhook:
    id: int
    url: str
    blog_slug: str | None  # None: every blog
    events: list[str]
    created_at: datetime


@dataclass
class WebhookDraft:
    """What an editor typed: the form keeps it to show again on errors."""

    url: str = ""
    blog: str = ""  # a slug, or "" for every blog
    events: list[str] = field(default_factory=list)

    def validate(self) -> WebhookDraft:
        errors = {}
        self.url = self.url.strip()
        if not self.url:
            errors["url"] = _("Enter the address that should receive the events.")
        elif len(self.url) > MAX_URL:
            errors["url"] = _("The address is longer than %(limit)s characters.") % {
                "limit": MAX_URL
            }
        unknown = [name for name in self.events if name not in EVENTS]
        if unknown or not self.events:
            errors["events"] = _("Choose at least one event: %(events)s.") % {
                "events": ", ".join(EVENTS)
            }
        if errors:
            raise Invalid(errors)
        self.events = [name for name in EVENTS if name in self.events]
        return self


@dataclass(frozen=True)
class AttemptView:
    number: int
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str


@dataclass(frozen=True)
class DeliveryView:
    id: str
    url: str
    event: str
    blog_slug: str
    seq: int
    status: str
    created_at: datetime
    next_attempt_at: datetime
    attempts: list[AttemptView]

    @classmethod
    def of(cls, row: Any, attempts: list[AttemptView]) -> DeliveryView:
        return cls(
            row.public_id, row.url, row.event, row.slug, row.seq, row.status,
            row.created_at, row.next_attempt_at, attempts,
        )  # fmt: skip


# Registration -------------------------------------------------------------------------------


async def create_webhook(
    db: Database,
    draft: WebhookDraft,
    actor: User,
    *,
    allow_private: bool,
    resolver: Resolver = system_resolver,
) -> tuple[Webhook, str]:
    """Register a webhook; answers it with its secret, which is never shown again."""
    async with db.read() as conn:  # before looking the address up: outsiders learn nothing
        await authorize(conn, actor, Action.MANAGE_WEBHOOKS)
    draft = draft.validate()
    try:
        await check_url(draft.url, allow_private, resolver)  # before the write lock: DNS is slow
    except RefusedURL as exc:
        raise Invalid({"url": exc.message}) from exc
    secret = "whsec_" + secrets.token_urlsafe(32)
    async with db.write() as conn:
        blog_id = await _blog_id(conn, draft.blog)
        if await _registered(conn, draft.url, blog_id):
            raise Invalid({"url": _("This address already receives events of this blog.")})
        result = await conn.execute(
            insert(webhooks).values(
                url=draft.url,
                blog_id=blog_id,
                events=draft.events,
                secret=secret,
                created_by=actor.id,
                created_at=now(),
            )
        )
        return await _webhook(conn, inserted_id(result)), secret


async def _blog_id(conn: AsyncConnection, slug: str) -> int | None:
    if not slug:
        return None
    try:
        return (await queries.blog_by_slug(conn, slug)).id
    except NotFound as exc:
        raise Invalid({"blog": exc.message}) from exc


async def _registered(conn: AsyncConnection, url: str, blog_id: int | None) -> bool:
    scope = webhooks.c.blog_id.is_(None) if blog_id is None else webhooks.c.blog_id == blog_id
    found = await conn.execute(select(webhooks.c.id).where(webhooks.c.url == url, scope))
    return found.first() is not None


def _webhooks_query() -> Any:
    return (
        select(webhooks, blogs.c.slug)
        .select_from(webhooks.outerjoin(blogs))
        .order_by(webhooks.c.id.desc())
    )


def _webhook_of(row: Any) -> Webhook:
    return Webhook(row.id, row.url, row.slug, list(row.events), row.created_at)


async def _webhook(conn: AsyncConnection, webhook_id: int) -> Webhook:
    row = (await conn.execute(_webhooks_query().where(webhooks.c.id == webhook_id))).first()
    if row is None:
        raise NotFound(f"There is no webhook {webhook_id}.")
    return _webhook_of(row)


async def list_webhooks(db: Database, actor: User) -> list[Webhook]:
    async with db.read() as conn:
        await authorize(conn, actor, Action.MANAGE_WEBHOOKS)
        return [_webhook_of(row) for row in await conn.execute(_webhooks_query())]


async def delete_webhook(db: Database, webhook_id: int, actor: User) -> None:
    """Delete a webhook with its deliveries; one being sent right now is not recalled."""
    async with db.write() as conn:
        await authorize(conn, actor, Action.MANAGE_WEBHOOKS)
        gone = await conn.execute(webhooks.delete().where(webhooks.c.id == webhook_id))
        if gone.rowcount == 0:
            raise NotFound(f"There is no webhook {webhook_id}.")


async def recent_deliveries(db: Database, actor: User, limit: int = 30) -> list[DeliveryView]:
    """The newest deliveries with every attempt, for the admin page."""
    d, a = webhook_deliveries, webhook_attempts
    query = (
        select(d, webhooks.c.url, blogs.c.slug)
        .join(webhooks, webhooks.c.id == d.c.webhook_id)
        .join(blogs, blogs.c.id == d.c.blog_id)
        .order_by(d.c.id.desc())
        .limit(limit)
    )
    async with db.read() as conn:
        await authorize(conn, actor, Action.MANAGE_WEBHOOKS)
        rows = (await conn.execute(query)).all()
        tried = select(a).where(a.c.delivery_id.in_([r.id for r in rows])).order_by(a.c.number)
        attempts: dict[int, list[AttemptView]] = {row.id: [] for row in rows}
        for t in await conn.execute(tried):
            view = AttemptView(t.number, t.started_at, t.duration_ms, t.status_code, t.error)
            attempts[t.delivery_id].append(view)
    return [DeliveryView.of(row, attempts[row.id]) for row in rows]


# Signing ------------------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of "{timestamp}.{body}" with the webhook's secret."""
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    now: float | None = None,
    tolerance: float = REPLAY_WINDOW,
) -> bool:
    """What a receiver does (docs/webhooks.md): the signature matches the raw body and the
    timestamp is within `tolerance` seconds of now, so a captured request cannot be replayed."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - sent) > tolerance:
        return False
    expected = "sha256=" + sign(secret, timestamp, body)
    return hmac.compare_digest(expected, signature)


# Which events webhooks hear -----------------------------------------------------------------


def event_names(kind: str, payload: dict[str, Any]) -> list[str]:
    """Webhook events a logged event stands for. An update published as a key event is also
    a key event marked; unmarking, edits, pins and recaps send nothing."""
    if kind == "update.published":
        return ["update.published", "update.key_event"] if payload.get("key_event") else [kind]
    if kind == "update.key_event":
        return [kind] if payload.get("key_event") else []
    return [kind] if kind == "blog.ended" else []
