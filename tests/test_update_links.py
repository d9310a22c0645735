"""Newsroom links to an update open the editor's page that holds it: with more than a page
of newer updates, "#update-N" on the first page would miss it (the QA walkthrough's search
result did; the editor's links had the same shape)."""

from __future__ import annotations

import httpx

from dateline.accounts.service import User
from dateline.db import Database
from dateline.liveblog.models import Blog
from tests.helpers import parse, post


async def test_back_from_editing_an_older_update_lands_on_its_page_of_the_editor(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    oldest = await post(db, blog, editor, "The first warning went out.")
    for n in range(22):  # newer updates push the first one to page 2
        await post(db, blog, editor, f"Water levels, reading {n}.")
    form = parse(await editor_client.get(f"/admin/live/{blog.slug}/updates/{oldest.id}/edit"))
    back = form.css_first("main .panel p a").attributes["href"]
    assert back == f"/admin/live/{blog.slug}/updates/{oldest.id}"
    answer = await editor_client.get(back)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/admin/live/{blog.slug}?page=2#update-{oldest.id}"
    opened = parse(await editor_client.get(answer.headers["location"]))
    assert opened.css_first(f"#update-{oldest.id}") is not None


async def test_marking_an_older_update_as_key_event_returns_to_its_page_with_the_notice(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    oldest = await post(db, blog, editor, "The first warning went out.")
    for n in range(22):
        await post(db, blog, editor, f"Water levels, reading {n}.")
    second = parse(await editor_client.get(f"/admin/live/{blog.slug}?page=2"))
    action = f"/admin/live/{blog.slug}/updates/{oldest.id}/key-event"
    form = second.css_first(f'form[action="{action}"]')
    token = form.css_first("input[name=csrf_token]").attributes["value"]
    answer = await editor_client.post(action, data={"csrf_token": token, "on": "1"})
    landed = await editor_client.get(answer.headers["location"], follow_redirects=True)
    assert landed.url.params["page"] == "2"
    assert landed.url.fragment == f"update-{oldest.id}"
    page = parse(landed)
    assert page.css_first(f"#update-{oldest.id} .label--key") is not None
    assert page.css_first(".flash").text() == "Marked as a key event."
