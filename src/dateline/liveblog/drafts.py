"""Contributors' drafts: text that waits for an editor of the blog to publish or reject it.

`submit` is the one door for new updates from people: an account that may publish does so at
once, a contributor's update becomes a pending draft. Nothing of a draft is public until an
editor publishes it; the published update keeps the contributor as its author and the log
keeps the editor as the one who published it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.accounts.permissions import Action, can
from dateline.accounts.service import User, record
from dateline.db import Database, inserted_id
from dateline.db.tables import drafts, item_uses, items, users, utcnow
from dateline.errors import Conflict, Invalid, NotFound
from dateline.i18n import N_
from dateline.i18n import gettext as _
from dateline.liveblog import queries, service, team
from dateline.liveblog.models import LIMITS, Blog, ImageRef, Update, UpdateDraft, too_long
from dateline.search import index as search_index

PENDING, PUBLISHED, REJECTED = "pending", "published", "rejected"
ALREADY = {  # why a draft that is no longer pending cannot be published or sent back
    PUBLISHED: N_("This draft was already published."),
    REJECTED: N_("This draft was already rejected."),
}


@dataclass(frozen=True)
class Draft:
    id: int
    blog_id: int
    author_id: int | None
    author_name: str
    headline: str
    body: str
    key_event: bool
    images: list[ImageRef]
    status: str
    review_note: str
    reviewed_at: datetime | None
    update_id: int | None
    created_at: datetime
    reviewer_name: str = ""  # who published or rejected it, when the query joined users

    @property
    def content(self) -> UpdateDraft:
        return UpdateDraft(self.body, self.headline, self.key_event, False, list(self.images))

    @classmethod
    def from_row(cls, row: Any) -> Draft:
        names = [name for name in cls.__dataclass_fields__ if name in row._fields]
        fields = {name: getattr(row, name) for name in names}
        fields["images"] = [ImageRef(**image) for image in row.images]
        return cls(**fields)


async def submit(
    db: Database, slug: str, draft: UpdateDraft, actor: User, *, from_item: int | None = None
) -> Update | Draft:
    """Publish when the actor may; otherwise keep it as a draft for the blog's editors.
    `from_item`: the inbox item it was written from, marked as used so the team sees it."""
    async with db.read() as conn:
        blog = await queries.blog_by_slug(conn, slug)
        may_publish = await can(conn, actor, Action.PUBLISH, blog.id)
    if may_publish:
        done: Update | Draft = await service.post_update(db, slug, draft, actor)
    else:
        done = await save_draft(db, slug, draft, actor)
    if from_item is not None:
        await _record_use(db, from_item, done, actor)
    return done


async def _record_use(db: Database, item_id: int, done: Update | Draft, actor: User) -> None:
    """Marks the inbox item as used (ingest's inbox shows it), once the update or draft is
    safe; an item pruned meanwhile (retention) is simply not marked."""
    made = {"draft_id": done.id} if isinstance(done, Draft) else {"update_id": done.id}
    async with db.write() as conn:
        if await conn.scalar(select(items.c.id).where(items.c.id == item_id)) is not None:
            by = {"used_by": actor.id, "used_by_name": actor.display_name, "used_at": utcnow()}
            use = insert(item_uses).values(item_id=item_id, blog_id=done.blog_id, **made, **by)
            await conn.execute(use)


async def save_draft(db: Database, slug: str, draft: UpdateDraft, actor: User) -> Draft:
    draft = draft.validate()
    async with db.write() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.WRITE_DRAFT, lock=True)
        if not blog.is_live:
            raise Conflict(_("Coverage of this live blog has ended; it takes no new updates."))
        await service.check_images(conn, draft)
        result = await conn.execute(
            insert(drafts).values(
                blog_id=blog.id,
                author_id=actor.id,
                author_name=actor.display_name,
                headline=draft.headline,
                body=draft.body,
                key_event=draft.key_event,
                images=[asdict(image) for image in draft.images],
                status=PENDING,
                review_note="",
                created_at=utcnow(),
            )
        )
        draft_id = inserted_id(result)
        await search_index.add(conn, "draft", [draft_id])  # the team finds it at once
        await record(conn, actor, "draft.submitted", blog.id, draft=draft_id)
        return await _draft(conn, blog.id, draft_id)


async def list_drafts(db: Database, slug: str, actor: User) -> tuple[Blog, list[Draft]]:
    """Editors see every draft of the blog; a contributor sees their own. Pending first."""
    async with db.read() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.WRITE_DRAFT)
        query = with_reviewer().where(drafts.c.blog_id == blog.id)
        if not await can(conn, actor, Action.MANAGE_BLOG, blog.id):
            query = query.where(drafts.c.author_id == actor.id)
        query = query.order_by(drafts.c.status != PENDING, drafts.c.id.desc()).limit(200)
        return blog, [Draft.from_row(row) for row in await conn.execute(query)]


async def get_draft(db: Database, slug: str, draft_id: int, actor: User) -> tuple[Blog, Draft]:
    """One draft: any of the blog's for its editors, only their own for a contributor."""
    async with db.read() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.WRITE_DRAFT)
        draft = await _draft(conn, blog.id, draft_id)
        if draft.author_id != actor.id and not await can(conn, actor, Action.MANAGE_BLOG, blog.id):
            raise NotFound(_("There is no such draft on this live blog."))
        return blog, draft


