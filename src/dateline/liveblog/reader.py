"""Reader pages: a live blog and update permalinks. No login, no writes. (The front page,
which shows live blogs beside stories, is dateline.stories.pages.)"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from dateline import i18n
from dateline.comments import views as comment_views
from dateline.errors import NotFound
from dateline.i18n import gettext as _
from dateline.liveblog import queries
from dateline.liveblog.forms import KEY_EVENTS, page_number
from dateline.liveblog.present import live_blog_jsonld
from dateline.numbers import RowId
from dateline.web import http_cache
from dateline.web.flash import FLASH_COOKIE
from dateline.web.responses import redirect, render
from dateline.web.services import services
from dateline.web.templates import path_for

router = APIRouter()


@router.get("/live/{slug}", name="reader.live_blog")
async def live_blog(request: Request, slug: str, page: str = "1", filter: str = "") -> Response:
    settings = services(request).settings
    number, key_events_only = page_number(page), filter == KEY_EVENTS
    variant = http_cache.html_variant(request, f"p{number}", "key" if key_events_only else "all")
    async with services(request).db.read() as conn:
        blog = await queries.blog_by_slug(conn, slug)
        i18n.use(blog.language)  # whoever reads, the page speaks the blog's language
        # Facts are found after their update's event, outside the log: whether the page links
        # to them is part of its variant. Versioned before the page is read, so the ETag is
        # never newer than what it labels.
        has_facts = await queries.has_facts(conn, blog.id)
        version = http_cache.of_blog(blog, f"{variant}-f{int(has_facts)}")
        if http_cache.is_fresh(request, version):
            return http_cache.not_modified(version)
        personal = FLASH_COOKIE in request.cookies
        if not personal and (copy := services(request).page_cache.get(version.tag)):
            return http_cache.cached(HTMLResponse(copy), version)
        view = await queries.reader_page(conn, slug, number, settings.page_size, key_events_only)
        discussion = await comment_views.discussion(conn, slug)
    jsonld = live_blog_jsonld(view.blog, view.updates, settings.base_url, settings.site_name)
    context = {"view": view, "jsonld": jsonld, "editor": False, "has_facts": has_facts}
    response = render(request, "liveblog.html", {**context, "discussion": discussion})
    if not personal and "set-cookie" not in response.headers:
        services(request).page_cache.put(version.tag, bytes(response.body))
    return http_cache.cached(response, version)


@router.get("/live/{slug}/updates/{update_id}", name="reader.permalink")
async def permalink(request: Request, slug: str, update_id: RowId) -> Response:
    settings = services(request).settings
    async with services(request).db.read() as conn:
        blog = await queries.blog_by_slug(conn, slug)
        i18n.use(blog.language)
        update = await queries.update_by_id(conn, blog.id, update_id)
        if update.is_deleted and not update.correction_note:
            raise NotFound(_("This update was removed."))
        page = await queries.page_of(conn, update, settings.page_size)
    query = f"?page={page}" if page > 1 else ""
    page_path = path_for(request, "reader.live_blog", slug=slug)
    return redirect(request, f"{page_path}{query}#update-{update_id}")
