"""JSON API v1 for live blogs. Reads are public like the pages; changes need a bearer token.

Errors are always JSON {"error": code, "detail": ...} with a 4xx status (see dateline.app);
api_schema holds the examples the OpenAPI schema shows; web.api_docs the `Problem` model and
the problems every API answers with.
"""

from __future__ import annotations

from collections.abc import Set
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, File, Header, Query, Request, UploadFile
from pydantic import Field
from starlette.responses import Response

from dateline.accounts.auth import require_api_reader, require_api_user
from dateline.accounts.service import User
from dateline.comments import queries as comment_queries
from dateline.errors import Invalid, NotFound
from dateline.limits import ApiInput
from dateline.liveblog import api_schema as doc
from dateline.liveblog import archive, drafts, queries, service
from dateline.liveblog.models import BlogDraft, ImageRef, Update, UpdateDraft, UpdatePatch
from dateline.liveblog.present import blog_json, draft_json, iso, update_json
from dateline.liveblog.queries import BlogSummary
from dateline.media import service as media
from dateline.numbers import MAX_ID, RowId, small_int
from dateline.web.api_docs import (
    CHANGE,
    FORBIDDEN,
    INVALID,
    MALFORMED,
    MALFORMED_FORM,
    READ,
    STALE,
    UNAUTHORIZED,
    ok,
)
from dateline.web.services import services
from dateline.web.templates import path_for

router = APIRouter(prefix="/api/v1", tags=["live blogs"])
Editor = Annotated[User, Depends(require_api_user)]  # a "write" token
Reader = Annotated[User, Depends(require_api_reader)]  # any token
IfMatch = Annotated[
    str | None,
    Header(
        description='The update\'s ETag as you read it (`"3"`): the change is made only if '
        "nobody changed the update since, else 412. `*` or no header: whatever its version."
    ),
]
# Ids are 32-bit integers in the database: a larger one is a 422, not a failed query.


class Strict(ApiInput):
    """Strict, no unknown fields, no NUL in any text (see limits.py)."""


class BlogIn(Strict):
    slug: str = Field(examples=["storm-live"])
    title: str = Field(examples=["Storm Idris: live updates"])
    standfirst: str = ""
    category: str = ""
    time_zone: str = Field(default="UTC", examples=["Europe/London"])
    language: str = Field(
        default="en", description="What its reader pages speak: en or de.", examples=["de"]
    )


class ImageIn(Strict):
    id: str = Field(description="The id that POST /api/v1/images answered with.")
    alt: str = Field(
        default="",
        description="What the picture shows, for readers who cannot see it. Required unless "
        "the update says publish_without_alt_text.",
    )
    caption: str = ""
    credit: str = Field(default="", examples=["Mara Quell/Northwind Press"])


class UpdateIn(Strict):
    body: str = Field(description="Markdown.", examples=["Rescue crews reached **Sallowmere**."])
    headline: str = ""
    key_event: bool = False
    pinned: bool = False
    images: list[ImageIn] = Field(default=[])
    publish_without_alt_text: bool = Field(
        default=False,
        description="Send images without alt text now (a breaking picture), describe them later.",
    )


class UpdatePatchIn(Strict):
    body: str | None = None
    headline: str | None = None
    key_event: bool | None = None
    pinned: bool | None = None
    images: list[ImageIn] | None = None
    publish_without_alt_text: bool = False


class DeleteIn(Strict):
    correction_note: str = ""


class RecapIn(Strict):
    items: list[str] = Field(examples=[["Flood warnings cover six towns."]])


class SwitchIn(Strict):
    on: bool = Field(description="true marks (or pins), false unmarks (or unpins).")


