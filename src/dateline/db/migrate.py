"""Alembic, driven from code: `dateline db upgrade`, the start-up schema check and the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from dateline.db.engine import Database

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def upgrade(db: Database, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate to `revision`; the revisions before and after, so the operator is told whether
    the schema was created, migrated or already current (None before: a brand-new database)."""

    def run(conn: Connection) -> tuple[str | None, str | None]:
        before = MigrationContext.configure(conn).get_current_revision()
        config = alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        return before, MigrationContext.configure(conn).get_current_revision()

    async with db.engine.begin() as conn:
        return await conn.run_sync(run)


async def pending_revision(db: Database) -> str | None:
    """The head revision when the database is behind it, else None.

    A revision this code does not know was made by a newer release, whose `db upgrade` ran
    while this node went on serving (docs/deploy.md, upgrades): migrations only add, so the
    older code works on the newer schema, and a node of the older release must still start
    and count as ready until it is replaced."""
    scripts = ScriptDirectory.from_config(alembic_config())
    head = scripts.get_current_head()

    def current(conn: Connection) -> str | None:
        return MigrationContext.configure(conn).get_current_revision()

    async with db.engine.connect() as conn:
        now = await conn.run_sync(current)
    known = {script.revision for script in scripts.walk_revisions()}
    return None if now == head or (now is not None and now not in known) else head
