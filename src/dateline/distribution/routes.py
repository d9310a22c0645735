"""Feeds, the embeddable view and oEmbed. Public, read-only, and revalidated by ETag.

GET /live/{slug}/feed.{atom,rss,json}[?filter=key-events]   one blog
GET /live/{slug}/comments/feed.{atom,rss,json}               its approved readers' comments
GET /category/{name}/feed.{atom,rss,json}                    blogs of one category
GET /feed.{atom,rss,json}                                    the whole site
GET /embed/{slug}[?filter=key-events][&limit=N]              compact view for an iframe
GET /oembed?url=…&format=json                                oEmbed for a blog address
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, Response

from dateline import i18n
from dateline.comments import queries as comment_queries
from dateline.config import Settings
from dateline.db import Database
from dateline.distribution import embed, feeds
from dateline.distribution.feeds import FEED_SIZE
from dateline.errors import NotFound
from dateline.liveblog import queries
from dateline.liveblog.forms import KEY_EVENTS
from dateline.web import http_cache
from dateline.web.errors import problem
from dateline.web.responses import render
from dateline.web.services import services

router = APIRouter()


@router.get("/live/{slug}/feed.{extension}", name="reader.blog_feed")
async def blog_feed(request: Request, slug: str, extension: str, filter: str = "") -> Response:
    fmt = feeds.format_of(extension)
    key_events_only = filter == KEY_EVENTS
    async with _db(request).read() as conn:
        blog = await queries.blog_by_slug(conn, slug)
        i18n.use(blog.language)
        version = http_cache.of_blog(blog, f"{extension}-{_shown(key_events_only)}")
        if http_cache.is_fresh(request, version):
            return http_cache.not_modified(version)
        found = await queries.latest_updates(
            conn, FEED_SIZE, blog_id=blog.id, key_events_only=key_events_only
        )
        comments = await comment_queries.approved_count(conn, blog.id)
    settings = _settings(request)
    feed = feeds.blog_feed(settings, blog, found, key_events_only, comments)
    return http_cache.cached(
        Response(fmt.render(feed, settings), media_type=fmt.media_type), version
    )


@router.get("/live/{slug}/comments/feed.{extension}", name="reader.comments_feed")
async def comments_feed(request: Request, slug: str, extension: str) -> Response:
    """Approved comments only: the feed is built from what readers may see, nothing else."""
    fmt = feeds.format_of(extension)
    async with _db(request).read() as conn:
        blog = await queries.blog_by_slug(conn, slug)
        i18n.use(blog.language)
        version = http_cache.of_blog(blog, f"comments-{extension}")
        if http_cache.is_fresh(request, version):
            return http_cache.not_modified(version)
        found = await comment_queries.approved(conn, blog.id, FEED_SIZE)
        total = await comment_queries.approved_count(conn, blog.id)
    settings = _settings(request)
    feed = feeds.comments_feed(settings, blog, found, total)
    return http_cache.cached(
        Response(fmt.render(feed, settings), media_type=fmt.media_type), version
    )


@router.get("/category/{name:path}/feed.{extension}", name="reader.category_feed")
async def category_feed(request: Request, name: str, extension: str) -> Response:
    return await _blogs_feed(request, extension, name)


@router.get("/feed.{extension}", name="reader.site_feed")
async def site_feed(request: Request, extension: str) -> Response:
    return await _blogs_feed(request, extension, None)


async def _blogs_feed(request: Request, extension: str, category: str | None) -> Response:
    """One shape for the category and site-wide feeds: only the WHERE differs."""
    fmt = feeds.format_of(extension)
    async with _db(request).read() as conn:
        spanned = await queries.blog_set(conn, category)
        version = http_cache.of_blog_set(spanned, extension)
        if http_cache.is_fresh(request, version):
            return http_cache.not_modified(version)
        found = await queries.latest_updates(conn, FEED_SIZE, category=category)
        blogs = await queries.blogs_by_id(conn, {update.blog_id for update in found})
    settings = _settings(request)
    entries = [feeds.update_entry(settings, blogs[u.blog_id], u, across=True) for u in found]
    body = fmt.render(feeds.blogs_feed(spanned, entries, settings.site_name), settings)
    return http_cache.cached(Response(body, media_type=fmt.media_type), version)


@router.get("/embed/{slug}", name="reader.embed_page")
async def embed_page(
    request: Request,
    slug: str,
    filter: str = "",
    limit: int = Query(embed.DEFAULT_LIMIT, ge=1, le=embed.MAX_LIMIT),
) -> Response:
    key_events_only = filter == KEY_EVENTS
    variant = http_cache.html_variant(request, "embed", _shown(key_events_only), f"n{limit}")
    async with _db(request).read() as conn:
        blog = await queries.blog_by_slug(conn, slug)
        i18n.use(blog.language)
        version = http_cache.of_blog(blog, variant)
        if http_cache.is_fresh(request, version):
            return http_cache.not_modified(version)
        found = await queries.latest_updates(
            conn, limit, blog_id=blog.id, key_events_only=key_events_only
        )
    context = {"blog": blog, "updates": found, "key_events_only": key_events_only, "editor": False}
    return http_cache.cached(render(request, "distribution/embed.html", context), version)


@router.get("/oembed", name="reader.oembed")
async def oembed(
    request: Request, url: str = "", format: str = "json", maxwidth: str = "", maxheight: str = ""
) -> Response:
    if format != "json":
        return problem(501, "not_implemented", "Only format=json is offered.")
    settings = _settings(request)
    target = embed.target_of(url, settings.base_url)
    if target is None:
        return problem(404, "not_found", "That address is not a live blog on this site.")
    try:
        async with _db(request).read() as conn:
            blog = await queries.blog_by_slug(conn, target.slug)
    except NotFound as exc:
        return problem(404, "not_found", exc.message)
    width = embed.size_within(maxwidth, embed.WIDTH)
    height = embed.size_within(maxheight, embed.HEIGHT)
    templates = services(request).templates
    return JSONResponse(embed.oembed(settings, templates, blog, target, width, height))


def _shown(key_events_only: bool) -> str:
    return "key" if key_events_only else "all"


def _db(request: Request) -> Database:
    return services(request).db


def _settings(request: Request) -> Settings:
    return services(request).settings
