"""The embed on a partner site: a page on another 127.0.0.1 port frames /embed/{slug} in real
Chromium; it shows the latest updates and takes new ones live, while the full page refuses to
be framed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.chromium import browser
from tests.live_server import LiveServer, live_server

__all__ = ["browser", "live_server"]  # fixtures: pytest finds them here by name
pytestmark = pytest.mark.browser


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """The partner site's access log would only clutter the test output."""


@pytest.fixture(scope="module")
def partner_site(
    tmp_path_factory: pytest.TempPathFactory, live_server: LiveServer
) -> Iterator[str]:
    """Another origin (its own port) whose pages frame the Dateline server."""
    root = tmp_path_factory.mktemp("partner")
    for name, path in (("embed", "/embed/harbour-strike"), ("full", "/live/harbour-strike")):
        (root / f"{name}.html").write_text(
            "<!doctype html><title>Partner news</title><h1>Partner news</h1>"
            f'<iframe src="{live_server.base_url}{path}" width="480" height="640"></iframe>'
        )
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {live_server.create_api_token()}"}
    with httpx.Client(base_url=live_server.base_url, headers=headers, timeout=10) as client:
        answer = client.post("/api/v1/blogs", json={"slug": "harbour-strike", "title": "Strike"})
        assert answer.status_code == 201
        client.post(
            "/api/v1/blogs/harbour-strike/updates",
            json={"headline": "Dock workers walk out", "body": "The strike began at 6am."},
        )
        yield client


def test_partner_page_frames_the_embed_and_it_updates_live(
    browser: Browser, partner_site: str, api: httpx.Client, tmp_path: Path
) -> None:
    context = browser.new_context()
    page = context.new_page()
    with page.expect_response(lambda r: "/events" in r.url):
        page.goto(f"{partner_site}/embed.html")
    frame = page.frame_locator("iframe")
    expect(frame.locator(".update__headline")).to_have_text(["Dock workers walk out"])
    api.post(
        "/api/v1/blogs/harbour-strike/updates",
        json={"headline": "Talks to resume", "body": "Union and port meet at noon."},
    )
    headline = frame.locator(".update__headline").first
    expect(headline).to_have_text("Talks to resume", timeout=30_000)  # patience, when busy
    link = frame.locator(".update__time").first
    assert link.evaluate("a => a.target || document.querySelector('base').target") == "_blank"
    context.close()


def test_the_full_page_refuses_to_be_framed(
    browser: Browser, partner_site: str, api: httpx.Client
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{partner_site}/full.html")
    page.wait_for_timeout(500)
    blocked = page.frames[1]
    assert blocked.locator(".liveblog__title").count() == 0, (
        "X-Frame-Options and frame-ancestors must stop the full page loading in a frame"
    )
    context.close()
