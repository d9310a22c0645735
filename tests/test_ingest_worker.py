"""The ingest worker against a real HTTP server on 127.0.0.1: items appear, 304s cost no
parsing, a broken source fails alone, Retry-After is obeyed, two workers never fetch the same
source twice in a round, and stopping is prompt and gives the leases back."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select

from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import sources
from dateline.ingest import queries
from dateline.ingest.worker import IngestWorker
from tests.ingest_factories import add, ingest_settings, make_due, rss, shown
from tests.ingest_server import IngestServer, Reply, ingest_server

__all__ = ["ingest_server"]  # the fixture
DATA = Path(__file__).parent / "data" / "ingest"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


async def run_round(db: Database, settings: Settings) -> None:
    worker = IngestWorker(db, settings)
    try:
        await worker.run_round()
    finally:
        await worker.close()


FEED = rss(
    "Northwind Wire",
    [("a2", "Bridge reopens", "Traffic flows again."), ("a1", "Storm nears", "Winds rise.")],
)


async def test_a_feed_is_fetched_and_its_items_appear_newest_first(
    db: Database, settings: Settings, ingest_server: IngestServer
) -> None:
    url = ingest_server.route("/feed.xml", FEED, content_type="application/rss+xml", etag='"v1"')
    source = await add(db, settings, url)
    await run_round(db, settings)
    state, titles = await shown(db, source)
    assert titles == ["Bridge reopens", "Storm nears"]
    assert (state.title, state.status, state.last_error, state.etag) == (
        "Northwind Wire",
        "ok",
        "",
        '"v1"',
    )
    assert state.next_fetch_at > datetime.now(UTC) + timedelta(seconds=200)
    await run_round(db, settings)  # not due: nobody asks again
    assert len(ingest_server.seen("/feed.xml")) == 1


async def test_a_304_costs_no_parsing_and_counts_as_success(
    db: Database, settings: Settings, ingest_server: IngestServer
) -> None:
    # The second answer's body is broken, but it is never sent: the ETag matches, so a 304.
    broken = Reply(b"<rss><channel><item>", content_type="application/rss+xml", etag='"v1"')
    good = Reply(FEED, content_type="application/rss+xml", etag='"v1"')
    url = ingest_server.sequence("/feed.xml", [good, broken])
    source = await add(db, settings, url)
    await run_round(db, settings)
    first, _ = await shown(db, source)
    await make_due(db)
    await run_round(db, settings)
    state, titles = await shown(db, source)
    assert ingest_server.seen("/feed.xml")[1].headers["if-none-match"] == '"v1"'
    assert titles == ["Bridge reopens", "Storm nears"]
    assert (state.status, state.last_error, state.consecutive_failures) == ("ok", "", 0)
    assert state.last_success_at
    assert first.last_success_at
    assert state.last_success_at > first.last_success_at


async def test_a_broken_feed_fails_alone_and_the_others_are_read(
    db: Database, settings: Settings, ingest_server: IngestServer
) -> None:
    bad = await add(
        db,
        settings,
        ingest_server.route("/bad.xml", "<html><body><p>Moved to our app</p></body></html>"),
    )
    missing = await add(db, settings, ingest_server.url("/gone.xml"))
    good = await add(db, settings, ingest_server.route("/good.xml", FEED))
    await run_round(db, settings)
    bad_state, bad_titles = await shown(db, bad)
    assert bad_titles == []
    assert bad_state.consecutive_failures == 1
    assert bad_state.last_error == "This is not an RSS or Atom feed."
    missing_state, _ = await shown(db, missing)
    assert missing_state.last_error == "The server answered 404 Not Found"
    _, titles = await shown(db, good)
    assert titles == ["Bridge reopens", "Storm nears"]


async def test_429_with_retry_after_is_obeyed(
    db: Database, settings: Settings, ingest_server: IngestServer
) -> None:
    url = ingest_server.route("/busy", status=429, headers={"Retry-After": "5400"})
    source = await add(db, settings, url)
    await run_round(db, settings)
    state, _ = await shown(db, source)
    assert state.last_error == "The server answered 429 Too Many Requests"
    # the 90 minutes asked for (the interval is 5), less however long the round took
    assert state.next_fetch_at >= datetime.now(UTC) + timedelta(minutes=80)


async def test_two_workers_fetch_each_source_once_per_round(
    database_url: str, settings: Settings, ingest_server: IngestServer
) -> None:
    setup = Database(database_url)
    paths = [f"/feed-{n}.xml" for n in range(60)]
    for path in paths:
        body = rss(path, [(f"{path}-1", f"Item of {path}", f"Only {path} says this.")])
        await add(setup, settings, ingest_server.route(path, body, delay=0.01))
    await setup.dispose()
    # Two machines' worth (leases are how they share the work): each its engine and fetcher.
    databases = [Database(database_url), Database(database_url)]
    narrow = settings.model_copy(update={"ingest_concurrency": 8})
    workers = [IngestWorker(database, narrow) for database in databases]
    try:
        await asyncio.gather(*(worker.run_round() for worker in workers))
    finally:
        for worker in workers:
            await worker.close()
    assert sorted(seen.path for seen in ingest_server.requests) == sorted(paths)
    async with databases[0].read() as conn:
        leases = (await conn.execute(select(sources.c.lease_until))).scalars().all()
        stored = len(await queries.list_sources(conn))
    assert stored == 60
    assert set(leases) == {None}
    for database in databases:
        await database.dispose()


async def test_stopping_is_prompt_and_gives_leases_back(
    db: Database, settings: Settings, ingest_server: IngestServer
) -> None:
    slow = await add(db, settings, ingest_server.route("/slow.xml", FEED, delay=600.0))
    patient = settings.model_copy(update={"fetch_timeout_seconds": 1200.0})  # outwaits it
    worker = IngestWorker(db, patient)
    await worker.start()
    async with asyncio.timeout(60):  # generous: only a broken worker takes this long
        while not ingest_server.seen("/slow.xml"):  # noqa: ASYNC110 - a server thread's log
            await asyncio.sleep(0.01)
    async with db.read() as conn:
        leased = (await conn.execute(select(sources.c.lease_until))).scalar_one()
    assert leased is not None
    async with asyncio.timeout(60):  # a stop that waited for the fetch would take 10 minutes
        await worker.stop()
    state, titles = await shown(db, slow)
    assert titles == []
    assert state.last_fetch_at is None
    async with db.read() as conn:
        assert (await conn.execute(select(sources.c.lease_until))).scalar_one() is None


def live_page(updates: list[tuple[int, str, str]]) -> bytes:
    """Another site's live blog page: schema.org LiveBlogPosting with its updates."""
    page_url = "https://other.example.com/live"
    posting = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "headline": "Storm Idris live",
        "liveBlogUpdate": [
            {
                "@type": "BlogPosting",
                "@id": f"{page_url}#update-{n}",
                "url": f"{page_url}#update-{n}",
                "headline": headline,
                "articleBody": text,
                "datePublished": f"2026-11-29T12:{n:02d}:00Z",
            }
            for n, headline, text in updates
        ],
    }
    script = f'<script type="application/ld+json">{json.dumps(posting)}</script>'
    return (
        f"<html><head><title>Storm Idris live</title>{script}</head><body></body></html>".encode()
    )


