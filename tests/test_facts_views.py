"""The facts pages' views: the daily timeline chart, the map, the sortable table, the same
page for a story, and the links to them from the live blog and the story."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, FloatRect, expect
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node
from sqlalchemy import select

from dateline.accounts.service import User
from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import stories
from dateline.facts import atlas, projection, queries, timeline
from dateline.facts.merge import Merged, Source, StoredFact
from dateline.facts.worker import FactsExtractor
from dateline.liveblog import service
from dateline.liveblog.models import Blog, BlogDraft, UpdateDraft
from dateline.stories.assign import Assigner
from tests.chromium import browser
from tests.helpers import parse
from tests.ingest_factories import ingest_settings, item
from tests.live_server import LiveServer, live_server
from tests.test_stories_store import feed

__all__ = ["browser", "live_server"]

TUESDAY = datetime(2025, 6, 3, 9, 0, tzinfo=UTC)  # "on Monday" is 2 June 2025
THURSDAY = TUESDAY + timedelta(days=2)  # "on Wednesday" is 4 June
UPDATES = [
    (TUESDAY, "Russian shelling killed two people in Kharkiv on Monday."),
    (TUESDAY, "An explosion killed five people in Dnipro on Monday."),
    (THURSDAY, "A drone attack injured seven people in Odesa on Wednesday."),
]
GERMAN = [
    (TUESDAY, "Bei russischem Beschuss wurden am Montag in Charkiw zwei Menschen getötet."),
    (THURSDAY, "Bei einem Drohnenangriff wurden am Mittwoch in Odessa sieben Menschen verletzt."),
]
PLACES = {"Kharkiv": (36.25, 49.98), "Dnipro": (35.04, 48.46), "Odesa": (30.73, 46.48)}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


async def fill(
    db: Database, blog: Blog, editor: User, updates: list[tuple[datetime, str]] = UPDATES
) -> None:
    for published, body in updates:
        await service.post_update(
            db, blog.slug, UpdateDraft(body=body), editor, published_at=published
        )
    await FactsExtractor(db, clock=lambda: THURSDAY).run()


def days(page: HTMLParser) -> dict[str, dict[str, int]]:
    """Each day of the chart: its incidents and the count of each of its bars."""
    found = {}
    for group in page.css("#timeline .facts-chart__day"):
        counts = {"incidents": int(group.attributes["data-incidents"] or 0)}
        for bar in group.css("rect"):
            kind = (bar.attributes["class"] or "").removeprefix("facts-chart__")
            counts[kind] = int(bar.attributes["data-count"] or 0)
        found[group.attributes["data-day"] or ""] = counts
    return found


def circles(page: HTMLParser) -> dict[str, Node]:
    return {
        group.attributes["data-place"] or "": group.css_first("circle")
        for group in page.css("#map .facts-map__place")
    }


def number(node: Node, name: str) -> float:
    return float(node.attributes[name] or "nan")


async def test_the_chart_has_a_killed_and_an_injured_bar_for_each_day(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await fill(db, blog, editor)
    page = parse(await client.get(f"/live/{blog.slug}/facts"))
    assert days(page) == {
        "2025-06-02": {"incidents": 2, "killed": 7},
        "2025-06-03": {"incidents": 0},  # a quiet day stays on the time line
        "2025-06-04": {"incidents": 1, "injured": 7},
    }
    monday = page.css_first('#timeline [data-day="2025-06-02"]')
    assert "7 killed" in monday.css_first("title").text()
    assert "2 incidents" in monday.css_first("title").text()
    bars = page.css("#timeline rect")
    assert number(bars[0], "height") == pytest.approx(number(bars[1], "height"))  # 7 and 7
    svg = page.css_first("#timeline svg")
    assert svg.attributes["role"] == "img"
    assert "7 killed" in svg.css_first("desc").text()
    assert "7 injured" in svg.css_first("desc").text()


def stored(
    fact_id: int, day: date, killed: int, place: str | None, aggregate: bool = False
) -> Merged:
    fact: dict[str, Any] = {"kind": "shelling", "killed": killed, "injured": None,
                            "aggregate": aggregate, "place": place and {"name": place}}  # fmt: skip
    source = Source("update", fact_id, None, "blog", "", "", "", None)
    return Merged((StoredFact(fact_id, "incident", "suggested", fact, day, None, source),))


def test_a_total_is_never_added_to_its_parts() -> None:
    monday, tuesday = date(2025, 6, 2), date(2025, 6, 3)
    chart = timeline.draw(
        [
            stored(1, monday, 5, "Donetsk Oblast", aggregate=True),  # at least five …
            stored(2, monday, 1, "Kramatorsk"),  # … one in Kramatorsk
            stored(3, monday, 2, "Illinivka"),  # … two in Illinivka
            stored(4, tuesday, 1, "Kramatorsk"),
            stored(5, tuesday, 2, "Sloviansk"),
            stored(6, tuesday, 2, None, aggregate=True),  # a total smaller than its parts
        ]
    )
    assert chart is not None
    counted = {day.day: (day.incidents, day.killed.count) for day in chart.days}
    assert counted == {monday: (2, 5), tuesday: (2, 3)}


async def test_the_map_puts_a_circle_where_each_place_lies_sized_by_casualties(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await fill(db, blog, editor)
    page = parse(await client.get(f"/live/{blog.slug}/facts"))
    found = circles(page)
    assert set(found) == set(PLACES)
    x = {name: number(circle, "cx") for name, circle in found.items()}
    y = {name: number(circle, "cy") for name, circle in found.items()}
    assert x["Odesa"] < x["Dnipro"] < x["Kharkiv"]  # west to east
    assert y["Kharkiv"] < y["Dnipro"] < y["Odesa"]  # north to south
    # Equirectangular: a degree of longitude is cos(latitude) of a degree of latitude.
    (west, south), (east, north) = PLACES["Odesa"], PLACES["Kharkiv"]
    shrink = math.cos(math.radians((south + north) / 2))
    expected = (east - west) * shrink / (north - south)
    ratio = (x["Kharkiv"] - x["Odesa"]) / (y["Odesa"] - y["Kharkiv"])
    assert ratio == pytest.approx(expected, rel=0.1)
    radius = {name: number(circle, "r") for name, circle in found.items()}
    assert radius["Odesa"] / radius["Kharkiv"] == pytest.approx(math.sqrt(7 / 2), rel=0.01)
    assert radius["Dnipro"] / radius["Kharkiv"] == pytest.approx(math.sqrt(5 / 2), rel=0.01)
    kharkiv = page.css_first('#map [data-place="Kharkiv"] title').text()
    assert kharkiv == "Kharkiv: 2 killed, 0 injured (1 incident)"
    assert len(page.css("#map .facts-map__land path")) >= 2  # Ukraine and its neighbours
    assert "Natural Earth" in page.css_first("#map figcaption").text()


async def test_a_german_blogs_chart_and_map_speak_german(
    db: Database, editor: User, client: httpx.AsyncClient
) -> None:
    draft = BlogDraft(title="Krieg in der Ukraine", slug="ukraine-de", language="de")
    blog = await service.create_blog(db, draft, editor)
    await fill(db, blog, editor, GERMAN)
    page = parse(await client.get(f"/live/{blog.slug}/facts"))
    assert page.css_first("#timeline svg title").text() == "Getötete und Verletzte pro Tag"
    labels = [text.text() for text in page.css("#timeline .facts-chart__label")]
    assert labels[0] == "2. Juni"
    monday = page.css_first('#timeline [data-day="2025-06-02"] title').text()
    assert monday.startswith("Mo., 2. Juni 2025: 1 Vorfall, 2 Getötete, 0 Verletzte")
    assert page.css_first("#map svg title").text() == "Wo Menschen getötet oder verletzt wurden"
    charkiw = page.css_first('#map [data-place="Charkiw"] title').text()
    assert charkiw == "Charkiw: 2 Getötete, 0 Verletzte (1 Vorfall)"


async def test_column_headings_sort_the_table_and_turn_the_order(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await fill(db, blog, editor)
    page = parse(await client.get(f"/live/{blog.slug}/facts"))

    def heading(page: HTMLParser, name: str) -> Node:
        return next(th for th in page.css("#incidents thead th") if th.text().strip() == name)

    def places(page: HTMLParser) -> list[str]:
        return [row.css("td")[2].text().strip() for row in page.css("#incidents tbody tr")]

    assert heading(page, "Date").attributes["aria-sort"] == "descending"
    link = heading(page, "Killed").css_first("a").attributes["href"] or ""
    most = parse(await client.get(link))
    assert places(most) == ["Dnipro", "Kharkiv", "Odesa"]  # Odesa: nobody killed, last
    assert heading(most, "Killed").attributes["aria-sort"] == "descending"
    turned = heading(most, "Killed").css_first("a").attributes["href"] or ""
    fewest = parse(await client.get(turned))
    assert places(fewest) == ["Kharkiv", "Dnipro", "Odesa"]  # unknown counts stay last
    assert heading(fewest, "Killed").attributes["aria-sort"] == "ascending"
    odd = await client.get(f"/live/{blog.slug}/facts?sort=killed&order=sideways")
    assert places(parse(odd)) == ["Dnipro", "Kharkiv", "Odesa"]


async def test_the_live_page_links_to_its_facts_only_when_there_are_some(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await fill(db, blog, editor, [(TUESDAY, "The minister visited the front.")])
    page = parse(await client.get(f"/live/{blog.slug}"))
    assert page.css_first(".facts-link") is None
    await fill(db, blog, editor, UPDATES[:1])
    page = parse(await client.get(f"/live/{blog.slug}"))
    link = page.css_first(".facts-link a")
    assert link.attributes["href"] == f"/live/{blog.slug}/facts"


async def test_the_link_appears_on_a_live_page_read_before_its_facts_were_found(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    # A cookie takes the reads to the app itself, whose kept pages and ETags this is about
    # (the memory copies in front of it live at most their ttl: web/fast_path.py).
    client.cookies.set("seen", "1")
    await service.post_update(db, blog.slug, UpdateDraft(body=UPDATES[0][1]), editor)
    before = await client.get(f"/live/{blog.slug}")  # kept by the page cache, with its ETag
    assert parse(before).css_first(".facts-link") is None
    await FactsExtractor(db, clock=lambda: THURSDAY).run()  # no new event in the blog's log
    asked = {"If-None-Match": before.headers["etag"]}
    after = await client.get(f"/live/{blog.slug}", headers=asked)
    assert after.status_code == 200
    assert parse(after).css_first(".facts-link a") is not None


async def test_a_blog_whose_only_fact_was_rejected_has_no_facts_link(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await fill(db, blog, editor, UPDATES[:1])
    async with db.read() as conn:
        (fact,) = await queries.of_blog(conn, blog.id)
    await queries.review(db, fact.id, "rejected", None, editor.id, THURSDAY)
    await service.post_update(db, blog.slug, UpdateDraft(body="Quiet night."), editor)
    page = parse(await client.get(f"/live/{blog.slug}"))
    assert page.css_first(".facts-link") is None


async def test_a_story_has_its_own_facts_page_linked_from_the_story(
    db: Database, settings: Settings, client: httpx.AsyncClient
) -> None:
    texts = [
        ("Shelling kills two in Kharkiv", UPDATES[0][1]),
        ("Kharkiv shelled", "Russian shelling killed at least four people in Kharkiv on Monday."),
        ("Markets", "Stock markets in Frankfurt closed higher on Monday."),
    ]
    for n, (title, text) in enumerate(texts):
        entry = item(n, text=text, title=title, language="en", published_at=TUESDAY)
        await feed(db, settings, f"outlet{n}", [entry])
    await Assigner(db).run()
    await FactsExtractor(db, clock=lambda: THURSDAY).run()
    async with db.read() as conn:
        rows = (await conn.execute(select(stories.c.id, stories.c.title))).all()
    with_facts = [row.id for row in rows if row.title != "Markets"]
    without = [row.id for row in rows if row.title == "Markets"]
    assert with_facts
    assert without
    story = parse(await client.get(f"/stories/{with_facts[0]}"))
    href = story.css_first(".facts-link a").attributes["href"] or ""
    assert href == f"/stories/{with_facts[0]}/facts"
    page = parse(await client.get(href))
    assert page.css_first("h1").text() == "Facts from this story"
    assert set(circles(page)) == {"Kharkiv"}
    assert days(page)["2025-06-02"]["killed"] == 2  # two outlets, one incident, least count
    downloads = {a.text(): a.attributes["href"] or "" for a in page.css(".facts__downloads a")}
    csv = await client.get(downloads["CSV"])
    assert csv.headers["content-type"].startswith("text/csv")
    assert "Kharkiv" in csv.text
    data = (await client.get(downloads["JSON"])).json()
    assert data["story"] == with_facts[0]
    assert [entry["fact"]["place"]["name"] for entry in data["facts"]] == ["Kharkiv"]
    quiet = parse(await client.get(f"/stories/{without[0]}"))
    assert quiet.css_first(".facts-link") is None


async def test_unknown_stories_have_no_facts_page(client: httpx.AsyncClient) -> None:
    for path in (
        "/stories/999999/facts",
        "/stories/999999/facts.csv",
        "/stories/999999/facts.json",
    ):
        assert (await client.get(path)).status_code == 404
    malformed = await client.get("/stories/zero/facts")  # as every page with an id in its path
    assert malformed.status_code == 400
    assert "text/html" in malformed.headers["content-type"]


async def test_a_blog_without_incidents_shows_no_chart_or_map(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await fill(
        db, blog, editor, [(TUESDAY, "The delegations agreed to swap 1,000 prisoners of war.")]
    )
    page = parse(await client.get(f"/live/{blog.slug}/facts"))
    assert page.css_first("#timeline") is None
    assert page.css_first("#map") is None
    assert len(page.css("#agreements tbody tr")) == 1


MISSING = "The borders are not installed on this server, so the map shows the places only."


@pytest.fixture(params=[None, b"<html>Not Found</html>", b'{"objects": {}}'])
def broken_atlas(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[None]:
    """No atlas where the app looks for it, a failed download, or a file of another shape."""
    path = tmp_path / "world-50m.json"
    if request.param is not None:
        path.write_bytes(request.param)
    monkeypatch.setattr(atlas, "ATLAS_FILE", path)
    atlas.countries.cache_clear()
    projection.borders.cache_clear()
    yield
    atlas.countries.cache_clear()  # the next test reads the installed atlas again
    projection.borders.cache_clear()


@pytest.mark.usefixtures("broken_atlas")
async def test_without_the_atlas_the_map_shows_the_places_and_says_why(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await fill(db, blog, editor)
    answer = await client.get(f"/live/{blog.slug}/facts")
    assert answer.status_code == 200
    page = parse(answer)
    assert set(circles(page)) == set(PLACES)
    assert page.css("#map .facts-map__land path") == []
    assert page.css_first("#map .facts-map__missing").text() == MISSING


def within(inner: FloatRect | None, outer: FloatRect | None) -> bool:
    """Is a drawn box (not empty) inside another one?"""
    return (
        inner is not None
        and outer is not None
        and inner["width"] > 0
        and inner["height"] > 0
        and outer["x"] <= inner["x"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
        and outer["y"] <= inner["y"]
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"]
    )


@pytest.mark.browser
def test_chromium_draws_a_blogs_map_with_its_circles_and_borders(
    browser: Browser, live_server: LiveServer
) -> None:
    headers = {"Authorization": f"Bearer {live_server.create_api_token()}"}
    with httpx.Client(base_url=live_server.base_url, headers=headers) as api:
        made = api.post("/api/v1/blogs", json={"slug": "facts-map", "title": "War in Ukraine"})
        assert made.status_code == 201
        for _, body in UPDATES:
            posted = api.post("/api/v1/blogs/facts-map/updates", json={"body": body})
            assert posted.status_code == 201
    live_server.cli("facts", "update")
    context = browser.new_context(base_url=live_server.base_url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/live/facts-map/facts")
    svg = page.locator("#map svg")
    expect(svg.locator(".facts-map__place circle")).to_have_count(len(PLACES))
    frame = svg.bounding_box()
    assert frame is not None
    assert frame["width"] > 300
    for circle in svg.locator(".facts-map__place circle").all():
        assert within(circle.bounding_box(), frame)
    land = svg.locator(".facts-map__land path")
    assert land.count() >= 2  # Ukraine and its neighbours
    assert within(land.first.bounding_box(), page.locator("body").bounding_box())
    context.close()
