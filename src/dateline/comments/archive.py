"""Approved comments in a live blog's export file, and back in on import. Only approved ones
travel: what waits, was rejected or deleted never leaves the site it was sent to. An imported
comment is checked like a reader's (text cleaned, within the limits) and shown at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.comments import abuse, queries
from dateline.comments.models import APPROVED, CommentDraft
from dateline.db.tables import comments


async def exported(
    conn: AsyncConnection, blog_id: int, shown_updates: set[int]
) -> list[dict[str, Any]]:
    """The blog's approved comments, oldest first; `answered_by` is the answering update's
    id when the file shows that update (`shown_updates`), else null."""
    shown = reversed(await queries.approved(conn, blog_id))
    return [
        {
            "name": comment.name,
            "body": comment.body,
            "created_at": comment.created_at.isoformat(),
            "answered_by": (
                comment.answer_update_id if comment.answer_update_id in shown_updates else None
            ),
        }
        for comment in shown
    ]


def checked(name: str, body: str) -> CommentDraft:
    """An imported comment, cleaned and held to a reader's limits (Invalid when it is not)."""
    return CommentDraft(body, name).validate()


async def insert_imported(
    conn: AsyncConnection,
    blog_id: int,
    found: list[tuple[CommentDraft, datetime, int | None]],
) -> None:
    """Store checked comments as approved, each with its answering update's new id."""
    rows = [
        {
            "blog_id": blog_id,
            "name": draft.name,
            "body": draft.body,
            "status": APPROVED,
            "fingerprint": abuse.fingerprint(draft.body),
            "reports": 0,
            "created_at": created_at,
            "decided_at": created_at,
            "answer_update_id": answered_by,
        }
        for draft, created_at, answered_by in found
    ]
    if rows:
        await conn.execute(insert(comments), rows)
