"""The web layer's own route: fingerprinted static files."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from dateline.errors import NotFound
from dateline.web.services import ServicesDep

router = APIRouter()


@router.get("/static/{name}", name="web.static")
async def static_file(found: ServicesDep, name: str, v: str = "") -> Response:
    """Fingerprinted URLs are cached for a year; the fingerprint changes with the content."""
    file = found.static.get(name)
    if file is None:
        raise NotFound("No such file.")
    cache = "public, max-age=31536000, immutable" if v == file.version else "no-cache"
    return Response(file.body, media_type=file.media_type, headers={"Cache-Control": cache})
