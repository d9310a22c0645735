"""A live blog's audit log in plain words: "Ana published draft 3 as update 61", each update
and draft a link, in the language of whoever reads the page.

It merges two sources: the public event log (`blog_events`: every published change, with the
account that made it) and `audit_events` (what never reaches readers: drafts, team changes),
so every update and edit is attributed without a second copy of the log. Both keep codes, not
words; the words are said when the page is shown (`SAID`, a phrasebook), so a German editor
reads German whatever language the change was made in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.accounts.permissions import Action
from dateline.accounts.service import User
from dateline.db import Database
from dateline.db.tables import audit_events, blog_events, drafts, users
from dateline.i18n import N_, Phrase, Phrasebook, gettext
from dateline.liveblog.models import Blog
from dateline.liveblog.team import authorized_blog

SAID = Phrasebook(
    **{
        "blog.created": N_("%(who)s created the live blog"),
        "blog.imported": N_("%(who)s imported the live blog"),
        "blog.ended": N_("%(who)s ended the coverage"),
        "update.published": N_("%(who)s published %(update)s"),
        "update.edited": N_("%(who)s edited %(update)s"),
        "update.deleted": N_("%(who)s deleted %(update)s"),
        "update.key_event.on": N_("%(who)s marked %(update)s as a key event"),
        "update.key_event.off": N_("%(who)s took %(update)s off the key events"),
        "update.pinned.on": N_("%(who)s pinned %(update)s"),
        "update.pinned.off": N_("%(who)s unpinned %(update)s"),
        "recap.changed": N_("%(who)s changed the recap"),
        "draft.submitted": N_("%(who)s sent %(draft)s for review"),
        "draft.published": N_("%(who)s published %(draft)s as %(update)s"),
        "draft.rejected": N_("%(who)s sent %(draft)s back to its author"),
        "member.added": N_("%(who)s added %(member)s to the team"),
        "member.removed": N_("%(who)s removed %(member)s from the team"),
        "comment.queued": N_("A reader sent %(comment)s for moderation"),
        "comment.approved": N_("%(who)s approved %(comment)s"),
        "comment.removed": N_("%(who)s removed %(comment)s"),
        "comments.switched.on": N_("%(who)s opened the live blog for comments"),
        "comments.switched.off": N_("%(who)s closed the live blog for comments"),
        # A kind this module does not know yet (a newer feature's): still a whole sentence.
        "other": N_("%(who)s made a change (%(action)s)"),
    }
)
SUBJECTS = Phrasebook(
    update=N_("update %(id)s"), draft=N_("draft %(id)s"), comment=N_("comment %(id)s")
)
SOMEONE = N_("Someone")  # an import from the command line, or an account since removed
TOGGLED = {"update.key_event": "key_event", "update.pinned": "pinned", "comments.switched": "on"}
# ^ code + ".on"/".off", as the payload's flag says

# What a line may link: an update, a draft, a comment readers see, the moderation queue (a
# waiting comment has no page of its own; a removed one, nothing left to show).
Kind = Literal["update", "draft", "comment", "queue"]
COMMENT_PAGES: dict[str, Kind] = {"comment.queued": "queue", "comment.approved": "comment"}


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    email: str  # the account's, "" when there is none
    said: Phrase  # the sentence, its subjects as phrases of their own
    links: dict[str, tuple[Kind, int]] = field(default_factory=dict)  # param → what it names


async def audit_log(
    db: Database, slug: str, actor: User, limit: int = 300
) -> tuple[Blog, list[AuditLine]]:
    """Newest first: who did what to this blog, when, from which account."""
    async with db.read() as conn:
        blog = await authorized_blog(conn, slug, actor, Action.MANAGE_BLOG)
        published = await conn.execute(
            select(blog_events, users.c.email, users.c.display_name)
            .outerjoin(users, users.c.id == blog_events.c.actor_id)
            # Not a person's doing: the facts worker saying it read an update.
            .where(blog_events.c.blog_id == blog.id, blog_events.c.kind != "update.facts")
            .order_by(blog_events.c.seq.desc())
            .limit(limit)
        )
        lines = [_public_line(row) for row in published]
        private = (
            await conn.execute(
                select(audit_events, users.c.email, users.c.display_name)
                .outerjoin(users, users.c.id == audit_events.c.actor_id)
                .where(audit_events.c.blog_id == blog.id)
                .order_by(audit_events.c.id.desc())
                .limit(limit)
            )
        ).all()
        made = await _updates_of_drafts(conn, [_draft_id(row) for row in private])
        lines += [_private_line(row, made) for row in private]
    lines.sort(key=lambda line: line.at, reverse=True)
    return blog, lines[:limit]


def sentence(line: AuditLine, href: Callable[[Kind, int], str]) -> Markup:
    """The line's sentence in the language being spoken, as HTML: every name escaped, each
    update and draft it mentions a link (`href` makes the address: routes know them)."""
    link = Markup('<a href="{}">{}</a>')
    values: dict[str, str] = {}
    for name, value in line.said.params.items():
        words = value.said() if isinstance(value, Phrase) else str(value)
        target = line.links.get(name)
        values[name] = link.format(href(*target), words) if target else words
    return escape(gettext(line.said.msgid)) % values  # Markup: `values` are escaped in


def _who(row: Any) -> str:
    return str(row.display_name) if row.email else gettext(SOMEONE)


def _public_line(row: Any) -> AuditLine:
    code = row.kind
    if code in TOGGLED:
        code += ".on" if (row.payload or {}).get(TOGGLED[code]) else ".off"
    params: dict[str, Any] = {}
    links: dict[str, tuple[Kind, int]] = {}
    if row.update_id:
        params["update"] = SUBJECTS("update", id=row.update_id)
        links["update"] = ("update", row.update_id)
    comment_id = (row.payload or {}).get("comment_id")
    if isinstance(comment_id, int):
        params["comment"] = SUBJECTS("comment", id=comment_id)
        if row.kind in COMMENT_PAGES:
            links["comment"] = (COMMENT_PAGES[row.kind], comment_id)
    return _line(row, code, row.kind, params, links)


def _private_line(row: Any, made: dict[int, int]) -> AuditLine:
    """A draft's line links the draft and, once published, the update it became."""
    detail: dict[str, Any] = row.detail or {}
    params: dict[str, Any] = {}
    links: dict[str, tuple[Kind, int]] = {}
    draft_id = _draft_id(row)
    if draft_id is not None:
        params["draft"] = SUBJECTS("draft", id=draft_id)
        links["draft"] = ("draft", draft_id)
        if draft_id in made:
            params["update"] = SUBJECTS("update", id=made[draft_id])
            links["update"] = ("update", made[draft_id])
    if "email" in detail:
        params["member"] = str(detail["email"])
    return _line(row, row.action, row.action, params, links)


