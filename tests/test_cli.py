"""The `dateline` command as an operator uses it, against a real SQLite file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from dateline.app import create_app
from dateline.cli import app as cli
from dateline.config import Settings
from dateline.liveblog import demo_content, queries
from dateline.web.services import of_app


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.sqlite3"
    monkeypatch.setenv("DATELINE_DATABASE_URL", url)
    monkeypatch.setenv("DATELINE_DATA_DIR", str(tmp_path / "data"))
    return Settings(database_url=url, data_dir=tmp_path / "data")


def run(*args: str, stdin: str | None = None) -> str:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def test_upgrade_user_and_token_give_a_working_api_token(env: Settings) -> None:
    assert "Created the database schema" in run("db", "upgrade")  # a brand-new database
    assert "up to date" in run("db", "upgrade")
    assert "Created admin chief@example.org" in run(
        "user", "create", "chief@example.org", "--role", "admin", "--password-stdin",
        stdin="a long enough password\n",
    )  # fmt: skip
    token = run("token", "create", "chief@example.org").strip()
    assert token.startswith("dl_")

    async def create_blog() -> int:
        app = create_app(env)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            answer = await http.post(
                "/api/v1/blogs",
                json={"slug": "cli-made", "title": "Made with a CLI token"},
                headers={"Authorization": f"Bearer {token}"},
            )
        await of_app(app).db.dispose()
        return answer.status_code

    assert asyncio.run(create_blog()) == 201


def test_user_create_refuses_a_short_password_and_a_duplicate(env: Settings) -> None:
    run("db", "upgrade")
    short = CliRunner().invoke(
        cli, ["user", "create", "a@example.org", "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 1
    assert "at least 10 characters" in short.output
    run("user", "create", "a@example.org", "--password-stdin", stdin="long enough pass\n")
    again = CliRunner().invoke(
        cli, ["user", "create", "a@example.org", "--password-stdin"], input="long enough pass\n"
    )
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_token_for_unknown_user_is_a_clear_error(env: Settings) -> None:
    run("db", "upgrade")
    result = CliRunner().invoke(cli, ["token", "create", "ghost@example.org"])
    assert result.exit_code == 1
    assert "No user with the email ghost@example.org" in result.output


def test_demo_loads_a_full_live_blog_once(env: Settings) -> None:
    run("db", "upgrade")
    said = run("demo", "--if-empty")
    assert said.index("Loading the demo") < said.index("/live/storm-idris")  # never silent
    assert run("demo", "--if-empty") == ""  # the database is not empty any more

    async def read() -> queries.ReaderPage:
        from dateline.db import Database

        db = Database(env.database_url)
        async with db.read() as conn:
            view = await queries.reader_page(conn, "storm-idris", 1, 100, False)
        await db.dispose()
        return view

    view = asyncio.run(read())
    live_updates = [u for u in view.updates if not u.is_deleted]
    assert len(live_updates) >= 30
    assert len(view.key_events) >= 5
    assert view.pinned is not None
    assert view.blog.recap_items == demo_content.RECAP
    assert sum(len(u.images) for u in live_updates) >= 8
    assert all(i.caption and i.credit for u in live_updates for i in u.images)
    assert any(u.is_deleted and u.correction_note for u in view.updates)


def test_config_show_masks_secrets(env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATELINE_SECRET_KEY", "super-secret-value")
    monkeypatch.setenv("DATELINE_DATABASE_URL", "postgresql+asyncpg://app:hunter22@db/news")
    shown = CliRunner().invoke(cli, ["config", "show"], env={"COLUMNS": "200"}).output
    assert "super-secret-value" not in shown
    assert "hunter22" not in shown
    assert "postgresql+asyncpg://app:***@db/news" in shown
