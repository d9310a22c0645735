"""Dates on the newsroom's account, users and audit pages read the way the editor's language
writes them (Babel, like every other page), the oEmbed iframe is titled in the blog's
language, and static files are linked by their route's name."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import httpx
from selectolax.lexbor import LexborHTMLParser
from starlette.applications import Starlette

from dateline import i18n, timefmt
from dateline.accounts import invites
from dateline.accounts.service import User
from dateline.db import Database
from dateline.liveblog import service
from dateline.liveblog.models import BlogDraft
from dateline.web.services import of_app
from tests.helpers import log_in, make_blog, make_user, parse, post

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}


def times(page: httpx.Response, selector: str) -> list[tuple[datetime, str]]:
    """Each `<time>` in the table: the moment it stands for, and the words shown for it."""
    found = parse(page).css(f"{selector} tbody time")
    return [(datetime.fromisoformat(t.attributes["datetime"] or ""), t.text()) for t in found]


def said(moment: datetime, zone: str, language: str) -> str:
    with i18n.using(language):
        return timefmt.full(moment, zone)


async def test_the_audit_log_dates_read_german_in_the_blogs_time_zone(
    editor_client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    blog = await make_blog(db, editor, time_zone="Europe/Berlin")
    await post(db, blog, editor, "Polls have closed.")
    page = await editor_client.get(f"/admin/live/{blog.slug}/audit", headers=GERMAN)
    lines = times(page, "#audit")
    assert lines
    for moment, shown in lines:
        assert shown == said(moment, "Europe/Berlin", "de")
        assert shown != said(moment, "Europe/Berlin", "en")
    assert parse(page).css_first("#audit thead th").text() == "Wann"


async def test_the_account_page_says_when_sessions_expire_in_german(
    editor_client: httpx.AsyncClient,
) -> None:
    page = await editor_client.get("/admin/account", headers=GERMAN)
    sessions = times(page, "#sessions")
    assert sessions
    for moment, shown in sessions:
        assert shown == said(moment, "UTC", "de")
        assert shown != said(moment, "UTC", "en")


async def test_pending_invitations_expire_on_a_german_date(
    client: httpx.AsyncClient, db: Database
) -> None:
    admin = await make_user(db, "admin", "chief@example.org")
    await invites.invite(db, admin, "late@example.org", "editor")
    await log_in(client, admin.email)
    page = await client.get("/admin/users", headers=GERMAN)
    (invited,) = times(page, "#invites")
    moment, shown = invited
    assert shown == said(moment, "UTC", "de")
    assert shown != said(moment, "UTC", "en")


async def test_the_oembed_iframe_is_titled_in_the_blogs_language(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    draft = BlogDraft(
        title="Sturmflut an der Nordsee",
        slug="sturmflut",
        standfirst="Der Tag im Überblick.",
        category="Wetter",
        time_zone="Europe/Berlin",
        language="de",
    )
    blog = await service.create_blog(db, draft, editor)
    address = quote(f"http://testserver/live/{blog.slug}", safe="")
    answer = await client.get(f"/oembed?url={address}&format=json")
    frame = LexborHTMLParser(answer.json()["html"]).css_first("iframe")
    with i18n.using("de"):
        german = i18n.gettext("%(title)s – live") % {"title": blog.title}
    assert frame.attributes["title"] == german


async def test_static_files_are_linked_by_their_route_and_cached_for_good(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    page = await client.get("/")
    href = parse(page).css_first('link[rel="stylesheet"]').attributes["href"] or ""
    version = of_app(app).static["dateline.css"].version
    route = app.url_path_for("web.static", name="dateline.css")
    assert href == f"{route}?v={version}"
    css = await client.get(href)
    assert css.status_code == 200
    assert "immutable" in css.headers["cache-control"]
