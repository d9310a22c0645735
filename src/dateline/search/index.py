"""The index, kept in the writer's own transaction: what is written is findable at commit.

`refresh` (re)indexes documents by id: a document that is no longer findable (a deleted
update, a published draft) leaves the index, one that changed is indexed anew. Deleting the
document itself needs no call: its `search_docs` row goes with it (ON DELETE CASCADE) and, on
SQLite, a trigger takes its FTS5 row along. `rebuild` refills everything (`dateline search
reindex`, migration 0012).

The work is synchronous SQLAlchemy on the caller's connection (`AsyncConnection.run_sync`),
so the migration, the CLI and the services share one implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    String,
    bindparam,
    cast,
    column,
    delete,
    func,
    insert,
    literal_column,
    select,
    table,
)
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.db import Database
from dateline.db.tables import items, search_docs
from dateline.search.documents import COLUMNS, KEYS, KINDS, REF, rows
from dateline.search.text import folded_words, pg_config, terms

CHUNK = 1000  # ids a statement names, well below either database's bound-parameter limit

_FTS_INSERT = sql("INSERT INTO search_fts(rowid, title, body) VALUES (:id, :title, :body)")
_PG_DOCS = table("search_docs", column("id"), column("tsv"))
_PG_CONFIG = cast(bindparam("config", type_=String), REGCONFIG)


def _weighted(words: str, weight: str) -> Any:
    """A tsvector of the bound `words` in the document's configuration, at `weight` (A: title)."""
    vector = func.to_tsvector(_PG_CONFIG, bindparam(words))
    return func.setweight(vector, literal_column(f"'{weight}'"))


_PG_TSV = _weighted("t", "A").op("||")(_weighted("b", "B"))


async def refresh(conn: AsyncConnection, kind: str, ids: Sequence[int]) -> None:
    """Index these documents as they are now in this transaction (or drop them)."""
    if ids:
        await conn.run_sync(refresh_sync, kind, list(ids))


async def add(conn: AsyncConnection, kind: str, ids: Sequence[int]) -> None:
    """Index documents this transaction made (`refresh` without looking for old entries)."""
    for start in range(0, len(ids), CHUNK):
        await conn.run_sync(_put, kind, list(ids[start : start + CHUNK]))


async def refresh_new_items(conn: AsyncConnection, canonical_urls: Sequence[str]) -> None:
    """Index items just stored, named by canonical URL (what the bulk insert knows)."""
    for start in range(0, len(canonical_urls), CHUNK):
        chunk = canonical_urls[start : start + CHUNK]
        found = await conn.execute(select(items.c.id).where(items.c.canonical_url.in_(chunk)))
        await add(conn, "item", list(found.scalars()))


def refresh_sync(conn: Connection, kind: str, ids: list[int]) -> None:
    ref = search_docs.c[REF[kind]]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        conn.execute(delete(search_docs).where(ref.in_(chunk)))
        _put(conn, kind, chunk)


def ids_after(conn: Connection, kind: str, after: int, limit: int) -> list[int]:
    """Ids of this kind's findable documents above `after`, in order (a rebuild's pages)."""
    key = KEYS[kind]
    page = rows(kind).with_only_columns(key).where(key > after).order_by(key).limit(limit)
    return list(conn.execute(page).scalars())


def rebuild_sync(conn: Connection) -> int:
    """Empty the index and index every findable document again, in the caller's
    transaction (the migration's); how many were indexed."""
    clear_sync(conn)
    done = 0
    for kind in KINDS:
        after = 0
        while ids := ids_after(conn, kind, after, CHUNK):
            _put(conn, kind, ids)
            after, done = ids[-1], done + len(ids)
    return done


async def rebuild(db: Database, progress: Callable[[int], None] | None = None) -> int:
    """`rebuild_sync` a page at a time, each page its own short transaction, so publishing
    never waits long for the writer meanwhile; what is written meanwhile is indexed by its
    own transaction, and a page indexes its documents as they are then."""
    async with db.write() as conn:
        await conn.run_sync(clear_sync)
    done = 0
    for kind in KINDS:
        after = 0
        while True:
            async with db.write() as conn:
                ids = await conn.run_sync(ids_after, kind, after, CHUNK)
                await conn.run_sync(refresh_sync, kind, ids)
            if not ids:
                break
            after, done = ids[-1], done + len(ids)
            if progress is not None:
                progress(len(ids))
    async with db.write() as conn:  # the planner's statistics of a table just refilled
        await conn.execute(sql("ANALYZE search_docs"))
    return done


def clear_sync(conn: Connection) -> None:
    conn.execute(delete(search_docs))
    if conn.dialect.name == "sqlite":
        conn.execute(sql("DELETE FROM search_fts"))  # rows the trigger could not know of


def _put(conn: Connection, kind: str, ids: list[int]) -> None:
    """Copy the documents into search_docs in the database (INSERT … SELECT), then store
    their words' index form: stemmed terms in FTS5, or the tsvector."""
    found = rows(kind).where(KEYS[kind].in_(ids))
    copied = insert(search_docs).from_select(list(COLUMNS), found)
    returned = search_docs.c.id, search_docs.c.title, search_docs.c.body, search_docs.c.language
    docs = conn.execute(copied.returning(*returned)).all()
    if not docs:
        return
    if conn.dialect.name == "sqlite":
        fts = [
            {"id": d.id, "title": terms(d.title, d.language), "body": terms(d.body, d.language)}
            for d in docs
        ]
        conn.execute(_FTS_INSERT, fts)
        return
    words = [
        {
            "doc": d.id,
            "config": pg_config(d.language),
            "t": folded_words(d.title),
            "b": folded_words(d.body),
        }
        for d in docs
    ]
    statement = _PG_DOCS.update().where(_PG_DOCS.c.id == bindparam("doc")).values(tsv=_PG_TSV)
    conn.execute(statement, words)
