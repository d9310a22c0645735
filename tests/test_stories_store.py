"""Stories in the database: every stored item placed in exactly one story, across sources
and languages; sightings keep their own links; live blogs are live stories; two updaters
at once never start two stories for one event."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from dateline.accounts.service import User
from dateline.cli import app as cli
from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import item_sightings, items, stories, story_items
from dateline.ingest.models import Source
from dateline.ingest.parsers.items import ParsedItem
from dateline.stories import store
from dateline.stories.assign import Assigner
from dateline.stories.worker import StoriesWorker
from tests.helpers import make_blog
from tests.ingest_factories import T0, add, document, ingest_settings, item, store_document

# Items written for these tests: (title, text, language, hours after T0).
STRIKE = [
    (
        "Berlin transit workers walk out, U-Bahn and buses halted",
        "Commuters in Berlin faced empty platforms on Monday as the Verdi union called transit "
        "workers out for 24 hours in a dispute over pay.",
        "en",
        0,
    ),
    (
        "Warnstreik bei der BVG: U-Bahnen und Busse stehen in Berlin still",
        "Die Gewerkschaft Verdi hat die Beschäftigten der BVG am Montag zu einem 24-stündigen "
        "Warnstreik aufgerufen.",
        "de",
        1,
    ),
    (
        "Verdi strike brings Berlin public transport to a standstill",
        "Buses and underground trains stayed in their depots across Berlin as Verdi's walkout "
        "over wages began early on Monday.",
        "en",
        2,
    ),
]
AIRPORT = [
    (
        "Berlin airport staff strike grounds flights",
        "Ground staff at Berlin's BER airport stopped work on Thursday, cancelling more than "
        "300 departures, the Verdi union said.",
        "en",
        74,
    ),
    (
        "Streik am BER: Hunderte Flüge in Berlin gestrichen",
        "Das Bodenpersonal am Flughafen BER legt am Donnerstag die Arbeit nieder; mehr als 300 "
        "Abflüge fallen aus, teilte Verdi mit.",
        "de",
        75,
    ),
]
QUAKE = [
    (
        "Earthquake of magnitude 6.1 shakes central Italy",
        "A strong earthquake struck near Perugia before dawn on Tuesday; buildings were "
        "damaged in several villages and schools stayed closed.",
        "en",
        30,
    ),
    (
        "Erdbeben der Stärke 6,1 erschüttert Mittelitalien",
        "Ein starkes Erdbeben hat am Dienstag vor Sonnenaufgang die Gegend um Perugia "
        "erschüttert; in mehreren Dörfern wurden Gebäude beschädigt.",
        "de",
        31,
    ),
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


def written(n: int, entry: tuple[str, str, str, float], outlet: str) -> ParsedItem:
    title, text, language, hours = entry
    return item(
        n,
        text=text,
        title=title,
        url=f"https://{outlet}.example/{n}",
        language=language,
        published_at=T0 + timedelta(hours=hours),
    )


async def feed(
    db: Database, settings: Settings, outlet: str, entries: list[ParsedItem], kind: str = "feed"
) -> Source:
    source = await add(db, settings, f"https://{outlet}.example/feed.xml", kind=kind)
    await store_document(db, source, document(*entries, title=outlet, kind=kind))
    return source


async def story_of(db: Database) -> dict[str, int]:
    """Each item's story, by the item's title."""
    async with db.read() as conn:
        query = select(items.c.title, story_items.c.story_id).join(
            story_items, story_items.c.item_id == items.c.id
        )
        return {row.title: row.story_id for row in await conn.execute(query)}


async def publish_all(db: Database, settings: Settings) -> None:
    entries = STRIKE + AIRPORT + QUAKE
    for n, entry in enumerate(entries):
        await feed(db, settings, f"outlet{n}", [written(n, entry, f"outlet{n}")])


async def test_every_item_lands_in_one_story_per_event_across_languages(
    db: Database, settings: Settings
) -> None:
    await publish_all(db, settings)
    assert await Assigner(db).run() == 7
    placed = await story_of(db)
    assert len(placed) == 7
    assert len({placed[title] for title, *_ in STRIKE}) == 1
    assert len({placed[title] for title, *_ in AIRPORT}) == 1
    assert len({placed[title] for title, *_ in QUAKE}) == 1
    assert len(set(placed.values())) == 3
    assert await Assigner(db).run() == 0  # nothing left: it returns


async def test_a_story_counts_its_items_sources_and_times(db: Database, settings: Settings) -> None:
    await publish_all(db, settings)
    await Assigner(db).run()
    placed = await story_of(db)
    async with db.read() as conn:
        row = (
            await conn.execute(select(stories).where(stories.c.id == placed[STRIKE[0][0]]))
        ).one()
    assert (row.items_count, row.sources_count) == (3, 3)
    assert row.title == STRIKE[0][0]  # the first report's headline
    assert row.first_seen_at == T0
    assert row.last_seen_at == T0 + timedelta(hours=2)


async def test_the_second_link_of_an_exact_duplicate_is_kept(
    db: Database, settings: Settings
) -> None:
    first = written(1, QUAKE[0], "wire")
    await feed(db, settings, "wire", [first])
    copy = replace(
        first, url="https://paper.example/quake", canonical_url="https://paper.example/quake"
    )
    paper = await feed(db, settings, "paper", [copy])
    async with db.read() as conn:
        rows = (await conn.execute(select(item_sightings))).all()
    assert [(row.source_id, row.url) for row in rows] == [(paper.id, "https://paper.example/quake")]


async def test_a_wire_copy_is_one_item_seen_by_several_sources(
    db: Database, settings: Settings
) -> None:
    wire = (
        "Rescue teams pulled two more survivors from the rubble of a collapsed apartment "
        "block in the port city overnight, the regional governor said, as the search "
        "continued for at least eleven residents still missing after the blast."
    )
    await feed(db, settings, "wire", [item(1, text=wire, title="Two survivors pulled from rubble")])
    await feed(
        db,
        settings,
        "paper",
        [
            item(
                2,
                text=wire + " More follows.",
                title="Rescuers find survivors after blast",
                url="https://paper.example/2",
            )
        ],
    )
    await Assigner(db).run()
    async with db.read() as conn:
        rows = (await conn.execute(select(story_items).order_by(story_items.c.item_id))).all()
    assert rows[0].story_id == rows[1].story_id
    assert rows[1].duplicate_of == rows[0].item_id


async def test_a_followed_live_blog_is_one_live_story(db: Database, settings: Settings) -> None:
    updates = [
        written(
            n,
            (
                f"Flood update {n}",
                f"Water levels on the Elbe at Dresden, hour {n}: "
                f"{600 + n * 7} cm and rising; sandbag crews at work along the river.",
                "en",
                n * 5,
            ),
            "ticker",
        )
        for n in range(1, 5)
    ]
    updates.append(written(9, STRIKE[0], "ticker"))  # off-topic, still the blog's update
    source = await feed(db, settings, "ticker", updates, kind="liveblog")
    await Assigner(db).run()
    placed = await story_of(db)
    assert len(set(placed.values())) == 1
    async with db.read() as conn:
        row = (await conn.execute(select(stories))).one()
    assert row.live
    assert row.source_id == source.id


async def test_an_archive_imported_later_is_clustered_by_publication_time(
    db: Database, settings: Settings
) -> None:
    await feed(db, settings, "late", [written(n, e, "late") for n, e in enumerate(AIRPORT)])
    assigner = Assigner(db)
    await assigner.run()
    await feed(db, settings, "early", [written(10 + n, e, "early") for n, e in enumerate(STRIKE)])
    await assigner.run()  # the same long-lived assigner, as the worker keeps it
    placed = await story_of(db)
    assert len({placed[title] for title, *_ in STRIKE}) == 1
    assert placed[STRIKE[0][0]] != placed[AIRPORT[0][0]]


async def test_two_updaters_at_once_never_start_two_stories_for_one_event(
    db: Database, settings: Settings
) -> None:
    for n, entry in enumerate(STRIKE * 4):
        title, text, language, hours = entry
        copy = (f"{title} ({n})", f"{text} Report {n}.", language, hours + n * 0.1)
        await feed(db, settings, f"o{n}", [written(n, copy, f"o{n}")])
    workers = [Database(settings.database_url), Database(settings.database_url)]
    try:
        first, second = (Assigner(worker) for worker in workers)
        # Both updaters read the same unplaced items and reach the lock while it is held,
        # so both decide only after it is released: one after the other.
        async with db.write() as conn:
            await store.serialise(conn)
            racing = [asyncio.create_task(a.run_once()) for a in (first, second)]
            await asyncio.sleep(1)
        await asyncio.gather(*racing)
        await asyncio.gather(first.run(), second.run())
    finally:
        for worker in workers:
            await worker.dispose()
    async with db.read() as conn:
        placed = await conn.scalar(select(func.count()).select_from(story_items))
        made = await conn.scalar(select(func.count()).select_from(stories))
    assert placed == 12
    assert made == 1


async def test_datelines_own_live_blog_is_a_live_story_that_outlets_join(
    db: Database, settings: Settings, editor: User
) -> None:
    blog = await make_blog(
        db,
        editor,
        slug="berlin-transit-strike",
        title="Berlin transit strike – live",
        standfirst="Verdi's walkout halts the U-Bahn and buses across Berlin.",
    )
    moment = datetime.now(UTC)
    for n, entry in enumerate([*STRIKE, QUAKE[0]]):
        published = replace(written(n, entry, f"o{n}"), published_at=moment + timedelta(minutes=n))
        await feed(db, settings, f"o{n}", [published])
    await Assigner(db).run()
    async with db.read() as conn:
        row = (await conn.execute(select(stories).where(stories.c.blog_id == blog.id))).one()
    assert row.live
    assert row.title == "Berlin transit strike – live"
    assert row.items_count == 3


async def test_a_copy_is_recognised_after_a_restart(db: Database, settings: Settings) -> None:
    wire = (
        "Rescue teams pulled two more survivors from the rubble of a collapsed apartment "
        "block in the port city overnight, the regional governor said, as the search "
        "continued for at least eleven residents still missing after the blast."
    )
    await feed(db, settings, "wire", [item(1, text=wire, title="Two survivors pulled")])
    await Assigner(db).run()
    rewrite = item(
        2, text=wire + " More follows.", title="Survivors found", url="https://p.example/2"
    )
    await feed(db, settings, "paper", [rewrite])
    await Assigner(db).run()  # a new process: the engine is rebuilt from the database
    async with db.read() as conn:
        copy = (await conn.execute(select(story_items).where(story_items.c.item_id == 2))).one()
    assert copy.duplicate_of == 1


def test_stories_update_places_every_item_and_returns(
    database_url: str, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def publish() -> None:
        database = Database(database_url)
        try:
            await publish_all(database, settings)
        finally:
            await database.dispose()

    asyncio.run(publish())
    monkeypatch.setenv("DATELINE_DATABASE_URL", database_url)
    monkeypatch.setenv("DATELINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LC_ALL", "C")
    result = CliRunner().invoke(cli, ["stories", "update"])
    assert result.exit_code == 0, result.output
    assert "Placed 7 items in stories." in result.output
    again = CliRunner().invoke(cli, ["stories", "update"])
    assert "Placed 0 items in stories." in again.output


async def test_the_stories_worker_places_items_as_they_arrive(
    db: Database, settings: Settings
) -> None:
    worker = StoriesWorker(db, settings, pause=0.05)
    await worker.start()
    try:
        await publish_all(db, settings)
        for _ in range(1200):  # a generous deadline (60 s), for a busy machine
            async with db.read() as conn:
                placed = await conn.scalar(select(func.count()).select_from(story_items))
            if placed == 7:
                break
            await asyncio.sleep(0.05)
    finally:
        await worker.stop()
    assert placed == 7
