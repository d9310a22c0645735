"""Forms on pages cached for every visitor, whose HTML cannot hold a per-browser CSRF token.

A reader's comment form sits on the live page, which one render serves to all readers (and
shared caches may keep). Such a form's post is accepted when the browser itself says it came
from this site: `Sec-Fetch-Site: same-origin`, or, from browsers older than that header, an
`Origin` equal to this site's. A page on another site can set neither. A post that shows
neither (a very old browser, a privacy proxy) gets the form back with a token and the text
kept, like any stale form (`web/forms.py`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request

from dateline.web.forms import posted_form
from dateline.web.services import services


def from_this_site(request: Request) -> bool:
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return False
    configured = urlsplit(services(request).settings.base_url)
    ours = {
        f"{request.url.scheme}://{request.url.netloc}",
        f"{configured.scheme}://{configured.netloc}",
    }
    return origin.rstrip("/") in ours


async def posted_public_form(request: Request) -> tuple[FormData, dict[str, str]]:
    """`posted_form` for a form on a shared page: a valid token or a same-site post."""
    form, errors = await posted_form(request)
    if errors and from_this_site(request):
        return form, {}
    return form, errors
