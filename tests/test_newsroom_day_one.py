"""What a new editor meets on day one (issue 14 §1): their own name on their updates, an
admin who can work on every blog, an audit log in plain words, and the small things (icon,
embed title) that make the site look unfinished when they are wrong."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from dateline.accounts.service import User
from dateline.cli import app as cli
from dateline.db import Database
from dateline.db.tables import users
from dateline.liveblog import service
from dateline.liveblog.models import Blog
from tests.helpers import csrf_from, log_in, make_blog, make_user, parse, post

GERMAN = {"Accept-Language": "de"}


# 1. Display names ----------------------------------------------------------------------------


def test_user_create_asks_at_a_terminal_for_the_name_shown_on_updates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.sqlite3"
    monkeypatch.setenv("DATELINE_DATABASE_URL", url)
    monkeypatch.setenv("DATELINE_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    asked = runner.invoke(
        cli,
        ["user", "create", "ana@example.org", "--role", "editor"],
        input="Ana Berg\na long enough password\na long enough password\n",
    )
    assert asked.exit_code == 0, asked.output
    assert "Name shown on updates" in asked.output
    scripted = runner.invoke(
        cli,
        ["user", "create", "ben@example.org", "--name", "Ben Okafor", "--password-stdin"],
        input="another long password\n",
    )
    assert scripted.exit_code == 0, scripted.output
    assert "Name shown on updates" not in scripted.output  # a script is never asked
    too_long = runner.invoke(
        cli,
        ["user", "create", "cy@example.org", "--name", "N" * 121, "--password-stdin"],
        input="another long password\n",
    )
    assert too_long.exit_code == 1
    assert "Keep it under 120 characters" in too_long.output  # refused, not cut short

    async def names() -> dict[str, str]:
        db = Database(url)
        async with db.read() as conn:
            rows = (await conn.execute(select(users.c.email, users.c.display_name))).all()
        await db.dispose()
        return dict(rows)  # type: ignore[arg-type]

    assert asyncio.run(names()) == {
        "ana@example.org": "Ana Berg",
        "ben@example.org": "Ben Okafor",
    }


async def _rename(http: httpx.AsyncClient, name: str) -> httpx.Response:
    page = await http.get("/admin/account")
    return await http.post(
        "/admin/account/name", data={"csrf_token": csrf_from(page), "display_name": name}
    )


async def _publish(http: httpx.AsyncClient, blog: Blog, body: str) -> None:
    page = await http.get(f"/admin/live/{blog.slug}")
    answer = await http.post(
        f"/admin/live/{blog.slug}/updates", data={"csrf_token": csrf_from(page), "body": body}
    )
    assert answer.status_code == 303, answer.text


async def test_a_name_changed_on_the_account_page_signs_the_next_updates(
    editor_client: httpx.AsyncClient, blog: Blog, editor: User
) -> None:
    await _publish(editor_client, blog, "Polls have closed.")
    renamed = await _rename(editor_client, "  Ana   Berg ")
    assert renamed.status_code == 303
    account = await editor_client.get(renamed.headers["location"])
    assert parse(account).css_first("#display_name").attributes["value"] == "Ana Berg"
    assert "Name saved" in account.text
    await _publish(editor_client, blog, "The first count is in.")

    stream = parse(await editor_client.get(f"/live/{blog.slug}"))
    bylines = [node.text(strip=True) for node in stream.css("article.update .byline")]
    # Newest first: the new name; the update already out keeps the byline it went out with.
    assert bylines == ["Ana Berg", editor.display_name]


async def test_a_blank_or_overlong_name_is_refused_at_its_field_keeping_what_was_typed(
    editor_client: httpx.AsyncClient, editor: User
) -> None:
    blank = await _rename(editor_client, " \u200b ")
    assert blank.status_code == 422
    assert "Enter the name readers see" in parse(blank).css_first("#display_name-error").text()
    long_name = "N" * 121
    too_long = await _rename(editor_client, long_name)
    assert too_long.status_code == 422
    field = parse(too_long).css_first("#display_name")
    assert field.attributes["value"] == long_name
    assert field.attributes["aria-invalid"] == "true"
    account = parse(await editor_client.get("/admin/account"))
    assert account.css_first("#display_name").attributes["value"] == editor.display_name


# 4. An admin works on every blog ---------------------------------------------------------


async def test_an_admin_off_every_team_finds_and_works_on_each_blog(
    client: httpx.AsyncClient, db: Database, blog: Blog
) -> None:
    admin = await make_user(db, "admin", "chief@example.org")
    await log_in(client, admin.email)
    dashboard = parse(await client.get("/admin"))
    assert blog.title in dashboard.css_first("main").text()
    assert "No live blogs yet" not in dashboard.css_first("main").text()

    await _publish(client, blog, "The admin steps in for the night desk.")
    stream = parse(await client.get(f"/live/{blog.slug}"))
    assert stream.css_first("article.update .byline").text(strip=True) == admin.display_name
    assert (await client.get(f"/admin/live/{blog.slug}/team")).status_code == 200


# 6. The audit log in plain words, with links ----------------------------------------------


async def test_the_audit_log_says_what_happened_in_words_with_links_to_the_updates(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    first = await post(db, blog, editor, "Polls have closed.")
    await service.set_key_event(db, blog.slug, first.id, True, editor)
    wrong = await post(db, blog, editor, "Turnout was 90%.")
    page = await editor_client.get(f"/admin/live/{blog.slug}/updates/{wrong.id}/delete")
    deleted = await editor_client.post(
        f"/admin/live/{blog.slug}/updates/{wrong.id}/delete",
        data={"csrf_token": csrf_from(page), "correction_note": "Turnout was 60%."},
    )
    assert deleted.status_code == 303

    rows = parse(await editor_client.get(f"/admin/live/{blog.slug}/audit")).css("#audit tbody tr")
    said = [" ".join(row.css("td")[1].text().split()) for row in rows]
    who = editor.display_name
    assert said[:4] == [
        f"{who} deleted update {wrong.id}",
        f"{who} published update {wrong.id}",
        f"{who} marked update {first.id} as a key event",
        f"{who} published update {first.id}",
    ]
    assert f"{who} created the live blog" in said
    assert not any("update.deleted" in line or "blog.created" in line for line in said)
    link = rows[3].css_first("td a")
    assert link.text() == f"update {first.id}"
    assert link.attributes["href"] == f"/live/{blog.slug}/updates/{first.id}"
    opened = await editor_client.get(link.attributes["href"] or "", follow_redirects=True)
    assert parse(opened).css_first(f"#update-{first.id}") is not None


async def test_the_audit_log_speaks_the_editors_language(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    """The log keeps codes; the words are said when the page is shown, so a German editor
    reads German whatever language the change was made in."""
    update = await post(db, blog, editor, "Polls have closed.")
    page = parse(await editor_client.get(f"/admin/live/{blog.slug}/audit", headers=GERMAN))
    newest = page.css("#audit tbody tr")[0].css("td")[1]
    assert " ".join(newest.text().split()) == (
        f"{editor.display_name} hat Eintrag {update.id} veröffentlicht"
    )


# 9. Small things ------------------------------------------------------------------------------


async def test_favicon_ico_leads_to_the_sites_icon(client: httpx.AsyncClient) -> None:
    answer = await client.get("/favicon.ico")
    assert answer.status_code == 301
    icon = await client.get(answer.headers["location"])
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    home = parse(await client.get("/"))
    linked = str(home.css_first("link[rel=icon]").attributes["href"])
    assert linked.partition("?")[0] == answer.headers["location"]  # the page's is fingerprinted


@pytest.mark.parametrize(
    ("title", "frame_title"),
    [
        ("Storm Idris", "Storm Idris – live"),
        ("Storm Idris – live", "Storm Idris – live"),
        ("Liveticker: Sturm Idris", "Liveticker: Sturm Idris"),
        ("Liverpool derby", "Liverpool derby – live"),
    ],
)
async def test_the_embed_title_says_live_once(
    client: httpx.AsyncClient, db: Database, editor: User, title: str, frame_title: str
) -> None:
    blog = await make_blog(db, editor, "derby", title=title)
    answer = await client.get(f"/oembed?url=http://testserver/live/{blog.slug}")
    frame = parse(httpx.Response(200, text=answer.json()["html"])).css_first("iframe")
    assert frame.attributes["title"] == frame_title
