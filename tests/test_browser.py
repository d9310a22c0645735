"""End to end in Debian's Chromium against a real `dateline serve`: what editors and readers
see and do in the browser, with and without JavaScript, by mouse and by keyboard.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Locator, Page, expect

from tests.chromium import browser
from tests.live_server import LiveServer, live_server

__all__ = ["browser", "live_server"]  # fixtures: pytest finds them here by name

pytestmark = pytest.mark.browser

TIMEOUT_MS = 10_000
HUMAN_PAUSE_MS = 1_000  # how long a person takes before the next key, at the least
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True}

OpenPage = Callable[..., Page]


# Fixtures ----------------------------------------------------------------------------------


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
def editor_cookies(browser: Browser, live_server: LiveServer) -> Any:
    """An editor's session, logged in once through /login (each login costs ~2 s of argon2)."""
    context = browser.new_context(base_url=live_server.base_url)
    try:
        log_in(context.new_page(), live_server)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture
def editor_page(open_page: OpenPage, editor_cookies: Any) -> Page:
    """A page in a fresh context that is already logged in as the editor."""
    return open_page(storage_state=editor_cookies)


@pytest.fixture(scope="module")
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    """The JSON API as the editor, for seeding the blogs that reader tests look at."""
    headers = {"Authorization": f"Bearer {live_server.create_api_token()}"}
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


# (headline, body, key event), oldest first as posted.
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
HARBOUR_FIRE_PHOTO = {
    "alt": "Black smoke rising above a brick warehouse",
    "caption": "The warehouse seen from the harbour wall",
    "credit": "Tom Baker/Harbour Press",
}


@pytest.fixture(scope="module")
def harbour_fire(api: httpx.Client, tmp_path_factory: pytest.TempPathFactory) -> SeededBlog:
    """Eight updates, three of them key events; the first key event carries a photo."""
    slug = "harbour-fire"
    api.post(
        "/api/v1/blogs",
        json={
            "slug": slug,
            "title": "Harbour warehouse fire – live",
            "standfirst": "Firefighters tackle a large blaze at the old grain warehouse.",
            "category": "News",
            "time_zone": "Europe/London",
        },
    ).raise_for_status()
    photo = make_png(tmp_path_factory.mktemp("seed") / "harbour.png").read_bytes()
    uploaded = api.post("/api/v1/images", files={"file": ("harbour.png", photo)})
    uploaded.raise_for_status()
    for headline, body, key_event in HARBOUR_FIRE:
        update: dict[str, Any] = {"headline": headline, "body": body, "key_event": key_event}
        if headline == "Fire brigade confirms warehouse fire":
            update["images"] = [{"id": uploaded.json()["id"], **HARBOUR_FIRE_PHOTO}]
        api.post(f"/api/v1/blogs/{slug}/updates", json=update).raise_for_status()
    newest_first = list(reversed(HARBOUR_FIRE))
    return SeededBlog(
        slug,
        headlines=[headline for headline, _, _ in newest_first],
        key_headlines=[headline for headline, _, key_event in newest_first if key_event],
    )


# Helpers -----------------------------------------------------------------------------------


