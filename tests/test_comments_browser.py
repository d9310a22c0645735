"""Readers' comments in Debian's Chromium against a real `dateline serve`: a reader sends one
with and without JavaScript, the editor's page shows it arrive, an answer in an update reaches
the reader's open page, the honeypot and the rate limit hold, hostile text stays inert, and a
rejected comment never reaches a reader.

Every request comes from 127.0.0.1, so the whole module shares one address's hourly share
(RATE_LIMIT); the rate limit's test runs last and sends until it is refused.
"""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.chromium import browser
from tests.live_server import (
    DATELINE,
    EDITOR_EMAIL,
    EDITOR_PASSWORD,
    LiveServer,
    free_port,
    run_cli,
    server_env,
    stop,
    wait_until_serving,
)

__all__ = ["browser"]  # a fixture: pytest finds it here by name
pytestmark = pytest.mark.browser

TIMEOUT_MS = 10_000
RATE_LIMIT = 40  # per address and hour; the module sends fewer before the last test
THANKS = "Thanks — an editor will read it."
_slugs = (f"comments-{n}" for n in itertools.count(1))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`tests.live_server`'s server, with this module's rate limit."""
    root = tmp_path_factory.mktemp("comments-server")
    port = free_port()
    env = {**server_env(root, port), "DATELINE_COMMENTS_PER_HOUR": str(RATE_LIMIT)}
    found = LiveServer(
        f"http://127.0.0.1:{port}", EDITOR_EMAIL, EDITOR_PASSWORD, env, root / "data",
        root / "server.log",
    )  # fmt: skip
    found.cli("db", "upgrade")
    command = [str(DATELINE), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with found.log_path.open("ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            run_cli(
                env, found.log_path, "user", "create", EDITOR_EMAIL, "--role", "editor",
                "--name", "Ada Reporter", "--password-stdin", stdin=EDITOR_PASSWORD + "\n",
            )  # fmt: skip
            wait_until_serving(process, found.base_url, found.log_path)
            yield found
        finally:
            stop(process)


@pytest.fixture(scope="module")
def api(server: LiveServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {server.create_api_token()}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as client:
        yield client


@pytest.fixture
def slug(api: httpx.Client) -> str:
    """A new live blog with one update."""
    name = next(_slugs)
    blog = {"title": f"Flood watch {name}", "slug": name, "time_zone": "Europe/London"}
    api.post("/api/v1/blogs", json=blog).raise_for_status()
    api.post(
        f"/api/v1/blogs/{name}/updates", json={"body": "Rivers are rising."}
    ).raise_for_status()
    return name


@pytest.fixture
def open_page(browser: Browser, server: LiveServer) -> Iterator[Any]:
    contexts = []

    def opened(**options: Any) -> Page:
        context = browser.new_context(base_url=server.base_url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield opened
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def editor_state(browser: Browser, server: LiveServer) -> Any:
    context = browser.new_context(base_url=server.base_url)
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email").fill(server.email)
        page.get_by_label("Password").fill(server.password)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Newsroom", level=1)).to_be_visible()
        return context.storage_state()
    finally:
        context.close()


def queue(api: httpx.Client, slug: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = api.get(f"/api/v1/blogs/{slug}/comments").json()["comments"]
    return found


def reader_sends(page: Page, body: str, name: str = "") -> None:
    page.get_by_label("Your question or comment").fill(body)
    if name:
        page.get_by_label("Your name (optional)").fill(name)
    page.get_by_role("button", name="Send").click()


def test_a_reader_sends_a_question_without_javascript(
    open_page: Any, api: httpx.Client, slug: str
) -> None:
    page = open_page(java_script_enabled=False)
    page.goto(f"/live/{slug}")
    reader_sends(page, "Is the school on Mill Lane closed?", "Anna")
    expect(page.locator(".flash")).to_have_text(THANKS)
    assert page.url.endswith(f"/live/{slug}#comments")
    assert [(c["name"], c["body"]) for c in queue(api, slug)] == [
        ("Anna", "Is the school on Mill Lane closed?")
    ]
    expect(page.locator("[data-comment-list]")).not_to_contain_text("Mill Lane")


def test_a_reader_sends_a_question_with_javascript_and_stays_on_the_page(
    open_page: Any, api: httpx.Client, slug: str
) -> None:
    page = open_page()
    page.goto(f"/live/{slug}")
    page.evaluate("window.stillHere = true")
    reader_sends(page, "Are buses running to the hospital?")
    expect(page.locator("[data-comment-status]")).to_have_text(THANKS)
    expect(page.get_by_label("Your question or comment")).to_have_value("")
    assert page.evaluate("window.stillHere") is True  # no navigation happened
    assert [c["body"] for c in queue(api, slug)] == ["Are buses running to the hospital?"]


def test_the_editor_sees_it_arrive_answers_it_and_the_reader_sees_the_answer_live(
    open_page: Any, editor_state: Any, slug: str
) -> None:
    reader = open_page()
    reader.goto(f"/live/{slug}")
    editor = open_page(storage_state=editor_state)
    editor.goto(f"/admin/live/{slug}")
    waiting = editor.locator("[data-comment-queue] .comment-queue__item")
    expect(waiting).to_have_count(0)
    reader_sends(reader, "Will the footbridge reopen today?", "Anna")
    expect(reader.locator("[data-comment-status]")).to_have_text(THANKS)
    # Back up to the stream: a reader further down gets a "1 new update" button instead of
    # the update sliding in above (live.js), which is not what this test is about.
    reader.evaluate("window.scrollTo(0, 0)")
    arrived = waiting.filter(has_text="Will the footbridge reopen today?")
    expect(arrived).to_be_visible()  # no reload: moderation.js fetched the queue
    arrived.get_by_label("Answer in an update").fill("Engineers expect to reopen it by 6 pm.")
    arrived.get_by_role("button", name="Publish the answer").click()
    update = reader.locator("[data-updates] .update", has_text="Engineers expect")
    expect(update).to_be_visible()  # on the reader's open page, without reload
    expect(update.locator("blockquote")).to_contain_text("Reader question from Anna")
    expect(update.locator("blockquote")).to_contain_text("Will the footbridge reopen today?")
    shown = reader.locator("[data-comment-list] .comment", has_text="footbridge")
    expect(shown).to_be_visible()
    expect(shown.get_by_role("link", name="Answered in an update")).to_be_visible()
    expect(editor.locator("[data-comment-queue] .comment-queue__item")).to_have_count(0)


def test_a_filled_honeypot_is_thanked_and_forgotten(
    open_page: Any, api: httpx.Client, slug: str
) -> None:
    page = open_page()
    page.goto(f"/live/{slug}")
    page.locator("#comment-website").evaluate("field => { field.value = 'http://spam.example' }")
    reader_sends(page, "Cheap watches here")
    expect(page.locator("[data-comment-status]")).to_have_text(THANKS)
    assert queue(api, slug) == []


def test_a_hostile_comment_is_refused_or_shown_as_inert_text(
    open_page: Any, api: httpx.Client, slug: str
) -> None:
    page = open_page()
    page.goto(f"/live/{slug}")
    reader_sends(page, "see http://a.example http://b.example http://c.example")
    expect(page.locator("[data-comment-error]")).to_contain_text("Too many links")
    expect(page.get_by_label("Your question or comment")).to_have_value(
        "see http://a.example http://b.example http://c.example"
    )
    huge = httpx.post(
        f"{api.base_url}/api/v1/blogs/{slug}/comments", json={"body": "x" * 1_000_000}
    )
    assert 400 <= huge.status_code < 500
    hostile = (
        '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
        " [click](javascript:alert(1)) http://evil.example \u202egnp.exe"
    )
    reader_sends(page, hostile, "<b>Mallory</b>\u202e")
    expect(page.locator("[data-comment-status]")).to_have_text(THANKS)
    comment_id = queue(api, slug)[0]["id"]
    api.post(f"/api/v1/blogs/{slug}/comments/{comment_id}/approve").raise_for_status()
    shown = page.locator(f"#comment-{comment_id}")
    expect(shown).to_be_visible()  # placed live by comments.js
    page.reload()
    for view in (shown, page.locator(f"#comment-{comment_id}")):
        expect(view.locator(".comment__body")).to_contain_text("<script>window.pwned = 1</script>")
        expect(view.locator(".comment__name")).to_have_text("<b>Mallory</b>")
        assert view.locator("script, img, b, a[href^='javascript']").count() == 0
        assert "\u202e" not in view.inner_text()
    assert page.evaluate("window.pwned") is None


def test_a_rejected_comment_never_reaches_the_readers_page(
    open_page: Any, api: httpx.Client, slug: str
) -> None:
    page = open_page()
    page.goto(f"/live/{slug}")
    base = f"/api/v1/blogs/{slug}/comments"
    for body in ("Rejected words", "Approved words"):
        httpx.post(f"{api.base_url}{base}", json={"body": body}).raise_for_status()
    rejected, kept = (c["id"] for c in queue(api, slug))
    api.post(f"{base}/{rejected}/reject").raise_for_status()
    api.post(f"{base}/{kept}/approve").raise_for_status()
    expect(page.locator(f"#comment-{kept}")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Rejected words")
    page.reload()
    expect(page.locator(f"#comment-{kept}")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Rejected words")


def test_an_address_that_sent_too_much_is_told_to_wait_and_keeps_its_text(
    open_page: Any, slug: str
) -> None:
    """Last in the module: it spends what is left of 127.0.0.1's hourly share."""
    page = open_page()
    page.goto(f"/live/{slug}")
    error = page.locator("[data-comment-error]")
    for number in range(RATE_LIMIT + 1):
        reader_sends(page, f"Question number {number}")
        said = "[data-comment-status]:not([hidden]), [data-comment-error]:not([hidden])"
        expect(page.locator(said)).to_have_count(1)  # the answer came back
        if error.is_visible():
            break
    expect(error).to_contain_text("try again later")
    expect(page.get_by_label("Your question or comment")).to_have_value(f"Question number {number}")
