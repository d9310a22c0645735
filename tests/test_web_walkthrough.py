"""Defects a walkthrough of the reader and editor pages found, each kept fixed by a test."""

from __future__ import annotations

import httpx

from dateline.accounts.service import User
from dateline.comments import abuse
from dateline.comments import service as comments
from dateline.comments.models import CommentDraft
from dateline.config import Settings
from dateline.db import Database
from dateline.liveblog.models import Blog
from tests.helpers import csrf_from, parse

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
