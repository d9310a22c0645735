"""Reads about comments: one function per question the pages, feeds and exports ask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.comments.models import APPROVED, PENDING, Comment
from dateline.db.tables import blogs, comments, comments_closed
from dateline.errors import NotFound
from dateline.i18n import gettext as _

PAGE_SIZE = 20


@dataclass(frozen=True)
class CommentedBlog:
    """What the comment pages need of a blog, and whether it takes comments now."""

    id: int
    slug: str
    title: str
    language: str
    time_zone: str
    status: str
    last_seq: int
    switched_off: bool

    @property
    def takes_comments(self) -> bool:
        """Open unless an editor switched comments off or coverage has ended."""
        return self.status == "live" and not self.switched_off


@dataclass(frozen=True)
class CommentPage:
    """Approved comments, newest first, one page of them."""

    comments: list[Comment]
    page: int
    pages: int
    total: int


async def commented_blog(conn: AsyncConnection, slug: str) -> CommentedBlog:
    closed = select(comments_closed.c.blog_id).where(comments_closed.c.blog_id == blogs.c.id)
    query = select(
        blogs.c.id,
        blogs.c.slug,
        blogs.c.title,
        blogs.c.language,
        blogs.c.time_zone,
        blogs.c.status,
        blogs.c.last_seq,
        closed.exists().label("switched_off"),
    ).where(blogs.c.slug == slug)
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound(_("There is no live blog at this address."))
    return CommentedBlog(*row)


async def approved_page(
    conn: AsyncConnection, blog_id: int, page: int, size: int = PAGE_SIZE
) -> CommentPage:
    total = await approved_count(conn, blog_id)
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    query = (
        select(comments)
        .where(comments.c.blog_id == blog_id, comments.c.status == APPROVED)
        .order_by(comments.c.created_at.desc(), comments.c.id.desc())
        .limit(size)
        .offset((page - 1) * size)
    )
    rows = (await conn.execute(query)).all()
    return CommentPage([Comment.from_row(row) for row in rows], page, pages, total)


async def approved_count(conn: AsyncConnection, blog_id: int) -> int:
    return (await approved_counts(conn, [blog_id])).get(blog_id, 0)


async def approved_counts(conn: AsyncConnection, blog_ids: list[int]) -> dict[int, int]:
    """The `comments` count of each blog (blogs without any are left out)."""
    if not blog_ids:
        return {}
    query = (
        select(comments.c.blog_id, func.count())
        .where(comments.c.blog_id.in_(blog_ids), comments.c.status == APPROVED)
        .group_by(comments.c.blog_id)
    )
    return {blog_id: count for blog_id, count in (await conn.execute(query)).all()}


async def approved(conn: AsyncConnection, blog_id: int, limit: int | None = None) -> list[Comment]:
    """Newest first: for feeds (a limit) and exports (all)."""
    query = (
        select(comments)
        .where(comments.c.blog_id == blog_id, comments.c.status == APPROVED)
        .order_by(comments.c.created_at.desc(), comments.c.id.desc())
        .limit(limit)
    )
    return [Comment.from_row(row) for row in (await conn.execute(query)).all()]


async def queue(conn: AsyncConnection, blog_id: int) -> list[Comment]:
    """What waits for the team: new comments and approved ones readers reported, oldest
    first (the order they came in)."""
    waiting = or_(
        comments.c.status == PENDING, (comments.c.status == APPROVED) & (comments.c.reports > 0)
    )
    query = (
        select(comments)
        .where(comments.c.blog_id == blog_id, waiting)
        .order_by(comments.c.created_at, comments.c.id)
    )
    return [Comment.from_row(row) for row in (await conn.execute(query)).all()]


async def comment_by_id(conn: AsyncConnection, blog_id: int, comment_id: int) -> Comment:
    query = select(comments).where(comments.c.blog_id == blog_id, comments.c.id == comment_id)
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound(_("There is no comment %(id)s on this live blog.") % {"id": comment_id})
    return Comment.from_row(row)


async def comments_by_ids(
    conn: AsyncConnection, blog_id: int, ids: list[int]
) -> dict[int, Comment]:
    if not ids:
        return {}
    query = select(comments).where(comments.c.blog_id == blog_id, comments.c.id.in_(ids))
    return {row.id: Comment.from_row(row) for row in (await conn.execute(query)).all()}


async def same_text_since(
    conn: AsyncConnection, blog_id: int, fingerprint: str, since: datetime
) -> bool:
    query = select(comments.c.id).where(
        comments.c.blog_id == blog_id,
        comments.c.fingerprint == fingerprint,
        comments.c.created_at > since,
    )
    return (await conn.execute(query.limit(1))).first() is not None


async def page_of(conn: AsyncConnection, comment: Comment, size: int = PAGE_SIZE) -> int:
    """Which page of approved comments shows this one."""
    newer = (
        await conn.execute(
            select(func.count())
            .select_from(comments)
            .where(
                comments.c.blog_id == comment.blog_id,
                comments.c.status == APPROVED,
                or_(
                    comments.c.created_at > comment.created_at,
                    (comments.c.created_at == comment.created_at) & (comments.c.id > comment.id),
                ),
            )
        )
    ).scalar_one()
    return int(newer) // size + 1
