"""Shared fixtures: a real database per test (SQLite file, and PostgreSQL when configured),
the app behind an in-process HTTP client, and small factories for users, blogs and updates."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi.dependencies import models as fastapi_models
from sqlalchemy import text

from dateline.accounts.service import User
from dateline.accounts.tokens import create_token_for
from dateline.app import create_app
from dateline.config import Settings
from dateline.db import Database
from dateline.db.migrate import upgrade
from dateline.db.tables import metadata
from dateline.liveblog.models import Blog
from dateline.web.services import of_app
from tests.helpers import log_in, make_blog, make_user

PG_URL = os.environ.get("DATELINE_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
# FastAPI's caches of endpoint callables (see `forget_route_callables`).
CLASSIFICATION_CACHES = (
    "_is_async_gen_callable_cached",
    "_is_coroutine_callable_cached",
    "_is_gen_callable_cached",
)


def pg_async_url() -> str:
    """The test PostgreSQL URL with the asyncpg driver, whichever form the variable uses."""
    url = PG_URL
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


@pytest.fixture(scope="module")
def live_server_settings() -> dict[str, str]:
    """DATELINE_* settings a test module gives its live server (tests/live_server.py);
    a module overrides this fixture to start the server differently."""
    return {}


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file made once; each test gets a copy (a migration takes ~0.3 s)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    database = Database(f"sqlite+aiosqlite:///{path}")

    async def migrate() -> None:
        await upgrade(database)
        await database.dispose()

    asyncio.run(migrate())
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> Iterator[str]:
    """A database of this test session's own on the test server, migrated from nothing.

    Its own database (not the shared `test` one) lets several test runs share the server.
    """
    name = f"dateline_test_{os.getpid()}"
    server_url = pg_async_url()
    url = server_url.rsplit("/", 1)[0] + "/" + name

    async def admin(statement: str) -> None:
        conn = await asyncpg.connect("postgresql://" + server_url.split("://", 1)[1])
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    async def create() -> None:
        await admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin(f"CREATE DATABASE {name}")
        database = Database(url)
        await upgrade(database)
        await database.dispose()

    asyncio.run(create())
    yield url
    asyncio.run(admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "dateline.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_migrated")
    yield url
    database = Database(url)

    async def truncate() -> None:
        names = ", ".join(table.name for table in metadata.sorted_tables)
        async with database.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        await database.dispose()

    asyncio.run(truncate())


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        secret_key="test-secret-key",
        base_url="http://testserver",
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[object]:
    application = create_app(settings)
    yield application
    await of_app(application).db.dispose()


@pytest.fixture(autouse=True)
def forget_route_callables() -> Iterator[None]:
    """Let each test's apps go. FastAPI keeps, per process, an LRU cache (4,096 entries each)
    of how it classified every endpoint callable; a route made in a closure holds its app,
    so thousands of tests kept ~3 MB apiece alive (8 GB by the end of a suite run). One app a
    process, as in production, costs nothing there."""
    yield
    for name in CLASSIFICATION_CACHES:
        cached = getattr(fastapi_models, name, None)
        if cached is not None and hasattr(cached, "cache_clear"):
            cached.cache_clear()


@pytest.fixture
def db(app: object) -> Database:
    """The app's own Database, so tests and requests share one SQLite writer lock."""
    return of_app(app).db  # type: ignore[arg-type]


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def editor(db: Database) -> User:
    return await make_user(db, "editor", "editor@example.org")


@pytest.fixture
async def blog(db: Database, editor: User) -> Blog:
    return await make_blog(db, editor)


@pytest.fixture
async def api(client: httpx.AsyncClient, db: Database, editor: User) -> httpx.AsyncClient:
    """The in-process client speaking for `editor` with a write API token."""
    token = await create_token_for(db, editor.email, "tests", "write")
    client.headers["Authorization"] = f"Bearer {token}"
    return client


@pytest.fixture
async def editor_client(client: httpx.AsyncClient, editor: User) -> httpx.AsyncClient:
    await log_in(client, editor.email)
    return client
