"""The schema: migrations build exactly the tables the code declares, and the app checks it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection

from dateline.app import create_app
from dateline.config import Settings
from dateline.db import Database
from dateline.db.migrate import upgrade
from dateline.db.tables import metadata


def _differences(conn: Connection) -> list[object]:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
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
    await app.state.db.dispose()


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
