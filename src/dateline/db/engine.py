"""One `Database` object per process: reads run concurrently, writes go one at a time on SQLite.

SQLite allows one writer. Instead of letting concurrent requests collide on "database is
locked", writes in this process queue on an asyncio lock and open with BEGIN IMMEDIATE
(Datasette's single-writer idea). PostgreSQL needs neither: row locks order the writes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Table, event, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from dateline.db.tables import utcnow

PAGE_SIZE = 16384  # bytes, for new SQLite databases (bench/ingest.py measures the effect)
# FULL: SQLite syncs the WAL at every commit, so a publish acknowledged to the editor survives
# an OS crash or power cut too. NORMAL syncs only at checkpoints: an acknowledged update could
# vanish (the database stays intact). bench/publish.py measures what FULL costs.
SYNCHRONOUS = ("FULL", "NORMAL")
CACHE_KB = 32768  # SQLite page cache per connection
# asyncpg waits 60 s for a connection by default; a server that is down or unreachable should
# cost a request a quick 503 (db/outage.py), not a minute.
CONNECT_TIMEOUT_SECONDS = 5
CommitListener = Callable[[list[tuple[int, int]]], Awaitable[None]]


log = logging.getLogger(__name__)


class Database:
    def __init__(self, url: str, sqlite_synchronous: str = SYNCHRONOUS[0]) -> None:
        self.url = url
        parsed = make_url(url)
        self._sqlite = parsed.get_backend_name() == "sqlite"
        if sqlite_synchronous not in SYNCHRONOUS:
            raise ValueError(f"sqlite_synchronous must be one of {SYNCHRONOUS}")
        self.engine: AsyncEngine = _make_engine(url, self._sqlite, sqlite_synchronous)
        self._write_lock = asyncio.Lock() if self._sqlite else None
        # Called with the (blog_id, seq) pairs a transaction appended, once it has committed.
        self.commit_listeners: list[CommitListener] = []

    @property
    def is_sqlite(self) -> bool:
        """Is this SQLite (else PostgreSQL)? The one place the code asks. Most code never
        needs to: `insert_new` and `take_leases` write the right SQL for either, and
        SQLAlchemy leaves out what SQLite has no use for (FOR UPDATE: BEGIN IMMEDIATE already
        makes a SQLite write transaction the only writer)."""
        return self._sqlite

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that commits when the block ends and rolls back on any error.

        Events recorded with `appended()` are announced to the commit listeners only after
        the commit, so nobody is told of a change that was rolled back.
        """
        appended: list[tuple[int, int]] = []
        async with self._transaction() as conn:
            conn.info["dateline.appended"] = appended
            yield conn
        if appended:
            await self._announce(appended)

    async def _announce(self, appended: list[tuple[int, int]]) -> None:
        for listener in self.commit_listeners:
            try:
                await listener(appended)
            except Exception:
                # The change is committed and the log holds it; live readers catch up at the
                # next heartbeat. Failing the editor's request now would be a lie.
                log.exception("announcing committed events failed", extra={"events": appended})

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncConnection]:
        if self._write_lock is None:
            async with self.engine.begin() as conn:
                yield conn
            return
        async with self._write_lock:
            conn = await self.engine.connect()
            try:
                conn = await conn.execution_options(sqlite_immediate=True)
                async with conn.begin():
                    yield conn
            finally:
                await conn.close()

    async def dispose(self) -> None:
        await self.engine.dispose()


def appended(conn: AsyncConnection, blog_id: int, seq: int) -> None:
    """Note that this transaction appended event `seq` to blog `blog_id`'s log."""
    conn.info["dateline.appended"].append((blog_id, seq))


def insert_new(conn: AsyncConnection, table: Table) -> Any:
    """INSERT … ON CONFLICT DO NOTHING for the connection's dialect: rows that already exist
    (same primary key or unique value) are skipped, even when another node inserted them.
    The one insert-if-new of the code base (images, imports, memberships, cursors, items)."""
    return insert_new_for(conn.dialect.name, table)


def insert_new_for(dialect_name: str, table: Table) -> Any:
    """`insert_new` for a dialect by name ("sqlite" or "postgresql"), for statements compiled
    ahead of any connection (db/bulk.py)."""
    return _INSERTS[dialect_name](table).on_conflict_do_nothing()


# The two dialects' INSERT constructs, which alone know ON CONFLICT DO NOTHING.
_INSERTS: dict[str, Callable[[Table], Any]] = {"sqlite": sqlite_insert, "postgresql": pg_insert}


async def take_leases(
    conn: AsyncConnection,
    table: Table,
    wanted: ColumnElement[bool],
    order_by: Sequence[ColumnElement[Any]],
    limit: int,
    lease_seconds: float,
    returning: Sequence[ColumnElement[Any]],
) -> list[Any]:
    """Lease up to `limit` wanted rows whose `lease_until` is free, for `lease_seconds`: the
    `returning` columns (the id among them) of the rows taken, in `order_by` order. Any
    number of workers can call this at once; none takes a row another holds.

    PostgreSQL: `FOR UPDATE SKIP LOCKED` lets workers claim side by side without waiting on
    each other; the conditional UPDATE (lease still free) is what makes a claim exclusive on
    SQLite, where BEGIN IMMEDIATE already makes this transaction the only writer (SQLAlchemy
    leaves FOR UPDATE out of SQLite's SQL)."""
    moment = utcnow()
    free = or_(table.c.lease_until.is_(None), table.c.lease_until < moment)
    due = select(table.c.id).where(wanted, free).order_by(*order_by).limit(limit)
    due = due.with_for_update(skip_locked=True)
    ids = list((await conn.execute(due)).scalars())
    if not ids:
        return []
    lease = moment + timedelta(seconds=lease_seconds)
    taken = update(table).where(table.c.id.in_(ids), free).values(lease_until=lease)
    rows = (await conn.execute(taken.returning(*returning))).all()
    position = {row_id: n for n, row_id in enumerate(ids)}
    return sorted(rows, key=lambda row: position[row.id])


def inserted_id(result: Any) -> int:
    """The primary key an INSERT made (typed, for mypy's sake)."""
    return int(result.inserted_primary_key[0])


def _make_engine(url: str, is_sqlite: bool, synchronous: str) -> AsyncEngine:
    if not is_sqlite:
        return create_async_engine(
            url, pool_pre_ping=True, connect_args={"timeout": CONNECT_TIMEOUT_SECONDS}
        )
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": 30})
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        for pragma in (
            # Before the first write only (a database made with another size keeps it): 16 KB
            # pages halve the CPU of storing items (rows of a few KB) against the default 4 KB.
            f"page_size={PAGE_SIZE}",
            "journal_mode=WAL",
            "foreign_keys=ON",
            f"synchronous={synchronous}",
            "busy_timeout=30000",
            # 32 MB of page cache a connection (SQLite's default is 2 MB): the unique indexes
            # of items (canonical URL, content hash) outgrow 2 MB, and each insert then reads
            # its index pages again; ~15 % of the writer's CPU in bench/ingest.py.
            f"cache_size=-{CACHE_KB}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
