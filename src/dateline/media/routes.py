"""Serve stored image variants: immutable, and only ever as image/webp."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, Response

from dateline.errors import NotFound
from dateline.media.service import variant_path
from dateline.web.services import services

router = APIRouter()
_NAME = re.compile(r"^([0-9a-f]{64})-(\d{2,4})\.webp$")


@router.get("/media/{name}", name="reader.media_file")
async def media_file(request: Request, name: str) -> Response:
    match = _NAME.match(name)
    path = match and variant_path(
        services(request).settings.media_dir, match.group(1), int(match.group(2))
    )
    if not path or not path.is_file():
        raise NotFound("No such image.")
    return FileResponse(
        path,
        media_type="image/webp",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )
