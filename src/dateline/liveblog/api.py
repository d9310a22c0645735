"""JSON API v1 for live blogs. Reads are public like the pages; changes need a bearer token.

Errors are always JSON {"error": code, "detail": ...} with a 4xx status (see dateline.app).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, File, Query, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from dateline.accounts.auth import require_api_user
from dateline.accounts.service import User
from dateline.errors import NotFound
from dateline.liveblog import queries, service
from dateline.liveblog.forms import draft_of
from dateline.liveblog.models import BlogDraft, ImageRef, UpdateDraft
from dateline.liveblog.present import blog_json, update_json
from dateline.media.service import store_image

router = APIRouter(prefix="/api/v1", tags=["live blogs"])
Editor = Annotated[User, Depends(require_api_user)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class BlogIn(Strict):
    slug: str = Field(examples=["storm-live"])
    title: str = Field(examples=["Storm Idris: live updates"])
    standfirst: str = ""
    category: str = ""
    time_zone: str = Field(default="UTC", examples=["Europe/London"])


class ImageIn(Strict):
    id: str = Field(description="The id that POST /api/v1/images answered with.")
    alt: str = ""
    caption: str = ""
    credit: str = Field(default="", examples=["Mara Quell/Northwind Press"])


class UpdateIn(Strict):
    body: str = Field(description="Markdown.", examples=["Rescue crews reached **Sallowmere**."])
    headline: str = ""
    key_event: bool = False
    pinned: bool = False
    images: list[ImageIn] = []


class UpdatePatch(Strict):
    body: str | None = None
    headline: str | None = None
    key_event: bool | None = None
    pinned: bool | None = None
    images: list[ImageIn] | None = None


class DeleteIn(Strict):
    correction_note: str = ""


class RecapIn(Strict):
    items: list[str] = Field(examples=[["Flood warnings cover six towns."]])


def _refs(images: list[ImageIn]) -> list[ImageRef]:
    return [ImageRef(i.id, i.alt, i.caption, i.credit) for i in images]


def _base(request: Request) -> str:
    return str(request.app.state.settings.base_url)


@router.post("/blogs", status_code=201)
async def create_blog(request: Request, body: BlogIn, user: Editor) -> dict[str, Any]:
    draft = BlogDraft(body.title, body.slug, body.standfirst, body.category, body.time_zone)
    return blog_json(await service.create_blog(request.app.state.db, draft, user))


@router.get("/blogs/{slug}")
async def get_blog(request: Request, slug: str) -> dict[str, Any]:
    async with request.app.state.db.read() as conn:
        return blog_json(await queries.blog_by_slug(conn, slug))


@router.get("/blogs/{slug}/updates")
async def list_updates(
    request: Request,
    slug: str,
    key_events: bool = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    before: Annotated[int | None, Query(description="Cursor: an update id.")] = None,
) -> dict[str, Any]:
    """Newest first; `next` is the URL of the following (older) page, null at the end."""
    async with request.app.state.db.read() as conn:
        blog = await queries.blog_by_slug(conn, slug)
        found = await queries.updates_before(conn, blog.id, limit, before, key_events)
    next_url = None
    if len(found) == limit:
        flag = "&key_events=true" if key_events else ""
        next_url = f"/api/v1/blogs/{slug}/updates?limit={limit}&before={found[-1].id}{flag}"
    return {"items": [update_json(u, _base(request)) for u in found], "next": next_url}


@router.get("/blogs/{slug}/updates/{update_id}")
async def get_update(request: Request, slug: str, update_id: int) -> dict[str, Any]:
    async with request.app.state.db.read() as conn:
        blog = await queries.blog_by_slug(conn, slug)
        update = await queries.update_by_id(conn, blog.id, update_id)
    if update.is_deleted:
        raise NotFound("This update was deleted.")
    return update_json(update, _base(request))


@router.post("/blogs/{slug}/updates", status_code=201)
async def post_update(request: Request, slug: str, body: UpdateIn, user: Editor) -> dict[str, Any]:
    draft = UpdateDraft(body.body, body.headline, body.key_event, body.pinned, _refs(body.images))
    update = await service.post_update(request.app.state.db, slug, draft, user)
    return update_json(update, _base(request))


@router.patch("/blogs/{slug}/updates/{update_id}")
async def edit_update(
    request: Request, slug: str, update_id: int, body: UpdatePatch, user: Editor
) -> dict[str, Any]:
    """Only the fields sent change; the others keep their current values."""
    db = request.app.state.db
    async with db.read() as conn:
        blog = await queries.blog_by_slug(conn, slug)
        draft = draft_of(await queries.update_by_id(conn, blog.id, update_id))
    for name in ("body", "headline", "key_event", "pinned"):
        if getattr(body, name) is not None:
            setattr(draft, name, getattr(body, name))
    if body.images is not None:
        draft.images = _refs(body.images)
    update = await service.edit_update(db, slug, update_id, draft, user)
    return update_json(update, _base(request))


@router.delete("/blogs/{slug}/updates/{update_id}", status_code=204)
async def delete_update(
    request: Request,
    slug: str,
    update_id: int,
    user: Editor,
    body: Annotated[DeleteIn | None, Body()] = None,
) -> Response:
    note = body.correction_note if body else ""
    await service.delete_update(request.app.state.db, slug, update_id, user, note)
    return Response(status_code=204)


@router.put("/blogs/{slug}/recap")
async def set_recap(request: Request, slug: str, body: RecapIn, user: Editor) -> dict[str, Any]:
    blog = await service.set_recap(request.app.state.db, slug, body.items, user)
    return {"items": blog.recap_items}


@router.post("/blogs/{slug}/end")
async def end_coverage(request: Request, slug: str, user: Editor) -> dict[str, Any]:
    """End coverage: the blog takes no new updates; corrections stay possible."""
    return blog_json(await service.end_coverage(request.app.state.db, slug, user))


@router.post("/images", status_code=201, tags=["images"])
async def upload_image(
    request: Request, user: Editor, file: Annotated[UploadFile, File()]
) -> dict[str, Any]:
    """Upload once, then reference the answered id in an update's images."""
    state = request.app.state
    stored = await store_image(state.db, state.settings, await file.read())
    return {"id": stored.hash, "width": stored.width, "height": stored.height}
