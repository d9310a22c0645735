"""Defects a walkthrough of the reader and editor pages found, each kept fixed by a test."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import update as sql_update
from starlette.applications import Starlette

from dateline.accounts.service import User
from dateline.comments import abuse
from dateline.comments import service as comments
from dateline.comments.models import CommentDraft
from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import updates
from dateline.liveblog import drafts, team
from dateline.liveblog.models import Blog, UpdateDraft
from dateline.liveblog.service import set_recap
from tests.helpers import csrf_from, log_in, make_blog, make_user, parse, post

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


def _switch(page: httpx.Response) -> dict[str, str]:
    """The footer's language links, by language name."""
    links = parse(page).css(".language-switch a")
    return {link.text(): str(link.attributes["href"]) for link in links}


async def test_the_language_switch_keeps_the_search_the_reader_made(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/search", params={"q": "storm"})
    deutsch = _switch(page)["Deutsch"]
    assert deutsch == "/language/de?next=/search%3Fq%3Dstorm"
    back = await client.get(deutsch)
    assert back.headers["location"] == "/search?q=storm"
    again = await client.get(back.headers["location"])
    assert parse(again).css_first("html").attributes["lang"] == "de"


async def test_after_a_form_error_the_language_switch_leads_to_the_forms_page(
    editor_client: httpx.AsyncClient,
) -> None:
    """An error page answers a POST: its own address takes no GET (it was a 405)."""
    account = await editor_client.get("/admin/account")
    form = {"display_name": "", "csrf_token": csrf_from(account)}
    for referer in ({"referer": "http://testserver/admin/account"}, {}):
        error = await editor_client.post("/admin/account/name", data=form, headers=referer)
        assert error.status_code == 422
        back = await editor_client.get(_switch(error)["Deutsch"])
        assert back.headers["location"] == "/admin/account"
        assert (await editor_client.get("/admin/account")).status_code == 200


async def test_a_reader_without_javascript_sees_the_thanks_where_the_comments_are(
    client: httpx.AsyncClient, blog: Blog, db: Database, settings: Settings, editor: User
) -> None:
    """The redirect lands on #comments, far down a long page: a thanks drawn at the top of
    the page was never seen. Sending and reporting both say so at the comments section."""
    page = parse(await client.get(f"/live/{blog.slug}"))
    action = str(page.css_first("form[data-comment-form]").attributes["action"])
    sent = await client.post(action, data={"body": "Is the bridge open?"}, headers=SAME_SITE)
    assert sent.headers["location"].endswith("#comments")
    thanks = parse(await client.get(sent.headers["location"]))
    assert [p.text() for p in thanks.css(".flash")] == ["Thanks — an editor will read it."]
    assert thanks.css_first("#comments .flash") is not None

    shown = await comments.submit(
        db, blog.slug, CommentDraft("Disputed claim", ""), "2", abuse.Rules.of(settings)
    )
    assert shown is not None
    await comments.approve(db, blog.slug, shown.id, editor)
    page = parse(await client.get(f"/live/{blog.slug}"))
    report = page.css_first(f"#comment-{shown.id} form[data-comment-report]")
    reported = await client.post(str(report.attributes["action"]), headers=SAME_SITE)
    again = parse(await client.get(reported.headers["location"]))
    assert [p.text() for p in again.css("#comments .flash")] == [
        "Thank you: an editor will look at it again."
    ]
    assert len(again.css(".flash")) == 1


async def test_other_pages_keep_their_message_at_the_top(
    editor_client: httpx.AsyncClient,
) -> None:
    account = await editor_client.get("/admin/account")
    form = {"display_name": "Ana Desk", "csrf_token": csrf_from(account)}
    saved = await editor_client.post("/admin/account/name", data=form)
    page = parse(await editor_client.get(saved.headers["location"]))
    flash = page.css_first("body > .wrap > .flash")
    assert flash is not None
    assert flash.text().startswith("Name saved.")


@pytest.mark.parametrize("role", ["contributor", "editor"])
async def test_every_newsroom_link_a_person_is_shown_opens_for_them(
    client: httpx.AsyncClient, db: Database, editor: User, role: str
) -> None:
    """A contributor was shown "Stories" and "Sources", which answer them 403."""
    person = editor if role == "editor" else await make_user(db, role, "c@example.org")
    blog = await make_blog(db, editor)
    async with db.write() as conn:
        await team.join(conn, blog.id, person.id, editor.id)
    await log_in(client, person.email)
    pages = ["/admin", f"/admin/live/{blog.slug}", f"/admin/live/{blog.slug}/inbox"]
    shown: set[str] = set()
    for page in pages:
        html = parse(await client.get(page))
        shown |= {str(a.attributes["href"]) for a in html.css("main a[href], header a[href]")}
    admin_links = sorted(href for href in shown if href.startswith("/admin/"))
    answers = {href: (await client.get(href)).status_code for href in admin_links}
    assert [href for href, status in answers.items() if status == 403] == []
    assert ("/admin/stories" in answers) == (role == "editor")
    assert ("/admin/sources" in answers) == (role == "editor")


async def test_every_newsroom_page_names_the_site_in_its_tab_title(
    app: Starlette, client: httpx.AsyncClient, db: Database
) -> None:
    chief = await make_user(db, "admin", "chief@example.org")
    blog = await make_blog(db, chief)
    update = await post(db, blog, chief, "Roads are closing.")
    draft = await drafts.save_draft(db, blog.slug, UpdateDraft("Queues at noon."), chief)
    ids = {"slug": blog.slug, "update_id": update.id, "draft_id": draft.id}
    await log_in(client, chief.email)
    titles = {}
    for route in iter_route_contexts(app.routes):
        wanted = set(re.findall(r"{(\w+)}", route.path))
        if not route.path.startswith("/admin") or "GET" not in (route.methods or ()):
            continue
        if wanted - set(ids):
            continue  # an inbox item or a story: the same layout as the pages here
        answer = await client.get(route.path.format(**ids))
        if "text/html" in answer.headers.get("content-type", "") and "<html" in answer.text:
            titles[route.path] = parse(answer).css_first("title").text()
    assert len(titles) >= 20
    assert {path: title for path, title in titles.items() if not title.endswith("· Dateline")} == {}


async def test_the_front_and_the_live_page_mean_the_same_last_update(
    client: httpx.AsyncClient, db: Database, editor: User, blog: Blog
) -> None:
    """Right after a recap edit the live page said "Last updated 2 minutes ago" while the
    front page said "Last update 21 minutes ago": both now give the newest update's time."""
    first = await client.get(f"/live/{blog.slug}")
    assert "Live since" in parse(first).css_first(".last-updated [data-live-since]").text()
    update = await post(db, blog, editor, "The river is rising.")
    earlier = update.published_at - timedelta(minutes=21)
    async with db.write() as conn:
        await conn.execute(
            sql_update(updates).where(updates.c.id == update.id).values(published_at=earlier)
        )
    await set_recap(db, blog.slug, ["Six towns warned."], editor)
    page = parse(await client.get(f"/live/{blog.slug}"))
    assert page.css(".last-updated [data-live-since]") == []
    live = page.css_first(".last-updated [data-last-update]")
    assert "hidden" not in live.attributes
    front = parse(await client.get("/"))
    (card,) = front.css("li.blog-card")
    front_time = card.css_first(".meta time").attributes["datetime"]
    assert live.text().startswith("Last update")
    assert live.css_first("time").attributes["datetime"] == front_time == earlier.isoformat()
