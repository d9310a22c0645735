"""Facts read in the background from published updates and stored items, on SQLite and
PostgreSQL: an update yields its incident, an edit is read again, an editor's correction
survives every later reading, a deleted update's facts go; the API gives a blog's and a
story's facts with their sources, one incident reported twice once, and editors review."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from dateline.accounts.service import User
from dateline.accounts.tokens import create_token_for
from dateline.cli import app as cli
from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import facts, stories
from dateline.facts import queries
from dateline.facts.worker import FactsExtractor, FactsWorker
from dateline.liveblog import service
from dateline.liveblog.models import Blog, Update, UpdateDraft
from dateline.stories.assign import Assigner
from tests.helpers import make_blog, make_user
from tests.ingest_factories import ingest_settings, item
from tests.test_stories_store import feed

TUESDAY = datetime(2025, 6, 3, 9, 0, tzinfo=UTC)  # "on Monday" is 2 June 2025
KHARKIV = 706483
SHELLING = "Russian shelling killed two people in Kharkiv on Monday."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


async def publish(db: Database, blog: Blog, editor: User, body: str) -> Update:
    return await service.post_update(
        db, blog.slug, UpdateDraft(body=body), editor, published_at=TUESDAY
    )


async def read_all(db: Database) -> int:
    return await FactsExtractor(db, clock=lambda: TUESDAY + timedelta(hours=1)).run()


async def incidents(db: Database, blog: Blog) -> list[dict[str, Any]]:
    async with db.read() as conn:
        found = await queries.of_blog(conn, blog.id, rejected=True)
    return [
        {**fact.fact, "review": fact.review, "id": fact.id}
        for fact in found
        if fact.kind == "incident"
    ]


def place(fact: dict[str, Any]) -> int | None:
    return fact["place"]["geonames_id"] if fact["place"] else None


async def test_a_published_update_yields_its_incident(
    db: Database, blog: Blog, editor: User
) -> None:
    update = await publish(db, blog, editor, SHELLING)
    assert await read_all(db) == 1
    (found,) = await incidents(db, blog)
    assert (found["kind"], place(found), found["killed"]) == ("shelling", KHARKIV, 2)
    assert found["date"] == "2025-06-02"
    assert found["evidence"]["text"] == SHELLING
    assert found["review"] == "suggested"
    async with db.read() as conn:
        (row,) = await conn.execute(select(facts).where(facts.c.update_id == update.id))
    assert (row.blog_id, row.source_kind, row.killed) == (blog.id, "update", 2)
    assert await read_all(db) == 0  # read once: nothing left


async def test_the_running_worker_reads_a_newly_published_update(
    db: Database, blog: Blog, editor: User
) -> None:
    worker = FactsWorker(db, pause=0.01)
    await worker.start()
    try:
        await publish(db, blog, editor, SHELLING)
        for _ in range(3000):  # until it has read it; the test's timeout is the limit
            if await incidents(db, blog):
                break
            await asyncio.sleep(0.01)
    finally:
        await worker.stop()
    assert [place(fact) for fact in await incidents(db, blog)] == [KHARKIV]


async def test_an_edited_update_is_read_again(db: Database, blog: Blog, editor: User) -> None:
    update = await publish(db, blog, editor, SHELLING)
    await read_all(db)
    edited = "A missile strike killed four people in Odesa on Monday."
    await service.edit_update(db, blog.slug, update.id, UpdateDraft(body=edited), editor)
    assert await read_all(db) == 1
    (found,) = await incidents(db, blog)
    assert (found["place"]["name"], found["killed"]) == ("Odesa", 4)


async def test_a_corrected_fact_survives_a_later_reading(
    db: Database, blog: Blog, editor: User
) -> None:
    update = await publish(db, blog, editor, SHELLING)
    await read_all(db)
    (found,) = await incidents(db, blog)
    await queries.review(db, found["id"], "corrected", {"killed": 3}, editor.id, TUESDAY)
    more = f"{SHELLING} Rescue work continued into the night."
    await service.edit_update(db, blog.slug, update.id, UpdateDraft(body=more), editor)
    assert await read_all(db) == 1
    (kept,) = await incidents(db, blog)  # the same sentence is not suggested a second time
    assert (kept["id"], kept["killed"], kept["review"]) == (found["id"], 3, "corrected")


async def test_a_rejected_fact_stays_rejected_and_hidden_from_readers(
    db: Database, blog: Blog, editor: User
) -> None:
    update = await publish(db, blog, editor, SHELLING)
    await read_all(db)
    (found,) = await incidents(db, blog)
    await queries.review(db, found["id"], "rejected", None, editor.id, TUESDAY)
    again = f"Officials said: {SHELLING}"
    await service.edit_update(db, blog.slug, update.id, UpdateDraft(body=again), editor)
    await read_all(db)
    async with db.read() as conn:
        shown = await queries.of_blog(conn, blog.id)
    assert [fact.review for fact in shown] in ([], ["suggested"])
    assert all(fact.id != found["id"] for fact in shown)
    assert any(fact["review"] == "rejected" for fact in await incidents(db, blog))


async def test_a_deleted_updates_facts_are_gone(db: Database, blog: Blog, editor: User) -> None:
    update = await publish(db, blog, editor, SHELLING)
    await read_all(db)
    (found,) = await incidents(db, blog)
    await queries.review(db, found["id"], "confirmed", None, editor.id, TUESDAY)
    await service.delete_update(db, blog.slug, update.id, editor)
    assert await read_all(db) == 1
    assert await incidents(db, blog) == []
    assert await read_all(db) == 0


def test_facts_update_command_reads_everything_and_returns(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def publish_one() -> None:
        database = Database(database_url)
        try:
            editor = await make_user(database, "editor", "editor@example.org")
            await publish(database, await make_blog(database, editor), editor, SHELLING)
        finally:
            await database.dispose()

    asyncio.run(publish_one())
    monkeypatch.setenv("DATELINE_DATABASE_URL", database_url)
    monkeypatch.setenv("LC_ALL", "C")
    result = CliRunner().invoke(cli, ["facts", "update"])
    assert result.exit_code == 0, result.output
    assert "Read the facts of 1 updates and items." in result.output
    again = CliRunner().invoke(cli, ["facts", "update"])
    assert "Read the facts of 0 updates and items." in again.output


async def test_two_workers_at_once_store_each_fact_once(
    db: Database, blog: Blog, editor: User, database_url: str
) -> None:
    for n in range(6):
        await publish(db, blog, editor, f"{SHELLING} Update {n}.")
    other = Database(database_url)
    try:
        await asyncio.gather(read_all(db), read_all(other))
    finally:
        await other.dispose()
    found = await incidents(db, blog)
    assert len(found) == 6
    assert len({fact["id"] for fact in found}) == 6


# The API --------------------------------------------------------------------------------


async def test_the_blog_api_shows_one_incident_two_updates_report_with_its_range(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    first = await publish(db, blog, editor, SHELLING)
    second = await publish(
        db, blog, editor, "Russian shelling killed three people in Kharkiv on Monday."
    )
    await publish(db, blog, editor, "The delegations agreed to swap 1,000 prisoners of war.")
    await read_all(db)
    answer = (await client.get(f"/api/v1/blogs/{blog.slug}/facts")).json()
    kinds = [entry["type"] for entry in answer["facts"]]
    assert sorted(kinds) == ["exchange", "incident"]
    (incident,) = [entry for entry in answer["facts"] if entry["type"] == "incident"]
    assert incident["fact"]["killed"] == 2  # the most conservative
    assert incident["counts"]["killed"] == {"min": 2, "max": 3}
    assert [source["update_id"] for source in incident["sources"]] == [first.id, second.id]
    source = incident["sources"][0]
    assert source["url"].endswith(f"/live/{blog.slug}/updates/{first.id}")
    assert source["source_title"] == blog.title
    assert source["evidence"]["text"] == SHELLING


async def test_an_editor_corrects_a_fact_through_the_api(
    db: Database, blog: Blog, editor: User, api: httpx.AsyncClient
) -> None:
    await publish(db, blog, editor, SHELLING)
    await read_all(db)
    (found,) = await incidents(db, blog)
    body = {"state": "corrected", "fact": {"killed": 3, "injured": 1}}
    answer = await api.post(f"/api/v1/facts/{found['id']}/review", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["review"] == "corrected"
    assert (answer.json()["fact"]["killed"], answer.json()["fact"]["injured"]) == (3, 1)
    listed = (await api.get(f"/api/v1/blogs/{blog.slug}/facts")).json()["facts"]
    assert [(entry["review"], entry["fact"]["killed"]) for entry in listed] == [("corrected", 3)]


@pytest.mark.parametrize(
    "body",
    [
        {"state": "maybe"},
        {"state": "corrected"},
        {"state": "corrected", "fact": {}},
        {"state": "corrected", "fact": {"count": 5}},  # an incident has no count
        {"state": "corrected", "fact": {"killed": -1}},
        {"state": "corrected", "fact": {"date": "yesterday"}},
        {"state": "corrected", "fact": {"killed": "three"}},
        {"state": "corrected", "fact": {"kind": "rumour"}},
        {"state": "corrected", "fact": {"place": {"name": ""}}},
        {"state": "confirmed", "extra": 1},
    ],
)
async def test_a_bad_review_is_a_422_that_changes_nothing(
    db: Database, blog: Blog, editor: User, api: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    await publish(db, blog, editor, SHELLING)
    await read_all(db)
    (found,) = await incidents(db, blog)
    answer = await api.post(f"/api/v1/facts/{found['id']}/review", json=body)
    assert answer.status_code == 422
    assert set(answer.json()) == {"error", "detail"}
    (after,) = await incidents(db, blog)
    assert (after["review"], after["killed"]) == ("suggested", 2)


async def test_only_editors_with_a_write_token_review_and_unknown_facts_are_404(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await publish(db, blog, editor, SHELLING)
    await read_all(db)
    (found,) = await incidents(db, blog)
    path = f"/api/v1/facts/{found['id']}/review"
    assert (await client.post(path, json={"state": "confirmed"})).status_code == 401
    contributor = await make_user(db, "contributor", "writer@example.org")
    for user, scope in ((contributor, "write"), (editor, "read")):
        token = await create_token_for(db, user.email, "tests", scope)
        headers = {"Authorization": f"Bearer {token}"}
        answer = await client.post(path, json={"state": "confirmed"}, headers=headers)
        assert answer.status_code == 403
    token = await create_token_for(db, editor.email, "tests", "write")
    headers = {"Authorization": f"Bearer {token}"}
    unknown = "/api/v1/facts/999999/review"
    missing = await client.post(unknown, json={"state": "confirmed"}, headers=headers)
    assert missing.status_code == 404


async def test_a_storys_facts_are_its_items_merged_across_outlets(
    db: Database, settings: Settings, client: httpx.AsyncClient
) -> None:
    texts = [
        ("Shelling kills two in Kharkiv", SHELLING),
        ("Kharkiv shelled", "Russian shelling killed at least four people in Kharkiv on Monday."),
    ]
    for n, (title, text) in enumerate(texts):
        entry = item(n, text=text, title=title, language="en", published_at=TUESDAY)
        await feed(db, settings, f"outlet{n}", [entry])
    await Assigner(db).run()
    await read_all(db)
    async with db.read() as conn:
        story_ids = list((await conn.execute(select(stories.c.id))).scalars())
    answers = [(await client.get(f"/api/v1/stories/{sid}/facts")).json() for sid in story_ids]
    merged = [entry for answer in answers for entry in answer["facts"]]
    kharkiv = [entry for entry in merged if entry["fact"]["place"]["geonames_id"] == KHARKIV]
    assert len(kharkiv) == 1  # both outlets, one incident (when both are in one story)
    (incident,) = kharkiv
    assert incident["fact"]["killed"] == 2
    assert incident["counts"]["killed"] == {"min": 2, "max": 4}
    assert {source["source_title"] for source in incident["sources"]} == {"outlet0", "outlet1"}
    urls = {source["url"] for source in incident["sources"]}
    assert urls == {"https://wire.example.org/story-0", "https://wire.example.org/story-1"}
    assert (await client.get("/api/v1/stories/999999/facts")).status_code == 404


async def test_bad_facts_queries_are_4xx(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await publish(db, blog, editor, SHELLING)
    await read_all(db)
    for query in ("sort=bogus", "rejected=maybe"):
        answer = await client.get(f"/api/v1/blogs/{blog.slug}/facts?{query}")
        assert answer.status_code == 422, query
    assert (await client.get("/api/v1/blogs/no-such-blog/facts")).status_code == 404
    assert (await client.get("/api/v1/stories/0/facts")).status_code == 422
    page = await client.get(f"/live/{blog.slug}/facts?sort=bogus")
    assert page.status_code == 200  # a reader's odd link still shows the table, newest first
