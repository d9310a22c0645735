"""Editor pages: create blogs, post, edit, delete, mark key events, pin, recap, end coverage.

Every handler: check CSRF → call one service → redirect (POST/redirect/GET), or re-render the
same form with the editor's input and a plain message.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from dateline.accounts.auth import require_editor
from dateline.accounts.permissions import Action, authorize, member_blog_ids, rights
from dateline.accounts.service import User
from dateline.errors import Conflict, Forbidden, Invalid
from dateline.i18n import gettext as _
from dateline.liveblog import desk, forms, posting, queries, service
from dateline.liveblog.models import Blog, ImageRef, Stale, UpdateDraft
from dateline.numbers import RowId, small_int
from dateline.timefmt import clock
from dateline.web.forms import form_errors, form_status, posted_button, posted_form, text
from dateline.web.page_extras import Added
from dateline.web.responses import redirect_to, render
from dateline.web.services import services

router = APIRouter(prefix="/admin")


@router.get("", name="admin.dashboard")
async def dashboard(request: Request, user: User = Depends(require_editor)) -> Response:
    """The blogs the user works on, each with the drafts waiting on it (a contributor's:
    their own drafts still waiting for an editor)."""
    async with services(request).db.read() as conn:
        blogs = await queries.list_blogs(conn)
        mine = await member_blog_ids(conn, user)
        if mine is not None:
            blogs = [summary for summary in blogs if summary.blog.id in mine]
        author = user.id if user.role == "contributor" else None
        waiting = await desk.waiting_counts(conn, [s.blog.id for s in blogs], author)
    may_create = user.role in ("admin", "editor")
    context = {"user": user, "blogs": blogs, "may_create": may_create, "waiting": waiting}
    return render(request, "admin/dashboard.html", context)


@router.get("/blogs/new", name="admin.new_blog_form")
async def new_blog_form(request: Request, user: User = Depends(require_editor)) -> Response:
    async with services(request).db.read() as conn:
        await authorize(conn, user, Action.CREATE_BLOG)  # no form for what would be refused
    draft = forms.blog_draft(FormData())
    return render(request, "admin/blog_form.html", {"user": user, "draft": draft, "errors": {}})


@router.post("/blogs/new", name="admin.create_blog")
async def create_blog(request: Request, user: User = Depends(require_editor)) -> Response:
    form, errors = await posted_form(request)
    draft = forms.blog_draft(form)
    if not errors:
        try:
            blog = await service.create_blog(services(request).db, draft, user)
            return redirect_to(request, "admin.editor_page", slug=blog.slug, flash="created")
        except Invalid as exc:
            errors = exc.errors
    context = {"user": user, "draft": draft, "errors": errors}
    return render(request, "admin/blog_form.html", context, status=form_status(errors))


@router.get("/live/{slug}", name="admin.editor_page")
async def editor_page(
    request: Request,
    slug: str,
    page: str = "1",
    filter: str = "",
    user: User = Depends(require_editor),
) -> Response:
    return await _editor_page(
        request,
        slug,
        user,
        UpdateDraft(body=""),
        {},
        page=forms.page_number(page),
        key_events_only=filter == forms.KEY_EVENTS,
    )


@router.post("/live/{slug}/updates", name="admin.post_update")
async def post_update(
    request: Request, slug: str, user: User = Depends(require_editor)
) -> Response:
    form, errors = await posted_form(request)
    blog_id = await _blog_id(request, slug)
    draft, new_image = await posting.draft_with_upload(request, blog_id, user, form, errors)
    html = None
    if not errors:
        posted = await posting.preview_or_submit(request, slug, draft, user, form)
        if posted.redirect is not None:
            return posted.redirect
        html, errors = posted.preview, posted.errors
    return await _editor_page(
        request, slug, user, draft, errors, preview=html, new_image=new_image, form=form
    )


@router.get("/live/{slug}/updates/{update_id}/edit", name="admin.edit_form")
async def edit_form(
    request: Request, slug: str, update_id: RowId, user: User = Depends(require_editor)
) -> Response:
    blog, update = await service.update_to_change(services(request).db, slug, update_id, user)
    context = {"user": user, "blog": blog, "update": update, "draft": forms.draft_of(update)}
    context.update(errors={}, preview=None, version=update.version)
    return render(request, "admin/edit_update.html", context)


@router.post("/live/{slug}/updates/{update_id}/edit", name="admin.save_edit")
async def save_edit(
    request: Request, slug: str, update_id: RowId, user: User = Depends(require_editor)
) -> Response:
    """Saves over the version the form was opened with only: when someone changed the update
    meanwhile, the form comes back with the editor's text and says who and when."""
    db = services(request).db
    blog, update = await service.update_to_change(db, slug, update_id, user)
    form, errors = await posted_form(request)
    draft, new_image = await posting.draft_with_upload(request, blog.id, user, form, errors)
    version = small_int(text(form, "version"), 9)
    html, status = None, None
    if not errors:
        try:
            if text(form, "action") == "preview":
                html = await service.preview(db, slug, draft, user, Action.PUBLISH)
            elif not (errors := forms.missing_alt_text(draft, form)):
                versions = None if version is None else {version}
                await service.edit_update(db, slug, update_id, draft, user, versions=versions)
                return _back_to(request, slug, update_id, "edited")
        except Stale as exc:
            # The form now carries the newer version: saving again replaces it knowingly.
            errors, version, status = {"form": _changed_meanwhile(exc, blog)}, exc.version, 409
        except (Invalid, Conflict) as exc:
            errors = form_errors(exc)
    context = {"user": user, "blog": blog, "update": update, "draft": draft, "errors": errors}
    context.update(preview=html, new_image=new_image, version=version or update.version)
    context.update(no_alt_ok=bool(text(form, forms.NO_ALT_OK)))
    return render(request, "admin/edit_update.html", context, status=status or form_status(errors))


