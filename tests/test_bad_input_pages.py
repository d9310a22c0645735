"""Editor pages given input the database cannot store: a clear answer, never a 500.

PostgreSQL refuses text holding NUL and integers past 32 bits where SQLite shrugs; both
backends run these tests, so the pages behave the same on either."""

from __future__ import annotations

import httpx
import pytest

from dateline.accounts.service import User
from dateline.liveblog.models import Blog
from tests.helpers import PASSWORD, csrf_from, parse


async def test_nul_characters_typed_into_a_form_are_dropped(
    editor_client: httpx.AsyncClient, blog: Blog
) -> None:
    page = await editor_client.get(f"/admin/live/{blog.slug}")
    answer = await editor_client.post(
        f"/admin/live/{blog.slug}/updates",
        data={"csrf_token": csrf_from(page), "body": "Count\x00 resumes", "action": "publish"},
    )
    assert answer.status_code == 303
    stream = parse(await editor_client.get(f"/live/{blog.slug}"))
    assert stream.css_first("article.update .update__body").text().strip() == "Count resumes"


async def test_a_nul_in_the_login_form_is_just_a_wrong_login(
    client: httpx.AsyncClient, editor: User
) -> None:
    page = await client.get("/login")
    answer = await client.post(
        "/login",
        data={"csrf_token": csrf_from(page), "email": "edi\x00tor@example.org", "password": "x"},
    )
    assert answer.status_code == 401
    assert "do not match an account" in answer.text
    right = await client.post(
        "/login",
        data={"csrf_token": csrf_from(answer), "email": editor.email, "password": PASSWORD},
    )
    assert right.status_code == 303


async def test_an_update_number_past_any_range_is_refused_with_a_message(
    editor_client: httpx.AsyncClient, blog: Blog
) -> None:
    answer = await editor_client.get(f"/admin/live/{blog.slug}/updates/99999999999/edit")
    assert answer.status_code == 400
    assert "update_id" in parse(answer).css_first("main").text()


@pytest.mark.parametrize(
    "path",
    [
        "/live/a%00b",
        "/live/a%00b/events",
        "/live/a%00b/changes?since=1",
        "/live/a%00b/feed.atom",
        "/embed/a%00b",
        "/api/v1/blogs/a%00b",
    ],
)
async def test_an_address_no_blog_could_have_is_simply_not_found(
    client: httpx.AsyncClient, path: str
) -> None:
    answer = await client.get(path)
    # A NUL is refused before routing (limits.py): 422 in the API, a 400 page elsewhere. The
    # event stream runs ahead of the middleware (realtime/sse.py) and finds no such blog.
    expected = 404 if path.endswith("/events") else 400
    assert answer.status_code == (422 if path.startswith("/api/") else expected)
