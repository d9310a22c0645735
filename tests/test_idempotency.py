"""`Idempotency-Key` on the API: a retried POST is answered the first time's answer, once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dateline.accounts.tokens import create_token_for
from dateline.db import Database
from dateline.liveblog.models import Blog
from dateline.web.services import of_app
from tests.helpers import make_user, png_bytes
from tests.live_server import LiveServer, live_server

__all__ = ["live_server"]  # the fixture, imported for this module's real server

UPDATE = {"body": "Crews reached the harbour.", "headline": "Arrived"}


def keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


async def headlines(client: httpx.AsyncClient, slug: str) -> list[str]:
    """The updates readers see on the blog, newest first."""
    answer = await client.get(f"/api/v1/blogs/{slug}/updates")
    assert answer.status_code == 200, answer.text
    return [item["headline"] for item in answer.json()["items"]]


def assert_problem(answer: httpx.Response, status: int, error: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == error
    assert answer.json()["detail"]


class Clock:
    """The clock the app dates keys with, moved by the test."""

    def __init__(self) -> None:
        self.moment = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock(app: object) -> Clock:
    clock = Clock()
    of_app(app).idempotency.now = clock  # type: ignore[arg-type]
    return clock


async def test_a_retried_post_replays_the_first_answer_and_posts_once(
    api: httpx.AsyncClient, blog: Blog
) -> None:
    path = f"/api/v1/blogs/{blog.slug}/updates"
    first = await api.post(path, json=UPDATE, headers=keyed("retry-1"))
    again = await api.post(path, json=UPDATE, headers=keyed("retry-1"))

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.headers["x-content-type-options"] == "nosniff"  # still behind the headers
    assert await headlines(api, blog.slug) == ["Arrived"]


async def test_a_new_key_posts_again(api: httpx.AsyncClient, blog: Blog) -> None:
    path = f"/api/v1/blogs/{blog.slug}/updates"
    await api.post(path, json=UPDATE, headers=keyed("one"))
    second = await api.post(path, json=UPDATE, headers=keyed("two"))
    assert second.status_code == 201
    assert "idempotent-replayed" not in second.headers
    assert await headlines(api, blog.slug) == ["Arrived", "Arrived"]


async def test_a_quoted_key_is_the_same_key(api: httpx.AsyncClient, blog: Blog) -> None:
    """The draft sends the key as a structured-field string: "abc" is the key abc."""
    path = f"/api/v1/blogs/{blog.slug}/updates"
    await api.post(path, json=UPDATE, headers=keyed("abc"))
    again = await api.post(path, json=UPDATE, headers=keyed('"abc"'))
    assert again.headers["idempotent-replayed"] == "true"
    assert await headlines(api, blog.slug) == ["Arrived"]


async def test_the_same_key_on_a_different_request_is_refused(
    api: httpx.AsyncClient, blog: Blog
) -> None:
    path = f"/api/v1/blogs/{blog.slug}/updates"
    await api.post(path, json=UPDATE, headers=keyed("k"))

    other_body = await api.post(path, json={**UPDATE, "body": "Other"}, headers=keyed("k"))
    other_path = await api.post(
        "/api/v1/blogs", json={"slug": "x", "title": "X"}, headers=keyed("k")
    )
    other_method = await api.patch(f"{path}/1", json={"headline": "Arrived"}, headers=keyed("k"))

    for answer in (other_body, other_path, other_method):
        assert_problem(answer, 422, "idempotency_key_reused")
    assert await headlines(api, blog.slug) == ["Arrived"]
    assert (await api.get("/api/v1/blogs/x")).status_code == 404


async def test_concurrent_duplicates_post_exactly_one_update(
    api: httpx.AsyncClient, blog: Blog
) -> None:
    path = f"/api/v1/blogs/{blog.slug}/updates"
    answers = await asyncio.gather(
        *(api.post(path, json=UPDATE, headers=keyed("twins")) for _ in range(2))
    )

    created = [
        a for a in answers if "idempotent-replayed" not in a.headers and a.status_code == 201
    ]
    assert len(created) == 1
    for other in answers:
        if other is not created[0]:
            replayed = other.headers.get("idempotent-replayed") == "true"
            assert other.status_code == 409 or (replayed and other.content == created[0].content)
    assert await headlines(api, blog.slug) == ["Arrived"]


async def test_a_refused_request_is_replayed_too(api: httpx.AsyncClient, blog: Blog) -> None:
    """A 4xx is an answer: the retry gets it again rather than a different outcome."""
    path = f"/api/v1/blogs/{blog.slug}/updates"
    first = await api.post(path, json={"body": ""}, headers=keyed("empty"))
    again = await api.post(path, json={"body": ""}, headers=keyed("empty"))
    assert first.status_code == again.status_code == 422
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert await headlines(api, blog.slug) == []


async def test_a_key_is_forgotten_after_24_hours(
    api: httpx.AsyncClient, blog: Blog, clock: Clock
) -> None:
    path = f"/api/v1/blogs/{blog.slug}/updates"
    await api.post(path, json=UPDATE, headers=keyed("daily"))

    clock.moment += timedelta(hours=23, minutes=59)
    assert (await api.post(path, json=UPDATE, headers=keyed("daily"))).headers[
        "idempotent-replayed"
    ] == "true"
    clock.moment += timedelta(minutes=2)  # 24 h 1 min after the first
    fresh = await api.post(path, json=UPDATE, headers=keyed("daily"))
    assert fresh.status_code == 201
    assert "idempotent-replayed" not in fresh.headers
    assert await headlines(api, blog.slug) == ["Arrived", "Arrived"]


async def test_keys_are_per_user(
    api: httpx.AsyncClient, client: httpx.AsyncClient, db: Database, blog: Blog
) -> None:
    admin = await make_user(db, "admin")
    admin_token = await create_token_for(db, admin.email, "tests", "write")
    path = f"/api/v1/blogs/{blog.slug}/updates"
    mine = await api.post(path, json=UPDATE, headers=keyed("shared"))
    theirs = await client.post(
        path,
        json=UPDATE,
        headers={**keyed("shared"), "Authorization": f"Bearer {admin_token}"},
    )
    assert mine.status_code == theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert mine.json()["id"] != theirs.json()["id"]
    assert await headlines(api, blog.slug) == ["Arrived", "Arrived"]


@pytest.mark.parametrize(
    "value",
    [b"", b"k" * 201, "caf\u00e9".encode("latin-1"), b"tab\there", b'""'],
    ids=["empty", "201 chars", "not ascii", "control", "empty quoted"],
)
async def test_a_malformed_key_is_a_400_and_changes_nothing(
    api: httpx.AsyncClient, blog: Blog, value: bytes
) -> None:
    path = f"/api/v1/blogs/{blog.slug}/updates"
    answer = await api.post(path, json=UPDATE, headers=[(b"Idempotency-Key", value)])
    assert_problem(answer, 400, "bad_idempotency_key")
    assert await headlines(api, blog.slug) == []


async def test_two_keys_are_a_400(api: httpx.AsyncClient, blog: Blog) -> None:
    path = f"/api/v1/blogs/{blog.slug}/updates"
    two = [(b"Idempotency-Key", b"a"), (b"Idempotency-Key", b"b")]
    assert_problem(await api.post(path, json=UPDATE, headers=two), 400, "bad_idempotency_key")
    assert await headlines(api, blog.slug) == []


async def test_a_200_character_key_is_accepted(api: httpx.AsyncClient, blog: Blog) -> None:
    path = f"/api/v1/blogs/{blog.slug}/updates"
    key = "~ !" + "k" * 197
    await api.post(path, json=UPDATE, headers=keyed(key))
    again = await api.post(path, json=UPDATE, headers=keyed(key))
    assert again.headers["idempotent-replayed"] == "true"


async def test_a_keyed_upload_over_1_mb_is_a_413(api: httpx.AsyncClient) -> None:
    """Keyed bodies are buffered, so they stop at 1 MB even where a route takes more (images
    need no key: an image is stored once by its content hash)."""
    picture = {"file": ("big.png", png_bytes(1200, 900) + b"\0" * 1024 * 1024, "image/png")}
    answer = await api.post("/api/v1/images", files=picture, headers=keyed("big"))
    assert_problem(answer, 413, "http_error")
    assert "1 MB" in answer.json()["detail"]
    again = await api.post("/api/v1/images", files=picture, headers=keyed("big"))
    assert again.status_code == 413  # nothing was reserved, nothing is replayed
    assert "idempotent-replayed" not in again.headers


async def test_anonymous_keyed_requests_are_401_as_without_a_key(
    client: httpx.AsyncClient, blog: Blog
) -> None:
    path = f"/api/v1/blogs/{blog.slug}/updates"
    for _ in range(2):
        answer = await client.post(path, json=UPDATE, headers=keyed("anon"))
        assert_problem(answer, 401, "unauthorized")
        assert "idempotent-replayed" not in answer.headers


@pytest.fixture
async def own_routes(app: object, api: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """`api`, for routes a test adds under /api/v1; a route's exception becomes the app's 500
    answer instead of being raised in the test."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=api.headers
    ) as client:
        yield client


