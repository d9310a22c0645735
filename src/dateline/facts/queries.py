"""Reading stored facts with their sources, and an editor's review of one fact.

A blog's facts are those of its updates; a story's are those of its items (and of its
live blog's updates, when it is one). Merging across sources happens after reading
(`merge.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.db import Database
from dateline.db.tables import blogs, facts, items, sources, stories, story_items, updates
from dateline.errors import Invalid, NotFound
from dateline.facts.merge import Source, StoredFact
from dateline.facts.records import SHOWN_TO_READERS, columns, corrected
from dateline.i18n import gettext as _

MAX_FACTS = 5000  # of one blog or story per answer: the newest


async def of_blog(
    conn: AsyncConnection, blog_id: int, *, rejected: bool = False
) -> list[StoredFact]:
    return await _read(conn, facts.c.blog_id == blog_id, rejected)


async def of_story(
    conn: AsyncConnection, story_id: int, *, rejected: bool = False
) -> list[StoredFact]:
    return await _read(conn, await _of_story(conn, story_id), rejected)


@dataclass(frozen=True, slots=True)
class StoryHeading:
    id: int
    title: str
    language: str


async def story_heading(conn: AsyncConnection, story_id: int) -> StoryHeading:
    """What the story's facts page is headed with."""
    query = select(stories.c.id, stories.c.title, stories.c.language).where(
        stories.c.id == story_id, stories.c.deleted_at.is_(None)
    )
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound(_("There is no such story."))
    return StoryHeading(row.id, row.title, row.language)


async def story_has_facts(conn: AsyncConnection, story_id: int) -> bool:
    """Does the story have a fact for readers (its page then links to its facts)?"""
    shown = facts.c.review.in_(SHOWN_TO_READERS)
    query = select(facts.c.id).where(await _of_story(conn, story_id), shown).limit(1)
    return (await conn.execute(query)).first() is not None


async def _of_story(conn: AsyncConnection, story_id: int) -> ColumnElement[bool]:
    return (await story_facts_filter(conn, story_id))[0]


async def story_facts_filter(
    conn: AsyncConnection, story_id: int
) -> tuple[ColumnElement[bool], int | None]:
    """Which facts are the story's (its items', its live blog's), and that blog's id."""
    story = (
        await conn.execute(
            select(stories.c.blog_id).where(
                stories.c.id == story_id, stories.c.deleted_at.is_(None)
            )
        )
    ).first()
    if story is None:
        raise NotFound(_("There is no such story."))
    in_story = select(story_items.c.item_id).where(story_items.c.story_id == story_id)
    wanted: ColumnElement[bool] = facts.c.item_id.in_(in_story)
    if story.blog_id is not None:
        wanted = or_(wanted, facts.c.blog_id == story.blog_id)
    return wanted, story.blog_id


async def one(conn: AsyncConnection, fact_id: int) -> list[StoredFact]:
    """The fact, whatever its review state, as a list of one."""
    found = await _read(conn, facts.c.id == fact_id, rejected=True)
    if not found:
        raise NotFound(_("There is no such fact."))
    return found


async def _read(
    conn: AsyncConnection, wanted: ColumnElement[bool], rejected: bool
) -> list[StoredFact]:
    shown = facts.c.review.in_(SHOWN_TO_READERS) if not rejected else facts.c.id.is_not(None)
    query = (
        select(
            facts,
            updates.c.headline,
            updates.c.published_at.label("update_published_at"),
            blogs.c.slug,
            blogs.c.title.label("blog_title"),
            items.c.url,
            items.c.title.label("item_title"),
            items.c.published_at.label("item_published_at"),
            sources.c.title.label("source_title"),
        )
        .outerjoin(updates, updates.c.id == facts.c.update_id)
        .outerjoin(blogs, blogs.c.id == updates.c.blog_id)
        .outerjoin(items, items.c.id == facts.c.item_id)
        .outerjoin(sources, sources.c.id == items.c.source_id)
        .where(wanted, shown)
        .order_by(facts.c.id.desc())
        .limit(MAX_FACTS)
    )
    return [_stored(row) for row in reversed((await conn.execute(query)).all())]


def _stored(row: Any) -> StoredFact:
    if row.source_kind == "update":
        source = Source(
            "update", row.update_id, None, row.slug, "", row.headline, row.blog_title,
            row.update_published_at,
        )  # fmt: skip
    else:
        source = Source(
            "item", None, row.item_id, None, row.url, row.item_title, row.source_title,
            row.item_published_at,
        )  # fmt: skip
    return StoredFact(
        row.id, row.kind, row.review, row.fact, row.fact_date, row.geonames_id, source
    )


async def review(
    db: Database,
    fact_id: int,
    state: str,
    changes: dict[str, Any] | None,
    reviewer: int,
    now: datetime,
) -> None:
    """Confirm, correct or reject a fact. A correction changes the fields given (its
    fingerprint stays, so a later reading of the same sentence is recognised)."""
    async with db.write() as conn:
        query = select(facts).where(facts.c.id == fact_id).with_for_update()
        row = (await conn.execute(query)).first()
        if row is None:
            raise NotFound(_("There is no such fact."))
        values: dict[str, Any] = {
            "review": state,
            "reviewed_by": reviewer,
            "reviewed_at": now,
            "revision": facts.c.revision + 1,
        }
        if state == "corrected":
            if not changes:
                raise Invalid({"fact": _("Say what is correct: the fields that change.")})
            fact = corrected(row.kind, row.fact, changes)
            values.update(columns(row.kind, fact, row.fact_date))
            del values["fingerprint"]
        await conn.execute(update(facts).where(facts.c.id == fact_id).values(values))
