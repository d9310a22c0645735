"""Editor pages for sources and the per-blog inbox, as an editor uses them: state in plain
words, add/discover/import/export, new items newest first, Dismiss, and "Add to live blog"
opening the blog's own update form prefilled (nothing is published without the editor)."""

from __future__ import annotations

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from dateline.config import Settings
from dateline.db import Database
from dateline.ingest import queries
from dateline.ingest.worker import IngestWorker
from dateline.liveblog import queries as blog_queries
from dateline.liveblog.models import Blog
from tests.helpers import csrf_from, parse
from tests.ingest_factories import (
    add,
    document,
    ingest_settings,
    item,
    rss,
    store_document,
    store_failure,
)
from tests.ingest_server import IngestServer, ingest_server

__all__ = ["ingest_server"]  # the fixture


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


async def token(http: httpx.AsyncClient, url: str) -> str:
    return csrf_from(await http.get(url))


def inbox_titles(answer: httpx.Response) -> list[str]:
    return [node.text(strip=True) for node in parse(answer).css(".inbox__title")]


async def test_pages_need_a_login(client: httpx.AsyncClient, blog: Blog) -> None:
    for url in ("/admin/sources", f"/admin/live/{blog.slug}/inbox", "/admin/sources/import"):
        answer = await client.get(url)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/login")


async def test_inbox_shows_items_of_the_blogs_sources_newest_first(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings, blog: Blog
) -> None:
    wire = await add(db, settings, "https://wire.example.org/world.rss", blog=blog.slug)
    other = await add(db, settings, "https://elsewhere.example.net/feed")
    await store_document(db, wire, document(item(1), item(3), item(2), title="Northwind Wire"))
    await store_document(db, other, document(item(7, text="Not for this blog."), title="Else"))
    page = await editor_client.get(f"/admin/live/{blog.slug}/inbox")
    assert page.status_code == 200
    assert inbox_titles(page) == ["Story 3", "Story 2", "Story 1"]
    first = parse(page).css_first(".inbox__item")
    assert first.css_first(".inbox__source").text() == "Northwind Wire"
    assert first.css_first(".inbox__summary").text() == "Words of story 3."
    blog_page = await editor_client.get(f"/admin/live/{blog.slug}")
    assert parse(blog_page).css_first(f'a[href="/admin/live/{blog.slug}/inbox"]') is not None


async def test_dismiss_removes_an_item_from_the_inbox(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings, blog: Blog
) -> None:
    wire = await add(db, settings, "https://wire.example.org/world.rss", blog=blog.slug)
    await store_document(db, wire, document(item(1), item(2)))
    async with db.read() as conn:
        newest = (await queries.items_of_source(conn, wire.id, 1))[0]
    url = f"/admin/live/{blog.slug}/inbox"
    stale = await editor_client.post(f"{url}/{newest.id}/dismiss", data={"csrf_token": "forged"})
    assert stale.status_code == 403
    form = {"csrf_token": await token(editor_client, url)}
    answer = await editor_client.post(f"{url}/{newest.id}/dismiss", data=form)
    assert answer.status_code == 303
    assert answer.headers["location"] == url
    assert inbox_titles(await editor_client.get(url)) == ["Story 1"]
    async with db.read() as conn:
        assert len(await queries.items_of_source(conn, wire.id, 10)) == 2  # kept, just hidden


async def test_add_to_live_blog_opens_the_update_form_prefilled(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings, blog: Blog
) -> None:
    wire = await add(db, settings, "https://wire.example.org/world.rss", blog=blog.slug)
    story = item(1, title="Dam holds", text="Engineers say the dam is holding.  Water is falling.")
    await store_document(db, wire, document(story, title="Northwind Wire"))
    async with db.read() as conn:
        stored = (await queries.items_of_source(conn, wire.id, 1))[0]
    page = await editor_client.get(f"/admin/live/{blog.slug}/inbox/{stored.id}/use")
    assert page.status_code == 200
    form = parse(page).css_first("form.update-form")
    assert form.attributes["action"] == f"/admin/live/{blog.slug}/updates"
    assert form.css_first("#headline").attributes["value"] == "Dam holds"
    body = form.css_first("#body").text()
    assert body == (
        "> Engineers say the dam is holding. Water is falling.\n>\n> — Northwind Wire\n\n"
        "[Read entire article](https://wire.example.org/story-1)"
    )
    async with db.read() as conn:
        assert (await blog_queries.reader_page(conn, blog.slug, 1, 20, False)).total == 0
    # The editor presses Publish: the blog's own endpoint publishes it.
    fields = {"csrf_token": csrf_from(page), "headline": "Dam holds", "body": body}
    posted = await editor_client.post(f"/admin/live/{blog.slug}/updates", data=fields)
    assert posted.status_code == 303
    async with db.read() as conn:
        view = await blog_queries.reader_page(conn, blog.slug, 1, 20, False)
    assert view.updates[0].headline == "Dam holds"
    assert "<blockquote>" in view.updates[0].body_html
    assert 'href="https://wire.example.org/story-1"' in view.updates[0].body_html


