"""Use cases of readers' comments. Each is one transaction; every change a reader or the team
could notice appends an event to the blog's log (db/log.py), which the event stream, the
moderation queue and caches follow:

- `comment.queued`: a comment came in or was reported. The event holds its id only, never its
  text, so the public stream says nothing that an editor has not approved.
- `comment.approved`: readers may see it now (frames carry its rendered HTML).
- `comment.removed`: rejected, deleted or erased: pages drop it, its text is gone.

Removing a comment that an update answered also takes its words out of that update: that
use case needs the live blog's services, so it is `liveblog/answers.py`, which calls
`withdraw` here in its own transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.accounts.permissions import Action, authorize
from dateline.accounts.service import User
from dateline.comments import abuse, queries
from dateline.comments.models import APPROVED, PENDING, Comment, CommentDraft
from dateline.comments.queries import CommentedBlog
from dateline.db import Database, inserted_id
from dateline.db.log import append_event
from dateline.db.tables import comments, comments_closed, utcnow
from dateline.errors import Conflict, Invalid
from dateline.i18n import gettext as _


async def submit(
    db: Database,
    slug: str,
    draft: CommentDraft,
    address: str,
    rules: abuse.Rules,
    *,
    now: datetime | None = None,
) -> Comment | None:
    """Queue a reader's comment for the team. None when the honeypot was filled: the robot
    is told it worked, and nothing is stored."""
    if draft.from_robot:
        return None
    clean = draft.validate()
    rules.check_text(clean.body)
    now = now or utcnow()
    async with db.write() as conn:
        blog = await _open_blog(conn, slug)
        await abuse.admit(conn, rules, address, now)
        digest = abuse.fingerprint(clean.body)
        if await queries.same_text_since(conn, blog.id, digest, now - abuse.KEPT_FOR):
            raise Invalid({"body": _("This has been sent already; an editor will read it.")})
        result = await conn.execute(
            insert(comments).values(
                blog_id=blog.id,
                name=clean.name,
                body=clean.body,
                status=PENDING,
                fingerprint=digest,
                reports=0,
                created_at=now,
            )
        )
        comment_id = inserted_id(result)
        await _queued(conn, blog.id, comment_id)
        return await queries.comment_by_id(conn, blog.id, comment_id)


async def report(
    db: Database,
    slug: str,
    comment_id: int,
    address: str,
    rules: abuse.Rules,
    *,
    now: datetime | None = None,
) -> None:
    """A reader flags an approved comment: it goes back into the team's queue (and stays
    shown until an editor decides; most reports are disagreement, not abuse)."""
    async with db.write() as conn:
        blog = await queries.commented_blog(conn, slug)
        comment = await queries.comment_by_id(conn, blog.id, comment_id)
        if not comment.is_public:
            raise Conflict(_("This comment is not shown any more."))
        await abuse.admit(conn, rules, address, now or utcnow())
        await conn.execute(
            update(comments)
            .where(comments.c.id == comment_id)
            .values(reports=comments.c.reports + 1)
        )
        await _queued(conn, blog.id, comment_id)


async def moderation_queue(
    db: Database, slug: str, actor: User
) -> tuple[CommentedBlog, list[Comment]]:
    async with db.read() as conn:
        blog = await team_blog(conn, slug, actor)
        return blog, await queries.queue(conn, blog.id)


async def shown_to_readers(
    db: Database, slug: str, actor: User, limit: int | None = None
) -> list[Comment]:
    """The approved comments, newest first, for the blog's team (who may delete them)."""
    async with db.read() as conn:
        blog = await team_blog(conn, slug, actor)
        return await queries.approved(conn, blog.id, limit)


async def approve(db: Database, slug: str, comment_id: int, actor: User) -> Comment:
    """Shown to readers from now on; an approved comment that readers reported is kept
    (its reports are cleared)."""
    async with db.write() as conn:
        blog = await team_blog(conn, slug, actor)
        comment = await _decidable(conn, blog.id, comment_id)
        await _decide(conn, comment.id, actor, status=APPROVED, reports=0)
        await append_event(conn, blog.id, "comment.approved", actor.id, payload=_ids(comment.id))
        return await queries.comment_by_id(conn, blog.id, comment_id)