def _refs(images: list[ImageIn], without_alt_text: bool) -> list[ImageRef]:
    """The images as the service takes them, each described unless the client said it goes
    out without: the API keeps the rule the web forms keep (liveblog.forms.missing_alt_text)."""
    missing = {
        f"images.{index}.alt": f"Image {index + 1} has no alt text. Describe it for readers "
        "who cannot see it, or send publish_without_alt_text: true."
        for index, image in enumerate(images)
        if not image.alt.strip()
    }
    if missing and not without_alt_text:
        raise Invalid(missing)
    return [ImageRef(i.id, i.alt, i.caption, i.credit) for i in images]


def _base(request: Request) -> str:
    return str(services(request).settings.base_url)


def _versions(if_match: str | None) -> Set[int] | None:
    """The versions an If-Match header names; None (any) when absent or `*`. Tags are
    compared strongly, so a weak (W/) or malformed tag matches nothing: a 412, never a 500."""
    if if_match is None or if_match.strip() == "*":
        return None
    tags = (tag.strip() for tag in if_match.split(","))
    numbers = (small_int(tag[1:-1], 9) for tag in tags if tag[:1] == tag[-1:] == '"')
    return {number for number in numbers if number is not None}


def _with_etag(update: Update, request: Request, response: Response) -> dict[str, Any]:
    """The update's JSON, with its version as the ETag a client sends back in If-Match."""
    response.headers["ETag"] = f'"{update.version}"'
    return update_json(update, _base(request))


# Blogs -------------------------------------------------------------------------------------


@router.get(
    "/blogs",
    summary="List live blogs",
    responses={**ok("Newest coverage first.", doc.BLOG_LIST), **READ},
    name="api.list_blogs",
)
async def list_blogs(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    before: Annotated[str | None, Query(description="Cursor: blogs that began before it.")] = None,
    after: Annotated[str | None, Query(description="Cursor: blogs that began after it.")] = None,
) -> dict[str, Any]:
    """Newest coverage first (by coverage start), with update counts. `next` is the URL of
    the older page, `previous` of the newer one; null at either end."""
    if before is not None and after is not None:
        raise Invalid({"after": "Send before or after, not both."})
    async with services(request).db.read() as conn:
        found = await queries.list_blogs(conn)
    page, newer, older = _window(found, limit, before, after)
    more = f"{path_for(request, 'api.list_blogs')}?limit={limit}"
    return {
        "items": [_summary_json(item) for item in page],
        "next": f"{more}&before={page[-1].blog.slug}" if older and page else None,
        "previous": f"{more}&after={page[0].blog.slug}" if newer and page else None,
    }


def _window(
    found: list[BlogSummary], limit: int, before: str | None, after: str | None
) -> tuple[list[BlogSummary], bool, bool]:
    """One page of blogs around a cursor slug, and whether newer and older pages exist.

    Blogs are few next to updates, so the page is cut from the full list rather than by a
    keyset query; coverage_start never changes, so the order is stable between requests.
    """
    ordered = sorted(found, key=lambda s: (s.blog.coverage_start, s.blog.id), reverse=True)
    slugs = [item.blog.slug for item in ordered]
    cursor = before if before is not None else after
    if cursor is not None and cursor not in slugs:
        raise NotFound(f"There is no live blog at /live/{cursor} to page from.")
    if before is not None:
        start = slugs.index(before) + 1
        end = start + limit
    elif after is not None:
        end = slugs.index(after)
        start = max(0, end - limit)
    else:
        start, end = 0, limit
    return ordered[start:end], start > 0, end < len(ordered)


def _summary_json(item: BlogSummary) -> dict[str, Any]:
    return {
        **blog_json(item.blog),
        "update_count": item.update_count,
        "last_update_at": iso(item.last_update_at),
        "comments": item.comment_count,
    }


@router.post(
    "/blogs",
    status_code=201,
    summary="Create a live blog",
    responses={**ok("The new blog.", doc.BLOG, 201), **MALFORMED, **UNAUTHORIZED, **INVALID},
    name="api.create_blog",
)
async def create_blog(
    request: Request,
    body: Annotated[BlogIn, Body(openapi_examples=doc.BLOG_IN)],
    user: Editor,
) -> dict[str, Any]:
    draft = BlogDraft(
        body.title, body.slug, body.standfirst, body.category, body.time_zone, body.language
    )
    return blog_json(await service.create_blog(services(request).db, draft, user))


