"""Attacks on accounts, and what holds: failing on purpose does not lock the owner out (the
failures of browsers an account does not know share one count, a known browser has its own,
an IPv6 address counts by its /64), and a password reset ends the API tokens too."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from dateline.accounts.throttle import Policy, address_key
from dateline.app import create_app
from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import login_throttle, utcnow
from dateline.web.services import install, of_app
from tests.clock import FrozenClock
from tests.helpers import PASSWORD, csrf_from, log_in, make_user, parse
from tests.live_server import DATELINE, LiveServer, live_server  # noqa: F401 (a fixture)

FREE = 3  # free failures per account and per address in the in-process tests


# Against a real server ---------------------------------------------------------------------


def _browser(server: LiveServer, address: str) -> httpx.Client:
    """A browser of its own (no cookies) connecting from `address`: every 127.0.0.0/8 address
    reaches the server on 127.0.0.1, so one machine can play many attackers."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(transport=transport, base_url=server.base_url, timeout=30)


def _try(http: httpx.Client, email: str, password: str) -> httpx.Response:
    page = http.get("/login")
    data = {"csrf_token": csrf_from(page), "email": email, "password": password}
    return http.post("/login", data=data)


def _hold_server_locks(server: LiveServer) -> None:
    """Keep every lock the server has set in force for an hour. A server process's clock
    cannot be stopped, so its database is where time is faked: no assertion depends on how
    fast the machine answers."""

    async def hold() -> None:
        database = Database(server.env["DATELINE_DATABASE_URL"])
        async with database.write() as conn:
            await conn.execute(
                update(login_throttle)
                .where(login_throttle.c.locked_until.is_not(None))
                .values(locked_until=utcnow() + timedelta(hours=1))
            )
        await database.dispose()

    asyncio.run(hold())


def test_failing_on_purpose_from_many_addresses_does_not_lock_the_owner_out(
    live_server: LiveServer,  # noqa: F811
) -> None:
    email = live_server.email
    with _browser(live_server, "127.0.0.1") as owner:
        assert _try(owner, email, live_server.password).status_code == 303
        owner.post("/logout", data={"csrf_token": csrf_from(owner.get("/admin"))})

        answers = []
        for number in range(2, 10):  # 8 failures from 8 addresses
            with _browser(live_server, f"127.0.0.{number}") as attacker:
                answers.append(_try(attacker, email, f"wrong guess {number}").status_code)
        assert set(answers) <= {401, 429}
        assert answers[:5] == [401] * 5
        _hold_server_locks(live_server)

        with _browser(live_server, "127.0.0.20") as stranger:
            refused = _try(stranger, email, live_server.password)
            assert refused.status_code == 429  # right password, unknown browser: still waits
            assert int(refused.headers["Retry-After"]) >= 1

        back = _try(owner, email, live_server.password)
        assert back.status_code == 303, back.text
        assert "Ada Reporter" in owner.get("/admin").text


def test_a_password_reset_by_the_cli_revokes_the_users_api_tokens(
    live_server: LiveServer,  # noqa: F811
) -> None:
    email = "bot-owner@example.org"
    live_server.cli("user", "create", email, "--password-stdin", stdin=PASSWORD + "\n")
    token = live_server.cli("token", "create", email, "--name", "desk bot").strip()
    bearer = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{live_server.base_url}/api/v1/sources", headers=bearer).status_code == 200

    said = _cli_says(
        live_server, "user", "password", email, "--password-stdin", stdin="a new passphrase\n"
    )
    assert "signed out everywhere, 1 API token revoked" in said

    refused = httpx.get(f"{live_server.base_url}/api/v1/sources", headers=bearer)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]


