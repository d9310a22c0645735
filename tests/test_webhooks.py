"""Webhooks: a real receiver on 127.0.0.1 that verifies every message as docs/webhooks.md says;
deliveries follow the event log exactly once, retry with backoff, and survive a restart."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from dateline.accounts.service import User
from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import webhook_cursors, webhooks
from dateline.distribution import webhooks as service
from dateline.distribution.webhook_worker import WebhookWorker
from dateline.distribution.webhooks import (
    DeliveryView,
    WebhookDraft,
    event_names,
    sign,
    verify_signature,
)
from dateline.liveblog import queries
from dateline.liveblog.models import Blog
from dateline.liveblog.service import end_coverage, set_key_event
from dateline.web.services import of_app
from tests.helpers import csrf_from, make_user, parse, post
from tests.test_ssrf import LocalServer, Received

DOCS = Path(__file__).resolve().parents[1] / "docs" / "webhooks.md"
# Reads the deliveries the way the admin page does (authorisation is tested on its own).
OVERSEER = User(0, "overseer@example.org", "Overseer", "admin")


@pytest.fixture
async def editor(db: Database) -> User:
    """Webhooks are managed by admins: the account of these tests is one."""
    return await make_user(db, role="admin")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The receiver listens on 127.0.0.1, so private addresses are allowed here; retries and
    polling are fast so the tests are."""
    return settings.model_copy(
        update={
            "allow_private_addresses": True,
            "webhook_retry_seconds": [0.3, 0.3],
            "webhook_poll_seconds": 0.05,
            "webhook_timeout_seconds": 5.0,
        }
    )


class Receiver(LocalServer):
    """Verifies each message with the documented function; answers with `statuses` in turn,
    then 200. A message that fails verification is answered 401 and counted as such."""

    def __init__(self, statuses: tuple[int, ...] = ()) -> None:
        super().__init__(self._answer)
        self.secret = ""  # known once the webhook is registered
        self.statuses = list(statuses)
        self.verified: list[bool] = []

    def _answer(self, request: Received) -> tuple[int, dict[str, str]]:
        good = verify_signature(
            self.secret,
            request.headers["x-dateline-timestamp"],
            request.body,
            request.headers["x-dateline-signature"],
        )
        self.verified.append(good)
        if not good:
            return 401, {}
        return (self.statuses.pop(0) if self.statuses else 200), {}

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(request.body) for request in self.received]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with Receiver() as server:
        yield server


@pytest.fixture
async def worker(app: Any) -> AsyncIterator[WebhookWorker]:
    """The app's own worker (the one its commits wake), running as in `dateline serve`."""
    running: WebhookWorker = of_app(app).webhook_worker
    await running.start()
    yield running
    await running.stop()


