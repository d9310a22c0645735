"""Editors' story pages: retitle, set the category, merge, split and move with plain HTML forms,
decisions that stick, refusals shown at their field with what was typed, nothing changed; and
nobody but editors and admins gets in."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from dateline.accounts.service import User
from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import items, stories, story_items
from dateline.search import service as search
from dateline.stories.assign import Assigner
from tests.helpers import csrf_from, log_in, make_user, parse
from tests.ingest_factories import T0, add, document, ingest_settings, item, store_document

# Two events, written for these tests: (outlet, title, text, hours after T0).
FERRY = [
    (
        "harbourwire",
        "Ferry runs aground off Kessel Point, passengers taken ashore",
        "A passenger ferry ran aground off Kessel Point on Friday morning; lifeboats took all "
        "212 passengers ashore and the coastguard said nobody was hurt.",
        0,
    ),
    (
        "islandnews",
        "All 212 passengers safe after Kessel Point ferry grounding",
        "Lifeboat crews brought 212 passengers ashore after their ferry grounded off Kessel "
        "Point on Friday; the coastguard reported no injuries.",
        1,
    ),
]
MUSEUM = [
    (
        "citydaily",
        "City museum reopens its textile hall after three-year restoration",
        "The municipal museum reopened its textile hall on Saturday with 400 restored pieces, "
        "including tapestries from the old weavers' guild.",
        30,
    ),
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


async def seed(db: Database, settings: Settings) -> dict[str, int]:
    """Each title's story id after the Assigner placed the reports."""
    for n, (outlet, title, text, hours) in enumerate(FERRY + MUSEUM):
        source = await add(db, settings, f"https://{outlet}.example/feed.xml")
        when = T0 + timedelta(hours=hours)
        found = item(
            n, text=text, title=title, url=f"https://{outlet}.example/{n}", published_at=when
        )
        await store_document(db, source, document(found, title=outlet))
    await Assigner(db).run()
    async with db.read() as conn:
        query = select(items.c.title, story_items.c.story_id).join(
            story_items, story_items.c.item_id == items.c.id
        )
        return {row.title: row.story_id for row in await conn.execute(query)}


async def item_id(db: Database, title: str) -> int:
    async with db.read() as conn:
        return int(
            (await conn.execute(select(items.c.id).where(items.c.title == title))).scalar_one()
        )


async def story(db: Database, story_id: int) -> object:
    async with db.read() as conn:
        return (await conn.execute(select(stories).where(stories.c.id == story_id))).one()


async def submit(
    client: httpx.AsyncClient, page: str, action: str, **fields: object
) -> httpx.Response:
    token = csrf_from(await client.get(page))
    return await client.post(action, data={"csrf_token": token, **fields})


