"""Suggested key events: updates that bring the blog a new incident or agreement.

An update is suggested when one of its facts is news to the blog: no earlier update carried
an incident of that kind at that place on that day, or an exchange, ceasefire or talks in
that state. Updates already marked as key events, and those an editor dismissed, are not
suggested (their facts still count as seen). Rejected facts count for nothing. Readers see
none of this: an editor accepts a suggestion by marking the update as a key event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.accounts.permissions import Action
from dateline.accounts.service import User
from dateline.db import Database, insert_new
from dateline.db.tables import key_event_dismissals, updates
from dateline.errors import NotFound
from dateline.facts import queries
from dateline.facts.merge import StoredFact, place_key
from dateline.i18n import gettext as _
from dateline.liveblog import team

Novelty = tuple[object, ...]
EARLIEST = datetime.min.replace(tzinfo=UTC)


def novelty(fact: StoredFact) -> Novelty:
    """What makes a fact news: the same key from an earlier update means it is not."""
    found = fact.fact
    where = place_key(fact) or ""  # as merging compares places (merge.py)
    if fact.kind == "incident":
        return ("incident", found.get("kind"), where, fact.fact_date)
    if fact.kind == "exchange":
        return ("exchange", found.get("what"), found.get("status"))
    if fact.kind == "ceasefire":
        return ("ceasefire", found.get("status"), found.get("scope"))
    return ("talks", where, found.get("start_date"))


def suggest(found: Iterable[StoredFact], candidates: set[int]) -> dict[int, list[StoredFact]]:
    """The new facts of each candidate update (live, not a key event, not dismissed), by
    update id, read in the order the updates were published."""
    seen: set[Novelty] = set()
    new: dict[int, list[StoredFact]] = {}
    for fact in sorted(found, key=_published_order):
        key = novelty(fact)
        update_id = fact.source.update_id
        if key not in seen and update_id in candidates:
            new.setdefault(update_id, []).append(fact)
        seen.add(key)
    return new


def _published_order(fact: StoredFact) -> tuple[datetime, int, int]:
    return (fact.source.published_at or EARLIEST, fact.source.update_id or 0, fact.id)


Marks = dict[int, tuple[Novelty, ...]]  # suggested update → what is new in it


async def marks(conn: AsyncConnection, blog_id: int) -> Marks:
    """The blog's suggested key events as they stand: what the facts worker compares before
    and after it stores facts, to tell open editor pages which marks came or went."""
    found = await queries.of_blog(conn, blog_id)
    suggested = suggest(found, await candidates(conn, blog_id))
    return {update_id: tuple(map(novelty, new)) for update_id, new in suggested.items()}


async def candidates(conn: AsyncConnection, blog_id: int) -> set[int]:
    """The blog's updates a suggestion may mark: live, not key events, not dismissed."""
    dismissed = select(key_event_dismissals.c.update_id)
    query = select(updates.c.id).where(
        updates.c.blog_id == blog_id,
        updates.c.deleted_at.is_(None),
        updates.c.key_event.is_(False),
        updates.c.id.not_in(dismissed),
    )
    return set((await conn.execute(query)).scalars())


async def dismiss(db: Database, slug: str, update_id: int, actor: User, now: datetime) -> None:
    """Stop suggesting the update (those who may mark key events may dismiss them)."""
    async with db.write() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.PUBLISH)
        query = select(updates.c.id).where(
            updates.c.id == update_id,
            updates.c.blog_id == blog.id,
            updates.c.deleted_at.is_(None),
        )
        if (await conn.execute(query)).first() is None:
            raise NotFound(_("There is no such update."))
        await conn.execute(
            insert_new(conn, key_event_dismissals).values(
                update_id=update_id, dismissed_by=actor.id, dismissed_at=now
            )
        )
