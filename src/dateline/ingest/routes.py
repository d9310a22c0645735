"""Editor pages for sources and each blog's inbox.

    GET  /admin/sources                          sources with their state, and the add form
    POST /admin/sources                          follow a source
    POST /admin/sources/{id}/delete              stop following it
    GET  /admin/sources/discover?url=            the form to find a site's feeds, prefilled
    POST /admin/sources/discover                 the feeds a page announces, one click to add
    GET  /admin/sources/import, POST             OPML upload
    GET  /admin/sources/export.opml              OPML download
    GET  /admin/live/{slug}/inbox                new items for the blog, newest first
    GET  /admin/live/{slug}/inbox/items          the same list as a fragment (ETag; inbox.js)
    POST /admin/live/{slug}/inbox/{id}/dismiss   remove an item from this inbox
    GET  /admin/live/{slug}/inbox/{id}/use       the update form, prefilled from the item

Every POST checks CSRF, calls one service and redirects, or re-renders the form with the
editor's input and plain messages.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from dateline.accounts.auth import require_editor
from dateline.accounts.service import User
from dateline.errors import Conflict, DatelineError, Invalid
from dateline.ingest import exchange, service, views
from dateline.ingest.models import SourceDraft
from dateline.ingest.parsers.discover import FeedLink
from dateline.numbers import MAX_ID, RowId
from dateline.web import http_cache
from dateline.web.forms import form_status, posted_button, posted_form, text
from dateline.web.responses import redirect_to, render
from dateline.web.services import services

router = APIRouter(prefix="/admin")
Editor = Annotated[User, Depends(require_editor)]
Cursor = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _text(form: FormData, name: str) -> str:
    return text(form, name).strip()


@router.get("/sources", name="admin.sources_page")
async def sources_page(request: Request, user: Editor) -> Response:
    return await _sources_page(request, user, {}, {})


@router.post("/sources", name="admin.add_source")
async def add_source(request: Request, user: Editor) -> Response:
    form, errors = await posted_form(request)
    typed = {name: _text(form, name) for name in ("url", "kind", "interval", "blog")}
    if not errors:
        try:
            seconds = service.parse_interval(typed["interval"]) if typed["interval"] else None
            draft = SourceDraft(typed["url"], typed["kind"], seconds, typed["blog"])
            state = services(request)
            added = await service.add_source(state.db, state.settings, draft, user)
            return redirect_to(request, "admin.sources_page", anchor=f"source-{added.id}")
        except (Invalid, Conflict) as exc:
            errors = exc.errors if isinstance(exc, Invalid) else {"url": exc.message}
    return await _sources_page(request, user, typed, errors)


async def _sources_page(
    request: Request, user: User, typed: dict[str, str], errors: dict[str, str]
) -> Response:
    view = await views.sources_view(services(request).db, user)
    context = {"user": user, "view": view, "typed": typed, "errors": errors}
    return render(request, "ingest/sources.html", context, status=form_status(errors))


@router.post("/sources/{source_id}/delete", name="admin.delete_source")
async def delete_source(request: Request, source_id: RowId, user: Editor) -> Response:
    _, errors = await posted_form(request)
    if errors:
        return await _sources_page(request, user, {}, errors)
    await service.delete_source(services(request).db, source_id, user)
    return redirect_to(request, "admin.sources_page")


@router.get("/sources/discover", name="admin.discover_form")
async def discover_form(request: Request, user: Editor, url: str = "", blog: str = "") -> Response:
    """Only the form, prefilled from the query: a GET never makes the server fetch, so a link
    from another site opened by a signed-in editor cannot (the POST checks CSRF)."""
    return await _discover_page(request, user, {"url": url, "blog": blog}, None, {})


@router.post("/sources/discover", name="admin.discover_feeds")
async def discover_feeds(request: Request, user: Editor) -> Response:
    form, errors = await posted_form(request)
    typed = {name: _text(form, name) for name in ("url", "blog")}
    found = None
    if not errors:
        try:
            state = services(request)
            found = await exchange.discover(state.db, state.settings, typed["url"], user)
        except Invalid as exc:
            errors = exc.errors
    return await _discover_page(request, user, typed, found, errors)


async def _discover_page(
    request: Request,
    user: User,
    typed: dict[str, str],
    found: list[FeedLink] | None,
    errors: dict[str, str],
) -> Response:
    view = await views.sources_view(services(request).db, user)
    context = {"user": user, "typed": typed, "found": found, "view": view, "errors": errors}
    return render(request, "ingest/discover.html", context, status=form_status(errors))


@router.get("/sources/import", name="admin.import_form")
async def import_form(request: Request, user: Editor) -> Response:
    return await _import_page(request, user, None, {})


@router.post("/sources/import", name="admin.import_opml")
async def import_opml(request: Request, user: Editor) -> Response:
    form, errors = await posted_form(request)
    upload = form.get("file")
    report = None
    if not errors and not (isinstance(upload, UploadFile) and upload.filename):
        errors = {"file": "Choose an OPML file to upload."}
    if not errors and isinstance(upload, UploadFile):
        try:
            state = services(request)
            data = await upload.read(state.settings.fetch_max_bytes)
            report = await exchange.import_opml(
                state.db, state.settings, data, _text(form, "blog"), user
            )
        except DatelineError as exc:
            errors = {"file": exc.message}
    await form.close()
    return await _import_page(request, user, report, errors)


async def _import_page(
    request: Request, user: User, report: service.ImportReport | None, errors: dict[str, str]
) -> Response:
    view = await views.sources_view(services(request).db, user)
    context = {"user": user, "report": report, "errors": errors, "view": view}
    return render(request, "ingest/import.html", context, status=form_status(errors))


@router.get("/sources/export.opml", name="admin.export_opml")
async def export_opml(request: Request, user: Editor) -> Response:
    state = services(request)
    text = await exchange.export_opml(state.db, f"{state.settings.site_name} sources", user)
    headers = {"Content-Disposition": 'attachment; filename="dateline-sources.opml"'}
    return Response(text, media_type="text/x-opml; charset=utf-8", headers=headers)


# Inbox -------------------------------------------------------------------------------------


@router.get("/live/{slug}/inbox", name="admin.inbox_page")
async def inbox_page(request: Request, slug: str, user: Editor, before: Cursor = None) -> Response:
    view = await views.inbox_view(services(request).db, slug, user, before)
    context = {"user": user, "view": view, "blog": view.blog, "before": before}
    return render(request, "ingest/inbox.html", context)


@router.get("/live/{slug}/inbox/items", name="admin.inbox_fragment")
async def inbox_fragment(request: Request, slug: str, user: Editor) -> Response:
    """The first page of the list alone, for inbox.js; 304 while nothing changed."""
    view = await views.inbox_view(services(request).db, slug, user, None)
    version = http_cache.Version(f"inbox-{view.version}", None)
    headers = {"ETag": version.etag, "Cache-Control": "private, no-cache"}
    if http_cache.is_fresh(request, version):
        return Response(status_code=304, headers=headers)
    response = render(
        request, "ingest/_inbox_items.html", {"user": user, "view": view, "blog": view.blog}
    )
    response.headers.update(headers)
    return response


@router.post("/live/{slug}/inbox/{item_id}/dismiss", name="admin.dismiss")
async def dismiss(request: Request, slug: str, item_id: RowId, user: Editor) -> Response:
    await posted_button(request)
    await service.dismiss(services(request).db, slug, item_id, user)
    return redirect_to(request, "admin.inbox_page", slug=slug)


@router.get("/live/{slug}/inbox/{item_id}/use", name="admin.use_item")
async def use_item(request: Request, slug: str, item_id: RowId, user: Editor) -> Response:
    """The editor's own update form, prefilled; it posts to the blog's usual endpoint, so
    nothing is published until the editor presses Publish there."""
    composed = await views.compose(services(request).db, slug, item_id, user)
    context: dict[str, Any] = {
        "user": user,
        "composed": composed,
        "blog": composed.blog,
        "draft": composed.draft,
        "errors": {},
        "preview": None,
    }
    return render(request, "ingest/use_item.html", context)