async def test_an_editor_retitles_and_categorises_a_story_and_both_stick(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    placed = await seed(db, settings)
    ferry = placed[FERRY[0][1]]
    page = f"/admin/stories/{ferry}"
    answer = await submit(
        editor_client, page, f"{page}/title", title="Kessel Point ferry grounding"
    )
    assert answer.status_code == 303
    answer = await submit(editor_client, page, f"{page}/category", code="medtop:03000000")
    assert answer.status_code == 303
    shown = parse(await editor_client.get(page))
    assert "Story saved." in shown.body.text()
    reader = parse(await editor_client.get(f"/stories/{ferry}"))
    assert reader.css_first("h1").text() == "Kessel Point ferry grounding"
    assert reader.css_first(".kicker .category").attributes["href"] == "/topics/medtop:03000000"
    await Assigner(db).run()  # a later pass keeps the editor's decisions
    row = await story(db, ferry)
    assert (row.title, row.title_locked, row.category_locked) == (  # type: ignore[attr-defined]
        "Kessel Point ferry grounding",
        True,
        True,
    )


async def test_merge_split_and_move_from_the_story_page(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    placed = await seed(db, settings)
    ferry, museum = placed[FERRY[0][1]], placed[MUSEUM[0][1]]
    assert ferry != museum
    answer = await submit(
        editor_client, f"/admin/stories/{museum}", f"/admin/stories/{museum}/merge", into=ferry
    )
    assert answer.headers["location"] == f"/admin/stories/{ferry}"
    gone = await editor_client.get(f"/stories/{museum}")  # merged away: leads to where it went
    assert (gone.status_code, gone.headers["location"]) == (301, f"/stories/{ferry}")
    museum_item = await item_id(db, MUSEUM[0][1])
    answer = await submit(
        editor_client, f"/admin/stories/{ferry}", f"/admin/stories/{ferry}/split", items=museum_item
    )
    assert answer.status_code == 303
    apart = int(answer.headers["location"].rsplit("/", 1)[1])
    assert apart not in (ferry, museum)
    reader = parse(await editor_client.get(f"/stories/{apart}"))
    assert [h.text() for h in reader.css(".timeline h3")] == [MUSEUM[0][1]]
    second = await item_id(db, FERRY[1][1])
    answer = await submit(
        editor_client,
        f"/admin/stories/{ferry}",
        f"/admin/stories/{ferry}/move",
        item=second,
        **{f"move-{second}": str(apart)},
    )
    assert answer.headers["location"] == f"/admin/stories/{apart}"
    async with db.read() as conn:
        query = select(story_items.c.story_id).where(story_items.c.item_id == second)
        assert (await conn.execute(query)).scalar_one() == apart


async def test_refusals_are_shown_at_their_field_with_what_was_typed_and_change_nothing(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    placed = await seed(db, settings)
    ferry = placed[FERRY[0][1]]
    page = f"/admin/stories/{ferry}"
    cases = [
        (f"{page}/merge", {"into": str(ferry)}, "into", "cannot be merged into itself"),
        (f"{page}/merge", {"into": "seven"}, "into", "Give the number of a story"),
        (f"{page}/merge", {"into": "999999"}, "into", "no such story"),
        (f"{page}/title", {"title": "   "}, "title", "Give the story a title"),
        (f"{page}/category", {"code": "medtop:nonsense"}, "code", "no category with that code"),
        (f"{page}/split", {}, "items", "Choose the items"),
    ]
    before = await story(db, ferry)
    for action, fields, field, words in cases:
        answer = await submit(editor_client, page, action, **fields)
        assert answer.status_code in (404, 409, 422), (action, fields, answer.status_code)
        shown = parse(answer)
        error = shown.css_first(f"#{field}-error")
        assert error is not None, (action, fields)
        assert words in error.text(), (action, error.text())
        if field in ("into", "title"):
            assert shown.css_first(f"#{field}").attributes["aria-invalid"] == "true"
            assert shown.css_first(f"#{field}").attributes["value"] == fields[field]
    everything = await submit(
        editor_client,
        page,
        f"{page}/split",
        items=[await item_id(db, title) for _, title, *_ in FERRY],
    )
    assert "at least one item" in parse(everything).css_first("#items-error").text()
    assert await story(db, ferry) == before


@pytest.mark.parametrize("role", ["contributor", None])
async def test_only_editors_and_admins_open_story_pages(
    client: httpx.AsyncClient, db: Database, settings: Settings, role: str | None
) -> None:
    placed = await seed(db, settings)
    ferry = placed[FERRY[0][1]]
    if role:
        user: User = await make_user(db, role, f"{role}@example.org")
        await log_in(client, user.email)
    answer = await client.get(f"/admin/stories/{ferry}")
    assert answer.status_code == (403 if role else 303)
    answer = await client.post(f"/admin/stories/{ferry}/title", data={"title": "Hijacked"})
    assert answer.status_code in (303, 403)
    row = await story(db, ferry)
    assert row.title == FERRY[0][1]  # type: ignore[attr-defined]


async def test_stories_are_found_by_search_as_they_form_and_as_editors_retitle_them(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    placed = await seed(db, settings)
    ferry = placed[FERRY[0][1]]
    found = await search.search(db, search.Search("Kessel", types=("story",)), None)
    assert [hit.id for hit in found.hits] == [ferry]
    page = f"/admin/stories/{ferry}"
    await submit(editor_client, page, f"{page}/title", title="Harbour grounding at Kessel")
    found = await search.search(db, search.Search("harbour grounding", types=("story",)), None)
    assert [(hit.id, hit.title) for hit in found.hits] == [(ferry, "Harbour grounding at Kessel")]
