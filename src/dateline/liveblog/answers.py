"""Readers' comments where they touch the stream: an editor answers one in an update, and
removing one (reject, delete, a reader's erasure request) takes its words out of that update
too. Each is one transaction over both, so a comment is never linked to an update that was
not published, and no quote outlives the comment it came from.
"""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncConnection

from dateline import i18n
from dateline.accounts.permissions import Action
from dateline.accounts.service import User
from dateline.comments import service as comments
from dateline.comments.models import DELETED, REJECTED, Comment
from dateline.comments.queries import comment_by_id
from dateline.db import Database
from dateline.db.log import append_event
from dateline.db.tables import utcnow
from dateline.errors import Conflict, Invalid
from dateline.i18n import gettext as _
from dateline.liveblog import queries, service, team
from dateline.liveblog.models import Blog, Update, UpdateDraft
from dateline.search import index as search_index
from dateline.text import is_blank, lines

REMOVALS = (REJECTED, DELETED)
# Every ASCII punctuation mark, escaped with a backslash: a reader's words are quoted as
# words, never as Markdown (no links, no emphasis, no headings of their making).
_MARKDOWN = re.compile(r"([!-/:-@\[-`{-~])")
_QUOTE_LINE = re.compile(r"^>.*(?:\n|$)")


async def answer(
    db: Database, slug: str, comment_id: int, text: str, actor: User, *, link: str
) -> Update:
    """Publish an update quoting the comment ("Reader question from Anna: …", linked to the
    comment at `link`) followed by the editor's answer; the comment is approved and links to
    the update. `link` is the comment's public address, which the route knows."""
    written = lines(text)
    if is_blank(written):
        raise Invalid({"answer": _("Write the answer readers will see under the question.")})
    async with db.write() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.PUBLISH, lock=True)
        comment = await comment_by_id(conn, blog.id, comment_id)
        if comment.status in REMOVALS:
            raise Conflict(_("This comment was removed; it can no longer be answered."))
        with i18n.using(blog.language):  # the update speaks the blog's language
            body = f"{quote(comment, link)}\n\n{written}"
        draft = UpdateDraft(body=body).validate()
        author = (actor.id, actor.display_name)
        update_id = await service.publish(conn, blog, draft, actor, author=author)
        await comments.mark_answered(conn, blog.id, comment.id, update_id, actor)
        return await queries.update_by_id(conn, blog.id, update_id)


async def remove(db: Database, slug: str, comment_id: int, status: str, actor: User) -> None:
    """Reject or delete a comment: its text goes everywhere, its answer's quote included."""
    if status not in REMOVALS:
        raise ValueError(status)
    async with db.write() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.PUBLISH, lock=True)
        removed = await comments.withdraw(conn, blog.id, comment_id, status, actor)
        await _unquote(conn, blog, removed, actor)


async def erase(db: Database, slug: str, name: str) -> int:
    """A reader's request for removal (`dateline comments erase`): every comment they sent
    under `name` on this blog, text and name, answers' quotes included. How many."""
    async with db.write() as conn:
        blog = await queries.blog_by_slug(conn, slug, lock=True)
        found = await comments.ids_named(conn, blog.id, name)
        for comment_id in found:
            removed = await comments.withdraw(conn, blog.id, comment_id, DELETED, None)
            await _unquote(conn, blog, removed, None)
        return len(found)


def quote(comment: Comment, link: str) -> str:
    """The comment as a Markdown block quote, its words escaped, led by who asked."""
    if comment.name:
        lead = _("Reader question from %(name)s") % {"name": _escape(comment.name)}
    else:
        lead = _("Reader question")
    said = "\n".join(f"> {_escape(row.strip())}" for row in comment.body.splitlines())
    return f"> [{lead}]({link}):\n>\n{said}"


def without_quote(body: str) -> str:
    """An answer's body with the reader's quote replaced by a note that it was removed."""
    rest = body
    while (found := _QUOTE_LINE.match(rest)) and found.group(0):
        rest = rest[found.end() :]
    note = _("The reader’s question was removed.")  # outside the f-string: extractable
    return f"> {_escape(note)}\n\n{rest.lstrip()}"


async def _unquote(conn: AsyncConnection, blog: Blog, removed: Comment, actor: User | None) -> None:
    """Take the removed comment's words out of the update that answered it, as an edit
    (open pages and feeds get the new text like any other edit)."""
    if removed.answer_update_id is None:
        return
    current = await queries.update_by_id(conn, blog.id, removed.answer_update_id)
    if current.is_deleted:
        return
    with i18n.using(blog.language):
        body = without_quote(current.body)
    columns = await service._columns(UpdateDraft(body=body), {"body"})
    await service._change(conn, current.id, edited_at=utcnow(), **columns)
    await search_index.refresh(conn, "update", [current.id])
    flags = {"key_event": current.key_event, "pinned": current.pinned}
    flags["was_key_event"] = current.key_event
    await append_event(
        conn, blog.id, "update.edited", actor.id if actor else None, current.id, flags
    )


def _escape(words: str) -> str:
    return _MARKDOWN.sub(r"\\\1", words)
