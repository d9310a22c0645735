"""What waits on the newsroom's desk: drafts for the editors, and for a contributor the fate
of their own drafts (published or sent back, by whom and when).

The editor's blog page shows it and keeps it current (realtime/editor_changes.py); the
newsroom dashboard shows the drafts waiting on each blog. Drafts are never in the public log,
so none of this reaches a reader's stream.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.accounts.permissions import Rights
from dateline.accounts.service import User
from dateline.db.tables import drafts as drafts_table
from dateline.liveblog.drafts import PENDING, Draft, with_reviewer

SHOWN = 5  # drafts listed on the blog page; the drafts page has them all


@dataclass(frozen=True)
class Desk:
    """The blog page's drafts box: `waiting` drafts (editors) or the user's own (contributors)."""

    editor: bool
    count: int  # pending drafts of the blog (editors) or the user's own pending ones
    drafts: list[Draft]


async def desk(conn: AsyncConnection, blog_id: int, user: User, allowed: Rights) -> Desk:
    """Editors see what waits, oldest first (it has waited longest); a contributor sees their
    latest drafts, newest first, each with what became of it."""
    query = with_reviewer().where(drafts_table.c.blog_id == blog_id)
    if allowed.manage:
        query = query.where(drafts_table.c.status == PENDING).order_by(drafts_table.c.id)
    else:
        query = query.where(drafts_table.c.author_id == user.id)
        query = query.order_by(drafts_table.c.id.desc())
    shown = [Draft.from_row(row) for row in await conn.execute(query.limit(SHOWN))]
    author = None if allowed.manage else user.id
    count = (await waiting_counts(conn, [blog_id], author)).get(blog_id, 0)
    return Desk(allowed.manage, count, shown)


async def waiting_counts(
    conn: AsyncConnection, blog_ids: list[int], author_id: int | None = None
) -> dict[int, int]:
    """Pending drafts per blog (only `author_id`'s when given); blogs without any are absent."""
    if not blog_ids:
        return {}
    query = select(drafts_table.c.blog_id, func.count()).where(
        drafts_table.c.blog_id.in_(blog_ids), drafts_table.c.status == PENDING
    )
    if author_id is not None:
        query = query.where(drafts_table.c.author_id == author_id)
    query = query.group_by(drafts_table.c.blog_id)
    return {blog_id: int(count) for blog_id, count in (await conn.execute(query)).all()}
