"""A German live blog in Debian's Chromium against a real `dateline serve` on loopback: the
page, the live banner and the ticking ages read German; screenshots of both languages and of
the German login page go to /tmp/screens for the closing note."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.chromium import browser
from tests.live_server import LiveServer, live_server

__all__ = ["browser", "live_server"]  # fixtures: pytest finds them here by name
pytestmark = pytest.mark.browser

SCREENS = Path("/tmp/screens")  # noqa: S108 - where the closing note takes them from
LIVE_MS = 30_000  # a pushed update shows in well under a second; this is the patience
BODY = "Die Deiche an der Elbe halten, doch der Pegel steigt weiter. " * 6


@pytest.fixture(scope="module")
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {live_server.create_api_token()}"}
    with httpx.Client(base_url=live_server.base_url, headers=headers, timeout=10) as client:
        yield client


def _blog(api: httpx.Client, slug: str, language: str, title: str) -> None:
    blog = {"slug": slug, "title": title, "time_zone": "Europe/Berlin", "language": language}
    answer = api.post("/api/v1/blogs", json=blog)
    assert answer.status_code == 201, answer.text
    recap = ["Deiche halten", "Pegel steigt"] if language == "de" else ["Dikes hold"]
    assert api.put(f"/api/v1/blogs/{slug}/recap", json={"items": recap}).status_code == 200


def _publish(api: httpx.Client, slug: str, body: str, **fields: object) -> int:
    answer = api.post(f"/api/v1/blogs/{slug}/updates", json={"body": body, **fields})
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def _open(browser: Browser, live_server: LiveServer, locale: str) -> Page:
    context = browser.new_context(
        base_url=live_server.base_url, locale=locale, viewport={"width": 1100, "height": 700}
    )
    return context.new_page()


def test_a_german_live_page_shows_a_new_update_live_in_german(
    browser: Browser, live_server: LiveServer, api: httpx.Client
) -> None:
    _blog(api, "sturmflut", "de", "Sturmflut an der Nordsee – live")
    for n in range(1, 9):
        _publish(api, "sturmflut", BODY, headline=f"Lage in Hamburg, Stand {n}", key_event=n == 1)
    page = _open(browser, live_server, "en-GB")  # an English browser: the blog decides
    with page.expect_response(lambda r: "/live/sturmflut/events?" in r.url):
        page.goto("/live/sturmflut")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    SCREENS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENS / "live-de.png"), full_page=False)
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function("window.scrollY > 500")

    _publish(api, "sturmflut", "Der Scheitel ist erreicht.", headline="Höchststand")
    button = page.locator("[data-new-updates]")
    expect(button).to_have_text("1 neuer Eintrag", timeout=LIVE_MS)
    _publish(api, "sturmflut", "Erste Entwarnung.", headline="Entwarnung")
    expect(button).to_have_text("2 neue Einträge", timeout=LIVE_MS)
    button.click()
    newest = page.locator("[data-updates] article").first
    expect(newest.locator(".update__age")).to_have_text("gerade eben")
    # live.js re-words every age whenever a change arrives, in the page's language: an
    # update made to look 5 minutes old reads "vor 5 Minuten" once the next one is in.
    page.evaluate(
        "document.querySelector('[data-updates] article .update__age')"
        ".setAttribute('data-time', new Date(Date.now() - 5 * 60000).toISOString())"
    )
    _publish(api, "sturmflut", "Die Feuerwehr zieht ab.", headline="Abzug")
    expect(page.get_by_role("heading", name="Abzug")).to_be_visible(timeout=LIVE_MS)
    expect(newest.locator(".update__age")).to_have_text("gerade eben")
    expect(page.locator("[data-updates] article").nth(1).locator(".update__age")).to_have_text(
        "vor 5 Minuten"
    )
    page.screenshot(path=str(SCREENS / "live-de-new-updates.png"), full_page=False)


def test_screens_of_an_english_live_page_and_the_german_login(
    browser: Browser, live_server: LiveServer, api: httpx.Client
) -> None:
    _blog(api, "storm-surge", "en", "Storm surge on the North Sea coast – live")
    for n in range(1, 4):
        _publish(api, "storm-surge", "The dikes hold. " * 12, headline=f"Hamburg, update {n}")
    page = _open(browser, live_server, "de-DE")  # a German browser: the blog decides
    page.goto("/live/storm-surge")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("Show key events only")).to_be_visible()
    SCREENS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENS / "live-en.png"), full_page=False)
    page.goto("/login")
    expect(page.get_by_role("heading", name="Anmeldung für die Redaktion")).to_be_visible()
    page.screenshot(path=str(SCREENS / "login-de.png"), full_page=False)
