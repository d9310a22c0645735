"""The search page, /search?q=: complete without JavaScript; a signed-in newsroom's search
also finds drafts and followed items (service.py says whose)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from dateline.accounts.auth import current_user
from dateline.errors import Invalid
from dateline.search import service
from dateline.search.links import hit_url
from dateline.search.query import parse
from dateline.search.service import TYPES, Results, Search
from dateline.web.responses import render
from dateline.web.services import services

router = APIRouter()


@router.get("/search", name="reader.search")
async def search_page(request: Request, q: str = "", type: str = "", cursor: str = "") -> Response:
    user = await current_user(request)
    kinds = (type,) if type in TYPES else ()
    asked = Search(q=q, types=kinds, cursor=cursor or None)
    errors: dict[str, str] = {}
    try:
        found = await service.search(services(request).db, asked, user)
    except Invalid as exc:
        found, errors = Results(parse("")), exc.errors
    context = {
        "q": q,
        "type": kinds[0] if kinds else "",
        "types": TYPES if user else service.PUBLIC,
        "results": found,
        "urls": [hit_url(request, hit) for hit in found.hits],
        "errors": errors,
        "user": user,
    }
    return render(request, "search/search.html", context, 422 if errors else 200)
