"""A suggested key event reaches an editor's open page without a reload: facts are read in
the background after the update went out, and the facts worker's `update.facts` event makes
the page ask for that update again, now with its mark. A reader's open page shows no mark
and keeps following the blog."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.chromium import browser
from tests.live_server import LiveServer, live_server

__all__ = ["browser", "live_server"]
pytestmark = pytest.mark.browser

SLUG = "facts-live"
KHARKIV = "Russian shelling killed two people in Kharkiv."


@pytest.fixture(scope="module")
def live_server_settings() -> dict[str, str]:
    """The server reads no facts itself: the test runs the worker (`dateline facts update`)
    when it wants, and the server hears of the worker's events from the log."""
    return {"DATELINE_INGEST_IN_SERVE": "false", "DATELINE_SSE_HEARTBEAT_SECONDS": "1"}


@pytest.fixture(scope="module")
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {live_server.create_api_token()}"}
    with httpx.Client(base_url=live_server.base_url, headers=headers) as client:
        made = client.post("/api/v1/blogs", json={"slug": SLUG, "title": "Facts, live"})
        assert made.status_code == 201
        yield client


@pytest.fixture
def pages(browser: Browser, live_server: LiveServer) -> Iterator[tuple[Page, Page]]:
    """An editor's page of the blog and a reader's, each in its own browser context."""
    editor = browser.new_context(base_url=live_server.base_url).new_page()
    editor.goto("/login")
    editor.fill("#email", live_server.email)
    editor.fill("#password", live_server.password)
    editor.press("#password", "Enter")
    editor.wait_for_url("**/admin")
    reader = browser.new_context(base_url=live_server.base_url).new_page()
    yield editor, reader
    editor.context.close()
    reader.context.close()


def publish(api: httpx.Client, body: str) -> int:
    answer = api.post(f"/api/v1/blogs/{SLUG}/updates", json={"body": body})
    assert answer.status_code == 201
    update_id: int = answer.json()["id"]
    return update_id


def test_a_suggested_key_event_appears_on_the_open_editor_page_without_reload(
    pages: tuple[Page, Page], api: httpx.Client, live_server: LiveServer
) -> None:
    editor, reader = pages
    editor.goto(f"/admin/live/{SLUG}")
    reader.goto(f"/live/{SLUG}")
    for page in pages:
        page.evaluate("window.stillTheSamePage = true")
    update_id = publish(api, KHARKIV)
    on_desk = editor.locator(f"#update-{update_id}")
    expect(on_desk).to_contain_text("killed two people in Kharkiv")  # the update, live
    expect(reader.locator(f"#update-{update_id}")).to_be_visible()
    expect(on_desk.locator(".suggestion")).to_have_count(0)  # its facts are not read yet

    live_server.cli("facts", "update")  # the facts worker's pass, run now

    suggestion = on_desk.get_by_role("group", name="Suggested key event")
    expect(suggestion).to_contain_text("Shelling in Kharkiv: 2 killed")
    expect(suggestion.get_by_role("button", name="Accept: mark as key event")).to_be_visible()
    assert editor.evaluate("window.stillTheSamePage") is True

    # The reader's page shows no mark and still follows the blog.
    later = publish(api, "The footbridge at Wey has reopened.")
    expect(reader.locator(f"#update-{later}")).to_be_visible()
    expect(reader.locator(f"#update-{update_id}")).to_contain_text("Kharkiv")
    expect(reader.locator(".suggestion")).to_have_count(0)
    assert reader.evaluate("window.stillTheSamePage") is True
