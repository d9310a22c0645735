"""Accounts: users with argon2id passwords and their login sessions.

Session tokens are random; only their SHA-256 is stored, so a leaked database does not hand
out live credentials. API tokens (tokens.py) and invites (invites.py) work the same way.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.accounts import throttle
from dateline.accounts.permissions import Action, authorize
from dateline.db import Database, inserted_id
from dateline.db.tables import (
    api_tokens,
    audit_events,
    drafts,
    invites,
    sessions,
    users,
    utcnow,
)
from dateline.errors import Conflict, Invalid, NotFound
from dateline.i18n import gettext as _
from dateline.text import is_blank, line

ROLES = ("admin", "editor", "contributor")
MIN_PASSWORD = 10
MAX_PASSWORD = 1000  # argon2 hashes any length; this only bounds the work per attempt
MAX_DISPLAY_NAME = 120  # users.display_name
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


async def hash_password(password: str) -> str:
    """argon2id, in a thread: it takes ~0.1 s of CPU on purpose, and the event loop serves
    thousands of live readers meanwhile."""
    return await asyncio.to_thread(_hasher.hash, password)


async def _matches(password_hash: str, password: str) -> bool:
    try:
        return await asyncio.to_thread(_hasher.verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both failures take the same time."""
    return _hasher.hash("not a password anyone has")


@dataclass(frozen=True)
class User:
    id: int
    email: str
    display_name: str
    role: str
    active: bool = True

    @property
    def is_editor(self) -> bool:
        """Editors and admins: the roles that open the newsroom-wide pages (sources, new
        blogs, stories). Pages show a link there only to them (permissions.py)."""
        return self.role in ("editor", "admin")


@dataclass(frozen=True)
class Session:
    """One signed-in browser, as the account page lists it."""

    id: str  # the token's SHA-256: identifies the session without being usable as a cookie
    created_at: datetime
    expires_at: datetime
    user_agent: str
    ip: str
    current: bool


def user_from_row(row: object) -> User:
    r: Any = row
    return User(r.id, r.email, r.display_name, r.role, r.active)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_new_user(email: str, role: str, password: str | None = None) -> str:
    """The normalised email, or Invalid with a message per field (password: when known)."""
    email = email.strip().lower()
    errors = {}
    if not _EMAIL.match(email) or len(email) > 254:
        errors["email"] = _("Enter an email address like name@example.org.")
    if password is not None:
        errors.update(_password_errors(password))
    if role not in ROLES:
        errors["role"] = _wrong_role()
    if errors:
        raise Invalid(errors)
    return email


def _password_errors(password: str, field: str = "password") -> dict[str, str]:
    if len(password) < MIN_PASSWORD:
        return {field: _("Use at least %(count)s characters.") % {"count": MIN_PASSWORD}}
    if len(password) > MAX_PASSWORD:
        return {field: _("Use at most %(count)s characters.") % {"count": MAX_PASSWORD}}
    return {}


def _wrong_role() -> str:
    return _("Role must be one of: %(roles)s.") % {"roles": ", ".join(ROLES)}


async def create_user(
    db: Database, email: str, password: str, role: str, display_name: str = ""
) -> User:
    email = check_new_user(email, role, password)
    if not is_blank(display_name):  # a name given is checked, never cut short unsaid
        display_name = check_display_name(display_name)
    password_hash = await hash_password(password)
    async with db.write() as conn:
        return await insert_user(conn, email, password_hash, role, display_name)


async def insert_user(
    conn: AsyncConnection, email: str, password_hash: str, role: str, display_name: str
) -> User:
    name = email.split("@")[0] if is_blank(display_name) else line(display_name)
    name = name[:MAX_DISPLAY_NAME]
    try:  # the caller's transaction rolls back on the Conflict
        result = await conn.execute(
            insert(users).values(
                email=email,
                display_name=name,
                password_hash=password_hash,
                role=role,
                active=True,
                created_at=utcnow(),
            )
        )
    except IntegrityError as exc:
        taken = _("A user with the email %(email)s already exists.") % {"email": email}
        raise Conflict(taken) from exc
    return User(inserted_id(result), email, name, role)


def check_display_name(display_name: str) -> str:
    """The name as stored (one clean line), or Invalid for the `display_name` field."""
    name = line(display_name)
    if is_blank(name):
        raise Invalid({"display_name": _("Enter the name readers see on your updates.")})
    if len(name) > MAX_DISPLAY_NAME:
        too_long = _("Keep it under %(limit)s characters.") % {"limit": MAX_DISPLAY_NAME}
        raise Invalid({"display_name": too_long})
    return name