async def mark_answered(
    conn: AsyncConnection, blog_id: int, comment_id: int, update_id: int, actor: User
) -> None:
    """In the caller's transaction: the comment is approved and linked to the update that
    answers it (the update links back to the comment)."""
    await _decidable(conn, blog_id, comment_id)
    await _decide(conn, comment_id, actor, status=APPROVED, reports=0, answer_update_id=update_id)
    await append_event(conn, blog_id, "comment.approved", actor.id, payload=_ids(comment_id))


async def withdraw(
    conn: AsyncConnection, blog_id: int, comment_id: int, status: str, actor: User | None
) -> Comment:
    """In the caller's transaction: the comment is rejected or deleted and its text and name
    are emptied, so no page, feed, export or replayed frame can show them again. The comment
    as it was (its answer's id among it)."""
    comment = await queries.comment_by_id(conn, blog_id, comment_id)
    values = {"status": status, "name": "", "body": "", "reports": 0, "decided_at": utcnow()}
    if actor is not None:
        values["decided_by"] = actor.id
    await conn.execute(update(comments).where(comments.c.id == comment_id).values(**values))
    await append_event(
        conn, blog_id, "comment.removed", actor.id if actor else None, payload=_ids(comment_id)
    )
    return comment


async def ids_named(conn: AsyncConnection, blog_id: int, name: str) -> list[int]:
    """The comments a reader of that name sent, whatever became of them (for erasure)."""
    query = select(comments.c.id).where(
        comments.c.blog_id == blog_id, comments.c.name == name, comments.c.body != ""
    )
    return list((await conn.execute(query.order_by(comments.c.id))).scalars())


async def switch(db: Database, slug: str, on: bool, actor: User) -> None:
    """Open (the default) or close a blog for comments; its team decides."""
    async with db.write() as conn:
        blog = await team_blog(conn, slug, actor)
        await conn.execute(delete(comments_closed).where(comments_closed.c.blog_id == blog.id))
        if not on:
            await conn.execute(
                insert(comments_closed).values(
                    blog_id=blog.id, closed_by=actor.id, closed_at=utcnow()
                )
            )
        # Its pages show or hide the form: caches keyed by the log must see a change.
        await append_event(conn, blog.id, "comments.switched", actor.id, payload={"on": on})


async def team_blog(conn: AsyncConnection, slug: str, actor: User) -> CommentedBlog:
    """The blog, once `actor` is known to be on its team as one who may publish."""
    blog = await queries.commented_blog(conn, slug)
    await authorize(conn, actor, Action.PUBLISH, blog.id)
    return blog


async def _open_blog(conn: AsyncConnection, slug: str) -> CommentedBlog:
    blog = await queries.commented_blog(conn, slug)
    if blog.status != "live":
        raise Conflict(_("Coverage of this live blog has ended; it takes no more comments."))
    if blog.switched_off:
        raise Conflict(_("Comments are switched off on this live blog."))
    return blog


async def _decidable(conn: AsyncConnection, blog_id: int, comment_id: int) -> Comment:
    comment = await queries.comment_by_id(conn, blog_id, comment_id)
    if comment.status not in (PENDING, APPROVED):
        raise Conflict(_("This comment was removed; there is nothing left to approve."))
    return comment


async def _decide(conn: AsyncConnection, comment_id: int, actor: User, **values: object) -> None:
    await conn.execute(
        update(comments)
        .where(comments.c.id == comment_id)
        .values(decided_at=utcnow(), decided_by=actor.id, **values)
    )


async def _queued(conn: AsyncConnection, blog_id: int, comment_id: int) -> None:
    """Tell the team's open queues; readers see no change, so the blog's time stays."""
    await append_event(conn, blog_id, "comment.queued", None, payload=_ids(comment_id), touch=False)


def _ids(comment_id: int) -> dict[str, int]:
    return {"comment_id": comment_id}
