"""Invites: an admin names an email and a role; the invited person opens a one-time link
(valid 48 hours) and chooses a password. There is no mail server, so the link is shown to the
admin (page or `dateline user invite`) to pass on.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update

from dateline.accounts.permissions import Action, authorize
from dateline.accounts.service import (
    User,
    check_display_name,
    check_new_user,
    digest,
    hash_password,
    insert_user,
    record,
)
from dateline.db import Database
from dateline.db.tables import invites, utcnow
from dateline.errors import DatelineError, Invalid, NotFound
from dateline.i18n import gettext as _

VALID_FOR = timedelta(hours=48)


class InviteGone(DatelineError):
    status = 410


@dataclass(frozen=True)
class Invite:
    email: str
    role: str
    expires_at: datetime
    id: str = ""  # the token's SHA-256: names the invitation without being usable as a link


async def invite(db: Database, actor: User | None, email: str, role: str) -> tuple[Invite, str]:
    """The invite and its secret token (for the link). `actor` None: the server's own CLI."""
    email = check_new_user(email, role)  # the password is chosen later, by the invited
    token = secrets.token_urlsafe(32)
    now = utcnow()
    async with db.write() as conn:
        if actor is not None:
            await authorize(conn, actor, Action.MANAGE_USERS)
        await conn.execute(
            insert(invites).values(
                token_hash=digest(token),
                email=email,
                role=role,
                created_by=actor.id if actor else None,
                created_at=now,
                expires_at=now + VALID_FOR,
            )
        )
        await record(conn, actor, "user.invited", email=email, role=role)
    return Invite(email, role, now + VALID_FOR), token


async def pending(db: Database, actor: User) -> list[Invite]:
    """Invitations not used yet and not expired, soonest to expire first (admins)."""
    async with db.read() as conn:
        await authorize(conn, actor, Action.MANAGE_USERS)
        rows = await conn.execute(
            select(invites)
            .where(invites.c.used_at.is_(None), invites.c.expires_at > utcnow())
            .order_by(invites.c.expires_at)
        )
        return [Invite(r.email, r.role, r.expires_at, r.token_hash) for r in rows]


async def revoke(db: Database, actor: User, invite_id: str) -> None:
    """Withdraw an unused invitation: its link stops working at once."""
    async with db.write() as conn:
        await authorize(conn, actor, Action.MANAGE_USERS)
        gone = await conn.execute(
            delete(invites).where(invites.c.token_hash == invite_id, invites.c.used_at.is_(None))
        )
        if gone.rowcount == 0:
            raise NotFound("That invitation was already used or withdrawn.")
        await record(conn, actor, "user.invite_revoked")


async def pending_invite(db: Database, token: str) -> Invite:
    async with db.read() as conn:
        row = (
            await conn.execute(select(invites).where(invites.c.token_hash == digest(token)))
        ).first()
    if row is None:
        raise NotFound(_("This invitation link is not valid. Ask an admin for a new one."))
    if row.used_at is not None:
        raise InviteGone(_("This invitation has already been used. Log in instead."))
    if row.expires_at <= utcnow():
        raise InviteGone(_("This invitation has expired (links last 48 hours). Ask for a new one."))
    return Invite(row.email, row.role, row.expires_at)


async def accept(db: Database, token: str, password: str, display_name: str) -> User:
    """Create the account and use up the link, in one transaction: a link works only once."""
    found = await pending_invite(db, token)
    errors: dict[str, str] = {}  # every field's mistake at once, not one per attempt
    try:
        check_new_user(found.email, found.role, password)
    except Invalid as exc:
        errors.update(exc.errors)
    try:
        check_display_name(display_name)  # asked now, so no byline reads "editor"
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise Invalid(errors)
    password_hash = await hash_password(password)
    async with db.write() as conn:
        used = await conn.execute(
            update(invites)
            .where(invites.c.token_hash == digest(token), invites.c.used_at.is_(None))
            .values(used_at=utcnow())
        )
        if used.rowcount != 1:
            raise InviteGone("This invitation has already been used. Log in instead.")
        user = await insert_user(conn, found.email, password_hash, found.role, display_name)
        await record(conn, user, "user.joined", email=user.email, role=user.role)
    return user