@router.get(
    "/blogs/{slug}",
    summary="Read a live blog",
    responses={
        **ok("The blog, its recap, current seq and approved comments.", doc.BLOG_READ),
        **READ,
    },
    name="api.get_blog",
)
async def get_blog(request: Request, slug: str) -> dict[str, Any]:
    async with services(request).db.read() as conn:
        blog = await queries.blog_by_slug(conn, slug)
        return {**blog_json(blog), "comments": await comment_queries.approved_count(conn, blog.id)}


@router.post(
    "/blogs/{slug}/end",
    summary="End coverage",
    responses={**ok("The blog, now ended.", doc.ENDED_BLOG), **CHANGE},
    name="api.end_coverage",
)
async def end_coverage(request: Request, slug: str, user: Editor) -> dict[str, Any]:
    """End coverage: the blog takes no new updates; corrections stay possible."""
    return blog_json(await service.end_coverage(services(request).db, slug, user))


@router.get(
    "/blogs/{slug}/recap",
    summary="Read the recap",
    responses={**ok("The recap.", doc.RECAP), **READ},
    name="api.get_recap",
)
async def get_recap(request: Request, slug: str) -> dict[str, Any]:
    async with services(request).db.read() as conn:
        recap: dict[str, Any] = blog_json(await queries.blog_by_slug(conn, slug))["recap"]
    return recap


@router.put(
    "/blogs/{slug}/recap",
    summary="Replace the recap",
    responses={**ok("The recap as saved (blank points dropped).", doc.RECAP_SAVED), **CHANGE},
    name="api.set_recap",
)
async def set_recap(
    request: Request,
    slug: str,
    body: Annotated[RecapIn, Body(openapi_examples=doc.RECAP_IN)],
    user: Editor,
) -> dict[str, Any]:
    blog = await service.set_recap(services(request).db, slug, body.items, user)
    return {"items": blog.recap_items}


@router.get(
    "/blogs/{slug}/export",
    summary="Export a blog as one JSON file",
    tags=["export"],
    responses={
        **ok("The export file (docs/api.md), as an attachment.", doc.EXPORT),
        **UNAUTHORIZED,
        **READ,
    },
    name="api.export_blog",
)
async def export_blog(request: Request, slug: str, user: Reader) -> Response:
    """The blog with every update and image (base64), ready for `dateline blog import`."""
    state = services(request)
    document = await archive.export_blog(state.db, state.settings, slug)
    disposition = f'attachment; filename="{slug}.dateline.json"'
    return Response(
        archive.serialise(document),
        media_type="application/json",
        headers={"Content-Disposition": disposition},
    )


# Updates -----------------------------------------------------------------------------------


@router.get(
    "/blogs/{slug}/updates",
    summary="List updates",
    responses={**ok("Newest first.", doc.UPDATE_LIST), **READ},
    name="api.list_updates",
)
async def list_updates(
    request: Request,
    slug: str,
    key_events: bool = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Cursor: an update id.")
    ] = None,
) -> dict[str, Any]:
    """Newest first; `next` is the URL of the following (older) page, null at the end."""
    async with services(request).db.read() as conn:
        blog = await queries.blog_by_slug(conn, slug)
        found = await queries.updates_before(conn, blog.id, limit, before, key_events)
    next_url = None
    if len(found) == limit:
        flag = "&key_events=true" if key_events else ""
        path = path_for(request, "api.list_updates", slug=slug)
        next_url = f"{path}?limit={limit}&before={found[-1].id}{flag}"
    return {"items": [update_json(u, _base(request)) for u in found], "next": next_url}


