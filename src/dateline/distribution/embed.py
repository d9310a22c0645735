"""The embeddable view of a live blog and its oEmbed description (https://oembed.com).

A partner page shows /embed/{slug} in an iframe. oEmbed lets a CMS turn a pasted blog
address into that iframe by itself; the iframe markup comes from one template
(distribution/iframe.html) for oEmbed and for the snippet shown to editors alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jinja2 import Environment

from dateline import i18n
from dateline.config import Settings
from dateline.liveblog.forms import KEY_EVENTS
from dateline.liveblog.models import Blog
from dateline.numbers import small_int

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
WIDTH = 480
HEIGHT = 640
_BLOG_PATH = re.compile(r"/live/([a-z0-9]+(?:-[a-z0-9]+)*)(?:/updates/\d+)?/?")


@dataclass(frozen=True)
class Target:
    """Which embed a page address asks for."""

    slug: str
    key_events_only: bool


def target_of(url: str, base_url: str) -> Target | None:
    """The blog behind an address of this site (either scheme), or None for anything else."""
    parts, base = urlsplit(url.strip()), urlsplit(base_url)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != base.netloc.lower():
        return None
    prefix = base.path.rstrip("/")
    if not parts.path.startswith(prefix):
        return None
    found = _BLOG_PATH.fullmatch(parts.path[len(prefix) :])
    if found is None:
        return None
    key_events_only = KEY_EVENTS in parse_qs(parts.query).get("filter", [])
    return Target(found.group(1), key_events_only)


def embed_url(settings: Settings, slug: str, key_events_only: bool = False) -> str:
    query = f"?filter={KEY_EVENTS}" if key_events_only else ""
    return f"{settings.base_url}/embed/{slug}{query}"


def iframe(templates: Environment, src: str, title: str, width: int, height: int) -> str:
    page = templates.get_template("distribution/iframe.html")
    return str(page.render(src=src, title=title, width=width, height=height))


def size_within(maximum: str, default: int) -> int:
    """oEmbed's maxwidth/maxheight: the consumer's limit, when it sends a sensible one."""
    asked = small_int(maximum)
    return min(default, asked) if asked else default


def oembed(
    settings: Settings, templates: Environment, blog: Blog, target: Target, width: int, height: int
) -> dict[str, Any]:
    src = embed_url(settings, blog.slug, target.key_events_only)
    with i18n.using(blog.language):  # the iframe's title speaks the blog's language
        title = blog.live_title()
    return {
        "version": "1.0",
        "type": "rich",
        "title": blog.title,
        "provider_name": settings.site_name,
        "provider_url": settings.base_url + "/",
        "html": iframe(templates, src, title, width, height),
        "width": width,
        "height": height,
    }