async def test_the_inbox_fragment_answers_304_until_something_changes(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings, blog: Blog
) -> None:
    wire = await add(db, settings, "https://wire.example.org/world.rss", blog=blog.slug)
    await store_document(db, wire, document(item(1)))
    url = f"/admin/live/{blog.slug}/inbox/items"
    first = await editor_client.get(url)
    tag = first.headers["etag"]
    assert inbox_titles(first) == ["Story 1"]
    assert (await editor_client.get(url, headers={"If-None-Match": tag})).status_code == 304
    page = await editor_client.get(f"/admin/live/{blog.slug}/inbox")
    region = parse(page).css_first("[data-inbox]")
    assert region.attributes["data-inbox"] == url
    assert parse(page).css_first('script[src^="/static/inbox.js"]') is not None
    await store_document(db, wire, document(item(2), item(1)))
    fresh = await editor_client.get(url, headers={"If-None-Match": tag})
    assert fresh.status_code == 200
    assert inbox_titles(fresh) == ["Story 2", "Story 1"]


async def test_sources_page_shows_state_and_adds_sources(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings, blog: Blog
) -> None:
    failing = await add(db, settings, "https://wire.example.org/world.rss")
    await store_failure(db, failing, "The server answered 503 Service Unavailable")
    page = await editor_client.get("/admin/sources")
    card = parse(page).css_first(f"#source-{failing.id}")
    assert card.css_first(".source-error").text() == "The server answered 503 Service Unavailable"
    assert "Retrying" in card.text()
    assert "never" in card.text()
    form = {"csrf_token": csrf_from(page), "url": "ftp://nope", "kind": "feed", "interval": "5m"}
    refused = await editor_client.post("/admin/sources", data=form)
    assert refused.status_code == 422
    assert "must start with http:// or https://" in parse(refused).css_first("#form-errors").text()
    assert parse(refused).css_first("#url").attributes["value"] == "ftp://nope"
    form.update(url="http://127.0.0.1:9/live", kind="liveblog", interval="2m", blog=blog.slug)
    added = await editor_client.post("/admin/sources", data=form)
    assert added.status_code == 303
    sources = (await editor_client.get("/admin/sources")).text
    assert "Live blog page · every 2 min · inbox of" in " ".join(parse_text(sources).split())
    stale = await editor_client.post("/admin/sources", data={**form, "csrf_token": "x"})
    assert stale.status_code == 403


def parse_text(html: str) -> str:
    body = LexborHTMLParser(html).body
    assert body is not None
    return body.text()


async def discover(
    http: httpx.AsyncClient, url: str, blog: str = "", csrf: str | None = None
) -> httpx.Response:
    """Press "Find feeds" on the discover page, as an editor does."""
    if csrf is None:
        csrf = await token(http, "/admin/sources/discover")
    form = {"csrf_token": csrf, "url": url, "blog": blog}
    return await http.post("/admin/sources/discover", data=form)


async def test_discover_offers_a_pages_feeds_with_one_click_add(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog, ingest_server: IngestServer
) -> None:
    page = (
        '<html><head><link rel="alternate" type="application/rss+xml" title="Top stories" '
        'href="/rss.xml"></head><body>News</body></html>'
    )
    url = ingest_server.route("/", page)
    answer = await discover(editor_client, url, blog.slug)
    assert answer.status_code == 200
    found = parse(answer).css(".found-feeds form")
    assert [f.css_first("strong").text() for f in found] == ["Top stories"]
    fields = {i.attributes["name"]: i.attributes["value"] for i in found[0].css("input")}
    assert fields["url"] == ingest_server.url("/rss.xml")
    assert fields["blog"] == blog.slug
    assert (await editor_client.post("/admin/sources", data=fields)).status_code == 303
    async with db.read() as conn:
        (source,) = await queries.list_sources(conn)
    assert (source.url, source.blog_slugs) == (ingest_server.url("/rss.xml"), [blog.slug])
    missing = await discover(editor_client, ingest_server.url("/x"))
    assert missing.status_code == 422
    assert "404 Not Found" in missing.text
    assert parse(missing).css_first("#url").attributes["value"] == ingest_server.url("/x")


