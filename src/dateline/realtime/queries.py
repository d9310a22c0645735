"""Reads the live stream needs: the log after a sequence number, and where blogs stand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.db.tables import blog_events, blogs


@dataclass(frozen=True)
class LoggedEvent:
    seq: int
    kind: str
    update_id: int | None
    payload: dict[str, Any]


async def events_after(
    conn: AsyncConnection, blog_id: int, after: int, limit: int
) -> list[LoggedEvent]:
    query = (
        select(
            blog_events.c.seq, blog_events.c.kind, blog_events.c.update_id, blog_events.c.payload
        )
        .where(blog_events.c.blog_id == blog_id, blog_events.c.seq > after)
        .order_by(blog_events.c.seq)
        .limit(limit)
    )
    return [LoggedEvent(*row) for row in (await conn.execute(query)).all()]


async def last_seqs(conn: AsyncConnection, blog_ids: list[int]) -> dict[int, int]:
    query = select(blogs.c.id, blogs.c.last_seq).where(blogs.c.id.in_(blog_ids))
    return {row.id: row.last_seq for row in (await conn.execute(query)).all()}
