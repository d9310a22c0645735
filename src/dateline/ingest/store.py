"""Storage of the ingest worker: fetch outcomes stored in bulk, and old items pruned.

Built for throughput (docs/ingest.md, bench/ingest.py): the outcomes of many fetches are
written in ONE transaction; new items go in with one `db.bulk.bulk_insert` (`INSERT … ON
CONFLICT DO NOTHING`, the driver's own `executemany`), so the unique constraints on `items`
(canonical URL, content hash, source + external id) are the de-duplication, with no read
before the write; only items that collided are looked at again, to tell an edited item (same
source, new text) from a duplicate.
A document's items become rows (`item_rows`, bound by `db.bulk.RowBinder`) where it was
parsed, in a fetch process when the worker has them (`fetch_processes.py`): the writer only
hands them on, through `db.bulk`, which alone knows the database driver. Leases and the
schedule (when a source is due again) are `schedule.py`'s.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.db import Database, insert_new
from dateline.db.bulk import Row, RowBinder, bulk_insert, bulk_update, row_binder
from dateline.db.tables import item_sightings, items, sources
from dateline.db.tables import utcnow as now
from dateline.i18n import Phrase
from dateline.ingest.models import FAILING, OK
from dateline.ingest.parsers.items import ParsedDocument, ParsedItem
from dateline.ingest.schedule import Claimed, backoff, jittered
from dateline.search import index as search_index

log = logging.getLogger(__name__)

FAILING_AFTER = timedelta(hours=24)  # a source failing this long is marked failing
PRUNE_BATCH = 2000  # items deleted per transaction when pruning


# Item rows ----------------------------------------------------------------------------------

CHANGEABLE = (
    *("content_hash", "title", "author", "updated_at", "summary", "text", "html"),
    *("images", "key_event", "pinned"),
)


def item_binder(db: Database) -> RowBinder:
    """How `db` takes item rows: handed to whoever parses (a fetch process too), so items
    become rows where they are parsed and the writer only hands them on."""
    return row_binder(db, items)


def item_rows(
    binder: RowBinder, source_id: int, parsed: Sequence[ParsedItem], fetched_at: datetime
) -> list[Row]:
    """Rows for the items of one document, oldest first (a feed lists its newest item
    first; ids then follow the order the source published in), first seen at `fetched_at`."""
    return binder.rows(_item_row(source_id, item, fetched_at) for item in reversed(parsed))


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one fetch gave: a parsed document's title and item rows, a 304, or an error in
    plain words (a `Phrase`, kept with its code so each reader sees it in their language).
    Made where the fetch ran (this process, or a fetch process)."""

    source: Claimed
    fetched_at: datetime
    rows: list[Row] | None = None  # set when a document was parsed (maybe without items)
    title: str = ""  # the document's own title
    not_modified: bool = False
    etag: str = ""
    last_modified: str = ""
    error: str = ""
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def said_error(self) -> str:
        """The error in the language being spoken (the CLI's, as it fetches)."""
        return self.error.said() if isinstance(self.error, Phrase) else self.error


def parsed(
    source: Claimed,
    fetched_at: datetime,
    document: ParsedDocument,
    binder: RowBinder,
    *,
    etag: str = "",
    last_modified: str = "",
) -> Outcome:
    """The outcome of a fetch that gave `document`, its items made rows by `binder`."""
    rows = item_rows(binder, source.id, document.items, fetched_at)
    return Outcome(
        source, fetched_at, rows=rows, title=document.title, etag=etag, last_modified=last_modified
    )


@dataclass
class Tally:
    """Per source: items stored new, items updated in place, and whether the fetch failed."""

    new: Counter[int] = field(default_factory=Counter)
    updated: Counter[int] = field(default_factory=Counter)
    failed: set[int] = field(default_factory=set)


# Retention ----------------------------------------------------------------------------------


