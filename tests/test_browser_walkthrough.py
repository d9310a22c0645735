"""Phone-width defects a walkthrough found, checked in Chromium: no editor page scrolls
sideways at 360 px, the facts table keeps its headings' words whole, and the reader's comment
form has fields big enough to touch."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.chromium import browser, sign_in
from tests.live_server import LiveServer, live_server

__all__ = ["browser", "live_server"]
pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 360, "height": 740}
ADMIN_EMAIL = "chief@example.org"
ADMIN_PASSWORD = "a long enough admin password"
# A blog title as long as newsrooms write them: it fills every blog <select> on the desk.
TITLE = "Storm Idris: floods, evacuations and the clean-up across the north coast, as it happened"
SLUG = "storm-idris"
# Every admin page a person opens (fragments and downloads aside), `{slug}` the blog above.
ADMIN_PAGES = [
    "/admin",
    "/admin/account",
    "/admin/blogs/new",
    "/admin/users",
    "/admin/webhooks",
    "/admin/sources",
    "/admin/sources/discover",
    "/admin/sources/import",
    "/admin/stories",
    "/admin/live/{slug}",
    "/admin/live/{slug}/recap",
    "/admin/live/{slug}/end",
    "/admin/live/{slug}/drafts",
    "/admin/live/{slug}/team",
    "/admin/live/{slug}/audit",
    "/admin/live/{slug}/inbox",
    "/admin/live/{slug}/facts",
    "/admin/live/{slug}/comments",
]


@pytest.fixture(scope="module")
def newsroom(live_server: LiveServer) -> LiveServer:
    """An admin, and a blog with a long title whose update names casualties (facts read)."""
    live_server.cli(
        "user", "create", ADMIN_EMAIL, "--role", "admin", "--name", "Chief Editor",
        "--password-stdin", stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    headers = {"Authorization": f"Bearer {live_server.create_api_token()}"}
    with httpx.Client(base_url=live_server.base_url, headers=headers) as api:
        made = api.post("/api/v1/blogs", json={"slug": SLUG, "title": TITLE})
        assert made.status_code == 201, made.text
        body = "Two people were killed in Kharkiv on Monday and five were injured."
        sent = api.post(f"/api/v1/blogs/{SLUG}/updates", json={"body": body})
        assert sent.status_code == 201, sent.text
    live_server.cli("facts", "update")
    return live_server


@pytest.fixture
def phone(browser: Browser, newsroom: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=newsroom.base_url, viewport=PHONE)
    yield context.new_page()
    context.close()


def test_no_editor_page_scrolls_sideways_on_a_360px_phone(phone: Page) -> None:
    sign_in(phone, ADMIN_EMAIL, ADMIN_PASSWORD)
    too_wide = {}
    for path in ADMIN_PAGES:
        answer = phone.goto(path.format(slug=SLUG))
        assert answer is not None
        assert answer.status == 200, path
        width = int(phone.evaluate("document.documentElement.scrollWidth"))
        if width > PHONE["width"]:
            too_wide[path] = width
    assert too_wide == {}


def test_the_facts_table_scrolls_instead_of_breaking_its_headings(phone: Page) -> None:
    phone.goto(f"/live/{SLUG}/facts")
    headings = phone.locator("#incidents th")
    assert headings.count() >= 5
    # One line box per heading: a word broken in two ("Wh" / "at") makes two.
    lines = headings.evaluate_all(
        """cells => cells.map(cell => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            return [cell.textContent.trim(), new Set([...range.getClientRects()]
                .filter(box => box.width > 0).map(box => Math.round(box.top))).size];
        })"""
    )
    assert [text for text, count in lines if count > 1] == []
    assert int(phone.evaluate("document.documentElement.scrollWidth")) <= PHONE["width"]


def test_the_comment_forms_fields_are_big_enough_to_touch(phone: Page) -> None:
    phone.goto(f"/live/{SLUG}")
    for field in ("#comment-name", "#comment-body"):
        box = phone.locator(field).bounding_box()
        assert box is not None
        assert box["height"] >= 24, field
    border = phone.locator("#comment-name").evaluate("e => getComputedStyle(e).borderTopWidth")
    assert border == "2px"  # drawn like every other form's fields


def test_the_first_update_replaces_live_since_with_last_update(
    browser: Browser, newsroom: LiveServer
) -> None:
    headers = {"Authorization": f"Bearer {newsroom.create_api_token()}"}
    with httpx.Client(base_url=newsroom.base_url, headers=headers) as api:
        made = api.post("/api/v1/blogs", json={"slug": "quiet-start", "title": "Quiet start"})
        assert made.status_code == 201, made.text
        context = browser.new_context(base_url=newsroom.base_url, viewport=PHONE)
        page = context.new_page()
        page.goto("/live/quiet-start")
        expect(page.locator("[data-live-since]")).to_be_visible()
        expect(page.locator("[data-last-update]")).to_be_hidden()
        sent = api.post("/api/v1/blogs/quiet-start/updates", json={"body": "Sirens at noon."})
        assert sent.status_code == 201, sent.text
    expect(page.locator("[data-last-update]")).to_be_visible()
    expect(page.locator("[data-last-update] [data-relative]")).to_have_text("just now")
    expect(page.locator("[data-live-since]")).to_have_count(0)
    context.close()
