"""The editor's inbox in Chromium: a new item from a followed feed appears without a reload,
and "Add to live blog" turns it into a published update only when the editor publishes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.chromium import browser
from tests.ingest_server import IngestServer, Reply, ingest_server
from tests.live_server import LiveServer, live_server, run_cli

__all__ = ["browser", "ingest_server", "live_server"]
pytestmark = pytest.mark.browser

POLL_MS = 60_000  # inbox.js asks every 10 s; this is the patience, for a busy machine


def _feed(*titles: str) -> bytes:
    items = "".join(
        f"<item><title>{title}</title><link>https://wire.example/{len(title)}</link>"
        f"<guid>wire-{len(title)}</guid>"
        f"<description>{title}: the full wire copy follows.</description></item>"
        for title in titles
    )
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Northwind Wire</title>"
        f"<link>https://wire.example/</link>{items}</channel></rss>"
    ).encode()


@pytest.fixture
def editor_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.base_url)
    page = context.new_page()
    page.goto("/login")
    page.fill("#email", live_server.email)
    page.fill("#password", live_server.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin")
    yield page
    context.close()


def test_a_new_wire_item_appears_in_the_open_inbox_and_becomes_an_update(
    editor_page: Page, live_server: LiveServer, ingest_server: IngestServer
) -> None:
    headers = {"Authorization": f"Bearer {live_server.create_api_token()}"}
    with httpx.Client(base_url=live_server.base_url, headers=headers) as api:
        made = api.post("/api/v1/blogs", json={"slug": "inbox-live", "title": "Inbox test"})
        assert made.status_code == 201
    first, second = "Dam inspectors called in", "Evacuation order lifted in Wey"
    feed = ingest_server.sequence("/wire.xml", [Reply(_feed(first)), Reply(_feed(second, first))])
    env = {**live_server.env, "DATELINE_ALLOW_PRIVATE_SOURCES": "1"}
    run_cli(env, live_server.log_path, "source", "add", feed, "--blog", "inbox-live")
    run_cli(env, live_server.log_path, "source", "fetch", "--all")

    page = editor_page
    page.goto("/admin/live/inbox-live/inbox")
    items = page.locator(".inbox__item")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text(first)

    run_cli(env, live_server.log_path, "source", "fetch", "--all")  # the wire moves on
    expect(items).to_have_count(2, timeout=POLL_MS)
    expect(items.first).to_contain_text(second)  # newest first, no reload

    items.first.get_by_role("link", name="Add to live blog").click()
    expect(page.locator("#headline")).to_have_value(second)
    expect(page.locator("#body")).to_contain_text("Read entire article")
    assert second not in httpx.get(f"{live_server.base_url}/live/inbox-live").text
    page.get_by_role("button", name="Publish update").click()
    page.wait_for_url("**/admin/live/inbox-live**")
    reader = httpx.get(f"{live_server.base_url}/live/inbox-live").text
    assert second in reader
    assert "Northwind Wire" in reader
