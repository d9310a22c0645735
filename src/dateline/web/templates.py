"""The Jinja environment every page renders with, and the fingerprinted static files."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from datetime import UTC
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi.routing import iter_route_contexts
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.applications import Starlette
from starlette.requests import HTTPConnection
from starlette.routing import Match

from dateline import i18n, timefmt
from dateline.config import Settings
from dateline.web.page_extras import NOTHING

PACKAGE = Path(__file__).parent.parent  # the dateline package: its templates and static


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    media_type: str
    version: str


def load_static() -> dict[str, StaticFile]:
    """Static files are few and small: read once, fingerprinted by content hash."""
    files = {}
    for path in sorted((PACKAGE / "static").iterdir()):
        body = path.read_bytes()
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        files[path.name] = StaticFile(body, media_type, hashlib.sha256(body).hexdigest()[:10])
    return files


def path_for(request: HTTPConnection, name: str, /, **params: Any) -> str:
    """The site-relative path of the route called `name` (links stay on whatever host the
    reader used); a misspelt name or a missing parameter fails loudly in tests."""
    return route_path(request.app, name, **params)


def route_path(app: Starlette, name: str, /, **params: Any) -> str:
    """Starlette's `url_path_for` tries every route in turn, raising and catching an
    exception for each that is not `name`: about a millisecond per link in an app of this
    size, which a page of 30 cards or 50 updates pays dozens of times. An index by name,
    built on first use (after the routes are all added), asks only the right route."""
    index: dict[str, Any] | None = getattr(app.state, "route_index", None)
    if index is None:  # included routers' routes with their prefixes, as the sitemap sees them
        index = {}
        for context in iter_route_contexts(app.routes):
            if context.name:
                index.setdefault(context.name, context.route)
        app.state.route_index = index
    route = index.get(name)
    if route is None:  # an unknown name: Starlette's own error
        return str(app.url_path_for(name, **params))
    return str(route.url_path_for(name, **params))


def return_path(request: HTTPConnection) -> str:
    """Where the language switch leads back to: this page, query kept (`/search?q=storm`
    stays that search). The link is built from the address alone, so everyone who gets this
    URL gets the same link; blog pages, the only ones cached apart from their query, show no
    switch. A page answering a POST (a form shown again with an error) has an address that
    answers no GET: back to the page the form was on (the Referer, when it is ours), else the
    nearest page up the path. `/language/…` checks the target is on this site."""
    if request.scope.get("method", "GET") in ("GET", "HEAD"):
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    referer = urlsplit(request.headers.get("referer", ""))
    ours = referer.netloc == request.url.netloc
    return _nearest_get_page(request, referer.path if ours else request.url.path)


def _nearest_get_page(request: HTTPConnection, path: str) -> str:
    """`path`, or the nearest address above it, that this site answers for GET."""
    routes = request.app.router.routes
    while path not in ("", "/"):
        scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
        if any(route.matches(scope)[0] == Match.FULL for route in routes):
            return path
        path = path.rsplit("/", 1)[0]
    return "/"


def bind_routes(env: Environment, app: Starlette, static: dict[str, StaticFile]) -> None:
    """Give templates `path_for(name, **params)` for the app's routes and `static_url(name)`
    for its fingerprinted static files. Bound to the app, not to a request, because the hub
    renders updates for live streams with no request at hand."""
    env.globals["path_for"] = partial(route_path, app)
    env.globals["static_url"] = partial(static_url, app, static)


def static_url(app: Starlette, static: dict[str, StaticFile], name: str) -> str:
    """'/static/live.js?v=1a2b3c4d5e': the file's route, its fingerprint in the query."""
    return f"{route_path(app, 'web.static', name=name)}?v={static[name].version}"


def make_templates(settings: Settings) -> Environment:
    """One environment for every package: each package's `templates/` folder is searched by
    relative name, so `{% extends "admin/_layout.html" %}` finds the web layer's layout."""
    folders = sorted(PACKAGE.glob("*/templates"))
    env = Environment(
        loader=FileSystemLoader([str(folder) for folder in folders]),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        site_name=settings.site_name,
        base_url=settings.base_url,
        clock=timefmt.clock,
        full_time=timefmt.full,
        relative=timefmt.relative,
        number=timefmt.number,
        zone_choices=timefmt.zone_choices,
        image_src=lambda image: image.src,
        image_srcset=lambda image: image.srcset,
        offline=False,  # True in a static export (liveblog/static_export.py): page-local links
        added=NOTHING,  # other features' additions to a page (web/page_extras.py)
        return_path=return_path,  # where the language switch leads back to
    )
    env.filters["iso"] = lambda moment: moment.astimezone(UTC).isoformat()
    i18n.install(env)
    return env
