"""Who is asking: the logged-in editor (session cookie) or the API caller (bearer token)."""

from __future__ import annotations

from starlette.requests import Request

from dateline.accounts import service
from dateline.accounts.service import User
from dateline.errors import DatelineError

SESSION_COOKIE = "dl_session"


class LoginRequired(Exception):
    """Raised by editor pages for anonymous visitors; the app answers with a login redirect."""


class Unauthorized(DatelineError):
    status = 401


async def current_user(request: Request) -> User | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    return await service.user_for_session(request.app.state.db, token)


async def require_editor(request: Request) -> User:
    """Dependency of every editor page."""
    user = await current_user(request)
    if user is None:
        raise LoginRequired
    return user


async def require_api_user(request: Request) -> User:
    """Dependency of every API call that changes something."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send an API token as 'Authorization: Bearer <token>'.")
    user = await service.user_for_api_token(request.app.state.db, token.strip())
    if user is None:
        raise Unauthorized("That API token is unknown or revoked.")
    return user
