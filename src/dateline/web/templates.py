"""The Jinja environment every page renders with, and the fingerprinted static files."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from datetime import UTC
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from dateline import i18n, timefmt
from dateline.config import Settings

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
    return str(app.url_path_for(name, **params))


def bind_routes(env: Environment, app: Starlette) -> None:
    """Give templates `path_for(name, **params)` for the app's routes. Bound to the app, not
    to a request, because the hub renders updates for live streams with no request at hand."""
    env.globals["path_for"] = partial(route_path, app)


def make_templates(settings: Settings, static: dict[str, StaticFile]) -> Environment:
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
        static_url=lambda name: f"/static/{name}?v={static[name].version}",
        clock=timefmt.clock,
        full_time=timefmt.full,
        relative=timefmt.relative,
        number=timefmt.number,
        zone_choices=timefmt.zone_choices,
        image_src=lambda image: image.src,
        image_srcset=lambda image: image.srcset,
        offline=False,  # True in a static export (liveblog/static_export.py): page-local links
    )
    env.filters["iso"] = lambda moment: moment.astimezone(UTC).isoformat()
    i18n.install(env)
    return env
