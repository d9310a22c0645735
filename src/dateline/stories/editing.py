"""Editors' decisions on stories: move an item, merge, split, retitle, set the category.

Each runs under the stories lock (`store.serialise`), like automatic placement, and is
stored as a decision (`moved_by_editor`, `members_locked`, `title_locked`,
`category_locked`) that later passes keep. A refused change (a merge into itself, a split
that leaves nothing, a move to a deleted story) changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.db import Database
from dateline.db.tables import stories, story_items
from dateline.db.tables import utcnow as now
from dateline.errors import Conflict, Invalid, NotFound
from dateline.i18n import gettext as _
from dateline.search import index as search_index
from dateline.stories import store
from dateline.stories.categories import Classifier

Categorise = Classifier | None


async def _open_story(conn: AsyncConnection, story_id: int) -> Any:
    row = (await conn.execute(select(stories).where(stories.c.id == story_id))).first()
    if row is None:
        raise NotFound(_("There is no such story."))
    if row.deleted_at is not None:
        raise Conflict(_("That story was merged into another or emptied; pick another."))
    return row


async def move_item(db: Database, item_id: int, story_id: int, categorise: Categorise) -> int:
    """Put item `item_id` in story `story_id`; the story it left."""
    async with db.write() as conn:
        await store.serialise(conn)
        row = (
            await conn.execute(select(story_items).where(story_items.c.item_id == item_id))
        ).first()
        if row is None:
            raise NotFound(_("That item is in no story yet."))
        await _open_story(conn, story_id)
        if row.story_id != story_id:
            await store.move(conn, [item_id], story_id)
            await _lock_members(conn, row.story_id)
            await store.refresh(conn, [row.story_id, story_id], categorise)
        return int(row.story_id)


async def merge(db: Database, story_id: int, into: int, categorise: Categorise) -> None:
    """Every item of `story_id` goes to `into`; `story_id` is then deleted, and its address
    leads to `into`."""
    if story_id == into:
        raise Invalid({"into": _("A story cannot be merged into itself.")})
    async with db.write() as conn:
        await store.serialise(conn)
        await _open_story(conn, story_id)
        await _open_story(conn, into)
        await store.move(conn, await store.members(conn, story_id), into)
        await store.merged(conn, story_id, into)
        await store.refresh(conn, [story_id, into], categorise)


async def split(
    db: Database, story_id: int, item_ids: Sequence[int], categorise: Categorise
) -> int:
    """Items `item_ids` of the story become a story of their own; its id."""
    chosen = sorted(set(item_ids))
    if not chosen:
        raise Invalid({"items": _("Choose the items that make the new story.")})
    async with db.write() as conn:
        await store.serialise(conn)
        await _open_story(conn, story_id)
        members = await store.members(conn, story_id)
        if not set(chosen) <= set(members):
            raise Invalid({"items": _("Some of these items are not in this story.")})
        if len(chosen) == len(members):
            raise Invalid({"items": _("A split must leave at least one item in the story.")})
        new_id = await store.new_story(conn, now())
        await store.move(conn, chosen, new_id)
        await _lock_members(conn, story_id)
        await store.refresh(conn, [story_id, new_id], categorise)
        return new_id


async def retitle(db: Database, story_id: int, title: str) -> None:
    """The editor's headline, kept however the story grows."""
    title = " ".join(title.split())
    if not title:
        raise Invalid({"title": _("Give the story a title.")})
    if len(title) > 1000:
        raise Invalid({"title": _("A title can have at most 1,000 characters.")})
    async with db.write() as conn:
        await store.serialise(conn)
        await _open_story(conn, story_id)
        values = {"title": title, "title_locked": True}
        await conn.execute(update(stories).where(stories.c.id == story_id).values(values))
        await search_index.refresh(conn, "story", [story_id])


async def set_category(db: Database, story_id: int, code: str | None, known: set[str]) -> None:
    """The editor's category (None: none), kept however the story grows."""
    if code is not None and code not in known:
        raise Invalid({"code": _("There is no category with that code.")})
    async with db.write() as conn:
        await store.serialise(conn)
        await _open_story(conn, story_id)
        values = {"category_code": code, "category_confidence": 1.0, "category_locked": True}
        await conn.execute(update(stories).where(stories.c.id == story_id).values(values))
        await search_index.refresh(conn, "story", [story_id])


async def _lock_members(conn: AsyncConnection, story_id: int) -> None:
    """What stays in a story an editor split or took items from is their decision too."""
    await conn.execute(update(stories).where(stories.c.id == story_id).values(members_locked=True))
