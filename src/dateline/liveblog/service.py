"""Use cases of a live blog. Each one is one transaction that changes the current state AND
appends an event to the blog's log with the next gap-free sequence number (docs/architecture.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.accounts.permissions import Action, authorize
from dateline.accounts.service import User
from dateline.db import Database, appended, inserted_id
from dateline.db.tables import blog_events, blogs, images, update_images, updates, utcnow
from dateline.errors import Conflict, Invalid
from dateline.html import plain_text, render_markdown
from dateline.liveblog import queries, team
from dateline.liveblog.models import (
    Blog,
    BlogDraft,
    Update,
    UpdateDraft,
    validate_correction,
    validate_recap,
)


async def create_blog(
    db: Database, draft: BlogDraft, actor: User, *, start: datetime | None = None
) -> Blog:
    draft = draft.validate()
    now = utcnow()
    try:
        async with db.write() as conn:
            await authorize(conn, actor, Action.CREATE_BLOG)
            result = await conn.execute(
                insert(blogs).values(
                    slug=draft.slug,
                    title=draft.title,
                    standfirst=draft.standfirst,
                    category=draft.category,
                    time_zone=draft.time_zone,
                    status="live",
                    coverage_start=start or now,
                    created_at=now,
                    updated_at=now,
                    owner_id=actor.id,
                    recap_items=[],
                    last_seq=0,
                )
            )
            blog_id = inserted_id(result)
            await team.join(conn, blog_id, actor.id, actor.id)
            await _append(conn, blog_id, "blog.created", actor, payload={"title": draft.title})
            return await queries.blog_by_slug(conn, draft.slug)
    except IntegrityError as exc:
        raise Invalid({"slug": f"The address /live/{draft.slug} is taken; pick another."}) from exc


async def post_update(
    db: Database,
    slug: str,
    draft: UpdateDraft,
    actor: User,
    *,
    published_at: datetime | None = None,
    author_name: str | None = None,
) -> Update:
    draft = draft.validate()
    async with db.write() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.PUBLISH, lock=True)
        update_id = await publish(
            conn,
            blog,
            draft,
            actor,
            author=(actor.id, author_name or actor.display_name),
            published_at=published_at,
        )
        return await queries.update_by_id(conn, blog.id, update_id)


async def publish(
    conn: AsyncConnection,
    blog: Blog,
    draft: UpdateDraft,
    actor: User,
    *,
    author: tuple[int | None, str],
    published_at: datetime | None = None,
) -> int:
    """Insert a validated update in the caller's transaction (the caller has authorized
    `actor`); `author` is who wrote it, `actor` who published it. The new update's id."""
    if not blog.is_live:
        raise Conflict("Coverage of this live blog has ended; it takes no new updates.")
    await check_images(conn, draft)
    result = await conn.execute(
        insert(updates).values(
            blog_id=blog.id,
            author_id=author[0],
            author_name=author[1],
            published_at=published_at or utcnow(),
            correction_note="",
            **_content(draft),
        )
    )
    update_id = inserted_id(result)
    await _attach_images(conn, update_id, draft)
    if draft.pinned:
        await _unpin_others(conn, blog.id, update_id, actor)
    await _append(conn, blog.id, "update.published", actor, update_id, _flags(draft))
    return update_id


async def edit_update(
    db: Database, slug: str, update_id: int, draft: UpdateDraft, actor: User
) -> Update:
    draft = draft.validate()
    async with db.write() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.PUBLISH, lock=True)
        current = await _live_update(conn, blog, update_id)
        await check_images(conn, draft)
        if draft.pinned and not current.pinned:
            await _unpin_others(conn, blog.id, update_id, actor)
        await conn.execute(
            update(updates)
            .where(updates.c.id == update_id)
            .values(edited_at=utcnow(), **_content(draft))
        )
        await conn.execute(delete(update_images).where(update_images.c.update_id == update_id))
        await _attach_images(conn, update_id, draft)
        # Filtered (key events only) readers must hear of an edit that unmarks a key event.
        flags = {**_flags(draft), "was_key_event": current.key_event}
        await _append(conn, blog.id, "update.edited", actor, update_id, flags)
        return await queries.update_by_id(conn, blog.id, update_id)


async def delete_update(
    db: Database, slug: str, update_id: int, actor: User, correction_note: str = ""
) -> None:
    """Soft delete: readers see the correction note in its place, or nothing without one."""
    note = validate_correction(correction_note)
    async with db.write() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.PUBLISH, lock=True)
        await _live_update(conn, blog, update_id)
        await conn.execute(
            update(updates)
            .where(updates.c.id == update_id)
            .values(deleted_at=utcnow(), correction_note=note, pinned=False)
        )
        payload = {"correction_note": note}
        await _append(conn, blog.id, "update.deleted", actor, update_id, payload)


