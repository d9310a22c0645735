"""Newsroom accounts: invitations, passwords, sessions, deactivation, API tokens, login limits."""

from __future__ import annotations

import asyncio
import subprocess
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from dateline.accounts import invites
from dateline.accounts.service import User
from dateline.accounts.tokens import create_token_for
from dateline.app import create_app
from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import invites as invites_table
from dateline.db.tables import utcnow
from dateline.web.services import install, of_app
from tests.clock import FrozenClock
from tests.helpers import PASSWORD, csrf_from, log_in, make_user, parse
from tests.live_server import DATELINE, free_port, run_cli, server_env

NEW_PASSWORD = "a much longer passphrase"


async def _other_browser(app: object) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers={"User-Agent": "Phone/1.0"}
    )


async def _post_form(
    http: httpx.AsyncClient, page_url: str, action: str, **fields: str
) -> httpx.Response:
    page = await http.get(page_url)
    return await http.post(action, data={"csrf_token": csrf_from(page), **fields})


# Invitations ---------------------------------------------------------------------------


def test_dateline_user_invite_prints_a_link_that_sets_a_password(tmp_path: Path) -> None:
    env = server_env(tmp_path, free_port())
    log = tmp_path / "cli.log"
    run_cli(env, log, "db", "upgrade")
    link = run_cli(env, log, "user", "invite", "ines@example.org", "--role", "contributor")
    assert link.strip().startswith(env["DATELINE_BASE_URL"] + "/invite/")


