"""Editor forms say what is wrong at the field: the input is marked invalid and described by
the message under it, the summary at the top links there, and what was typed is kept. The
new blog form makes the address from the title; images without alt text wait for a tick."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from dateline.db import Database
from dateline.liveblog import drafts, queries, team
from dateline.liveblog.forms import slug_from
from dateline.liveblog.models import Blog, ImageRef, UpdateDraft
from tests.chromium import browser, sign_in
from tests.helpers import csrf_from, make_user, parse, png_bytes
from tests.live_server import LiveServer, live_server

__all__ = ["browser", "live_server"]


def field_error(page: HTMLParser, field_id: str) -> str:
    """The words that describe the invalid field `field_id`, checked the way a screen reader
    finds them: aria-invalid on the field, aria-describedby naming the message under it; and
    the summary at the top links to that message."""
    field = page.css_first(f"#{field_id}")
    assert field is not None, field_id
    assert field.attributes.get("aria-invalid") == "true", field.html
    described = (field.attributes.get("aria-describedby") or "").split()
    message_id = f"{field_id}-error"
    assert message_id in described, field.html
    message = page.css_first(f"#{message_id}")
    assert message is not None
    assert "field-error" in (message.attributes.get("class") or "")
    assert page.css_first(f'#form-errors a[href="#{message_id}"]') is not None
    return message.text(strip=True)


def not_marked(page: HTMLParser, field_id: str) -> None:
    field = page.css_first(f"#{field_id}")
    assert field is not None, field_id
    assert "aria-invalid" not in field.attributes, field.html


async def _post_form(
    http: httpx.AsyncClient, form_url: str, action: str, data: dict[str, str], **kw: object
) -> httpx.Response:
    token = csrf_from(await http.get(form_url))
    return await http.post(action, data={"csrf_token": token, **data}, **kw)  # type: ignore[arg-type]


async def test_a_refused_new_blog_shows_each_error_at_its_field_and_keeps_the_text(
    editor_client: httpx.AsyncClient,
) -> None:
    typed = {"title": "T" * 201, "slug": "Bad Slug", "standfirst": "Kept as typed."}
    answer = await _post_form(editor_client, "/admin/blogs/new", "/admin/blogs/new", typed)
    assert answer.status_code == 422
    page = parse(answer)
    assert field_error(page, "title") == "Keep it under 200 characters."
    assert "hyphens" in field_error(page, "slug")
    slug = page.css_first("#slug")
    assert "slug-hint" in (slug.attributes.get("aria-describedby") or "").split()  # hint stays
    not_marked(page, "standfirst")
    assert page.css_first("#title").attributes["value"] == "T" * 201
    assert slug.attributes["value"] == "Bad Slug"
    assert page.css_first("#standfirst").text() == "Kept as typed."


async def test_an_address_left_empty_is_made_from_the_title(
    editor_client: httpx.AsyncClient, db: Database
) -> None:
    data = {"title": "Sturm über Köln – live", "slug": ""}
    answer = await _post_form(editor_client, "/admin/blogs/new", "/admin/blogs/new", data)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/live/sturm-ueber-koeln-live"
    async with db.read() as conn:
        assert (await queries.blog_by_slug(conn, "sturm-ueber-koeln-live")).title == data["title"]


async def test_a_form_sent_back_for_another_field_suggests_the_address(
    editor_client: httpx.AsyncClient,
) -> None:
    data = {"title": "Floods in Wey: day two", "slug": "", "category": "C" * 61}
    answer = await _post_form(editor_client, "/admin/blogs/new", "/admin/blogs/new", data)
    assert answer.status_code == 422
    page = parse(answer)
    assert field_error(page, "category") == "Keep it under 60 characters."
    assert page.css_first("#slug").attributes["value"] == "floods-in-wey-day-two"
    not_marked(page, "slug")
    script = page.css_first("script[src*='slug.js']")  # and suggests it as the editor types
    assert script is not None
    assert page.css_first("#slug").attributes["data-slug-from"] == "title"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Election night in Northmarch – live", "election-night-in-northmarch-live"),
        ("Straße zum Flughafen gesperrt!", "strasse-zum-flughafen-gesperrt"),
        ("Café crème à Genève", "cafe-creme-a-geneve"),
        ("   ", ""),
        (" ".join(["breaking"] * 20), "-".join(["breaking"] * 9)),  # whole words, ≤ 80
        ("x" * 100, "x" * 80),
    ],
)
def test_the_suggested_address_is_lower_case_words_within_the_limit(title: str, slug: str) -> None:
    assert slug_from(title) == slug


async def test_an_update_without_text_is_marked_at_the_text_field(
    editor_client: httpx.AsyncClient, blog: Blog
) -> None:
    url = f"/admin/live/{blog.slug}"
    data = {"headline": "Kept headline", "body": "   "}
    answer = await _post_form(editor_client, url, f"{url}/updates", data)
    assert answer.status_code == 422
    page = parse(answer)
    assert field_error(page, "body") == "Write the text of the update."
    not_marked(page, "headline")
    assert page.css_first("#headline").attributes["value"] == "Kept headline"


async def test_an_image_without_alt_text_waits_for_the_editor_to_confirm(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog
) -> None:
    url = f"/admin/live/{blog.slug}"
    typed = {"headline": "Crowds at the square", "body": "Thousands gathered.", "action": "publish"}
    picture = {"new_image": ("crowd.png", png_bytes(), "image/png")}
    token = csrf_from(await editor_client.get(url))
    answer = await editor_client.post(
        f"{url}/updates",
        data={"csrf_token": token, **typed, "new_image_caption": "The square at noon"},
        files=picture,
    )
    assert answer.status_code == 422
    async with db.read() as conn:
        assert (await queries.reader_page(conn, blog.slug, 1, 20, False)).updates == []
    page = parse(answer)
    assert "has no alt text" in field_error(page, "images-0-alt")
    # Everything typed is kept, the picture too (stored once, carried by its hash).
    assert page.css_first("#body").text() == typed["body"]
    assert page.css_first("#images-0-caption").attributes["value"] == "The square at noon"
    image_hash = page.css_first('input[name="images-0-hash"]').attributes["value"]
    assert image_hash
    tick = page.css_first('input[name="no_alt_ok"]')
    assert tick is not None
    assert "checked" not in tick.attributes

    confirmed = {**typed, "images-0-hash": image_hash or "", "no_alt_ok": "1"}
    answer = await _post_form(editor_client, url, f"{url}/updates", confirmed)
    assert answer.status_code == 303
    async with db.read() as conn:
        [update] = (await queries.reader_page(conn, blog.slug, 1, 20, False)).updates
    assert [image.hash for image in update.images] == [image_hash]


async def test_an_image_with_alt_text_is_published_at_once(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog
) -> None:
    url = f"/admin/live/{blog.slug}"
    token = csrf_from(await editor_client.get(url))
    answer = await editor_client.post(
        f"{url}/updates",
        data={"csrf_token": token, "body": "Crowds.", "new_image_alt": "A crowd with flags"},
        files={"new_image": ("crowd.png", png_bytes(), "image/png")},
    )
    assert answer.status_code == 303
    async with db.read() as conn:
        [update] = (await queries.reader_page(conn, blog.slug, 1, 20, False)).updates
    assert update.images[0].alt == "A crowd with flags"


async def test_a_draft_with_an_image_without_alt_text_waits_for_the_reviewer_to_confirm(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog
) -> None:
    url = f"/admin/live/{blog.slug}"
    token = csrf_from(await editor_client.get(url))
    previewed = await editor_client.post(
        f"{url}/updates",
        data={"csrf_token": token, "body": "Crowds.", "action": "preview"},
        files={"new_image": ("crowd.png", png_bytes(), "image/png")},
    )  # a preview stores the picture; its hash comes back in the form
    image_hash = parse(previewed).css_first('input[name="images-0-hash"]').attributes["value"]
    author = await make_user(db, "contributor")
    async with db.write() as conn:
        await team.join(conn, blog.id, author.id, None)
    sent = UpdateDraft("Crowds at the square.", images=[ImageRef(image_hash or "")])
    draft = await drafts.save_draft(db, blog.slug, sent, author)
    review = f"{url}/drafts/{draft.id}"
    typed = {"body": "Crowds at the square.", "images-0-hash": image_hash or ""}

    answer = await _post_form(editor_client, review, f"{review}/publish", typed)
    assert answer.status_code == 422
    assert "has no alt text" in field_error(parse(answer), "images-0-alt")
    confirmed = {**typed, "no_alt_ok": "1"}
    assert (await _post_form(editor_client, review, f"{review}/publish", confirmed)).is_redirect
    async with db.read() as conn:
        [update] = (await queries.reader_page(conn, blog.slug, 1, 20, False)).updates
    assert [image.hash for image in update.images] == [image_hash]


async def test_a_recap_too_long_is_marked_at_its_field(
    editor_client: httpx.AsyncClient, blog: Blog
) -> None:
    url = f"/admin/live/{blog.slug}/recap"
    items = "\n".join(f"Point {n}" for n in range(13))
    answer = await _post_form(editor_client, url, url, {"items": items})
    assert answer.status_code == 422
    page = parse(answer)
    assert field_error(page, "items") == "Keep the recap to 12 points or fewer."
    assert page.css_first("#items").text() == items


async def test_a_source_with_a_wrong_interval_is_marked_at_that_field(
    editor_client: httpx.AsyncClient,
) -> None:
    data = {"url": "https://wire.example/feed.xml", "kind": "feed", "interval": "often"}
    answer = await _post_form(editor_client, "/admin/sources", "/admin/sources", data)
    assert answer.status_code == 422
    page = parse(answer)
    assert "5m, 2h or 1d" in field_error(page, "interval")
    not_marked(page, "url")
    assert page.css_first("#url").attributes["value"] == data["url"]


async def test_a_password_typed_differently_twice_is_marked_at_the_second_field(
    editor_client: httpx.AsyncClient,
) -> None:
    data = {
        "current_password": "whatever it is",
        "new_password": "a new long password",
        "new_password_again": "a new long pasword",
    }
    url = "/admin/account"
    answer = await _post_form(editor_client, url, f"{url}/password", data)
    assert answer.status_code == 422
    page = parse(answer)
    assert field_error(page, "new_password_again") == "The two new passwords differ."
    not_marked(page, "new_password")


async def test_a_stale_form_is_said_for_the_whole_form_not_a_field(
    editor_client: httpx.AsyncClient, blog: Blog
) -> None:
    answer = await editor_client.post(
        f"/admin/live/{blog.slug}/updates", data={"csrf_token": "stale", "body": "Kept."}
    )
    assert answer.status_code == 403
    page = parse(answer)
    summary = page.css_first("#form-errors")
    assert summary is not None
    assert "expired" in summary.text()
    assert summary.css_first("a") is None  # no field to point at
    not_marked(page, "body")
    assert page.css_first("#body").text() == "Kept."


# In Chromium ----------------------------------------------------------------------------------


@pytest.fixture
def open_form(browser: Browser, live_server: LiveServer) -> Iterator[Callable[[bool], Page]]:
    """A logged-in editor's page, with JavaScript on or off."""
    contexts: list[BrowserContext] = []

    def open_page(javascript: bool) -> Page:
        context = browser.new_context(
            base_url=live_server.base_url,
            viewport={"width": 1280, "height": 900},
            java_script_enabled=javascript,
        )
        contexts.append(context)
        page = context.new_page()
        sign_in(page, live_server.email, live_server.password)
        return page

    yield open_page
    for context in contexts:
        context.close()


