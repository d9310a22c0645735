"""Known browsers: a signed cookie, set at each login, saying "this browser has logged into
this account before".

Login throttling (throttle.py) counts the failures of browsers an account does not know
together, so guessing one editor's password from many addresses is slowed down. Alone, that
count would let anyone lock the editor out by failing on purpose. A browser bringing this
cookie is counted on its own instead, so the owner still gets in while strangers wait. The
cookie proves nothing else: it only picks which count an attempt is charged to, and the
password is checked as always. It names the account by a digest of its email (signed, not
secret) and the browser by a random id; it outlives logging out, which is the point.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

from dateline.config import Settings
from dateline.web.cookies import set_cookie
from dateline.web.services import services

COOKIE = "dl_device"
MAX_AGE = 365 * 86400


def _signer(request: Request) -> URLSafeSerializer:
    settings: Settings = services(request).settings
    return URLSafeSerializer(settings.secret_key.get_secret_value(), salt="dateline-device")


def _account(email: str) -> str:
    return hashlib.sha256(f"device:{email.strip().lower()}".encode()).hexdigest()[:32]


def recognised(request: Request, email: str) -> str | None:
    """The browser's id when it has logged into the account with this email before."""
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return None
    try:
        payload = _signer(request).loads(cookie)
    except BadSignature:
        return None
    match payload:
        case [str(account), str(device)] if hmac.compare_digest(account, _account(email)):
            return device
    return None


def remember(request: Request, response: Response, email: str) -> None:
    """After a successful login: from now on this browser is known to that account (keeping
    its id when it was known already)."""
    device = recognised(request, email) or secrets.token_urlsafe(18)
    value = _signer(request).dumps([_account(email), device])
    set_cookie(request, response, COOKIE, value, max_age=MAX_AGE)
