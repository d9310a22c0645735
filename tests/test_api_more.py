"""JSON API v1, the rest of what editors do: the blog list, the recap, the key event and pin
switches, the export, and an OpenAPI schema that documents every answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from dateline.accounts.service import User
from dateline.config import Settings
from dateline.db import Database
from dateline.liveblog import archive, service
from dateline.liveblog.models import Blog, BlogDraft
from tests.helpers import post
from tests.test_api import assert_problem


async def open_blogs(db: Database, editor: User, count: int) -> list[str]:
    """Blogs whose coverage began a day apart, oldest first; slugs answer newest first."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(count):
        draft = BlogDraft(title=f"Story {n}", slug=f"story-{n}")
        await service.create_blog(db, draft, editor, start=start + timedelta(days=n))
    return [f"story-{n}" for n in reversed(range(count))]


# The blog list -----------------------------------------------------------------------------


async def test_blog_list_pages_both_ways_with_cursors(
    api: httpx.AsyncClient, db: Database, editor: User
) -> None:
    newest_first = await open_blogs(db, editor, 5)
    first = (await api.get("/api/v1/blogs?limit=2")).json()
    assert [b["slug"] for b in first["items"]] == newest_first[:2]
    assert first["previous"] is None
    second = (await api.get(first["next"])).json()
    assert [b["slug"] for b in second["items"]] == newest_first[2:4]
    third = (await api.get(second["next"])).json()
    assert [b["slug"] for b in third["items"]] == newest_first[4:]
    assert third["next"] is None
    back = (await api.get(third["previous"])).json()
    assert back == second
    assert (await api.get(second["previous"])).json() == first


async def test_blog_list_carries_status_and_counts_of_live_updates(
    api: httpx.AsyncClient, db: Database, editor: User, blog: Blog
) -> None:
    await post(db, blog, editor, "One")
    gone = await post(db, blog, editor, "Two")
    await service.delete_update(db, blog.slug, gone.id, editor, "Withdrawn.")
    await service.end_coverage(db, blog.slug, editor)
    [item] = (await api.get("/api/v1/blogs")).json()["items"]
    assert (item["slug"], item["status"], item["update_count"]) == (blog.slug, "ended", 1)
    assert item["last_update_at"].endswith("Z")
    assert item["coverage_end"] is not None


async def test_blog_list_refuses_unknown_cursors_and_bad_limits(
    api: httpx.AsyncClient, db: Database, editor: User
) -> None:
    await open_blogs(db, editor, 2)
    assert_problem(await api.get("/api/v1/blogs?before=no-such-blog"), 404)
    assert_problem(await api.get("/api/v1/blogs?before=story-0&after=story-1"), 422)
    assert_problem(await api.get("/api/v1/blogs?limit=0"), 422)
    assert_problem(await api.get("/api/v1/blogs?limit=101"), 422)


# Recap, key event and pin ------------------------------------------------------------------


async def test_recap_reads_empty_then_as_saved(
    api: httpx.AsyncClient, db: Database, editor: User, blog: Blog
) -> None:
    assert (await api.get(f"/api/v1/blogs/{blog.slug}/recap")).json() == {
        "items": [],
        "updated_at": None,
    }
    await service.set_recap(db, blog.slug, ["Polls closed", "Turnout high"], editor)
    recap = (await api.get(f"/api/v1/blogs/{blog.slug}/recap")).json()
    assert recap["items"] == ["Polls closed", "Turnout high"]
    assert recap["updated_at"].endswith("Z")
    assert_problem(await api.get("/api/v1/blogs/nope/recap"), 404)


async def test_key_event_and_pin_switches_are_not_edits(
    api: httpx.AsyncClient, db: Database, editor: User, blog: Blog
) -> None:
    first = await post(db, blog, editor, "First", pinned=True)
    second = await post(db, blog, editor, "Second")
    base = f"/api/v1/blogs/{blog.slug}/updates/{second.id}"
    marked = await api.put(f"{base}/key-event", json={"on": True})
    assert marked.status_code == 200, marked.text
    assert (marked.json()["key_event"], marked.json()["edited_at"]) == (True, None)
    pinned = (await api.put(f"{base}/pin", json={"on": True})).json()
    assert (pinned["pinned"], pinned["edited_at"]) == (True, None)
    other = (await api.get(f"/api/v1/blogs/{blog.slug}/updates/{first.id}")).json()
    assert other["pinned"] is False, "one pinned update at most"
    unmarked = (await api.put(f"{base}/key-event", json={"on": False})).json()
    assert unmarked["key_event"] is False