def _line(
    row: Any, code: str, stored: str, params: dict[str, Any], links: dict[str, tuple[Kind, int]]
) -> AuditLine:
    """`code` names the sentence; `stored` is the code as kept, shown only when no sentence
    fits (a kind without one, or a row missing what its sentence names)."""
    said = _said(code, _who(row), params)
    if said is None:
        said, links = SAID("other", who=_who(row), action=stored), {}
    return AuditLine(row.created_at, row.email or "", said, links)


def _said(code: str, who: str, params: dict[str, Any]) -> Phrase | None:
    try:
        return SAID(code, who=who, **params)
    except (KeyError, TypeError):
        return None


def _draft_id(row: Any) -> int | None:
    draft = (row.detail or {}).get("draft")
    return int(draft) if isinstance(draft, int) else None


async def _updates_of_drafts(conn: AsyncConnection, draft_ids: list[int | None]) -> dict[int, int]:
    """draft id → the update it was published as, for the drafts that were."""
    wanted = {draft_id for draft_id in draft_ids if draft_id is not None}
    if not wanted:
        return {}
    query = select(drafts.c.id, drafts.c.update_id).where(
        drafts.c.id.in_(wanted), drafts.c.update_id.is_not(None)
    )
    return {row.id: row.update_id for row in await conn.execute(query)}