async def register(
    db: Database,
    receiver: Receiver,
    user: User,
    events: list[str],
    blog: Blog | None = None,
) -> None:
    draft = WebhookDraft(f"{receiver.url}/hook", blog.slug if blog else "", events)
    _, receiver.secret = await service.create_webhook(db, draft, user, allow_private=True)


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Wait until check() holds. A poll, because most checks read the database, which has no
    event to wait on. The minute allowed is for a busy machine; a pass takes milliseconds."""
    async with asyncio.timeout(60):
        while not await check():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def received(receiver: Receiver, count: int) -> None:
    async def enough() -> bool:
        return len(receiver.received) >= count

    await eventually(enough)


async def settled(db: Database) -> list[DeliveryView]:
    """Deliveries once there are some and none is pending any more."""

    async def done() -> bool:
        found = await service.recent_deliveries(db, OVERSEER)
        return bool(found) and all(d.status != "pending" for d in found)

    await eventually(done)
    return await service.recent_deliveries(db, OVERSEER)


# Deliveries ---------------------------------------------------------------------------------


async def test_publishing_an_update_sends_one_signed_delivery(
    db: Database, blog: Blog, editor: User, receiver: Receiver, worker: WebhookWorker
) -> None:
    await register(db, receiver, editor, ["update.published"], blog)
    update = await post(db, blog, editor, "Polls have **closed**.", headline="Polls close")
    await received(receiver, 1)
    await worker.run_once()  # nothing more is queued
    await asyncio.sleep(0.2)

    [request] = receiver.received
    assert receiver.verified == [True]
    assert abs(time.time() - int(request.headers["x-dateline-timestamp"])) < 300  # the window
    assert request.headers["x-dateline-event"] == "update.published"
    assert uuid.UUID(request.headers["x-dateline-delivery"])
    assert request.headers["content-type"] == "application/json"
    body = json.loads(request.body)
    async with db.read() as conn:
        seq = (await queries.blog_by_slug(conn, blog.slug)).last_seq
    assert set(body) == {"event", "blog", "update", "seq", "sent_at"}
    assert body["event"] == "update.published"
    assert body["seq"] == seq
    assert body["blog"] == {
        "slug": blog.slug,
        "title": blog.title,
        "url": f"http://testserver/live/{blog.slug}",
    }
    assert body["update"]["id"] == update.id
    assert body["update"]["headline"] == "Polls close"
    assert body["update"]["body_html"] == "<p>Polls have <strong>closed</strong>.</p>\n"
    assert body["update"]["url"] == f"http://testserver/live/{blog.slug}/updates/{update.id}"
    assert body["sent_at"].endswith("Z")
    [delivery] = await settled(db)
    assert delivery.status == "delivered"
    assert [(a.number, a.status_code, a.error) for a in delivery.attempts] == [(1, 200, "")]


async def test_marking_a_key_event_sends_update_key_event(
    db: Database, blog: Blog, editor: User, receiver: Receiver, worker: WebhookWorker
) -> None:
    await register(db, receiver, editor, ["update.key_event"], blog)
    update = await post(db, blog, editor, "Turnout is at a record high.")
    await set_key_event(db, blog.slug, update.id, True, editor)
    await received(receiver, 1)
    await set_key_event(db, blog.slug, update.id, False, editor)  # unmarking sends nothing
    await worker.run_once()
    await asyncio.sleep(0.2)

    [body] = receiver.bodies()
    assert body["event"] == "update.key_event"
    assert body["update"]["id"] == update.id
    assert body["update"]["key_event"] is True
    assert receiver.verified == [True]


async def test_a_site_wide_webhook_hears_coverage_end(
    db: Database, blog: Blog, editor: User, receiver: Receiver, worker: WebhookWorker
) -> None:
    await register(db, receiver, editor, ["blog.ended"])
    await post(db, blog, editor, "Final results are in.")  # not subscribed
    await end_coverage(db, blog.slug, editor)
    await received(receiver, 1)

    [body] = receiver.bodies()
    assert (body["event"], body["blog"]["slug"], body["update"]) == ("blog.ended", blog.slug, None)


def test_which_logged_events_webhooks_hear() -> None:
    assert event_names("update.published", {"key_event": False}) == ["update.published"]
    assert event_names("update.published", {"key_event": True}) == [
        "update.published",
        "update.key_event",
    ]
    assert event_names("update.key_event", {"key_event": True}) == ["update.key_event"]
    assert event_names("update.key_event", {"key_event": False}) == []
    assert event_names("blog.ended", {}) == ["blog.ended"]
    for quiet in ("blog.created", "update.edited", "update.deleted", "update.pinned"):
        assert event_names(quiet, {"key_event": True}) == []


async def test_a_failed_delivery_is_retried_after_a_backoff(
    db: Database, blog: Blog, editor: User, worker: WebhookWorker
) -> None:
    async with Receiver(statuses=(500,)) as receiver:
        await register(db, receiver, editor, ["update.published"], blog)
        await post(db, blog, editor)
        await received(receiver, 2)
        [delivery] = await settled(db)

    first, second = receiver.received
    assert first.headers["x-dateline-delivery"] == second.headers["x-dateline-delivery"]
    assert receiver.verified == [True, True]
    assert delivery.status == "delivered"
    assert [(a.number, a.status_code) for a in delivery.attempts] == [(1, 500), (2, 200)]
    assert delivery.attempts[0].error == "The receiver answered HTTP 500."
    waited = (delivery.attempts[1].started_at - delivery.attempts[0].started_at).total_seconds()
    assert waited >= 0.3  # the first wait of webhook_retry_seconds


async def test_a_delivery_is_marked_failed_when_the_retries_are_used_up(
    db: Database, blog: Blog, editor: User, worker: WebhookWorker
) -> None:
    async with Receiver(statuses=(500, 502, 503, 504)) as receiver:
        await register(db, receiver, editor, ["update.published"], blog)
        await post(db, blog, editor)
        [delivery] = await settled(db)

    assert delivery.status == "failed"
    assert [a.status_code for a in delivery.attempts] == [500, 502, 503]  # 1 + 2 retries
    assert len(receiver.received) == 3


async def test_the_worker_catches_up_after_a_restart_and_sends_once(
    app: Any, db: Database, blog: Blog, editor: User, receiver: Receiver, settings: Settings
) -> None:
    worker: WebhookWorker = of_app(app).webhook_worker
    await register(db, receiver, editor, ["update.published"], blog)
    await worker.start()
    await worker.stop()
    update = await post(db, blog, editor, "Published while the sender was down.")
    await asyncio.sleep(0.2)
    assert receiver.received == []

    await worker.start()
    await received(receiver, 1)
    await worker.stop()
    another_process = WebhookWorker(db, settings)
    await another_process.start()
    await another_process.run_once()
    await another_process.stop()

    assert [body["update"]["id"] for body in receiver.bodies()] == [update.id]
    async with db.read() as conn:
        cursor = (await conn.execute(select(webhook_cursors.c.seq))).scalar_one()
        assert cursor == (await queries.blog_by_slug(conn, blog.slug)).last_seq


async def test_two_workers_send_each_delivery_once(
    db: Database, blog: Blog, editor: User, receiver: Receiver, settings: Settings
) -> None:
    await register(db, receiver, editor, ["update.published"], blog)
    for n in range(6):
        await post(db, blog, editor, f"Update {n}.")
    first, second = WebhookWorker(db, settings), WebhookWorker(db, settings)
    await first.start()
    await second.start()
    try:
        await received(receiver, 6)
        await asyncio.gather(first.run_once(), second.run_once())
        await asyncio.sleep(0.2)
    finally:
        await first.stop()
        await second.stop()

    ids = [request.headers["x-dateline-delivery"] for request in receiver.received]
    assert len(ids) == len(set(ids)) == 6


async def test_a_target_that_became_private_is_refused_at_delivery(
    db: Database, blog: Blog, editor: User, receiver: Receiver, settings: Settings
) -> None:
    await register(db, receiver, editor, ["update.published"], blog)
    strict = WebhookWorker(db, settings.model_copy(update={"allow_private_addresses": False}))
    await post(db, blog, editor)
    await strict.start()
    try:

        async def tried() -> bool:
            return any(d.attempts for d in await service.recent_deliveries(db, OVERSEER))

        await eventually(tried)
    finally:
        await strict.stop()

    [delivery] = await service.recent_deliveries(db, OVERSEER)
    assert "127.0.0.1 is a loopback address" in delivery.attempts[0].error
    assert delivery.attempts[0].status_code is None
    assert receiver.received == []


# Signatures ---------------------------------------------------------------------------------


def documented_verify() -> Callable[[str, str, bytes, str], bool]:
    """The receiver's function exactly as docs/webhooks.md prints it."""
    [snippet] = re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.DOTALL)
    scope: dict[str, Any] = {}
    exec(snippet, scope)  # noqa: S102 - our own documentation, checked to stay true
    return scope["verify_signature"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("verify", [verify_signature, documented_verify()])
def test_old_replayed_or_tampered_messages_are_refused(
    verify: Callable[[str, str, bytes, str], bool],
) -> None:
    secret, body = "whsec_test", b'{"event":"update.published"}'
    # A minute outside the five-minute window, not a second: the checks below read the clock
    # again, and a busy machine may take a second or more to reach them.
    fresh = str(int(time.time()))
    stale = str(int(time.time()) - 360)
    future = str(int(time.time()) + 360)

    def signature(timestamp: str) -> str:
        return "sha256=" + sign(secret, timestamp, body)

    assert verify(secret, fresh, body, signature(fresh))
    assert not verify(secret, stale, body, signature(stale))  # replayed after 6 minutes
    assert not verify(secret, future, body, signature(future))
    assert not verify(secret, fresh, body + b" ", signature(fresh))  # body changed
    assert not verify("whsec_other", fresh, body, signature(fresh))
    assert not verify(secret, fresh, body, signature(stale))  # timestamp swapped
    assert not verify(secret, "yesterday", body, signature(fresh))


# Registration: pages and API ----------------------------------------------------------------


@pytest.fixture
def strict_addresses(app: Any) -> None:
    """Production behaviour: private addresses refused."""
    of_app(app).settings.allow_private_addresses = False


async def test_a_private_address_is_refused_in_the_form_which_keeps_the_input(
    editor_client: httpx.AsyncClient, blog: Blog, db: Database, strict_addresses: None
) -> None:
    page = await editor_client.get("/admin/webhooks")
    answer = await editor_client.post(
        "/admin/webhooks",
        data={
            "csrf_token": csrf_from(page),
            "url": "http://127.0.0.1:9000/hook",
            "blog": blog.slug,
            "events": ["update.key_event", "blog.ended"],
        },
    )
    assert answer.status_code == 422
    html = parse(answer)
    error = html.css_first("#form-errors")
    assert error is not None
    assert "127.0.0.1 is a loopback address" in error.text()
    assert html.css_first("#url").attributes["value"] == "http://127.0.0.1:9000/hook"
    assert "selected" in html.css_first(f"option[value={blog.slug}]").attributes
    checked = [node.attributes["value"] for node in html.css("input[name=events][checked]")]
    assert checked == ["update.key_event", "blog.ended"]
    assert await service.list_webhooks(db, OVERSEER) == []


async def test_a_stale_form_is_refused_and_keeps_the_input(
    editor_client: httpx.AsyncClient,
) -> None:
    answer = await editor_client.post(
        "/admin/webhooks",
        data={"csrf_token": "stale", "url": "https://x.example/", "events": "blog.ended"},
    )
    assert answer.status_code == 403
    assert parse(answer).css_first("#url").attributes["value"] == "https://x.example/"


async def test_the_page_shows_the_secret_once_then_deliveries_and_deletes(
    editor_client: httpx.AsyncClient,
    db: Database,
    blog: Blog,
    editor: User,
    receiver: Receiver,
    worker: WebhookWorker,
) -> None:
    page = await editor_client.get("/admin/webhooks")
    created = await editor_client.post(
        "/admin/webhooks",
        data={
            "csrf_token": csrf_from(page),
            "url": f"{receiver.url}/hook",
            "blog": "",
            "events": "update.published",
        },
    )
    assert created.status_code == 201
    secret_field = parse(created).css_first("#secret")
    assert secret_field is not None
    receiver.secret = str(secret_field.attributes["value"])
    assert receiver.secret.startswith("whsec_")

    await post(db, blog, editor)
    await received(receiver, 1)
    await settled(db)
    listing = await editor_client.get("/admin/webhooks")
    assert receiver.secret not in listing.text
    rows = parse(listing).css("#webhooks tbody tr[data-webhook]")
    assert [row.css_first("code").text() for row in rows] == [f"{receiver.url}/hook"]
    delivery = parse(listing).css_first("#deliveries tbody tr[data-delivery]")
    assert delivery.attributes["data-status"] == "delivered"
    assert "HTTP 200" in delivery.text()

    webhook_id = rows[0].attributes["data-webhook"]
    gone = await editor_client.post(
        f"/admin/webhooks/{webhook_id}/delete", data={"csrf_token": csrf_from(listing)}
    )
    assert gone.status_code == 303
    assert await service.list_webhooks(db, OVERSEER) == []


async def test_api_registers_lists_and_deletes(api: httpx.AsyncClient, blog: Blog) -> None:
    answer = await api.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "blog": blog.slug, "events": ["blog.ended"]},
    )
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["secret"].startswith("whsec_")
    assert (created["blog"], created["events"]) == (blog.slug, ["blog.ended"])

    listed = (await api.get("/api/v1/webhooks")).json()["items"]
    assert listed == [{key: value for key, value in created.items() if key != "secret"}]
    assert (await api.delete(f"/api/v1/webhooks/{created['id']}")).status_code == 204
    assert (await api.get("/api/v1/webhooks")).json() == {"items": []}
    missing = await api.delete(f"/api/v1/webhooks/{created['id']}")
    assert (missing.status_code, missing.json()["error"]) == (404, "notfound")


