"""Storing what sources publish: order, exact duplicates kept once, live-blog edits, and the
state a source shows after successes and failures (backoff, Retry-After, failing after 24 h)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Text, cast, func, insert, select, update

from dateline.accounts.service import User
from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import item_dismissals, items, sources
from dateline.errors import Conflict, Invalid
from dateline.ingest import queries, schedule, service, store
from dateline.ingest.models import Item, Source, SourceDraft
from dateline.ingest.parsers.items import ItemImage, ParsedItem
from dateline.ingest.worker import IngestWorker
from dateline.liveblog.models import Blog
from tests.helpers import make_blog
from tests.ingest_factories import (
    T0,
    add,
    document,
    ingest_settings,
    item,
    store_document,
    store_failure,
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


async def items_of(db: Database, source: Source) -> list[tuple[str, str]]:
    async with db.read() as conn:
        found = await queries.items_of_source(conn, source.id, 100)
    return [(found_item.title, found_item.text) for found_item in found]


async def state_of(db: Database, source: Source) -> Source:
    async with db.read() as conn:
        return await queries.source_by_id(conn, source.id)


async def test_items_are_stored_newest_first_with_their_text(
    db: Database, settings: Settings
) -> None:
    source = await add(db, settings, "https://wire.example.org/world.rss")
    pictured = item(3, images=(ItemImage("https://wire.example.org/a.jpg", "Dam", "Wire"),))
    tally = await store_document(db, source, document(pictured, item(1), item(2)))
    assert tally.new[source.id] == 3
    assert await items_of(db, source) == [
        ("Story 3", "Words of story 3."),
        ("Story 2", "Words of story 2."),
        ("Story 1", "Words of story 1."),
    ]
    async with db.read() as conn:
        newest = (await queries.items_of_source(conn, source.id, 1))[0]
    assert newest.images == [
        {"url": "https://wire.example.org/a.jpg", "caption": "Dam", "credit": "Wire"}
    ]
    shown = await state_of(db, source)
    assert (shown.title, shown.status, shown.consecutive_failures) == ("Example Wire", "ok", 0)
    assert shown.last_success_at is not None
    assert shown.etag == '"v1"'
    assert shown.next_fetch_at > datetime.now(UTC) + timedelta(seconds=200)  # 300 s ± 10 %


async def test_a_future_publication_date_does_not_keep_an_item_on_top(
    db: Database, settings: Settings
) -> None:
    source = await add(db, settings, "https://wire.example.org/world.rss")
    from_the_future = item(1, published_at=datetime(2099, 1, 1, tzinfo=UTC))
    await store_document(db, source, document(from_the_future))
    await store_document(db, source, document(item(2, published_at=datetime.now(UTC))))
    assert [title for title, _ in await items_of(db, source)] == ["Story 2", "Story 1"]


async def test_an_item_seen_again_under_another_url_or_in_another_feed_is_stored_once(
    db: Database, settings: Settings
) -> None:
    wire = await add(db, settings, "https://wire.example.org/world.rss")
    agency = await add(db, settings, "https://agency.example.net/top.atom")
    await store_document(db, wire, document(item(1), item(2)))
    tracked = item(1, url="https://wire.example.org/story-1?utm_source=rss&fbclid=x")
    same_words = item(2, url="https://agency.example.net/copy-of-2")
    tally = await store_document(db, agency, document(tracked, same_words, item(9)))
    assert tally.new[agency.id] == 1
    assert tally.updated[agency.id] == 0
    assert len(await items_of(db, wire)) == 2
    # Stored once: three items in all, though the agency carried all three (and lists them).
    assert [title for title, _ in await items_of(db, agency)] == ["Story 9", "Story 2", "Story 1"]
    async with db.read() as conn:
        assert (await conn.execute(select(func.count()).select_from(items))).scalar() == 3


async def test_refetching_the_same_feed_stores_nothing_new(
    db: Database, settings: Settings
) -> None:
    source = await add(db, settings, "https://wire.example.org/world.rss")
    await store_document(db, source, document(item(1), item(2)))
    tally = await store_document(db, source, document(item(1), item(2)))
    assert (tally.new[source.id], tally.updated[source.id]) == (0, 0)
    assert len(await items_of(db, source)) == 2


async def test_a_live_blog_update_rewritten_is_updated_and_new_updates_are_added(
    db: Database, settings: Settings
) -> None:
    page = "https://other.example.com/live/storm"
    source = await add(db, settings, page, kind="liveblog")

    def update_item(n: int, text: str, key_event: bool = False) -> object:
        return item(
            n, text=text, url=f"{page}#block-{n}", external_id=f"block-{n}", key_event=key_event
        )

    first = document(update_item(1, "Winds reach 90 km/h."), kind="liveblog")
    await store_document(db, source, first)
    second = document(
        update_item(2, "Ferries cancelled."),
        update_item(1, "Winds reach 110 km/h at the coast.", key_event=True),
        kind="liveblog",
    )
    tally = await store_document(db, source, second)
    assert (tally.new[source.id], tally.updated[source.id]) == (1, 1)
    assert await items_of(db, source) == [
        ("Story 2", "Ferries cancelled."),
        ("Story 1", "Winds reach 110 km/h at the coast."),
    ]
    async with db.read() as conn:
        rewritten = (await queries.items_of_source(conn, source.id, 10))[1]
    assert rewritten.key_event
    assert rewritten.changed_at is not None


async def test_failures_back_off_and_show_the_error_in_plain_words(
    db: Database, settings: Settings
) -> None:
    source = await add(db, settings, "https://wire.example.org/world.rss")
    await store_failure(db, source, "The server answered 500 Internal Server Error")
    await store_failure(db, source, "The server answered 500 Internal Server Error")
    await store_failure(db, source, "Could not connect to wire.example.org")
    shown = await state_of(db, source)
    assert shown.consecutive_failures == 3
    assert shown.last_error == "Could not connect to wire.example.org"
    assert shown.status == "ok"  # not failing for 24 hours yet
    assert shown.last_success_at is None
    # Third failure: 4 × 300 s, with jitter between half and all of it.
    # (Less however long the test took since: a minute is patience for a busy machine.)
    wait = (shown.next_fetch_at - datetime.now(UTC)).total_seconds()
    assert 540 <= wait <= 1200


async def test_a_source_failing_for_24_hours_is_marked_failing_and_kept(
    db: Database, settings: Settings
) -> None:
    source = await add(db, settings, "https://wire.example.org/world.rss")
    await store_failure(db, source, "The server answered 503 Service Unavailable")
    long_ago = datetime.now(UTC) - timedelta(hours=25)
    async with db.write() as conn:
        await conn.execute(update(sources).values(failing_since=long_ago))
    await store_failure(db, source, "The server answered 503 Service Unavailable")
    shown = await state_of(db, source)
    assert (shown.status, shown.consecutive_failures) == ("failing", 2)
    await store_document(db, source, document(item(1)))
    shown = await state_of(db, source)
    assert (shown.status, shown.consecutive_failures, shown.last_error) == ("ok", 0, "")


async def test_retry_after_is_honoured(db: Database, settings: Settings) -> None:
    source = await add(db, settings, "https://wire.example.org/world.rss")
    await store_failure(db, source, "The server answered 429 Too Many Requests", retry_after=7200)
    shown = await state_of(db, source)
    assert shown.next_fetch_at >= datetime.now(UTC) + timedelta(seconds=7200 - 60)  # patience


async def test_a_leased_source_is_claimed_once_until_released(
    db: Database, settings: Settings
) -> None:
    first = await add(db, settings, "https://wire.example.org/1.rss")
    second = await add(db, settings, "https://wire.example.org/2.rss")
    taken = await schedule.claim(db, 10, 60)
    assert [claimed.id for claimed in taken] == [first.id, second.id]
    assert await schedule.claim(db, 10, 60) == []
    await schedule.release(db, {first.id: taken[0].lease_until})
    assert [claimed.id for claimed in await schedule.claim(db, 10, 60)] == [first.id]


async def test_a_worker_whose_lease_ran_out_does_not_overwrite_the_next_ones(
    db: Database, settings: Settings
) -> None:
    source = await add(db, settings, "https://wire.example.org/1.rss")
    (late,) = await schedule.claim(db, 1, -1, only=[source.id])  # a lease already run out
    (current,) = await schedule.claim(db, 1, 60, only=[source.id])  # taken by another worker
    stale = store.Outcome(late, datetime.now(UTC), error="The server answered 500")
    await store.record(db, [stale])
    await schedule.release(db, {late.id: late.lease_until})
    shown = await state_of(db, source)
    assert shown.consecutive_failures == 0  # the late worker's failure did not land
    assert await schedule.claim(db, 1, 60, only=[source.id]) == []  # still the other's lease
    fresh = store.parsed(current, datetime.now(UTC), document(item(1)), store.item_binder(db))
    assert sum((await store.record(db, [fresh])).new.values()) == 1
    assert (await state_of(db, source)).last_success_at is not None


async def test_adding_a_source_refuses_duplicates_bad_kinds_and_unknown_blogs(
    db: Database, settings: Settings, blog: Blog
) -> None:
    source = await add(
        db, settings, "https://Wire.example.org/world.rss?utm_medium=x", blog=blog.slug
    )
    assert source.blog_slugs == [blog.slug]
    assert source.next_fetch_at <= datetime.now(UTC)
    with pytest.raises(Conflict, match=f"already followed as source #{source.id}"):
        await add(db, settings, "https://wire.example.org/world.rss")
    with pytest.raises(Conflict, match=f"inbox of /live/{blog.slug} as source #{source.id}"):
        await add(db, settings, "https://wire.example.org/world.rss", blog=blog.slug)
    with pytest.raises(Invalid) as refused:
        await service.add_source(db, settings, SourceDraft("ftp://x.example", "podcast", 5))
    assert set(refused.value.errors) == {"url", "kind", "interval"}
    with pytest.raises(Invalid, match="no live blog at /live/nope"):
        await add(db, settings, "https://wire.example.org/other.rss", blog="nope")


async def test_one_wire_feed_fills_the_inboxes_of_several_blogs(
    db: Database, settings: Settings, editor: User, blog: Blog
) -> None:
    other = await make_blog(db, editor, slug="storm-night")
    wire = await add(db, settings, "https://wire.example.org/world.rss", blog=blog.slug)
    again = await add(db, settings, "https://wire.example.org/world.rss", blog=other.slug)
    assert again.id == wire.id  # followed once, fetched once
    assert again.blog_slugs == sorted([blog.slug, other.slug])
    await store_document(db, wire, document(item(1), item(2)))
    async with db.read() as conn:
        first = [i.item.title for i in await queries.inbox(conn, blog.id, 10)]
        second = [i.item.title for i in await queries.inbox(conn, other.id, 10)]
    assert first == second == ["Story 2", "Story 1"]
    await service.dismiss(db, blog.slug, (await _items(db, wire))[0].id, editor)
    async with db.read() as conn:
        assert len(await queries.inbox(conn, blog.id, 10)) == 1
        assert len(await queries.inbox(conn, other.id, 10)) == 2  # dismissed here only


async def test_a_story_two_sources_carry_is_stored_once_and_shown_to_both_blogs(
    db: Database, settings: Settings, editor: User, blog: Blog
) -> None:
    other = await make_blog(db, editor, slug="harbour-night")
    agency = await add(db, settings, "https://agency.example.org/feed", blog=blog.slug)
    paper = await add(db, settings, "https://paper.example.net/feed", blog=other.slug)
    story = item(1, text="The ferry resumed at dawn.")
    await store_document(db, agency, document(story))
    tally = await store_document(db, paper, document(story, item(2)))
    assert sum(tally.new.values()) == 1  # only the paper's own story is new
    async with db.read() as conn:
        for shown in (blog, other):
            titles = [i.item.title for i in await queries.inbox(conn, shown.id, 10)]
            assert "Story 1" in titles  # stored once, under the agency, seen by both
        assert [i.title for i in await queries.items_of_source(conn, paper.id, 10)] == [
            "Story 2",
            "Story 1",
        ]
        assert (await conn.execute(select(func.count()).select_from(items))).scalar() == 2


async def _items(db: Database, source: Source) -> list[Item]:
    async with db.read() as conn:
        return await queries.items_of_source(conn, source.id, 10)


async def test_private_addresses_are_refused_unless_allowed(
    db: Database, settings: Settings
) -> None:
    strict = settings.model_copy(update={"allow_private_sources": False})
    with pytest.raises(Invalid, match="loopback"):
        await add(db, strict, "http://127.0.0.1:8080/feed.xml")


def test_intervals_read_like_people_write_them() -> None:
    assert [service.parse_interval(text) for text in ("90", "90s", "5m", "2h", "1d")] == [
        90, 90, 300, 7200, 86400,
    ]  # fmt: skip
    with pytest.raises(Invalid):
        service.parse_interval("soon")


async def test_text_postgresql_would_refuse_is_cleaned_not_fatal(
    db: Database, settings: Settings
) -> None:
    source = await add(db, settings, "https://wire.example.org/world.rss")
    odd = item(1, title="Nul\x00 byte" + "x" * 2000, text="Before\x00after.")
    await store_document(db, source, document(odd))
    ((title, text),) = await items_of(db, source)
    assert title.startswith("Nul bytexxx")
    assert len(title) == 1000
    assert text == "Beforeafter."


async def test_items_past_the_retention_period_are_deleted_in_batches(
    db: Database, settings: Settings, editor: User
) -> None:
    """Older than DATELINE_ITEM_RETENTION_DAYS (by the time they are listed at) they go, with
    their dismissals; a feed that still lists one does not bring it back."""
    now = datetime.now(UTC)
    blog = await make_blog(db, editor)
    source = await add(db, settings, "https://wire.example.org/world.rss", blog=blog.slug)
    aged = [item(n, published_at=now - timedelta(days=40 + n)) for n in (1, 2, 3)]
    fresh = item(4, published_at=now - timedelta(days=2))
    await store_document(db, source, document(fresh, *aged))
    async with db.read() as conn:
        oldest = (await queries.items_of_source(conn, source.id, 10))[-1]
    await service.dismiss(db, blog.slug, oldest.id, editor)

    assert await store.prune(db, now - timedelta(days=30), batch=2) == 3  # two batches
    assert [title for title, _ in await items_of(db, source)] == ["Story 4"]
    async with db.read() as conn:
        assert await conn.scalar(select(func.count()).select_from(item_dismissals)) == 0

    # The feed still lists one of them: it is not stored again (nor its dismissal lost).
    await store.record(db, [await outcome_of(db, source, fresh, aged[0])], now - timedelta(days=30))
    assert [title for title, _ in await items_of(db, source)] == ["Story 4"]


async def outcome_of(db: Database, source: Source, *parsed: ParsedItem) -> store.Outcome:
    claimed = await schedule.claim(db, 1, 60.0, [source.id])
    return store.parsed(claimed[0], datetime.now(UTC), document(*parsed), store.item_binder(db))


async def test_a_retention_of_zero_days_keeps_every_item(db: Database, settings: Settings) -> None:
    source = await add(db, settings, "https://wire.example.org/world.rss")
    await store_document(
        db, source, document(item(1, published_at=datetime(2001, 9, 1, tzinfo=UTC)))
    )
    kept = IngestWorker(db, settings.model_copy(update={"item_retention_days": 0}))
    assert await kept.prune() == 0
    pruned = IngestWorker(db, settings.model_copy(update={"item_retention_days": 30}))
    assert await pruned.prune() == 1
    assert await items_of(db, source) == []


async def test_rows_handed_to_the_driver_are_stored_as_sqlalchemy_stores_them(
    db: Database, settings: Settings
) -> None:
    """The worker binds item rows itself (store.item_rows) and gives them to the driver: the
    database must hold exactly what SQLAlchemy's own insert of the same values holds, or
    dates would sort and compare wrongly (newest first, paging, retention)."""
    source = await add(db, settings, "https://wire.example.org/world.rss")
    image = ItemImage("https://img.example.org/a.jpg", "Crews at the bridge", "Photograph: A/B")
    fields = {
        "text": "The same words.",
        "author": "Desk",
        "summary": "Short.",
        "html": "<p>The same words.</p>",
        "images": (image,),
        "key_event": True,
        "external_id": "",
        "published_at": T0 + timedelta(minutes=1, microseconds=7),
        "updated_at": T0 + timedelta(hours=3),
        "language": "en",
    }
    fetched = datetime.now(UTC)
    (claimed,) = await schedule.claim(db, 1, 60, only=[source.id])
    ours = store.parsed(claimed, fetched, document(item(1, **fields)), store.item_binder(db))
    assert sum((await store.record(db, [ours])).new.values()) == 1  # the worker's way
    theirs = item(2, **fields)  # SQLAlchemy's own, for the same values but the keys
    images = [{"url": image.url, "caption": image.caption, "credit": image.credit}]
    async with db.write() as conn:
        await conn.execute(
            insert(items).values(
                source_id=source.id,
                url=theirs.url,
                canonical_url=theirs.canonical_url,
                external_id=theirs.external_id or None,
                content_hash=theirs.content_hash,
                title=theirs.title,
                **{name: getattr(theirs, name) for name in ("author", "published_at")},
                **{name: getattr(theirs, name) for name in ("updated_at", "summary", "text")},
                **{name: getattr(theirs, name) for name in ("html", "key_event", "pinned")},
                images=images,
                language="en",
                first_seen_at=fetched,
                changed_at=None,
                listed_at=theirs.published_at,
            )
        )
    keys = ("url", "canonical_url", "content_hash", "title")
    same = [name for name in store.item_binder(db).columns if name not in keys]
    async with db.read() as conn:
        query = select(*(cast(items.c[name], Text) for name in same)).order_by(items.c.id)
        stored, expected = (await conn.execute(query)).all()
    assert dict(zip(same, stored, strict=True)) == dict(zip(same, expected, strict=True))
