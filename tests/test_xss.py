"""Script injection: a corpus of XSS probes pushed through every field an editor fills in,
rendered in real Chromium with the Content-Security-Policy switched OFF, so the sanitiser and
the templates' escaping alone must stop them. No probe may run or open a dialog."""

from __future__ import annotations

import io
from collections.abc import Iterator
from html import escape
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page

from tests.chromium import browser, sign_in
from tests.ingest_server import IngestServer, ingest_server
from tests.live_server import LiveServer, live_server, run_cli

__all__ = ["browser", "ingest_server", "live_server"]  # fixtures: pytest finds them here by name
pytestmark = pytest.mark.browser

PAYLOADS = [
    line
    for line in (Path(__file__).parent / "data" / "xss_payloads.txt").read_text().splitlines()
    if line and not line.startswith("#")
]
CHUNK = 12  # probes per blog


def test_the_corpus_is_big_enough() -> None:
    assert len(PAYLOADS) >= 50


@pytest.fixture(scope="module")
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {live_server.create_api_token()}"}
    with httpx.Client(base_url=live_server.base_url, headers=headers, timeout=20) as client:
        yield client


def photo_id(api: httpx.Client) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 60, 90)).save(buffer, "PNG")
    answer = api.post("/api/v1/images", files={"file": ("p.png", buffer.getvalue(), "image/png")})
    assert answer.status_code == 201
    return str(answer.json()["id"])


def seed(api: httpx.Client, number: int, probes: list[str], image: str) -> str:
    """One blog whose every field carries probes: title, standfirst, category, recap,
    headlines, bodies, image alt/caption/credit and a correction note."""
    slug = f"xss-{number}"
    answer = api.post(
        "/api/v1/blogs",
        json={
            "slug": slug,
            "title": probes[0][:200],
            "standfirst": " ".join(probes)[:600],
            "category": probes[1][:60],
        },
    )
    assert answer.status_code == 201, answer.text
    for probe in probes:
        picture = {"id": image, "alt": probe[:300], "caption": probe[:500], "credit": probe[:200]}
        update = api.post(
            f"/api/v1/blogs/{slug}/updates",
            json={"headline": probe[:200], "body": probe, "key_event": True, "images": [picture]},
        )
        assert update.status_code == 201, update.text
    doomed = api.post(f"/api/v1/blogs/{slug}/updates", json={"body": "to be corrected"})
    note = {"correction_note": probes[-1][:500]}
    api.request("DELETE", f"/api/v1/blogs/{slug}/updates/{doomed.json()['id']}", json=note)
    assert api.put(f"/api/v1/blogs/{slug}/recap", json={"items": probes}).status_code == 200
    return slug


@pytest.fixture(scope="module")
def slugs(api: httpx.Client) -> list[str]:
    image = photo_id(api)
    chunks = [PAYLOADS[i : i + CHUNK] for i in range(0, len(PAYLOADS), CHUNK)]
    return [seed(api, n, chunk, image) for n, chunk in enumerate(chunks)]


