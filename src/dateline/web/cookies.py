"""Every cookie the site sets: HttpOnly, SameSite=Lax, Secure over https or when configured."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from dateline.web.services import services


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None
) -> None:
    settings = services(request).settings
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure or request.url.scheme == "https",
    )