@router.get(
    "/blogs/{slug}/updates/{update_id}",
    summary="Read an update",
    responses={**ok("The update.", doc.UPDATE), **READ},
    name="api.get_update",
)
async def get_update(
    request: Request, response: Response, slug: str, update_id: RowId
) -> dict[str, Any]:
    """The `ETag` header is the update's version: send it back in `If-Match` to change it."""
    return await _current(request, response, slug, update_id)


async def _current(
    request: Request, response: Response, slug: str, update_id: int
) -> dict[str, Any]:
    async with services(request).db.read() as conn:
        blog = await queries.blog_by_slug(conn, slug)
        update = await queries.update_by_id(conn, blog.id, update_id)
    if update.is_deleted:
        raise NotFound("This update was deleted.")
    return _with_etag(update, request, response)


@router.post(
    "/blogs/{slug}/updates",
    status_code=201,
    summary="Post an update",
    responses={
        201: {
            "description": 'Published (`"status": "published"`, the update) when the token\'s '
            'account is an editor of the blog; otherwise a draft (`"status": "draft"`) that '
            "nothing shows until an editor publishes it.",
            "content": {
                "application/json": {
                    "examples": {
                        "published": {"value": doc.UPDATE},
                        "draft": {"value": doc.DRAFT},
                    }
                }
            },
        },
        **CHANGE,
    },
    name="api.post_update",
)
async def post_update(
    request: Request,
    slug: str,
    body: Annotated[UpdateIn, Body(openapi_examples=doc.UPDATE_IN)],
    user: Editor,
) -> dict[str, Any]:
    """Editors publish at once; a contributor's update waits as a draft for the editors."""
    images = _refs(body.images, body.publish_without_alt_text)
    draft = UpdateDraft(body.body, body.headline, body.key_event, body.pinned, images)
    done = await drafts.submit(services(request).db, slug, draft, user)
    if isinstance(done, drafts.Draft):
        return draft_json(done)
    return update_json(done, _base(request))