def expect_error_at(page: Page, field_id: str, words: str) -> None:
    """The message stands right under its field, and the field looks invalid (outlined)."""
    field, message = page.locator(f"#{field_id}"), page.locator(f"#{field_id}-error")
    expect(message).to_have_text(words)
    expect(message).to_be_visible()
    expect(field).to_have_css("outline-style", "solid")
    # Both measured at one moment, once pictures above have their size: a preview loading
    # between two measurements would move one box and not the other.
    page.wait_for_function("() => [...document.images].every(image => image.complete)")
    gap = page.evaluate(
        """([field, message]) => document.getElementById(message).getBoundingClientRect().top
             - document.getElementById(field).getBoundingClientRect().bottom""",
        [field_id, f"{field_id}-error"],
    )
    assert 0 <= gap < 24, f"the message is {gap:.0f}px away from its field"


def an_existing_blog(live_server: LiveServer, slug: str) -> None:
    headers = {"Authorization": f"Bearer {live_server.create_api_token()}"}
    with httpx.Client(base_url=live_server.base_url, headers=headers) as api:
        made = api.post("/api/v1/blogs", json={"slug": slug, "title": "Taken"})
        assert made.status_code == 201


@pytest.mark.browser
def test_the_address_follows_the_title_as_the_editor_types(
    open_form: Callable[[bool], Page], live_server: LiveServer
) -> None:
    an_existing_blog(live_server, "koeln-sturm")
    page = open_form(True)
    page.goto("/admin/blogs/new")
    title, slug = page.locator("#title"), page.locator("#slug")
    title.fill("Sturm über Köln")
    expect(slug).to_have_value("sturm-ueber-koeln")
    title.press_sequentially(" – live")
    expect(slug).to_have_value("sturm-ueber-koeln-live")

    slug.fill("koeln-sturm")  # typed by the editor: the title no longer moves it
    title.press("End")
    title.press_sequentially(" am Abend")
    expect(slug).to_have_value("koeln-sturm")

    page.get_by_role("button", name="Create live blog").click()
    expect_error_at(page, "slug", "The address /live/koeln-sturm is taken; pick another.")
    expect(title).to_have_value("Sturm über Köln – live am Abend")
    expect(title).not_to_have_css("outline-style", "solid")
    page.locator("#form-errors a").click()  # the summary leads to the field's message
    assert page.evaluate("location.hash") == "#slug-error"

    slug.fill("koeln-sturm-abend")
    page.get_by_role("button", name="Create live blog").click()
    page.wait_for_url("**/admin/live/koeln-sturm-abend")


