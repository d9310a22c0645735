"""JSON API v1 for stories: reads are public; editors' changes need a write token of an
editor or admin. Errors are JSON problems with a 4xx status (see dateline.app)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from dateline.accounts.auth import require_api_user
from dateline.accounts.service import User
from dateline.errors import Forbidden, NotFound
from dateline.i18n import gettext as _
from dateline.limits import ApiInput
from dateline.numbers import MAX_ID, Cursor, RowId
from dateline.stories import categorising, editing, queries
from dateline.stories.categories import Classifier
from dateline.web.api_docs import CHANGE, INVALID, NOT_FOUND, ok
from dateline.web.services import services

router = APIRouter(prefix="/api/v1", tags=["stories"])
READ = {**NOT_FOUND, **INVALID}
SOURCE = {"id": 3, "title": "Northwind Wire", "site_url": "https://wire.example.org/"}
STORY = {
    "id": 41,
    "title": "Berlin transit workers walk out, U-Bahn and buses halted",
    "summary": "Commuters in Berlin faced empty platforms on Monday.",
    "language": "en",
    "category": {"code": "medtop:09000000", "name": "Labour"},
    "first_seen_at": "2026-11-29T12:00:00Z",
    "last_seen_at": "2026-11-29T14:00:00Z",
    "sources_count": 2,
    "items_count": 1,
    "live": False,
    "blog": None,
    "items": [
        {
            "id": 1207,
            "url": "https://wire.example.org/berlin-strike",
            "title": "Berlin transit workers walk out, U-Bahn and buses halted",
            "language": "en",
            "published_at": "2026-11-29T12:00:00Z",
            "source": SOURCE,
            "also_at": [
                {
                    "url": "https://paper.example.org/berlin-strike",
                    "source": {**SOURCE, "id": 5, "title": "Paper"},
                }
            ],
        }
    ],
}
STORY_PAGE = {**STORY, "items_next": None}
MOVED = ok(  # answered by stories.moved, for this route and the story's other reads
    "The story was merged into another: `Location` is the same address of that story.",
    {"merged_into": 42},
    status=301,
)
ITEMS_PAGE = 200  # items of one story per answer: a story of 10,000 items pages


async def require_editor(user: Annotated[User, Depends(require_api_user)]) -> User:
    if not user.is_editor:
        raise Forbidden(_("Only editors change stories."))
    return user


Editor = Annotated[User, Depends(require_editor)]


def classifier(request: Request) -> Classifier:
    """The process's classifier for this installation (`categorising.cached`)."""
    return categorising.cached(services(request).settings)


def _category(request: Request, code: str | None, language: str) -> dict[str, str] | None:
    if code is None:
        return None
    return {"code": code, "name": classifier(request).name(code, language or "en")}


def _iso(moment: Any) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def _story_json(request: Request, row: Any, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "summary": row.summary,
        "language": row.language,
        "category": _category(request, row.category_code, row.language),
        "first_seen_at": _iso(row.first_seen_at),
        "last_seen_at": _iso(row.last_seen_at),
        "sources_count": row.sources_count,
        "items_count": row.items_count,
        "live": row.live,
        "blog": row.slug,
        "items": [{**item, "published_at": _iso(item["published_at"])} for item in items],
    }


@router.get(
    "/stories",
    summary="List stories",
    responses={**ok("Most recently active first.", {"stories": [STORY], "next": 40}), **READ},
    name="api.list_stories",
)
async def list_stories(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    before: Cursor = None,
) -> dict[str, Any]:
    """Most recently active first, each with its first few items; `next` is the cursor
    of the following page (null at the end)."""
    async with services(request).db.read() as conn:
        rows = await queries.recent(conn, limit + 1, before)
        shown = rows[:limit]
        shown_items = queries.ITEMS_SHOWN_IN_LISTS
        found = [
            _story_json(request, row, await queries.story_items_page(conn, row.id, shown_items))
            for row in shown
        ]
    return {"stories": found, "next": shown[-1].id if len(rows) > limit else None}


@router.get(
    "/stories/{story_id}",
    summary="Read a story",
    responses={**ok("The story and a page of its items.", STORY_PAGE), **MOVED, **READ},
    name="api.get_story",
)
async def get_story(
    request: Request,
    story_id: RowId,
    limit: Annotated[int, Query(ge=1, le=1000)] = ITEMS_PAGE,
    after: Cursor = None,
) -> dict[str, Any]:
    """The story with a page of its items (oldest first); `items_next` continues."""
    async with services(request).db.read() as conn:
        row = await queries.story_row(conn, story_id)
        if row is None or row.deleted_at is not None:
            raise NotFound(_("There is no such story."))
        page = await queries.story_items_page(conn, story_id, limit + 1, after)
    story = _story_json(request, row, page[:limit])
    story["items_next"] = page[limit - 1]["id"] if len(page) > limit else None
    return story


Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class MoveIn(ApiInput):
    story: Id


class MergeIn(ApiInput):
    into: Id


class SplitIn(ApiInput):
    items: list[Id] = Field(max_length=10_000)


class StoryPatch(ApiInput):
    title: str | None = Field(default=None, max_length=2000)
    category: str | None = Field(default=None, max_length=60)
    clear_category: bool = False


async def _read(request: Request, story_id: int) -> dict[str, Any]:
    return await get_story(request, story_id, ITEMS_PAGE, None)


@router.post(
    "/items/{item_id}/story",
    summary="Move an item",
    responses={**ok("The story the items are in now.", STORY_PAGE), **CHANGE},
    name="api.move_item",
)
async def move_item(request: Request, item_id: RowId, body: MoveIn, user: Editor) -> dict[str, Any]:
    """Put the item in another story; the move sticks."""
    await editing.move_item(services(request).db, item_id, body.story, classifier(request))
    return await _read(request, body.story)


@router.post(
    "/stories/{story_id}/merge",
    summary="Merge stories",
    responses={**ok("The story the items are in now.", STORY_PAGE), **CHANGE},
    name="api.merge_story",
)
async def merge_story(
    request: Request, story_id: RowId, body: MergeIn, user: Editor
) -> dict[str, Any]:
    """Every item of this story joins `into`; this story is deleted."""
    await editing.merge(services(request).db, story_id, body.into, classifier(request))
    return await _read(request, body.into)


@router.post(
    "/stories/{story_id}/split",
    summary="Split a story",
    responses={**ok("The story the items are in now.", STORY_PAGE), **CHANGE},
    name="api.split_story",
)
async def split_story(
    request: Request, story_id: RowId, body: SplitIn, user: Editor
) -> dict[str, Any]:
    """The given items become a new story (answered); at least one must stay."""
    db = services(request).db
    new_id = await editing.split(db, story_id, body.items, classifier(request))
    return await _read(request, new_id)


@router.patch(
    "/stories/{story_id}",
    summary="Retitle or recategorise",
    responses={**ok("The story, changed.", STORY_PAGE), **CHANGE},
    name="api.edit_story",
)
async def edit_story(
    request: Request, story_id: RowId, body: StoryPatch, user: Editor
) -> dict[str, Any]:
    """`title`: the editor's headline; `category`: a category code (`clear_category`: none)."""
    db = services(request).db
    if body.title is not None:
        await editing.retitle(db, story_id, body.title)
    if body.category is not None or body.clear_category:
        known = categorising.known_codes(services(request).settings)
        await editing.set_category(db, story_id, body.category, known)
    return await _read(request, story_id)
