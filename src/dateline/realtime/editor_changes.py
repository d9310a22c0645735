"""GET /admin/live/{slug}/changes?since=N: the editor's blog page, kept current.

The editor's page follows the blog's public event stream as a reader's does (static/live.js),
but a reader's frames carry no controls. So each event makes the page ask here for the
changes after `since`, as the same payloads rendered the way this editor sees them (the
controls their rights allow, their CSRF token, their language), plus the drafts box, which
the public log never carries (drafts are private to the team). Updates come with what other
features add to them on the editor's page (`web.page_extras`: facts' suggested key event
mark), so an update the facts worker just found news in (`update.facts`) shows its mark. The
page also asks every few seconds, for drafts and decisions that come with no event.
Private: never stored by a cache.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from dateline import i18n
from dateline.accounts.auth import require_editor
from dateline.accounts.permissions import Action, Rights, rights
from dateline.accounts.service import User
from dateline.liveblog import desk, team
from dateline.liveblog.models import Blog
from dateline.numbers import Seq
from dateline.realtime import queries
from dateline.realtime.frames import FrameRenderer
from dateline.web import csrf
from dateline.web.page_extras import Added
from dateline.web.responses import keep_csrf_cookie
from dateline.web.services import services

router = APIRouter()


@router.get("/admin/live/{slug}/changes", name="admin.editor_changes")
async def editor_changes(
    request: Request, slug: str, since: Seq = 0, user: User = Depends(require_editor)
) -> Response:
    """`reset` (reload the page) when `since` is further behind than a reader may replay,
    or ahead of the log; otherwise every event after it, oldest first."""
    state = services(request)
    async with state.db.read() as conn:
        blog = await team.authorized_blog(conn, slug, user, Action.WRITE_DRAFT)
        allowed = await rights(conn, user, blog.id)
        behind = blog.last_seq - since
        reset = behind < 0 or behind > state.settings.sse_replay_limit
        events = [] if reset else await queries.events_after(conn, blog.id, since, behind)
        page = _page(request, allowed)
        if any(event.kind.startswith("update.") for event in events):
            page["added"] = await _added(request, blog, allowed)
        renderer = FrameRenderer(state.templates, page, i18n.current())
        frames = await renderer.frames(conn, blog, events)
        waiting = await desk.desk(conn, blog.id, user, allowed)
    now = datetime.now(UTC)
    box = state.templates.get_template("admin/_desk.html").render(blog=blog, desk=waiting, now=now)
    body = b'{"seq":%d,"reset":%s,"events":[%s],"desk_html":%s}' % (
        blog.last_seq,
        b"true" if reset else b"false",
        b",".join(frame.json for frame in frames),
        json.dumps(box, ensure_ascii=False).encode(),
    )
    headers = {"Cache-Control": "private, no-store"}
    response = Response(body, media_type="application/json", headers=headers)
    keep_csrf_cookie(request, response)  # the controls' forms carry a token from its seed
    return response


async def _added(request: Request, blog: Blog, allowed: Rights) -> Added:
    """What other features add to the updates of the editor's page (a suggested key event
    mark, from facts), so a replaced update keeps them: the page registered as
    "admin.editor_changes" is given the blog and the editor's rights."""
    context = {"blog": blog, "rights": allowed}
    return await services(request).page_extras.for_page("admin.editor_changes", request, context)


def _page(request: Request, allowed: Rights) -> dict[str, object]:
    """What the editor's page renders updates with (see `liveblog.editor._editor_page`)."""
    found = services(request)
    return {
        "editor": True,
        "rights": allowed,
        "csrf_token": lambda: found.csrf.token(request),
        "csrf_field": csrf.FIELD,
    }