@pytest.mark.browser
def test_without_javascript_the_server_suggests_the_address_and_marks_the_field(
    open_form: Callable[[bool], Page], live_server: LiveServer
) -> None:
    an_existing_blog(live_server, "floods-in-wey-day-two")
    page = open_form(False)
    page.goto("/admin/blogs/new")
    page.fill("#title", "Floods in Wey: day two")
    page.get_by_role("button", name="Create live blog").click()  # the address left empty
    expect_error_at(page, "slug", "The address /live/floods-in-wey-day-two is taken; pick another.")
    expect(page.locator("#slug")).to_have_value("floods-in-wey-day-two")  # made from the title

    page.fill("#title", "Floods in Wey: day three")
    page.fill("#slug", "")
    page.get_by_role("button", name="Create live blog").click()
    page.wait_for_url("**/admin/live/floods-in-wey-day-three")
    expect(page.get_by_role("heading", name="Floods in Wey: day three", level=1)).to_be_visible()


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_picture_without_alt_text_is_sent_back_until_described_or_confirmed(
    open_form: Callable[[bool], Page], live_server: LiveServer, javascript: bool
) -> None:
    slug = f"alt-{'js' if javascript else 'no-js'}"
    page = open_form(javascript)
    page.goto("/admin/blogs/new")
    page.fill("#title", "Alt text check")
    page.fill("#slug", slug)
    page.get_by_role("button", name="Create live blog").click()
    page.wait_for_url(f"**/admin/live/{slug}")

    page.fill("#body", "Thousands gathered on the square.")
    picture = {"name": "crowd.png", "mimeType": "image/png", "buffer": png_bytes()}
    page.set_input_files("#new_image", files=[picture])
    page.get_by_role("button", name="Publish update").click()
    expect_error_at(
        page,
        "images-0-alt",
        "Image 1 has no alt text. Describe it for readers who cannot see it, "
        "or tick “Publish without alt text”.",
    )
    expect(page.locator("#body")).to_have_value("Thousands gathered on the square.")
    assert "Thousands gathered" not in httpx.get(f"{live_server.base_url}/live/{slug}").text

    page.fill("#images-0-alt", "A crowd with flags on the square")
    page.get_by_role("button", name="Publish update").click()
    published = page.locator(".update", has_text="Thousands gathered on the square.")
    expect(published.locator("img")).to_have_attribute("alt", "A crowd with flags on the square")