async def test_api_refuses_private_addresses_and_bad_input_with_json_problems(
    api: httpx.AsyncClient, db: Database, strict_addresses: None
) -> None:
    private = await api.post(
        "/api/v1/webhooks", json={"url": "http://169.254.169.254/", "events": ["blog.ended"]}
    )
    assert private.status_code == 422
    assert private.json()["error"] == "invalid"
    assert "link-local" in private.json()["detail"]["url"]
    unknown_event = await api.post(
        "/api/v1/webhooks", json={"url": "https://x.example/", "events": ["update.edited"]}
    )
    assert unknown_event.status_code == 422
    assert unknown_event.json()["detail"][0]["field"] == "events.0"
    no_token = await api.get("/api/v1/webhooks", headers={"Authorization": ""})
    assert (no_token.status_code, no_token.json()["error"]) == (401, "unauthorized")
    async with db.read() as conn:
        assert (await conn.execute(select(webhooks))).first() is None


async def test_the_webhook_api_is_in_the_openapi_schema(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/api/v1/openapi.json")).json()["paths"]
    assert set(paths["/api/v1/webhooks"]) == {"get", "post"}
    assert set(paths["/api/v1/webhooks/{webhook_id}"]) == {"delete"}
    assert not any(path.startswith("/admin") for path in paths)
