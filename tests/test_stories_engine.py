"""The clustering engine on items written for these tests: one story per event, across
languages and copies, and similar events kept apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dateline.stories.engine import ItemIn, StoryEngine

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def item(
    id: int,
    title: str,
    text: str = "",
    *,
    hours: float = 0,
    source: int | None = None,
    language: str = "en",
    url: str = "",
    dated: bool = True,
) -> ItemIn:
    return ItemIn(
        id=id,
        source_id=source if source is not None else id,
        url=url or f"https://outlet{id}.example/story/{id}",
        title=title,
        text=text,
        language=language,
        published_at=T0 + timedelta(hours=hours) if dated else None,
    )


STRIKE_MONDAY = [
    item(
        1,
        "Berlin transit workers walk out, U-Bahn and buses halted",
        "Commuters in Berlin faced empty platforms on Monday as the Verdi union called "
        "transit workers out for 24 hours in a dispute over pay.",
        hours=0,
    ),
    item(
        2,
        "Warnstreik bei der BVG: U-Bahnen und Busse stehen in Berlin still",
        "Die Gewerkschaft Verdi hat die Beschäftigten der BVG am Montag zu einem "
        "24-stündigen Warnstreik aufgerufen.",
        hours=1,
        language="de",
    ),
    item(
        3,
        "Verdi strike brings Berlin public transport to a standstill",
        "Buses and underground trains stayed in their depots across Berlin as Verdi's "
        "walkout over wages began early on Monday.",
        hours=2,
    ),
]
STRIKE_THURSDAY = [
    item(
        4,
        "Berlin airport staff strike grounds flights",
        "Ground staff at Berlin's BER airport stopped work on Thursday, cancelling "
        "more than 300 departures, the Verdi union said.",
        hours=74,
    ),
    item(
        5,
        "Streik am BER: Hunderte Flüge in Berlin gestrichen",
        "Das Bodenpersonal am Flughafen BER legt am Donnerstag die Arbeit nieder; "
        "mehr als 300 Abflüge fallen aus, teilte Verdi mit.",
        hours=75,
        language="de",
    ),
]


def place_all(engine: StoryEngine, items: list[ItemIn]) -> dict[int, int]:
    return {it.id: engine.add(it) for it in items}


@pytest.fixture(scope="module")
def engine_factory():  # the model loads once per module
    return lambda: StoryEngine()


def test_reports_of_one_strike_in_english_and_german_share_a_story(engine_factory) -> None:
    stories = place_all(engine_factory(), STRIKE_MONDAY)
    assert len(set(stories.values())) == 1


def test_a_second_strike_in_the_same_city_days_later_is_another_story(engine_factory) -> None:
    stories = place_all(engine_factory(), STRIKE_MONDAY + STRIKE_THURSDAY)
    assert stories[4] == stories[5]
    assert stories[4] != stories[1]


def test_rate_decisions_of_different_months_stay_apart(engine_factory) -> None:
    march = item(
        10,
        "ECB raises rates by a quarter point to fight inflation",
        "The European Central Bank lifted its deposit rate to 3.25% on Thursday.",
    )
    march_de = item(
        11,
        "EZB erhöht Leitzins um 0,25 Prozentpunkte",
        "Die Europäische Zentralbank hebt den Einlagensatz auf 3,25 Prozent an.",
        hours=1,
        language="de",
    )
    april = item(
        12,
        "ECB raises rates again by a quarter point",
        "The European Central Bank lifted its deposit rate to 3.5% on Thursday.",
        hours=24 * 42,
    )
    stories = place_all(engine_factory(), [march, march_de, april])
    assert stories[10] == stories[11]
    assert stories[12] != stories[10]


def test_an_archive_imported_out_of_order_clusters_by_publication_time(engine_factory) -> None:
    engine = engine_factory()
    late = place_all(engine, STRIKE_THURSDAY)
    early = place_all(engine, STRIKE_MONDAY)
    assert len(set(early.values())) == 1
    assert set(early.values()).isdisjoint(late.values())


def test_a_wire_copy_under_another_headline_is_a_duplicate(engine_factory) -> None:
    engine = engine_factory()
    wire = (
        "Rescue teams pulled two more survivors from the rubble of a collapsed apartment "
        "block in the port city overnight, the regional governor said, as the search "
        "continued for at least eleven residents still missing after the blast."
    )
    first = engine.place(item(20, "Two survivors pulled from rubble", wire))
    copy = engine.place(
        item(
            21,
            "Rescuers find survivors after apartment blast",
            wire + " Updated at 07:10.",
            hours=1,
        )
    )
    assert copy.duplicate_of == 20
    assert copy.story == first.story


def test_tracking_parameters_and_amp_addresses_are_the_same_page(engine_factory) -> None:
    engine = engine_factory()
    engine.add(item(30, "Flood warning for the Elbe", url="https://www.news.example/a/flood"))
    again = engine.place(
        item(
            31,
            "Elbe flood warning issued",
            source=99,
            url="https://m.news.example/a/flood/amp?utm_source=x",
        )
    )
    assert again.duplicate_of == 30


def test_items_without_title_text_or_date_are_still_placed(engine_factory) -> None:
    engine = engine_factory()
    keys = [
        engine.add(item(40, "", "Wildfire forces evacuations near the coast.")),
        engine.add(item(41, "Wildfire forces evacuations near the coast", "")),
        engine.add(item(42, "", "")),
        engine.add(item(43, "Wildfire: evacuations on the coast", dated=False)),
        engine.add(item(44, "Lesbos: Waldbrand", "Ω" * 1_000_000, language="el")),
    ]
    assert keys[0] == keys[1]
    assert len(engine) == 5


def test_the_same_item_twice_is_placed_once(engine_factory) -> None:
    engine = engine_factory()
    assert engine.add(STRIKE_MONDAY[0]) == engine.add(STRIKE_MONDAY[0])
    assert len(engine) == 1


def test_moving_and_renaming_keep_the_engine_consistent(engine_factory) -> None:
    engine = engine_factory()
    stories = place_all(engine, STRIKE_MONDAY + STRIKE_THURSDAY)
    engine.move(1, stories[4])
    assert engine.story_of(1) == stories[4]
    engine.rekey(stories[4], 1000)
    assert engine.story_of(4) == 1000
    assert engine.add(item(6, "Berlin airport strike: more cancellations", hours=76)) == 1000


def test_formulaic_reports_of_different_events_stay_apart(engine_factory) -> None:
    """The same wire template, another town and company: another event. The engine knows
    names from what it read before (here: earlier news from Graz and about Vantor Foods)."""
    engine = engine_factory()
    engine.add(
        item(60, "Graz opera reopens", "The opera house in Graz reopened on Sunday.", hours=-30)
    )
    engine.add(
        item(61, "Vantor Foods profit rises", "Shares of Vantor Foods rose on Friday.", hours=-60)
    )
    template = (
        "A fire broke out at a warehouse run by {org} in {town} on Monday, injuring {n} "
        "people, the fire service said. About {m} firefighters were at the scene."
    )
    kassel = template.format(org="Nordlicht Logistics", town="Kassel", n=12, m=80)
    graz = template.format(org="Vantor Foods", town="Graz", n=7, m=45)
    first = engine.add(item(62, "Kassel: warehouse fire injures 12", kassel))
    again = engine.add(item(63, "Twelve hurt in Kassel warehouse blaze", kassel, hours=1))
    other = engine.add(item(64, "Graz: warehouse fire injures 7", graz, hours=2))
    assert first == again
    assert other != first
