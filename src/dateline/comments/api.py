"""Comments in the JSON API: readers send one (no token: the same checks as the form), the
blog's team lists and approves them. Rejecting, deleting and answering are in
liveblog/answer_routes.py, since they change the stream."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field
from starlette.responses import JSONResponse

from dateline import i18n
from dateline.accounts.auth import require_api_reader, require_api_user
from dateline.accounts.service import User
from dateline.comments import pages, queries, service
from dateline.comments.models import LIMITS, Comment, CommentDraft
from dateline.i18n import gettext as _
from dateline.limits import ApiInput
from dateline.numbers import RowId
from dateline.web.api_docs import CHANGE, FORBIDDEN, MALFORMED, READ, UNAUTHORIZED, ok, problem
from dateline.web.services import services

router = APIRouter(prefix="/api/v1", tags=["comments"])
Editor = Annotated[User, Depends(require_api_user)]
Reader = Annotated[User, Depends(require_api_reader)]
EXAMPLE = {
    "id": 7,
    "name": "Anna",
    "body": "Is the footbridge open?",
    "status": "approved",
    "reports": 0,
    "created_at": "2026-11-29T14:05:12+00:00",
    "answer_update_id": None,
}
SENT = {"status": "pending", "message": "Thanks — an editor will read it."}
TOO_MANY = problem(
    429,
    "This address sent its hour's share (`DATELINE_COMMENTS_PER_HOUR`).",
    too_many={
        "error": "toomanycomments",
        "detail": "You have sent a lot in the last hour; please try again later.",
    },
)


class CommentIn(ApiInput):
    body: str = Field(max_length=LIMITS["body"] * 4, examples=["Are the schools closed?"])
    name: str = Field(default="", max_length=LIMITS["name"] * 4, examples=["Anna"])
    website: str = Field(default="", description="Leave empty (a trap for robots).")


def comment_json(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "name": comment.name,
        "body": comment.body,
        "status": comment.status,
        "reports": comment.reports,
        "created_at": comment.created_at.isoformat(),
        "answer_update_id": comment.answer_update_id,
    }


@router.post(
    "/blogs/{slug}/comments",
    summary="Send a reader's comment (no token)",
    status_code=202,
    responses={**ok("Queued for the blog's team.", SENT, 202), **MALFORMED, **READ, **TOO_MANY},
    name="api.send_comment",
)
async def send_comment(request: Request, slug: str, sent: CommentIn) -> JSONResponse:
    """The reader's form as JSON, with the same limits (rate, links, words, duplicates). A
    JSON body cannot be posted from another site without the CORS preflight this API never
    grants, so it needs no CSRF token. Answers are worded in the blog's language."""
    async with services(request).db.read() as conn:
        i18n.use((await queries.commented_blog(conn, slug)).language)
    draft = CommentDraft(sent.body, sent.name, sent.website)
    db, rules = services(request).db, pages.rules(request)
    await service.submit(db, slug, draft, pages.address(request), rules)
    return JSONResponse(
        {"status": "pending", "message": _("Thanks — an editor will read it.")}, 202
    )


@router.get(
    "/blogs/{slug}/comments",
    summary="List comments (the blog's team)",
    responses={**ok("The comments.", {"comments": [EXAMPLE]}), **UNAUTHORIZED, **FORBIDDEN, **READ},
    name="api.list_comments",
)
async def list_comments(
    request: Request,
    slug: str,
    user: Reader,
    status: Annotated[Literal["queue", "approved"], Query()] = "queue",
) -> dict[str, Any]:
    """`queue`: new and reported comments, oldest first; `approved`: shown ones, newest first."""
    db = services(request).db
    if status == "approved":
        found = await service.shown_to_readers(db, slug, user)
    else:
        _blog, found = await service.moderation_queue(db, slug, user)
    return {"comments": [comment_json(comment) for comment in found]}


@router.post(
    "/blogs/{slug}/comments/{comment_id}/approve",
    summary="Approve a comment: readers see it",
    responses={**ok("The comment, approved.", EXAMPLE), **CHANGE},
    name="api.approve_comment",
)
async def approve_comment(
    request: Request, slug: str, comment_id: RowId, user: Editor
) -> dict[str, Any]:
    return comment_json(await service.approve(services(request).db, slug, comment_id, user))
