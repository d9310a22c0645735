"""A story that turns out to be two events splits by itself: a harbour fire on Monday and a
car crashing into a bakery on Thursday, in one town, clustered together by the town's name,
become two stories when the worker next grows the story. One event's follow-ups days later,
and two events of one kind in one place, stay together; so does any story an editor decided
on. Reports written for these tests, in English and German, embedded by the real model."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import items, story_items, utcnow
from dateline.stories import editing, store
from dateline.stories.assign import Assigner
from dateline.stories.embed import embed
from dateline.stories.splitting import Report, later_event
from tests.ingest_factories import T0, add, document, ingest_settings, item, store_document

# (outlet, title, text, hours after T0)
FIRE = [
    (
        "harbourwire",
        "Fire destroys warehouse in Kessel Point harbour",
        "A fire destroyed a timber warehouse in Kessel Point harbour on Monday night; "
        "firefighters from three towns fought the blaze until dawn and nobody was hurt.",
        0,
    ),
    (
        "islandnews",
        "Kessel Point: harbour warehouse burns down",
        "Flames tore through a wooden warehouse at the Kessel Point docks overnight into "
        "Tuesday, the fire service said; no one was injured.",
        2,
    ),
    (
        "kuestenblatt",
        "Lagerhalle im Hafen von Kessel Point abgebrannt",
        "In der Nacht zum Dienstag ist eine Holzlagerhalle im Hafen von Kessel Point "
        "niedergebrannt; verletzt wurde niemand, teilte die Feuerwehr mit.",
        3,
    ),
    (
        "coastpost",
        "Cause of Kessel Point warehouse fire still unclear",
        "Investigators were still looking for the cause of the blaze that destroyed a harbour "
        "warehouse in Kessel Point, police said on Tuesday afternoon.",
        14,
    ),
]
CRASH = [
    (
        "towncrier",
        "Two injured as car crashes into Kessel Point bakery",
        "A car drove into the front of a bakery on Kessel Point's high street on Thursday "
        "morning, injuring two customers, police said.",
        72,
    ),
    (
        "islandnews",
        "Kessel Point: driver hits bakery, two hurt",
        "Two people were taken to hospital after a car ploughed into a bakery in central "
        "Kessel Point on Thursday; the driver was unhurt.",
        73,
    ),
    (
        "kuestenblatt",
        "Auto kracht in Bäckerei in Kessel Point",
        "In Kessel Point ist am Donnerstagmorgen ein Auto in eine Bäckerei gefahren; zwei "
        "Kunden wurden verletzt, teilte die Polizei mit.",
        74,
    ),
]
REOPENED = (
    "towncrier",
    "Kessel Point bakery reopens after car crash",
    "The bakery on Kessel Point's high street that a car drove into on Thursday reopened on "
    "Friday morning with its front boarded up, its owner said.",
    90,
)
SECOND_FIRE = [
    (
        "harbourwire",
        "Second fire in a week hits Kessel Point harbour",
        "Firefighters were called to Kessel Point harbour again on Friday when a fishing shed "
        "caught fire, days after a warehouse burned down nearby.",
        96,
    ),
    (
        "coastpost",
        "Kessel Point harbour: fishing shed burns",
        "A fishing shed at the harbour of Kessel Point burned on Friday evening; crews kept "
        "the flames from spreading to boats.",
        97,
    ),
]
FOLLOW_UPS = [
    (
        "coastpost",
        "Kessel Point warehouse fire was arson, police say",
        "Police said on Thursday that the fire which destroyed a harbour warehouse in Kessel "
        "Point on Monday night had been started deliberately.",
        70,
    ),
    (
        "harbourwire",
        "Arson suspected in Kessel Point harbour warehouse blaze",
        "The blaze that burned down a timber warehouse in Kessel Point harbour was set on "
        "purpose, investigators said on Thursday; nobody has been arrested.",
        71,
    ),
]


def reports(*written: list[tuple[str, str, str, int]]) -> list[Report]:
    """The reports as splitting sees them, numbered in order from 1."""
    rows = [row for group in written for row in group]
    vectors = embed([f"{title}. {text}" for _, title, text, _ in rows])
    return [
        Report(n, T0 + timedelta(hours=hours), vector)
        for n, ((_, _, _, hours), vector) in enumerate(zip(rows, vectors, strict=True), 1)
    ]


def test_two_events_days_apart_in_one_town_are_told_apart() -> None:
    assert later_event(reports(FIRE, CRASH)) == {5, 6, 7}


def test_copies_go_with_their_original() -> None:
    found = reports(FIRE, CRASH)
    copy = Report(99, found[5].at, found[5].vector, copy_of=found[5].id)
    assert later_event([*found, copy]) == {5, 6, 7, 99}


def test_one_events_follow_ups_days_later_stay_with_it() -> None:
    assert later_event(reports(FIRE, FOLLOW_UPS)) is None


def test_two_fires_in_one_harbour_are_left_to_an_editor() -> None:
    """As alike as two reports of one fire: splitting them could as well scatter one."""
    assert later_event(reports(FIRE, SECOND_FIRE)) is None


def test_a_lone_report_days_later_is_not_split_off() -> None:
    assert later_event(reports(FIRE, CRASH[:1])) is None


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


async def publish(db: Database, settings: Settings, start: int, *written: tuple) -> None:
    for n, (outlet, title, text, hours) in enumerate(written, start):
        source = await add(db, settings, f"https://{outlet}.example/feed-{n}.xml")
        found = item(
            n,
            text=text,
            title=title,
            url=f"https://{outlet}.example/{n}",
            published_at=T0 + timedelta(hours=hours),
        )
        await store_document(db, source, document(found, title=outlet))


async def placed(db: Database) -> dict[str, int]:
    """Each title's story."""
    async with db.read() as conn:
        query = select(items.c.title, story_items.c.story_id).join(
            story_items, story_items.c.item_id == items.c.id
        )
        return {row.title: row.story_id for row in await conn.execute(query)}


