"""Moderation that changes the stream: answering a reader's comment in an update, and
rejecting or deleting one (which takes its words out of an answer's quote). The pages' forms
and the API call the same use cases (liveblog/answers.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import Field
from starlette.responses import Response

from dateline.accounts.auth import require_api_user, require_editor
from dateline.accounts.service import User
from dateline.comments.models import DELETED, REJECTED
from dateline.comments.moderation import render_queue
from dateline.errors import Conflict, Invalid
from dateline.limits import ApiInput
from dateline.liveblog import answers
from dateline.liveblog import api_schema as doc
from dateline.liveblog.present import update_json
from dateline.numbers import RowId
from dateline.web.api_docs import CHANGE, ok
from dateline.web.forms import form_errors, posted_button, posted_form, text
from dateline.web.responses import redirect_to
from dateline.web.services import services
from dateline.web.templates import path_for

router = APIRouter(prefix="/admin")
api_router = APIRouter(prefix="/api/v1", tags=["comments"])


class AnswerIn(ApiInput):
    answer: str = Field(description="Markdown, shown under the quoted question.")


@router.post("/live/{slug}/comments/{comment_id}/answer", name="admin.answer_comment")
async def answer_comment(
    request: Request, slug: str, comment_id: RowId, user: User = Depends(require_editor)
) -> Response:
    form, errors = await posted_form(request)
    written = text(form, "answer")
    if not errors:
        try:
            update = await answers.answer(
                services(request).db,
                slug,
                comment_id,
                written,
                user,
                link=_link(request, slug, comment_id),
            )
            return redirect_to(
                request,
                "admin.editor_page",
                slug=slug,
                anchor=f"update-{update.id}",
                flash="comment-answered",
            )
        except (Invalid, Conflict) as exc:
            errors = form_errors(exc)
    return await render_queue(request, slug, user, errors, {comment_id: written}, status=422)


@router.post("/live/{slug}/comments/{comment_id}/reject", name="admin.reject_comment")
async def reject_comment(
    request: Request, slug: str, comment_id: RowId, user: User = Depends(require_editor)
) -> Response:
    await posted_button(request)
    await answers.remove(services(request).db, slug, comment_id, REJECTED, user)
    return redirect_to(request, "admin.comments_page", slug=slug, flash="comment-rejected")


@router.post("/live/{slug}/comments/{comment_id}/delete", name="admin.delete_comment")
async def delete_comment(
    request: Request, slug: str, comment_id: RowId, user: User = Depends(require_editor)
) -> Response:
    await posted_button(request)
    await answers.remove(services(request).db, slug, comment_id, DELETED, user)
    return redirect_to(request, "admin.comments_page", slug=slug, flash="comment-deleted")


@api_router.post(
    "/blogs/{slug}/comments/{comment_id}/answer",
    summary="Answer a comment in an update",
    status_code=201,
    responses={**ok("The update that answers it.", doc.UPDATE, 201), **CHANGE},
    name="api.answer_comment",
)
async def answer_by_api(
    request: Request,
    slug: str,
    comment_id: RowId,
    sent: AnswerIn,
    user: User = Depends(require_api_user),
) -> dict[str, Any]:
    """Publishes an update quoting the comment, then the answer; the comment is approved."""
    link = _link(request, slug, comment_id)
    update = await answers.answer(
        services(request).db, slug, comment_id, sent.answer, user, link=link
    )
    return update_json(update, services(request).settings.base_url)


@api_router.post(
    "/blogs/{slug}/comments/{comment_id}/reject",
    summary="Reject a comment: its text is gone",
    status_code=204,
    responses=CHANGE,
    name="api.reject_comment",
)
async def reject_by_api(
    request: Request, slug: str, comment_id: RowId, user: User = Depends(require_api_user)
) -> Response:
    await answers.remove(services(request).db, slug, comment_id, REJECTED, user)
    return Response(status_code=204)


@api_router.delete(
    "/blogs/{slug}/comments/{comment_id}",
    summary="Delete a comment everywhere",
    status_code=204,
    responses=CHANGE,
    name="api.delete_comment",
)
async def delete_by_api(
    request: Request, slug: str, comment_id: RowId, user: User = Depends(require_api_user)
) -> Response:
    await answers.remove(services(request).db, slug, comment_id, DELETED, user)
    return Response(status_code=204)


def _link(request: Request, slug: str, comment_id: int) -> str:
    """The comment's public address, which the answer's quote links to."""
    return path_for(request, "reader.comment", slug=slug, comment_id=comment_id)
