"""A live blog's team: its editors and contributors, and the first step of every use case on
one blog (`authorized_blog`). Its audit log is audit.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.accounts.permissions import Action, authorize
from dateline.accounts.service import User, record
from dateline.db import Database, insert_new
from dateline.db.tables import blog_members, users, utcnow
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
