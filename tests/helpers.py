"""Factories for test data and helpers for talking to the pages like a browser would."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import insert

from dateline.accounts.service import User
from dateline.db import Database, inserted_id
from dateline.db.tables import users, utcnow
from dateline.liveblog import service
from dateline.liveblog.models import Blog, BlogDraft, Update, UpdateDraft

PASSWORD = "correct horse battery"

# Factories ---------------------------------------------------------------------------------

_counter = iter(range(1, 10**9))


@cache
def _password_hash() -> str:
    """PASSWORD hashed once per run: argon2 is slow on purpose, and factories make many users."""
    return PasswordHasher().hash(PASSWORD)


async def make_user(db: Database, role: str = "editor", email: str | None = None) -> User:
    """An active account with PASSWORD (the app's own login verifies it like any other)."""
    address = email or f"user{next(_counter)}@example.org"
    name = f"Reporter {role}"
    async with db.write() as conn:
        result = await conn.execute(
            insert(users).values(
                email=address,
                display_name=name,
                password_hash=_password_hash(),
                role=role,
                active=True,
                created_at=utcnow(),
            )
        )
    return User(inserted_id(result), address, name, role)


async def make_blog(db: Database, user: User, slug: str = "election-night", **fields: str) -> Blog:
    draft = BlogDraft(
        title=fields.get("title", "Election night in Northmarch – live"),
        slug=slug,
        standfirst=fields.get("standfirst", "Results as they come in."),
        category=fields.get("category", "Politics"),
        time_zone=fields.get("time_zone", "Europe/Kyiv"),
    )
    return await service.create_blog(db, draft, user)


async def post(
    db: Database,
    blog: Blog,
    user: User,
    body: str = "Polls have closed.",
    **fields: object,
) -> Update:
    draft = UpdateDraft(body=body, **fields)  # type: ignore[arg-type]
    return await service.post_update(db, blog.slug, draft, user)


# Third-party test data (../shared/fixtures, read in place) ----------------------------------

SHARED_FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"


def shared_fixture(relative: str) -> bytes:
    """A file of ../shared/fixtures (gunzipped); the test is skipped when it is absent."""
    path = SHARED_FIXTURES / relative
    if not path.exists():
        pytest.skip(f"shared fixture {relative} is absent (see ../shared/fixtures/README.md)")
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


# HTTP helpers ------------------------------------------------------------------------------


def parse(response: httpx.Response) -> HTMLParser:
    return HTMLParser(response.text)


def csrf_from(response: httpx.Response) -> str:
    field = parse(response).css_first("input[name=csrf_token]")
    assert field is not None, "page has no CSRF field"
    return str(field.attributes["value"])


async def log_in(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> None:
    page = await http.get("/login")
    answer = await http.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_from(page)}
    )
    assert answer.status_code == 303, answer.text


def png_bytes(width: int = 800, height: int = 500) -> bytes:
    """A real PNG with something drawn on it."""
    import io

    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (width, height), (40, 70, 120))
    ImageDraw.Draw(picture).ellipse([0, 0, width // 2, height // 2], fill=(230, 200, 60))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


@asynccontextmanager
async def logged_in_as(app: object, user: User) -> AsyncIterator[httpx.AsyncClient]:
    """Another browser on the same app, logged in as `user`."""
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        await log_in(http, user.email)
        yield http