def add_route(app: object, path: str, route: Callable[[Request], Awaitable[Response]]) -> None:
    app.router.routes.append(Route(path, route, methods=["POST"]))  # type: ignore[attr-defined]


async def test_a_key_still_in_use_is_a_409(app: object, own_routes: httpx.AsyncClient) -> None:
    entered, finish = asyncio.Event(), asyncio.Event()

    async def slow(_: Request) -> Response:
        if not entered.is_set():  # only the first call waits: a second one must not get here
            entered.set()
            await finish.wait()
        return JSONResponse({"done": True}, status_code=201)

    add_route(app, "/api/v1/slow", slow)
    first = asyncio.create_task(own_routes.post("/api/v1/slow", json={}, headers=keyed("s")))
    await entered.wait()
    running = await own_routes.post("/api/v1/slow", json={}, headers=keyed("s"))
    finish.set()
    assert (await first).status_code == 201
    after = await own_routes.post("/api/v1/slow", json={}, headers=keyed("s"))

    assert_problem(running, 409, "conflict")
    assert after.headers["idempotent-replayed"] == "true"


async def test_a_server_error_frees_the_key_for_the_retry(
    app: object, own_routes: httpx.AsyncClient
) -> None:
    """An exception (500), then a 503, then a success: each failure lets the retry run."""
    calls = 0

    async def flaky(_: Request) -> Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the first call fails")
        if calls == 2:
            return JSONResponse({"error": "busy", "detail": "try again"}, status_code=503)
        return JSONResponse({"calls": calls}, status_code=201)

    add_route(app, "/api/v1/flaky", flaky)
    answers = [
        await own_routes.post("/api/v1/flaky", json={}, headers=keyed("f")) for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [500, 503, 201, 201]
    assert answers[3].headers["idempotent-replayed"] == "true"
    assert answers[3].json() == {"calls": 3}
    assert calls == 3


def test_a_retry_against_a_real_server_replays(live_server: LiveServer) -> None:
    token = live_server.create_api_token()
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=live_server.base_url + "/api/v1", headers=auth) as api:
        made = api.post("/blogs", json={"slug": "quay-fire", "title": "Quay fire"})
        assert made.status_code == 201, made.text
        path = "/blogs/quay-fire/updates"
        first = api.post(path, json=UPDATE, headers=keyed("loopback-1"))
        again = api.post(path, json=UPDATE, headers=keyed("loopback-1"))
        listed = api.get(path).json()["items"]
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert [item["id"] for item in listed] == [first.json()["id"]]