async def test_a_link_to_discover_shows_the_form_but_fetches_nothing(
    editor_client: httpx.AsyncClient, blog: Blog, ingest_server: IngestServer
) -> None:
    """A cross-site link (or image) opened by a signed-in editor cannot make the server fetch:
    the GET only fills the form in, and a POST without this browser's CSRF token is refused."""
    url = ingest_server.route("/", "<html><head></head><body>News</body></html>")
    link = await editor_client.get(
        "/admin/sources/discover", params={"url": url, "blog": blog.slug}
    )
    assert link.status_code == 200
    form = parse(link).css_first('form[action="/admin/sources/discover"]')
    assert form.attributes["method"] == "post"
    assert form.css_first("#url").attributes["value"] == url
    assert "selected" in form.css_first(f'option[value="{blog.slug}"]').attributes
    assert parse(link).css_first(".found-feeds") is None
    for forged in ("", "forged"):
        refused = await discover(editor_client, url, blog.slug, csrf=forged)
        assert refused.status_code == 403
        assert "This form had expired" in refused.text
        assert parse(refused).css_first("#url").attributes["value"] == url  # text kept
        assert parse(refused).css_first(".found-feeds") is None
    assert ingest_server.requests == []
    assert (await discover(editor_client, url)).status_code == 200  # with the token: fetched
    assert len(ingest_server.requests) == 1


async def test_opml_import_and_export(
    editor_client: httpx.AsyncClient, db: Database, ingest_server: IngestServer
) -> None:
    opml = (
        '<?xml version="1.0"?><opml version="2.0"><body>'
        f'<outline text="Wire" xmlUrl="{ingest_server.url("/a.xml")}"/>'
        f'<outline text="Agency" xmlUrl="{ingest_server.url("/b.xml")}"/></body></opml>'
    )
    form = {"csrf_token": await token(editor_client, "/admin/sources/import")}
    files = {"file": ("feeds.opml", opml.encode(), "text/x-opml")}
    answer = await editor_client.post("/admin/sources/import", data=form, files=files)
    assert answer.status_code == 200
    assert parse(answer).css_first("[role=status]").text() == "Imported 2 feeds; skipped 0."
    exported = await editor_client.get("/admin/sources/export.opml")
    assert exported.headers["content-type"].startswith("text/x-opml")
    assert 'text="Wire"' in exported.text
    assert ingest_server.url("/b.xml") in exported.text
    files = {"file": ("x.opml", b"<html/>", "text/plain")}
    bad = await editor_client.post("/admin/sources/import", data=form, files=files)
    assert bad.status_code == 422
    assert "not an OPML file" in bad.text


async def test_a_fetched_feed_reaches_the_inbox(
    editor_client: httpx.AsyncClient,
    db: Database,
    settings: Settings,
    blog: Blog,
    ingest_server: IngestServer,
) -> None:
    feed = rss(
        "Northwind Wire", [("b", "Bridge reopens", "Traffic flows."), ("a", "Storm", "Wind.")]
    )
    await add(db, settings, ingest_server.route("/feed.xml", feed), blog=blog.slug)
    worker = IngestWorker(db, settings)
    await worker.run_round()
    await worker.close()
    page = await editor_client.get(f"/admin/live/{blog.slug}/inbox")
    assert inbox_titles(page) == ["Bridge reopens", "Storm"]


async def test_an_item_of_another_blogs_source_cannot_be_opened_or_dismissed_here(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings, blog: Blog
) -> None:
    elsewhere = await add(db, settings, "https://elsewhere.example.net/feed")
    await store_document(db, elsewhere, document(item(7, text="Someone else's wire copy.")))
    async with db.read() as conn:
        [foreign] = await queries.items_of_source(conn, elsewhere.id, 10)
    opened = await editor_client.get(f"/admin/live/{blog.slug}/inbox/{foreign.id}/use")
    assert opened.status_code == 404
    assert "Someone else" not in opened.text
    page = await editor_client.get(f"/admin/live/{blog.slug}/inbox")
    dismissed = await editor_client.post(
        f"/admin/live/{blog.slug}/inbox/{foreign.id}/dismiss",
        data={"csrf_token": csrf_from(page)},
    )
    assert dismissed.status_code == 404


async def test_a_sources_script_link_is_never_offered_as_a_link(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings, blog: Blog
) -> None:
    wire = await add(db, settings, "https://wire.example.org/world.rss", blog=blog.slug)
    hostile = item(1, url="javascript:alert(1)", external_id="x-1", title="Hostile link")
    linkless = item(2, url="javascript:void(0)", external_id="x-2", title="Second, no link")
    await store_document(db, wire, document(hostile, linkless))
    page = parse(await editor_client.get(f"/admin/live/{blog.slug}/inbox"))
    assert [n.text(strip=True) for n in page.css(".inbox__title")] == [
        "Second, no link",
        "Hostile link",
    ]  # both kept: a missing link does not make two items one
    hrefs = [str(a.attributes.get("href", "")) for a in page.css("a")]
    assert not any(href.lower().startswith("javascript:") for href in hrefs)
