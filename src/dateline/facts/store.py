"""Stored facts: which texts still need reading, and saving what was read.

A text is an update (while not deleted) or an item, read again when it changed (an update's
`version`, an item's content hash) or when the extractor did (`EXTRACTOR_VERSION`). Saving
replaces only the `suggested` facts of a text: a fact an editor confirmed, corrected or
rejected stays as decided, and the same fact read again is not suggested beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.db import insert_new
from dateline.db.tables import blogs, fact_sources, facts, items, updates
from dateline.facts.records import EXTRACTOR_VERSION

BATCH = 64  # texts read, then saved in one transaction


@dataclass(frozen=True, slots=True)
class Text:
    """A text waiting to be read: where it comes from, its version and its words."""

    kind: str  # update, item
    id: int
    blog_id: int | None
    version: str
    text: str
    lang: str | None
    published_at: datetime | None


def _stale(version: Any) -> Any:
    return or_(
        fact_sources.c.id.is_(None),
        fact_sources.c.source_version != version,
        fact_sources.c.extractor_version != EXTRACTOR_VERSION,
    )


async def pending_updates(conn: AsyncConnection, limit: int = BATCH) -> list[Text]:
    """Published updates not read yet, or changed since."""
    version = cast(updates.c.version, String)
    query = (
        select(
            updates.c.id,
            updates.c.blog_id,
            version.label("version"),
            updates.c.headline,
            updates.c.body_text,
            updates.c.published_at,
            blogs.c.language,
        )
        .join(blogs, blogs.c.id == updates.c.blog_id)
        .outerjoin(fact_sources, fact_sources.c.update_id == updates.c.id)
        .where(updates.c.deleted_at.is_(None), _stale(version))
        .order_by(updates.c.id)
        .limit(limit)
    )
    return [
        Text("update", row.id, row.blog_id, row.version, _joined(row.headline, row.body_text),
             row.language, row.published_at)
        for row in await conn.execute(query)
    ]  # fmt: skip


async def pending_items(conn: AsyncConnection, limit: int = BATCH) -> list[Text]:
    """Stored items not read yet, or whose text changed since."""
    query = (
        select(
            items.c.id,
            items.c.content_hash,
            items.c.title,
            items.c.text,
            items.c.summary,
            items.c.language,
            items.c.published_at,
            items.c.first_seen_at,
        )
        .outerjoin(fact_sources, fact_sources.c.item_id == items.c.id)
        .where(_stale(items.c.content_hash))
        .order_by(items.c.id)
        .limit(limit)
    )
    return [
        Text(
            "item",
            row.id,
            None,
            row.content_hash,
            _joined(row.title, row.text or row.summary),
            row.language[:2].lower() or None,
            row.published_at or row.first_seen_at,
        )
        for row in await conn.execute(query)
    ]


def _joined(title: str, body: str) -> str:
    """The body, else the title: a headline repeats the body's fact without its date or
    detail, and the extractor would take its dateless sentence as the evidence."""
    return body if body.strip() else title


async def deleted_updates(conn: AsyncConnection, limit: int = BATCH) -> list[int]:
    """Deleted updates whose facts are still stored."""
    query = (
        select(fact_sources.c.update_id)
        .join(updates, updates.c.id == fact_sources.c.update_id)
        .where(updates.c.deleted_at.is_not(None))
        .limit(limit)
    )
    return list((await conn.execute(query)).scalars())


async def forget_updates(conn: AsyncConnection, update_ids: Sequence[int]) -> None:
    """A deleted update's facts go with it, reviewed ones too: nobody may read them now."""
    if update_ids:
        await conn.execute(delete(facts).where(facts.c.update_id.in_(update_ids)))
        await conn.execute(delete(fact_sources).where(fact_sources.c.update_id.in_(update_ids)))


async def save(
    conn: AsyncConnection, text: Text, rows: list[dict[str, Any]], now: datetime
) -> bool:
    """Store what was read from `text` unless it is gone or another worker stored this
    version already (the source's marker row is locked while deciding). Did it store?"""
    key = fact_sources.c.update_id if text.kind == "update" else fact_sources.c.item_id
    if not await _exists(conn, text):
        return False
    marker = {"source_version": text.version, "extractor_version": EXTRACTOR_VERSION}
    await conn.execute(
        insert_new(conn, fact_sources).values(
            {key.name: text.id, "source_version": "", "extractor_version": "", "extracted_at": now}
        )
    )
    found = (await conn.execute(select(fact_sources).where(key == text.id).with_for_update())).one()
    if (found.source_version, found.extractor_version) == tuple(marker.values()):
        return False
    await _replace_suggested(conn, text, rows, now)
    await conn.execute(
        update(fact_sources).where(key == text.id).values(extracted_at=now, **marker)
    )
    return True


async def _exists(conn: AsyncConnection, text: Text) -> bool:
    if text.kind == "update":
        query = select(updates.c.id).where(updates.c.id == text.id, updates.c.deleted_at.is_(None))
    else:
        query = select(items.c.id).where(items.c.id == text.id)
    return (await conn.execute(query)).first() is not None


async def _replace_suggested(
    conn: AsyncConnection, text: Text, rows: list[dict[str, Any]], now: datetime
) -> None:
    of_text = facts.c.update_id == text.id if text.kind == "update" else facts.c.item_id == text.id
    decided = select(facts.c.fingerprint).where(of_text, facts.c.review != "suggested")
    kept = set((await conn.execute(decided)).scalars())
    await conn.execute(delete(facts).where(of_text, facts.c.review == "suggested"))
    new = [row for row in rows if row["fingerprint"] not in kept]
    if not new:
        return
    source = {
        "source_kind": text.kind,
        "update_id": text.id if text.kind == "update" else None,
        "item_id": text.id if text.kind == "item" else None,
        "blog_id": text.blog_id,
        "review": "suggested",
        "extracted_at": now,
        "extractor_version": EXTRACTOR_VERSION,
    }
    await conn.execute(insert(facts), [{**row, **source} for row in new])
