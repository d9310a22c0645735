"""A page that falls too far behind to replay its missed changes must reload, but never over
what someone is typing: the editor's half-written update stays, the page says why it stopped
following and offers the reload; an untouched page reloads itself and shows every change.

In Chromium against a real server whose replay limit is 3 events, so a few updates sent
while the page is offline put it out of reach."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.chromium import browser, sign_in
from tests.live_server import LiveServer, live_server

__all__ = ["browser", "live_server"]

_blogs = itertools.count(1)


@pytest.fixture(scope="module")
def live_server_settings() -> dict[str, str]:
    return {"DATELINE_SSE_REPLAY_LIMIT": "3"}


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {live_server.create_api_token()}"}
    with httpx.Client(base_url=live_server.base_url + "/api/v1", headers=headers) as client:
        yield client


@pytest.fixture
def live_blog(api: httpx.Client) -> str:
    slug = f"behind-{next(_blogs)}"
    assert api.post("/blogs", json={"slug": slug, "title": "Gales on the Wey"}).status_code == 201
    return slug


@pytest.fixture
def editor_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.base_url, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    sign_in(page, live_server.email, live_server.password)
    yield page
    context.close()


def _miss_five_updates(page: Page, api: httpx.Client, slug: str) -> None:
    """Five colleagues' updates while the page is offline: more than the server replays."""
    page.context.set_offline(True)
    for number in range(1, 6):
        sent = api.post(f"/blogs/{slug}/updates", json={"body": f"Gust report {number}."})
        assert sent.status_code == 201
    page.context.set_offline(False)


@pytest.mark.browser
def test_a_page_too_far_behind_keeps_the_update_being_typed(
    editor_page: Page, api: httpx.Client, live_blog: str
) -> None:
    editor_page.goto(f"/admin/live/{live_blog}")
    editor_page.evaluate("window.stillTheSamePage = true")
    editor_page.fill("#body", "Half a sentence about the ferry at")

    _miss_five_updates(editor_page, api, live_blog)

    notice = editor_page.locator("[data-connection]")
    expect(notice).to_contain_text("missed too many changes", timeout=30_000)
    assert editor_page.evaluate("window.stillTheSamePage") is True
    expect(editor_page.locator("#body")).to_have_value("Half a sentence about the ferry at")

    editor_page.fill("#body", "Half a sentence about the ferry at Wey: it is cancelled.")
    editor_page.get_by_role("button", name="Publish update").click()
    expect(editor_page.locator(".update", has_text="ferry at Wey: it is cancelled")).to_be_visible()
    expect(editor_page.locator(".update", has_text="Gust report 5.")).to_be_visible()


@pytest.mark.browser
def test_an_untouched_page_too_far_behind_reloads_with_every_change(
    editor_page: Page, api: httpx.Client, live_blog: str
) -> None:
    editor_page.goto(f"/admin/live/{live_blog}")
    editor_page.evaluate("window.stillTheSamePage = true")

    _miss_five_updates(editor_page, api, live_blog)

    for number in range(1, 6):
        expect(editor_page.locator(".update", has_text=f"Gust report {number}.")).to_be_visible(
            timeout=30_000
        )
    assert editor_page.evaluate("window.stillTheSamePage") is None


@pytest.mark.browser
def test_the_reload_button_brings_the_page_up_to_date(
    editor_page: Page, api: httpx.Client, live_blog: str
) -> None:
    editor_page.goto(f"/admin/live/{live_blog}")
    editor_page.fill("#headline", "Ferry")
    _miss_five_updates(editor_page, api, live_blog)

    editor_page.get_by_role("button", name="Reload now").click(timeout=30_000)
    expect(editor_page.locator(".update", has_text="Gust report 3.")).to_be_visible()
