"""The editor side over HTTP: logging in, forms that keep what was typed, every action."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import update as sql_update

from dateline.accounts.service import User
from dateline.db import Database
from dateline.db.tables import blog_events, users
from dateline.liveblog import queries, service
from dateline.liveblog.models import LIMITS, Blog, UpdateDraft
from dateline.web.services import of_app
from tests.helpers import PASSWORD, csrf_from, log_in, make_user, parse, png_bytes, post


async def stream_of(db: Database, blog: Blog) -> list[str]:
    async with db.read() as conn:
        view = await queries.reader_page(conn, blog.slug, 1, 50, False)
    return [u.body for u in view.updates]


async def form_token(http: httpx.AsyncClient, url: str) -> str:
    return csrf_from(await http.get(url))


@pytest.mark.parametrize(
    "url",
    [
        "/admin",
        "/admin/blogs/new",
        "/admin/live/election-night",
        "/admin/live/election-night/recap",
    ],
)
async def test_editor_pages_send_anonymous_visitors_to_log_in(
    client: httpx.AsyncClient, blog: Blog, url: str
) -> None:
    answer = await client.get(url)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next={url}"


async def test_anonymous_posts_change_nothing(
    client: httpx.AsyncClient, db: Database, blog: Blog
) -> None:
    token = await form_token(client, "/login")
    answer = await client.post(
        f"/admin/live/{blog.slug}/updates", data={"body": "Defaced!", "csrf_token": token}
    )
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")
    assert await stream_of(db, blog) == []


async def test_login_sets_a_hardened_session_cookie_and_logout_ends_it(
    client: httpx.AsyncClient, editor: User
) -> None:
    page = await client.get("/login")
    answer = await client.post(
        "/login",
        data={
            "email": editor.email,
            "password": PASSWORD,
            "csrf_token": csrf_from(page),
            "next": "/admin/blogs/new",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/blogs/new"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("dl_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert (await client.get("/admin")).status_code == 200

    token = csrf_from(await client.get("/admin"))
    assert (await client.post("/logout", data={"csrf_token": token})).status_code == 303
    assert (await client.get("/admin")).status_code == 303


async def test_wrong_password_and_unknown_user_get_the_same_message(
    client: httpx.AsyncClient, editor: User
) -> None:
    messages = []
    for email, password in ((editor.email, "wrong password!"), ("nobody@example.org", PASSWORD)):
        token = await form_token(client, "/login")
        answer = await client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )
        assert answer.status_code == 401
        page = parse(answer)
        messages.append(page.css_first(".form-error").text())
        assert page.css_first("input[name=email]").attributes["value"] == email
    assert messages[0] == messages[1]


async def test_login_never_redirects_to_another_site(
    client: httpx.AsyncClient, editor: User
) -> None:
    token = await form_token(client, "/login")
    data = {"email": editor.email, "password": PASSWORD, "csrf_token": token}
    answer = await client.post("/login", data={**data, "next": "//evil.example/steal"})
    assert answer.headers["location"] == "/admin"


async def test_editor_creates_a_blog_and_posts_the_first_update(
    editor_client: httpx.AsyncClient, db: Database
) -> None:
    token = await form_token(editor_client, "/admin/blogs/new")
    answer = await editor_client.post(
        "/admin/blogs/new",
        data={
            "csrf_token": token,
            "title": "Budget day – live",
            "slug": "budget-day",
            "standfirst": "The chancellor speaks at noon.",
            "category": "Economy",
            "time_zone": "Europe/London",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/live/budget-day"
    page = await editor_client.get("/admin/live/budget-day")
    assert parse(page).css_first(".flash").text() == "Live blog created. Post the first update."

    answer = await editor_client.post(
        "/admin/live/budget-day/updates",
        data={
            "csrf_token": csrf_from(page),
            "headline": "Speech begins",
            "body": "The chancellor is on her feet.",
            "key_event": "1",
        },
    )
    assert answer.status_code == 303
    reader = parse(await editor_client.get("/live/budget-day"))
    update = reader.css_first(".updates .update")
    assert update.css_first(".update__headline").text() == "Speech begins"
    assert update.css_first(".label--key") is not None
    assert update.css_first(".byline").text() == "Reporter editor"


async def test_blog_form_keeps_input_and_names_each_problem(
    editor_client: httpx.AsyncClient,
) -> None:
    token = await form_token(editor_client, "/admin/blogs/new")
    answer = await editor_client.post(
        "/admin/blogs/new",
        data={
            "csrf_token": token,
            "title": "My blog",
            "slug": "Bad Slug",
            "time_zone": "Nowhere/City",
        },
    )
    assert answer.status_code == 422
    page = parse(answer)
    problems = page.css_first(".form-error").text()
    assert "lower-case letters" in problems
    assert "IANA time zone" in problems
    assert page.css_first("#title").attributes["value"] == "My blog"
    assert page.css_first("#slug").attributes["value"] == "Bad Slug"


async def test_empty_body_is_refused_and_the_headline_kept(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog
) -> None:
    token = await form_token(editor_client, f"/admin/live/{blog.slug}")
    answer = await editor_client.post(
        f"/admin/live/{blog.slug}/updates",
        data={"csrf_token": token, "headline": "Polls close", "body": "   ", "key_event": "1"},
    )
    assert answer.status_code == 422
    page = parse(answer)
    assert "Write the text of the update." in page.css_first(".form-error").text()
    assert page.css_first("#headline").attributes["value"] == "Polls close"
    assert "checked" in page.css_first("input[name=key_event]").attributes
    assert await stream_of(db, blog) == []


async def test_stale_csrf_token_saves_nothing_but_keeps_the_text(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog
) -> None:
    answer = await editor_client.post(
        f"/admin/live/{blog.slug}/updates",
        data={"csrf_token": "stale-or-forged", "headline": "H", "body": "Long careful text."},
    )
    assert answer.status_code == 403
    page = parse(answer)
    assert "expired" in page.css_first(".form-error").text()
    assert page.css_first("#body").text() == "Long careful text."
    assert await stream_of(db, blog) == []
    # The re-rendered form carries a fresh token that works.
    again = await editor_client.post(
        f"/admin/live/{blog.slug}/updates",
        data={"csrf_token": csrf_from(answer), "body": "Long careful text."},
    )
    assert again.status_code == 303
    assert await stream_of(db, blog) == ["Long careful text."]


async def test_preview_renders_markdown_without_publishing(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog
) -> None:
    token = await form_token(editor_client, f"/admin/live/{blog.slug}")
    answer = await editor_client.post(
        f"/admin/live/{blog.slug}/updates",
        data={
            "csrf_token": token,
            "body": "**Bold** and <script>x()</script>",
            "action": "preview",
        },
    )
    assert answer.status_code == 200
    preview = parse(answer).css_first(".preview")
    assert preview.css_first("strong").text() == "Bold"
    assert preview.css_first("script") is None
    assert await stream_of(db, blog) == []


async def test_preview_of_text_too_long_to_save_shows_the_message_not_the_preview(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    """Preview makes the checks saving makes: over the limit, nothing is rendered."""
    too_long = "[" * (LIMITS["body"] + 1)
    update = await post(db, blog, editor, "Turnout 60%.")
    for url in (f"/admin/live/{blog.slug}", f"/admin/live/{blog.slug}/updates/{update.id}/edit"):
        token = await form_token(editor_client, url)
        target = f"/admin/live/{blog.slug}/updates" if url.endswith(blog.slug) else url
        form = {"csrf_token": token, "body": too_long, "action": "preview"}
        answer = await editor_client.post(target, data=form)
        assert answer.status_code == 422
        page = parse(answer)
        assert page.css_first(".preview") is None
        assert f"Keep it under {LIMITS['body']} characters." in page.css_first(".form-error").text()
        assert page.css_first("textarea#body").text() == too_long
    assert await stream_of(db, blog) == ["Turnout 60%."]


@pytest.mark.parametrize("role", ["editor", "contributor"])
async def test_preview_on_the_edit_form_of_another_teams_blog_is_refused(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User, role: str
) -> None:
    update = await post(db, blog, editor, "Turnout 60%.")
    await log_in(client, (await make_user(db, role)).email)
    form = {"csrf_token": await form_token(client, "/admin/account"), "action": "preview"}
    form["body"] = "**Mine** now"
    answer = await client.post(f"/admin/live/{blog.slug}/updates/{update.id}/edit", data=form)
    assert answer.status_code == 403
    assert parse(answer).css_first(".preview") is None
    assert "Turnout 60%" not in answer.text


async def test_saving_over_a_newer_version_keeps_the_text_and_says_who_changed_it_when(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    update = await post(db, blog, editor, "Turnout 60%.")
    url = f"/admin/live/{blog.slug}/updates/{update.id}/edit"
    opened = parse(await editor_client.get(url))
    assert opened.css_first("input[name=version]").attributes["value"] == "1"
    ana = await make_user(db, "admin")
    at = datetime(2026, 11, 29, 12, 2, tzinfo=UTC)  # 14:02 in Kyiv, the blog's time zone
    async with db.write() as conn:
        await conn.execute(sql_update(users).where(users.c.id == ana.id).values(display_name="Ana"))
    await service.edit_update(db, blog.slug, update.id, UpdateDraft("Turnout 61%."), ana)
    async with db.write() as conn:  # the clock of the log row, set to a known minute
        await conn.execute(
            sql_update(blog_events)
            .where(blog_events.c.update_id == update.id)
            .values(created_at=at)
        )
    form = {"csrf_token": csrf_from(await editor_client.get(url)), "body": "Turnout 62.5%."}
    form["version"] = "1"
    answer = await editor_client.post(url, data=form)
    assert answer.status_code == 409
    page = parse(answer)
    assert "Changed by Ana at 14:02 while you edited" in page.css_first(".form-error").text()
    assert page.css_first("textarea#body").text() == "Turnout 62.5%."
    assert await stream_of(db, blog) == ["Turnout 61%."], "Ana's edit was overwritten"
    assert page.css_first("input[name=version]").attributes["value"] == "2"
    form["version"] = "2"  # saving again, having read the message, replaces Ana's text
    assert (await editor_client.post(url, data=form)).status_code == 303
    assert await stream_of(db, blog) == ["Turnout 62.5%."]


async def test_update_with_image_upload_and_caption(
    editor_client: httpx.AsyncClient, blog: Blog
) -> None:
    token = await form_token(editor_client, f"/admin/live/{blog.slug}")
    answer = await editor_client.post(
        f"/admin/live/{blog.slug}/updates",
        data={
            "csrf_token": token,
            "body": "Crowds outside the count.",
            "new_image_alt": "A crowd holding flags",
            "new_image_caption": "Supporters wait for the result",
            "new_image_credit": "Jo Vale/Harbour Agency",
        },
        files={"new_image": ("crowd.png", png_bytes(900, 600), "image/png")},
    )
    assert answer.status_code == 303
    figure = parse(await editor_client.get(f"/live/{blog.slug}")).css_first("figure")
    assert figure.css_first("img").attributes["alt"] == "A crowd holding flags"
    assert figure.css_first("figcaption").text() == (
        "Supporters wait for the result. Photograph: Jo Vale/Harbour Agency"
    )


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("notes.png", b"this is not a picture at all", "not a JPEG, PNG, WebP or GIF"),
        (
            "vector.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "not a JPEG",
        ),
        ("tiny.png", png_bytes(8, 8), "smaller than 16 pixels"),
    ],
)
async def test_bad_uploads_are_refused_and_the_text_kept(
    editor_client: httpx.AsyncClient,
    db: Database,
    blog: Blog,
    filename: str,
    content: bytes,
    message: str,
) -> None:
    token = await form_token(editor_client, f"/admin/live/{blog.slug}")
    answer = await editor_client.post(
        f"/admin/live/{blog.slug}/updates",
        data={"csrf_token": token, "body": "Picture below.", "new_image_caption": "A caption"},
        files={"new_image": (filename, content, "image/png")},
    )
    assert answer.status_code == 422
    page = parse(answer)
    assert message in page.css_first(".form-error").text()
    assert page.css_first("#body").text() == "Picture below."
    assert await stream_of(db, blog) == []


async def test_oversized_upload_is_refused(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog, app: object
) -> None:
    of_app(app).settings.max_upload_bytes = 2048  # type: ignore[arg-type]
    token = await form_token(editor_client, f"/admin/live/{blog.slug}")
    answer = await editor_client.post(
        f"/admin/live/{blog.slug}/updates",
        data={"csrf_token": token, "body": "Big photo."},
        files={"new_image": ("big.png", png_bytes(900, 900), "image/png")},
    )
    assert answer.status_code == 422
    assert "larger than" in parse(answer).css_first(".form-error").text()
    assert await stream_of(db, blog) == []


async def test_an_upload_survives_a_form_error_elsewhere(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog
) -> None:
    """An editor who forgot the text must not have to upload the photo again."""
    token = await form_token(editor_client, f"/admin/live/{blog.slug}")
    answer = await editor_client.post(
        f"/admin/live/{blog.slug}/updates",
        data={"csrf_token": token, "body": "", "new_image_credit": "Jo Vale"},
        files={"new_image": ("crowd.png", png_bytes(), "image/png")},
    )
    assert answer.status_code == 422
    page = parse(answer)
    kept = page.css_first("input[name=images-0-hash]").attributes["value"]
    assert page.css_first("input[name=images-0-credit]").attributes["value"] == "Jo Vale"
    again = await editor_client.post(
        f"/admin/live/{blog.slug}/updates",
        data={
            "csrf_token": csrf_from(answer),
            "body": "Now with text.",
            "images-0-hash": kept,
            "images-0-alt": "A crowd on the square",
            "images-0-credit": "Jo Vale",
        },
    )
    assert again.status_code == 303
    reader = parse(await editor_client.get(f"/live/{blog.slug}"))
    assert reader.css_first("figcaption").text() == "Photograph: Jo Vale"


async def test_posting_to_an_ended_blog_is_refused_with_a_message(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    token = await form_token(editor_client, f"/admin/live/{blog.slug}")
    await service.end_coverage(db, blog.slug, editor)
    answer = await editor_client.post(
        f"/admin/live/{blog.slug}/updates", data={"csrf_token": token, "body": "Late news."}
    )
    assert answer.status_code == 422
    assert "ended" in parse(answer).css_first(".form-error").text()
    assert await stream_of(db, blog) == []


async def test_edit_update_saves_and_marks_it_updated(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    update = await post(db, blog, editor, "Turnout 60%.")
    url = f"/admin/live/{blog.slug}/updates/{update.id}/edit"
    form = parse(await editor_client.get(url))
    assert form.css_first("#body").text() == "Turnout 60%."
    answer = await editor_client.post(
        url, data={"csrf_token": csrf_from(await editor_client.get(url)), "body": "Turnout 61%."}
    )
    assert answer.status_code == 303
    node = parse(await editor_client.get(f"/live/{blog.slug}")).css_first(f"#update-{update.id}")
    assert node.css_first(".update__body").text().strip() == "Turnout 61%."
    assert node.css_first(".edited").text().startswith("Updated ")


async def test_edit_with_empty_body_keeps_the_new_headline(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    update = await post(db, blog, editor, "Original.")
    url = f"/admin/live/{blog.slug}/updates/{update.id}/edit"
    answer = await editor_client.post(
        url,
        data={"csrf_token": await form_token(editor_client, url), "headline": "New", "body": ""},
    )
    assert answer.status_code == 422
    assert parse(answer).css_first("#headline").attributes["value"] == "New"
    assert await stream_of(db, blog) == ["Original."]


async def test_delete_with_correction_note_from_the_confirm_page(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    update = await post(db, blog, editor, "Wrong figure.")
    url = f"/admin/live/{blog.slug}/updates/{update.id}/delete"
    answer = await editor_client.post(
        url,
        data={
            "csrf_token": await form_token(editor_client, url),
            "correction_note": "Figure was wrong.",
        },
    )
    assert answer.status_code == 303
    reader = parse(await editor_client.get(f"/live/{blog.slug}"))
    assert reader.css_first(".correction").text() == "Correction: Figure was wrong."


async def test_key_event_and_pin_toggle_from_the_stream(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    update = await post(db, blog, editor, "Exit poll published.")
    page = parse(await editor_client.get(f"/admin/live/{blog.slug}"))
    key_form = page.css_first(
        f'form[action="/admin/live/{blog.slug}/updates/{update.id}/key-event"]'
    )
    assert key_form.css_first("button").text() == "Mark key event"
    token = key_form.css_first("input[name=csrf_token]").attributes["value"]
    base = f"/admin/live/{blog.slug}/updates/{update.id}"
    assert (
        await editor_client.post(f"{base}/key-event", data={"csrf_token": token, "on": "1"})
    ).status_code == 303
    assert (
        await editor_client.post(f"{base}/pin", data={"csrf_token": token, "on": "1"})
    ).status_code == 303
    reader = parse(await editor_client.get(f"/live/{blog.slug}"))
    assert reader.css_first(f"#update-{update.id} .label--key") is not None
    assert "Exit poll published." in reader.css_first(".pinned").text()
    await editor_client.post(f"{base}/key-event", data={"csrf_token": token, "on": "0"})
    reader = parse(await editor_client.get(f"/live/{blog.slug}"))
    assert reader.css_first(f"#update-{update.id} .label--key") is None
    assert reader.css_first(".key-events") is None


async def test_toggle_with_stale_token_is_refused(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    update = await post(db, blog, editor, "Exit poll.")
    answer = await editor_client.post(
        f"/admin/live/{blog.slug}/updates/{update.id}/key-event",
        data={"csrf_token": "forged", "on": "1"},
    )
    assert answer.status_code == 403
    assert "expired" in parse(answer).css_first(".error-message").text()
    async with db.read() as conn:
        assert not (await queries.update_by_id(conn, blog.id, update.id)).key_event


async def test_recap_is_edited_one_point_per_line(
    editor_client: httpx.AsyncClient, blog: Blog
) -> None:
    url = f"/admin/live/{blog.slug}/recap"
    answer = await editor_client.post(
        url,
        data={
            "csrf_token": await form_token(editor_client, url),
            "items": "- Polls closed at 22:00\n\n• Turnout is 64%\n",
        },
    )
    assert answer.status_code == 303
    reader = parse(await editor_client.get(f"/live/{blog.slug}"))
    assert [li.text() for li in reader.css(".recap li")] == [
        "Polls closed at 22:00",
        "Turnout is 64%",
    ]


async def test_over_long_recap_point_is_refused_and_kept(
    editor_client: httpx.AsyncClient, blog: Blog
) -> None:
    url = f"/admin/live/{blog.slug}/recap"
    text = "Fine point\n" + "x" * 400
    answer = await editor_client.post(
        url, data={"csrf_token": await form_token(editor_client, url), "items": text}
    )
    assert answer.status_code == 422
    assert parse(answer).css_first("#items").text() == text


async def test_end_coverage_stops_new_updates_in_the_editor(
    editor_client: httpx.AsyncClient, blog: Blog
) -> None:
    url = f"/admin/live/{blog.slug}/end"
    answer = await editor_client.post(
        url, data={"csrf_token": await form_token(editor_client, url)}
    )
    assert answer.status_code == 303
    page = parse(await editor_client.get(f"/admin/live/{blog.slug}"))
    assert page.css_first("form.update-form") is None
    assert "Coverage has ended" in page.css_first(".editor-tools").text()
    again = await editor_client.post(url, data={"csrf_token": await form_token(editor_client, url)})
    assert again.status_code == 422
    assert "already ended" in parse(again).css_first(".form-error").text()
