"""JSON API v1 for sources: follow one, list them with their state, read what they published.

Sources are newsroom business, so every route needs a bearer token. Errors are the same JSON
problems as the rest of the API ({"error", "detail"}, see dateline.app and web.api_docs).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import Field
from starlette.responses import Response

from dateline.accounts.auth import require_api_reader, require_api_user
from dateline.accounts.service import User
from dateline.ingest import service
from dateline.ingest.models import SourceDraft
from dateline.ingest.present import ITEM_EXAMPLE, SOURCE_EXAMPLE, item_json, source_json
from dateline.limits import ApiInput
from dateline.numbers import MAX_ID, RowId
from dateline.web.api_docs import CONFLICT, INVALID, MALFORMED, NOT_FOUND, UNAUTHORIZED, ok
from dateline.web.services import services
from dateline.web.templates import path_for

router = APIRouter(prefix="/api/v1", tags=["sources"])
Editor = Annotated[User, Depends(require_api_user)]
Reader = Annotated[User, Depends(require_api_reader)]
READ = {**UNAUTHORIZED, **NOT_FOUND, **INVALID}


class SourceIn(ApiInput):
    url: str = Field(max_length=2000, examples=["https://wire.example.org/world.rss"])
    kind: Literal["feed", "article", "liveblog"] = Field(
        default="feed",
        description="A feed (RSS, Atom, JSON Feed), an article page, or "
        "another site's live blog page.",
    )
    interval_seconds: int | None = Field(
        default=None, ge=60, le=7 * 86400, description="Polling interval; default 300."
    )
    blog: str | None = Field(
        default=None,
        max_length=80,
        description="Slug of the live blog whose inbox shows this source's items.",
        examples=["storm-live"],
    )


SOURCE_IN = {
    "feed": {
        "summary": "A wire feed for a live blog's inbox",
        "value": {"url": "https://wire.example.org/world.rss", "blog": "storm-live"},
    }
}


@router.post(
    "/sources",
    status_code=201,
    summary="Follow a source",
    responses={
        **ok("The new source; it is fetched within seconds.", SOURCE_EXAMPLE, 201),
        **MALFORMED,
        **UNAUTHORIZED,
        **CONFLICT,
        **INVALID,
    },
    name="api.add_source",
)
async def add_source(
    request: Request, body: Annotated[SourceIn, Body(openapi_examples=SOURCE_IN)], user: Editor
) -> dict[str, Any]:
    """422 for an address that is not a public http(s) URL or a blog that does not exist;
    409 when the source (by canonical URL) is already followed."""
    draft = SourceDraft(body.url, body.kind, body.interval_seconds, body.blog or "")
    state = services(request)
    return source_json(await service.add_source(state.db, state.settings, draft, user))


@router.get(
    "/sources",
    summary="List sources with their state",
    responses={**ok("In the order they were added.", {"items": [SOURCE_EXAMPLE]}), **READ},
    name="api.list_sources",
)
async def list_sources(request: Request, user: Reader) -> dict[str, Any]:
    found = await service.list_sources(services(request).db, user)
    return {"items": [source_json(source) for source in found]}


@router.get(
    "/sources/{source_id}",
    summary="Read a source and its state",
    responses={
        **ok("Last fetch, last success, next fetch, failures, last error.", SOURCE_EXAMPLE),
        **READ,
    },
    name="api.get_source",
)
async def get_source(request: Request, source_id: RowId, user: Reader) -> dict[str, Any]:
    return source_json(await service.get_source(services(request).db, user, source_id))


@router.delete(
    "/sources/{source_id}",
    status_code=204,
    summary="Stop following a source",
    responses={204: {"description": "Deleted, with its items."}, **READ},
    name="api.delete_source",
)
async def delete_source(request: Request, source_id: RowId, user: Editor) -> Response:
    await service.delete_source(services(request).db, source_id, user)
    return Response(status_code=204)


@router.get(
    "/sources/{source_id}/items",
    summary="List a source's items",
    responses={
        **ok(
            "Newest first.",
            {"items": [ITEM_EXAMPLE], "next": "/api/v1/sources/3/items?limit=20&before=812"},
        ),
        **READ,
    },
    name="api.list_items",
)
async def list_items(
    request: Request,
    source_id: RowId,
    user: Reader,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Cursor: an item id.")] = None,
) -> dict[str, Any]:
    """Newest first (by publication time, never later than first seen); `next` is the URL of
    the following (older) page, null at the end."""
    db = services(request).db
    found = await service.source_items(db, user, source_id, limit, before)
    more = None
    if len(found) == limit:
        path = path_for(request, "api.list_items", source_id=source_id)
        more = f"{path}?limit={limit}&before={found[-1].id}"
    return {"items": [item_json(item) for item in found], "next": more}
