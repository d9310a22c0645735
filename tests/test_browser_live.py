"""Live delivery in Debian's Chromium against a real `dateline serve`: what a reader whose page
is already open sees while an editor works through the JSON API (the real publish path) —
without reloading, in order, once each, across a server restart and without EventSource.
"""

from __future__ import annotations

import itertools
import re
import signal
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.chromium import browser
from tests.live_server import (
    DATELINE,
    EDITOR_EMAIL,
    EDITOR_PASSWORD,
    free_port,
    run_cli,
    server_env,
    stop,
    wait_until_serving,
)

__all__ = ["browser"]  # a fixture: pytest finds it here by name
pytestmark = pytest.mark.browser

TIMEOUT_MS = 10_000
LIVE_MS = 30_000  # a pushed change shows in well under a second; this is the patience
RECONNECT_MS = 30_000  # server restart (~3 s) + EventSource retry (2 s) + live.js retry (3 s)
POLL_MS = 60_000  # live.js polls every 10 s without EventSource; this is the patience
MARKER = "the page the reader opened"
EVENTS_URL = re.compile(r"/live/[^/]+/events\?")
CHANGES_URL = re.compile(r"/live/[^/]+/changes\?")
_slugs = (f"live-{n}" for n in itertools.count(1))


# The server: one per module, which the restart tests kill and start again ----------------