@router.patch(
    "/blogs/{slug}/updates/{update_id}",
    summary="Edit an update",
    responses={**ok("The update as saved.", doc.EDITED_UPDATE), **CHANGE, **STALE},
    name="api.edit_update",
)
async def edit_update(
    request: Request,
    response: Response,
    slug: str,
    update_id: RowId,
    body: Annotated[UpdatePatchIn, Body(openapi_examples=doc.PATCH_IN)],
    user: Editor,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Only the fields sent change; the others keep their current values, even when another
    change lands at the same moment. This is an edit: readers see "Updated" with its time.
    To only mark a key event or pin, use the PUT routes."""
    images = None if body.images is None else _refs(body.images, body.publish_without_alt_text)
    patch = UpdatePatch(body.body, body.headline, body.key_event, body.pinned, images)
    db, versions = services(request).db, _versions(if_match)
    update = await service.edit_update(db, slug, update_id, patch, user, versions=versions)
    return _with_etag(update, request, response)


@router.put(
    "/blogs/{slug}/updates/{update_id}/key-event",
    summary="Mark or unmark a key event",
    responses={**ok("The update.", doc.UPDATE), **CHANGE, **STALE},
    name="api.set_key_event",
)
async def set_key_event(
    request: Request,
    response: Response,
    slug: str,
    update_id: RowId,
    body: Annotated[SwitchIn, Body(openapi_examples=doc.SWITCH_IN)],
    user: Editor,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """The editor's key event switch: not an edit, so readers see no "Updated" time."""
    db, versions = services(request).db, _versions(if_match)
    await service.set_key_event(db, slug, update_id, body.on, user, versions=versions)
    return await _current(request, response, slug, update_id)


@router.put(
    "/blogs/{slug}/updates/{update_id}/pin",
    summary="Pin or unpin an update",
    responses={**ok("The update.", {**doc.UPDATE, "pinned": True}), **CHANGE, **STALE},
    name="api.set_pinned",
)
async def set_pinned(
    request: Request,
    response: Response,
    slug: str,
    update_id: RowId,
    body: Annotated[SwitchIn, Body(openapi_examples=doc.SWITCH_IN)],
    user: Editor,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """At most one update is pinned: pinning one unpins the one before. Not an edit."""
    db, versions = services(request).db, _versions(if_match)
    await service.set_pinned(db, slug, update_id, body.on, user, versions=versions)
    return await _current(request, response, slug, update_id)


@router.delete(
    "/blogs/{slug}/updates/{update_id}",
    status_code=204,
    summary="Delete an update",
    responses={204: {"description": "Deleted."}, **CHANGE, **STALE},
    name="api.delete_update",
)
async def delete_update(
    request: Request,
    slug: str,
    update_id: RowId,
    user: Editor,
    body: Annotated[DeleteIn | None, Body(openapi_examples=doc.DELETE_IN)] = None,
    if_match: IfMatch = None,
) -> Response:
    """Readers see the correction note in the update's place, or nothing without one."""
    note = body.correction_note if body else ""
    db, versions = services(request).db, _versions(if_match)
    await service.delete_update(db, slug, update_id, user, note, versions=versions)
    return Response(status_code=204)


# Drafts ------------------------------------------------------------------------------------


class RejectIn(Strict):
    note: str = Field(description="Why, for the author.", examples=["Source? Please add it."])


@router.get(
    "/blogs/{slug}/drafts",
    summary="List drafts",
    tags=["drafts"],
    responses={**ok("Waiting drafts first.", doc.DRAFT_LIST), **UNAUTHORIZED, **FORBIDDEN, **READ},
    name="api.list_drafts",
)
async def list_drafts(request: Request, slug: str, user: Reader) -> dict[str, Any]:
    """The blog's editors see every draft; a contributor sees their own."""
    _, found = await drafts.list_drafts(services(request).db, slug, user)
    return {"items": [draft_json(draft) for draft in found]}


@router.post(
    "/blogs/{slug}/drafts/{draft_id}/publish",
    status_code=201,
    summary="Publish a draft",
    tags=["drafts"],
    responses={**ok("The published update.", doc.UPDATE, 201), **CHANGE},
    name="api.publish_draft",
)
async def publish_draft(
    request: Request, slug: str, draft_id: RowId, user: Editor
) -> dict[str, Any]:
    """Publish the draft as its author wrote it; the update carries the author's name."""
    db = services(request).db
    _, draft = await drafts.get_draft(db, slug, draft_id, user)
    update = await drafts.publish_draft(db, slug, draft_id, draft.content, user)
    return update_json(update, _base(request))


@router.post(
    "/blogs/{slug}/drafts/{draft_id}/reject",
    summary="Reject a draft",
    tags=["drafts"],
    responses={**ok("The draft, rejected.", {**doc.DRAFT, "status": "rejected"}), **CHANGE},
    name="api.reject_draft",
)
async def reject_draft(
    request: Request, slug: str, draft_id: RowId, body: RejectIn, user: Editor
) -> dict[str, Any]:
    db = services(request).db
    await drafts.reject_draft(db, slug, draft_id, body.note, user)
    return draft_json((await drafts.get_draft(db, slug, draft_id, user))[1])


# Images ------------------------------------------------------------------------------------


@router.post(
    "/images",
    status_code=201,
    tags=["images"],
    summary="Upload an image",
    responses={
        **ok("The stored image.", doc.UPLOADED, 201),
        **MALFORMED_FORM,
        **UNAUTHORIZED,
        **FORBIDDEN,
        **INVALID,
    },
    name="api.upload_image",
)
async def upload_image(
    request: Request, user: Editor, file: Annotated[UploadFile, File()]
) -> dict[str, Any]:
    """Upload once, then reference the answered id in an update's images."""
    state = services(request)
    stored = await media.upload_image(state.db, state.settings, await file.read(), user)
    return {"id": stored.hash, "width": stored.width, "height": stored.height}
