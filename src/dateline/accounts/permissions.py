"""Who may do what. Services call `authorize` inside their transaction, so a refused action
is refused whichever door it came through (page, API, CLI), not merely hidden in the page.

Roles are global; what a user may do on a blog also depends on membership:
- admin: everything, on every blog; manages users and webhooks.
- editor: creates blogs (becoming their first member) and follows sources; full control of
  the blogs they are a member of: publish, edit, delete, key events, pin, recap, end,
  members, drafts, audit log.
- contributor: writes drafts on the blogs they are a member of; an editor publishes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.db.tables import blog_members
from dateline.errors import Forbidden
from dateline.i18n import N_
from dateline.i18n import gettext as _

if TYPE_CHECKING:  # accounts.service imports this module to check its own actions
    from dateline.accounts.service import User


class Action(Enum):
    CREATE_BLOG = "create live blogs"
    PUBLISH = "publish and change updates on this live blog"
    WRITE_DRAFT = "write drafts on this live blog"
    MANAGE_BLOG = "manage this live blog's team, drafts and audit log"
    MANAGE_SOURCES = "follow and unfollow sources"
    MANAGE_USERS = "manage accounts"
    MANAGE_WEBHOOKS = "manage webhooks"
    UPLOAD_IMAGES = "upload images (contributors: once on a live blog's team)"


REFUSALS = {  # what authorize() says, one whole sentence per action, translated when raised
    Action.CREATE_BLOG: N_("Your account may not create live blogs."),
    Action.PUBLISH: N_("Your account may not publish and change updates on this live blog."),
    Action.WRITE_DRAFT: N_("Your account may not write drafts on this live blog."),
    Action.MANAGE_BLOG: N_(
        "Your account may not manage this live blog's team, drafts and audit log."
    ),
    Action.MANAGE_SOURCES: N_("Your account may not follow and unfollow sources."),
    Action.MANAGE_USERS: N_("Your account may not manage accounts."),
    Action.MANAGE_WEBHOOKS: N_("Your account may not manage webhooks."),
    Action.UPLOAD_IMAGES: N_(
        "Your account may not upload images (contributors: once on a live blog's team)."
    ),
}


_MEMBER_ROLES = {  # per-blog actions: the roles whose team members may take them
    Action.PUBLISH: {"editor"},
    Action.MANAGE_BLOG: {"editor"},
    Action.WRITE_DRAFT: {"editor", "contributor"},
}


def _allowed(user: User, action: Action, member: bool) -> bool:
    """The rules, given whether the user is on the blog's team."""
    if user.role == "admin":
        return True
    if action in (Action.CREATE_BLOG, Action.MANAGE_SOURCES):
        return user.is_editor
    if action is Action.UPLOAD_IMAGES:  # `member`: on some blog's team
        return user.role == "editor" or member
    return member and user.role in _MEMBER_ROLES.get(action, set())


async def can(
    conn: AsyncConnection, user: User, action: Action, blog_id: int | None = None
) -> bool:
    """May the user take `action` (on blog `blog_id`)? The team is asked only when it matters."""
    if action is Action.UPLOAD_IMAGES and user.role == "contributor":
        return _allowed(user, action, bool(await member_blog_ids(conn, user)))
    member = (
        blog_id is not None
        and user.role in _MEMBER_ROLES.get(action, set())
        and await is_member(conn, blog_id, user.id)
    )
    return _allowed(user, action, member)


@dataclass(frozen=True)
class Rights:
    """What the user may do on one blog: the editor page shows only those controls."""

    publish: bool
    draft: bool
    manage: bool


async def rights(conn: AsyncConnection, user: User, blog_id: int) -> Rights:
    """`can` for the three per-blog actions, with one look at the team."""
    member = user.role != "admin" and await is_member(conn, blog_id, user.id)
    return Rights(
        publish=_allowed(user, Action.PUBLISH, member),
        draft=_allowed(user, Action.WRITE_DRAFT, member),
        manage=_allowed(user, Action.MANAGE_BLOG, member),
    )


async def member_blog_ids(conn: AsyncConnection, user: User) -> set[int] | None:
    """The blogs the user works on; None for admins, who work on all."""
    if user.role == "admin":
        return None
    query = select(blog_members.c.blog_id).where(blog_members.c.user_id == user.id)
    return set((await conn.execute(query)).scalars())


async def authorize(
    conn: AsyncConnection, user: User, action: Action, blog_id: int | None = None
) -> None:
    """Raise Forbidden (403) with a message saying what is not allowed."""
    if not await can(conn, user, action, blog_id):
        raise Forbidden(_(REFUSALS[action]))


async def is_member(conn: AsyncConnection, blog_id: int, user_id: int) -> bool:
    query = select(blog_members.c.user_id).where(
        blog_members.c.blog_id == blog_id, blog_members.c.user_id == user_id
    )
    return (await conn.execute(query)).first() is not None