def _reset_by_cli(tmp_path: Path, email: str) -> tuple[str, str]:
    """An account made, its password reset and a read token made, all by `dateline`: the
    database URL and the token."""
    env = server_env(tmp_path, free_port())
    log = tmp_path / "cli.log"
    run_cli(env, log, "db", "upgrade")
    run_cli(env, log, "user", "create", email, "--password-stdin", stdin=PASSWORD + "\n")
    short = subprocess.run(
        [str(DATELINE), "user", "password", email, "--password-stdin"],
        env=env, input="short\n", capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert short.returncode == 1
    assert "at least 10 characters" in short.stderr
    run_cli(env, log, "user", "password", email, "--password-stdin", stdin=NEW_PASSWORD + "\n")
    secret = run_cli(env, log, "token", "create", email, "--name", "archive", "--scope", "read")
    return env["DATELINE_DATABASE_URL"], secret.strip()


async def test_the_cli_resets_a_password_and_makes_read_only_tokens(tmp_path: Path) -> None:
    email = "desk@example.org"
    database_url, secret = _reset_by_cli(tmp_path, email)
    settings = Settings(database_url=database_url, secret_key="cli-test")
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        old = await _attempt(http, email, PASSWORD)
        assert old.status_code == 401
        await log_in(http, email, NEW_PASSWORD)
        refused = await http.post(
            "/api/v1/blogs",
            json={"slug": "x", "title": "X"},
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert refused.status_code == 403
        assert "read-only" in refused.json()["detail"]
    await of_app(app).db.dispose()


async def test_an_invited_person_sets_a_password_once_and_is_logged_in(
    client: httpx.AsyncClient, db: Database
) -> None:
    admin = await make_user(db, "admin")
    await log_in(client, admin.email)
    made = await _post_form(
        client, "/admin/users", "/admin/users/invite", email="ines@example.org", role="contributor"
    )
    assert made.status_code == 201
    link = parse(made).css_first("#invite-link code").text()
    path = link.removeprefix("http://testserver")
    await client.post("/logout", data={"csrf_token": csrf_from(await client.get("/admin"))})

    form = await client.get(path)
    assert form.status_code == 200
    assert "ines@example.org" in form.text
    assert "contributor" in form.text
    mismatch = await client.post(
        path,
        data={
            "csrf_token": csrf_from(form),
            "display_name": "Ines Paller",
            "password": NEW_PASSWORD,
            "password_again": "something else entirely",
        },
    )
    assert mismatch.status_code == 422
    assert parse(mismatch).css_first("#display_name").attributes["value"] == "Ines Paller"
    joined = await client.post(
        path,
        data={
            "csrf_token": csrf_from(mismatch),
            "display_name": "Ines Paller",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )
    assert joined.status_code == 303
    assert joined.headers["location"] == "/admin"
    dashboard = await client.get("/admin")
    assert "Ines Paller" in dashboard.text
    assert "New live blog" not in dashboard.text  # a contributor creates no blogs

    again = await client.get(path)
    assert again.status_code == 410
    assert "already been used" in again.text


async def test_an_invitation_expires_after_48_hours(
    client: httpx.AsyncClient, db: Database
) -> None:
    _, token = await invites.invite(db, None, "late@example.org", "editor")
    async with db.write() as conn:
        await conn.execute(update(invites_table).values(expires_at=utcnow() - timedelta(minutes=1)))
    answer = await client.get(f"/invite/{token}")
    assert answer.status_code == 410
    assert "expired" in answer.text
    assert (await client.get("/invite/not-a-real-token")).status_code == 404


# Passwords and sessions ----------------------------------------------------------------


async def test_changing_the_password_signs_out_every_other_session(
    app: object, client: httpx.AsyncClient, editor: User
) -> None:
    await log_in(client, editor.email)
    async with await _other_browser(app) as phone:
        await log_in(phone, editor.email)
        sessions = parse(await client.get("/admin/account")).css("#sessions tbody tr")
        assert len(sessions) == 2
        assert any("Phone/1.0" in row.text() for row in sessions)

        wrong = await _post_form(
            client,
            "/admin/account",
            "/admin/account/password",
            current_password="not my password",
            new_password=NEW_PASSWORD,
            new_password_again=NEW_PASSWORD,
        )
        assert wrong.status_code == 422
        assert "not your current password" in wrong.text
        assert (await phone.get("/admin")).status_code == 200  # nothing changed

        changed = await _post_form(
            client,
            "/admin/account",
            "/admin/account/password",
            current_password=PASSWORD,
            new_password=NEW_PASSWORD,
            new_password_again=NEW_PASSWORD,
        )
        assert changed.status_code == 303
        assert (await client.get("/admin")).status_code == 200
        kicked = await phone.get("/admin")
        assert kicked.status_code == 303
        assert kicked.headers["location"].startswith("/login")
        await log_in(phone, editor.email, NEW_PASSWORD)


async def test_a_session_can_be_signed_out_from_the_session_list(
    app: object, client: httpx.AsyncClient, editor: User
) -> None:
    await log_in(client, editor.email)
    async with await _other_browser(app) as phone:
        await log_in(phone, editor.email)
        page = await client.get("/admin/account")
        other = next(row for row in parse(page).css("#sessions tbody tr") if "Phone" in row.text())
        session_id = other.css_first("input[name=session]").attributes["value"]
        revoked = await client.post(
            "/admin/account/sessions/revoke",
            data={"csrf_token": csrf_from(page), "session": session_id},
        )
        assert revoked.status_code == 303
        assert (await phone.get("/admin")).status_code == 303
        assert (await client.get("/admin")).status_code == 200


async def test_deactivating_an_account_locks_it_out_everywhere(
    app: object, client: httpx.AsyncClient, db: Database
) -> None:
    admin, reporter = await make_user(db, "admin"), await make_user(db, "editor")
    async with await _other_browser(app) as theirs:
        await log_in(theirs, reporter.email)
        token = await _token(theirs, "write")
        await log_in(client, admin.email)
        page = await client.get("/admin/users")
        done = await client.post(
            f"/admin/users/{reporter.id}/active", data={"csrf_token": csrf_from(page), "on": "0"}
        )
        assert done.status_code == 303
        assert "deactivated" in parse(await client.get("/admin/users")).css_first("#users").text()
        assert (await theirs.get("/admin")).status_code == 303
        api = await theirs.post(
            "/api/v1/blogs",
            json={"slug": "x", "title": "X"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert api.status_code == 401
        bad_login = await _post_form(
            theirs, "/login", "/login", email=reporter.email, password=PASSWORD
        )
        assert bad_login.status_code == 401


async def test_only_admins_manage_accounts(client: httpx.AsyncClient, db: Database) -> None:
    editor, other = await make_user(db, "editor"), await make_user(db, "editor")
    await log_in(client, editor.email)
    assert (await client.get("/admin/users")).status_code == 403
    page = await client.get("/admin/account")
    refused = await client.post(
        f"/admin/users/{other.id}/active", data={"csrf_token": csrf_from(page), "on": "0"}
    )
    assert refused.status_code == 403
    assert (await client.get("/admin")).status_code == 200


# API tokens ----------------------------------------------------------------------------


async def _token(http: httpx.AsyncClient, scope: str, name: str = "Wire desk bot") -> str:
    made = await _post_form(http, "/admin/account", "/admin/account/tokens", name=name, scope=scope)
    assert made.status_code == 201, made.text
    return parse(made).css_first("#new-token code").text()


async def test_an_api_token_is_named_scoped_shown_once_and_revocable(
    client: httpx.AsyncClient, editor: User
) -> None:
    await log_in(client, editor.email)
    secret = await _token(client, "write")
    listing = await client.get("/admin/account")
    assert secret not in listing.text  # shown once, stored hashed
    row = parse(listing).css_first("#tokens tbody tr")
    assert "Wire desk bot" in row.text()
    assert "write" in row.text()

    api = {"Authorization": f"Bearer {secret}"}
    made = await client.post("/api/v1/blogs", json={"slug": "vote", "title": "Vote"}, headers=api)
    assert made.status_code == 201
    assert "never" not in parse(await client.get("/admin/account")).css_first("#tokens").text()

    form = row.css_first("form")
    revoked = await client.post(form.attributes["action"], data={"csrf_token": csrf_from(listing)})
    assert revoked.status_code == 303
    refused = await client.post("/api/v1/blogs", json={"slug": "v2", "title": "V"}, headers=api)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]


async def test_changing_the_password_revokes_api_tokens_unless_the_owner_keeps_them(
    client: httpx.AsyncClient, editor: User
) -> None:
    await log_in(client, editor.email)
    bot = {"Authorization": f"Bearer {await _token(client, 'read', 'Desk bot')}"}
    assert (await client.get("/api/v1/sources", headers=bot)).status_code == 200
    page = await client.get("/admin/account")
    assert "checked" in parse(page).css_first("#revoke_tokens").attributes  # on by default

    fields = {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
    mismatch = await client.post(
        "/admin/account/password",
        data={"csrf_token": csrf_from(page), "current_password": PASSWORD, **fields}
        | {"new_password_again": "something else"},
    )  # unticked, and refused: the form keeps the choice
    assert mismatch.status_code == 422
    assert "checked" not in parse(mismatch).css_first("#revoke_tokens").attributes
    kept = await client.post(
        "/admin/account/password",
        data={"csrf_token": csrf_from(mismatch), "current_password": PASSWORD, **fields},
    )
    assert kept.status_code == 303
    assert "API tokens revoked" not in (await client.get("/admin/account")).text
    assert (await client.get("/api/v1/sources", headers=bot)).status_code == 200

    changed = await _post_form(
        client,
        "/admin/account",
        "/admin/account/password",
        current_password=NEW_PASSWORD,
        new_password=PASSWORD,
        new_password_again=PASSWORD,
        revoke_tokens="1",
    )
    assert changed.status_code == 303
    page = await client.get("/admin/account")
    assert "your API tokens revoked" in page.text
    assert "revoked" in parse(page).css_first("#tokens tbody tr").text()
    refused = await client.get("/api/v1/sources", headers=bot)
    assert refused.status_code == 401


async def test_a_token_without_a_name_is_refused_and_the_form_kept(
    client: httpx.AsyncClient, editor: User
) -> None:
    await log_in(client, editor.email)
    answer = await _post_form(
        client, "/admin/account", "/admin/account/tokens", name="", scope="write"
    )
    assert answer.status_code == 422
    assert "Give the token a name" in answer.text
    chosen = parse(answer).css_first("input[name=scope][checked]")
    assert chosen.attributes["value"] == "write"  # not the default, read


# Login limits --------------------------------------------------------------------------


async def _attempt(http: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await _post_form(http, "/login", "/login", email=email, password=password)


@pytest.fixture
def clock(app: object) -> FrozenClock:
    """The login limits' clock, stopped: a lock holds until the test moves the clock on."""
    clock = FrozenClock()
    found = of_app(app)  # type: ignore[arg-type]
    install(app, replace(found, login_policy=replace(found.login_policy, clock=clock)))  # type: ignore[arg-type]
    return clock


async def test_unknown_account_and_wrong_password_get_the_same_answer(
    client: httpx.AsyncClient, editor: User
) -> None:
    unknown = await _attempt(client, "nobody@example.org", PASSWORD)
    wrong = await _attempt(client, editor.email, "wrong password!")
    assert unknown.status_code == wrong.status_code == 401
    message = "That email and password do not match an account."
    assert message in unknown.text
    assert message in wrong.text


async def test_repeated_failures_make_the_account_wait_longer_and_longer(
    client: httpx.AsyncClient, editor: User, clock: FrozenClock
) -> None:
    for _ in range(5):
        assert (await _attempt(client, editor.email, "guess guess guess")).status_code == 401
    assert (await _attempt(client, editor.email, "one more guess")).status_code == 401
    locked = await _attempt(client, editor.email, PASSWORD)  # right, but too soon
    assert locked.status_code == 429
    assert "Too many failed password attempts" in locked.text
    assert locked.headers["Retry-After"] == "1"
    assert parse(locked).css_first("#email").attributes["value"] == editor.email

    clock.advance(seconds=1)
    assert (await _attempt(client, editor.email, "seventh guess!!")).status_code == 401
    second = await _attempt(client, editor.email, PASSWORD)
    assert second.status_code == 429
    assert second.headers["Retry-After"] == "2"  # the delay grew

    clock.advance(seconds=2)
    assert (await _attempt(client, editor.email, PASSWORD)).status_code == 303


async def test_one_address_trying_many_accounts_is_slowed_down(
    client: httpx.AsyncClient, editor: User, clock: FrozenClock
) -> None:
    for number in range(20):
        await _attempt(client, f"victim{number}@example.org", "spray password")
    assert (await _attempt(client, "victim99@example.org", "spray")).status_code == 401
    blocked = await _attempt(client, editor.email, PASSWORD)
    assert blocked.status_code == 429


@pytest.mark.parametrize("scheme", ["http", "https"])
async def test_cookies_are_httponly_samesite_and_secure_over_https(
    app: object, editor: User, scheme: str
) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=f"{scheme}://testserver") as http:
        page = await http.get("/login")
        answer = await http.post(
            "/login",
            data={"email": editor.email, "password": PASSWORD, "csrf_token": csrf_from(page)},
        )
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("dl_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert ("Secure" in cookie) == (scheme == "https")


async def test_an_admin_changes_a_role_and_the_account_can_do_more_at_once(
    client: httpx.AsyncClient, db: Database
) -> None:
    admin, reporter = await make_user(db, "admin"), await make_user(db, "contributor")
    await log_in(client, admin.email)
    page = await client.get("/admin/users")
    changed = await client.post(
        f"/admin/users/{reporter.id}/role", data={"csrf_token": csrf_from(page), "role": "editor"}
    )
    assert changed.status_code == 303
    listed = parse(await client.get("/admin/users"))
    assert "selected" in listed.css_first(f"#role-{reporter.id} option[value=editor]").attributes
    own = await client.post(
        f"/admin/users/{admin.id}/role", data={"csrf_token": csrf_from(page), "role": "editor"}
    )
    assert own.status_code == 422
    assert "cannot change your own role" in own.text

    secret = await create_token_for(db, reporter.email, "desk", "write")
    made = await client.post(
        "/api/v1/blogs",
        json={"slug": "promoted", "title": "Promoted"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert made.status_code == 201  # contributors could not; an editor can


async def test_a_burst_of_parallel_guesses_is_stopped_at_the_limit(
    client: httpx.AsyncClient, editor: User, clock: FrozenClock
) -> None:
    token = csrf_from(await client.get("/login"))

    async def guess(number: int) -> int:
        data = {"csrf_token": token, "email": editor.email, "password": f"guess number {number}"}
        return (await client.post("/login", data=data)).status_code

    answers = await asyncio.gather(*(guess(n) for n in range(12)))
    assert answers.count(401) == 6  # 5 free, then the 6th counts and locks
    assert answers.count(429) == 6  # checked before any password was


async def test_guessing_the_current_password_on_the_account_page_is_throttled(
    client: httpx.AsyncClient, editor: User, clock: FrozenClock
) -> None:
    await log_in(client, editor.email)
    answers = []
    for number in range(7):
        answer = await _post_form(
            client,
            "/admin/account",
            "/admin/account/password",
            current_password=f"guess {number} of the password",
            new_password=NEW_PASSWORD,
            new_password_again=NEW_PASSWORD,
        )
        answers.append(answer)
    assert "not your current password" in answers[5].text
    assert "Too many failed password attempts" in answers[6].text


async def test_a_deactivated_admins_unused_invitations_stop_working(
    client: httpx.AsyncClient, db: Database
) -> None:
    departing, other = await make_user(db, "admin"), await make_user(db, "admin")
    _, token = await invites.invite(db, departing, "friend@example.org", "admin")
    assert (await client.get(f"/invite/{token}")).status_code == 200
    await log_in(client, other.email)
    page = await client.get("/admin/users")
    await client.post(
        f"/admin/users/{departing.id}/active", data={"csrf_token": csrf_from(page), "on": "0"}
    )
    assert (await client.get(f"/invite/{token}")).status_code == 404


async def test_an_admin_sees_pending_invitations_and_withdraws_one(
    client: httpx.AsyncClient, db: Database
) -> None:
    admin = await make_user(db, "admin")
    await log_in(client, admin.email)
    made = await _post_form(
        client, "/admin/users", "/admin/users/invite", email="late@example.org", role="editor"
    )
    link = parse(made).css_first("#invite-link code").text().removeprefix("http://testserver")
    page = await client.get("/admin/users")
    row = parse(page).css_first("#invites tbody tr")
    assert "late@example.org" in row.text()
    assert link.rsplit("/", 1)[1] not in page.text  # the page never shows a usable link again
    withdrawn = await client.post(
        "/admin/users/invites/revoke",
        data={
            "csrf_token": csrf_from(page),
            "invite": row.css_first("input[name=invite]").attributes["value"],
        },
    )
    assert withdrawn.status_code == 303
    assert parse(await client.get("/admin/users")).css_first("#invites") is None
    assert (await client.get(link)).status_code == 404
