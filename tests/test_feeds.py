"""Feeds and conditional GET: Atom, RSS and JSON Feed per blog, per category and site-wide.

Atom and RSS are read by feedparser, a real consumer; feedparser 6.0 cannot read JSON Feed, so
that one is checked field by field against the 1.1 specification. ETags come from the blog's
event sequence, so a 304 lasts exactly until the next change.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import update as sql_update

from dateline.accounts.service import User
from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import updates
from dateline.liveblog import service
from dateline.liveblog.models import Blog, ImageRef, UpdateDraft
from dateline.media.service import store_image, variant_path
from tests.helpers import make_blog, parse, png_bytes, post

ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA_TYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}
XML_FORMATS = ("atom", "rss")


async def fetch(client: httpx.AsyncClient, url: str) -> httpx.Response:
    answer = await client.get(url)
    assert answer.status_code == 200, answer.text
    extension = url.split("?")[0].rsplit(".", 1)[1]
    assert answer.headers["content-type"] == f"{MEDIA_TYPES[extension]}; charset=utf-8"
    return answer


async def read_feed(client: httpx.AsyncClient, url: str) -> Any:
    """An Atom or RSS feed as feedparser sees it, refusing anything it had to forgive."""
    parsed = feedparser.parse((await fetch(client, url)).content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


async def read_json_feed(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    """A JSON Feed checked against the fields version 1.1 requires of every feed and item."""
    data: dict[str, Any] = json.loads((await fetch(client, url)).content)
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(data["title"], str)
    assert data["title"]
    assert isinstance(data["items"], list)
    assert data["feed_url"] == f"http://testserver{url}"
    assert data["home_page_url"].startswith("http://testserver/")
    for author in data.get("authors", []):
        assert isinstance(author["name"], str)
    for item in data["items"]:
        assert isinstance(item["id"], str)
        assert item["id"]
        assert "content_html" in item or "content_text" in item
        datetime.fromisoformat(item["date_published"])
    return data


def titles_of(parsed: Any) -> list[str]:
    return [entry.title for entry in parsed.entries]


async def backdate(db: Database, update_id: int, when: datetime) -> None:
    async with db.write() as conn:
        await conn.execute(
            sql_update(updates).where(updates.c.id == update_id).values(published_at=when)
        )


async def test_blog_feeds_carry_the_updates_newest_first_in_every_format(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    first = await post(db, blog, editor, "Polls have closed across **Northmarch**.")
    await backdate(db, first.id, datetime.now(UTC) - timedelta(hours=1))
    second = await post(db, blog, editor, "Turnout is 64%.", headline="Turnout up")
    gone = await post(db, blog, editor, "A mistaken post.")
    await service.delete_update(db, blog.slug, gone.id, editor, "Posted in error.")
    edit = UpdateDraft(body="Polls have closed.")
    await service.edit_update(db, blog.slug, first.id, edit, editor)
    links = [f"http://testserver/live/{blog.slug}/updates/{u.id}" for u in (second, first)]

    for extension in XML_FORMATS:
        parsed = await read_feed(client, f"/live/{blog.slug}/feed.{extension}")
        assert parsed.feed.title == blog.title
        assert parsed.feed.link == f"http://testserver/live/{blog.slug}"
        assert titles_of(parsed) == ["Turnout up", "Polls have closed."], extension
        assert [entry.link for entry in parsed.entries] == links
        assert [entry.id for entry in parsed.entries] == links
        newest = parsed.entries[0]
        assert newest.author == "Reporter editor"
        assert newest.published_parsed[:6] == second.published_at.utctimetuple()[:6]
        body = newest.content[0].value if extension == "atom" else newest.description
        assert body.strip() == "<p>Turnout is 64%.</p>"
        assert "mistaken" not in str(parsed), "deleted updates are not syndicated"
    parsed = await read_feed(client, f"/live/{blog.slug}/feed.atom")
    edited = parsed.entries[1]
    assert edited.updated_parsed > edited.published_parsed, "an edit moves <updated>"

    data = await read_json_feed(client, f"/live/{blog.slug}/feed.json")
    assert data["title"] == blog.title
    assert [item["title"] for item in data["items"]] == ["Turnout up", "Polls have closed."]
    assert [item["url"] for item in data["items"]] == links
    assert data["items"][0]["authors"] == [{"name": "Reporter editor"}]
    assert data["items"][0]["content_html"] == "<p>Turnout is 64%.</p>\n"
    assert "date_modified" in data["items"][1]
    assert "date_modified" not in data["items"][0]


async def test_atom_feed_has_every_element_rfc_4287_requires(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    await post(db, blog, editor, "An update without a headline, long enough to be cut " * 3)
    await post(db, blog, editor, "Signed by nobody.", headline="Unsigned")
    root = ET.fromstring((await fetch(client, f"/live/{blog.slug}/feed.atom")).content)  # noqa: S314
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert (root.findtext(f"{ATOM}{name}") or "").strip(), name
    assert root.find(f"{ATOM}author/{ATOM}name") is not None, "feed author covers every entry"
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None
    assert self_link.get("href") == f"http://testserver/live/{blog.slug}/feed.atom"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), name
        datetime.fromisoformat(entry.findtext(f"{ATOM}updated") or "")
    cut = entries[1].findtext(f"{ATOM}title") or ""
    assert cut.endswith("…"), "no headline: the first words"
    assert len(cut.split()) == 12


async def test_first_image_is_the_enclosure_and_images_are_in_the_content(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User, settings: Settings
) -> None:
    stored = await store_image(db, settings, png_bytes(900, 500))
    picture = ImageRef(stored.hash, "Flooded street", "Water in Sallowmere", "Ana Roe")
    await post(db, blog, editor, "Boats are out.", images=[picture])
    url = f"http://testserver/media/{stored.hash}-900.webp"
    size = variant_path(settings.media_dir, stored.hash, 900).stat().st_size

    for extension in XML_FORMATS:
        entry = (await read_feed(client, f"/live/{blog.slug}/feed.{extension}")).entries[0]
        enclosure = entry.enclosures[0]
        assert (enclosure.href, enclosure.type, int(enclosure.length)) == (url, "image/webp", size)
        content = LexborHTMLParser(
            entry.content[0].value if extension == "atom" else entry.description
        )
        assert content.css_first("img").attributes["src"] == url
        assert content.css_first("img").attributes["alt"] == "Flooded street"
        assert content.css_first("figcaption").text() == "Water in Sallowmere. Photograph: Ana Roe"
    item = (await read_json_feed(client, f"/live/{blog.slug}/feed.json"))["items"][0]
    assert item["image"] == url


async def test_key_events_feed_lists_only_key_events(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    for n in range(4):
        await post(db, blog, editor, f"Declaration {n}", key_event=n % 2 == 1)
    query = "?filter=key-events"
    for extension in XML_FORMATS:
        parsed = await read_feed(client, f"/live/{blog.slug}/feed.{extension}{query}")
        assert titles_of(parsed) == ["Declaration 3", "Declaration 1"]
        assert parsed.feed.title == f"{blog.title} – key events"
        assert [tag.term for tag in parsed.entries[0].tags] in (["key-event"], ["Key event"])
    data = await read_json_feed(client, f"/live/{blog.slug}/feed.json{query}")
    assert [item["title"] for item in data["items"]] == ["Declaration 3", "Declaration 1"]
    assert data["items"][0]["tags"] == ["Key event"]
    assert data["home_page_url"] == f"http://testserver/live/{blog.slug}{query}"


async def test_a_feed_holds_the_latest_fifty_updates(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    for n in range(53):
        await post(db, blog, editor, f"Item {n}")
    parsed = await read_feed(client, f"/live/{blog.slug}/feed.rss")
    assert len(parsed.entries) == 50
    assert parsed.entries[0].title == "Item 52"
    assert parsed.entries[-1].title == "Item 3"


async def test_category_feed_spans_the_blogs_of_that_category_only(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    count = await make_blog(db, editor, slug="count", title="The count", category="Politics")
    debate = await make_blog(db, editor, slug="debate", title="The debate", category="Politics")
    storm = await make_blog(db, editor, slug="storm", title="Storm Idris", category="Weather")
    await post(db, count, editor, "First seat declared.")
    await post(db, storm, editor, "Winds of 90 mph.")
    await post(db, debate, editor, "Opening statements.")

    for extension in XML_FORMATS:
        parsed = await read_feed(client, f"/category/politics/feed.{extension}")
        assert parsed.feed.title == "Politics · Dateline", "named as the editors spelled it"
        assert titles_of(parsed) == ["Opening statements.", "First seat declared."]
        source = parsed.entries[0].source
        assert source.title == "The debate"
    atom = ET.fromstring((await fetch(client, "/category/Politics/feed.atom")).content)  # noqa: S314
    assert atom.findtext(f"{ATOM}id") == "http://testserver/category/Politics/feed"
    data = await read_json_feed(client, "/category/Politics/feed.json")
    assert len(data["items"]) == 2
    assert (await client.get("/category/Sport/feed.atom")).status_code == 404
    assert (await client.get("/category//feed.atom")).status_code == 404


async def test_category_with_a_slash_in_its_name_has_a_working_feed(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    blog = await make_blog(db, editor, slug="war", category="War/Peace")
    await post(db, blog, editor, "Talks resume.")
    page = parse(await client.get(f"/live/{blog.slug}"))
    link = page.css_first('link[type="application/atom+xml"][href^="/category/"]')
    assert link.attributes["href"] == "/category/War%2FPeace/feed.atom"
    parsed = await read_feed(client, link.attributes["href"] or "")
    assert titles_of(parsed) == ["Talks resume."]


async def test_site_wide_feed_spans_every_blog(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    count = await make_blog(db, editor, slug="count", category="Politics")
    storm = await make_blog(db, editor, slug="storm", title="Storm Idris", category="Weather")
    await post(db, count, editor, "First seat declared.")
    await post(db, storm, editor, "Winds of 90 mph.")
    for extension in XML_FORMATS:
        parsed = await read_feed(client, f"/feed.{extension}")
        assert titles_of(parsed) == ["Winds of 90 mph.", "First seat declared."]
        assert parsed.feed.link == "http://testserver/"
    data = await read_json_feed(client, "/feed.json")
    assert [item["url"].split("/")[4] for item in data["items"]] == ["storm", "count"]


async def test_site_wide_feed_of_an_empty_site_is_still_valid(client: httpx.AsyncClient) -> None:
    parsed = await read_feed(client, "/feed.atom")
    assert parsed.entries == []
    assert (await read_json_feed(client, "/feed.json"))["items"] == []


async def test_characters_xml_cannot_carry_are_dropped_not_fatal(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    await post(db, blog, editor, "Pasted from a PDF:\x0b the\x01 bridge.", headline="Bad\x1f paste")
    for extension in XML_FORMATS:
        parsed = await read_feed(client, f"/live/{blog.slug}/feed.{extension}")
        assert parsed.entries[0].title == "Bad paste"


async def test_pages_advertise_their_feeds(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    await post(db, blog, editor, "Polls have closed.")
    head = parse(await client.get(f"/live/{blog.slug}")).css_first("head")
    feeds = {
        link.attributes["href"]: link
        for link in head.css('link[rel="alternate"]')
        if link.attributes["type"] in MEDIA_TYPES.values()
    }
    for extension, media_type in MEDIA_TYPES.items():
        for href in (
            f"/live/{blog.slug}/feed.{extension}",
            f"/live/{blog.slug}/feed.{extension}?filter=key-events",
            f"/category/Politics/feed.{extension}",
        ):
            assert feeds[href].attributes["type"] == media_type
            assert feeds[href].attributes["title"]
            await fetch(client, href)
    front = parse(await client.get("/")).css_first("head")
    hrefs = {link.attributes["href"]: link for link in front.css('link[rel="alternate"]')}
    for extension, media_type in MEDIA_TYPES.items():
        assert hrefs[f"/feed.{extension}"].attributes["type"] == media_type


@pytest.mark.parametrize("url", ["/live/{slug}/feed.xml", "/live/no-such-blog/feed.atom"])
async def test_unknown_feed_format_or_blog_is_404(
    client: httpx.AsyncClient, blog: Blog, url: str
) -> None:
    assert (await client.get(url.format(slug=blog.slug))).status_code == 404


# Conditional GET ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/live/{slug}/feed.atom", "/feed.json", "/live/{slug}"])
async def test_matching_etag_is_answered_304_until_the_blog_changes(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User, path: str
) -> None:
    url = path.format(slug=blog.slug)
    await post(db, blog, editor, "Polls have closed.")
    first = await client.get(url)
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    assert first.headers["cache-control"] == (
        "public, max-age=0, stale-while-revalidate=10, stale-if-error=86400"
    )
    assert first.headers["last-modified"].endswith(" GMT")

    again = await client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert "set-cookie" not in again.headers
    since = await client.get(url, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304

    await post(db, blog, editor, "The first seat has declared.")
    changed = await client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert "first seat" in changed.text


async def test_each_variant_of_a_page_has_its_own_etag(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    await post(db, blog, editor, "A key event.", key_event=True)
    urls = [
        f"/live/{blog.slug}",
        f"/live/{blog.slug}?filter=key-events",
        f"/live/{blog.slug}/feed.atom",
        f"/live/{blog.slug}/feed.rss",
        f"/live/{blog.slug}/feed.atom?filter=key-events",
        f"/embed/{blog.slug}",
    ]
    etags = [(await client.get(url)).headers["etag"] for url in urls]
    assert len(set(etags)) == len(urls)
    other = await client.get(urls[1], headers={"If-None-Match": etags[0]})
    assert other.status_code == 200


async def test_site_feed_etag_moves_when_any_blog_changes(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    count = await make_blog(db, editor, slug="count", category="Politics")
    storm = await make_blog(db, editor, slug="storm", category="Weather")
    for n in range(3):
        await post(db, count, editor, f"Count {n}")
    etag = (await client.get("/feed.atom")).headers["etag"]
    politics = (await client.get("/category/Politics/feed.atom")).headers["etag"]
    await post(db, storm, editor, "Winds of 90 mph.")
    assert (await client.get("/feed.atom", headers={"If-None-Match": etag})).status_code == 200
    unchanged = await client.get(
        "/category/Politics/feed.atom", headers={"If-None-Match": politics}
    )
    assert unchanged.status_code == 304, "a change elsewhere leaves the category as it was"
    await make_blog(db, editor, slug="debate", category="Politics")
    moved = await client.get("/category/Politics/feed.atom", headers={"If-None-Match": politics})
    assert moved.status_code == 200, "a new blog joins the category"


async def test_a_page_that_clears_a_flash_cookie_is_never_304_nor_shared(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    await post(db, blog, editor, "Polls have closed.")
    etag = (await client.get(f"/live/{blog.slug}")).headers["etag"]
    client.cookies.set("dl_flash", "published")
    answer = await client.get(f"/live/{blog.slug}", headers={"If-None-Match": etag})
    assert answer.status_code == 200
    assert parse(answer).css_first(".flash").text() == "Update published."
    assert "dl_flash" in answer.headers["set-cookie"]
    assert answer.headers["cache-control"] == "private, no-store"
    assert "etag" not in answer.headers


async def test_stale_or_malformed_validators_get_the_full_page(
    client: httpx.AsyncClient, blog: Blog
) -> None:
    url = f"/live/{blog.slug}/feed.atom"
    long_ago = "Mon, 01 Jan 2001 00:00:00 GMT"
    for headers in (
        {"If-None-Match": '"something-else"'},
        {"If-Modified-Since": long_ago},
        {"If-Modified-Since": "not a date"},
    ):
        assert (await client.get(url, headers=headers)).status_code == 200, headers
    future = datetime(2999, 1, 1, tzinfo=UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert (await client.get(url, headers={"If-Modified-Since": future})).status_code == 304
    assert (await client.get(url, headers={"If-None-Match": "*"})).status_code == 304


async def test_rss_writes_ampersands_and_angle_brackets_as_the_rss_board_advises(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    """RSS never said which elements hold HTML; the RSS Advisory Board's profile asks for
    hexadecimal character references, the one form aggregators agree to read as text."""
    blog = await make_blog(db, editor, slug="q-and-a", title="Q&A: <live>")
    await post(db, blog, editor, "Rates & *more*", headline="2 < 3 > 1")
    body = (await fetch(client, f"/live/{blog.slug}/feed.rss")).content
    assert b"&amp;" not in body
    assert b"&lt;" not in body
    assert b"&gt;" not in body
    assert b"<title>Q&#x26;A: &#x3C;live&#x3E;</title>" in body
    parsed = await read_feed(client, f"/live/{blog.slug}/feed.rss")
    assert parsed.feed.title == "Q&A: <live>"
    assert parsed.entries[0].title == "2 < 3 > 1"
    assert parsed.entries[0].description.strip() == "<p>Rates &amp; <em>more</em></p>"
