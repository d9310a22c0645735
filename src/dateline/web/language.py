"""The language switch ("English · Deutsch" in every footer): a choice that sticks.

`GET /language/{code}?next=/path` stores the choice in the `dl_lang` cookie for a year and
sends the visitor back where they were. `LanguageMiddleware` (i18n.py) reads the cookie
before Accept-Language on every later page. A GET, so it works as a plain link without
JavaScript or a form; it changes nothing but the visitor's own cookie.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from dateline.errors import NotFound
from dateline.i18n import COOKIE, LANGUAGES, gettext
from dateline.web.cookies import set_cookie

YEAR = 365 * 24 * 3600

router = APIRouter()


def same_site_path(target: str | None, default: str) -> str:
    """`target` when it is a path on this site, else `default`: a link must not bounce a
    visitor to another site (`//evil.example`, `/\\evil.example` and `https://…` are refused;
    browsers read a backslash as a slash)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ord(char) < 0x20 or char == "\\" for char in target):
        return default
    parts = urlsplit(target)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@router.get("/language/{code}", name="web.set_language")
async def set_language(request: Request, code: str, next: str = "/") -> Response:
    if code not in LANGUAGES:
        raise NotFound(gettext("This site speaks English and German only."))
    response = RedirectResponse(same_site_path(next, "/"), status_code=303)
    set_cookie(request, response, COOKIE, code, max_age=YEAR)
    return response