async def publish_draft(
    db: Database, slug: str, draft_id: int, edited: UpdateDraft, actor: User
) -> Update:
    """Publish the draft as the editor left it in the review form, in one transaction."""
    edited = edited.validate()
    async with db.write() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.PUBLISH, lock=True)
        draft = await _pending(conn, blog.id, draft_id)
        author = (draft.author_id, draft.author_name)
        update_id = await service.publish(conn, blog, edited, actor, author=author)
        await _review(conn, draft_id, PUBLISHED, "", actor, update_id)
        await record(conn, actor, "draft.published", blog.id, draft=draft_id)
        return await queries.update_by_id(conn, blog.id, update_id)


async def reject_draft(db: Database, slug: str, draft_id: int, note: str, actor: User) -> None:
    note = note.strip()
    if not note:
        raise Invalid({"review_note": _("Tell the author why, so they can fix it.")})
    if len(note) > LIMITS["correction_note"]:
        raise Invalid({"review_note": too_long(LIMITS["correction_note"])})
    async with db.write() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.PUBLISH, lock=True)
        await _pending(conn, blog.id, draft_id)
        await _review(conn, draft_id, REJECTED, note, actor, None)
        await record(conn, actor, "draft.rejected", blog.id, draft=draft_id)


def with_reviewer() -> Select[Any]:
    """Drafts with the name of the editor who published or rejected them, for their author."""
    reviewer = func.coalesce(users.c.display_name, "").label("reviewer_name")
    joined = drafts.outerjoin(users, users.c.id == drafts.c.reviewed_by)
    return select(drafts, reviewer).select_from(joined)


async def _draft(conn: AsyncConnection, blog_id: int, draft_id: int) -> Draft:
    query = select(drafts).where(drafts.c.id == draft_id, drafts.c.blog_id == blog_id)
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound(_("There is no such draft on this live blog."))
    return Draft.from_row(row)


async def _pending(conn: AsyncConnection, blog_id: int, draft_id: int) -> Draft:
    draft = await _draft(conn, blog_id, draft_id)
    if draft.status != PENDING:
        raise Conflict(_(ALREADY[draft.status]))
    return draft


async def _review(
    conn: AsyncConnection,
    draft_id: int,
    status: str,
    note: str,
    actor: User,
    update_id: int | None,
) -> None:
    await conn.execute(
        update(drafts)
        .where(drafts.c.id == draft_id)
        .values(
            status=status,
            review_note=note,
            reviewed_by=actor.id,
            reviewed_at=utcnow(),
            update_id=update_id,
        )
    )
    await search_index.refresh(conn, "draft", [draft_id])  # reviewed: no longer a draft