async def test_a_live_blog_that_gains_updates_between_two_fetches(
    db: Database, settings: Settings, ingest_server: IngestServer
) -> None:
    first = live_page([(1, "Winds", "Winds reach 90 km/h.")])
    second = live_page(
        [
            (2, "Ferries", "All ferries are cancelled."),
            (1, "Winds", "Winds reach 110 km/h at the coast."),
        ]
    )
    url = ingest_server.sequence("/live", [Reply(first), Reply(second)])
    source = await add(db, settings, url, kind="liveblog")
    await run_round(db, settings)
    _, titles = await shown(db, source)
    assert titles == ["Winds"]
    await make_due(db)
    await run_round(db, settings)
    async with db.read() as conn:
        found = await queries.items_of_source(conn, source.id, 10)
    assert [(i.title, i.text) for i in found] == [
        ("Ferries", "All ferries are cancelled."),
        ("Winds", "Winds reach 110 km/h at the coast."),
    ]
    assert found[1].changed_at is not None


async def test_a_ticker_stating_utc_only_is_timed_by_the_answer_s_last_modified(
    db: Database, settings: Settings, ingest_server: IngestServer
) -> None:
    """The page's HTML gives its publication in UTC only and no modification time; the
    server's Last-Modified (03:52 UTC) places the newest "11:50 p.m." in UTC−4, as a reader
    in that zone saw it, not at 23:50 UTC."""
    page = (DATA / "ticker_en.html").read_text().replace("09:00:00-04:00", "13:00:00Z")
    url = ingest_server.route(
        "/latest", page.encode(), last_modified="Fri, 03 Oct 2025 03:52:10 GMT"
    )
    source = await add(db, settings, url, kind="liveblog")
    await run_round(db, settings)
    async with db.read() as conn:
        found = await queries.items_of_source(conn, source.id, 10)
    newest = max(found, key=lambda item: item.published_at or datetime.min.replace(tzinfo=UTC))
    assert newest.text.startswith("Power has been restored")
    assert newest.published_at == datetime(2025, 10, 3, 3, 50, tzinfo=UTC)


