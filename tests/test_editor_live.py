"""The editor's blog page follows the blog live: a colleague's update arrives with its
controls, a contributor's draft shows on the desk (never on a reader's stream), the
dashboard counts the drafts waiting, and a contributor sees what became of their draft.

Over HTTP for the desk's answers and who may read them; in Chromium for the page itself."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from dateline.accounts.service import User
from dateline.db import Database
from dateline.liveblog import drafts, team
from dateline.liveblog.models import Blog, UpdateDraft
from tests.chromium import browser, sign_in
from tests.helpers import logged_in_as, make_user, parse, post
from tests.live_server import LiveServer, live_server

__all__ = ["browser", "live_server"]


@pytest.fixture
async def contributor(db: Database, blog: Blog, editor: User) -> User:
    user = await make_user(db, "contributor", "ines@example.org")
    async with db.write() as conn:
        await team.join(conn, blog.id, user.id, editor.id)
    return user


async def _desk(http: httpx.AsyncClient, blog: Blog, since: int) -> dict[str, Any]:
    answer = await http.get(f"/admin/live/{blog.slug}/changes", params={"since": since})
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "private, no-store"
    body: dict[str, Any] = answer.json()
    return body


async def test_the_desk_sends_a_colleagues_update_with_the_controls_of_the_editor(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog
) -> None:
    colleague = await make_user(db, "admin", "bo@example.org")
    done = await post(db, blog, colleague, "The bridge has reopened.", headline="Bridge open")
    body = await _desk(editor_client, blog, blog.last_seq)
    [event] = body["events"]
    assert (event["kind"], event["update_id"], body["seq"]) == ("update.published", done.id, 2)
    update = HTMLParser(event["html"])
    assert "The bridge has reopened." in update.text()
    controls = update.css_first(".update__controls")
    assert controls is not None
    assert controls.css_first("a").text() == "Edit"
    assert controls.css_first("input[name=csrf_token]").attributes["value"]
    # The reader's frame of the same event has no controls.
    reader = (await editor_client.get(f"/live/{blog.slug}/changes?since={blog.last_seq}")).json()
    assert "update__controls" not in reader["events"][0]["html"]


async def test_the_desk_says_reload_to_a_page_too_far_behind_or_ahead(
    editor_client: httpx.AsyncClient, blog: Blog
) -> None:
    assert (await _desk(editor_client, blog, blog.last_seq + 5))["reset"] is True
    assert (await _desk(editor_client, blog, blog.last_seq))["reset"] is False


async def test_a_draft_is_on_the_editors_desk_and_never_on_a_readers_stream(
    app: object,
    client: httpx.AsyncClient,
    db: Database,
    blog: Blog,
    editor: User,
    contributor: User,
) -> None:
    await drafts.save_draft(
        db, blog.slug, UpdateDraft("Ballots ran out.", "No ballots"), contributor
    )
    async with logged_in_as(app, editor) as http:
        box = HTMLParser((await _desk(http, blog, blog.last_seq))["desk_html"])
    assert box.css_first("#desk-heading").text(strip=True) == "1 draft waiting"
    assert [d.text(strip=True) for d in box.css(".desk__draft a")] == ["No ballots"]
    assert "Reporter contributor" in box.css_first(".desk__draft").text()

    stream = await client.get(f"/live/{blog.slug}/changes?since=0")
    assert "Ballots" not in stream.text
    assert "ballots" not in stream.text
    anonymous = await client.get(f"/admin/live/{blog.slug}/changes?since=0")
    assert anonymous.status_code == 303  # to the login page
    stranger = await make_user(db, "contributor", "off-team@example.org")
    async with logged_in_as(app, stranger) as http:
        refused = await http.get(f"/admin/live/{blog.slug}/changes?since=0")
    assert refused.status_code == 403
    assert "Ballots" not in refused.text


async def test_a_contributor_sees_who_sent_their_draft_back_and_why(
    app: object, db: Database, blog: Blog, editor: User, contributor: User
) -> None:
    sent = await drafts.save_draft(
        db, blog.slug, UpdateDraft("Turnout 70%.", "Turnout"), contributor
    )
    await drafts.reject_draft(db, blog.slug, sent.id, "Which source says 70%?", editor)
    async with logged_in_as(app, contributor) as http:
        box = HTMLParser((await _desk(http, blog, blog.last_seq))["desk_html"])
        listed = parse(await http.get(f"/admin/live/{blog.slug}/drafts")).css_first("#drafts")
        page = parse(await http.get(f"/admin/live/{blog.slug}"))
    [mine] = box.css(".desk__draft")
    assert "sent back by Reporter editor just now" in mine.text()
    assert mine.css_first("q").text() == "Which source says 70%?"
    assert "sent back by Reporter editor" in listed.text()
    assert page.css_first("[data-desk-slot] .desk__draft") is not None  # on their next page


async def test_a_contributor_sees_who_published_their_draft(
    app: object, db: Database, blog: Blog, editor: User, contributor: User
) -> None:
    sent = await drafts.save_draft(
        db, blog.slug, UpdateDraft("Count starts.", "Count"), contributor
    )
    await drafts.publish_draft(db, blog.slug, sent.id, sent.content, editor)
    async with logged_in_as(app, contributor) as http:
        box = HTMLParser((await _desk(http, blog, blog.last_seq))["desk_html"])
    assert "published by Reporter editor just now" in box.css_first(".desk__draft").text()


async def test_the_dashboard_counts_the_drafts_waiting_on_each_blog(
    app: object, db: Database, blog: Blog, editor: User, contributor: User
) -> None:
    for body in ("First draft.", "Second draft."):
        await drafts.save_draft(db, blog.slug, UpdateDraft(body), contributor)
    async with logged_in_as(app, editor) as http:
        cell = parse(await http.get("/admin")).css_first("td.drafts-waiting a")
    assert cell.text(strip=True) == "2"
    assert cell.attributes["href"] == f"/admin/live/{blog.slug}/drafts"


# In Chromium ----------------------------------------------------------------------------------

_blogs = itertools.count(1)
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def colleague(live_server: LiveServer) -> str:
    """A second newsroom account on the live server (an admin: on every blog's desk)."""
    email = "bo@example.org"
    live_server.cli(
        "user", "create", email, "--role", "admin", "--name", "Bo Desk",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    return email


@pytest.fixture
def live_blog(live_server: LiveServer) -> str:
    headers = {"Authorization": f"Bearer {live_server.create_api_token()}"}
    slug = f"desk-{next(_blogs)}"
    with httpx.Client(base_url=live_server.base_url, headers=headers) as api:
        made = api.post("/api/v1/blogs", json={"slug": slug, "title": "Floods in Wey"})
        assert made.status_code == 201
    return slug


@pytest.fixture
def pages(browser: Browser, live_server: LiveServer, colleague: str) -> Iterator[list[Page]]:
    """Ada's page and Bo's, each in its own browser context."""
    opened = []
    for email in (live_server.email, colleague):
        context = browser.new_context(
            base_url=live_server.base_url, viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        sign_in(page, email, PASSWORD)
        opened.append(page)
    yield opened
    for page in opened:
        page.context.close()


@pytest.mark.browser
def test_a_colleagues_update_and_recap_appear_on_the_editors_page_without_reload(
    pages: list[Page], live_blog: str
) -> None:
    ada, bo = pages
    ada.goto(f"/admin/live/{live_blog}")
    ada.evaluate("window.stillTheSamePage = true")
    bo.goto(f"/admin/live/{live_blog}")
    bo.fill("#body", "The footbridge at Wey has reopened.")
    bo.get_by_role("button", name="Publish update").click()
    bo.wait_for_url(f"**/admin/live/{live_blog}**")

    arrived = ada.locator(".update", has_text="footbridge at Wey has reopened")
    expect(arrived).to_be_visible()
    expect(arrived.get_by_role("link", name="Edit")).to_be_visible()  # as an editor sees it
    expect(arrived.locator(".byline")).to_have_text("Bo Desk")

    bo.goto(f"/admin/live/{live_blog}/recap")
    bo.fill("#items", "Footbridge open again")
    bo.get_by_role("button", name="Save recap").click()
    expect(ada.locator("[data-recap-slot]")).to_contain_text("Footbridge open again")
    assert ada.evaluate("window.stillTheSamePage") is True


def _contributor_on_the_team(editor: Page, live_server: LiveServer, live_blog: str) -> str:
    """Ines, a contributor the editor puts on the blog's team; her e-mail address."""
    email = f"ines-{live_blog}@example.org"
    live_server.cli(
        "user", "create", email, "--role", "contributor", "--name", "Ines Field",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    editor.goto(f"/admin/live/{live_blog}/team")
    editor.fill("#member-email", email)
    editor.get_by_role("button", name="Add to the team").click()
    editor.wait_for_url(f"**/admin/live/{live_blog}/team")
    return email


@pytest.mark.browser
def test_a_contributors_draft_appears_on_the_desk_and_the_dashboard(
    pages: list[Page], live_server: LiveServer, live_blog: str
) -> None:
    ada, _ = pages
    email = _contributor_on_the_team(ada, live_server, live_blog)
    ada.clock.install()  # the desk asks for drafts every 10 s: the test moves the clock
    ada.goto(f"/admin/live/{live_blog}")
    desk = ada.locator("[data-desk-slot]")
    expect(desk.locator("#desk-heading")).to_have_text("0 drafts waiting")
    token = live_server.cli("token", "create", email, "--name", "desk-test").strip()
    with httpx.Client(
        base_url=live_server.base_url, headers={"Authorization": f"Bearer {token}"}
    ) as api:
        sent = api.post(
            f"/api/v1/blogs/{live_blog}/updates",
            json={"headline": "Sandbags at the town hall", "body": "Volunteers are filling them."},
        )
        assert sent.status_code == 201
        assert json.loads(sent.text)["status"] == "draft"
    ada.clock.run_for(11_000)
    expect(desk.locator("#desk-heading")).to_have_text("1 draft waiting")
    expect(desk.get_by_role("link", name="Sandbags at the town hall")).to_be_visible()
    reader = httpx.get(f"{live_server.base_url}/live/{live_blog}").text
    assert "Sandbags" not in reader

    ada.goto("/admin")
    row = ada.locator("tr", has_text="Floods in Wey").filter(
        has=ada.locator(f'a[href="/admin/live/{live_blog}"]')
    )
    expect(row.locator("td.drafts-waiting")).to_have_text("1")


@pytest.mark.browser
def test_a_contributor_is_told_on_their_page_that_a_draft_was_sent_back(
    browser: Browser, pages: list[Page], live_server: LiveServer, live_blog: str
) -> None:
    ada, _ = pages
    email = _contributor_on_the_team(ada, live_server, live_blog)
    context = browser.new_context(base_url=live_server.base_url)
    try:
        ines = context.new_page()
        ines.goto("/login")
        ines.fill("#email", email)
        ines.fill("#password", PASSWORD)
        ines.press("#password", "Enter")
        ines.wait_for_url("**/admin")
        ines.clock.install()  # her page asks every 10 s: the test moves the clock
        ines.goto(f"/admin/live/{live_blog}")
        ines.fill("#headline", "Dam breached")
        ines.fill("#body", "The old dam north of Wey has given way.")
        ines.get_by_role("button", name="Send to editors").click()
        ines.wait_for_url(f"**/admin/live/{live_blog}/drafts**")
        ines.goto(f"/admin/live/{live_blog}")
        mine = ines.locator("[data-desk-slot] .desk__draft", has_text="Dam breached")
        expect(mine).to_contain_text("pending")

        ada.goto(f"/admin/live/{live_blog}")
        ada.locator("[data-desk-slot]").get_by_role("link", name="Dam breached").click()
        ada.fill("#review_note", "Which agency confirms it?")
        ada.get_by_role("button", name="Reject").click()
        ada.wait_for_url(f"**/admin/live/{live_blog}/drafts**")

        ines.clock.run_for(11_000)
        expect(mine).to_contain_text("sent back by Ada Reporter")
        expect(mine.locator("q")).to_have_text("Which agency confirms it?")
    finally:
        context.close()
