"""The team's moderation pages: the queue of a blog's new and reported comments (kept live by
static/moderation.js), approving, and switching comments on or off. Rejecting and answering
change the stream too, so their routes are the live blog's (liveblog/answer_routes.py).

The same live queue sits on the editor's blog page, which belongs to liveblog: `add_to`
registers it there through `web.page_extras` (liveblog may not import this module)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from dateline.accounts.auth import require_editor
from dateline.accounts.service import User
from dateline.comments import queries, service
from dateline.numbers import RowId
from dateline.web.forms import posted_button, text
from dateline.web.page_extras import Addition, PageExtras
from dateline.web.responses import redirect_to, render
from dateline.web.services import services

router = APIRouter(prefix="/admin")
SHOWN = 20  # approved comments listed under the queue, for deleting


@router.get("/live/{slug}/comments", name="admin.comments_page")
async def comments_page(
    request: Request, slug: str, user: User = Depends(require_editor)
) -> Response:
    return await render_queue(request, slug, user, {}, {})


@router.get("/live/{slug}/comments/queue", name="admin.comment_queue")
async def comment_queue(
    request: Request, slug: str, user: User = Depends(require_editor)
) -> Response:
    """The queue alone, for the page's script to swap in when the log says it changed."""
    blog, waiting = await service.moderation_queue(services(request).db, slug, user)
    context = {"blog": blog, "queue": waiting, "answers": {}}
    return render(request, "comments/_queue.html", context)


@router.post("/live/{slug}/comments/{comment_id}/approve", name="admin.approve_comment")
async def approve_comment(
    request: Request, slug: str, comment_id: RowId, user: User = Depends(require_editor)
) -> Response:
    await posted_button(request)
    await service.approve(services(request).db, slug, comment_id, user)
    return redirect_to(request, "admin.comments_page", slug=slug, flash="comment-approved")


@router.post("/live/{slug}/comments/switch", name="admin.switch_comments")
async def switch_comments(
    request: Request, slug: str, user: User = Depends(require_editor)
) -> Response:
    form = await posted_button(request)
    on = text(form, "on") == "1"
    await service.switch(services(request).db, slug, on, user)
    flash = "comments-on" if on else "comments-off"
    return redirect_to(request, "admin.comments_page", slug=slug, flash=flash)


async def render_queue(
    request: Request,
    slug: str,
    user: User,
    errors: dict[str, str],
    answers: dict[int, str],
    status: int = 200,
) -> Response:
    """The moderation page; `answers` are answers typed before a refusal, by comment id."""
    db = services(request).db
    blog, waiting = await service.moderation_queue(db, slug, user)
    async with db.read() as conn:
        shown = await queries.approved(conn, blog.id, SHOWN)
    context = {"user": user, "blog": blog, "queue": waiting, "shown": shown}
    context.update(errors=errors, answers=answers, seq=blog.last_seq)
    return render(request, "comments/queue.html", context, status=status)


def add_to(extras: PageExtras) -> None:
    """The live moderation queue on the editor's blog page."""
    extras.add("admin.editor_page", _editor_page_queue)


async def _editor_page_queue(request: Request, page: Mapping[str, Any]) -> list[Addition]:
    """For those who may publish (who moderate): what waits, live, with its actions."""
    if not page["rights"].publish:
        return []
    slug = page["view"].blog.slug
    blog, waiting = await service.moderation_queue(services(request).db, slug, page["user"])
    values = {"blog": blog, "queue": waiting, "seq": blog.last_seq}
    return [Addition("editor_tools", "comments/_editor_queue.html", values)]