async def rename(db: Database, user: User, display_name: str) -> User:
    """Change the name on the user's bylines. Published updates keep the byline they were
    published with (what readers saw, and what feeds and archives already carry); the user's
    drafts still waiting for an editor take the new name, since nobody has published them."""
    name = check_display_name(display_name)
    async with db.write() as conn:
        await conn.execute(update(users).where(users.c.id == user.id).values(display_name=name))
        await conn.execute(
            update(drafts)
            .where(drafts.c.author_id == user.id, drafts.c.status == "pending")  # drafts.PENDING
            .values(author_name=name)
        )
        await record(conn, user, "user.renamed", name=name)
    return replace(user, display_name=name)


async def authenticate(db: Database, email: str, password: str) -> User | None:
    """The user when the password is right; None otherwise, whichever part was wrong."""
    async with db.read() as conn:
        row = (
            await conn.execute(
                select(users).where(users.c.email == email.strip().lower(), users.c.active)
            )
        ).first()
    right = await _matches(row.password_hash if row else _dummy_hash(), password)
    return user_from_row(row) if row and right else None


async def log_in(
    db: Database,
    email: str,
    password: str,
    ip: str,
    device: str | None,
    policy: throttle.Policy,
) -> User | None:
    """The user when the password is right, None when not; TooManyAttempts while the account
    (or `device`, a browser it knows) or the address is waiting out earlier failures (see
    throttle.py)."""
    await throttle.attempt(db, email, ip, device, policy)
    user = await authenticate(db, email, password)
    if user is not None:
        await throttle.succeeded(db, email, ip, device, policy)
    return user


async def find_user(db: Database, email: str) -> User:
    async with db.read() as conn:
        row = (await conn.execute(select(users).where(users.c.email == email.lower()))).first()
    if row is None:
        raise NotFound(_("No user with the email %(email)s.") % {"email": email})
    return user_from_row(row)


async def start_session(
    db: Database, user: User, days: int, user_agent: str = "", ip: str = ""
) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    async with db.write() as conn:
        await conn.execute(
            insert(sessions).values(
                token_hash=digest(token),
                user_id=user.id,
                created_at=now,
                expires_at=now + timedelta(days=days),
                user_agent=user_agent[:300],
                ip=ip[:45],
            )
        )
    return token


async def user_for_session(db: Database, token: str) -> User | None:
    query = (
        select(users)
        .join(sessions, sessions.c.user_id == users.c.id)
        .where(
            sessions.c.token_hash == digest(token),
            sessions.c.expires_at > utcnow(),
            users.c.active,
        )
    )
    async with db.read() as conn:
        row = (await conn.execute(query)).first()
    return user_from_row(row) if row else None


async def end_session(db: Database, token: str) -> None:
    async with db.write() as conn:
        await conn.execute(delete(sessions).where(sessions.c.token_hash == digest(token)))


async def list_sessions(db: Database, user: User, current_token: str) -> list[Session]:
    """The user's unexpired sessions, newest first; `current` marks the asking browser."""
    query = (
        select(sessions)
        .where(sessions.c.user_id == user.id, sessions.c.expires_at > utcnow())
        .order_by(sessions.c.created_at.desc())
    )
    async with db.read() as conn:
        rows = (await conn.execute(query)).all()
    mine = digest(current_token)
    return [
        Session(r.token_hash, r.created_at, r.expires_at, r.user_agent, r.ip, r.token_hash == mine)
        for r in rows
    ]


async def revoke_session(db: Database, user: User, session_id: str) -> None:
    """Sign one of the user's own browsers out (someone else's session id does nothing)."""
    async with db.write() as conn:
        gone = await conn.execute(
            delete(sessions).where(
                sessions.c.token_hash == session_id, sessions.c.user_id == user.id
            )
        )
        if gone.rowcount == 0:
            raise NotFound(_("That session has already ended."))
        await record(conn, user, "session.revoked")


