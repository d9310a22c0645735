"""A blog's newsroom pages: the drafts queue and its review, the team, and the audit log.

Who may see and do what is decided by the services (accounts/permissions.py); these handlers
only parse, call one service, and render or redirect.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from dateline.accounts.auth import require_editor
from dateline.accounts.permissions import Action
from dateline.accounts.service import User
from dateline.errors import Conflict, Invalid, NotFound
from dateline.liveblog import audit, drafts, forms, queries, team
from dateline.liveblog.models import UpdateDraft
from dateline.numbers import RowId
from dateline.web.forms import form_errors, form_status, posted_form, text
from dateline.web.responses import redirect, redirect_to, render
from dateline.web.services import services
from dateline.web.templates import path_for

router = APIRouter(prefix="/admin/live/{slug}")


@router.get("/updates/{update_id}", name="admin.update_in_editor")
async def update_in_editor(
    request: Request, slug: str, update_id: RowId, user: User = Depends(require_editor)
) -> Response:
    """An update on the editor's page that holds it now: "#update-N" on the first page
    misses it once newer updates pushed it to page 2. For the blog's team only."""
    settings = services(request).settings
    async with services(request).db.read() as conn:
        blog = await team.authorized_blog(conn, slug, user, Action.WRITE_DRAFT)
        update = await queries.update_by_id(conn, blog.id, update_id)
        page = await queries.page_of(conn, update, settings.page_size)
    path = path_for(request, "admin.editor_page", slug=slug)
    return redirect(request, f"{path}{f'?page={page}' if page > 1 else ''}#update-{update_id}")


@router.get("/drafts", name="admin.drafts_page")
async def drafts_page(
    request: Request, slug: str, user: User = Depends(require_editor)
) -> Response:
    blog, found = await drafts.list_drafts(services(request).db, slug, user)
    context = {"user": user, "blog": blog, "drafts": found}
    return render(request, "admin/drafts.html", context)


@router.get("/drafts/{draft_id}", name="admin.review_page")
async def review_page(
    request: Request, slug: str, draft_id: RowId, user: User = Depends(require_editor)
) -> Response:
    return await _review(request, user, slug, draft_id, None, {})


@router.post("/drafts/{draft_id}/publish", name="admin.publish_draft")
async def publish_draft(
    request: Request, slug: str, draft_id: RowId, user: User = Depends(require_editor)
) -> Response:
    form, errors = await posted_form(request)
    content = forms.update_draft(form)
    if not errors and not (errors := forms.missing_alt_text(content, form)):
        try:
            done = await drafts.publish_draft(services(request).db, slug, draft_id, content, user)
            return redirect_to(
                request,
                "admin.editor_page",
                slug=slug,
                anchor=f"update-{done.id}",
                flash="draft-published",
            )
        except (Invalid, Conflict) as exc:
            errors = form_errors(exc)
    no_alt_ok = bool(text(form, forms.NO_ALT_OK))
    return await _review(request, user, slug, draft_id, content, errors, no_alt_ok=no_alt_ok)


@router.post("/drafts/{draft_id}/reject", name="admin.reject_draft")
async def reject_draft(
    request: Request, slug: str, draft_id: RowId, user: User = Depends(require_editor)
) -> Response:
    form, errors = await posted_form(request)
    note = text(form, "review_note")
    if not errors:
        try:
            await drafts.reject_draft(services(request).db, slug, draft_id, note, user)
            return redirect_to(request, "admin.drafts_page", slug=slug, flash="draft-rejected")
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
    no_alt_ok: bool = False,
) -> Response:
    """The review form: with `content` None, the draft as its author sent it."""
    blog, draft = await drafts.get_draft(services(request).db, slug, draft_id, user)
    context: dict[str, Any] = {
        "user": user,
        "blog": blog,
        "item": draft,
        "draft": content or draft.content,
        "errors": errors,
        "note": note,
        "preview": None,
        "no_alt_ok": no_alt_ok,
    }
    return render(request, "admin/draft.html", context, status=form_status(errors))


@router.get("/team", name="admin.team_page")
async def team_page(request: Request, slug: str, user: User = Depends(require_editor)) -> Response:
    return await _team(request, slug, user, "", {})


@router.post("/team", name="admin.add_member")
async def add_member(request: Request, slug: str, user: User = Depends(require_editor)) -> Response:
    form, errors = await posted_form(request)
    email = text(form, "email")
    if not errors:
        try:
            await team.add_member(services(request).db, slug, email, user)
            return redirect_to(request, "admin.team_page", slug=slug, flash="member-added")
        except Invalid as exc:
            errors = exc.errors
    return await _team(request, slug, user, email, errors)


@router.post("/team/{user_id}/remove", name="admin.remove_member")
async def remove_member(
    request: Request, slug: str, user_id: RowId, user: User = Depends(require_editor)
) -> Response:
    _, errors = await posted_form(request)
    if not errors:
        try:
            await team.remove_member(services(request).db, slug, user_id, user)
            return redirect_to(request, "admin.team_page", slug=slug, flash="member-removed")
        except NotFound as exc:
            errors = {"form": exc.message}
    return await _team(request, slug, user, "", errors)


async def _team(
    request: Request, slug: str, user: User, email: str, errors: dict[str, str]
) -> Response:
    blog, found = await team.members(services(request).db, slug, user)
    context = {"user": user, "blog": blog, "members": found, "email": email, "errors": errors}
    return render(request, "admin/team.html", context, status=form_status(errors))


@router.get("/audit", name="admin.audit_page")
async def audit_page(request: Request, slug: str, user: User = Depends(require_editor)) -> Response:
    blog, lines = await audit.audit_log(services(request).db, slug, user)

    def href(kind: audit.Kind, row_id: int) -> str:
        """An update or approved comment opens where readers see it; a draft, its review
        page; a comment waiting for moderation, the queue (it has no page of its own)."""
        if kind == "update":
            return path_for(request, "reader.permalink", slug=slug, update_id=row_id)
        if kind == "comment":
            return path_for(request, "reader.comment", slug=slug, comment_id=row_id)
        if kind == "queue":
            return path_for(request, "admin.comments_page", slug=slug)
        return path_for(request, "admin.review_page", slug=slug, draft_id=row_id)

    said = [(line, audit.sentence(line, href)) for line in lines]
    return render(request, "admin/audit.html", {"user": user, "blog": blog, "lines": said})