async def test_switches_refuse_bad_bodies_deleted_updates_and_anonymous_callers(
    api: httpx.AsyncClient, db: Database, editor: User, blog: Blog
) -> None:
    update = await post(db, blog, editor, "Soon gone")
    base = f"/api/v1/blogs/{blog.slug}/updates/{update.id}"
    assert_problem(await api.put(f"{base}/pin", json={"on": "yes"}), 422)
    assert_problem(await api.put(f"{base}/pin", json={}), 422)
    assert_problem(await api.put(f"/api/v1/blogs/{blog.slug}/updates/999/pin", json={"on": 1}), 422)
    assert_problem(
        await api.put(f"/api/v1/blogs/{blog.slug}/updates/999/pin", json={"on": True}), 404
    )
    anonymous = await api.put(f"{base}/key-event", json={"on": True}, headers={"Authorization": ""})
    assert_problem(anonymous, 401)
    await service.delete_update(db, blog.slug, update.id, editor)
    assert_problem(await api.put(f"{base}/key-event", json={"on": True}), 409)


# Export ------------------------------------------------------------------------------------


async def test_export_is_an_attachment_that_imports(
    api: httpx.AsyncClient, db: Database, settings: Settings, editor: User, blog: Blog
) -> None:
    await post(db, blog, editor, "Polls have closed.", key_event=True)
    answer = await api.get(f"/api/v1/blogs/{blog.slug}/export")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="{blog.slug}.dateline.json"'
    )
    document = answer.json()
    assert (document["format"], document["version"]) == ("dateline.liveblog", 1)
    assert document["source"]["url"] == f"http://testserver/live/{blog.slug}"
    done = await archive.import_blog(db, settings, answer.content, slug="moved")
    assert done.updates == 1


async def test_export_needs_a_token_and_a_known_blog(
    client: httpx.AsyncClient, api: httpx.AsyncClient, blog: Blog
) -> None:
    body = assert_problem(await api.get("/api/v1/blogs/nope/export"), 404)
    assert body["error"] == "notfound"
    anonymous = await client.get(f"/api/v1/blogs/{blog.slug}/export", headers={"Authorization": ""})
    assert_problem(anonymous, 401)


# The schema --------------------------------------------------------------------------------


async def test_every_operation_has_a_summary_examples_and_a_problem_answer(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/api/v1/openapi.json")).json()
    problem = "#/components/schemas/Problem"
    operations = [
        (f"{method.upper()} {path}", operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) >= 15
    for name, operation in operations:
        assert operation.get("summary"), name
        answers = operation["responses"]
        problems = {
            status: answer["content"]["application/json"]
            for status, answer in answers.items()
            if status.startswith("4")
        }
        assert problems, f"{name} documents no 4xx answer"
        for status, content in problems.items():
            assert content["schema"] == {"$ref": problem}, f"{name} {status}"
            assert content["examples"], f"{name} {status} has no example"
        successes = {s: answer for s, answer in answers.items() if s.startswith("2")}
        assert successes, f"{name} documents no success"
        for status, answer in successes.items():
            if status != "204":
                shown = answer["content"]["application/json"]
                assert "example" in shown or shown.get("examples"), f"{name} {status}"


async def test_schema_lists_the_new_routes_and_the_problem_shape(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/api/v1/openapi.json")).json()
    paths = schema["paths"]
    assert "get" in paths["/api/v1/blogs"]
    assert "get" in paths["/api/v1/blogs/{slug}/recap"]
    assert "get" in paths["/api/v1/blogs/{slug}/export"]
    assert "put" in paths["/api/v1/blogs/{slug}/updates/{update_id}/key-event"]
    assert "put" in paths["/api/v1/blogs/{slug}/updates/{update_id}/pin"]
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"error", "detail"}
    body = paths["/api/v1/blogs/{slug}/updates"]["post"]["requestBody"]
    assert body["content"]["application/json"]["examples"]