async def change_password(
    db: Database,
    user: User,
    current: str,
    new: str,
    current_token: str,
    device: str | None,
    policy: throttle.Policy,
    *,
    revoke_tokens: bool,
) -> int:
    """Check the current password (throttled like a login: a stolen session must not become
    a way to guess it), store the new one and sign out every other session; with
    `revoke_tokens`, revoke the user's API tokens too (how many is returned). That is the
    choice after a suspected theft, since a thief with the session could have made tokens;
    a routine change may keep the tokens a desk's bots run on."""
    errors = _password_errors(new, "new_password")
    await throttle.attempt(db, user.email, None, device, policy)
    async with db.read() as conn:
        row = (await conn.execute(select(users).where(users.c.id == user.id))).one()
    if await _matches(row.password_hash, current):
        await throttle.succeeded(db, user.email, None, device, policy)
    else:
        errors["current_password"] = _("That is not your current password.")
    if errors:
        raise Invalid(errors)
    new_hash = await hash_password(new)
    async with db.write() as conn:
        await conn.execute(
            update(users).where(users.c.id == user.id).values(password_hash=new_hash)
        )
        await conn.execute(
            delete(sessions).where(
                sessions.c.user_id == user.id, sessions.c.token_hash != digest(current_token)
            )
        )
        revoked = await _revoke_tokens(conn, user.id) if revoke_tokens else 0
        await record(conn, user, "password.changed", tokens_revoked=revoked)
        return revoked


async def set_password(db: Database, email: str, password: str) -> int:
    """The server operator's reset (CLI), for a forgotten or stolen password: new password,
    every session signed out and every API token revoked (how many is returned), so nothing
    made with the old password keeps working."""
    errors = _password_errors(password)
    if errors:
        raise Invalid(errors)
    user = await find_user(db, email)
    new_hash = await hash_password(password)
    async with db.write() as conn:
        await conn.execute(
            update(users).where(users.c.id == user.id).values(password_hash=new_hash)
        )
        await conn.execute(delete(sessions).where(sessions.c.user_id == user.id))
        revoked = await _revoke_tokens(conn, user.id)
        await record(conn, None, "password.reset", email=user.email, tokens_revoked=revoked)
        return revoked


async def _revoke_tokens(conn: AsyncConnection, user_id: int) -> int:
    """Revoke every API token of the user still in use; how many there were."""
    done = await conn.execute(
        update(api_tokens)
        .where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return done.rowcount


async def list_users(db: Database, actor: User) -> list[User]:
    async with db.read() as conn:
        await authorize(conn, actor, Action.MANAGE_USERS)
        rows = (await conn.execute(select(users).order_by(users.c.email))).all()
    return [user_from_row(row) for row in rows]


async def set_active(db: Database, actor: User, user_id: int, active: bool) -> User:
    """Deactivating signs the user out everywhere and revokes their API tokens and unused
    invitations; nothing they wrote is removed. An admin cannot lock themselves out."""
    if user_id == actor.id and not active:
        raise Conflict(_("You cannot deactivate your own account."))
    async with db.write() as conn:
        row = await _managed_user(conn, actor, user_id)
        await conn.execute(update(users).where(users.c.id == user_id).values(active=active))
        if not active:
            await conn.execute(delete(sessions).where(sessions.c.user_id == user_id))
            # Their unused invitations go too: a departed admin must not come back through one.
            await conn.execute(
                delete(invites).where(invites.c.created_by == user_id, invites.c.used_at.is_(None))
            )
            await _revoke_tokens(conn, user_id)
        action = "user.reactivated" if active else "user.deactivated"
        await record(conn, actor, action, email=row.email)
        return replace(user_from_row(row), active=active)


async def set_role(db: Database, actor: User, user_id: int, role: str) -> User:
    """Change an account's role; an admin cannot demote themselves (someone must remain)."""
    if role not in ROLES:
        raise Invalid({"role": _wrong_role()})
    if user_id == actor.id and role != actor.role:
        raise Conflict(_("You cannot change your own role; ask another admin."))
    async with db.write() as conn:
        row = await _managed_user(conn, actor, user_id)
        await conn.execute(update(users).where(users.c.id == user_id).values(role=role))
        await record(conn, actor, "user.role_changed", email=row.email, role=role)
        return replace(user_from_row(row), role=role)


async def _managed_user(conn: AsyncConnection, actor: User, user_id: int) -> Any:
    """The account an admin is changing (its row), once the actor is known to be an admin."""
    await authorize(conn, actor, Action.MANAGE_USERS)
    row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
    if row is None:
        raise NotFound(_("No such user."))
    return row


async def record(
    conn: AsyncConnection,
    actor: User | None,
    action: str,
    blog_id: int | None = None,
    **detail: Any,
) -> None:
    """Add a line to the audit log, in the caller's transaction."""
    await conn.execute(
        insert(audit_events).values(
            blog_id=blog_id,
            actor_id=actor.id if actor else None,
            action=action,
            detail=detail,
            created_at=utcnow(),
        )
    )
