"""API tokens: per user, named, scoped, revocable; shown once, stored as their SHA-256.

A "read" token can do what an anonymous reader can plus what needs an account but changes
nothing (exports, the caller's drafts); a "write" token can also change what its user may.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update

from dateline.accounts.service import User, digest, find_user, record, user_from_row
from dateline.db import Database, inserted_id
from dateline.db.tables import api_tokens, users, utcnow
from dateline.errors import Invalid, NotFound
from dateline.i18n import gettext as _
from dateline.text import is_blank, line

SCOPES = ("read", "write")
PREFIX = "dl_"
USE_RESOLUTION = timedelta(minutes=10)  # last_used_at is written at most this often


@dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class Caller:
    """Who sent an API request, and what their token allows."""

    user: User
    scope: str

    @property
    def can_write(self) -> bool:
        return self.scope == "write"


async def create_token(db: Database, user: User, name: str, scope: str) -> tuple[ApiToken, str]:
    """The new token's record and its secret, which is never shown again."""
    name = line(name)
    errors = {}
    if is_blank(name) or len(name) > 120:
        errors["name"] = _("Give the token a name of up to 120 characters, e.g. ‘Wire desk bot’.")
    if scope not in SCOPES:
        errors["scope"] = _("Scope must be read or write.")
    if errors:
        raise Invalid(errors)
    secret = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    async with db.write() as conn:
        result = await conn.execute(
            insert(api_tokens).values(
                user_id=user.id, name=name, scope=scope, token_hash=digest(secret), created_at=now
            )
        )
        await record(conn, user, "token.created", name=name, scope=scope)
    return ApiToken(inserted_id(result), name, scope, now, None, None), secret


async def create_token_for(db: Database, email: str, name: str, scope: str) -> str:
    """For the CLI: a new token of the user with that email."""
    _, secret = await create_token(db, await find_user(db, email), name, scope)
    return secret


async def list_tokens(db: Database, user: User) -> list[ApiToken]:
    query = (
        select(api_tokens)
        .where(api_tokens.c.user_id == user.id)
        .order_by(api_tokens.c.revoked_at.is_not(None), api_tokens.c.created_at.desc())
    )
    async with db.read() as conn:
        rows = (await conn.execute(query)).all()
    return [
        ApiToken(r.id, r.name, r.scope, r.created_at, r.last_used_at, r.revoked_at) for r in rows
    ]


async def revoke_token(db: Database, user: User, token_id: int) -> None:
    async with db.write() as conn:
        done = await conn.execute(
            update(api_tokens)
            .where(
                api_tokens.c.id == token_id,
                api_tokens.c.user_id == user.id,
                api_tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow())
        )
        if done.rowcount == 0:
            raise NotFound(_("No such token, or it is already revoked."))
        await record(conn, user, "token.revoked", token_id=token_id)


async def caller_for_token(db: Database, secret: str) -> Caller | None:
    query = (
        select(
            users, api_tokens.c.id.label("token_id"), api_tokens.c.scope, api_tokens.c.last_used_at
        )
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(
            api_tokens.c.token_hash == digest(secret),
            api_tokens.c.revoked_at.is_(None),
            users.c.active,
        )
    )
    async with db.read() as conn:
        row = (await conn.execute(query)).first()
    if row is None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > USE_RESOLUTION:
        async with db.write() as conn:
            await conn.execute(
                update(api_tokens).where(api_tokens.c.id == row.token_id).values(last_used_at=now)
            )
    return Caller(user_from_row(row), row.scope)