def _cli_says(server: LiveServer, *args: str, stdin: str) -> str:
    """Everything a `dateline` command printed (its messages go to stderr), on one line."""
    done = subprocess.run(
        [str(DATELINE), *args], env=server.env, input=stdin, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return " ".join((done.stdout + done.stderr).split())


# In process, with chosen client addresses -----------------------------------------------------


@pytest.fixture
async def strict_app(settings: Settings) -> AsyncIterator[object]:
    """The app with few free failures, so each limit is reached in a handful of attempts, and
    a stopped clock, so a lock holds until the test is done with it."""
    application = create_app(settings)
    found = of_app(application)
    install(application, replace(found, login_policy=Policy(FREE, FREE, FrozenClock())))
    yield application
    await found.db.dispose()


def _from(app: object, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50123))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def _attempt(http: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    page = await http.get("/login")
    data = {"csrf_token": csrf_from(page), "email": email, "password": password}
    return await http.post("/login", data=data)


async def test_a_known_browser_is_throttled_on_its_own_count(strict_app: object) -> None:
    """A stolen "known browser" cookie buys no unlimited guessing: that browser waits too,
    while the account's other known browsers and strangers keep their own counts."""
    db: Database = of_app(strict_app).db  # type: ignore[arg-type]
    user = await make_user(db, "editor")
    async with (
        _from(strict_app, "198.51.100.1") as laptop,
        _from(strict_app, "198.51.100.2") as phone,
    ):
        await log_in(laptop, user.email)
        await log_in(phone, user.email)
        for number in range(FREE + 1):
            assert (await _attempt(laptop, user.email, f"guess {number}!!!")).status_code == 401
        assert (await _attempt(laptop, user.email, PASSWORD)).status_code == 429
        assert (await _attempt(phone, user.email, PASSWORD)).status_code == 303
    async with _from(strict_app, "198.51.100.3") as stranger:
        assert (await _attempt(stranger, user.email, PASSWORD)).status_code == 303


async def test_a_browser_known_to_another_account_is_a_stranger_here(strict_app: object) -> None:
    db: Database = of_app(strict_app).db  # type: ignore[arg-type]
    mine, theirs = await make_user(db, "editor"), await make_user(db, "editor")
    async with _from(strict_app, "198.51.100.1") as browser:
        await log_in(browser, mine.email)
        for number in range(FREE + 1):
            async with _from(strict_app, f"198.51.100.{10 + number}") as attacker:
                await _attempt(attacker, theirs.email, f"guess {number}!!!")
        assert (await _attempt(browser, theirs.email, PASSWORD)).status_code == 429


async def test_addresses_in_one_ipv6_64_share_one_count(strict_app: object) -> None:
    db: Database = of_app(strict_app).db  # type: ignore[arg-type]
    user = await make_user(db, "editor")
    for number in range(FREE + 1):  # one account each, so only the address counts add up
        async with _from(strict_app, f"2001:db8:7:1::{number + 1:x}") as attacker:
            answer = await _attempt(attacker, f"victim{number}@example.org", "spray password")
            assert answer.status_code == 401
    async with _from(strict_app, "2001:db8:7:1:ffff:ffff:ffff:fffe") as same_64:
        blocked = await _attempt(same_64, user.email, PASSWORD)
        assert blocked.status_code == 429
        assert "Too many failed password attempts" in parse(blocked).css_first(".form-error").text()
    async with _from(strict_app, "2001:db8:7:2::1") as next_64:
        assert (await _attempt(next_64, user.email, PASSWORD)).status_code == 303


async def test_ipv4_addresses_count_one_by_one(strict_app: object) -> None:
    db: Database = of_app(strict_app).db  # type: ignore[arg-type]
    user = await make_user(db, "editor")
    async with _from(strict_app, "203.0.113.5") as attacker:
        for number in range(FREE + 1):
            await _attempt(attacker, f"victim{number}@example.org", "spray password")
        assert (await _attempt(attacker, user.email, PASSWORD)).status_code == 429
    async with _from(strict_app, "203.0.113.6") as neighbour:
        assert (await _attempt(neighbour, user.email, PASSWORD)).status_code == 303


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        ("2001:db8:7:1:aaaa:bbbb:cccc:dddd", "2001:db8:7:1::/64"),
        ("2001:DB8:7:1::1", "2001:db8:7:1::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("198.51.100.7", "198.51.100.7"),
        ("not an address", "not an address"),
    ],
)
def test_what_one_address_counts_as(address: str, counted_as: str) -> None:
    assert address_key(address) == counted_as
