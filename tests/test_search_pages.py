"""The search page: a box in every page's header, results without JavaScript, in English and
German; an editor's search also finds drafts and the inbox."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, expect

from dateline.accounts.service import User
from dateline.config import Settings
from dateline.db import Database
from dateline.liveblog import drafts, team
from dateline.liveblog.models import Blog, UpdateDraft
from tests.chromium import browser
from tests.helpers import log_in, make_blog, make_user, parse, post
from tests.ingest_factories import add, document, ingest_settings, item, store_document
from tests.live_server import LiveServer, live_server

__all__ = ["browser", "live_server"]
GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}
POLL_MS = 30_000  # patience for a busy machine; the page asks 250 ms after a keystroke


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


async def test_every_page_has_a_search_box_that_works_without_javascript(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    update = await post(db, blog, editor, "Rescue crews reached Sallowmere.", headline="Rescue")
    front = parse(await client.get("/"))
    form = front.css_first("header form[role=search]")
    assert form is not None
    assert form.attributes["action"] == "/search"
    page = await client.get("/search", params={"q": "Sallowmere"})
    assert page.status_code == 200
    (result,) = parse(page).css(".search-result")
    link = result.css_first("h2 a")
    assert link is not None
    assert link.attributes["href"] == f"/live/{blog.slug}/updates/{update.id}"
    assert link.text() == "Rescue"
    assert [mark.text() for mark in result.css(".search-snippet mark")] == ["Sallowmere"]
    assert result.css_first(".kicker").text().strip() == "Update"
    assert result.css_first("time") is not None
    box = parse(page).css_first("main input[name=q]")
    assert box is not None
    assert box.attributes["value"] == "Sallowmere"


async def test_a_result_for_an_older_update_opens_the_page_that_holds_it(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    oldest = await post(db, blog, editor, "Rescue crews reached Sallowmere.", headline="Rescue")
    for n in range(22):  # newer updates push the first one to page 2
        await post(db, blog, editor, f"Water levels, reading {n}.")
    page = parse(await client.get("/search", params={"q": "Sallowmere"}))
    href = page.css_first(".search-result h2 a").attributes["href"]
    assert href is not None
    opened = await client.get(href, follow_redirects=True)
    assert opened.url.params["page"] == "2"
    assert opened.url.fragment == f"update-{oldest.id}"
    assert parse(opened).css_first(f"#update-{oldest.id}") is not None


async def test_a_result_shows_an_updates_time_in_its_blogs_zone_as_the_live_page_does(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    blog = await make_blog(db, editor, "elbe-hochwasser", time_zone="Europe/Berlin")
    update = await post(db, blog, editor, "Der Pegel in Pirna steigt weiter.")
    live = parse(await client.get(f"/live/{blog.slug}", headers=GERMAN))
    clock = live.css_first(f"#update-{update.id} .update__time time").text()
    found = parse(await client.get("/search", params={"q": "Pirna"}, headers=GERMAN))
    shown = found.css_first(".search-result time").text()
    summer = bool(update.published_at.astimezone(ZoneInfo("Europe/Berlin")).dst())
    assert shown.endswith(f"{clock} {'MESZ' if summer else 'MEZ'}"), shown


async def test_the_page_speaks_german(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    await post(db, blog, editor, "Rescue crews reached Sallowmere.", headline="Rescue")
    page = parse(await client.get("/search", params={"q": "Sallowmere"}, headers=GERMAN))
    assert page.css_first("h1").text() == "Suche"
    assert page.css_first(".search-result .kicker").text().strip() == "Eintrag"
    nothing = parse(await client.get("/search", params={"q": "Atlantis"}, headers=GERMAN))
    assert "Nichts gefunden" in nothing.css_first("main").text()


async def test_an_empty_query_gets_a_helpful_page(client: httpx.AsyncClient) -> None:
    page = await client.get("/search", params={"q": ""})
    assert page.status_code == 200
    assert "Type what you are looking for" in parse(page).css_first("main").text()


async def test_a_too_long_query_keeps_what_was_typed_and_says_why(
    client: httpx.AsyncClient,
) -> None:
    typed = "flood " * 120
    page = await client.get("/search", params={"q": typed})
    assert page.status_code == 422
    html = parse(page)
    assert "at most 500 characters" in html.css_first(".form-error").text()
    assert html.css_first("main input[name=q]").attributes["value"] == typed


@pytest.mark.parametrize("typed", ['"', "*", "NEAR(", "'; DROP TABLE blogs; --", "\x01"])
async def test_odd_input_is_read_as_words(client: httpx.AsyncClient, typed: str) -> None:
    page = await client.get("/search", params={"q": typed})
    assert page.status_code == 200


async def test_an_editors_search_includes_drafts_and_the_inbox(
    client: httpx.AsyncClient, db: Database, settings: Settings, blog: Blog, editor: User
) -> None:
    contributor = await make_user(db, "contributor", "ines@example.org")
    async with db.write() as conn:
        await team.join(conn, blog.id, contributor.id, editor.id)
    draft = UpdateDraft("Rumours of flooding in Ashford.", "Rumours")
    await drafts.save_draft(db, blog.slug, draft, contributor)
    source = await add(db, settings, "https://wire.example.org/feed.rss", blog=blog.slug)
    await store_document(db, source, document(item(1, "Ashford bypass closed by flooding.")))
    anonymous = parse(await client.get("/search", params={"q": "Ashford"}))
    assert anonymous.css(".search-result") == []
    await log_in(client, editor.email)
    page = parse(await client.get("/search", params={"q": "Ashford"}))
    kinds = sorted(r.css_first(".kicker").text().strip() for r in page.css(".search-result"))
    assert kinds == ["Draft", "Followed item"]


@pytest.mark.browser
def test_results_appear_as_you_type(browser: Browser, live_server: LiveServer) -> None:
    headers = {"Authorization": f"Bearer {live_server.create_api_token()}"}
    with httpx.Client(base_url=live_server.base_url, headers=headers) as api:
        made = api.post("/api/v1/blogs", json={"slug": "search-live", "title": "Search test"})
        assert made.status_code == 201
        body = {"body": "Ferry crews reached Quellmoor at dawn.", "headline": "Ferry"}
        posted = api.post("/api/v1/blogs/search-live/updates", json=body)
        assert posted.status_code == 201
    context = browser.new_context(base_url=live_server.base_url)
    page = context.new_page()
    page.goto("/search")
    page.fill("#search-q", "quellm*")  # typed, never submitted
    expect(page.locator(".search-result h2 a")).to_have_text("Ferry", timeout=POLL_MS)
    expect(page.locator(".search-snippet mark")).to_have_text("Quellmoor")
    assert "q=quellm" in page.url
    context.close()
