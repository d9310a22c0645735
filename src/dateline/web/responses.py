"""HTML responses every page shares: a rendered template, and the redirect after a POST."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from dateline.web import csrf
from dateline.web import flash as flashes
from dateline.web.cookies import set_cookie
from dateline.web.services import services
from dateline.web.templates import path_for


def render(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    found = services(request)
    shown = flashes.message(request)
    html = found.templates.get_template(template).render(
        request=request,
        now=datetime.now(UTC),
        csrf_token=lambda: found.csrf.token(request),
        csrf_field=csrf.FIELD,
        flash=shown,
        flash_place=flashes.place(request),
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    if shown:
        response.delete_cookie(flashes.FLASH_COOKIE, path="/")
    keep_csrf_cookie(request, response)
    return response


def redirect(request: Request, url: str, flash: str | None = None) -> RedirectResponse:
    """POST/redirect/GET: 303 so a reload never posts twice. `url` is a site path the code
    chose or checked (a login's `next`); a named route goes through `redirect_to`."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        set_cookie(request, response, flashes.FLASH_COOKIE, flash, max_age=60)
    keep_csrf_cookie(request, response)
    return response


def redirect_to(
    request: Request, name: str, /, flash: str | None = None, anchor: str = "", **params: Any
) -> RedirectResponse:
    """A 303 to the route called `name`, e.g. `redirect_to(request, "admin.live", slug=s)`;
    `anchor` names the element to scroll to (`update-12`)."""
    path = path_for(request, name, **params)
    return redirect(request, f"{path}#{anchor}" if anchor else path, flash)


def keep_csrf_cookie(request: Request, response: Response) -> None:
    """Send the browser its new CSRF seed when this request made one (see csrf.seed)."""
    new_seed = getattr(request.state, "new_csrf_seed", None)
    if new_seed:
        set_cookie(request, response, csrf.COOKIE, new_seed, max_age=csrf.MAX_AGE)
