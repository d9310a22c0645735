"""The reader's aggregator pages: stories as cards on the front page, a story's page with every
report and its outlet, topic pages, and their feeds — in English and German, without
JavaScript. Items come in through the ingest store and are placed by the real Assigner."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import select

from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import items, story_items
from dateline.ingest.models import Source
from dateline.ingest.parsers.items import ParsedItem
from dateline.stories import editing
from dateline.stories.assign import Assigner
from dateline.stories.categories import TOP_LEVEL
from tests.ingest_factories import T0, add, document, ingest_settings, item, store_document

ATOM = "{http://www.w3.org/2005/Atom}"
CONFLICT = "medtop:16000000"  # IPTC: conflict, war and peace

# Reports written for these tests: (outlet, title, text, language, hours after T0).
DAM = [
    (
        "riverwire",
        "Dam breach floods villages downstream of Lake Orvan",
        "A breach in the Orvan dam sent water through three villages early on Tuesday; "
        "rescue crews evacuated about 400 people, the regional authority said.",
        "en",
        0,
    ),
    (
        "tagesblatt",
        "Dammbruch am Orvan-See: Dörfer überflutet",
        "Nach einem Dammbruch am Orvan-See sind am Dienstag drei Dörfer überflutet worden; "
        "rund 400 Menschen wurden in Sicherheit gebracht, teilte die Regionalbehörde mit.",
        "de",
        1,
    ),
    (
        "coastpost",
        "Orvan dam: hundreds evacuated as floodwater spreads",
        "Floodwater from the breached Orvan dam spread across farmland on Tuesday as rescue "
        "teams moved about 400 residents of three villages to higher ground.",
        "en",
        2,
    ),
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


def report(n: int, outlet: str, title: str, text: str, language: str, hours: float) -> ParsedItem:
    return item(
        n,
        text=text,
        title=title,
        url=f"https://{outlet}.example/news/{n}",
        language=language,
        published_at=T0 + timedelta(hours=hours),
    )


async def publish(db: Database, settings: Settings, outlet: str, *found: ParsedItem) -> Source:
    source = await add(db, settings, f"https://{outlet}.example/feed.xml")
    await store_document(db, source, document(*found, title=outlet.capitalize()))
    return source


async def dam_story(db: Database, settings: Settings) -> int:
    """The three reports in one story; its id."""
    for n, (outlet, *written) in enumerate(DAM):
        await publish(db, settings, outlet, report(n, outlet, *written))  # type: ignore[arg-type]
    await Assigner(db).run()
    async with db.read() as conn:
        placed = (await conn.execute(select(story_items.c.story_id).distinct())).scalars().all()
    assert len(placed) == 1, "the test reports are one event"
    return placed[0]


def parse(answer: httpx.Response) -> HTMLParser:
    assert answer.status_code == 200, answer.text
    return HTMLParser(answer.text)


async def test_the_front_page_shows_a_story_as_a_card_with_its_sources_and_original(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    story_id = await dam_story(db, settings)
    page = parse(await client.get("/"))
    card = page.css_first(".story-card")
    assert card is not None, "no story card on the front page"
    headline = card.css_first("h2 a")
    assert headline.text() == DAM[0][1]  # the first English report speaks for the story
    assert headline.attributes["href"] == f"/stories/{story_id}"
    meta = card.css_first(".meta").text()
    assert "3 sources" in meta
    assert "ago" in meta  # its age, as a reader expects ("1 day ago")
    assert "about 400 people" in card.css_first(".story-card__excerpt").text()
    original = card.css_first(".story-card__more a")
    assert original.text() == "Read entire article"
    assert original.attributes["href"] == "https://riverwire.example/news/0"


async def test_a_german_reader_gets_the_german_headline_and_german_words(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    await dam_story(db, settings)
    page = parse(await client.get("/", headers={"Accept-Language": "de"}))
    card = page.css_first(".story-card")
    assert card.css_first("h2").text() == DAM[1][1]
    assert card.css_first("h2").attributes["lang"] == "de"
    meta = card.css_first(".meta").text()
    assert "3 Quellen" in meta
    assert "vor " in meta
    assert card.css_first(".story-card__more a").text() == "Ganzen Artikel lesen"


async def test_the_story_page_lists_every_report_with_its_outlet_oldest_first(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    story_id = await dam_story(db, settings)
    page = parse(await client.get(f"/stories/{story_id}"))
    assert page.css_first("h1").text() == DAM[0][1]
    reports = page.css(".timeline .report")
    assert [r.css_first("h3").text() for r in reports] == [title for _, title, *_ in DAM]
    assert [r.css_first(".report__outlet").text() for r in reports] == [
        "Riverwire",
        "Tagesblatt",
        "Coastpost",
    ]
    links = [r.css_first(".report__more a").attributes["href"] for r in reports]
    assert links == [f"https://{outlet}.example/news/{n}" for n, (outlet, *_) in enumerate(DAM)]
    assert "3 reports" in page.css_first(".story__header .meta").text()


async def test_an_exact_copy_elsewhere_shows_as_also_carried_by_with_its_own_link(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    first = report(0, "riverwire", *DAM[0][1:])  # type: ignore[arg-type]
    await publish(db, settings, "riverwire", first)
    copy = replace(
        first,
        url="https://mirrorpaper.example/dam",
        canonical_url="https://mirrorpaper.example/dam",
    )
    await publish(db, settings, "mirrorpaper", copy)
    await Assigner(db).run()
    async with db.read() as conn:
        story_id = (await conn.execute(select(story_items.c.story_id))).scalar_one()
    page = parse(await client.get(f"/stories/{story_id}"))
    also = page.css_first(".timeline .report .meta")
    assert also is not None
    assert also.text().startswith("Also carried by")
    assert also.css_first("a").attributes["href"] == "https://mirrorpaper.example/dam"
    assert also.css_first("a").text() == "Mirrorpaper"


async def test_a_topic_page_lists_the_stories_of_its_category_and_has_feeds(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    story_id = await dam_story(db, settings)
    known = {category.code for category in TOP_LEVEL}
    await editing.set_category(db, story_id, CONFLICT, known)
    front = parse(await client.get("/"))
    category = front.css_first(".story-card .category")
    assert category.text() == "Conflict, war and peace"
    assert category.attributes["href"] == f"/topics/{CONFLICT}"
    topic = parse(await client.get(f"/topics/{CONFLICT}"))
    assert topic.css_first("h1").text() == "Conflict, war and peace"
    assert [a.text() for a in topic.css(".story-card h2 a")] == [DAM[0][1]]
    german = parse(await client.get(f"/topics/{CONFLICT}", headers={"Accept-Language": "de"}))
    assert german.css_first("h1").text() != "Conflict, war and peace"  # IPTC's German name
    other = parse(await client.get("/topics/medtop:15000000"))  # sport: nothing yet
    assert other.css(".story-card") == []
    feed = json.loads((await client.get(f"/topics/{CONFLICT}/feed.json")).text)
    assert [entry["title"] for entry in feed["items"]] == [DAM[0][1]]
    assert feed["items"][0]["url"].endswith(f"/stories/{story_id}")


async def test_a_story_feed_carries_its_reports_newest_first_with_their_originals(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    story_id = await dam_story(db, settings)
    answer = await client.get(f"/stories/{story_id}/feed.atom")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(answer.content)  # noqa: S314 (our own feed)
    titles = [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]
    assert titles == [title for _, title, *_ in reversed(DAM)]
    links = [e.find(f"{ATOM}link").attrib["href"] for e in root.iter(f"{ATOM}entry")]  # type: ignore[union-attr]
    assert links[0] == "https://coastpost.example/news/2"
    feed = json.loads((await client.get(f"/stories/{story_id}/feed.json")).text)
    assert feed["items"][0]["authors"] == [{"name": "Coastpost"}]


async def test_stories_that_are_not_there_answer_404_in_plain_words(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    story_id = await dam_story(db, settings)
    for path in (
        "/stories/999999",
        f"/stories/{story_id}?page=2",
        "/stories/999999/feed.atom",
        f"/stories/{story_id}/feed.pdf",
        "/topics/medtop:99999999",
        "/topics/" + "x" * 5000,
    ):
        answer = await client.get(path)
        assert answer.status_code == 404, path
    assert (await client.get("/stories/99999999999999999999999")).status_code == 400
    answer = await client.get("/stories/999999")
    assert "There is no story 999999" in answer.text


async def test_a_source_link_that_is_not_a_web_address_is_never_linked(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    story_id = await dam_story(db, settings)
    async with db.write() as conn:
        await conn.execute(items.update().values(url="javascript:alert(1)"))
    for path in ("/", f"/stories/{story_id}"):
        answer = await client.get(path)
        assert "javascript:" not in answer.text, path


async def test_an_unchanged_story_page_costs_a_304_and_a_new_report_changes_it(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    story_id = await dam_story(db, settings)
    for path in ("/", f"/stories/{story_id}", f"/stories/{story_id}/feed.json"):
        first = await client.get(path)
        etag = first.headers["etag"]
        assert "stale-if-error" in first.headers["cache-control"]
        again = await client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.content == b""
    etag = (await client.get(f"/stories/{story_id}")).headers["etag"]
    later = report(
        9,
        "lakeside",
        "Orvan dam breach: repairs begin",
        "Engineers began sealing the breached Orvan dam on Tuesday evening while the three "
        "flooded villages stayed empty and about 400 evacuees waited in shelters.",
        "en",
        3,
    )
    await publish(db, settings, "lakeside", later)
    await Assigner(db).run()
    changed = await client.get(f"/stories/{story_id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "Orvan dam breach: repairs begin" in changed.text
