"""A live blog's team (its editors and contributors) and its audit log.

The audit log merges two sources: the public event log (`blog_events`: every published change,
with the account that made it) and `audit_events` (what never reaches readers: drafts, team
changes). So every update and edit is attributed without a second copy of the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.accounts.permissions import Action, authorize
from dateline.accounts.service import User, record
from dateline.db import Database, insert_new
from dateline.db.tables import audit_events, blog_events, blog_members, users, utcnow
from dateline.errors import Invalid, NotFound
from dateline.i18n import gettext as _
from dateline.liveblog import queries
from dateline.liveblog.models import Blog


@dataclass(frozen=True)
class Member:
    user_id: int
    email: str
    display_name: str
    role: str
    added_at: datetime


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    who: str  # "Name <email>", or "system" for imports and removed accounts
    action: str  # e.g. "update.edited", "draft.rejected", "member.added"
    subject: str  # e.g. "update 12", "draft 3", "ana@example.org"


async def authorized_blog(
    conn: AsyncConnection, slug: str, actor: User, action: Action, *, lock: bool = False
) -> Blog:
    """The blog at /live/{slug} (locked for this transaction when `lock`), once `actor` is
    known to be allowed `action` on it: the first step of every use case on one blog."""
    blog = await queries.blog_by_slug(conn, slug, lock=lock)
    await authorize(conn, actor, action, blog.id)
    return blog


async def join(conn: AsyncConnection, blog_id: int, user_id: int, added_by: int | None) -> None:
    """Make the user a member (nothing happens when they already are)."""
    await conn.execute(
        insert_new(conn, blog_members).values(
            blog_id=blog_id, user_id=user_id, added_by=added_by, added_at=utcnow()
        )
    )


async def members(db: Database, slug: str, actor: User) -> tuple[Blog, list[Member]]:
    async with db.read() as conn:
        blog = await authorized_blog(conn, slug, actor, Action.MANAGE_BLOG)
        return blog, await _members(conn, blog.id)


async def add_member(db: Database, slug: str, email: str, actor: User) -> Member:
    email = email.strip().lower()
    async with db.write() as conn:
        blog = await authorized_blog(conn, slug, actor, Action.MANAGE_BLOG, lock=True)
        found = (await conn.execute(select(users.c.id).where(users.c.email == email))).first()
        if found is None:
            unknown = _("No account has the email %(email)s; invite them first.") % {"email": email}
            raise Invalid({"email": unknown})
        await join(conn, blog.id, found.id, actor.id)
        await record(conn, actor, "member.added", blog.id, email=email)
        return next(m for m in await _members(conn, blog.id) if m.user_id == found.id)


async def remove_member(db: Database, slug: str, user_id: int, actor: User) -> None:
    async with db.write() as conn:
        blog = await authorized_blog(conn, slug, actor, Action.MANAGE_BLOG, lock=True)
        gone = next((m for m in await _members(conn, blog.id) if m.user_id == user_id), None)
        if gone is None:
            raise NotFound(_("That account is not on this live blog's team."))
        await conn.execute(
            delete(blog_members).where(
                blog_members.c.blog_id == blog.id, blog_members.c.user_id == user_id
            )
        )
        await record(conn, actor, "member.removed", blog.id, email=gone.email)


async def _members(conn: AsyncConnection, blog_id: int) -> list[Member]:
    query = (
        select(
            users.c.id, users.c.email, users.c.display_name, users.c.role, blog_members.c.added_at
        )
        .join(blog_members, blog_members.c.user_id == users.c.id)
        .where(blog_members.c.blog_id == blog_id)
        .order_by(users.c.display_name)
    )
    return [Member(*row) for row in (await conn.execute(query)).all()]


async def audit_log(
    db: Database, slug: str, actor: User, limit: int = 300
) -> tuple[Blog, list[AuditLine]]:
    """Newest first: who did what to this blog, when, from which account."""
    async with db.read() as conn:
        blog = await authorized_blog(conn, slug, actor, Action.MANAGE_BLOG)
        published = await conn.execute(
            select(blog_events, users.c.email, users.c.display_name)
            .outerjoin(users, users.c.id == blog_events.c.actor_id)
            .where(blog_events.c.blog_id == blog.id)
            .order_by(blog_events.c.seq.desc())
            .limit(limit)
        )
        private = await conn.execute(
            select(audit_events, users.c.email, users.c.display_name)
            .outerjoin(users, users.c.id == audit_events.c.actor_id)
            .where(audit_events.c.blog_id == blog.id)
            .order_by(audit_events.c.id.desc())
            .limit(limit)
        )
        lines = [_public_line(row) for row in published] + [_private_line(r) for r in private]
    lines.sort(key=lambda line: line.at, reverse=True)
    return blog, lines[:limit]


def _who(row: Any) -> str:
    return f"{row.display_name} <{row.email}>" if row.email else _("system")


def _public_line(row: Any) -> AuditLine:
    subject = _("update %(id)s") % {"id": row.update_id} if row.update_id else ""
    return AuditLine(row.created_at, _who(row), row.kind, subject)


def _private_line(row: Any) -> AuditLine:
    detail: dict[str, Any] = row.detail or {}
    draft = _("draft %(id)s") % {"id": detail["draft"]} if "draft" in detail else ""
    subject = detail.get("email") or draft
    return AuditLine(row.created_at, _who(row), row.action, str(subject))
