"""Readers' comments: sending (form and JSON), the abuse checks, moderation, answers in an
update, and removal (reject, delete, erasure) reaching every place a comment is shown."""

from __future__ import annotations

import asyncio
import json
import shutil
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from dateline.accounts.service import User
from dateline.cli import app as cli
from dateline.comments import abuse, queries, service
from dateline.comments.models import CommentDraft
from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import comment_senders, utcnow
from dateline.errors import Conflict, Invalid
from dateline.liveblog import answers, archive
from dateline.liveblog import queries as live_queries
from dateline.liveblog.archive import serialise
from dateline.liveblog.models import Blog
from dateline.liveblog.service import end_coverage
from dateline.liveblog.static_export import export_static
from tests.helpers import csrf_from, make_blog, make_user, parse

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}
ATOM = "http://www.w3.org/2005/Atom"
THREAD = "http://purl.org/syndication/thread/1.0"


def rules(settings: Settings, **changes: object) -> abuse.Rules:
    found = abuse.Rules.of(settings)
    return abuse.Rules(**{**found.__dict__, **changes})  # type: ignore[arg-type]


async def send(
    db: Database, blog: Blog, settings: Settings, body: str, name: str = "", address: str = "1"
) -> int:
    sent = await service.submit(db, blog.slug, CommentDraft(body, name), address, rules(settings))
    assert sent is not None
    return sent.id


async def approved(
    db: Database, blog: Blog, settings: Settings, editor: User, body: str, name: str = ""
) -> int:
    comment_id = await send(db, blog, settings, body, name, address=body)
    await service.approve(db, blog.slug, comment_id, editor)
    return comment_id


# Abuse -------------------------------------------------------------------------------------


async def test_an_address_is_stopped_after_its_hours_share_and_kept_only_as_a_hash(
    db: Database, blog: Blog, settings: Settings
) -> None:
    limit = rules(settings, per_hour=2)
    for number in range(2):
        await service.submit(
            db, blog.slug, CommentDraft(f"Question {number}"), "203.0.113.9", limit
        )
    with pytest.raises(abuse.TooManyComments) as refused:
        await service.submit(db, blog.slug, CommentDraft("A third one"), "203.0.113.9", limit)
    assert refused.value.status == 429
    # Another address is not held back by the first.
    await service.submit(db, blog.slug, CommentDraft("From elsewhere"), "198.51.100.1", limit)
    async with db.read() as conn:
        stored = [row.address_hash for row in await conn.execute(comment_senders.select())]
    assert stored
    assert all("203.0.113.9" not in value and len(value) == 64 for value in stored)


async def test_senders_older_than_a_day_are_forgotten(
    db: Database, blog: Blog, settings: Settings
) -> None:
    limit = rules(settings, per_hour=1)
    long_ago = utcnow() - timedelta(days=2)
    await service.submit(db, blog.slug, CommentDraft("Old one"), "1", limit, now=long_ago)
    await service.submit(db, blog.slug, CommentDraft("New one"), "1", limit)
    async with db.read() as conn:
        times = [row.sent_at for row in await conn.execute(comment_senders.select())]
    assert len(times) == 1
    assert times[0] > long_ago


async def test_the_honeypot_stores_nothing_but_answers_as_if_it_worked(
    db: Database, blog: Blog, settings: Settings
) -> None:
    robot = CommentDraft("Buy now", "bot", honeypot="http://spam.example")
    assert await service.submit(db, blog.slug, robot, "1", rules(settings)) is None
    async with db.read() as conn:
        blog_row = await queries.commented_blog(conn, blog.slug)
        assert await queries.queue(conn, blog_row.id) == []


@pytest.mark.parametrize(
    ("body", "field_words"),
    [
        ("See http://a.example http://b.example http://c.example", "Too many links"),
        ("Cheap CASINO chips here", "words this site does not publish"),
        ("   ", "Write your question"),
        ("x" * 1001, "under 1000 characters"),
    ],
)
async def test_text_checks_refuse_with_words_for_the_reader(
    db: Database, blog: Blog, settings: Settings, body: str, field_words: str
) -> None:
    limit = rules(settings, blocked_words=("casino",))
    with pytest.raises(Invalid) as refused:
        await service.submit(db, blog.slug, CommentDraft(body), "1", limit)
    assert field_words in refused.value.errors["body"]


