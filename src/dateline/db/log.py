"""Appending to a blog's log: the one place `blog_events` rows and `blogs.last_seq` are written
together, so sequence numbers stay gap-free whichever package records the change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.db.engine import appended
from dateline.db.tables import blog_events, blogs, utcnow


async def append_event(
    conn: AsyncConnection,
    blog_id: int,
    kind: str,
    actor_id: int | None,
    update_id: int | None = None,
    payload: dict[str, Any] | None = None,
    *,
    touch: bool = True,
) -> int:
    """Append event `kind` in the caller's transaction; its seq. Bumping blogs.last_seq in the
    same transaction keeps seq gap-free. `touch` moves the blog's "last updated" time: False
    for events readers cannot see (a comment waiting for an editor)."""
    now = utcnow()
    bump: dict[str, Any] = {"last_seq": blogs.c.last_seq + 1}
    if touch:
        bump["updated_at"] = now
    seq: int = (
        await conn.execute(
            update(blogs).where(blogs.c.id == blog_id).values(**bump).returning(blogs.c.last_seq)
        )
    ).scalar_one()
    await conn.execute(
        insert(blog_events).values(
            blog_id=blog_id,
            seq=seq,
            kind=kind,
            update_id=update_id,
            actor_id=actor_id,
            payload=payload or {},
            created_at=now,
        )
    )
    appended(conn, blog_id, seq)
    return seq