async def one_story_of_two_events(db: Database, settings: Settings) -> int:
    """The fire and the first two crash reports in one story, as a pass of the engine
    could have made it, each report joining the story it fitted best (no editor's decision,
    no merge); its id."""
    await publish(db, settings, 0, *FIRE, *CRASH[:2])
    await Assigner(db, settings).run()
    found = await placed(db)
    fire = found[FIRE[0][1]]
    async with db.write() as conn:
        others = [title for title, story in found.items() if story != fire]
        query = select(items.c.id).where(items.c.title.in_(others))
        moving = list((await conn.scalars(query)).all())
        await store.move(conn, moving, fire, by_editor=False)
        await store.refresh(conn, {fire, *found.values()})
    assert set((await placed(db)).values()) == {fire}
    return fire


async def test_the_worker_splits_a_story_that_grew_into_two_events(
    db: Database, settings: Settings
) -> None:
    fire = await one_story_of_two_events(db, settings)
    await publish(db, settings, 10, CRASH[2])
    worker = Assigner(db, settings)
    await worker.run()
    found = await placed(db)
    assert {found[title] for _, title, _, _ in FIRE} == {fire}  # the first event keeps its id
    crash = {found[title] for _, title, _, _ in CRASH}
    assert len(crash) == 1
    assert crash != {fire}
    await publish(db, settings, 11, REOPENED)  # the same worker knows the split
    await worker.run()
    assert {(await placed(db))[REOPENED[1]]} == crash


async def test_a_story_an_editor_decided_on_never_splits_by_itself(
    db: Database, settings: Settings
) -> None:
    fire = await one_story_of_two_events(db, settings)
    await editing.retitle(db, fire, "Kessel Point: a week of incidents")
    await publish(db, settings, 10, CRASH[2])
    await Assigner(db, settings).run()
    found = await placed(db)
    assert {found[title] for _, title, _, _ in FIRE + CRASH[:2]} == {fire}


async def test_a_story_that_coverage_bridged_never_splits_by_itself(
    db: Database, settings: Settings
) -> None:
    """Another story was merged into it: splitting would undo the merge, back and forth."""
    fire = await one_story_of_two_events(db, settings)
    async with db.write() as conn:
        merged_away = await store.new_story(conn, utcnow())
        await store.merged(conn, merged_away, fire)
        await store.refresh(conn, [merged_away])
    await publish(db, settings, 10, CRASH[2])
    await Assigner(db, settings).run()
    found = await placed(db)
    assert {found[title] for _, title, _, _ in FIRE + CRASH[:2]} == {fire}


@pytest.mark.parametrize("decision", ["split", "move"])
async def test_what_an_editor_left_in_a_story_never_splits_by_itself(
    db: Database, settings: Settings, decision: str
) -> None:
    """The editor took one fire report out (a split, or a move to another story): what stays
    is their decision too, however the story grows."""
    fire = await one_story_of_two_events(db, settings)
    async with db.read() as conn:
        query = select(items.c.id).where(items.c.title == FIRE[3][1])
        taken = (await conn.scalars(query)).one()
    if decision == "split":
        apart = await editing.split(db, fire, [taken], None)
    else:
        async with db.write() as conn:
            apart = await store.new_story(conn, utcnow())
        await editing.move_item(db, taken, apart, None)
    await publish(db, settings, 10, CRASH[2])
    await Assigner(db, settings).run()
    found = await placed(db)
    assert {found[title] for _, title, _, _ in FIRE[:3] + CRASH[:2]} == {fire}
    assert found[FIRE[3][1]] == apart
