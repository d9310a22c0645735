"""The addresses of stories merged into others keep working: a GET of any route with a
`story_id` in its path (the reader's and the editor's story page, its feeds, its facts, the
API's story and its facts) that answers 404 because that story was merged away answers
instead with a permanent redirect (301) to the same route of the story it went into, in one
hop however many merges followed (`queries.merged_into`). An emptied story, a page past the
last, and every other 404 stay as they were.

Pure ASGI around the routes, so other features' routes under /stories/{id} need not know of
merges; the look-up is one query, made only on a 404 of such a route.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dateline.numbers import small_int
from dateline.stories import queries
from dateline.web.errors import wants_json
from dateline.web.services import services
from dateline.web.templates import path_for

PARAM = "story_id"
# Permanent, but a browser asks again after an hour: a later merge of the story it went to
# is then one hop again, not two.
CACHE_CONTROL = "max-age=3600"


class MergedStories:
    """The middleware: passes every answer through but a story route's 404 to a GET, which
    it holds back until it knows whether the story went into another."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def hold_story_404(message: Message) -> None:
            """Keep back a story route's 404 (the routing has filled in `scope` by then)."""
            starts = message["type"] == "http.response.start"
            if held or (starts and message["status"] == 404 and _story_id(scope) is not None):
                held.append(message)
            else:
                await send(message)

        await self.app(scope, receive, hold_story_404)
        if not held:
            return
        answer = await _redirect(scope)
        if answer is not None:
            await answer(scope, receive, send)
            return
        for message in held:
            await send(message)


def _story_id(scope: Scope) -> int | None:
    """The story id of the named route that answered; None for any other route."""
    raw = scope.get("path_params", {}).get(PARAM)
    if not isinstance(raw, str) or not getattr(scope.get("route"), "name", None):
        return None
    return small_int(raw, 10)


async def _redirect(scope: Scope) -> Response | None:
    """The 301 to the story this one went into; None when it went into none."""
    story_id = _story_id(scope)
    if story_id is None:
        return None
    request = Request(scope)
    async with services(request).db.read() as conn:
        target = await queries.merged_into(conn, story_id)
    if target is None:
        return None
    params = {**scope["path_params"], PARAM: target}
    location = path_for(request, scope["route"].name, **params)
    if scope.get("query_string"):
        location += "?" + scope["query_string"].decode("latin-1")
    headers = {"Location": location, "Cache-Control": CACHE_CONTROL}
    if wants_json(request):
        return JSONResponse({"merged_into": target}, status_code=301, headers=headers)
    return RedirectResponse(location, status_code=301, headers={"Cache-Control": CACHE_CONTROL})
