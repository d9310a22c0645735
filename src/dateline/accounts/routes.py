"""Log in and log out."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from starlette.responses import Response

from dateline.accounts import csrf, service
from dateline.accounts.auth import SESSION_COOKIE
from dateline.web import redirect, render, set_cookie

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a login link must not bounce the editor to another site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/admin"
    parts = urlsplit(target)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@router.get("/login")
async def show_login(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"email": "", "next": _safe_next(next), "error": None})


@router.post("/login")
async def log_in(request: Request) -> Response:
    form = await request.form()
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")))
    context = {"email": email, "next": target, "error": None}
    if not request.app.state.csrf.valid(request, form.get(csrf.FIELD)):
        context["error"] = "The form had expired. Please log in again."
        return render(request, "login.html", context, status=403)
    user = await service.authenticate(request.app.state.db, email, password)
    if user is None:
        context["error"] = "That email and password do not match an account."
        return render(request, "login.html", context, status=401)
    token = await service.start_session(
        request.app.state.db, user, request.app.state.settings.session_days
    )
    csrf.renew(request)
    response = redirect(request, target)
    days = request.app.state.settings.session_days
    set_cookie(request, response, SESSION_COOKIE, token, max_age=days * 86400)
    return response


@router.post("/logout")
async def log_out(request: Request) -> Response:
    form = await request.form()
    if not request.app.state.csrf.valid(request, form.get(csrf.FIELD)):
        return render(request, "error.html", {"message": "The form had expired."}, status=403)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await service.end_session(request.app.state.db, token)
    csrf.renew(request)
    response = redirect(request, "/", flash="logged-out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
