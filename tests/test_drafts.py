"""Contributors' drafts, the blog's team and its audit log, through the editor pages."""

from __future__ import annotations

import httpx
import pytest

from dateline.accounts.service import User
from dateline.db import Database
from dateline.liveblog import queries
from dateline.liveblog.models import Blog
from tests.helpers import csrf_from, logged_in_as, make_user, parse


@pytest.fixture
async def contributor(db: Database, editor_client: httpx.AsyncClient, blog: Blog) -> User:
    """A contributor the blog's editor has put on the team (editor_client stays logged in)."""
    user = await make_user(db, "contributor", "ines@example.org")
    page = await editor_client.get(f"/admin/live/{blog.slug}/team")
    added = await editor_client.post(
        f"/admin/live/{blog.slug}/team",
        data={"csrf_token": csrf_from(page), "email": user.email},
    )
    assert added.status_code == 303
    return user


async def _send_draft(
    http: httpx.AsyncClient, blog: Blog, body: str, headline: str = ""
) -> httpx.Response:
    page = await http.get(f"/admin/live/{blog.slug}")
    return await http.post(
        f"/admin/live/{blog.slug}/updates",
        data={
            "csrf_token": csrf_from(page),
            "body": body,
            "headline": headline,
            "action": "publish",
        },
    )


async def test_a_contributor_sends_a_draft_that_readers_never_see(
    app: object, db: Database, client: httpx.AsyncClient, blog: Blog, contributor: User
) -> None:
    async with logged_in_as(app, contributor) as http:
        page = parse(await http.get(f"/admin/live/{blog.slug}"))
        assert page.css_first(".update-form button[value=publish]").text() == "Send to editors"
        assert page.css_first("input[name=pinned]") is None
        assert page.css_first(".update__controls") is None  # no edit/pin/delete buttons
        sent = await _send_draft(http, blog, "Polling station 14 ran out of ballots.", "Ballots")
        assert sent.status_code == 303
        assert sent.headers["location"] == f"/admin/live/{blog.slug}/drafts"
        mine = parse(await http.get(f"/admin/live/{blog.slug}/drafts")).css_first("#drafts")
        assert "Ballots" in mine.text()
        assert "pending" in mine.text()

    reader = await client.get(f"/live/{blog.slug}")
    assert "ran out of ballots" not in reader.text
    async with db.read() as conn:
        assert (await queries.blog_by_slug(conn, blog.slug)).last_seq == blog.last_seq


async def test_an_editor_edits_and_publishes_a_draft_under_its_authors_name(
    app: object,
    db: Database,
    editor_client: httpx.AsyncClient,
    client: httpx.AsyncClient,
    blog: Blog,
    contributor: User,
) -> None:
    async with logged_in_as(app, contributor) as http:
        await _send_draft(http, blog, "Turnout passed 60 per cent at noon.", "Turnout")
    editor_page = parse(await editor_client.get(f"/admin/live/{blog.slug}"))
    assert editor_page.css_first("#desk-heading").text(strip=True) == "1 draft waiting"
    queue = await editor_client.get(f"/admin/live/{blog.slug}/drafts")
    link = parse(queue).css_first("#drafts tbody a").attributes["href"]
    review = await editor_client.get(link)
    assert parse(review).css_first("#body").text() == "Turnout passed 60 per cent at noon."
    published = await editor_client.post(
        f"{link}/publish",
        data={
            "csrf_token": csrf_from(review),
            "headline": "Turnout above 60%",
            "body": "Turnout passed 60 per cent at noon, the commission says.",
            "action": "publish",
        },
    )
    assert published.status_code == 303

    stream = parse(await client.get(f"/live/{blog.slug}"))
    article = stream.css_first("article.update")
    assert "Turnout above 60%" in article.text()
    assert "the commission says" in article.text()
    assert article.css_first(".byline").text() == contributor.display_name

    again = await editor_client.post(
        f"{link}/publish", data={"csrf_token": csrf_from(review), "body": "Twice?"}
    )
    assert again.status_code == 422  # the form again, with why
    assert "already published" in again.text

    audit = parse(await editor_client.get(f"/admin/live/{blog.slug}/audit")).css("#audit tbody tr")
    lines = [" ".join(row.text(separator=" ").split()) for row in audit]
    editor, author = "Reporter editor", contributor.display_name
    update_id = int(article.attributes["data-update-id"] or 0)
    assert any(f"{author} sent draft " in line and contributor.email in line for line in lines)
    assert any(
        f"{editor} published draft " in line and f" as update {update_id}" in line for line in lines
    )
    assert any(f"{editor} published update {update_id}" in line for line in lines)
    assert any(f"{editor} added {contributor.email} to the team" in line for line in lines)


async def test_a_rejected_draft_goes_back_with_the_editors_note(
    app: object, editor_client: httpx.AsyncClient, blog: Blog, contributor: User
) -> None:
    async with logged_in_as(app, contributor) as http:
        await _send_draft(http, blog, "Rumour: the count is rigged.")
        link = (
            parse(await editor_client.get(f"/admin/live/{blog.slug}/drafts"))
            .css_first("#drafts tbody a")
            .attributes["href"]
        )
        review = await editor_client.get(link)
        empty = await editor_client.post(
            f"{link}/reject", data={"csrf_token": csrf_from(review), "review_note": " "}
        )
        assert empty.status_code == 422
        assert "Tell the author why" in empty.text
        rejected = await editor_client.post(
            f"{link}/reject",
            data={"csrf_token": csrf_from(review), "review_note": "Unsourced: who says so?"},
        )
        assert rejected.status_code == 303
        mine = parse(await http.get(f"/admin/live/{blog.slug}/drafts")).css_first("#drafts")
        assert "sent back by Reporter editor" in mine.text()
        assert "Unsourced: who says so?" in mine.text()


async def test_the_team_page_adds_and_removes_people(
    app: object, editor_client: httpx.AsyncClient, blog: Blog, contributor: User
) -> None:
    page = await editor_client.get(f"/admin/live/{blog.slug}/team")
    emails = [row.css("td")[1].text() for row in parse(page).css("#members tbody tr")]
    assert sorted(emails) == ["editor@example.org", "ines@example.org"]
    unknown = await editor_client.post(
        f"/admin/live/{blog.slug}/team",
        data={"csrf_token": csrf_from(page), "email": "nobody@example.org"},
    )
    assert unknown.status_code == 422
    assert "invite them first" in unknown.text
    assert parse(unknown).css_first("#member-email").attributes["value"] == "nobody@example.org"
    removed = await editor_client.post(
        f"/admin/live/{blog.slug}/team/{contributor.id}/remove",
        data={"csrf_token": csrf_from(page)},
    )
    assert removed.status_code == 303
    async with logged_in_as(app, contributor) as http:
        assert (await http.get(f"/admin/live/{blog.slug}")).status_code == 403
        account = await http.get("/admin/account")  # a fresh form token, then post anyway
        refused = await http.post(
            f"/admin/live/{blog.slug}/updates",
            data={"csrf_token": csrf_from(account), "body": "Still here?", "action": "publish"},
        )
        assert refused.status_code == 403
