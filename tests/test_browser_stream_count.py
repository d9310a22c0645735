"""The filter bar's count ("3 updates", "1 key event") in Debian's Chromium against a real
`dateline serve`: it follows the editor's changes on an open page, and counts as the front
page does (a deletion's correction note is shown, not counted)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.chromium import browser
from tests.test_browser_live import LIVE_MS, Desk, OpenReader, api, desk, open_reader, server

__all__ = ["api", "browser", "desk", "open_reader", "server"]  # fixtures, found by name
pytestmark = pytest.mark.browser


def stream_count(page: Page) -> Locator:
    return page.locator("[data-stream-count]")


def test_the_count_follows_updates_published_and_deleted_on_an_open_page(
    open_reader: OpenReader, desk: Desk
) -> None:
    first = desk.publish("Polls have closed.", headline="Polls closed")
    reader = open_reader(desk.path)
    filtered = open_reader(desk.path + "?filter=key-events")
    expect(stream_count(reader.page)).to_have_text("1 update")
    expect(stream_count(filtered.page)).to_have_text("0 key events")

    desk.publish("The exit poll puts the Greens ahead.", headline="Exit poll", key_event=True)
    expect(stream_count(reader.page)).to_have_text("2 updates", timeout=LIVE_MS)
    expect(stream_count(filtered.page)).to_have_text("1 key event", timeout=LIVE_MS)

    desk.delete(first, correction_note="The polls closed at 22:00, not 21:00.")
    expect(reader.page.locator(f"#update-{first} .correction")).to_be_visible(timeout=LIVE_MS)
    expect(stream_count(reader.page)).to_have_text("1 update", timeout=LIVE_MS)
    reader.assert_not_reloaded()
    fresh = open_reader(desk.path)  # what the page says when loaded now, as the front page
    expect(stream_count(fresh.page)).to_have_text("1 update")
