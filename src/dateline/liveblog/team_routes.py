"""A blog's newsroom pages: the drafts queue and its review, the team, and the audit log.

Who may see and do what is decided by the services (accounts/permissions.py); these handlers
only parse, call one service, and render or redirect.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from dateline.accounts.auth import require_editor
from dateline.accounts.service import User
from dateline.errors import Conflict, Invalid, NotFound
from dateline.liveblog import drafts, forms, team
from dateline.liveblog.models import UpdateDraft
from dateline.web import RowId, form_errors, form_status, posted_form, redirect, render

router = APIRouter(prefix="/admin/live/{slug}")


@router.get("/drafts")
async def drafts_page(
    request: Request, slug: str, user: User = Depends(require_editor)
) -> Response:
    blog, found = await drafts.list_drafts(request.app.state.db, slug, user)
    context = {"user": user, "blog": blog, "drafts": found}
    return render(request, "admin/drafts.html", context)


@router.get("/drafts/{draft_id}")
async def review_page(
    request: Request, slug: str, draft_id: RowId, user: User = Depends(require_editor)
) -> Response:
    return await _review(request, user, slug, draft_id, None, {})


@router.post("/drafts/{draft_id}/publish")
async def publish_draft(
    request: Request, slug: str, draft_id: RowId, user: User = Depends(require_editor)
) -> Response:
    form, errors = await posted_form(request)
    content = forms.update_draft(form)
    if not errors:
        try:
            done = await drafts.publish_draft(request.app.state.db, slug, draft_id, content, user)
            return redirect(
                request, f"/admin/live/{slug}#update-{done.id}", flash="draft-published"
            )
        except (Invalid, Conflict) as exc:
            errors = form_errors(exc)
    return await _review(request, user, slug, draft_id, content, errors)


@router.post("/drafts/{draft_id}/reject")
async def reject_draft(
    request: Request, slug: str, draft_id: RowId, user: User = Depends(require_editor)
) -> Response:
    form, errors = await posted_form(request)
    note = forms.text(form, "review_note")
    if not errors:
        try:
            await drafts.reject_draft(request.app.state.db, slug, draft_id, note, user)
            return redirect(request, f"/admin/live/{slug}/drafts", flash="draft-rejected")
        except (Invalid, Conflict) as exc:
            errors = form_errors(exc)
    return await _review(request, user, slug, draft_id, None, errors, note=note)


async def _review(
    request: Request,
    user: User,
    slug: str,
    draft_id: RowId,
    content: UpdateDraft | None,
    errors: dict[str, str],
    *,
    note: str = "",
) -> Response:
    """The review form: with `content` None, the draft as its author sent it."""
    blog, draft = await drafts.get_draft(request.app.state.db, slug, draft_id, user)
    context: dict[str, Any] = {
        "user": user,
        "blog": blog,
        "item": draft,
        "draft": content or draft.content,
        "errors": errors,
        "note": note,
        "preview": None,
    }
    return render(request, "admin/draft.html", context, status=form_status(errors))


@router.get("/team")
async def team_page(request: Request, slug: str, user: User = Depends(require_editor)) -> Response:
    return await _team(request, slug, user, "", {})


@router.post("/team")
async def add_member(request: Request, slug: str, user: User = Depends(require_editor)) -> Response:
    form, errors = await posted_form(request)
    email = forms.text(form, "email")
    if not errors:
        try:
            await team.add_member(request.app.state.db, slug, email, user)
            return redirect(request, f"/admin/live/{slug}/team", flash="member-added")
        except Invalid as exc:
            errors = exc.errors
    return await _team(request, slug, user, email, errors)


@router.post("/team/{user_id}/remove")
async def remove_member(
    request: Request, slug: str, user_id: RowId, user: User = Depends(require_editor)
) -> Response:
    _, errors = await posted_form(request)
    if not errors:
        try:
            await team.remove_member(request.app.state.db, slug, user_id, user)
            return redirect(request, f"/admin/live/{slug}/team", flash="member-removed")
        except NotFound as exc:
            errors = {"form": exc.message}
    return await _team(request, slug, user, "", errors)


async def _team(
    request: Request, slug: str, user: User, email: str, errors: dict[str, str]
) -> Response:
    blog, found = await team.members(request.app.state.db, slug, user)
    context = {"user": user, "blog": blog, "members": found, "email": email, "errors": errors}
    return render(request, "admin/team.html", context, status=form_status(errors))


@router.get("/audit")
async def audit_page(request: Request, slug: str, user: User = Depends(require_editor)) -> Response:
    blog, lines = await team.audit_log(request.app.state.db, slug, user)
    return render(request, "admin/audit.html", {"user": user, "blog": blog, "lines": lines})
