"""Changes racing each other over a real `dateline serve` on 127.0.0.1 (SQLite and PostgreSQL):
no change answered 200 is lost, a stale If-Match is a 412 that changes nothing, and the edit
form's preview is refused before anything is rendered for text or people it would refuse.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from dateline.accounts.service import User
from dateline.accounts.tokens import create_token_for
from dateline.db import Database
from dateline.liveblog.models import LIMITS, Blog
from tests.helpers import csrf_from, log_in, make_user, parse
from tests.live_server import DATELINE, free_port, server_env, stop, wait_until_serving

ROUNDS = 20


@pytest.fixture
def server_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """`dateline serve` on the test's own database (a SQLite copy, or PostgreSQL)."""
    port = free_port()
    env = server_env(tmp_path, port)
    env["DATELINE_DATABASE_URL"] = database_url
    log_path = tmp_path / "server.log"
    command = [str(DATELINE), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_serving(process, f"http://127.0.0.1:{port}", log_path)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(process)


@pytest.fixture
async def http(server_url: str, db: Database, editor: User) -> AsyncIterator[httpx.AsyncClient]:
    """The editor's API client on the real server, with a write token."""
    token = await create_token_for(db, editor.email, "race", "write")
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=server_url, headers=headers, timeout=30) as client:
        yield client


async def _new_update(http: httpx.AsyncClient, slug: str) -> str:
    """A fresh update's API address."""
    created = await http.post(f"/api/v1/blogs/{slug}/updates", json={"body": "Polls close."})
    assert created.status_code == 201, created.text
    return f"/api/v1/blogs/{slug}/updates/{created.json()['id']}"


async def _race(
    http: httpx.AsyncClient, url: str, n: int, if_match: str | None
) -> list[httpx.Response]:
    """Two edits of different fields and a key event switch, sent at the same moment."""
    headers = {"If-Match": if_match} if if_match else {}
    return list(
        await asyncio.gather(
            http.patch(url, json={"body": f"Turnout {n} per cent."}, headers=headers),
            http.patch(url, json={"headline": f"Count {n}"}, headers=headers),
            http.put(f"{url}/key-event", json={"on": n % 2 == 0}, headers=headers),
        )
    )


async def test_parallel_edits_and_a_key_event_switch_all_survive(
    http: httpx.AsyncClient, blog: Blog
) -> None:
    url = await _new_update(http, "election-night")
    for n in range(1, ROUNDS + 1):
        answers = await _race(http, url, n, None)
        assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
        now = (await http.get(url)).json()
        lost = {
            "body": now["body"] != f"Turnout {n} per cent.",
            "headline": now["headline"] != f"Count {n}",
            "key event": now["key_event"] != (n % 2 == 0),
        }
        assert not any(lost.values()), f"round {n} lost {[k for k, v in lost.items() if v]}"
        assert now["version"] == 1 + 3 * n, "each change is one new version"


async def test_parallel_changes_made_against_one_version_one_wins_the_others_get_412(
    http: httpx.AsyncClient, blog: Blog
) -> None:
    url = await _new_update(http, "election-night")
    for n in range(1, ROUNDS // 2 + 1):
        before = await http.get(url)
        answers = await _race(http, url, n, before.headers["ETag"])
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200, 412, 412], [a.text for a in answers]
        for refused in (a for a in answers if a.status_code == 412):
            assert refused.json()["error"] == "stale"
            assert "Reporter editor" in refused.json()["detail"]
        now = (await http.get(url)).json()
        assert now["version"] == before.json()["version"] + 1
        winner = answers[[a.status_code for a in answers].index(200)].json()
        assert {k: now[k] for k in ("body", "headline", "key_event")} == {
            k: winner[k] for k in ("body", "headline", "key_event")
        }, "a refused change was applied after all"


async def test_if_match_with_a_stale_version_is_412_and_changes_nothing(
    http: httpx.AsyncClient, blog: Blog
) -> None:
    url = await _new_update(http, "election-night")
    read = await http.get(url)
    assert read.headers["ETag"] == '"1"'
    assert read.json()["version"] == 1
    switched = await http.put(f"{url}/key-event", json={"on": True}, headers={"If-Match": '"1"'})
    assert switched.status_code == 200
    assert switched.headers["ETag"] == '"2"'
    for stale in ('"1"', 'W/"2"', "2", '"x"', '"99999999999999999999"'):
        for answer in (
            await http.patch(url, json={"body": "Overwritten."}, headers={"If-Match": stale}),
            await http.put(f"{url}/pin", json={"on": True}, headers={"If-Match": stale}),
            await http.request("DELETE", url, json={}, headers={"If-Match": stale}),
        ):
            assert answer.status_code == 412, (stale, answer.text)
            assert answer.json()["error"] == "stale"
    unchanged = await http.get(url)
    assert unchanged.json() == switched.json(), "a refused change changed the update"
    saved = await http.patch(url, json={"body": "Fixed."}, headers={"If-Match": '"3", "2"'})
    assert saved.status_code == 200
    assert saved.headers["ETag"] == '"3"'
    gone = await http.request("DELETE", url, json={}, headers={"If-Match": "*"})
    assert gone.status_code == 204


async def test_preview_of_over_long_text_is_refused_by_rights_then_by_length_unrendered(
    server_url: str, db: Database, blog: Blog, editor: User
) -> None:
    """The attack: a contributor of another team previewed 1 MB of "[" on an edit form, and
    the server rendered it for 22 s. Now the team is checked first, then the length limit.
    (50,000 characters: over the limit, under any cap on the size of a request.)"""
    url = await _new_update_as(server_url, db, editor)
    huge = "[" * 50_000
    stranger = await make_user(db, "contributor")
    for who, status in ((stranger, 403), (editor, 422)):
        async with httpx.AsyncClient(base_url=server_url, timeout=30) as browser:
            await log_in(browser, who.email)
            token = csrf_from(await browser.get("/admin/account"))
            form = {"csrf_token": token, "body": huge, "action": "preview"}
            answer = await browser.post(f"{url}/edit", data=form)
        assert answer.status_code == status, answer.text[:300]
        assert parse(answer).css_first(".preview") is None
    assert f"Keep it under {LIMITS['body']} characters." in answer.text
    kept = parse(answer).css_first("textarea#body")
    assert kept is not None
    assert kept.text() == huge, "the editor's text is kept"


async def _new_update_as(server_url: str, db: Database, editor: User) -> str:
    """A fresh update's edit page address (without /edit) on the real server."""
    token = await create_token_for(db, editor.email, "setup", "write")
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=server_url, headers=headers, timeout=30) as api:
        update_id = (await _new_update(api, "election-night")).rsplit("/", 1)[1]
    return f"/admin/live/election-night/updates/{update_id}"
