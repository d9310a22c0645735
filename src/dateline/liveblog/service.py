"""Use cases of a live blog. Each one is one transaction that changes the current state AND
appends an event to the blog's log with the next gap-free sequence number (docs/architecture.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Set
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.accounts.permissions import Action, authorize
from dateline.accounts.service import User
from dateline.db import Database, inserted_id
from dateline.db.log import append_event
from dateline.db.tables import blog_events, blogs, images, update_images, updates, users, utcnow
from dateline.errors import Conflict, Invalid
from dateline.html import plain_text, render_markdown
from dateline.i18n import gettext as _
from dateline.liveblog import queries, team
from dateline.liveblog.models import (
    Blog,
    BlogDraft,
    Stale,
    Update,
    UpdateDraft,
    UpdatePatch,
    validate_correction,
    validate_recap,
)
from dateline.search import index as search_index


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
                    language=draft.language,
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
        taken = _("The address /live/%(slug)s is taken; pick another.") % {"slug": draft.slug}
        raise Invalid({"slug": taken}) from exc


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
        raise Conflict(_("Coverage of this live blog has ended; it takes no new updates."))
    await check_images(conn, draft)
    result = await conn.execute(
        insert(updates).values(
            blog_id=blog.id,
            author_id=author[0],
            author_name=author[1],
            published_at=published_at or utcnow(),
            correction_note="",
            **await _columns(draft),
        )
    )
    update_id = inserted_id(result)
    await _attach_images(conn, update_id, draft)
    await search_index.add(conn, "update", [update_id])  # findable once committed
    if draft.pinned:
        await _unpin_others(conn, blog.id, update_id, actor)
    await _append(conn, blog.id, "update.published", actor, update_id, _flags(draft))
    return update_id


async def edit_update(
    db: Database,
    slug: str,
    update_id: int,
    change: UpdateDraft | UpdatePatch,
    actor: User,
    *,
    versions: Set[int] | None = None,
) -> Update:
    """Apply `change` (a whole draft, or the fields an API client sent) to the update as it is
    inside this transaction, so nothing changed meanwhile is written back. `versions`: those
    the caller's copy may have (If-Match, the edit form's hidden field); another is Stale."""
    patch = change if isinstance(change, UpdatePatch) else UpdatePatch.whole(change.validate())
    async with db.write() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.PUBLISH, lock=True)
        current = await _live_update(conn, blog, update_id, versions)
        draft = patch.applied_to(current).validate()
        await check_images(conn, draft)
        if draft.pinned and not current.pinned:
            await _unpin_others(conn, blog.id, update_id, actor)
        await _change(conn, update_id, edited_at=utcnow(), **await _columns(draft, patch.sent()))
        await search_index.refresh(conn, "update", [update_id])
        if patch.images is not None:
            await conn.execute(delete(update_images).where(update_images.c.update_id == update_id))
            await _attach_images(conn, update_id, draft)
        # Filtered (key events only) readers must hear of an edit that unmarks a key event.
        flags = {**_flags(draft), "was_key_event": current.key_event}
        await _append(conn, blog.id, "update.edited", actor, update_id, flags)
        return await queries.update_by_id(conn, blog.id, update_id)


async def delete_update(
    db: Database,
    slug: str,
    update_id: int,
    actor: User,
    correction_note: str = "",
    *,
    versions: Set[int] | None = None,
) -> None:
    """Soft delete: readers see the correction note in its place, or nothing without one."""
    note = validate_correction(correction_note)
    async with db.write() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.PUBLISH, lock=True)
        await _live_update(conn, blog, update_id, versions)
        await _change(conn, update_id, deleted_at=utcnow(), correction_note=note, pinned=False)
        await search_index.refresh(conn, "update", [update_id])  # no longer findable
        payload = {"correction_note": note}
        await _append(conn, blog.id, "update.deleted", actor, update_id, payload)


async def set_key_event(
    db: Database,
    slug: str,
    update_id: int,
    on: bool,
    actor: User,
    *,
    versions: Set[int] | None = None,
) -> None:
    """The key event switch of the editor page and the API alike: not an edit."""
    async with db.write() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.PUBLISH, lock=True)
        await _live_update(conn, blog, update_id, versions)
        await _change(conn, update_id, key_event=on)
        await _append(conn, blog.id, "update.key_event", actor, update_id, {"key_event": on})


async def set_pinned(
    db: Database,
    slug: str,
    update_id: int,
    on: bool,
    actor: User,
    *,
    versions: Set[int] | None = None,
) -> None:
    """At most one update is pinned: pinning one unpins the one before."""
    async with db.write() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.PUBLISH, lock=True)
        await _live_update(conn, blog, update_id, versions)
        if on:
            await _unpin_others(conn, blog.id, update_id, actor)
        await _change(conn, update_id, pinned=on)
        await _append(conn, blog.id, "update.pinned", actor, update_id, {"pinned": on})


async def preview(db: Database, slug: str, draft: UpdateDraft, actor: User, action: Action) -> str:
    """The HTML `draft` would get, after the validation and permission check that saving it
    (`action`: writing a draft, or changing published updates) makes: text that could not be
    saved is never rendered, and rendering runs off the event loop."""
    clean = draft.validate()
    async with db.read() as conn:
        await team.authorized_blog(conn, slug, actor, action)
    return str((await _columns(clean, {"body"}))["body_html"])


async def blog_to_change(db: Database, slug: str, actor: User) -> Blog:
    """The blog behind the recap and end forms, for those who may change it."""
    async with db.read() as conn:
        return await team.authorized_blog(conn, slug, actor, Action.PUBLISH)


async def update_to_change(
    db: Database, slug: str, update_id: int, actor: User
) -> tuple[Blog, Update]:
    """The blog and update behind the edit and delete forms, for those who may change it:
    the forms show its text, and a deleted update's text is no longer public."""
    async with db.read() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.PUBLISH)
        return blog, await _live_update(conn, blog, update_id)


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
            raise Conflict(_("Coverage of this live blog has already ended."))
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
    """Append to the log (db/log.py keeps seq gap-free)."""
    return await append_event(conn, blog_id, kind, actor.id, update_id, payload)