async def test_the_same_text_twice_is_refused_whatever_its_case_and_spacing(
    db: Database, blog: Blog, settings: Settings
) -> None:
    await send(db, blog, settings, "Are the schools closed?", address="1")
    with pytest.raises(Invalid) as refused:
        await send(db, blog, settings, "  are the   SCHOOLS closed? ", address="2")
    assert "sent already" in refused.value.errors["body"]


async def test_bidi_overrides_and_control_characters_are_taken_out(
    db: Database, blog: Blog, settings: Settings
) -> None:
    comment_id = await send(db, blog, settings, "abc\u202edcba\x07 ok", "Eve\u2066")
    async with db.read() as conn:
        comment = await queries.comment_by_id(conn, blog.id, comment_id)
    assert "\u202e" not in comment.body
    assert "\x07" not in comment.body
    assert "\u2066" not in comment.name


async def test_closed_and_ended_blogs_take_no_comments(
    db: Database, blog: Blog, settings: Settings, editor: User
) -> None:
    await service.switch(db, blog.slug, False, editor)
    with pytest.raises(Conflict):
        await send(db, blog, settings, "Hello?")
    await service.switch(db, blog.slug, True, editor)
    await send(db, blog, settings, "Hello?")


# The reader's form, without JavaScript ------------------------------------------------------


