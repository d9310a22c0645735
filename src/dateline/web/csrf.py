"""CSRF tokens: a random per-browser cookie, and in each form that value signed with a timestamp.

A form post is accepted only when the signed field matches the browser's own cookie, so a page on
another site can neither read nor forge it. Logging in or out replaces the cookie, which makes
every older form stale on purpose.
"""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request

COOKIE = "dl_csrf"
FIELD = "csrf_token"
MAX_AGE = 12 * 3600


class Csrf:
    def __init__(self, secret: str) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt="dateline-csrf")

    def token(self, request: Request) -> str:
        return self._signer.dumps(seed(request))

    def valid(self, request: Request, submitted: object) -> bool:
        cookie = request.cookies.get(COOKIE)
        if not cookie or not isinstance(submitted, str):
            return False
        try:
            signed = self._signer.loads(submitted, max_age=MAX_AGE)
        except BadSignature:
            return False
        return isinstance(signed, str) and secrets.compare_digest(signed, cookie)


def seed(request: Request) -> str:
    """The browser's CSRF cookie value; a new one (set on the response) when it has none."""
    value = getattr(request.state, "new_csrf_seed", None) or request.cookies.get(COOKIE)
    if value is None:
        value = request.state.new_csrf_seed = secrets.token_urlsafe(24)
    return str(value)


def renew(request: Request) -> None:
    """Give the browser a new seed (on login and logout)."""
    request.state.new_csrf_seed = secrets.token_urlsafe(24)
