"""JSON API v1: GET /api/v1/search. Public like the reader pages; with a bearer token (any
scope) it also finds followed items and the drafts the token's account may see."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from dateline.accounts.auth import require_api_reader
from dateline.accounts.service import User
from dateline.errors import Invalid
from dateline.i18n import gettext as _
from dateline.numbers import MAX_ID
from dateline.search import service
from dateline.search.links import hit_url
from dateline.search.service import MAX_LIMIT, Hit, Search
from dateline.web.api_docs import problem
from dateline.web.services import services

router = APIRouter(prefix="/api/v1", tags=["search"])
RESULT_EXAMPLE = {
    "type": "update",
    "id": 812,
    "title": "Talks resume in Geneva",
    "snippet": "… both delegations returned to the <mark>talks</mark> on Monday …",
    "url": "/live/ceasefire-talks/updates/812",
    "published_at": "2026-12-07T09:30:00Z",
    "language": "en",
    "score": 4.81,
}
ANSWERS = {
    **problem(
        401,
        "A token was sent, but it is unknown or revoked.",
        unauthorized={"error": "unauthorized", "detail": "That API token is unknown or revoked."},
    ),
    **problem(
        422,
        "A query over 500 characters, an unknown type, a bad date or cursor.",
        long={"error": "invalid", "detail": {"q": "A search may be at most 500 characters long."}},
    ),
}
# Far above any real query (500 characters), far below what would cost anything to refuse.
LONG = 4096


@router.get(
    "/search",
    summary="Search updates, followed items and stories",
    responses={
        200: {
            "description": "Best first: relevance, then recency. Snippets are HTML: the found "
            "words in <mark>, everything else escaped. `next`: the following page's cursor.",
            "content": {
                "application/json": {"example": {"results": [RESULT_EXAMPLE], "next": "bzIw"}}
            },
        },
        **ANSWERS,
    },
    name="api.search",
)
async def search(
    request: Request,
    q: Annotated[
        str,
        Query(
            max_length=LONG,
            description='Words, "phrases", prefix*, -exclusion; anything else is read as '
            "words. Empty: no results.",
        ),
    ] = "",
    type: Annotated[Literal["update", "draft", "item", "story"] | None, Query()] = None,
    blog: Annotated[str | None, Query(max_length=80, description="A blog's slug.")] = None,
    source: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="A followed source's id: its items.")
    ] = None,
    lang: Annotated[
        Literal["en", "de", ""] | None, Query(description="en, de, or '' for others.")
    ] = None,
    category: Annotated[str | None, Query(max_length=60)] = None,
    since: Annotated[datetime | None, Query(description="Published at or after (UTC).")] = None,
    until: Annotated[datetime | None, Query(description="Published before (UTC).")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
) -> dict[str, Any]:
    """Readers find published updates and stories; a token also finds followed items and
    drafts (of the blogs its account works on; a contributor's own). 422 for a query longer
    than 500 characters, an unknown type or a cursor no search gave."""
    user = await _caller(request)
    asked = Search(
        q=q,
        types=(type,) if type else (),
        blog=blog,
        source=source,
        language=lang,
        category=category,
        since=_utc(since),
        until=_utc(until),
        limit=limit,
        cursor=cursor,
    )
    found = await service.search(services(request).db, asked, user)
    return {"results": [_json(request, hit) for hit in found.hits], "next": found.next_cursor}


async def _caller(request: Request) -> User | None:
    """The token's account when a token is sent (a bad token is a 401, not anonymity)."""
    if "authorization" not in request.headers:
        return None
    return await require_api_reader(request)


def _utc(moment: datetime | None) -> datetime | None:
    """In UTC; a time without a zone is taken as UTC."""
    if moment is None:
        return None
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError as exc:  # the year 1 east of Greenwich is before the year 1 in UTC
        raise Invalid({"since": _("This date is out of range.")}) from exc


def _json(request: Request, hit: Hit) -> dict[str, Any]:
    return {
        "type": hit.type,
        "id": hit.id,
        "title": hit.title,
        "snippet": str(hit.snippet),
        "url": hit_url(request, hit),
        "published_at": hit.published_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "language": hit.language,
        "score": hit.score,
    }