@router.get("/live/{slug}/updates/{update_id}/delete", name="admin.delete_form")
async def delete_form(
    request: Request, slug: str, update_id: RowId, user: User = Depends(require_editor)
) -> Response:
    return await _delete_page(request, slug, update_id, user, "", {})


@router.post("/live/{slug}/updates/{update_id}/delete", name="admin.delete_update")
async def delete_update(
    request: Request, slug: str, update_id: RowId, user: User = Depends(require_editor)
) -> Response:
    form, errors = await posted_form(request)
    note = text(form, "correction_note")
    if not errors:
        try:
            await service.delete_update(services(request).db, slug, update_id, user, note)
            return redirect_to(request, "admin.editor_page", slug=slug, flash="deleted")
        except (Invalid, Conflict) as exc:
            errors = form_errors(exc)
    return await _delete_page(request, slug, update_id, user, note, errors)


@router.post("/live/{slug}/updates/{update_id}/key-event", name="admin.toggle_key_event")
async def toggle_key_event(
    request: Request, slug: str, update_id: RowId, user: User = Depends(require_editor)
) -> Response:
    on = await _switch(request)
    await service.set_key_event(services(request).db, slug, update_id, on, user)
    return _back_to(request, slug, update_id, "key-on" if on else "key-off")


@router.post("/live/{slug}/updates/{update_id}/pin", name="admin.toggle_pin")
async def toggle_pin(
    request: Request, slug: str, update_id: RowId, user: User = Depends(require_editor)
) -> Response:
    on = await _switch(request)
    await service.set_pinned(services(request).db, slug, update_id, on, user)
    return _back_to(request, slug, update_id, "pin-on" if on else "pin-off")


@router.get("/live/{slug}/recap", name="admin.recap_form")
async def recap_form(request: Request, slug: str, user: User = Depends(require_editor)) -> Response:
    blog = await service.blog_to_change(services(request).db, slug, user)
    context: dict[str, Any] = {"user": user, "blog": blog, "errors": {}}
    context["text"] = "\n".join(blog.recap_items)
    context["added"] = await _added(request, "admin.recap_form", context)
    return render(request, "admin/recap.html", context)


@router.post("/live/{slug}/recap", name="admin.save_recap")
async def save_recap(request: Request, slug: str, user: User = Depends(require_editor)) -> Response:
    form, errors = await posted_form(request)
    if not errors:
        try:
            await service.set_recap(services(request).db, slug, forms.recap_items(form), user)
            return redirect_to(request, "admin.editor_page", slug=slug, flash="recap")
        except Invalid as exc:
            errors = exc.errors
    blog = await service.blog_to_change(services(request).db, slug, user)
    context = {"user": user, "blog": blog, "text": text(form, "items"), "errors": errors}
    return render(request, "admin/recap.html", context, status=form_status(errors))