async def test_a_reader_sends_a_comment_from_the_live_page_without_javascript(
    client: httpx.AsyncClient, blog: Blog, db: Database
) -> None:
    page = parse(await client.get(f"/live/{blog.slug}"))
    form = page.css_first("form[data-comment-form]")
    assert form is not None
    assert form.css_first("input[name=website]") is not None
    sent = await client.post(
        str(form.attributes["action"]),
        data={"body": "Are the schools closed tomorrow?", "name": "Anna", "website": ""},
        headers=SAME_SITE,
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/live/{blog.slug}#comments"
    thanks = await client.get(f"/live/{blog.slug}")
    assert "an editor will read it" in parse(thanks).css_first(".flash").text()
    # Not shown to readers until an editor approves it.
    assert "schools closed" not in thanks.text
    async with db.read() as conn:
        waiting = await queries.queue(conn, blog.id)
    assert [(c.name, c.body) for c in waiting] == [("Anna", "Are the schools closed tomorrow?")]


async def test_a_refused_comment_comes_back_with_what_was_typed(
    client: httpx.AsyncClient, blog: Blog
) -> None:
    long_text = "Why " + "so " * 400 + "long?"
    refused = await client.post(
        f"/live/{blog.slug}/comments",
        data={"body": long_text, "name": "Anna"},
        headers=SAME_SITE,
    )
    assert refused.status_code == 422
    page = parse(refused)
    assert page.css_first("#comment-body").text() == long_text
    assert page.css_first("#comment-name").attributes["value"] == "Anna"
    assert "1000 characters" in page.css_first("[data-comment-error]").text()


async def test_a_post_from_another_site_is_refused_but_keeps_the_text(
    client: httpx.AsyncClient, blog: Blog, db: Database
) -> None:
    foreign = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
    refused = await client.post(
        f"/live/{blog.slug}/comments", data={"body": "Forged words"}, headers=foreign
    )
    assert refused.status_code == 403
    assert parse(refused).css_first("#comment-body").text() == "Forged words"
    # The page it answers with carries a token: sending again from it works.
    again = await client.post(
        f"/live/{blog.slug}/comments",
        data={"body": "Forged words", "csrf_token": csrf_from(refused)},
    )
    assert again.status_code == 303
    async with db.read() as conn:
        assert len(await queries.queue(conn, blog.id)) == 1


async def test_the_honeypot_answers_thanks_and_keeps_nothing(
    client: httpx.AsyncClient, blog: Blog, db: Database
) -> None:
    robot = await client.post(
        f"/live/{blog.slug}/comments",
        data={"body": "Great offer", "website": "http://spam.example"},
        headers=SAME_SITE,
    )
    assert robot.status_code == 303
    async with db.read() as conn:
        assert await queries.queue(conn, blog.id) == []


# JSON API ----------------------------------------------------------------------------------


async def test_the_json_endpoint_has_the_forms_limits_and_needs_no_token(
    app: object, blog: Blog, settings: Settings
) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        url = f"/api/v1/blogs/{blog.slug}/comments"
        ok = await http.post(url, json={"body": "First question", "name": "Ben"})
        assert ok.status_code == 202
        assert ok.json()["status"] == "pending"
        too_long = await http.post(url, json={"body": "y" * 1200})
        assert too_long.status_code == 422
        assert "1000" in str(too_long.json()["detail"])
        for number in range(settings.comments_per_hour - 1):
            assert (await http.post(url, json={"body": f"Question {number}"})).status_code == 202
        limited = await http.post(url, json={"body": "One too many"})
        assert limited.status_code == 429
        assert "try again later" in limited.json()["detail"]
        missing = await http.post("/api/v1/blogs/nowhere/comments", json={"body": "Hi"})
        assert missing.status_code == 404


async def test_editors_list_approve_answer_and_reject_through_the_api(
    api: httpx.AsyncClient, blog: Blog, db: Database, settings: Settings
) -> None:
    first = await send(db, blog, settings, "Is the bridge open?", "Anna", address="a")
    second = await send(db, blog, settings, "Rude words", address="b")
    third = await send(db, blog, settings, "Nice coverage", address="c")
    base = f"/api/v1/blogs/{blog.slug}/comments"
    queue = (await api.get(base)).json()["comments"]
    assert [c["id"] for c in queue] == [first, second, third]
    assert (await api.post(f"{base}/{third}/approve")).json()["status"] == "approved"
    answered = await api.post(f"{base}/{first}/answer", json={"answer": "Yes, since noon."})
    assert answered.status_code == 201
    body = answered.json()["body"]
    assert "Reader question from Anna" in body
    assert "Yes, since noon." in body
    assert (await api.post(f"{base}/{second}/reject")).status_code == 204
    shown = (await api.get(base, params={"status": "approved"})).json()["comments"]
    assert {c["id"]: c["answer_update_id"] for c in shown} == {
        first: answered.json()["id"],
        third: None,
    }
    assert (await api.get(base)).json()["comments"] == []
    again = await api.post(f"{base}/{second}/approve")
    assert again.status_code == 409


async def test_the_api_refuses_a_token_of_someone_off_the_team(
    client: httpx.AsyncClient, blog: Blog, db: Database
) -> None:
    from dateline.accounts.tokens import create_token_for
    from tests.helpers import make_user

    outsider = await make_user(db, "contributor", "outsider@example.org")
    token = await create_token_for(db, outsider.email, "tests", "write")
    listed = await client.get(
        f"/api/v1/blogs/{blog.slug}/comments", headers={"Authorization": f"Bearer {token}"}
    )
    assert listed.status_code == 403


# Moderation pages --------------------------------------------------------------------------


async def test_the_editors_page_shows_the_queue_and_approving_shows_the_comment_to_readers(
    editor_client: httpx.AsyncClient, blog: Blog, db: Database, settings: Settings
) -> None:
    comment_id = await send(db, blog, settings, "Which roads are closed?", "Ben")
    page = parse(await editor_client.get(f"/admin/live/{blog.slug}"))
    queued = page.css_first(f"[data-comment-queue] #queued-{comment_id}")
    assert queued is not None
    assert "Which roads are closed?" in queued.text()
    moderation = await editor_client.get(f"/admin/live/{blog.slug}/comments")
    approved_now = await editor_client.post(
        f"/admin/live/{blog.slug}/comments/{comment_id}/approve",
        data={"csrf_token": csrf_from(moderation)},
    )
    assert approved_now.status_code == 303
    reader = parse(await httpx_reader(editor_client).get(f"/live/{blog.slug}"))
    shown = reader.css_first(f"#comment-{comment_id}")
    assert shown is not None
    assert "Which roads are closed?" in shown.text()
    assert "1 comment" in reader.css_first(".comments__count").text()


async def test_an_answer_in_an_update_quotes_the_reader_and_links_both_ways(
    editor_client: httpx.AsyncClient, blog: Blog, db: Database, settings: Settings
) -> None:
    comment_id = await send(db, blog, settings, "Is the *bridge* [open](http://x.example)?", "Anna")
    moderation = await editor_client.get(f"/admin/live/{blog.slug}/comments")
    answered = await editor_client.post(
        f"/admin/live/{blog.slug}/comments/{comment_id}/answer",
        data={"csrf_token": csrf_from(moderation), "answer": "Yes, since noon."},
    )
    assert answered.status_code == 303
    page = parse(await httpx_reader(editor_client).get(f"/live/{blog.slug}"))
    update = page.css_first(".updates .update")
    quote = update.css_first("blockquote")
    assert "Reader question from Anna" in quote.text()
    # The reader's words are quoted as words: no link or emphasis of their making.
    assert "*bridge* [open](http://x.example)" in quote.text()
    assert [a.attributes["href"] for a in quote.css("a")] == [
        f"/live/{blog.slug}/comments/{comment_id}"
    ]
    assert "Yes, since noon." in update.text()
    back = page.css_first(f"#comment-{comment_id} .comment__answer a")
    assert back is not None
    assert str(back.attributes["href"]).startswith(f"/live/{blog.slug}/updates/")
    follow = await editor_client.get(f"/live/{blog.slug}/comments/{comment_id}")
    assert follow.headers["location"] == f"/live/{blog.slug}/comments?page=1#comment-{comment_id}"


async def test_an_empty_answer_comes_back_to_the_form(
    editor_client: httpx.AsyncClient, blog: Blog, db: Database, settings: Settings
) -> None:
    comment_id = await send(db, blog, settings, "When do polls close?")
    moderation = await editor_client.get(f"/admin/live/{blog.slug}/comments")
    refused = await editor_client.post(
        f"/admin/live/{blog.slug}/comments/{comment_id}/answer",
        data={"csrf_token": csrf_from(moderation), "answer": "   "},
    )
    assert refused.status_code == 422
    assert "Write the answer" in refused.text


async def test_deleting_an_answered_comment_takes_its_words_out_of_the_update(
    db: Database, blog: Blog, settings: Settings, editor: User, client: httpx.AsyncClient
) -> None:
    comment_id = await send(db, blog, settings, "My street is Elm Road 4, is it flooded?", "Anna")
    update = await answers.answer(db, blog.slug, comment_id, "Not yet.", editor, link="/x")
    await answers.remove(db, blog.slug, comment_id, "deleted", editor)
    page = await client.get(f"/live/{blog.slug}")
    assert "Elm Road" not in page.text
    assert "Anna" not in page.text
    assert "question was removed" in page.text
    assert "Not yet." in page.text
    async with db.read() as conn:
        gone = await queries.comment_by_id(conn, blog.id, comment_id)
    assert (gone.status, gone.name, gone.body) == ("deleted", "", "")
    assert update.id == gone.answer_update_id


async def test_erasing_by_name_removes_that_readers_comments_only(
    db: Database, blog: Blog, settings: Settings, editor: User
) -> None:
    mine = await approved(db, blog, settings, editor, "First from Anna", "Anna")
    await send(db, blog, settings, "Second from Anna", "Anna", address="x")
    other = await approved(db, blog, settings, editor, "From Ben", "Ben")
    assert await answers.erase(db, blog.slug, "Anna") == 2
    async with db.read() as conn:
        left = await queries.approved(conn, blog.id)
        assert await queries.queue(conn, blog.id) == []
    assert [c.id for c in left] == [other]
    assert mine not in [c.id for c in left]
    assert await answers.erase(db, blog.slug, "Anna") == 0


def httpx_reader(logged_in: httpx.AsyncClient) -> httpx.AsyncClient:
    """The same app, seen by a reader without the editor's cookies."""
    return httpx.AsyncClient(transport=logged_in._transport, base_url="http://testserver")


# Everywhere a comment is shown -------------------------------------------------------------


async def test_a_rejected_comment_reaches_no_page_feed_stream_or_export(
    client: httpx.AsyncClient,
    db: Database,
    blog: Blog,
    settings: Settings,
    editor: User,
    tmp_path: Path,
) -> None:
    shown = await approved(db, blog, settings, editor, "Shown words VISIBLE", "Vera")
    refused = await send(db, blog, settings, "Refused words SECRET", "Sam", address="s")
    await answers.remove(db, blog.slug, refused, "rejected", editor)
    places = [
        f"/live/{blog.slug}",
        f"/live/{blog.slug}/comments",
        f"/live/{blog.slug}/changes?since=0",
        *(f"/live/{blog.slug}/comments/feed.{ext}" for ext in ("atom", "rss", "json")),
    ]
    for place in places:
        answer = await client.get(place)
        assert answer.status_code == 200, place
        assert "SECRET" not in answer.text, place
        assert "VISIBLE" in answer.text, place
    exported = serialise(await archive.export_blog(db, settings, blog.slug)).decode()
    assert "SECRET" not in exported
    assert "VISIBLE" in exported
    await end_coverage(db, blog.slug, editor)
    await export_static(db, settings, blog.slug, tmp_path / "site")
    static = (tmp_path / "site" / "index.html").read_text()
    assert "SECRET" not in static
    assert "VISIBLE" in static
    assert f'id="comment-{shown}"' in static
    async with db.read() as conn:
        logged = (await conn.execute(text("SELECT payload FROM blog_events"))).scalars().all()
    assert all("SECRET" not in json.dumps(payload) for payload in logged)


async def test_counts_of_approved_comments_on_the_card_the_api_and_the_feeds(
    client: httpx.AsyncClient, db: Database, blog: Blog, settings: Settings, editor: User
) -> None:
    await approved(db, blog, settings, editor, "One")
    await approved(db, blog, settings, editor, "Two")
    await send(db, blog, settings, "Waiting", address="w")
    card = parse(await client.get("/")).css_first(".blog-card .blog-card__comments")
    assert card.text() == "2 comments"
    assert (await client.get(f"/api/v1/blogs/{blog.slug}")).json()["comments"] == 2
    listed = (await client.get("/api/v1/blogs")).json()["items"]
    assert listed[0]["comments"] == 2
    feed = (await client.get(f"/live/{blog.slug}/feed.json")).json()
    assert feed["_dateline"]["comments"] == 2
    assert feed["_dateline"]["comments_feed_url"].endswith(f"/live/{blog.slug}/comments/feed.json")
    atom = await client.get(f"/live/{blog.slug}/feed.atom")
    root = ET.fromstring(atom.content)  # noqa: S314 (our own feed)
    replies = root.find(f"{{{ATOM}}}link[@rel='replies']")
    assert replies is not None
    assert replies.attrib[f"{{{THREAD}}}count"] == "2"
    comments_feed = (await client.get(f"/live/{blog.slug}/comments/feed.json")).json()
    assert [item["content_html"] for item in comments_feed["items"]] == ["<p>Two</p>", "<p>One</p>"]


async def test_approved_comments_survive_an_export_and_import_with_their_answers(
    db: Database, blog: Blog, settings: Settings, editor: User
) -> None:
    await approved(db, blog, settings, editor, "Plain question", "Ben")
    asked = await send(db, blog, settings, "Line one\nline two", "Anna", address="a")
    link = f"/live/{blog.slug}/comments/{asked}"  # as the answer route writes it
    await answers.answer(db, blog.slug, asked, "An answer.", editor, link=link)
    await send(db, blog, settings, "Still waiting", address="w")
    document = await archive.export_blog(db, settings, blog.slug)
    assert [c["body"] for c in document["comments"]] == ["Plain question", "Line one\nline two"]
    done = await archive.import_blog(db, settings, serialise(document), slug="copy")
    async with db.read() as conn:
        copied = await queries.approved(conn, done.blog.id)
        answer = await live_queries.update_by_id(
            conn, done.blog.id, copied[0].answer_update_id or 0
        )
    assert [(c.name, c.body) for c in copied] == [
        ("Anna", "Line one\nline two"),
        ("Ben", "Plain question"),
    ]
    assert "An answer." in answer.body
    # The quote links to the comment in the copy, not to the original blog's comment.
    assert f"](/live/copy/comments/{copied[0].id}):" in answer.body
    assert f'href="/live/copy/comments/{copied[0].id}"' in answer.body_html


async def test_an_import_refuses_a_comment_over_the_readers_limits(
    db: Database, blog: Blog, settings: Settings, editor: User
) -> None:
    await approved(db, blog, settings, editor, "Fine")
    document = await archive.export_blog(db, settings, blog.slug)
    document["comments"][0]["body"] = "z" * 1001
    with pytest.raises(Invalid) as refused:
        await archive.import_blog(db, settings, serialise(document), slug="copy")
    assert "comment 1, body" in refused.value.errors


def test_the_erase_command_removes_a_readers_comments_on_request(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cli.sqlite3"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"
    monkeypatch.setenv("DATELINE_DATABASE_URL", url)
    monkeypatch.setenv("DATELINE_DATA_DIR", str(tmp_path / "data"))
    settings = Settings(database_url=url, data_dir=tmp_path / "data", secret_key="k")

    async def given() -> None:
        db = Database(url)
        editor = await make_user(db, "editor")
        blog = await make_blog(db, editor)
        await approved(db, blog, settings, editor, "Anna's words", "Anna")
        await db.dispose()

    async def left() -> list[str]:
        db = Database(url)
        async with db.read() as conn:
            found = await queries.approved(conn, 1)
        await db.dispose()
        return [c.body for c in found]

    asyncio.run(given())
    result = CliRunner().invoke(
        cli, ["comments", "erase", "--blog", "election-night", "--name", "Anna"]
    )
    assert result.exit_code == 0, result.output
    assert "Erased 1 comment by Anna" in result.output
    assert asyncio.run(left()) == []
    missing = CliRunner().invoke(cli, ["comments", "erase", "--blog", "nowhere", "--name", "Anna"])
    assert missing.exit_code == 1


async def test_a_reported_comment_goes_back_to_the_queue_and_stays_shown_until_decided(
    client: httpx.AsyncClient,
    api: httpx.AsyncClient,
    db: Database,
    blog: Blog,
    settings: Settings,
    editor: User,
) -> None:
    comment_id = await approved(db, blog, settings, editor, "Disputed claim")
    page = parse(await client.get(f"/live/{blog.slug}"))
    report = page.css_first(f"#comment-{comment_id} form[data-comment-report]")
    sent = await client.post(str(report.attributes["action"]), headers=SAME_SITE)
    assert sent.status_code == 303
    base = f"/api/v1/blogs/{blog.slug}/comments"
    waiting = (await api.get(base)).json()["comments"]
    assert [(c["id"], c["reports"], c["status"]) for c in waiting] == [(comment_id, 1, "approved")]
    assert parse(await client.get(f"/live/{blog.slug}")).css_first(f"#comment-{comment_id}")
    await api.post(f"{base}/{comment_id}/approve")  # "keep it shown"
    assert (await api.get(base)).json()["comments"] == []
    pending = await send(db, blog, settings, "Not approved yet", address="p")
    refused = await client.post(f"/live/{blog.slug}/comments/{pending}/report", headers=SAME_SITE)
    assert refused.status_code == 409


async def test_switched_off_comments_show_no_form(
    editor_client: httpx.AsyncClient, blog: Blog
) -> None:
    moderation = await editor_client.get(f"/admin/live/{blog.slug}/comments")
    switched = await editor_client.post(
        f"/admin/live/{blog.slug}/comments/switch",
        data={"csrf_token": csrf_from(moderation), "on": "0"},
    )
    assert switched.status_code == 303
    page = parse(await httpx_reader(editor_client).get(f"/live/{blog.slug}"))
    assert page.css_first("form[data-comment-form]") is None
    assert page.css_first("[data-comments-closed]") is not None
