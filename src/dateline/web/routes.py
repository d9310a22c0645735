"""The web layer's own routes: fingerprinted static files, and the icon at /favicon.ico."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from dateline.errors import NotFound
from dateline.web.services import ServicesDep
from dateline.web.templates import path_for

router = APIRouter()


@router.get("/static/{name}", name="web.static")
async def static_file(found: ServicesDep, name: str, v: str = "") -> Response:
    """Fingerprinted URLs are cached for a year; the fingerprint changes with the content."""
    file = found.static.get(name)
    if file is None:
        raise NotFound("No such file.")
    cache = "public, max-age=31536000, immutable" if v == file.version else "no-cache"
    return Response(file.body, media_type=file.media_type, headers={"Cache-Control": cache})


@router.get("/favicon.ico", name="web.favicon", include_in_schema=False)
async def favicon(request: Request) -> Response:
    """Pages link their icon (`favicon.svg`), but feed readers, crawlers and some browsers
    ask for /favicon.ico whatever a page says: they are sent to the same icon, not a 404."""
    icon = path_for(request, "web.static", name="favicon.svg")
    return RedirectResponse(
        icon, status_code=301, headers={"Cache-Control": "public, max-age=86400"}
    )
