"""Accounts: users with argon2 passwords, login sessions and API tokens.

Session and API tokens are random; only their SHA-256 is stored, so a leaked database does
not hand out live credentials.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from dateline.db import Database, inserted_id
from dateline.db.tables import api_tokens, sessions, users, utcnow
from dateline.errors import Conflict, Invalid, NotFound

ROLES = ("admin", "editor")
MIN_PASSWORD = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


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


def _user(row: object) -> User:
    return User(row.id, row.email, row.display_name, row.role)  # type: ignore[attr-defined]


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_user(
    db: Database, email: str, password: str, role: str, display_name: str = ""
) -> User:
    email = email.strip().lower()
    errors = {}
    if not _EMAIL.match(email) or len(email) > 254:
        errors["email"] = "Enter an email address like name@example.org."
    if len(password) < MIN_PASSWORD:
        errors["password"] = f"Use at least {MIN_PASSWORD} characters."
    if role not in ROLES:
        errors["role"] = f"Role must be one of: {', '.join(ROLES)}."
    if errors:
        raise Invalid(errors)
    name = display_name.strip() or email.split("@")[0]
    try:
        async with db.write() as conn:
            result = await conn.execute(
                insert(users).values(
                    email=email,
                    display_name=name[:120],
                    password_hash=_hasher.hash(password),
                    role=role,
                    active=True,
                    created_at=utcnow(),
                )
            )
    except IntegrityError as exc:
        raise Conflict(f"A user with the email {email} already exists.") from exc
    return User(inserted_id(result), email, name, role)


async def authenticate(db: Database, email: str, password: str) -> User | None:
    """The user when the password is right; None otherwise, whichever part was wrong."""
    async with db.read() as conn:
        row = (
            await conn.execute(
                select(users).where(users.c.email == email.strip().lower(), users.c.active)
            )
        ).first()
    try:
        _hasher.verify(row.password_hash if row else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    return _user(row) if row else None


async def find_user(db: Database, email: str) -> User:
    async with db.read() as conn:
        row = (await conn.execute(select(users).where(users.c.email == email.lower()))).first()
    if row is None:
        raise NotFound(f"No user with the email {email}.")
    return _user(row)


async def start_session(db: Database, user: User, days: int) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    async with db.write() as conn:
        await conn.execute(
            insert(sessions).values(
                token_hash=digest(token),
                user_id=user.id,
                created_at=now,
                expires_at=now + timedelta(days=days),
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
    return _user(row) if row else None


async def end_session(db: Database, token: str) -> None:
    async with db.write() as conn:
        await conn.execute(delete(sessions).where(sessions.c.token_hash == digest(token)))


async def create_api_token(db: Database, email: str, name: str = "cli") -> str:
    user = await find_user(db, email)
    token = "dl_" + secrets.token_urlsafe(32)
    async with db.write() as conn:
        await conn.execute(
            insert(api_tokens).values(
                user_id=user.id, name=name, token_hash=digest(token), created_at=utcnow()
            )
        )
    return token


async def user_for_api_token(db: Database, token: str) -> User | None:
    query = (
        select(users)
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(
            api_tokens.c.token_hash == digest(token),
            api_tokens.c.revoked_at.is_(None),
            users.c.active,
        )
    )
    async with db.read() as conn:
        row = (await conn.execute(query)).first()
    return _user(row) if row else None
