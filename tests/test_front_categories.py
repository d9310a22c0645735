"""A live blog's stated category is its story's category (issue 15: "a blog's or source's
stated category wins"): the front page's blog card links to that category's page, named in
the reader's language, and the category page lists the blog."""

from __future__ import annotations

import httpx
import pytest

from dateline.accounts.service import User
from dateline.config import Settings
from dateline.db import Database
from dateline.stories.assign import Assigner
from tests.helpers import make_blog, parse
from tests.ingest_factories import add, document, ingest_settings, item, store_document

GERMAN = {"Accept-Language": "de"}
WEATHER = "medtop:17000000"  # IPTC: weather


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


async def test_a_blogs_category_on_the_front_page_links_to_its_page_in_the_readers_language(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    await make_blog(db, editor, "storm-idris", title="Storm Idris – live", category="Weather")
    for headers, name in (({}, "Weather"), (GERMAN, "Wetter")):
        card = parse(await client.get("/", headers=headers)).css_first(".blog-card")
        category = card.css_first(".kicker a.category")
        assert category is not None, card.html
        assert category.attributes["href"] == f"/topics/{WEATHER}"
        assert category.text() == name


async def test_a_category_no_topic_has_stays_the_blogs_words_marked_with_its_language(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    await make_blog(db, editor, "count", category="Regional election")
    kicker = parse(await client.get("/", headers=GERMAN)).css_first(".blog-card .kicker")
    assert kicker.css_first("a.category") is None
    words = kicker.css_first(".category")
    assert words.text() == "Regional election"
    assert words.attributes["lang"] == "en"


async def test_the_category_page_lists_a_blog_of_that_category(
    client: httpx.AsyncClient, db: Database, editor: User, settings: Settings
) -> None:
    blog = await make_blog(db, editor, "storm-idris", title="Storm Idris – live", category="Wetter")
    source = await add(db, settings, "https://riverwire.example/feed.xml")
    report = item(1, title="Markets close higher", text="Shares rose on Friday.")
    await store_document(db, source, document(report))
    await Assigner(db, settings).run()  # the stories worker: each blog is a story

    topic = parse(await client.get(f"/topics/{WEATHER}"))
    links = [a.attributes["href"] for a in topic.css(".story-card h2 a")]
    assert links == [f"/live/{blog.slug}"]
    category = topic.css_first(".story-card .kicker a.category")
    assert category.attributes["href"] == f"/topics/{WEATHER}"
