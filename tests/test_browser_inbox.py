"""The editor's inbox in Chromium: a new item from a followed feed appears without a reload,
and "Use in an update…" turns it into a published update only when the editor publishes."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.chromium import browser, sign_in
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
    page = _signed_in(browser, live_server, {"width": 1280, "height": 720})
    yield page
    page.context.close()


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
    # --kind: without it the CLI fetches the feed once to see what it is, taking a reply
    run_cli(
        env, live_server.log_path, "source", "add", feed, "--kind", "feed", "--blog", "inbox-live"
    )
    run_cli(env, live_server.log_path, "source", "fetch", "--all")

    page = editor_page
    page.goto("/admin/live/inbox-live/inbox")
    items = page.locator(".inbox__item")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text(first)

    run_cli(env, live_server.log_path, "source", "fetch", "--all")  # the wire moves on
    expect(items).to_have_count(2, timeout=POLL_MS)
    expect(items.first).to_contain_text(second)  # newest first, no reload

    items.first.get_by_role("link", name="Use in an update…").click()
    expect(page.locator("#headline")).to_have_value(second)
    expect(page.locator("#body")).to_contain_text("Read entire article")
    assert second not in httpx.get(f"{live_server.base_url}/live/inbox-live").text
    page.get_by_role("button", name="Publish update").click()
    page.wait_for_url("**/admin/live/inbox-live**")
    reader = httpx.get(f"{live_server.base_url}/live/inbox-live").text
    assert second in reader
    assert "Northwind Wire" in reader


HEADLINES = [
    "Engineers say the Harrow dam is holding after a night of record rainfall upstream",
    "Evacuation order lifted for the lower town of Wey as the river begins to fall",
    "Rail services between Northmarch and the coast suspended until Thursday",
    "Volunteers fill sandbags outside the old town hall through the night",
]


_blogs = itertools.count(1)
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def filled_inbox(live_server: LiveServer, ingest_server: IngestServer) -> str:
    """A blog whose inbox holds the HEADLINES from one fetched feed; its inbox's path."""
    headers = {"Authorization": f"Bearer {live_server.create_api_token()}"}
    with httpx.Client(base_url=live_server.base_url, headers=headers) as api:
        slug = f"compact-{next(_blogs)}"  # the server lives as long as the module
        made = api.post("/api/v1/blogs", json={"slug": slug, "title": "Compact inbox"})
        assert made.status_code == 201
    feed = ingest_server.route(f"/{slug}.xml", _feed(*HEADLINES))  # a port may be reused
    env = {**live_server.env, "DATELINE_ALLOW_PRIVATE_SOURCES": "1"}
    run_cli(env, live_server.log_path, "source", "add", feed, "--kind", "feed", "--blog", slug)
    run_cli(env, live_server.log_path, "source", "fetch", "--all")
    return f"/admin/live/{slug}/inbox"


@pytest.mark.parametrize("width", [1280, 360])
def test_the_inbox_is_a_compact_list_that_fits_the_screen(
    browser: Browser, live_server: LiveServer, filled_inbox: str, width: int
) -> None:
    page = _signed_in(browser, live_server, {"width": width, "height": 800})
    page.goto(filled_inbox)
    rows = page.locator(".inbox__item")
    expect(rows).to_have_count(len(HEADLINES))
    if width >= 1000:  # one line of headline, one of source, time and actions
        boxes = [rows.nth(n).bounding_box() for n in range(len(HEADLINES))]
        heights = [box["height"] for box in boxes if box is not None]
        assert len(heights) == len(HEADLINES)
        assert all(height <= 80 for height in heights), heights
    assert page.evaluate(SIDEWAYS) <= 0
    expect(rows.first.get_by_role("link", name="Use in an update…")).to_be_visible()
    expect(rows.first.get_by_role("button", name="Dismiss")).to_be_visible()
    page.goto("/admin/sources")  # the sources table fits too
    expect(page.locator(".sources-table tbody tr")).not_to_have_count(0)
    assert page.evaluate(SIDEWAYS) <= 0
    page.context.close()


def test_the_inbox_filter_works_without_javascript_and_stays_in_the_url(
    browser: Browser, live_server: LiveServer, filled_inbox: str
) -> None:
    page = _signed_in(browser, live_server, {"width": 1280, "height": 800}, javascript=False)
    page.goto(filled_inbox)
    expect(page.locator(".inbox__item")).to_have_count(len(HEADLINES))
    page.fill("#filter-q", "wey")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/inbox?source=&q=wey")  # the form as sent: all sources, "wey"
    expect(page.locator(".inbox__item")).to_have_count(1)
    expect(page.locator(".inbox__item")).to_contain_text("Evacuation order lifted")
    expect(page.locator("#filter-q")).to_have_value("wey")
    page.reload()  # the URL carries the filter
    expect(page.locator(".inbox__item")).to_have_count(1)
    page.get_by_role("link", name="Show all").click()
    expect(page.locator(".inbox__item")).to_have_count(len(HEADLINES))
    page.context.close()


def _signed_in(
    browser: Browser, live_server: LiveServer, viewport: ViewportSize, javascript: bool = True
) -> Page:
    context = browser.new_context(
        base_url=live_server.base_url, viewport=viewport, java_script_enabled=javascript
    )
    page = context.new_page()
    sign_in(page, live_server.email, live_server.password)
    return page
