"""What every HTML route shares: templates, static files, cookies, flash messages, redirects."""

from __future__ import annotations

import hashlib
import mimetypes
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from dateline import timefmt
from dateline.accounts import csrf
from dateline.config import Settings
from dateline.errors import DatelineError, Invalid, NotFound
from dateline.numbers import MAX_ID as MAX_ID  # ids in URLs: bounded in one place
from dateline.numbers import RowId as RowId
from dateline.web import i18n

PACKAGE = Path(__file__).parent.parent  # the dateline package: its templates and static

FLASH_COOKIE = "dl_flash"
# Flash messages are codes, not text, so nobody can make the site say words of their choosing.
FLASHES = {
    "published": "Update published.",
    "edited": "Update saved.",
    "deleted": "Update deleted.",
    "key-on": "Marked as a key event.",
    "key-off": "No longer a key event.",
    "pin-on": "Update pinned to the top.",
    "pin-off": "Update unpinned.",
    "recap": "Recap saved.",
    "ended": "Coverage ended. The blog is kept as it is.",
    "created": "Live blog created. Post the first update.",
    "logged-out": "You are logged out.",
    "draft-submitted": "Draft sent to the blog's editors. It is not public until they publish it.",
    "draft-published": "Draft published.",
    "draft-rejected": "Draft sent back to its author with your note.",
    "member-added": "Added to this live blog's team.",
    "member-removed": "Removed from this live blog's team.",
    "password-changed": "Password changed. Your other sessions are signed out.",
    "password-changed-tokens-revoked": (
        "Password changed. Your other sessions are signed out and your API tokens revoked."
    ),
    "session-revoked": "That session is signed out.",
    "token-revoked": "API token revoked.",
    "user-deactivated": "Account deactivated: signed out everywhere, API tokens revoked.",
    "user-reactivated": "Account reactivated.",
    "role-changed": "Role changed.",
    "invite-revoked": "Invitation withdrawn: its link no longer works.",
    "welcome": "Welcome to the newsroom. Your account is ready.",
}


class RenderCache:
    """Rendered public pages by version tag, each kept for `ttl` seconds.

    The tag carries the blog's sequence number, so a hit never shows stale content; the time
    limit only bounds how old the relative ages on it ("5 minutes ago") can get. A busy live
    blog is read far more often than it changes: most readers get a copy, not a render.
    """

    def __init__(self, ttl: float = 30.0, size: int = 512) -> None:
        self.ttl = ttl
        self.size = size
        self._pages: OrderedDict[str, tuple[float, bytes]] = OrderedDict()

    def get(self, tag: str) -> bytes | None:
        found = self._pages.get(tag)
        if found is None or time.monotonic() - found[0] > self.ttl:
            return None
        self._pages.move_to_end(tag)
        return found[1]

    def put(self, tag: str, body: bytes) -> None:
        self._pages[tag] = (time.monotonic(), body)
        self._pages.move_to_end(tag)
        while len(self._pages) > self.size:
            self._pages.popitem(last=False)


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    media_type: str
    version: str


def load_static() -> dict[str, StaticFile]:
    """Static files are few and small: read once, fingerprinted by content hash."""
    files = {}
    for path in sorted((PACKAGE / "static").iterdir()):
        body = path.read_bytes()
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        files[path.name] = StaticFile(body, media_type, hashlib.sha256(body).hexdigest()[:10])
    return files


def make_templates(settings: Settings, static: dict[str, StaticFile]) -> Environment:
    folders = [PACKAGE / "templates", *sorted(PACKAGE.glob("*/templates"))]
    env = Environment(
        loader=FileSystemLoader([str(folder) for folder in folders]),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        site_name=settings.site_name,
        static_url=lambda name: f"/static/{name}?v={static[name].version}",
        clock=timefmt.clock,
        full_time=timefmt.full,
        relative=timefmt.relative,
        image_src=lambda image: image.src,
        image_srcset=lambda image: image.srcset,
    )
    env.filters["iso"] = lambda moment: moment.astimezone(UTC).isoformat()
    i18n.install(env)
    return env


def render(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    app = request.app
    flash = FLASHES.get(request.cookies.get(FLASH_COOKIE, ""))
    html = app.state.templates.get_template(template).render(
        request=request,
        now=datetime.now(UTC),
        csrf_token=lambda: app.state.csrf.token(request),
        csrf_field=csrf.FIELD,
        flash=flash,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/")
    keep_csrf_cookie(request, response)
    return response


STALE_FORM = "This form had expired, so nothing was saved. Your text is kept: submit it again."


async def posted_form(request: Request) -> tuple[FormData, dict[str, str]]:
    """The posted form, and an error for the whole form when its CSRF token is stale."""
    form = await request.form()
    valid = request.app.state.csrf.valid(request, form.get(csrf.FIELD))
    return form, {} if valid else {"form": STALE_FORM}


class StaleForm(DatelineError):
    """A button's form (no text to keep) posted with a stale CSRF token: refused, 403."""

    status = 403


def form_errors(exc: DatelineError) -> dict[str, str]:
    """A service's refusal as form errors: per field when it says, else for the whole form."""
    return exc.errors if isinstance(exc, Invalid) else {"form": exc.message}


def form_status(errors: dict[str, str]) -> int:
    """200 for a clean form, 403 for a stale one, 422 for one with mistakes in it."""
    if not errors:
        return 200
    return 403 if errors.get("form") == STALE_FORM else 422


def redirect(request: Request, url: str, flash: str | None = None) -> RedirectResponse:
    """POST/redirect/GET: 303 so a reload never posts twice."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        set_cookie(request, response, FLASH_COOKIE, flash, max_age=60)
    keep_csrf_cookie(request, response)
    return response


def keep_csrf_cookie(request: Request, response: Response) -> None:
    new_seed = getattr(request.state, "new_csrf_seed", None)
    if new_seed:
        set_cookie(request, response, csrf.COOKIE, new_seed, max_age=csrf.MAX_AGE)


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None
) -> None:
    settings: Settings = request.app.state.settings
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure or request.url.scheme == "https",
    )


router = APIRouter()


@router.get("/static/{name}")
async def static_file(request: Request, name: str, v: str = "") -> Response:
    """Fingerprinted URLs are cached for a year; the fingerprint changes with the content."""
    found = request.app.state.static.get(name)
    if found is None:
        raise NotFound("No such file.")
    cache = "public, max-age=31536000, immutable" if v == found.version else "no-cache"
    return Response(found.body, media_type=found.media_type, headers={"Cache-Control": cache})
