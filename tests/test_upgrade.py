"""Upgrades while serving (docs/deploy.md): a node of the running release goes on serving
while the next release's `db upgrade` runs an additive migration, and still starts afterwards
on the newer schema.

The next release's migration is written by the test beside the real ones, as that release
would ship it: it makes a table and fills it from the updates (the slow part of a real
migration), then adds a column to `updates`. While it is filling, it waits on an advisory
lock the test holds, so "during the migration" is a state the test controls, not a moment it
hopes to hit on a busy machine.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from dateline.db.migrate import MIGRATIONS, alembic_config
from tests.cluster import PG_URL, Node, admin, database_url
from tests.live_server import EDITOR_EMAIL, EDITOR_PASSWORD, free_port, run_cli, server_env
from tests.sse_client import EventReader

DATABASE = f"dateline_upgrade_{os.getpid()}"
GATE = 7_100_918  # the advisory lock the next release's migration waits on
PATIENCE = 60.0  # seconds, for a busy machine; nothing here measures speed

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs DATELINE_TEST_DATABASE_URL (PostgreSQL)")

NEXT_RELEASE = '''"""the next release: a table of update notes filled from the updates, and a column

Revision ID: 9901
Revises: {head}
"""

import sqlalchemy as sa
from alembic import op

revision = "9901"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "update_notes",
        sa.Column("update_id", sa.Integer(), primary_key=True),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.execute("INSERT INTO update_notes (update_id, note) SELECT id, '' FROM updates")
    op.execute("SELECT pg_advisory_xact_lock({gate})")  # the test says when the fill is done
    op.add_column("updates", sa.Column("read_aloud", sa.Boolean(), nullable=True))
'''


@dataclass
class Running:
    node: Node
    token: str


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = tmp_path_factory.mktemp("upgrade")
    drop = f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"
    asyncio.run(admin(drop, f"CREATE DATABASE {DATABASE}"))
    port = free_port()
    env = server_env(root, port)
    env["DATELINE_DATABASE_URL"] = database_url(DATABASE)
    old = Node(port, env, root / "node.log")
    try:
        run_cli(env, old.log_path, "db", "upgrade")
        run_cli(
            env, old.log_path, "user", "create", EDITOR_EMAIL, "--name", "Ada Reporter",
            "--password-stdin", stdin=EDITOR_PASSWORD + "\n",
        )  # fmt: skip
        token = run_cli(env, old.log_path, "token", "create", EDITOR_EMAIL).strip()
        old.start()
        yield Running(old, token)
    finally:
        old.stop()
        asyncio.run(admin(drop))


@pytest.fixture
async def editor(running: Running) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {running.token}"}
    base = running.node.url
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=PATIENCE) as client:
        answer = await client.post("/api/v1/blogs", json={"slug": "count", "title": "Count"})
        assert answer.status_code == 201, answer.text
        yield client


def next_release(versions: Path) -> Config:
    """Alembic as the next release's `dateline db upgrade` sees it: our migrations and its."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    (versions / "9901_next_release.py").write_text(NEXT_RELEASE.format(head=head, gate=GATE))
    config = alembic_config()
    config.set_main_option("path_separator", "os")
    config.set_main_option(
        "version_locations", os.pathsep.join([str(MIGRATIONS / "versions"), str(versions)])
    )
    return config


async def upgrade(url: str, config: Config) -> None:
    engine = create_async_engine(url)

    def run(conn: Connection) -> None:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")

    try:
        async with engine.begin() as conn:
            await conn.run_sync(run)
    finally:
        await engine.dispose()


async def waiting_at_gate(server: asyncpg.Connection) -> None:
    """Until the migration has filled its table and waits for the test's word."""
    query = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    async with asyncio.timeout(PATIENCE):
        while not await server.fetchval(query):  # noqa: ASYNC110 - another server's state
            await asyncio.sleep(0.1)


async def publish(editor: httpx.AsyncClient, body: str) -> None:
    answer = await editor.post("/api/v1/blogs/count/updates", json={"body": body})
    assert answer.status_code == 201, answer.text


async def test_a_node_keeps_serving_while_db_upgrade_adds_to_the_schema(
    running: Running, editor: httpx.AsyncClient, tmp_path: Path
) -> None:
    node = running.node
    await publish(editor, "Before the upgrade")
    config = next_release(tmp_path)
    url = database_url(DATABASE)
    # Advisory locks belong to one database: the gate is held in the migrated one.
    gate = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await gate.execute(f"SELECT pg_advisory_lock({GATE})")
        reader = httpx.AsyncClient(base_url=node.url, timeout=PATIENCE)
        async with reader, reader.stream("GET", "/live/count/events") as stream:
            events = EventReader(stream)
            migration = asyncio.create_task(upgrade(url, config))
            await waiting_at_gate(gate)

            await publish(editor, "During the upgrade")
            assert "During the upgrade" in (await events.next(PATIENCE)).data["html"]
            page = await reader.get("/live/count")
            assert page.status_code == 200
            assert "During the upgrade" in page.text
            assert not migration.done(), "the migration was still running all along"

            await gate.execute(f"SELECT pg_advisory_unlock({GATE})")
            await migration
            await publish(editor, "After the upgrade")
            assert "After the upgrade" in (await events.next(PATIENCE)).data["html"]
        assert await gate.fetchval("SELECT count(*) FROM update_notes") == 1
    finally:
        await gate.close()

    # The old release restarts (a crash, a reboot) on the newer schema, and counts as ready.
    node.stop()
    node.start()
    async with httpx.AsyncClient(base_url=node.url, timeout=PATIENCE) as client:
        page = await client.get("/live/count")
        assert page.status_code == 200
        assert "After the upgrade" in page.text
        ready = await client.get("/readyz")
        assert ready.json()["checks"]["schema"] == "ok"