@dataclass
class Server:
    """A `dateline serve` process that can be killed and started again on the same port."""

    port: int
    env: dict[str, str]
    log_path: Path
    token: str = ""
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def launch(self) -> subprocess.Popen[bytes]:
        command = [str(DATELINE), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        return self.process

    def start(self) -> None:
        wait_until_serving(self.launch(), self.base_url, self.log_path)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no goodbye to the open event streams."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("live-delivery")
    port = free_port()
    env = server_env(root, port)
    env["DATELINE_SSE_HEARTBEAT_SECONDS"] = "1"
    running = Server(port, env, root / "server.log")
    run_cli(env, running.log_path, "db", "upgrade")
    process = running.launch()
    try:
        # The account and token are made while the server starts: each CLI run costs ~2 s.
        run_cli(
            env, running.log_path, "user", "create", EDITOR_EMAIL, "--role", "editor",
            "--name", "Ada Reporter", "--password-stdin", stdin=EDITOR_PASSWORD + "\n",
        )  # fmt: skip
        running.token = run_cli(
            env, running.log_path, "token", "create", EDITOR_EMAIL, "--name", "live-tests"
        ).strip()
        wait_until_serving(process, running.base_url, running.log_path)
        yield running
    finally:
        running.stop()


@pytest.fixture
def restartable_server(server: Server) -> Iterator[Server]:
    """The module's server, for a test that kills it: it is running again afterwards."""
    yield server
    if not server.is_running():
        server.start()


@pytest.fixture(scope="module")
def api(server: Server) -> Iterator[httpx.Client]:
    """The JSON API as the editor. No keep-alive: the server may have been restarted since."""
    headers = {"Authorization": f"Bearer {server.token}"}
    limits = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(
        base_url=server.base_url, headers=headers, timeout=10, limits=limits
    ) as client:
        yield client


# The editor's side: one fresh blog per test -----------------------------------------------


@dataclass(frozen=True)
class Desk:
    """An editor working on one blog through the JSON API."""

    api: httpx.Client
    slug: str

    @property
    def path(self) -> str:
        return f"/live/{self.slug}"

    def publish(self, body: str, **fields: Any) -> int:
        answer = self.api.post(f"/api/v1/blogs/{self.slug}/updates", json={"body": body, **fields})
        assert answer.status_code == 201, answer.text
        return int(answer.json()["id"])

    def edit(self, update_id: int, **fields: Any) -> None:
        answer = self.api.patch(f"/api/v1/blogs/{self.slug}/updates/{update_id}", json=fields)
        assert answer.status_code == 200, answer.text

    def delete(self, update_id: int, correction_note: str = "") -> None:
        url = f"/api/v1/blogs/{self.slug}/updates/{update_id}"
        body = {"correction_note": correction_note} if correction_note else {}
        answer = self.api.request("DELETE", url, json=body)
        assert answer.status_code == 204, answer.text

    def set_recap(self, items: list[str]) -> None:
        answer = self.api.put(f"/api/v1/blogs/{self.slug}/recap", json={"items": items})
        assert answer.status_code == 200, answer.text

    def end_coverage(self) -> None:
        answer = self.api.post(f"/api/v1/blogs/{self.slug}/end")
        assert answer.status_code == 200, answer.text


@pytest.fixture
def desk(api: httpx.Client) -> Desk:
    slug = next(_slugs)
    blog = {"slug": slug, "title": f"Election night {slug} – live", "time_zone": "UTC"}
    answer = api.post("/api/v1/blogs", json=blog)
    assert answer.status_code == 201, answer.text
    return Desk(api, slug)


# The reader's side: pages in their own browser contexts -----------------------------------


@dataclass
class Reader:
    """One reader's tab, with what its scripts threw and every URL it asked for."""

    page: Page
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def open(self, path: str, connection: re.Pattern[str] = EVENTS_URL) -> None:
        """Load the page and wait until live.js has its first answer from the server (the
        event stream's headers, or the first poll), then mark the window: a reload loses it.
        """
        with self.page.expect_response(lambda r: bool(connection.search(r.url))):
            self.page.goto(path)
        self.page.evaluate(f"window.__marker = {MARKER!r}")

    def assert_not_reloaded(self) -> None:
        assert self.page.evaluate("window.__marker") == MARKER, "the page was reloaded"

    def urls(self, pattern: re.Pattern[str]) -> list[str]:
        return [url for url in self.requests if pattern.search(url)]


OpenReader = Callable[..., Reader]


@pytest.fixture
def open_reader(browser: Browser, server: Server) -> Iterator[OpenReader]:
    """Opens a reader in a fresh browser context; all are closed after the test."""
    contexts = []

    def open_in_new_context(path: str | None = None, init_script: str | None = None) -> Reader:
        context = browser.new_context(base_url=server.base_url)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        if init_script:
            context.add_init_script(init_script)
        reader = Reader(context.new_page())
        reader.page.on("pageerror", lambda error: reader.errors.append(str(error)))
        reader.page.on("request", lambda request: reader.requests.append(request.url))
        if path is not None:
            reader.open(path)
        return reader

    yield open_in_new_context
    for context in contexts:
        context.close()


def articles(page: Page) -> Locator:
    """The updates in the stream, top to bottom (corrections included)."""
    return page.locator("[data-updates] article[id^='update-']")


def update(page: Page, update_id: int) -> Locator:
    return page.locator(f"#update-{update_id}")


def bodies(page: Page) -> Locator:
    return page.locator("[data-updates] .update__body")


def key_event_links(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Key events").get_by_role("link")


def connection_status(page: Page) -> Locator:
    return page.locator("[data-connection]")


def new_updates_button(page: Page) -> Locator:
    return page.locator("[data-new-updates]")


def article_ids(page: Page) -> list[str]:
    ids: list[str] = articles(page).evaluate_all("nodes => nodes.map(node => node.id)")
    return ids


def assert_each_once(page: Page, expected: list[int]) -> None:
    ids = article_ids(page)
    assert ids == [f"update-{n}" for n in expected], f"stream shows {ids}"
    assert len(set(ids)) == len(ids), f"an update is shown twice: {ids}"


def scroll_y(page: Page) -> float:
    return float(page.evaluate("window.scrollY"))


def top_on_screen(locator: Locator) -> float:
    return float(locator.evaluate("node => node.getBoundingClientRect().top"))


# 1. Every kind of change reaches every open page --------------------------------------------


def test_each_editor_change_reaches_two_open_reader_pages_without_reload(
    open_reader: OpenReader, desk: Desk
) -> None:
    queues = desk.publish("Long queues at the town hall.", headline="Queues at polling stations")
    turnout = desk.publish("Turnout is put at 40%.", headline="Turnout at 40%")
    readers = [open_reader(desk.path), open_reader(desk.path)]
    for reader in readers:
        expect(articles(reader.page)).to_have_count(2)

    # Published: at the top, with its headline.
    exit_poll = desk.publish("The exit poll puts the Greens ahead.", headline="Exit poll")
    for reader in readers:
        page = reader.page
        expect(articles(page)).to_have_count(3, timeout=LIVE_MS)
        expect(articles(page).first).to_have_id(f"update-{exit_poll}")
        expect(articles(page).first.locator(".update__headline")).to_have_text("Exit poll")
        expect(articles(page).first.locator(".edited")).to_have_count(0)

    # Edited: new text in place, with an "Updated hh:mm" mark.
    desk.edit(exit_poll, body="The exit poll puts the Greens **narrowly** ahead.")
    for reader in readers:
        edited = update(reader.page, exit_poll)
        expect(edited.locator(".update__body")).to_have_text(
            "The exit poll puts the Greens narrowly ahead.", timeout=LIVE_MS
        )
        expect(edited.locator("strong")).to_have_text("narrowly")
        expect(edited.locator(".edited")).to_have_text(re.compile(r"^Updated \d\d:\d\d$"))
        expect(articles(reader.page).first).to_have_id(f"update-{exit_poll}")

    # Marked as a key event: the key events list gains it, the update wears the label.
    desk.edit(exit_poll, key_event=True)
    for reader in readers:
        expect(key_event_links(reader.page)).to_have_count(1, timeout=LIVE_MS)
        expect(key_event_links(reader.page)).to_contain_text("Exit poll")
        expect(update(reader.page, exit_poll).locator(".label--key")).to_have_text("Key event")

    # The recap changes.
    recap = ["The exit poll puts the Greens ahead.", "Counting has begun in all 40 wards."]
    desk.set_recap(recap)
    for reader in readers:
        expect(reader.page.locator("[data-recap-slot] li")).to_have_text(recap, timeout=LIVE_MS)

    # Deleted with a correction note: the note takes the update's place.
    desk.delete(turnout, correction_note="An earlier update gave the wrong turnout; it is 35%.")
    for reader in readers:
        corrected = update(reader.page, turnout).locator(".correction")
        expect(corrected).to_have_text(
            "Correction: An earlier update gave the wrong turnout; it is 35%.", timeout=LIVE_MS
        )
        expect(reader.page.get_by_text("Turnout at 40%")).to_have_count(0)

    # Deleted without a note: it disappears.
    desk.delete(queues)
    for reader in readers:
        expect(update(reader.page, queues)).to_have_count(0, timeout=LIVE_MS)
        expect(articles(reader.page)).to_have_count(2)

    # Pinned: the pinned box shows it, the update wears the label.
    desk.edit(exit_poll, pinned=True)
    for reader in readers:
        pinned_box = reader.page.locator("[data-pinned-slot] .pinned")
        expect(pinned_box).to_be_visible(timeout=LIVE_MS)
        expect(pinned_box.locator("h3")).to_have_text("Exit poll")
        expect(update(reader.page, exit_poll).locator(".label--pinned")).to_have_text("Pinned")

    for reader in readers:
        assert_each_once(reader.page, [exit_poll, turnout])
        expect(connection_status(reader.page)).to_be_hidden()
        reader.assert_not_reloaded()
        assert reader.errors == []


def test_pinning_another_update_takes_the_pinned_label_off_the_first(
    open_reader: OpenReader, desk: Desk
) -> None:
    first = desk.publish("Polls have closed.", headline="Polls close", pinned=True)
    second = desk.publish("The exit poll is out.", headline="Exit poll")
    reader = open_reader(desk.path)
    page = reader.page
    expect(update(page, first).locator(".label--pinned")).to_have_count(1)

    desk.edit(second, pinned=True)
    expect(page.locator("[data-pinned-slot] .pinned h3")).to_have_text("Exit poll", timeout=LIVE_MS)
    expect(update(page, second).locator(".label--pinned")).to_have_count(1)
    fresh = open_reader(desk.path).page  # the server has it right: only the second is pinned
    expect(update(fresh, first).locator(".label--pinned")).to_have_count(0)
    # The frame that moved the pinned box has been applied: no need for LIVE_MS here.
    expect(update(page, first).locator(".label--pinned")).to_have_count(0, timeout=2_000)


def test_key_events_list_follows_every_change_in_order_like_a_fresh_page(
    open_reader: OpenReader, desk: Desk
) -> None:
    """Frames carry one entry of the key events list each (not the whole list): the page
    places, renames and removes entries, empties the list and starts it again, and ends up
    showing what a freshly loaded page shows."""
    polls = desk.publish("Polls have closed.", headline="Polls close", key_event=True)
    tea = desk.publish("Tea is being served.", headline="Tea break")
    exit_poll = desk.publish("The exit poll is out.", headline="Exit poll", key_event=True)
    reader = open_reader(desk.path)
    page = reader.page
    links = key_event_links(page)
    titles = links.locator("span")  # each link is "hh:mm title"
    expect(titles).to_have_text(["Exit poll", "Polls close"])

    desk.edit(tea, key_event=True)  # an older update: it goes between the two
    expect(titles).to_have_text(["Exit poll", "Tea break", "Polls close"], timeout=LIVE_MS)
    desk.edit(exit_poll, headline="Exit poll: Greens ahead")
    expect(titles.first).to_have_text("Exit poll: Greens ahead", timeout=LIVE_MS)
    desk.edit(polls, key_event=False)
    desk.delete(tea)
    expect(links).to_have_count(1, timeout=LIVE_MS)
    desk.edit(exit_poll, key_event=False)  # the last one: the list goes, heading and all
    expect(page.get_by_role("navigation", name="Key events")).to_have_count(0, timeout=LIVE_MS)
    desk.edit(polls, key_event=True)  # and comes back
    expect(titles).to_have_text(["Polls close"], timeout=LIVE_MS)

    desk.edit(exit_poll, pinned=True)
    pinned_box = page.locator("[data-pinned-slot] .pinned")
    expect(pinned_box.locator("h3")).to_have_text("Exit poll: Greens ahead", timeout=LIVE_MS)
    desk.edit(exit_poll, pinned=False)
    expect(pinned_box).to_have_count(0, timeout=LIVE_MS)

    fresh = open_reader(desk.path).page
    hrefs = "nodes => nodes.map(node => [node.getAttribute('href'), node.textContent])"
    assert links.evaluate_all(hrefs) == key_event_links(fresh).evaluate_all(hrefs)
    expect(fresh.locator("[data-pinned-slot] .pinned")).to_have_count(0)
    reader.assert_not_reloaded()
    assert reader.errors == []


# 2. A reader scrolled down is never moved -------------------------------------------------


LONG_BODY = "\n\n".join(
    f"Paragraph {n}: returning officers are carrying sealed ballot boxes into the hall, "
    "where counting staff sort the papers by ward before the first tallies are read out."
    for n in range(1, 4)
)


def test_reader_scrolled_down_gets_a_new_updates_button_instead_of_a_jump(
    open_reader: OpenReader, desk: Desk
) -> None:
    for n in range(1, 13):
        desk.publish(LONG_BODY, headline=f"Ward {n} count under way")
    reader = open_reader(desk.path)
    page = reader.page
    base_title = page.title()
    oldest = articles(page).last
    # The reader scrolls down to the oldest update (below it come readers' comments, so the
    # page's very bottom would show those instead).
    oldest.evaluate("node => node.scrollIntoView({block: 'end'})")
    page.wait_for_function("window.scrollY > 1000")
    expect(oldest).to_be_in_viewport()
    scrolled_to, oldest_at = scroll_y(page), top_on_screen(oldest)
    button = new_updates_button(page)

    # "Never jump": what the reader is reading stays exactly where it was on screen. (scrollY
    # itself may grow by the button's growth: it sits above, in the flow, and Chromium's
    # scroll anchoring compensates for it, which is what keeps the text still.)
    first = desk.publish("Ward 13 declares first.", headline="First result declared")
    expect(button).to_have_text("1 new update", timeout=LIVE_MS)
    expect(button).to_be_visible()
    expect(page).to_have_title(f"(1) {base_title}")
    expect(update(page, first)).to_have_count(0)  # held back, not slid in above the reader
    assert top_on_screen(oldest) == oldest_at, "what the reader was reading moved"
    assert scroll_y(page) >= scrolled_to, "the page scrolled up under the reader"

    second = desk.publish("Ward 14 follows.", headline="Second result declared")
    expect(button).to_have_text("2 new updates", timeout=LIVE_MS)
    expect(page).to_have_title(f"(2) {base_title}")
    expect(update(page, second)).to_have_count(0)
    assert top_on_screen(oldest) == oldest_at, "what the reader was reading moved"
    below_button = scroll_y(page)

    button.click()
    expect(articles(page).nth(0)).to_have_id(f"update-{second}")
    expect(articles(page).nth(1)).to_have_id(f"update-{first}")
    expect(update(page, second)).to_be_in_viewport()
    expect(button).to_be_hidden()
    expect(page).to_have_title(base_title)
    assert scroll_y(page) < below_button - 1000, "the reader was not taken up to the news"
    assert len(set(article_ids(page))) == 14
    reader.assert_not_reloaded()
    assert reader.errors == []


def test_new_updates_button_is_not_shown_when_nothing_is_new(
    open_reader: OpenReader, desk: Desk
) -> None:
    desk.publish("Polls have closed.", headline="Polls close")
    reader = open_reader(desk.path)
    expect(new_updates_button(reader.page)).to_be_hidden()  # no empty pill (a CSS bug once)


# 3. The key events filter ------------------------------------------------------------------


def test_key_events_filter_shows_only_key_events_as_they_come(
    open_reader: OpenReader, desk: Desk
) -> None:
    earlier = desk.publish("Polls have closed.", headline="Polls close", key_event=True)
    reader = open_reader(f"{desk.path}?filter=key-events")
    page = reader.page
    expect(articles(page)).to_have_count(1)

    routine = desk.publish("Tea is being served to the counting staff.", headline="Tea break")
    result = desk.publish("The Greens win ward 1.", headline="First result", key_event=True)
    expect(articles(page).first).to_have_id(f"update-{result}", timeout=LIVE_MS)
    expect(key_event_links(page)).to_have_count(2)
    expect(key_event_links(page).first).to_contain_text("First result")
    # The routine update was published before the key event, so it has been and gone.
    expect(update(page, routine)).to_have_count(0)
    expect(page.get_by_text("Tea break")).to_have_count(0)
    assert_each_once(page, [result, earlier])

    desk.edit(routine, key_event=True)  # it becomes a key event: now it belongs here
    expect(update(page, routine)).to_have_count(1, timeout=LIVE_MS)
    expect(key_event_links(page)).to_have_count(3)
    # Where it lands next to an update of the same second is test_late_key_event_…'s business.
    ids = article_ids(page)
    assert sorted(ids) == sorted(f"update-{n}" for n in (result, routine, earlier)), ids
    assert ids.index(f"update-{result}") < ids.index(f"update-{earlier}"), ids
    assert ids.index(f"update-{routine}") < ids.index(f"update-{earlier}"), ids
    reader.assert_not_reloaded()
    assert reader.errors == []


def test_late_key_event_lands_below_a_newer_update_of_the_same_second(
    open_reader: OpenReader, desk: Desk
) -> None:
    reader = open_reader(f"{desk.path}?filter=key-events")
    page = reader.page
    for _ in range(20):  # two publishes take ~50 ms (more when busy): some tries straddle a second
        older = desk.publish("Tea is being served.", headline="Tea break")
        newer = desk.publish("The Greens win ward 1.", headline="First result", key_event=True)
        if len({published_second(desk, older), published_second(desk, newer)}) == 1:
            break
    else:
        pytest.fail("could not publish two updates within one second")
    expect(articles(page).first).to_have_id(f"update-{newer}", timeout=LIVE_MS)

    desk.edit(older, key_event=True)
    expect(update(page, older)).to_have_count(1, timeout=LIVE_MS)
    expect(articles(page).first).to_have_id(f"update-{newer}", timeout=2_000)  # placed


def published_second(desk: Desk, update_id: int) -> str:
    answer = desk.api.get(f"/api/v1/blogs/{desk.slug}/updates/{update_id}")
    assert answer.status_code == 200, answer.text
    return str(answer.json()["published_at"])[:19]


def test_unmarking_a_key_event_takes_it_off_a_filtered_page(
    open_reader: OpenReader, desk: Desk
) -> None:
    kept = desk.publish("Polls have closed.", headline="Polls close", key_event=True)
    mistaken = desk.publish("A recount is likely.", headline="Recount", key_event=True)
    reader = open_reader(f"{desk.path}?filter=key-events")
    page = reader.page
    expect(articles(page)).to_have_count(2)

    desk.edit(mistaken, key_event=False)
    fresh = open_reader(f"{desk.path}?filter=key-events").page  # the server has it right
    expect(articles(fresh)).to_have_count(1)
    expect(update(page, mistaken)).to_have_count(0)  # pushed changes show in well under 1 s
    expect(key_event_links(page)).to_have_count(1)
    assert_each_once(page, [kept])


# 4. Coverage ends --------------------------------------------------------------------------


def test_coverage_end_turns_the_live_badge_into_coverage_ended(
    open_reader: OpenReader, desk: Desk
) -> None:
    desk.publish("The last result is in.", headline="Final result")
    reader = open_reader(desk.path)
    page = reader.page
    badge = page.locator("[data-status-badge]")
    expect(badge).to_have_text("Live")

    desk.end_coverage()
    expect(badge).to_have_text("Coverage ended", timeout=LIVE_MS)
    expect(badge).to_have_class("badge badge--ended")
    expect(page.locator(".badge--live")).to_have_count(0)
    expect(connection_status(page)).to_be_hidden()
    reader.assert_not_reloaded()
    assert reader.errors == []


# 5. A server restart loses nothing ----------------------------------------------------------


def test_updates_published_after_a_server_restart_all_arrive_once(
    restartable_server: Server, open_reader: OpenReader, desk: Desk
) -> None:
    reader = open_reader(desk.path)
    page = reader.page
    expect(page.locator("[data-updates]")).to_have_text("No updates yet.")

    restartable_server.kill()
    expect(connection_status(page)).to_have_text("Reconnecting…", timeout=LIVE_MS)
    restartable_server.start()
    published = [desk.publish(text) for text in ("One", "Two", "Three")]

    expect(bodies(page)).to_have_text(["Three", "Two", "One"], timeout=RECONNECT_MS)
    expect(connection_status(page)).to_be_hidden()
    assert_each_once(page, list(reversed(published)))
    reader.assert_not_reloaded()
    assert reader.errors == []


def test_updates_before_and_after_a_server_restart_all_arrive_once(
    restartable_server: Server, open_reader: OpenReader, desk: Desk
) -> None:
    reader = open_reader(desk.path)
    page = reader.page
    before = [desk.publish(text) for text in ("One", "Two")]
    expect(bodies(page)).to_have_text(["Two", "One"], timeout=LIVE_MS)

    restartable_server.kill()
    expect(connection_status(page)).to_have_text("Reconnecting…", timeout=LIVE_MS)
    restartable_server.start()
    expect(connection_status(page)).to_be_hidden(timeout=RECONNECT_MS)  # the stream is back
    after = [desk.publish(text) for text in ("Three", "Four")]

    expect(bodies(page)).to_have_text(["Four", "Three", "Two", "One"], timeout=LIVE_MS)
    assert_each_once(page, list(reversed(before + after)))
    reconnects = reader.urls(EVENTS_URL)
    assert len(reconnects) >= 2, f"the stream never reconnected: {reconnects}"
    reader.assert_not_reloaded()
    assert reader.errors == []


# 6. Without EventSource, live.js polls ------------------------------------------------------


NO_EVENT_SOURCE_NOTING_POLL_DELAYS = """
delete window.EventSource;
window.__pollDelays = [];
const realSetTimeout = window.setTimeout;
window.setTimeout = function (callback, delay, ...rest) {
  if (callback && callback.name === "poll") window.__pollDelays.push(delay);
  return realSetTimeout.call(this, callback, delay, ...rest);
};
"""


def test_without_event_source_the_page_polls_for_changes(
    open_reader: OpenReader, desk: Desk
) -> None:
    reader = open_reader(init_script=NO_EVENT_SOURCE_NOTING_POLL_DELAYS)
    page = reader.page
    reader.open(desk.path, connection=CHANGES_URL)  # returns after the first poll's answer
    assert page.evaluate("typeof window.EventSource") == "undefined"

    update_id = desk.publish("Counting is slower than expected.", headline="Count delayed")
    expect(update(page, update_id)).to_be_visible(timeout=POLL_MS)

    # Every 10 s: checked by the waits the page asked for, not by the wall clock, which a
    # busy machine slows down.
    delays = page.evaluate("window.__pollDelays")
    assert delays, "live.js never asked to poll again"
    assert set(delays) == {10_000}, delays
    polls = reader.urls(CHANGES_URL)
    assert len(polls) >= 2, polls
    assert all("since=" in url for url in polls), polls
    assert reader.urls(EVENTS_URL) == []
    reader.assert_not_reloaded()
    assert reader.errors == []


# 7. Relative times tick ----------------------------------------------------------------------


def test_relative_times_tick_on_a_live_update(open_reader: OpenReader, desk: Desk) -> None:
    reader = open_reader()
    page = reader.page
    page.clock.install()  # Date and timers under the test's control; the stream is not
    reader.open(desk.path)

    update_id = desk.publish("The turnout is 35%.", headline="Turnout")
    age = update(page, update_id).locator("[data-relative]")
    expect(age).to_have_text("just now", timeout=LIVE_MS)

    page.clock.fast_forward("02:00")  # live.js re-reads every age each 30 s
    expect(age).to_have_text("2 minutes ago")
    expect(page.locator(".last-updated [data-relative]")).to_have_text("2 minutes ago")
    reader.assert_not_reloaded()
    assert reader.errors == []