@router.get("/live/{slug}/end", name="admin.end_form")
async def end_form(request: Request, slug: str, user: User = Depends(require_editor)) -> Response:
    blog = await service.blog_to_change(services(request).db, slug, user)
    return render(request, "admin/end.html", {"user": user, "blog": blog, "errors": {}})


@router.post("/live/{slug}/end", name="admin.end_coverage")
async def end_coverage(
    request: Request, slug: str, user: User = Depends(require_editor)
) -> Response:
    _, errors = await posted_form(request)
    if not errors:
        try:
            await service.end_coverage(services(request).db, slug, user)
            return redirect_to(request, "admin.editor_page", slug=slug, flash="ended")
        except Conflict as exc:
            errors = form_errors(exc)
    blog = await service.blog_to_change(services(request).db, slug, user)
    context = {"user": user, "blog": blog, "errors": errors}
    return render(request, "admin/end.html", context, status=form_status(errors))


def _back_to(request: Request, slug: str, update_id: int, flash: str) -> Response:
    """Back to the changed update on the editor's page that holds it (page 2 or later for
    an older one: the first page's "#update-N" would miss it)."""
    return redirect_to(
        request, "admin.update_in_editor", slug=slug, update_id=update_id, flash=flash
    )


async def _switch(request: Request) -> bool:
    """The on/off value of a toggle button; a stale form is refused before anything changes."""
    form = await posted_button(request)
    return text(form, "on") == "1"


async def _blog_id(request: Request, slug: str) -> int:
    async with services(request).db.read() as conn:
        return (await queries.blog_by_slug(conn, slug)).id


async def _editor_page(
    request: Request,
    slug: str,
    user: User,
    draft: UpdateDraft,
    errors: dict[str, str],
    *,
    page: int = 1,
    key_events_only: bool = False,
    preview: str | None = None,
    new_image: ImageRef | None = None,
    form: FormData | None = None,
) -> Response:
    """`form`: what was posted, when this page answers a post (its ticks are kept)."""
    settings = services(request).settings
    async with services(request).db.read() as conn:
        view = await queries.reader_page(conn, slug, page, settings.page_size, key_events_only)
        allowed = await rights(conn, user, view.blog.id)
        waiting = await desk.desk(conn, view.blog.id, user, allowed)
    if not allowed.draft:
        raise Forbidden(_("Your account is not on this live blog's team. Ask one of its editors."))
    context: dict[str, Any] = {
        "user": user,
        "view": view,
        "draft": draft,
        "errors": errors,
        "preview": preview,
        "new_image": new_image,
        "editor": True,
        "rights": allowed,
        "desk": waiting,
        "no_alt_ok": form is not None and bool(text(form, forms.NO_ALT_OK)),
    }
    context["added"] = await _added(request, "admin.editor_page", context)
    return render(request, "admin/liveblog.html", context, status=form_status(errors))


async def _added(request: Request, page: str, context: dict[str, Any]) -> Added:
    """What other features add to this page (suggested key events, a drafted recap)."""
    return await services(request).page_extras.for_page(page, request, context)


async def _delete_page(
    request: Request, slug: str, update_id: int, user: User, note: str, errors: dict[str, str]
) -> Response:
    blog, update = await service.update_to_change(services(request).db, slug, update_id, user)
    context = {"user": user, "blog": blog, "update": update, "note": note, "errors": errors}
    return render(request, "admin/delete.html", context, status=form_status(errors))


def _changed_meanwhile(stale: Stale, blog: Blog) -> str:
    """The form's message: who changed the update last and when, in the blog's time zone."""
    if stale.by and stale.at:
        return _(
            "Changed by %(name)s at %(time)s while you edited, so nothing was saved. Your text "
            "is kept below: save again to replace their version with yours."
        ) % {"name": stale.by, "time": clock(stale.at, blog.time_zone)}
    return _(
        "Changed by someone else while you edited, so nothing was saved. Your text is kept "
        "below: save again to replace their version with yours."
    )
