"""The schema: migrations build exactly the tables the code declares, and the app checks it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection

from dateline.app import create_app
from dateline.config import Settings
from dateline.db import Database
from dateline.db.migrate import upgrade
from dateline.db.tables import blogs, declared_here, metadata, updates
from dateline.web.services import of_app


def _differences(conn: Connection) -> list[object]:
    options = {"compare_type": True, "include_name": declared_here}
    context = MigrationContext.configure(conn, opts=options)
    return list(compare_metadata(context, metadata))


async def test_migrations_match_the_declared_tables(db: Database) -> None:
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_differences) == []


async def test_app_refuses_to_start_on_an_unmigrated_database(tmp_path: object) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/empty.sqlite3")
    app = create_app(settings)
    with pytest.raises(RuntimeError, match="dateline db upgrade"):
        async with app.router.lifespan_context(app):
            pass
    await of_app(app).db.dispose()


async def test_new_sqlite_databases_use_16_kb_pages_and_older_ones_keep_working(
    tmp_path: Path,
) -> None:
    """16 KB pages halve the CPU of storing items; a database made with SQLite's default
    4 KB pages (by an earlier Dateline) keeps its size and opens as before."""
    older = tmp_path / "older.sqlite3"
    with sqlite3.connect(older) as made_before:
        made_before.execute("PRAGMA journal_mode=WAL")
        made_before.execute("CREATE TABLE kept (n INTEGER)")
        made_before.execute("INSERT INTO kept VALUES (7)")
    made_before.close()
    for path, size in ((tmp_path / "new.sqlite3", 16384), (older, 4096)):
        database = Database(f"sqlite+aiosqlite:///{path}")
        await upgrade(database)
        async with database.read() as conn:
            assert await conn.scalar(text("PRAGMA page_size")) == size
            assert await conn.scalar(text("PRAGMA journal_mode")) == "wal"
            assert await conn.scalar(text("PRAGMA cache_size")) == -32768
        await database.dispose()
    with sqlite3.connect(older) as reopened:
        assert reopened.execute("SELECT n FROM kept").fetchall() == [(7,)]
    reopened.close()


@pytest.mark.parametrize(("setting", "pragma"), [(None, 2), ("FULL", 2), ("NORMAL", 1)])
async def test_sqlite_syncs_every_commit_to_disk_unless_told_otherwise(
    tmp_path: Path, setting: str | None, pragma: int
) -> None:
    """FULL (2) by default: a publish the editor saw acknowledged survives an OS crash or
    power cut, not only a crash of the process. NORMAL (1) only when an operator chooses it."""
    chosen = {"sqlite_synchronous": setting} if setting else {}
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/db.sqlite3", **chosen)
    database = of_app(create_app(settings)).db
    async with database.read() as reading, database.write() as writing:
        assert await reading.scalar(text("PRAGMA synchronous")) == pragma
        assert await writing.scalar(text("PRAGMA synchronous")) == pragma
    await database.dispose()


async def test_a_category_saved_with_a_line_break_before_0007_gets_a_working_feed(
    tmp_path: Path,
) -> None:
    """Categories were not cleaned on save before; 0007 makes such a stored one a single
    line, so its feed address routes (it was a 404)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'older.sqlite3'}"
    database = Database(url)
    await upgrade(database, "0006")
    async with database.engine.begin() as conn:
        at = datetime(2026, 12, 1, 10, tzinfo=UTC)
        await conn.execute(
            blogs.insert().values(
                slug="storm",
                title="Storm",
                category="World\n  News\t",
                time_zone="Europe/London",
                status="live",
                coverage_start=at,
                created_at=at,
                updated_at=at,
            )
        )
        await conn.execute(
            updates.insert().values(
                blog_id=1,
                published_at=at,
                headline="Roads closed on the coast",
                body="Roads closed.",
                body_html="<p>Roads closed.</p>",
                body_text="Roads closed.",
            )
        )
    await upgrade(database)
    async with database.read() as conn:
        assert await conn.scalar(text("SELECT category FROM blogs")) == "World News"
    await database.dispose()
    app = create_app(Settings(database_url=url, data_dir=tmp_path / "data"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        feed = await http.get("/category/World News/feed.atom")
    await of_app(app).db.dispose()
    assert feed.status_code == 200
    assert "Roads closed on the coast" in feed.text
