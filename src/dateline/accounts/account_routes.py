"""Account pages: your password, sessions and API tokens; and, for admins, everyone's accounts.

Handlers: check CSRF → call one service → redirect, or re-render with the input and a message.
A new API token or invitation link is shown once, in the answer to the POST that made it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from dateline.accounts import devices, invites, service, throttle, tokens
from dateline.accounts.auth import SESSION_COOKIE, require_editor
from dateline.accounts.service import ROLES, User
from dateline.errors import Conflict, Invalid, NotFound
from dateline.i18n import gettext as _
from dateline.numbers import RowId
from dateline.web.forms import form_errors, form_status, posted_form, text
from dateline.web.responses import redirect_to, render
from dateline.web.services import services

router = APIRouter(prefix="/admin")


# Your account ---------------------------------------------------------------------------


@router.get("/account", name="admin.account_page")
async def account_page(request: Request, user: User = Depends(require_editor)) -> Response:
    return await _account(request, user, {})


@router.post("/account/name", name="admin.rename")
async def rename(request: Request, user: User = Depends(require_editor)) -> Response:
    form, errors = await posted_form(request)
    name = text(form, "display_name")
    if not errors:
        try:
            await service.rename(services(request).db, user, name)
            return redirect_to(request, "admin.account_page", flash="renamed")
        except Invalid as exc:
            errors = exc.errors
    return await _account(request, user, errors, display_name=name)


@router.post("/account/password", name="admin.change_password")
async def change_password(request: Request, user: User = Depends(require_editor)) -> Response:
    """Unticking "also revoke API tokens" (ticked by default) keeps them: see
    `service.change_password` for why both are offered."""
    form, errors = await posted_form(request)
    new = text(form, "new_password")
    revoke_tokens = text(form, "revoke_tokens") == "1"
    if not errors and new != text(form, "new_password_again"):
        errors = {"new_password_again": _("The two new passwords differ.")}
    if not errors:
        try:
            current, token = text(form, "current_password"), _session(request)
            device = devices.recognised(request, user.email)
            policy: throttle.Policy = services(request).login_policy
            await service.change_password(
                services(request).db,
                user,
                current,
                new,
                token,
                device,
                policy,
                revoke_tokens=revoke_tokens,
            )
            flash = "password-changed-tokens-revoked" if revoke_tokens else "password-changed"
            return redirect_to(request, "admin.account_page", flash=flash)
        except (Invalid, throttle.TooManyAttempts) as exc:
            errors = form_errors(exc)
    return await _account(request, user, errors, revoke_tokens=revoke_tokens)


@router.post("/account/sessions/revoke", name="admin.revoke_session")
async def revoke_session(request: Request, user: User = Depends(require_editor)) -> Response:
    form, errors = await posted_form(request)
    if not errors:
        try:
            await service.revoke_session(services(request).db, user, text(form, "session"))
            return redirect_to(request, "admin.account_page", flash="session-revoked")
        except NotFound as exc:
            errors = {"form": exc.message}
    return await _account(request, user, errors)


@router.post("/account/tokens", name="admin.create_token")
async def create_token(request: Request, user: User = Depends(require_editor)) -> Response:
    form, errors = await posted_form(request)
    name, scope = text(form, "name"), text(form, "scope")
    if not errors:
        try:
            _, secret = await tokens.create_token(services(request).db, user, name, scope)
            return await _account(request, user, {}, new_token=secret, status=201)
        except Invalid as exc:
            errors = exc.errors
    return await _account(request, user, errors, token_form={"name": name, "scope": scope})


@router.post("/account/tokens/{token_id}/revoke", name="admin.revoke_token")
async def revoke_token(
    request: Request, token_id: RowId, user: User = Depends(require_editor)
) -> Response:
    _, errors = await posted_form(request)
    if not errors:
        try:
            await tokens.revoke_token(services(request).db, user, token_id)
            return redirect_to(request, "admin.account_page", flash="token-revoked")
        except NotFound as exc:
            errors = {"form": exc.message}
    return await _account(request, user, errors)


def _session(request: Request) -> str:
    return request.cookies.get(SESSION_COOKIE, "")


async def _account(
    request: Request,
    user: User,
    errors: dict[str, str],
    *,
    new_token: str = "",
    token_form: dict[str, str] | None = None,
    revoke_tokens: bool = True,
    display_name: str | None = None,
    status: int | None = None,
) -> Response:
    db = services(request).db
    context: dict[str, Any] = {
        "user": user,
        "display_name": user.display_name if display_name is None else display_name,
        "sessions": await service.list_sessions(db, user, _session(request)),
        "tokens": await tokens.list_tokens(db, user),
        "scopes": tokens.SCOPES,
        "new_token": new_token,
        "token_form": token_form or {"name": "", "scope": "read"},
        "revoke_tokens": revoke_tokens,
        "errors": errors,
    }
    return render(request, "account.html", context, status=status or form_status(errors))


# Everyone's accounts (admins) ----------------------------------------------------------


@router.get("/users", name="admin.users_page")
async def users_page(request: Request, user: User = Depends(require_editor)) -> Response:
    return await _users(request, user, {})


@router.post("/users/invite", name="admin.invite_user")
async def invite_user(request: Request, user: User = Depends(require_editor)) -> Response:
    form, errors = await posted_form(request)
    email, role = text(form, "email"), text(form, "role")
    if not errors:
        try:
            _, token = await invites.invite(services(request).db, user, email, role)
            link = f"{services(request).settings.base_url.rstrip('/')}/invite/{token}"
            return await _users(request, user, {}, link=link, invited=email, status=201)
        except Invalid as exc:
            errors = exc.errors
    return await _users(request, user, errors, invite_form={"email": email, "role": role})


@router.post("/users/invites/revoke", name="admin.revoke_invite")
async def revoke_invite(request: Request, user: User = Depends(require_editor)) -> Response:
    form, errors = await posted_form(request)
    if not errors:
        try:
            await invites.revoke(services(request).db, user, text(form, "invite"))
            return redirect_to(request, "admin.users_page", flash="invite-revoked")
        except NotFound as exc:
            errors = form_errors(exc)
    return await _users(request, user, errors)


@router.post("/users/{user_id}/active", name="admin.set_active")
async def set_active(
    request: Request, user_id: RowId, user: User = Depends(require_editor)
) -> Response:
    form, errors = await posted_form(request)
    on = text(form, "on") == "1"
    if not errors:
        try:
            await service.set_active(services(request).db, user, user_id, on)
            flash = "user-reactivated" if on else "user-deactivated"
            return redirect_to(request, "admin.users_page", flash=flash)
        except (Conflict, NotFound) as exc:
            errors = {"form": exc.message}
    return await _users(request, user, errors)


@router.post("/users/{user_id}/role", name="admin.set_role")
async def set_role(
    request: Request, user_id: RowId, user: User = Depends(require_editor)
) -> Response:
    form, errors = await posted_form(request)
    if not errors:
        try:
            await service.set_role(services(request).db, user, user_id, text(form, "role"))
            return redirect_to(request, "admin.users_page", flash="role-changed")
        except (Conflict, Invalid, NotFound) as exc:
            errors = form_errors(exc)
    return await _users(request, user, errors)


async def _users(
    request: Request,
    user: User,
    errors: dict[str, str],
    *,
    link: str = "",
    invited: str = "",
    invite_form: dict[str, str] | None = None,
    status: int | None = None,
) -> Response:
    context: dict[str, Any] = {
        "user": user,
        "users": await service.list_users(services(request).db, user),
        "invites": await invites.pending(services(request).db, user),
        "roles": ROLES,
        "link": link,
        "invited": invited,
        "invite_form": invite_form or {"email": "", "role": "contributor"},
        "errors": errors,
    }
    return render(request, "users.html", context, status=status or form_status(errors))