async def prune(
    db: Database, listed_before: datetime, batch: int = PRUNE_BATCH, batches: int = 50
) -> int:
    """Delete items listed before the cutoff, `batch` at a time, each batch its own short
    transaction (SQLite's one writer is never held for long), at most `batches` batches a
    call (the rest at the next); how many went. Their sightings and dismissals go with them
    (ON DELETE CASCADE). `record` does not store such items again (its `keep_after`)."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    deleted = 0
    for _ in range(batches):
        oldest = select(items.c.id).where(items.c.listed_at < listed_before)
        async with db.write() as conn:
            result = await conn.execute(
                delete(items).where(items.c.id.in_(oldest.order_by(items.c.id).limit(batch)))
            )
        deleted += result.rowcount
        if result.rowcount < batch:
            break
    return deleted


# Outcomes -----------------------------------------------------------------------------------


async def record(
    db: Database, outcomes: Sequence[Outcome], keep_after: datetime | None = None
) -> Tally:
    """Store many outcomes in one transaction; when that fails (say a source was deleted
    meanwhile), store them one by one so one bad outcome costs only itself. Items listed
    before `keep_after` (the retention period's start) are not stored: `prune` would delete
    them, and the next fetch would bring them back, dismissals lost, again and again."""
    tally = Tally()
    if not outcomes:
        return tally
    bind = item_binder(db)
    try:
        async with db.write() as conn:
            await _record(conn, bind, outcomes, tally, keep_after)
        return tally
    except DBAPIError:
        log.warning("storing a batch of fetch outcomes failed; storing them one by one")
    tally = Tally()
    for outcome in outcomes:
        try:
            async with db.write() as conn:
                await _record(conn, bind, [outcome], tally, keep_after)
        except DBAPIError:
            log.exception("storing a fetch outcome failed", extra={"source": outcome.source.id})
    return tally


async def _record(
    conn: AsyncConnection,
    bind: RowBinder,
    outcomes: Sequence[Outcome],
    tally: Tally,
    keep_after: datetime | None,
) -> None:
    columns = bind.columns
    rows = [row for outcome in outcomes if outcome.ok for row in outcome.rows or ()]
    if keep_after is not None:
        start, listed = bind.value("listed_at", keep_after), columns.index("listed_at")
        rows = [row for row in rows if row[listed] >= start]
    inserted = await _insert_new(conn, bind, rows, {o.source.id: o.fetched_at for o in outcomes})
    await search_index.refresh_new_items(conn, [url for _, url in inserted])
    tally.new.update(source_id for source_id, _ in inserted)
    source_at, url_at = columns.index("source_id"), columns.index("canonical_url")
    rest = [
        dict(zip(columns, row, strict=True))
        for row in rows
        if (row[source_at], row[url_at]) not in inserted
    ]
    tally.updated.update(await _update_changed(conn, bind, rest, now()))
    await _record_sightings(conn, rest)
    tally.failed.update(outcome.source.id for outcome in outcomes if not outcome.ok)
    states = [source_state(outcome) for outcome in outcomes]
    # A worker whose lease ran out (and was perhaps taken by another) must not overwrite the
    # state or clear the lease of the one now fetching; its items went in above, de-duplicated.
    statement = update(sources).where(
        sources.c.id == bindparam("sid"), sources.c.lease_until == bindparam("held")
    )
    await conn.execute(statement, states)


def _item_row(source_id: int, item: ParsedItem, moment: datetime) -> dict[str, Any]:
    """One row of Python values, by column name."""
    published = item.published_at
    return {
        "source_id": source_id,
        "url": _fit(item.url, 2000) if _web(item.url) else "",
        "canonical_url": _fit(_key(source_id, item), 2000),
        "external_id": _fit(item.external_id, 500) or None,  # NULLs never collide
        "content_hash": item.content_hash,
        "title": _fit(item.title, 1000),
        "author": _fit(item.author, 300),
        "published_at": published,
        "updated_at": item.updated_at,
        "summary": _fit(item.summary),
        "text": _fit(item.text),
        "html": _fit(item.html),
        "images": [{"url": i.url, "caption": i.caption, "credit": i.credit} for i in item.images],
        "key_event": item.key_event,
        "pinned": item.pinned,
        "language": item.language[:20],
        "first_seen_at": moment,
        "changed_at": None,
        "listed_at": min(published, moment) if published else moment,
    }


def _web(url: str) -> bool:
    """Only http(s) links are kept: a source's `javascript:` or `data:` link is dropped, never
    shown as a link to an editor or handed out by the API."""
    return url.lower().startswith(("http://", "https://"))


def _key(source_id: int, item: ParsedItem) -> str:
    """The canonical URL, the column that de-duplicates across sources. An item without a
    web link gets a stand-in that cannot meet another item's: its source and id, or else
    its content (which content_hash keeps unique anyway)."""
    if _web(item.canonical_url):
        return item.canonical_url
    if item.external_id:
        return f"urn:dateline:source:{source_id}:{item.external_id}"
    return f"urn:dateline:content:{item.content_hash}"


def _fit(text: str, size: int | None = None) -> str:
    """Within the column's size, and without NUL, which PostgreSQL refuses in text."""
    return text.replace("\x00", "")[:size]


async def _insert_new(
    conn: AsyncConnection, bind: RowBinder, rows: list[Row], fetched_at: Mapping[int, datetime]
) -> set[tuple[int, str]]:
    """Insert what is new; (source id, canonical URL) of each row that went in.

    `bulk_insert` of rows already bound (no per-row work in SQLAlchemy, nor `RETURNING`,
    which makes it build multi-row statements and read a result per row). When the driver
    counts as many rows inserted as given, all went in; otherwise one read finds
    the new ones: ids above the largest before the insert (SQLite: the write lock is held
    throughout; PostgreSQL: the sequence only grows), of these sources, first seen at this
    fetch of theirs. A worker whose lease ran out may have committed rows for one of these
    sources meanwhile (PostgreSQL reads them in a fresh snapshot), but not of this fetch.
    """
    if not rows:
        return set()
    source_at, url_at = bind.columns.index("source_id"), bind.columns.index("canonical_url")
    before = await conn.scalar(select(func.coalesce(func.max(items.c.id), 0)))
    if await bulk_insert(conn, bind, rows) == len(rows):
        return {(row[source_at], row[url_at]) for row in rows}
    query = select(items.c.source_id, items.c.canonical_url, items.c.first_seen_at).where(
        items.c.id > before, items.c.source_id.in_(fetched_at)
    )
    return {
        (row.source_id, row.canonical_url)
        for row in await conn.execute(query)
        if row.first_seen_at == fetched_at[row.source_id]  # not another worker's rows
    }


async def _update_changed(
    conn: AsyncConnection, bind: RowBinder, rows: list[dict[str, Any]], moment: datetime
) -> Counter[int]:
    """Rows that collided: the same source's item with new words (an edited article, a live
    blog update rewritten) is updated in place; anything else was a duplicate, kept once."""
    changed: Counter[int] = Counter()
    edits = []
    changed_at = bind.value("changed_at", moment)
    for row, item_id in await _same_item_changed(conn, rows):
        edit = {name: row[name] for name in CHANGEABLE}
        edits.append({**edit, "changed_at": changed_at, "id": item_id})
        changed[row["source_id"]] += 1
    await bulk_update(conn, bind, edits)
    await search_index.refresh(conn, "item", [edit["id"] for edit in edits])
    return changed


async def _record_sightings(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Rows that were another source's item already: remember that this source carried it
    too, so the inboxes of the blogs this source feeds show it (it is stored only once)."""
    if not rows:
        return
    urls = {row["canonical_url"] for row in rows}
    hashes = {row["content_hash"] for row in rows}
    query = select(items.c.id, items.c.source_id, items.c.canonical_url, items.c.content_hash)
    query = query.where(or_(items.c.canonical_url.in_(urls), items.c.content_hash.in_(hashes)))
    stored = (await conn.execute(query)).all()
    by_url = {s.canonical_url: s for s in stored}
    by_hash = {s.content_hash: s for s in stored}
    seen = set()
    for row in rows:
        first = by_url.get(row["canonical_url"]) or by_hash.get(row["content_hash"])
        if first is not None and first.source_id != row["source_id"]:
            seen.add((first.id, row["source_id"], row["url"]))  # its own link, not lost
    if seen:
        sightings = [{"item_id": i, "source_id": s, "url": url} for i, s, url in sorted(seen)]
        await conn.execute(insert_new(conn, item_sightings), sightings)


async def _same_item_changed(
    conn: AsyncConnection, rows: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], int]]:
    """(new row, id of the stored item it changes), for rows whose text or flags changed and
    whose new text is not already stored elsewhere."""
    if not rows:
        return []
    urls = [row["canonical_url"] for row in rows]
    ids = [row["external_id"] for row in rows if row["external_id"]]
    where = or_(items.c.canonical_url.in_(urls), items.c.external_id.in_(ids))
    source_ids = {row["source_id"] for row in rows}
    columns = (items.c.id, items.c.source_id, items.c.canonical_url, items.c.external_id)
    query = select(*columns, items.c.content_hash, items.c.key_event, items.c.pinned)
    stored = (await conn.execute(query.where(where, items.c.source_id.in_(source_ids)))).all()
    by_url = {(s.source_id, s.canonical_url): s for s in stored}
    by_id = {(s.source_id, s.external_id): s for s in stored if s.external_id}
    hashes = {s.content_hash for s in stored}
    found = []
    for row in rows:
        key = row["source_id"]
        old = by_id.get((key, row["external_id"])) or by_url.get((key, row["canonical_url"]))
        if old is None or (old.content_hash, old.key_event, old.pinned) == (
            row["content_hash"],
            bool(row["key_event"]),  # bound: 1 or 0 on SQLite
            bool(row["pinned"]),
        ):
            continue
        if row["content_hash"] != old.content_hash and await _hash_taken(conn, row, hashes):
            continue
        hashes.add(row["content_hash"])
        found.append((row, old.id))
    return found


async def _hash_taken(conn: AsyncConnection, row: dict[str, Any], known: set[str]) -> bool:
    if row["content_hash"] in known:
        return True
    query = select(items.c.id).where(items.c.content_hash == row["content_hash"])
    return (await conn.execute(query)).first() is not None


def source_state(outcome: Outcome) -> dict[str, Any]:
    """The source's new state after a fetch: schedule, failure count, plain error."""
    source, moment = outcome.source, outcome.fetched_at
    state: dict[str, Any] = {
        "sid": source.id,
        "held": source.lease_until,
        "lease_until": None,
        "last_fetch_at": moment,
    }
    if outcome.ok:
        state.update(
            title=_fit(outcome.title, 300) or source.title,
            etag=(outcome.etag or source.etag)[:500] or None,
            last_modified=(outcome.last_modified or source.last_modified)[:100] or None,
            last_success_at=moment,
            next_fetch_at=moment + timedelta(seconds=jittered(source.interval_seconds)),
            consecutive_failures=0,
            failing_since=None,
            status=OK,
            last_error="",
            last_error_code="",
            last_error_params={},
        )
        return state
    failures = source.consecutive_failures + 1
    since = source.failing_since or moment
    wait = max(backoff(source.interval_seconds, failures), outcome.retry_after or 0.0)
    state.update(
        title=source.title,
        etag=source.etag or None,
        last_modified=source.last_modified or None,
        last_success_at=source.last_success_at,
        next_fetch_at=moment + timedelta(seconds=wait),
        consecutive_failures=failures,
        failing_since=since,
        status=FAILING if moment - since >= FAILING_AFTER else OK,
        **error_columns(outcome.error),
    )
    return state


def error_columns(error: str) -> dict[str, Any]:
    """How a source keeps its last error: the English words (what the API and older rows
    read) and, for a `Phrase`, its code and params, to be said in the reader's language. Words
    too long to keep whole (a server's endless error text) keep no code: the cut English is
    all there is."""
    if isinstance(error, Phrase) and len(error) <= 500:
        code, params = error.code, error.kept()
    else:
        code, params = "", {}
    return {"last_error": error[:500], "last_error_code": code, "last_error_params": params}