def assert_nothing_ran(page: Page, url: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    page.wait_for_load_state("load")
    page.mouse.move(200, 200)  # hover handlers, if any survived
    page.keyboard.press("Tab")  # focus handlers
    page.wait_for_timeout(150)
    assert page.evaluate("window.__xss") == 0, f"a probe ran on {url}"
    assert dialogs == [], f"a dialog opened on {url}: {dialogs}"


def context_page(browser: Browser, server: LiveServer, **options: object) -> Page:
    context = browser.new_context(base_url=server.base_url, bypass_csp=True, **options)  # type: ignore[arg-type]
    context.add_init_script("window.__xss = 0")
    return context.new_page()


def test_no_probe_runs_on_reader_pages(
    browser: Browser, live_server: LiveServer, slugs: list[str]
) -> None:
    page = context_page(browser, live_server)
    assert_nothing_ran(page, "/")
    for slug in slugs:
        for url in (f"/live/{slug}", f"/live/{slug}?filter=key-events", f"/embed/{slug}"):
            assert_nothing_ran(page, url)
    page.context.close()


def test_no_probe_runs_on_editor_pages(
    browser: Browser, live_server: LiveServer, slugs: list[str], api: httpx.Client
) -> None:
    page = context_page(browser, live_server)
    sign_in(page, live_server.email, live_server.password)
    assert_nothing_ran(page, "/admin")
    for slug in slugs:
        assert_nothing_ran(page, f"/admin/live/{slug}")
        assert_nothing_ran(page, f"/admin/live/{slug}/recap")
        newest = api.get(f"/api/v1/blogs/{slug}/updates?limit=1").json()["items"][0]["id"]
        assert_nothing_ran(page, f"/admin/live/{slug}/updates/{newest}/edit")
    page.context.close()


def test_no_probe_runs_on_newsroom_pages(
    browser: Browser, live_server: LiveServer, slugs: list[str]
) -> None:
    """Drafts, the team, the audit log and the account page show words other people chose:
    a contributor's name and drafts, token names."""
    contributor, slug = "probe@example.org", slugs[0]
    live_server.cli(
        "user", "create", contributor, "--role", "contributor", "--name", PAYLOADS[3][:120],
        "--password-stdin", stdin="a long enough password\n",
    )  # fmt: skip
    live_server.cli("token", "create", live_server.email, "--name", PAYLOADS[4][:120])
    secret = live_server.cli("token", "create", contributor).strip()
    page = context_page(browser, live_server)
    sign_in(page, live_server.email, live_server.password)
    page.goto(f"/admin/live/{slug}/team")
    page.fill("#member-email", contributor)
    page.click("text=Add to the team")
    headers = {"Authorization": f"Bearer {secret}"}
    with httpx.Client(base_url=live_server.base_url, headers=headers, timeout=20) as theirs:
        for probe in PAYLOADS[:CHUNK]:
            sent = theirs.post(
                f"/api/v1/blogs/{slug}/updates", json={"headline": probe[:200], "body": probe}
            )
            assert sent.json()["status"] == "draft"
        first = theirs.get(f"/api/v1/blogs/{slug}/drafts").json()["items"][-1]["id"]
    for path in ("team", "drafts", "audit", f"drafts/{first}", ""):
        assert_nothing_ran(page, f"/admin/live/{slug}/{path}")
    assert_nothing_ran(page, "/admin/account")
    page.context.close()


def _probe_feed() -> str:
    """An RSS feed whose every field carries probes, as a hostile or hacked source would."""
    items = "".join(
        f"<item><title>Probe {n}: {escape(probe)}</title><link>https://wire.example/{n}</link>"
        f"<guid>probe-{n}</guid><author>{escape(probe)}</author>"
        f"<description>{escape(probe)}</description>"
        f"<content:encoded>{escape(probe)}</content:encoded>"
        f"<media:content url='https://wire.example/{n}.jpg' medium='image'>"
        f"<media:description>{escape(probe)}</media:description></media:content></item>"
        for n, probe in enumerate(PAYLOADS)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0' "
        "xmlns:content='http://purl.org/rss/1.0/modules/content/' "
        "xmlns:media='http://search.yahoo.com/mrss/'><channel><title>Hostile wire</title>"
        f"<link>https://wire.example/</link>{items}</channel></rss>"
    )


def test_no_probe_runs_in_the_inbox_of_ingested_items(
    browser: Browser, live_server: LiveServer, slugs: list[str], ingest_server: IngestServer
) -> None:
    slug = slugs[1]
    feed = ingest_server.route("/wire.xml", _probe_feed(), content_type="application/rss+xml")
    env = {**live_server.env, "DATELINE_ALLOW_PRIVATE_SOURCES": "1"}
    run_cli(env, live_server.log_path, "source", "add", feed, "--blog", slug)
    run_cli(env, live_server.log_path, "source", "fetch", "--all")
    page = context_page(browser, live_server)
    sign_in(page, live_server.email, live_server.password)
    url: str | None = f"/admin/live/{slug}/inbox"
    shown = 0
    while url:  # every page of the inbox, and the prefilled update form of some items
        assert_nothing_ran(page, url)
        uses = page.locator("a[href$='/use']")
        hrefs = [str(uses.nth(n).get_attribute("href")) for n in range(uses.count())]
        shown += len(hrefs)
        older = page.locator("a:text('Older items')")
        url = older.get_attribute("href") if older.count() else None
        for href in hrefs[::10]:
            assert_nothing_ran(page, href)
    assert shown == len(PAYLOADS)
    page.context.close()


def test_no_probe_runs_when_updates_arrive_live(
    browser: Browser, live_server: LiveServer, api: httpx.Client
) -> None:
    """The live stream inserts server-rendered HTML: the same sanitised HTML, no new hole."""
    slug = "xss-live"
    assert api.post("/api/v1/blogs", json={"slug": slug, "title": "Live probes"}).status_code == 201
    page = context_page(browser, live_server)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"/live/{slug}")
    for probe in PAYLOADS[:20]:
        api.post(f"/api/v1/blogs/{slug}/updates", json={"headline": probe[:200], "body": probe})
    api.put(f"/api/v1/blogs/{slug}/recap", json={"items": PAYLOADS[20:30]})
    page.locator(".updates > li").nth(19).wait_for(timeout=20_000)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") == 0
    assert dialogs == []
    page.context.close()


def test_the_detector_sees_a_probe_that_runs(browser: Browser, live_server: LiveServer) -> None:
    """Guards the tests above against passing vacuously."""
    page = context_page(browser, live_server)
    page.goto("/")
    page.set_content('<img src="/nope" onerror="window.__xss = 1">')
    page.wait_for_function("window.__xss === 1", timeout=30_000)  # patience, when busy
    page.context.close()
