"""Who is asking: the logged-in editor (session cookie) or the API caller (bearer token)."""

from __future__ import annotations

from starlette.requests import Request

from dateline.accounts import service, tokens
from dateline.accounts.service import User
from dateline.errors import DatelineError, Forbidden
from dateline.web.services import services

SESSION_COOKIE = "dl_session"


class LoginRequired(Exception):
    """Raised by editor pages for anonymous visitors; the app answers with a login redirect."""


class Unauthorized(DatelineError):
    status = 401


async def current_user(request: Request) -> User | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    return await service.user_for_session(services(request).db, token)


async def require_editor(request: Request) -> User:
    """Dependency of every editor page."""
    user = await current_user(request)
    if user is None:
        raise LoginRequired
    return user


async def require_api_reader(request: Request) -> User:
    """Dependency of API calls that need an account but change nothing (any token scope)."""
    return (await _caller(request)).user


async def require_api_user(request: Request) -> User:
    """Dependency of every API call that changes something: needs a "write" token."""
    caller = await _caller(request)
    if not caller.can_write:
        raise Forbidden("This API token is read-only; create a token with the write scope.")
    return caller.user


async def _caller(request: Request) -> tokens.Caller:
    """The bearer token's caller, looked up once a request: kept in the request's state, so
    the idempotency middleware's look-up is the one its route uses."""
    known: tokens.Caller | None = getattr(request.state, "api_caller", None)
    if known is not None:
        return known
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("Send an API token as 'Authorization: Bearer <token>'.")
    caller = await tokens.caller_for_token(services(request).db, secret.strip())
    if caller is None:
        raise Unauthorized("That API token is unknown or revoked.")
    request.state.api_caller = caller
    return caller
