"""End to end in Debian's Chromium against a real `dateline serve`: what editors and readers
see and do in the browser, with and without JavaScript, by mouse and by keyboard."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from tests.live_server import LiveServer, live_server

__all__ = ["live_server"]  # the fixture is used by name

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000

OpenPage = Callable[..., Page]


# Fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser: Browser, live_server: LiveServer) -> Iterator[OpenPage]:
    """Opens a page in a fresh browser context (own cookies); all are closed after the test."""
    contexts = []

    def open_in_new_context(**options: Any) -> Page:
        context = browser.new_context(base_url=live_server.base_url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_in_new_context
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    """The JSON API as the editor, for seeding blogs the reader tests look at."""
    token = live_server.create_api_token()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=live_server.base_url, headers=headers, timeout=10) as client:
        yield client


@dataclass(frozen=True)
class SeededBlog:
    slug: str
    headlines: list[str]  # every update, newest first, as the stream shows them
    key_headlines: list[str]  # the key events only, newest first

    @property
    def path(self) -> str:
        return f"/live/{self.slug}"


# Oldest first, as posted: (headline, body, key event).
HARBOUR_FIRE = [
    ("Smoke seen over the harbour", "Residents report thick smoke near pier 4.", False),
    ("Fire brigade confirms warehouse fire", "Twelve engines are at the scene.", True),
    ("Roads closed around the docks", "Avoid Quay Street and Dock Road.", False),
    ("Ferry services suspended", "No sailings until further notice.", False),
    ("Residents told to keep windows shut", "The smoke plume is drifting inland.", True),
    ("Crews gain ground on the blaze", "The roof has partly collapsed.", False),
    ("Mayor visits the scene", "She thanked the crews for their work.", False),
    ("Fire under control", "Firefighters will stay overnight to damp down.", True),
]

HARBOUR_FIRE_PHOTO_UPDATE = "Fire brigade confirms warehouse fire"
HARBOUR_FIRE_PHOTO = {
    "alt": "Black smoke rising above a brick warehouse",
    "caption": "The warehouse seen from the harbour wall",
    "credit": "Tom Baker/Harbour Press",
}


@pytest.fixture(scope="module")
def harbour_fire(api: httpx.Client, tmp_path_factory: pytest.TempPathFactory) -> SeededBlog:
    """A blog of eight updates, three of them key events, one with a photo."""
    slug = "harbour-fire"
    blog = {
        "slug": slug,
        "title": "Harbour warehouse fire – live",
        "standfirst": "Firefighters tackle a large blaze at the old grain warehouse.",
        "category": "News",
        "time_zone": "Europe/London",
    }
    api.post("/api/v1/blogs", json=blog).raise_for_status()
    photo = make_png(tmp_path_factory.mktemp("seed") / "harbour.png")
    uploaded = api.post("/api/v1/images", files={"file": ("harbour.png", photo.read_bytes())})
    uploaded.raise_for_status()
    for headline, body, key_event in HARBOUR_FIRE:
        update: dict[str, Any] = {"headline": headline, "body": body, "key_event": key_event}
        if headline == HARBOUR_FIRE_PHOTO_UPDATE:
            update["images"] = [{"id": uploaded.json()["id"], **HARBOUR_FIRE_PHOTO}]
        api.post(f"/api/v1/blogs/{slug}/updates", json=update).raise_for_status()
    headlines = [headline for headline, _, _ in reversed(HARBOUR_FIRE)]
    keys = [headline for headline, _, key in reversed(HARBOUR_FIRE) if key]
    return SeededBlog(slug, headlines, keys)


# Helpers -----------------------------------------------------------------------------------


def make_png(path: Path, size: tuple[int, int] = (800, 500)) -> Path:
    """A real photo-sized PNG with shapes on it, so resizing and WebP encoding do real work."""
    picture = Image.new("RGB", size, (40, 90, 160))
    draw = ImageDraw.Draw(picture)
    width, height = size
    draw.rectangle((width // 8, height // 3, width // 2, height - 40), fill=(150, 60, 40))
    draw.ellipse((width // 2, 30, width - 60, height // 2), fill=(250, 200, 60))
    draw.polygon([(0, height), (width // 3, height // 2), (width // 2, height)], fill=(30, 120, 60))
    draw.line((0, 0, width, height), fill=(255, 255, 255), width=6)
    picture.save(path, "PNG")
    return path


def log_in(page: Page, server: LiveServer) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(server.email)
    page.get_by_label("Password").fill(server.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Newsroom", level=1)).to_be_visible()


def create_blog_via_api(api: httpx.Client, slug: str, title: str) -> None:
    blog = {"slug": slug, "title": title, "standfirst": "", "category": "", "time_zone": "UTC"}
    api.post("/api/v1/blogs", json=blog).raise_for_status()


def stream_headlines(page: Page) -> Locator:
    """The update headlines a reader can see in the stream (hidden ones excluded)."""
    return page.locator("[data-updates] .update__headline").filter(visible=True)


def key_events_switch(page: Page) -> Locator:
    return page.get_by_role("switch", name="Show key events only")


def update_with_headline(page: Page, headline: str) -> Locator:
    return page.get_by_role("article", name=headline)


def focused_element(page: Page) -> dict[str, Any]:
    """Where keyboard focus is: its position in document order and the region it sits in."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const region = el.closest("main") ? "main"
                : el.closest(".site-header") ? "header"
                : el.closest(".site-footer") ? "footer" : "other";
            return {
                position: [...document.querySelectorAll("*")].indexOf(el),
                tag: el.tagName.toLowerCase(),
                text: (el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 60),
                region: region,
            };
        }"""
    )


# 1. Editor posts, reader sees ---------------------------------------------------------------


def test_editor_posts_key_event_with_photo_and_reader_sees_it(
    open_page: OpenPage, live_server: LiveServer, tmp_path: Path
) -> None:
    photo = make_png(tmp_path / "lifeboat.png")
    editor = open_page()
    log_in(editor, live_server)

    editor.get_by_role("link", name="New live blog").click()
    expect(editor).to_have_url(re.compile(r"/admin/blogs/new$"))
    editor.get_by_label("Title").fill("Storm over the coast – live")
    editor.get_by_label("Address").fill("coast-storm")
    editor.get_by_label("Standfirst").fill("Gales and flooding along the east coast.")
    editor.get_by_label("Category").fill("Weather")
    editor.get_by_label("Time zone").fill("Europe/London")
    editor.get_by_role("button", name="Create live blog").click()
    expect(editor).to_have_url(re.compile(r"/admin/live/coast-storm$"))
    expect(editor.get_by_role("status")).to_have_text("Live blog created. Post the first update.")

    editor.get_by_label("Headline").fill("Lifeboat rescues three from stranded yacht")
    editor.get_by_label("Text").fill("The crew reached the yacht **just before dawn**.")
    editor.get_by_label("Key event").check()
    new_image = editor.get_by_role("group", name="Add an image")
    new_image.get_by_label("Image file").set_input_files(photo)
    new_image.get_by_label("Alt text").fill("An orange lifeboat alongside a white yacht")
    new_image.get_by_label("Caption").fill("The lifeboat reaches the yacht off Skelby Point")
    new_image.get_by_label("Credit").fill("Jo Marsh/Coastal News")
    editor.get_by_role("button", name="Publish update").click()
    expect(editor.get_by_role("status")).to_have_text("Update published.")

    editor.get_by_label("Text").fill("Winds are gusting at 70mph on the headland.")
    editor.get_by_role("button", name="Publish update").click()
    expect(editor.get_by_role("status")).to_have_text("Update published.")

    reader = open_page()
    reader.goto("/live/coast-storm")
    expect(reader.get_by_role("heading", name="Storm over the coast – live")).to_be_visible()
    expect(reader.get_by_role("link", name="Log out")).to_have_count(0)
    expect(reader.get_by_text("Winds are gusting at 70mph on the headland.")).to_be_visible()

    key_update = update_with_headline(reader, "Lifeboat rescues three from stranded yacht")
    expect(key_update.locator(".label--key")).to_have_text("Key event")
    expect(key_update.locator("strong")).to_have_text("just before dawn")
    figure_image = key_update.locator("figure img")
    expect(figure_image).to_have_attribute("alt", "An orange lifeboat alongside a white yacht")
    expect(key_update.locator("figcaption")).to_have_text(
        "The lifeboat reaches the yacht off Skelby Point. Photograph: Jo Marsh/Coastal News"
    )
    figure_image.scroll_into_view_if_needed()
    natural_width = figure_image.evaluate(
        "async img => { await img.decode(); return img.naturalWidth; }"
    )
    assert natural_width > 0, "the uploaded photo did not load"

    key_events = reader.get_by_role("navigation", name="Key events")
    expect(key_events.get_by_role("link")).to_have_count(1)
    expect(key_events.get_by_role("link")).to_contain_text(
        "Lifeboat rescues three from stranded yacht"
    )
    expect(reader.locator(".filter-bar__count")).to_have_text("2 updates")


# 2. and 3. The key events switch -------------------------------------------------------------


def test_key_events_filter_works_in_place_with_javascript(
    open_page: OpenPage, harbour_fire: SeededBlog
) -> None:
    page = open_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.goto(harbour_fire.path)
    switch = key_events_switch(page)
    expect(switch).to_have_attribute("aria-checked", "false")
    expect(stream_headlines(page)).to_have_text(harbour_fire.headlines)
    page.evaluate("window.__marker = 1")

    switch.click()
    expect(page).to_have_url(re.compile(rf"{harbour_fire.path}\?filter=key-events$"))
    expect(key_events_switch(page)).to_have_attribute("aria-checked", "true")
    expect(stream_headlines(page)).to_have_text(harbour_fire.key_headlines)
    expect(page.locator(".filter-bar__count")).to_have_text("3 key events")
    assert page.evaluate("window.__marker") == 1, "the page reloaded instead of filtering"

    key_events_switch(page).click()
    expect(page).to_have_url(re.compile(rf"{harbour_fire.path}$"))
    expect(key_events_switch(page)).to_have_attribute("aria-checked", "false")
    expect(stream_headlines(page)).to_have_text(harbour_fire.headlines)

    page.go_back()
    expect(page).to_have_url(re.compile(rf"{harbour_fire.path}\?filter=key-events$"))
    expect(key_events_switch(page)).to_have_attribute("aria-checked", "true")
    expect(stream_headlines(page)).to_have_text(harbour_fire.key_headlines)

    page.go_back()
    expect(page).to_have_url(re.compile(rf"{harbour_fire.path}$"))
    expect(key_events_switch(page)).to_have_attribute("aria-checked", "false")
    expect(stream_headlines(page)).to_have_text(harbour_fire.headlines)
    assert page.evaluate("window.__marker") == 1, "going back reloaded the page"
    assert page_errors == []


def test_key_events_filter_works_without_javascript(
    open_page: OpenPage, harbour_fire: SeededBlog
) -> None:
    page = open_page(java_script_enabled=False)
    page.goto(harbour_fire.path)
    expect(stream_headlines(page)).to_have_text(harbour_fire.headlines)

    key_events_switch(page).click()
    expect(page).to_have_url(re.compile(rf"{harbour_fire.path}\?filter=key-events$"))
    expect(key_events_switch(page)).to_have_attribute("aria-checked", "true")
    expect(stream_headlines(page)).to_have_text(harbour_fire.key_headlines)
    expect(page.locator(".filter-bar__count")).to_have_text("3 key events")

    key_events_switch(page).click()
    expect(page).to_have_url(re.compile(rf"{harbour_fire.path}$"))
    expect(key_events_switch(page)).to_have_attribute("aria-checked", "false")
    expect(stream_headlines(page)).to_have_text(harbour_fire.headlines)


# 4. Keyboard ---------------------------------------------------------------------------------


def test_keyboard_user_skips_to_main_and_filters_key_events(
    open_page: OpenPage, harbour_fire: SeededBlog
) -> None:
    page = open_page()
    page.goto(harbour_fire.path)

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    key_event_links = page.get_by_role("navigation", name="Key events").get_by_role("link")
    expect(key_event_links).to_have_count(len(harbour_fire.key_headlines))
    for index, headline in enumerate(harbour_fire.key_headlines):
        page.keyboard.press("Tab")
        expect(key_event_links.nth(index)).to_be_focused()
        expect(key_event_links.nth(index)).to_contain_text(headline)
    page.keyboard.press("Tab")
    expect(key_events_switch(page)).to_be_focused()

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?filter=key-events$"))
    expect(stream_headlines(page)).to_have_text(harbour_fire.key_headlines)
    switch = key_events_switch(page)
    expect(switch).to_have_attribute("aria-checked", "true")
    expect(switch).to_be_focused()  # the keyboard user keeps their place

    page.keyboard.press(" ")  # a switch also answers the space bar
    expect(page).to_have_url(re.compile(rf"{harbour_fire.path}$"))
    expect(key_events_switch(page)).to_have_attribute("aria-checked", "false")
    expect(stream_headlines(page)).to_have_text(harbour_fire.headlines)


def test_tab_order_follows_the_page_from_header_to_footer_without_traps(
    open_page: OpenPage, harbour_fire: SeededBlog
) -> None:
    page = open_page()
    page.goto(harbour_fire.path)
    stops = []
    for _ in range(40):
        page.keyboard.press("Tab")
        stops.append(focused_element(page))
        if stops[-1]["region"] == "footer":
            break
    described = "\n".join(f"{s['region']}: <{s['tag']}> {s['text']}" for s in stops)

    assert stops[-1]["region"] == "footer", f"Tab never reached the footer:\n{described}"
    positions = [stop["position"] for stop in stops]
    assert positions == sorted(set(positions)), f"focus left document order:\n{described}"
    assert [stop["text"] for stop in stops[:3]] == [
        "Skip to main content",
        "Dateline",
        "Live coverage",
    ]
    regions = [stop["region"] for stop in stops]
    assert regions[3:-1] == ["main"] * (len(stops) - 4), described
    assert len(stops) >= 15, f"expected at least 15 focus stops:\n{described}"


# 5. Small screens ----------------------------------------------------------------------------


def test_reader_page_fits_a_360px_phone_without_sideways_scrolling(
    open_page: OpenPage, harbour_fire: SeededBlog
) -> None:
    page = open_page(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    page.goto(harbour_fire.path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    photo = page.locator("figure img")
    photo.scroll_into_view_if_needed()
    photo.evaluate("img => img.decode()")

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, f"the page is {scroll_width}px wide on a 360px screen"
    box = photo.bounding_box()
    assert box is not None and box["width"] <= 360


# 6. The editor keeps what was typed ----------------------------------------------------------


def test_update_without_text_is_refused_and_the_headline_is_kept(
    open_page: OpenPage, live_server: LiveServer, api: httpx.Client
) -> None:
    create_blog_via_api(api, "bridge-closure", "Bridge closure – live")
    page = open_page()
    log_in(page, live_server)
    page.goto("/admin/live/bridge-closure")

    page.get_by_label("Headline").fill("Bridge closed to all traffic")
    page.get_by_role("button", name="Publish update").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was saved yet.")
    expect(alert).to_contain_text("Write the text of the update.")
    expect(page.get_by_label("Headline")).to_have_value("Bridge closed to all traffic")
    expect(page.get_by_label("Text")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[data-updates]")).to_contain_text("No updates yet.")


def test_non_image_upload_is_refused_and_the_text_is_kept(
    open_page: OpenPage, live_server: LiveServer, api: httpx.Client, tmp_path: Path
) -> None:
    create_blog_via_api(api, "council-vote", "Council budget vote – live")
    fake_photo = tmp_path / "photo.png"
    fake_photo.write_text("These are meeting notes, not a picture.\n")
    page = open_page()
    log_in(page, live_server)
    page.goto("/admin/live/council-vote")

    page.get_by_label("Headline").fill("Budget passes by one vote")
    page.get_by_label("Text").fill("Councillors voted 21 to 20 in favour.")
    page.get_by_label("Image file").set_input_files(fake_photo)
    page.get_by_role("button", name="Publish update").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("That file is not a JPEG, PNG, WebP or GIF image.")
    expect(page.get_by_label("Text")).to_have_value("Councillors voted 21 to 20 in favour.")
    expect(page.get_by_label("Headline")).to_have_value("Budget passes by one vote")
    expect(page.get_by_label("Image file")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[data-updates]")).to_contain_text("No updates yet.")