async def set_key_event(db: Database, slug: str, update_id: int, on: bool, actor: User) -> None:
    async with db.write() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.PUBLISH, lock=True)
        await _live_update(conn, blog, update_id)
        await conn.execute(update(updates).where(updates.c.id == update_id).values(key_event=on))
        await _append(conn, blog.id, "update.key_event", actor, update_id, {"key_event": on})


async def set_pinned(db: Database, slug: str, update_id: int, on: bool, actor: User) -> None:
    """At most one update is pinned: pinning one unpins the one before."""
    async with db.write() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.PUBLISH, lock=True)
        await _live_update(conn, blog, update_id)
        if on:
            await _unpin_others(conn, blog.id, update_id, actor)
        await conn.execute(update(updates).where(updates.c.id == update_id).values(pinned=on))
        await _append(conn, blog.id, "update.pinned", actor, update_id, {"pinned": on})


async def set_recap(db: Database, slug: str, items: list[str], actor: User) -> Blog:
    cleaned = validate_recap(items)
    async with db.write() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.PUBLISH, lock=True)
        await conn.execute(
            update(blogs)
            .where(blogs.c.id == blog.id)
            .values(recap_items=cleaned, recap_updated_at=utcnow())
        )
        await _append(conn, blog.id, "recap.changed", actor, payload={"items": cleaned})
        return await queries.blog_by_slug(conn, slug)


async def end_coverage(db: Database, slug: str, actor: User) -> Blog:
    async with db.write() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.PUBLISH, lock=True)
        if not blog.is_live:
            raise Conflict("Coverage of this live blog has already ended.")
        await conn.execute(
            update(blogs).where(blogs.c.id == blog.id).values(status="ended", coverage_end=utcnow())
        )
        await _append(conn, blog.id, "blog.ended", actor)
        return await queries.blog_by_slug(conn, slug)


async def _append(
    conn: AsyncConnection,
    blog_id: int,
    kind: str,
    actor: User,
    update_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> int:
    """Append to the log. Bumping blogs.last_seq in this transaction keeps seq gap-free."""
    now = utcnow()
    seq: int = (
        await conn.execute(
            update(blogs)
            .where(blogs.c.id == blog_id)
            .values(last_seq=blogs.c.last_seq + 1, updated_at=now)
            .returning(blogs.c.last_seq)
        )
    ).scalar_one()
    await conn.execute(
        insert(blog_events).values(
            blog_id=blog_id,
            seq=seq,
            kind=kind,
            update_id=update_id,
            actor_id=actor.id,
            payload=payload or {},
            created_at=now,
        )
    )
    appended(conn, blog_id, seq)
    return seq


async def _live_update(conn: AsyncConnection, blog: Blog, update_id: int) -> Update:
    found = await queries.update_by_id(conn, blog.id, update_id)
    if found.is_deleted:
        raise Conflict("This update has been deleted.")
    return found


async def _unpin_others(conn: AsyncConnection, blog_id: int, keep: int, actor: User) -> None:
    """Unpin every other update, each with its own event so open pages drop the old label."""
    unpinned = await conn.execute(
        update(updates)
        .where(updates.c.blog_id == blog_id, updates.c.pinned, updates.c.id != keep)
        .values(pinned=False)
        .returning(updates.c.id)
    )
    for update_id in unpinned.scalars().all():
        await _append(conn, blog_id, "update.pinned", actor, update_id, {"pinned": False})


async def check_images(conn: AsyncConnection, draft: UpdateDraft) -> None:
    wanted = {image.hash for image in draft.images}
    if not wanted:
        return
    found = set(
        (await conn.execute(select(images.c.hash).where(images.c.hash.in_(wanted)))).scalars()
    )
    if wanted - found:
        raise Invalid({"images": "An image of this update was not uploaded; upload it again."})


async def _attach_images(conn: AsyncConnection, update_id: int, draft: UpdateDraft) -> None:
    if draft.images:
        await conn.execute(
            insert(update_images),
            [
                {
                    "update_id": update_id,
                    "position": position,
                    "image_hash": image.hash,
                    "alt": image.alt,
                    "caption": image.caption,
                    "credit": image.credit,
                }
                for position, image in enumerate(draft.images)
            ],
        )


def _content(draft: UpdateDraft) -> dict[str, Any]:
    """Columns an editor's text sets; HTML is rendered now so page reads never render."""
    html = render_markdown(draft.body)
    return {
        "headline": draft.headline,
        "body": draft.body,
        "body_html": html,
        "body_text": plain_text(html),
        "key_event": draft.key_event,
        "pinned": draft.pinned,
    }


def _flags(draft: UpdateDraft) -> dict[str, Any]:
    return {"key_event": draft.key_event, "pinned": draft.pinned}
