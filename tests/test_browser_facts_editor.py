"""Facts for editors in Chromium: the editor sees a suggested key event and accepts it with
one click, turns the recap drafted from the facts into the published recap, reads a fact's
sentence by keyboard, and a corrected fact survives its update being read again."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.chromium import browser, sign_in
from tests.live_server import LiveServer, live_server

__all__ = ["browser", "live_server"]
pytestmark = pytest.mark.browser

SLUG = "facts-desk"
KHARKIV = "Russian shelling killed two people in Kharkiv."
SWAP = "The delegations agreed to swap 1,000 prisoners of war."


@pytest.fixture(scope="module")
def updates(live_server: LiveServer) -> dict[str, int]:
    """A blog with two updates, their facts read as `dateline facts update` reads them."""
    with httpx.Client(base_url=live_server.base_url, headers=_api(live_server)) as api:
        made = api.post("/api/v1/blogs", json={"slug": SLUG, "title": "Facts desk"})
        assert made.status_code == 201
        posted = {}
        for name, body in (("kharkiv", KHARKIV), ("swap", SWAP)):
            answer = api.post(f"/api/v1/blogs/{SLUG}/updates", json={"body": body})
            assert answer.status_code == 201
            posted[name] = answer.json()["id"]
    live_server.cli("facts", "update")
    return posted


@pytest.fixture
def editor(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.base_url)
    page = context.new_page()
    sign_in(page, live_server.email, live_server.password)
    yield page
    context.close()


def _api(live_server: LiveServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {live_server.create_api_token()}"}


def test_an_editor_accepts_a_suggested_key_event_with_one_click(
    editor: Page, updates: dict[str, int]
) -> None:
    editor.goto(f"/admin/live/{SLUG}")
    kharkiv = editor.locator(f"#update-{updates['kharkiv']}")
    suggestion = kharkiv.get_by_role("group", name="Suggested key event")
    expect(suggestion).to_contain_text("Shelling in Kharkiv: 2 killed")
    expect(editor.locator(f"#update-{updates['swap']} .suggestion")).to_contain_text(
        "Exchange of 1,000 prisoners agreed"
    )
    suggestion.get_by_role("button", name="Accept: mark as key event").click()
    expect(kharkiv.locator(".label--key")).to_have_text("Key event")
    expect(kharkiv.locator(".suggestion")).to_have_count(0)
    editor.goto(f"/live/{SLUG}")  # readers see the key event, and no suggestion
    expect(editor.locator(f"#update-{updates['kharkiv']}")).to_have_attribute(
        "data-key-event", "true"
    )
    expect(editor.locator(".suggestion")).to_have_count(0)


def test_an_editor_publishes_the_drafted_recap_after_reading_it(
    editor: Page, updates: dict[str, int]
) -> None:
    editor.goto(f"/admin/live/{SLUG}/recap")
    drafted = editor.get_by_role("region", name="Drafted from the facts")
    expect(drafted.get_by_role("listitem")).to_have_text(
        [re_line("Shelling in Kharkiv: 2 killed"), re_line("Exchange of 1,000 prisoners agreed")]
    )
    editor.goto(f"/live/{SLUG}")
    expect(editor.locator(".recap")).to_have_count(0)  # drafting published nothing
    editor.goto(f"/admin/live/{SLUG}/recap")
    drafted.get_by_role("link", name="Edit this draft").click()
    expect(editor.locator("#items")).to_have_value(re_line("Shelling in Kharkiv: 2 killed"))
    editor.get_by_role("button", name="Save recap").click()
    editor.goto(f"/live/{SLUG}")
    expect(editor.locator(".recap li").first).to_contain_text("Shelling in Kharkiv: 2 killed")


def test_a_facts_sentence_opens_by_keyboard_and_a_correction_survives_rereading(
    editor: Page, live_server: LiveServer, updates: dict[str, int]
) -> None:
    editor.goto(f"/admin/live/{SLUG}/facts")
    fact = editor.locator(".fact-review").filter(has_text="Kharkiv")
    evidence = fact.locator(".facts__evidence summary")
    expect(evidence).to_have_attribute("title", KHARKIV)  # what hovering shows
    evidence.focus()
    editor.keyboard.press("Enter")
    expect(fact.locator(".facts__evidence blockquote")).to_have_text(KHARKIV)

    fact.locator(".fact-review__correct summary").click()
    fact.get_by_label("Killed").fill("3")
    fact.get_by_role("button", name="Save correction").click()
    expect(editor.locator(".flash")).to_contain_text("Fact corrected")
    expect(fact.locator(".fact-review__line")).to_contain_text("Shelling in Kharkiv: 3 killed")

    with httpx.Client(base_url=live_server.base_url, headers=_api(live_server)) as api:
        body = {"body": f"{KHARKIV} Rescuers are still searching the rubble."}
        edited = api.patch(f"/api/v1/blogs/{SLUG}/updates/{updates['kharkiv']}", json=body)
        assert edited.status_code == 200
    live_server.cli("facts", "update")  # the edited update is read again
    editor.reload()
    expect(fact.locator(".fact-review__line")).to_contain_text("Shelling in Kharkiv: 3 killed")
    expect(fact.locator(".fact-review__state")).to_have_text("Corrected")
    expect(editor.locator(".fact-review").filter(has_text="Kharkiv")).to_have_count(1)


def re_line(start: str) -> re.Pattern[str]:
    """A line that begins with `start` (the date after it is the day the server ran)."""
    return re.compile("^" + re.escape(start))