async def _live_update(
    conn: AsyncConnection, blog: Blog, update_id: int, versions: Set[int] | None = None
) -> Update:
    """The update about to change; Stale when the caller's copy is not one of `versions`."""
    found = await queries.update_by_id(conn, blog.id, update_id)
    if found.is_deleted:
        raise Conflict(_("This update has been deleted."))
    if versions is not None and found.version not in versions:
        by, at = await _last_change(conn, blog.id, update_id)
        raise Stale(found.version, by, at)
    return found


async def _last_change(
    conn: AsyncConnection, blog_id: int, update_id: int
) -> tuple[str | None, datetime | None]:
    """Who changed the update last and when, from the log (each version bump has an event);
    no name when the account is gone or the change came from an import."""
    query = (
        select(users.c.display_name, blog_events.c.created_at)
        .select_from(blog_events)
        .outerjoin(users, users.c.id == blog_events.c.actor_id)
        .where(blog_events.c.blog_id == blog_id, blog_events.c.update_id == update_id)
        .order_by(blog_events.c.seq.desc())
        .limit(1)
    )
    row = (await conn.execute(query)).first()
    return (row.display_name, row.created_at) if row else (None, None)


async def _change(conn: AsyncConnection, update_id: int, **values: Any) -> None:
    """Set columns of one update and bump its version: every change goes through here."""
    await conn.execute(
        update(updates)
        .where(updates.c.id == update_id)
        .values(version=updates.c.version + 1, **values)
    )


async def _unpin_others(conn: AsyncConnection, blog_id: int, keep: int, actor: User) -> None:
    """Unpin every other update, each with its own event so open pages drop the old label."""
    unpinned = await conn.execute(
        update(updates)
        .where(updates.c.blog_id == blog_id, updates.c.pinned, updates.c.id != keep)
        .values(pinned=False, version=updates.c.version + 1)
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
        raise Invalid({"images": _("An image of this update was not uploaded; upload it again.")})


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


def _content(draft: UpdateDraft, sent: Set[str] | None = None) -> dict[str, Any]:
    """Columns an editor's text sets (only those of the fields `sent`, when given); HTML is
    rendered now so page reads never render. Async code runs this in a worker thread
    (`_columns`); the import reads it directly."""
    columns: dict[str, Any] = {
        name: getattr(draft, name)
        for name in ("headline", "key_event", "pinned")
        if sent is None or name in sent
    }
    if sent is None or "body" in sent:
        html = render_markdown(draft.body)
        columns.update(body=draft.body, body_html=html, body_text=plain_text(html))
    return columns


async def _columns(draft: UpdateDraft, sent: Set[str] | None = None) -> dict[str, Any]:
    """`_content` in a worker thread: a body at the length limit can take a few hundred
    milliseconds to render, which on the event loop would stall every reader meanwhile."""
    return await asyncio.to_thread(_content, draft, sent)


def _flags(draft: UpdateDraft) -> dict[str, Any]:
    return {"key_event": draft.key_event, "pinned": draft.pinned}