async def test_items_older_than_the_retention_period_are_neither_kept_nor_stored_again(
    db: Database, settings: Settings, ingest_server: IngestServer
) -> None:
    def entry(guid: str, title: str, when: datetime) -> str:
        stamp = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
        return f"<item><guid>{guid}</guid><title>{title}</title><pubDate>{stamp}</pubDate></item>"

    now = datetime.now(UTC)
    feed = (
        "<rss version='2.0'><channel><title>Wire</title>"
        + entry("new", "Ferry resumes", now - timedelta(hours=3))
        + entry("old", "Last month's storm", now - timedelta(days=45))
        + "</channel></rss>"
    )
    url = ingest_server.route("/feed.xml", feed, content_type="application/rss+xml")
    keeping = settings.model_copy(update={"item_retention_days": 30})
    source = await add(db, keeping, url)
    worker = IngestWorker(db, keeping)
    try:
        await worker.run_round()
        assert await worker.prune() == 0  # nothing old was stored to prune
        await make_due(db)
        await worker.run_round()
    finally:
        await worker.close()
    _, titles = await shown(db, source)
    assert titles == ["Ferry resumes"]


async def test_a_worker_fetching_one_source_at_a_time_does_not_spin_claiming(
    db: Database, settings: Settings, ingest_server: IngestServer
) -> None:
    """With room for one fetch, none is claimed while it runs: each claim is a write, and
    SQLite's one writer is shared with the editors."""
    for n in range(2):
        await add(db, settings, ingest_server.route(f"/slow{n}.xml", FEED, delay=0.5))
    claims = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "lease_until" in statement:  # claims, state writes, releases
            claims.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        await run_round(db, settings.model_copy(update={"ingest_concurrency": 1}))
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert len(ingest_server.requests) == 2
    assert len(claims) <= 12, claims  # a few per source, not one per turn of the loop


class LeaseClock:
    """The worker's clock, 45 s ahead at the third lease it checks only: that source waited
    (claimed ahead) so long that its lease could run out mid-fetch."""

    def __init__(self) -> None:
        self.checks = 0

    def __call__(self) -> datetime:
        self.checks += 1
        return datetime.now(UTC) + timedelta(seconds=45 if self.checks == 3 else 0)


async def test_a_source_whose_lease_ran_short_while_waiting_is_claimed_again_and_read_once(
    db: Database, settings: Settings, ingest_server: IngestServer
) -> None:
    """Two fetches at a time and a third source claimed ahead: when its turn comes its lease
    is too short for a whole fetch, so it is given back and claimed again with a fresh lease,
    and read once, neither dropped from the round nor fetched twice."""
    paths = [f"/wait-{n}.xml" for n in range(3)]
    for path in paths:
        body = rss(path, [(f"{path}-1", f"Item of {path}", f"Only {path} says this.")])
        await add(db, settings, ingest_server.route(path, body))
    clock = LeaseClock()
    worker = IngestWorker(db, settings.model_copy(update={"ingest_concurrency": 2}), clock=clock)
    try:
        tally = await worker.run_round()
    finally:
        await worker.close()
    assert sorted(seen.path for seen in ingest_server.requests) == paths
    assert clock.checks == 4  # the third source was checked twice: given back, claimed again
    assert sum(tally.new.values()) == 3
    async with db.read() as conn:
        leases = (await conn.execute(select(sources.c.lease_until))).scalars().all()
    assert set(leases) == {None}
