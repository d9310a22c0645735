"""Written text as people see it: a required text needs a visible character, single-line
texts stay on one line without bidi controls, and whatever an editor writes reaches feeds
escaped. Both databases in process; the same attack once more against `dateline serve`."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import feedparser
import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import select
from sqlalchemy import update as sql_update

from dateline.accounts import invites, tokens
from dateline.accounts.service import User
from dateline.db import Database
from dateline.db.tables import blogs, updates, users
from dateline.errors import Invalid
from dateline.liveblog.models import Blog
from tests.helpers import csrf_from, make_blog, parse
from tests.live_server import LiveServer, live_server

__all__ = ["live_server"]  # a fixture: pytest finds it here by name

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad \u3000\n\t"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
HOSTILE_CATEGORY = "Crime\nand Justice / 100% Київ"
SAVED_CATEGORY = "Crime and Justice / 100% Київ"
SCRIPT_TITLE = "<script>alert(1)</script> Q&A"
SCRIPT_STANDFIRST = "<img src=x onerror=alert(1)> 2 < 3 & rising"


async def stored_updates(db: Database) -> list[Any]:
    async with db.read() as conn:
        return list((await conn.execute(select(updates.c.headline, updates.c.body))).all())


# A required text needs a visible character ---------------------------------------------------


async def test_an_update_of_only_zero_width_characters_is_refused_with_the_headline_kept(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog
) -> None:
    page = await editor_client.get(f"/admin/live/{blog.slug}")
    answer = await editor_client.post(
        f"/admin/live/{blog.slug}/updates",
        data={"csrf_token": csrf_from(page), "headline": "Polls close", "body": ZERO_WIDTH},
    )
    assert answer.status_code == 422
    form = parse(answer)
    assert "Write the text of the update." in form.css_first(".form-error").text()
    assert form.css_first("#headline").attributes["value"] == "Polls close"
    assert await stored_updates(db) == []


async def test_a_blog_titled_with_zero_width_characters_is_refused_on_the_form(
    editor_client: httpx.AsyncClient, db: Database
) -> None:
    page = await editor_client.get("/admin/blogs/new")
    answer = await editor_client.post(
        "/admin/blogs/new",
        data={
            "csrf_token": csrf_from(page),
            "title": ZERO_WIDTH,
            "slug": "blank",
            "time_zone": "UTC",
        },
    )
    assert answer.status_code == 422
    assert "Give the live blog a title." in parse(answer).css_first(".form-error").text()
    async with db.read() as conn:
        assert (await conn.execute(select(blogs.c.id))).all() == []


async def test_the_api_refuses_blank_titles_bodies_and_patches(
    api: httpx.AsyncClient, db: Database, blog: Blog
) -> None:
    made = await api.post("/api/v1/blogs", json={"slug": "blank", "title": ZERO_WIDTH})
    assert made.status_code == 422
    assert made.json() == {"error": "invalid", "detail": {"title": "Give the live blog a title."}}

    posted = await api.post(f"/api/v1/blogs/{blog.slug}/updates", json={"body": ZERO_WIDTH})
    assert posted.status_code == 422
    assert posted.json()["detail"] == {"body": "Write the text of the update."}

    kept = await api.post(f"/api/v1/blogs/{blog.slug}/updates", json={"body": "Count resumes."})
    update_id = kept.json()["id"]
    patched = await api.patch(
        f"/api/v1/blogs/{blog.slug}/updates/{update_id}", json={"body": "\u2060\u200b"}
    )
    assert patched.status_code == 422
    assert await stored_updates(db) == [("", "Count resumes.")]


async def test_account_and_token_names_of_invisible_characters_count_as_unnamed(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    _, token = await invites.invite(db, None, "ines@example.org", "contributor")
    form = await client.get(f"/invite/{token}")
    password = "a long enough password"
    joined = await client.post(
        f"/invite/{token}",
        data={
            "csrf_token": csrf_from(form),
            "display_name": "\u200b\u2066\u2069 ",
            "password": password,
            "password_again": password,
        },
    )
    assert joined.status_code == 422, "a byline must not read as the email's local part"
    assert parse(joined).css_first("#display_name-error") is not None
    async with db.read() as conn:
        joined_as = await conn.scalar(
            select(users.c.display_name).where(users.c.email == "ines@example.org")
        )
    assert joined_as is None
    with pytest.raises(Invalid) as refused:
        await tokens.create_token(db, editor, "\ufeff\u200d", "read")
    assert "name" in refused.value.errors


# Bidi controls stay out of single-line texts -------------------------------------------------


async def test_bidi_overrides_never_reach_a_page_from_titles_headlines_names_or_captions(
    api: httpx.AsyncClient, client: httpx.AsyncClient, db: Database
) -> None:
    made = await api.post(
        "/api/v1/blogs",
        json={"slug": "mirror", "title": "Talks \u202eresume\u202c", "category": "War\u2066"},
    )
    assert made.status_code == 201, made.text
    assert made.json()["title"] == "Talks resume"
    assert made.json()["category"] == "War"
    posted = await api.post(
        "/api/v1/blogs/mirror/updates",
        json={"headline": "\u202egnikaerB", "body": "Envoys \u2067arrive\u2069.\n\nMore soon."},
    )
    assert posted.status_code == 201, posted.text
    assert posted.json()["headline"] == "gnikaerB"
    assert posted.json()["body"] == "Envoys arrive.\n\nMore soon.", "line breaks stay in bodies"
    invited, token = await invites.invite(db, None, "rtl@example.org", "editor")
    form = await client.get(f"/invite/{token}")
    password = "a long enough password"
    await client.post(
        f"/invite/{token}",
        data={
            "csrf_token": csrf_from(form),
            "display_name": "Mara \u202eQuell",
            "password": password,
            "password_again": password,
        },
    )
    async with db.read() as conn:
        name = await conn.scalar(select(users.c.display_name).where(users.c.email == invited.email))
    assert name == "Mara Quell"
    page = await client.get("/live/mirror")
    assert not set(page.text) & set(BIDI)


# Categories are single lines, and their feeds work whatever they say ---------------------------


async def test_a_category_with_a_line_break_slash_percent_and_unicode_has_working_feeds(
    editor_client: httpx.AsyncClient, db: Database
) -> None:
    page = await editor_client.get("/admin/blogs/new")
    made = await editor_client.post(
        "/admin/blogs/new",
        data={
            "csrf_token": csrf_from(page),
            "title": "Trials",
            "slug": "trials",
            "category": HOSTILE_CATEGORY,
            "time_zone": "UTC",
        },
    )
    assert made.status_code == 303, made.text
    reader = parse(await editor_client.get("/live/trials"))
    assert reader.css_first(".category").text() == SAVED_CATEGORY
    answers = {}
    for mime in ("application/atom+xml", "application/rss+xml", "application/feed+json"):
        link = reader.css_first(f'link[type="{mime}"][href^="/category/"]').attributes["href"]
        answers[mime] = await editor_client.get(link or "")
        assert answers[mime].status_code == 200, (link, answers[mime].text)
    atom = feedparser.parse(answers["application/atom+xml"].content)
    assert atom.feed.title == f"{SAVED_CATEGORY} · Dateline"
    self_link = next(link.href for link in atom.feed.links if link.rel == "self")
    assert (await editor_client.get(self_link)).status_code == 200, "its own address works too"


# Feeds escape every text an editor wrote ------------------------------------------------------


async def test_script_and_control_characters_in_a_title_and_standfirst_reach_feeds_as_text(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    blog = await make_blog(
        db, editor, slug="q-and-a", title=SCRIPT_TITLE, standfirst=SCRIPT_STANDFIRST
    )
    async with db.write() as conn:  # a row written before texts were cleaned on save
        await conn.execute(
            sql_update(blogs)
            .where(blogs.c.id == blog.id)
            .values(title=SCRIPT_TITLE + "\x01\x0b", standfirst="\x1b" + SCRIPT_STANDFIRST)
        )
    for extension in ("atom", "rss"):
        body = (await client.get(f"/live/{blog.slug}/feed.{extension}")).content
        ET.fromstring(body)  # noqa: S314 - our own output, parsed as strictly as XML 1.0 allows
        parsed = feedparser.parse(body)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert parsed.feed.title == SCRIPT_TITLE, extension
        subtitle = parsed.feed.subtitle_detail
        shown = subtitle.value
        if subtitle.type == "text/html":  # RSS: readers take every <description> as HTML
            tree = LexborHTMLParser(f"<div>{subtitle.value}</div>")
            assert tree.css("img, script") == [], subtitle.value
            shown = tree.css_first("div").text()
        assert shown == SCRIPT_STANDFIRST, extension
    data = json.loads((await client.get(f"/live/{blog.slug}/feed.json")).content)
    assert data["title"] == SCRIPT_TITLE + "\x01\x0b"
    assert data["description"] == "\x1b" + SCRIPT_STANDFIRST


# The same attack against a real server --------------------------------------------------------


def test_hostile_text_against_a_real_server(live_server: LiveServer) -> None:
    headers = {"Authorization": f"Bearer {live_server.create_api_token()}"}
    with httpx.Client(base_url=live_server.base_url, headers=headers) as http:
        made = http.post(
            "/api/v1/blogs",
            json={
                "slug": "hostile-text",
                "title": "\u202e" + SCRIPT_TITLE,
                "standfirst": SCRIPT_STANDFIRST + "\x07",
                "category": HOSTILE_CATEGORY,
            },
        )
        assert made.status_code == 201, made.text
        blank = http.post("/api/v1/blogs/hostile-text/updates", json={"body": ZERO_WIDTH})
        assert blank.status_code == 422
        assert http.post(
            "/api/v1/blogs/hostile-text/updates", json={"body": "Verdict \u2067due\u2069."}
        ).is_success
        reader = parse(http.get("/live/hostile-text"))
        link = reader.css_first('link[type="application/rss+xml"][href^="/category/"]')
        rss = http.get(link.attributes["href"] or "")
        assert rss.status_code == 200, rss.text
        site = http.get("/live/hostile-text/feed.rss")
    for body in (rss.content, site.content):
        parsed = feedparser.parse(body)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert parsed.entries[0].title == "Verdict due."
    channel = feedparser.parse(site.content).feed
    assert channel.title == SCRIPT_TITLE
    described = LexborHTMLParser(f"<div>{channel.subtitle}</div>")
    assert described.css("img, script") == []
    assert described.css_first("div").text() == SCRIPT_STANDFIRST
