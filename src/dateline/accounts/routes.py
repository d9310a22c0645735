"""Log in, log out, and accept an invitation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from dateline.accounts import devices, invites, service, throttle
from dateline.accounts.auth import SESSION_COOKIE
from dateline.errors import Invalid
from dateline.i18n import gettext as _
from dateline.web import csrf
from dateline.web.cookies import set_cookie
from dateline.web.forms import form_status, posted_button, posted_form, text
from dateline.web.language import same_site_path
from dateline.web.responses import redirect, redirect_to, render
from dateline.web.services import services
from dateline.web.templates import path_for

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a login link must not bounce the editor to another site."""
    return same_site_path(target, "/admin")


@router.get("/login", name="admin.show_login")
async def show_login(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"email": "", "next": _safe_next(next), "error": None})


@router.post("/login", name="admin.log_in")
async def log_in(request: Request) -> Response:
    form, stale = await posted_form(request)
    email, password = text(form, "email"), text(form, "password")
    target = _safe_next(text(form, "next"))
    context = {"email": email, "next": target, "error": None}
    if stale:
        context["error"] = _("The form had expired. Please log in again.")
        return render(request, "login.html", context, status=403)
    policy: throttle.Policy = services(request).login_policy
    try:
        device = devices.recognised(request, email)
        user = await service.log_in(
            services(request).db, email, password, _address(request), device, policy
        )
    except throttle.TooManyAttempts as exc:
        context["error"] = exc.message
        response = render(request, "login.html", context, status=429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if user is None:
        context["error"] = _("That email and password do not match an account.")
        return render(request, "login.html", context, status=401)
    return await _signed_in(request, user, target)


async def _signed_in(
    request: Request, user: service.User, target: str, flash: str | None = None
) -> Response:
    """Start a session for the user and send the browser on with its cookie; the browser is
    known to the account from now on (devices.py)."""
    days = services(request).settings.session_days
    agent = request.headers.get("user-agent", "")
    token = await service.start_session(
        services(request).db, user, days, user_agent=agent, ip=_address(request)
    )
    csrf.renew(request)
    response = redirect(request, target, flash=flash)
    set_cookie(request, response, SESSION_COOKIE, token, max_age=days * 86400)
    devices.remember(request, response, user.email)
    return response


def _address(request: Request) -> str:
    """The peer's address. `dateline serve` trusts no proxy headers, so behind a reverse
    proxy this is the proxy's address (one counter for everyone; see docs/security.md)."""
    return request.client.host if request.client else ""


@router.get("/invite/{token}", name="admin.show_invite")
async def show_invite(request: Request, token: str) -> Response:
    invite = await invites.pending_invite(services(request).db, token)
    context = {"invite": invite, "token": token, "name": "", "errors": {}}
    return render(request, "invite.html", context)


@router.post("/invite/{token}", name="admin.accept_invite")
async def accept_invite(request: Request, token: str) -> Response:
    form, errors = await posted_form(request)
    invite = await invites.pending_invite(services(request).db, token)
    name, password = text(form, "display_name"), text(form, "password")
    if not errors and password != text(form, "password_again"):
        errors = {"password_again": _("The two passwords differ; type the same one twice.")}
    if not errors:
        try:
            user = await invites.accept(services(request).db, token, password, name)
            return await _signed_in(
                request, user, path_for(request, "admin.dashboard"), flash="welcome"
            )
        except Invalid as exc:
            errors = exc.errors
    context = {"invite": invite, "token": token, "name": name, "errors": errors}
    return render(request, "invite.html", context, status=form_status(errors))


@router.post("/logout", name="admin.log_out")
async def log_out(request: Request) -> Response:
    await posted_button(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await service.end_session(services(request).db, token)
    csrf.renew(request)
    response = redirect_to(request, "reader.front_page", flash="logged-out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
