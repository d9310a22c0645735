"""Editor pages for sources and the per-blog inbox, as an editor uses them: state in plain
words, add/discover/import/export, new items newest first, Dismiss, and "Use in an update…"
opening the blog's own update form prefilled (nothing is published without the editor)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import update
from typer.testing import CliRunner

from dateline.accounts.service import User
from dateline.cli import app as cli_app
from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import sources as sources_table
from dateline.ingest import queries
from dateline.ingest.models import Item
from dateline.ingest.worker import IngestWorker
from dateline.liveblog import queries as blog_queries
from dateline.liveblog import team
from dateline.liveblog.models import Blog
from tests.helpers import csrf_from, log_in, make_user, parse
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
    assert form.attributes["action"] == f"/admin/live/{blog.slug}/inbox/{stored.id}/use"
    assert form.css_first("#headline").attributes["value"] == "Dam holds"
    body = form.css_first("#body").text()
    assert body == (
        "> Engineers say the dam is holding. Water is falling.\n>\n> — Northwind Wire\n\n"
        "[Read entire article](https://wire.example.org/story-1)"
    )
    async with db.read() as conn:
        assert (await blog_queries.reader_page(conn, blog.slug, 1, 20, False)).total == 0
    # The editor presses Publish: it is published as the blog's own form does.
    fields = {"csrf_token": csrf_from(page), "headline": "Dam holds", "body": body}
    posted = await editor_client.post(str(form.attributes["action"]), data=fields)
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


# Issue 14, section 1, points 5 and 7: a compact, filterable inbox that shows use and other
# sources; the sources page as a table, failing first, in the CLI's words.


async def stored_items(db: Database, source_id: int) -> list[Item]:
    async with db.read() as conn:
        return await queries.items_of_source(conn, source_id, 100)


async def use_item(http: httpx.AsyncClient, slug: str, item_id: int) -> httpx.Response:
    """Open "Use in an update…" and press Publish with the prefilled text, as an editor does."""
    page = await http.get(f"/admin/live/{slug}/inbox/{item_id}/use")
    form = parse(page).css_first("form.update-form")
    fields = {
        "csrf_token": csrf_from(page),
        "headline": str(form.css_first("#headline").attributes["value"]),
        "body": form.css_first("#body").text(),
    }
    return await http.post(str(form.attributes["action"]), data=fields)


async def test_an_item_made_into_an_update_says_when_and_by_whom_with_a_link(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings, blog: Blog, editor: User
) -> None:
    wire = await add(db, settings, "https://wire.example.org/world.rss", blog=blog.slug)
    await store_document(db, wire, document(item(1), item(2, title="Dam holds")))
    fragment = await editor_client.get(f"/admin/live/{blog.slug}/inbox/items")
    [dam] = [i for i in await stored_items(db, wire.id) if i.title == "Dam holds"]
    posted = await use_item(editor_client, blog.slug, dam.id)
    assert posted.status_code == 303
    update_id = posted.headers["location"].rsplit("#update-", 1)[1]
    page = parse(await editor_client.get(f"/admin/live/{blog.slug}/inbox"))
    used = page.css_first(f"#item-{dam.id} .inbox__used a")
    assert used.attributes["href"] == f"/admin/live/{blog.slug}/updates/{update_id}"
    assert re.fullmatch(rf"Used \d\d:\d\d by {editor.display_name}", used.text(strip=True))
    assert page.css_first(f"#item-{dam.id}").css_first(".inbox__title").text() == "Dam holds"
    others = [n for n in page.css(".inbox__item") if n.attributes["id"] != f"item-{dam.id}"]
    assert [n.css_first(".inbox__used") for n in others] == [None]
    # The open inbox (inbox.js) gets the mark too: the list's version changed.
    tag = {"If-None-Match": fragment.headers["etag"]}
    assert (
        await editor_client.get(f"/admin/live/{blog.slug}/inbox/items", headers=tag)
    ).status_code == 200


async def test_a_contributors_use_links_to_the_draft_waiting_for_an_editor(
    client: httpx.AsyncClient, db: Database, settings: Settings, blog: Blog, editor: User
) -> None:
    contributor = await make_user(db, "contributor")
    async with db.write() as conn:
        await team.join(conn, blog.id, contributor.id, editor.id)
    wire = await add(db, settings, "https://wire.example.org/world.rss", blog=blog.slug)
    await store_document(db, wire, document(item(1)))
    [story] = await stored_items(db, wire.id)
    await log_in(client, contributor.email)
    posted = await use_item(client, blog.slug, story.id)
    assert posted.status_code == 303
    assert posted.headers["location"].startswith(f"/admin/live/{blog.slug}/drafts")
    page = parse(await client.get(f"/admin/live/{blog.slug}/inbox"))
    mark = page.css_first(f"#item-{story.id} .inbox__used a")
    assert mark.text(strip=True).startswith("Drafted ")
    assert mark.text(strip=True).endswith(f"by {contributor.display_name}")
    assert str(mark.attributes["href"]).startswith(f"/admin/live/{blog.slug}/drafts/")


async def test_a_mistake_in_the_update_keeps_the_editors_text_and_marks_nothing(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings, blog: Blog
) -> None:
    wire = await add(db, settings, "https://wire.example.org/world.rss", blog=blog.slug)
    await store_document(db, wire, document(item(1)))
    [story] = await stored_items(db, wire.id)
    url = f"/admin/live/{blog.slug}/inbox/{story.id}/use"
    page = await editor_client.get(url)
    fields = {"csrf_token": csrf_from(page), "headline": "H" * 201, "body": "My own words."}
    refused = await editor_client.post(url, data=fields)
    assert refused.status_code == 422
    form = parse(refused).css_first("form.update-form")
    assert form.attributes["action"] == url  # pressing Publish again still marks the item
    assert form.css_first("#body").text() == "My own words."
    assert form.css_first("#headline").attributes["aria-invalid"] == "true"
    inbox = parse(await editor_client.get(f"/admin/live/{blog.slug}/inbox"))
    assert inbox.css_first(".inbox__used") is None


async def test_the_inbox_filters_by_source_and_words_in_the_url_without_javascript(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings, blog: Blog
) -> None:
    wire = await add(db, settings, "https://wire.example.org/world.rss", blog=blog.slug)
    agency = await add(db, settings, "https://agency.example.net/feed", blog=blog.slug)
    dam = item(1, title="Dam holds")
    wey = item(2, text="The DAM at Wey is being inspected.")
    await store_document(db, wire, document(wey, dam, title="Northwind Wire"))
    await store_document(
        db, agency, document(item(3, url="https://agency.example.net/3"), title="")
    )
    url = f"/admin/live/{blog.slug}/inbox"
    page = parse(await editor_client.get(url))
    form = page.css_first("form.inbox-filter")
    assert (form.attributes["method"], form.attributes["action"]) == ("get", url)
    choices = [o.text() for o in form.css("#filter-source option")]
    assert choices == ["All sources", "Northwind Wire", "agency.example.net"]
    by_source = await editor_client.get(url, params={"source": agency.id})
    assert inbox_titles(by_source) == ["Story 3"]
    kept = parse(by_source).css_first(f'#filter-source option[value="{agency.id}"]')
    assert "selected" in kept.attributes
    by_words = await editor_client.get(url, params={"q": "  dam "})
    assert inbox_titles(by_words) == ["Story 2", "Dam holds"]  # headline or text, any case
    assert parse(by_words).css_first("#filter-q").attributes["value"] == "dam"
    region = parse(by_words).css_first("[data-inbox]")
    assert region.attributes["data-inbox"] == f"{url}/items?q=dam"  # inbox.js keeps it too
    both = await editor_client.get(url, params={"source": wire.id, "q": "wey"})
    assert inbox_titles(both) == ["Story 2"]
    literal = await editor_client.get(url, params={"q": "100%"})
    assert inbox_titles(literal) == []
    assert "No items match this filter." in parse(literal).css_first(".inbox .empty").text()
    for odd in ("abc", "²", "9" * 40):  # not a source number: no source filter, no error
        answer = await editor_client.get(url, params={"source": odd})
        assert answer.status_code == 200
        assert len(inbox_titles(answer)) == 3
    foreign = await add(db, settings, "https://elsewhere.example.net/feed")
    assert inbox_titles(await editor_client.get(url, params={"source": foreign.id})) == []


async def test_older_items_keep_the_filter(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings, blog: Blog
) -> None:
    wire = await add(db, settings, "https://wire.example.org/world.rss", blog=blog.slug)
    await store_document(db, wire, document(*(item(n) for n in range(1, 41))))
    url = f"/admin/live/{blog.slug}/inbox"
    first = await editor_client.get(url, params={"q": "story"})
    older = parse(first).css_first('a[href*="before="]')
    assert older is not None
    assert str(older.attributes["href"]).startswith(f"{url}?q=story&before=")
    rest = await editor_client.get(str(older.attributes["href"]))
    assert len(inbox_titles(first)) + len(inbox_titles(rest)) == 40


async def test_a_merged_duplicate_says_which_other_sources_carried_it(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings, blog: Blog
) -> None:
    wire = await add(db, settings, "https://wire.example.org/world.rss", blog=blog.slug)
    agency = await add(db, settings, "https://agency.example.net/feed")
    await store_document(db, wire, document(item(1, title="Dam holds"), title="Northwind Wire"))
    copy = item(1, title="Dam holds", url="https://agency.example.net/dam?ref=rss")
    await store_document(db, agency, document(copy, title="Agency Fast"))
    page = parse(await editor_client.get(f"/admin/live/{blog.slug}/inbox"))
    assert inbox_titles_of(page) == ["Dam holds"]  # stored once
    also = page.css_first(".inbox__item .inbox__also")
    assert " ".join(also.text().split()) == "· also from Agency Fast"


def inbox_titles_of(page: LexborHTMLParser) -> list[str]:
    return [node.text(strip=True) for node in page.css(".inbox__title")]


async def test_sources_page_is_a_table_failing_first_with_the_add_form_on_top(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    fine = await add(db, settings, "https://fine.example.org/feed")
    await store_document(db, fine, document(item(1), item(2), title="Fine Wire"))
    unnamed = await add(db, settings, "https://quiet.example.org/feed.xml")
    retrying = await add(db, settings, "https://shaky.example.org/feed")
    await store_failure(db, retrying, "The server answered 503 Service Unavailable")
    failing = await add(db, settings, "https://gone.example.org/feed")
    await store_failure(db, failing, "The server answered 410 Gone")
    async with db.write() as conn:
        await conn.execute(
            update(sources_table).where(sources_table.c.id == failing.id).values(status="failing")
        )
    page = parse(await editor_client.get("/admin/sources"))
    html = page.html or ""
    assert html.index('id="add-source"') < html.index('class="table sources-table"')
    rows = page.css(".sources-table tbody tr")
    ids = [row.attributes["id"] for row in rows]
    assert ids == [f"source-{s.id}" for s in (failing, retrying, fine, unnamed)]
    states = [row.css_first(".source-status").text() for row in rows]
    assert states == ["Failing", "Retrying", "OK", "OK"]
    assert "source--failing" in str(rows[0].attributes["class"])
    headings = [th.text(strip=True) for th in page.css(".sources-table th")]
    assert headings[:6] == ["Name", "Kind", "Status", "Last success", "Next fetch", "Items"]
    assert rows[2].css_first(".number").text() == "2"
    quiet = rows[3].text()
    assert quiet.count("quiet.example.org") == 1  # named by its host, once


async def test_a_home_page_given_as_a_feed_offers_the_feeds_it_announces(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog, ingest_server: IngestServer
) -> None:
    home = ingest_server.route(
        "/",
        '<html><head><link rel="alternate" type="application/atom+xml" title="All news" '
        'href="/atom.xml"></head><body><p>Front page</p></body></html>',
    )
    feed = ingest_server.route("/atom.xml", rss("Front", [("a", "Story", "Words.")]))
    page = await editor_client.get("/admin/sources")
    form = {"csrf_token": csrf_from(page), "url": home, "kind": "feed", "blog": blog.slug}
    offered = await editor_client.post("/admin/sources", data={**form, "interval": "10m"})
    assert offered.status_code == 200
    shown = parse(offered)
    assert "is a web page, not a feed" in shown.css_first("[role=status]").text()
    [choice] = shown.css(".found-feeds form")
    fields = {i.attributes["name"]: i.attributes["value"] for i in choice.css("input")}
    assert (fields["url"], fields["blog"], fields["interval"]) == (feed, blog.slug, "10m")
    async with db.read() as conn:
        assert await queries.list_sources(conn) == []  # nothing followed behind the editor
    assert (await editor_client.post("/admin/sources", data=fields)).status_code == 303
    async with db.read() as conn:
        (source,) = await queries.list_sources(conn)
    assert (source.url, source.interval_seconds, source.blog_slugs) == (feed, 600, [blog.slug])
    direct = {**form, "url": ingest_server.route("/rss.xml", rss("Direct", []))}
    assert (await editor_client.post("/admin/sources", data=direct)).status_code == 303


async def test_refusing_a_private_address_names_the_setting_that_allows_it(
    editor_client: httpx.AsyncClient, settings: Settings
) -> None:
    settings.allow_private_sources = False  # the app's own settings object: as in production
    page = await editor_client.get("/admin/sources")
    form = {"csrf_token": csrf_from(page), "url": "http://127.0.0.1:9/feed", "kind": "feed"}
    refused = await editor_client.post("/admin/sources", data=form)
    assert refused.status_code == 422
    said = parse(refused).css_first("#form-errors").text()
    assert "127.0.0.1 is a loopback address" in said
    assert "DATELINE_ALLOW_PRIVATE_SOURCES=1" in said
    assert parse(refused).css_first("#url").attributes["value"] == "http://127.0.0.1:9/feed"


def test_the_cli_says_a_sources_state_in_the_words_of_the_page(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATELINE_DATABASE_URL", database_url)
    monkeypatch.setenv("DATELINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATELINE_ALLOW_PRIVATE_SOURCES", "1")
    monkeypatch.setenv("COLUMNS", "300")  # rich wraps tables to the terminal width
    cli = CliRunner()
    for args in (
        ["source", "add", "http://127.0.0.1:9/feed", "--kind", "feed"],
        ["source", "fetch", "--all"],
    ):  # nothing listens on port 9: a failure
        assert cli.invoke(cli_app, args).exit_code == 0
    listed = cli.invoke(cli_app, ["source", "list"])
    assert listed.exit_code == 0, listed.output
    assert "Retrying (1 failure in a row)" in listed.output


async def test_a_source_carrying_duplicates_brings_no_other_sources_items(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings, blog: Blog
) -> None:
    """A blog's source that saw an item first stored under another source (a sighting) fills
    the inbox with that item only, not with everything the other sources brought."""
    agency = await add(db, settings, "https://agency.example.net/feed")
    await store_document(db, agency, document(item(1, title="Dam holds"), item(2)))
    wire = await add(db, settings, "https://wire.example.org/world.rss", blog=blog.slug)
    await store_document(db, wire, document(item(1, title="Dam holds")))  # a sighting
    url = f"/admin/live/{blog.slug}/inbox"
    assert inbox_titles(await editor_client.get(url)) == ["Dam holds"]
    assert inbox_titles(await editor_client.get(f"{url}/items")) == ["Dam holds"]