def make_png(path: Path, size: tuple[int, int] = (800, 500)) -> Path:
    """A photo-sized PNG with shapes on it, so resizing and WebP encoding do real work."""
    width, height = size
    picture = Image.new("RGB", size, (40, 90, 160))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((width // 8, height // 3, width // 2, height - 40), fill=(150, 60, 40))
    draw.ellipse((width // 2, 30, width - 60, height // 2), fill=(250, 200, 60))
    draw.polygon([(0, height), (width // 3, height // 2), (width // 2, height)], fill=(30, 120, 60))
    draw.line((0, 0, width, height), fill=(255, 255, 255), width=6)
    picture.save(path, "PNG")
    return path


def create_blog(api: httpx.Client, slug: str, title: str) -> str:
    blog = {"slug": slug, "title": title, "standfirst": "", "category": "", "time_zone": "UTC"}
    api.post("/api/v1/blogs", json=blog).raise_for_status()
    return slug


def log_in(page: Page, server: LiveServer) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(server.email)
    page.get_by_label("Password").fill(server.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Newsroom", level=1)).to_be_visible()


def headline_field(page: Page) -> Locator:
    return page.get_by_role("textbox", name=re.compile(r"^Headline"))


def text_field(page: Page) -> Locator:
    return page.get_by_role("textbox", name=re.compile(r"^Text"))


def new_image_fields(page: Page) -> Locator:
    return page.get_by_role("group", name="Add an image")


def stream_updates(page: Page) -> Locator:
    return page.locator("[data-updates]").get_by_role("article")


def stream_headlines(page: Page) -> Locator:
    """The update headlines a reader can see in the stream (hidden ones excluded)."""
    return page.locator("[data-updates] .update__headline").filter(visible=True)


def key_events_switch(page: Page) -> Locator:
    return page.get_by_role("switch", name="Show key events only")


def key_event_links(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Key events").get_by_role("link")


def update_count(page: Page) -> Locator:
    return page.locator(".filter-bar__count")


def skip_link(page: Page) -> Locator:
    return page.get_by_role("link", name="Skip to main content")


def expect_filtered(page: Page, blog: SeededBlog) -> None:
    expect(page).to_have_url(re.compile(rf"{blog.path}\?filter=key-events$"))
    expect(key_events_switch(page)).to_have_attribute("aria-checked", "true")
    expect(stream_headlines(page)).to_have_text(blog.key_headlines)
    expect(update_count(page)).to_have_text(f"{len(blog.key_headlines)} key events")


def expect_unfiltered(page: Page, blog: SeededBlog) -> None:
    expect(page).to_have_url(re.compile(rf"{blog.path}$"))
    expect(key_events_switch(page)).to_have_attribute("aria-checked", "false")
    expect(stream_headlines(page)).to_have_text(blog.headlines)
    expect(update_count(page)).to_have_text(f"{len(blog.headlines)} updates")


def tab_to_header_search(page: Page) -> None:
    """Past the site's links: Tab onto the search field and its button, in the header."""
    page.keyboard.press("Tab")
    expect(page.get_by_role("searchbox", name="Search")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Search")).to_be_focused()


def tab_to_key_events_switch(page: Page, blog: SeededBlog) -> None:
    """From main content: Tab through every key event link, then onto the switch. Where the
    key events are folded (no JavaScript to open them), Enter on the fold opens it first, as
    a keyboard user does."""
    links = key_event_links(page)
    fold = page.locator("summary", has_text="Key events")
    if fold.is_visible():
        page.keyboard.press("Tab")
        expect(fold).to_be_focused()
        page.keyboard.press("Enter")
    for index, headline in enumerate(blog.key_headlines):
        page.keyboard.press("Tab")
        expect(links.nth(index)).to_be_focused()
        expect(links.nth(index)).to_contain_text(headline)
    page.keyboard.press("Tab")
    expect(key_events_switch(page)).to_be_focused()


def focus_stop(page: Page) -> dict[str, Any]:
    """Where keyboard focus is: its place in document order and the page region around it."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const region = el.closest(".site-header") ? "header"
                : el.closest("main") ? "main"
                : el.closest(".site-footer") ? "footer" : "body";
            return {
                position: [...document.querySelectorAll("*")].indexOf(el),
                text: (el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 60),
                region: region,
            };
        }"""
    )


def page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


# 1. An editor posts, a reader sees ---------------------------------------------------------


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
    editor.get_by_label("Time zone").select_option("Europe/London")
    editor.get_by_role("button", name="Create live blog").click()
    expect(editor).to_have_url(re.compile(r"/admin/live/coast-storm$"))
    expect(editor.get_by_role("status")).to_have_text("Live blog created. Post the first update.")

    headline_field(editor).fill("Lifeboat rescues three from stranded yacht")
    text_field(editor).fill("The crew reached the yacht **just before dawn**.")
    editor.get_by_role("checkbox", name="Key event").check()
    image = new_image_fields(editor)
    image.get_by_label("Image file").set_input_files(photo)
    image.get_by_label("Alt text").fill("An orange lifeboat alongside a white yacht")
    image.get_by_label("Caption").fill("The lifeboat reaches the yacht off Skelby Point")
    image.get_by_label("Credit").fill("Jo Marsh/Coastal News")
    editor.get_by_role("button", name="Publish update").click()
    expect(editor.get_by_role("status")).to_have_text("Update published.")

    text_field(editor).fill("Winds are gusting at 70mph on the headland.")
    editor.get_by_role("button", name="Publish update").click()
    expect(editor.get_by_role("status")).to_have_text("Update published.")

    reader = open_page()
    reader.goto("/live/coast-storm")
    expect(reader.get_by_role("heading", name="Storm over the coast – live")).to_be_visible()
    expect(reader.get_by_role("button", name="Log out")).to_have_count(0)
    expect(update_count(reader)).to_have_text("2 updates")
    normal_update = stream_updates(reader).filter(has_text="Winds are gusting at 70mph")
    expect(normal_update).to_be_visible()
    expect(normal_update.get_by_text("Key event")).to_have_count(0)

    key_update = stream_updates(reader).filter(
        has_text="Lifeboat rescues three from stranded yacht"
    )
    expect(key_update.get_by_role("heading")).to_have_text(
        "Lifeboat rescues three from stranded yacht"
    )
    expect(key_update.get_by_text("Key event", exact=True)).to_be_visible()
    expect(key_update.locator("strong")).to_have_text("just before dawn")
    figure_image = key_update.locator("figure img")
    expect(figure_image).to_have_attribute("alt", "An orange lifeboat alongside a white yacht")
    expect(key_update.locator("figcaption")).to_have_text(
        "The lifeboat reaches the yacht off Skelby Point. Photograph: Jo Marsh/Coastal News"
    )
    figure_image.scroll_into_view_if_needed()  # it is loading="lazy"
    width = figure_image.evaluate("async img => { await img.decode(); return img.naturalWidth; }")
    assert width > 0, "the uploaded photo did not load"

    expect(key_event_links(reader)).to_have_count(1)
    expect(key_event_links(reader)).to_contain_text("Lifeboat rescues three from stranded yacht")


# 2. and 3. The key events switch -----------------------------------------------------------


def test_key_events_filter_works_in_place_with_javascript(
    open_page: OpenPage, harbour_fire: SeededBlog
) -> None:
    page = open_page()
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.goto(harbour_fire.path)
    expect_unfiltered(page, harbour_fire)
    page.evaluate("window.__marker = 1")

    key_events_switch(page).click()
    expect_filtered(page, harbour_fire)
    assert page.evaluate("window.__marker") == 1, "the page reloaded instead of filtering"

    key_events_switch(page).click()
    expect_unfiltered(page, harbour_fire)

    page.go_back()
    expect_filtered(page, harbour_fire)
    page.go_back()
    expect_unfiltered(page, harbour_fire)
    assert page.evaluate("window.__marker") == 1, "going back reloaded the page"
    assert script_errors == []


def test_key_events_filter_works_without_javascript(
    open_page: OpenPage, harbour_fire: SeededBlog
) -> None:
    page = open_page(java_script_enabled=False)
    page.goto(harbour_fire.path)
    expect_unfiltered(page, harbour_fire)

    key_events_switch(page).click()
    expect_filtered(page, harbour_fire)

    key_events_switch(page).click()
    expect_unfiltered(page, harbour_fire)


# 4. Keyboard -------------------------------------------------------------------------------


def test_keyboard_user_skips_to_main_and_reaches_key_events_without_javascript(
    open_page: OpenPage, harbour_fire: SeededBlog
) -> None:
    page = open_page(java_script_enabled=False)
    page.goto(harbour_fire.path)

    page.keyboard.press("Tab")
    expect(skip_link(page)).to_be_focused()
    expect(skip_link(page)).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    tab_to_key_events_switch(page, harbour_fire)
    page.keyboard.press("Enter")
    expect_filtered(page, harbour_fire)


def test_keyboard_user_filters_key_events_in_place_with_enter_and_space(
    open_page: OpenPage, harbour_fire: SeededBlog
) -> None:
    page = open_page()
    page.goto(harbour_fire.path)
    for name in ("Skip to main content", "Dateline", "Live coverage"):
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name=name, exact=True)).to_be_focused()
    tab_to_header_search(page)
    tab_to_key_events_switch(page, harbour_fire)

    page.keyboard.press("Enter")
    expect_filtered(page, harbour_fire)
    expect(key_events_switch(page)).to_be_focused()  # the keyboard user keeps their place

    page.keyboard.press(" ")  # a switch also answers the space bar
    expect_unfiltered(page, harbour_fire)
    expect(key_events_switch(page)).to_be_focused()


def test_skip_link_leaves_focus_in_main_content_with_javascript(
    open_page: OpenPage, harbour_fire: SeededBlog
) -> None:
    page = open_page()
    page.goto(harbour_fire.path)
    page.keyboard.press("Tab")
    expect(skip_link(page)).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_timeout(HUMAN_PAUSE_MS)

    focused = focus_stop(page)["text"]
    assert page.evaluate("document.activeElement.id") == "main", f"focus moved to {focused!r}"
    tab_to_key_events_switch(page, harbour_fire)


def test_tab_order_follows_the_page_from_header_to_footer_without_traps(
    open_page: OpenPage, harbour_fire: SeededBlog
) -> None:
    page = open_page()
    page.goto(harbour_fire.path)
    stops = []
    while len(stops) < 40 and (not stops or stops[-1]["region"] != "footer"):
        page.keyboard.press("Tab")
        stops.append(focus_stop(page))
    seen = "\n".join(f"{stop['region']}: {stop['text']}" for stop in stops)

    assert stops[-1]["region"] == "footer", f"Tab never reached the footer:\n{seen}"
    assert len(stops) >= 15, f"expected at least 15 stops on the way:\n{seen}"
    positions = [stop["position"] for stop in stops]
    assert positions == sorted(set(positions)), f"focus left document order:\n{seen}"
    header = ["Skip to main content", "Dateline", "Live coverage", "", "Search"]
    assert [stop["text"] for stop in stops[:5]] == header, seen  # "": the search field
    assert {stop["region"] for stop in stops[1:5]} == {"header"}, seen
    assert {stop["region"] for stop in stops[5:-1]} == {"main"}, seen


# 5. Small screens --------------------------------------------------------------------------


def test_reader_page_fits_a_360px_phone_without_sideways_scrolling(
    open_page: OpenPage, harbour_fire: SeededBlog
) -> None:
    page = open_page(**PHONE)
    page.goto(harbour_fire.path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    photo = page.locator("figure img")
    photo.scroll_into_view_if_needed()
    photo.evaluate("img => img.decode()")

    assert page_width(page) <= 360, f"the page is {page_width(page)}px wide on a 360px screen"
    box = photo.bounding_box()
    assert box is not None
    assert box["width"] <= 360


@pytest.fixture(scope="module")
def busy_blog(api: httpx.Client) -> str:
    """A blog as a long day leaves it: a pinned help notice, a five-point recap and twelve
    key events."""
    slug = create_blog(api, "flood-day", "River flooding – live")
    helpline = {
        "headline": "How to get help",
        "body": "Call the flood line for sandbags and shelter. " * 12,
        "pinned": True,
    }
    api.post(f"/api/v1/blogs/{slug}/updates", json=helpline).raise_for_status()
    for n in range(12):
        update = {"headline": f"Gauge {n} reading", "body": f"Level {n}.", "key_event": True}
        api.post(f"/api/v1/blogs/{slug}/updates", json=update).raise_for_status()
    latest = {"headline": "Newest of all", "body": "The river has started to fall."}
    api.post(f"/api/v1/blogs/{slug}/updates", json=latest).raise_for_status()
    recap = [f"Point {n} of what readers need to know about the flood today." for n in range(5)]
    api.put(f"/api/v1/blogs/{slug}/recap", json={"items": recap}).raise_for_status()
    return slug


@pytest.mark.parametrize("java_script", [True, False], ids=["js", "no-js"])
def test_on_a_phone_the_latest_update_is_on_the_first_screen(
    open_page: OpenPage, busy_blog: str, java_script: bool
) -> None:
    page = open_page(**PHONE, java_script_enabled=java_script)
    page.goto(f"/live/{busy_blog}")
    newest = page.locator("[data-updates] > li").first
    expect(newest).to_contain_text("Newest of all")
    box = newest.bounding_box()
    assert box is not None
    assert box["y"] < 740, f"the latest update starts at {box['y']:.0f}px on a 740px screen"
    recap_point = page.get_by_text("Point 0 of what readers need to know")
    expect(recap_point).to_be_hidden()  # folded, one tap away
    page.locator("summary", has_text="What you need to know").click()
    expect(recap_point).to_be_visible()
    page.locator("summary", has_text="Key events").click()
    expect(page.locator(".key-events a").first).to_be_visible()
    help_text = page.locator(".pinned .update__body")
    expect(help_text).to_be_hidden()  # the pinned notice shows its headline only
    page.locator(".pinned summary", has_text="How to get help").click()
    expect(help_text).to_be_visible()


def test_on_a_wide_screen_recap_and_key_events_show_unfolded(
    open_page: OpenPage, busy_blog: str
) -> None:
    page = open_page(viewport={"width": 1280, "height": 800})
    page.goto(f"/live/{busy_blog}")
    expect(page.get_by_text("Point 4 of what readers need to know")).to_be_visible()
    expect(page.locator(".key-events a")).to_have_count(12)
    expect(page.locator(".key-events a").first).to_be_visible()
    expect(page.locator("summary").first).to_be_hidden()  # nothing to open
    expect(page.locator(".pinned .update__body")).to_be_visible()


def test_quiet_controls_stay_hidden_until_needed(
    open_page: OpenPage, harbour_fire: SeededBlog, editor_page: Page
) -> None:
    """The new-updates button and the connection notice show only when there is news."""
    for page in (open_page(), editor_page):
        path = harbour_fire.path if page is not editor_page else "/admin" + harbour_fire.path
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.locator("[data-new-updates]")).to_be_hidden()
        expect(page.locator("[data-connection]")).to_be_hidden()


def test_long_link_in_an_update_wraps_on_a_360px_phone(
    open_page: OpenPage, api: httpx.Client
) -> None:
    slug = create_blog(api, "ferry-timetable", "Ferry timetable changes – live")
    url = "https://www.example.org/travel/ferry_timetable_changes_after_the_harbour_fire_2024"
    body = f"The new timetable is at {url} and [{url}]({url})."
    api.post(f"/api/v1/blogs/{slug}/updates", json={"body": body}).raise_for_status()
    page = open_page(**PHONE)
    page.goto(f"/live/{slug}")
    expect(page.get_by_role("link", name=url)).to_be_visible()

    assert page_width(page) <= 360, f"the page is {page_width(page)}px wide on a 360px screen"


# 6. The editor's form keeps what was typed -------------------------------------------------


def test_update_without_text_is_refused_and_the_headline_is_kept(
    editor_page: Page, api: httpx.Client
) -> None:
    slug = create_blog(api, "bridge-closure", "Bridge closure – live")
    page = editor_page
    page.goto(f"/admin/live/{slug}")

    headline_field(page).fill("Bridge closed to all traffic")
    page.get_by_role("button", name="Publish update").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was saved yet.")
    expect(alert).to_contain_text("Write the text of the update.")
    expect(headline_field(page)).to_have_value("Bridge closed to all traffic")
    expect(text_field(page)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[data-updates]")).to_have_text("No updates yet.")


def test_non_image_upload_is_refused_and_the_text_is_kept(
    editor_page: Page, api: httpx.Client, tmp_path: Path
) -> None:
    slug = create_blog(api, "council-vote", "Council budget vote – live")
    not_a_photo = tmp_path / "photo.png"
    not_a_photo.write_text("These are meeting notes, not a picture.\n")
    page = editor_page
    page.goto(f"/admin/live/{slug}")

    headline_field(page).fill("Budget passes by one vote")
    text_field(page).fill("Councillors voted 21 to 20 in favour.")
    new_image_fields(page).get_by_label("Image file").set_input_files(not_a_photo)
    page.get_by_role("button", name="Publish update").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was saved yet.")
    expect(alert).to_contain_text("That file is not a JPEG, PNG, WebP or GIF image.")
    expect(text_field(page)).to_have_value("Councillors voted 21 to 20 in favour.")
    expect(headline_field(page)).to_have_value("Budget passes by one vote")
    expect(new_image_fields(page).get_by_label("Image file")).to_have_attribute(
        "aria-invalid", "true"
    )
    expect(page.locator("[data-updates]")).to_have_text("No updates yet.")


def test_refused_upload_keeps_the_words_typed_for_the_image(
    editor_page: Page, api: httpx.Client, tmp_path: Path
) -> None:
    slug = create_blog(api, "school-closures", "School closures – live")
    not_a_photo = tmp_path / "photo.png"
    not_a_photo.write_text("not a picture\n")
    page = editor_page
    page.goto(f"/admin/live/{slug}")

    text_field(page).fill("Forty schools are closed today.")
    image = new_image_fields(page)
    image.get_by_label("Image file").set_input_files(not_a_photo)
    image.get_by_label("Alt text").fill("A locked school gate")
    image.get_by_label("Caption").fill("Northgate Primary this morning")
    image.get_by_label("Credit").fill("Sam Reed/City Desk")
    page.get_by_role("button", name="Publish update").click()
    expect(page.get_by_role("alert")).to_contain_text("not a JPEG, PNG, WebP or GIF image")

    image = new_image_fields(page)  # the page has re-rendered with the values in place
    expect(image.get_by_label("Alt text")).to_have_value("A locked school gate")
    expect(image.get_by_label("Caption")).to_have_value("Northgate Primary this morning")
    expect(image.get_by_label("Credit")).to_have_value("Sam Reed/City Desk")
