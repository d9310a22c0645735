"""The schema: migrations build exactly the tables the code declares, and the app checks it."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from dateline.app import create_app
from dateline.config import Settings
from dateline.db import Database
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
