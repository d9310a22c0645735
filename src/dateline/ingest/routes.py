"""Editor pages for sources and each blog's inbox.

    GET  /admin/sources                          sources with their state, and the add form
    POST /admin/sources                          follow a source
    POST /admin/sources/{id}/delete              stop following it
    GET  /admin/sources/discover?url=            the form to find a site's feeds, prefilled
    POST /admin/sources/discover                 the feeds a page announces, one click to add
    GET  /admin/sources/import, POST             OPML upload
    GET  /admin/sources/export.opml              OPML download
    GET  /admin/live/{slug}/inbox?source=&q=     new items for the blog, newest first, filtered
    GET  /admin/live/{slug}/inbox/items          the same list as a fragment (ETag; inbox.js)
    POST /admin/live/{slug}/inbox/{id}/dismiss   remove an item from this inbox
    GET  /admin/live/{slug}/inbox/{id}/use       the update form, prefilled from the item
    POST /admin/live/{slug}/inbox/{id}/use       publish it (or save a draft), marking the item used

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
from dateline.ingest.queries import InboxFilter
from dateline.liveblog import forms as blog_forms
from dateline.liveblog import posting
from dateline.liveblog.models import ImageRef
from dateline.numbers import MAX_ID, RowId, small_int
from dateline.web import http_cache
from dateline.web.forms import form_status, posted_button, posted_form, text
from dateline.web.responses import redirect_to, render
from dateline.web.services import services

router = APIRouter(prefix="/admin")
Editor = Annotated[User, Depends(require_editor)]
Cursor = Annotated[int | None, Query(ge=1, le=MAX_ID)]
MAX_WORDS = 200  # of the inbox's text filter


def _text(form: FormData, name: str) -> str:
    return text(form, name).strip()


@router.get("/sources", name="admin.sources_page")
async def sources_page(request: Request, user: Editor) -> Response:
    return await _sources_page(request, user, {}, {})


@router.post("/sources", name="admin.add_source")
async def add_source(request: Request, user: Editor) -> Response:
    """A web page given as a feed is not followed: the page comes back with the feeds it
    announces, one click to follow each (the discover page)."""
    form, errors = await posted_form(request)
    typed = {name: _text(form, name) for name in ("url", "kind", "interval", "blog")}
    if not errors:
        try:
            state = services(request)
            seconds = service.parse_interval(typed["interval"]) if typed["interval"] else None
            await views.check_address(state.settings, typed["url"])
            if typed["kind"] in ("", "feed") and not _text(form, "announced"):
                found = await views.feeds_instead(state.db, state.settings, typed["url"], user)
                if found is not None:
                    return await _discover_page(request, user, typed, found, {}, page_given=True)
            draft = SourceDraft(typed["url"], typed["kind"], seconds, typed["blog"])
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
    *,
    page_given: bool = False,  # the editor gave this page as a feed
) -> Response:
    view = await views.sources_view(services(request).db, user)
    context = {"user": user, "typed": typed, "found": found, "view": view, "errors": errors}
    context["page_given"] = page_given
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


def _inbox_filter(source: str, q: str) -> InboxFilter:
    """The filter as the URL gives it; what cannot be a source number filters by none."""
    return InboxFilter(small_int(source.strip()), " ".join(q.split())[:MAX_WORDS])


@router.get("/live/{slug}/inbox", name="admin.inbox_page")
async def inbox_page(
    request: Request, slug: str, user: Editor, before: Cursor = None, source: str = "", q: str = ""
) -> Response:
    only = _inbox_filter(source, q)
    view = await views.inbox_view(services(request).db, slug, user, before, only)
    context = {"user": user, "view": view, "blog": view.blog, "before": before}
    return render(request, "ingest/inbox.html", context)


@router.get("/live/{slug}/inbox/items", name="admin.inbox_fragment")
async def inbox_fragment(
    request: Request, slug: str, user: Editor, source: str = "", q: str = ""
) -> Response:
    """The first page of the list alone, for inbox.js; 304 while nothing changed."""
    only = _inbox_filter(source, q)
    view = await views.inbox_view(services(request).db, slug, user, None, only)
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
    """The editor's own update form, prefilled; nothing is published until the editor
    presses Publish."""
    composed = await views.compose(services(request).db, slug, item_id, user)
    return _use_item_page(request, user, composed, {}, None)


@router.post("/live/{slug}/inbox/{item_id}/use", name="admin.post_from_item")
async def post_from_item(request: Request, slug: str, item_id: RowId, user: Editor) -> Response:
    """Publish (or, for a contributor, save a draft) as the blog's own form does, and mark
    the item used, so the team sees it was taken and where it went."""
    state = services(request)
    composed = await views.compose(state.db, slug, item_id, user)
    form, errors = await posted_form(request)
    draft, new_image = await posting.draft_with_upload(
        request, composed.blog.id, user, form, errors
    )
    html = None
    if not errors:
        posted = await posting.preview_or_submit(
            request, slug, draft, user, form, from_item=item_id
        )
        if posted.redirect is not None:
            return posted.redirect
        html, errors = posted.preview, posted.errors
    typed = views.as_typed(composed, draft)
    no_alt_ok = bool(text(form, blog_forms.NO_ALT_OK))
    return _use_item_page(request, user, typed, errors, html, new_image, no_alt_ok)


def _use_item_page(
    request: Request,
    user: User,
    composed: views.Composed,
    errors: dict[str, str],
    preview: str | None,
    new_image: ImageRef | None = None,
    no_alt_ok: bool = False,
) -> Response:
    context: dict[str, Any] = {
        "user": user,
        "composed": composed,
        "blog": composed.blog,
        "draft": composed.draft,
        "errors": errors,
        "preview": preview,
        "new_image": new_image,
        "no_alt_ok": no_alt_ok,
    }
    return render(request, "ingest/use_item.html", context, status=form_status(errors))
