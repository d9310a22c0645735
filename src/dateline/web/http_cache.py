"""Conditional GET for pages and feeds: ETag and Last-Modified derived from the event log.

A blog's `last_seq` goes up by one with every change, so it is the blog's version: an ETag
built from it changes exactly when the content may have. Asking the database for one blog row
is far cheaper than rendering 50 updates, so routes check freshness before loading the rest.

Only for responses that are the same for every visitor. A response that sets a cookie (a
flash message being cleared, a CSRF seed) is personal: it gets no validators and no public
caching, and a request carrying a flash cookie is never answered with 304, because the page it
would reuse does not show the message.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Protocol

from starlette.requests import Request
from starlette.responses import Response

from dateline import __version__, i18n
from dateline.timefmt import local
from dateline.web.flash import FLASH_COOKIE
from dateline.web.services import services
from dateline.web.templates import StaticFile

# Pages show relative times ("5 minutes ago"), so a cache asks before it reuses a copy. While
# it asks it may hand out its copy for a few seconds more (a live page's script catches up
# from the seq the page carries; ages tick in the browser), and when Dateline cannot answer,
# a day-old reader page beats an error page. Personal answers are never stored (PERSONAL).
STALE_WHILE_REVALIDATE = 10  # seconds
STALE_IF_ERROR = 86_400  # seconds
CACHE_CONTROL = (
    f"public, max-age=0, stale-while-revalidate={STALE_WHILE_REVALIDATE}, "
    f"stale-if-error={STALE_IF_ERROR}"
)
PERSONAL = "private, no-store"
_ETAG = re.compile(r'(?:W/)?"([^"]*)"')
# The blog logs a request's answer was versioned by, (blog id or None for all, seq), noted
# when someone listens (web/fast_path.py keeps answers until one of those logs moves).
_noted: ContextVar[list[tuple[int | None, int]] | None] = ContextVar(
    "dateline_versions_noted", default=None
)


@dataclass(frozen=True)
class Version:
    """What a client's copy is compared with: the opaque tag and the time of the last change."""

    tag: str
    modified: datetime | None

    @property
    def etag(self) -> str:
        """Weak: the bytes may differ (relative times) while the content is the same."""
        return f'W/"{self.tag}"'


class Versioned(Protocol):
    """A blog as the cache sees it: its id, its sequence number, its zone and when it last
    changed."""

    @property
    def id(self) -> int: ...
    @property
    def last_seq(self) -> int: ...
    @property
    def time_zone(self) -> str: ...
    @property
    def updated_at(self) -> datetime | None: ...


class VersionedSet(Protocol):
    """Several blogs at once (a front page, a feed of all blogs)."""

    @property
    def count(self) -> int: ...
    @property
    def seq_total(self) -> int: ...
    @property
    def updated_at(self) -> datetime | None: ...


def of_blog(blog: Versioned, variant: str) -> Version:
    """Tags carry the language the answer speaks (a blog's own, once its route called
    `i18n.use`): the same content in another language is another copy."""
    tag = f"b{blog.id}-s{blog.last_seq}-{i18n.current()}-{variant}-{_today(blog.time_zone)}"
    _note(blog.id, blog.last_seq)
    return Version(tag, blog.updated_at)


def _today(zone: str) -> str:
    """The blog's local date: an update of today shows only its time, one of an earlier day
    its date too, so a copy made before the blog's midnight is not reused after it (an ended
    blog's log never moves again)."""
    return local(now(), zone).date().isoformat()


def now() -> datetime:
    """The clock the day above is read from (a test sets it)."""
    return datetime.now(UTC)


def of_blog_set(spanned: VersionedSet, variant: str) -> Version:
    """The count joins the seq total so a new blog with no events yet still changes the tag."""
    tag = f"n{spanned.count}-s{spanned.seq_total}-{i18n.current()}-{variant}"
    _note(None, spanned.seq_total)  # any blog's next event may change it
    return Version(tag, spanned.updated_at)


@contextmanager
def noting_versions() -> Iterator[list[tuple[int | None, int]]]:
    """Collect, for the request run inside the block, the blog logs (blog id, seq) its answer
    was versioned by; None stands for every blog. Empty when the answer said nothing."""
    noted: list[tuple[int | None, int]] = []
    token = _noted.set(noted)
    try:
        yield noted
    finally:
        _noted.reset(token)


def _note(blog_id: int | None, seq: int) -> None:
    noted = _noted.get()
    if noted is not None:
        noted.append((blog_id, seq))


def release_tag(static: dict[str, StaticFile]) -> str:
    """A digest of the code and static file versions, computed once at start-up.

    A deploy that changes the CSS or JS must not leave browsers revalidating into 304s for a
    page that still points at the old files.
    """
    versions = [__version__, *(f.version for f in static.values())]
    return hashlib.sha256("".join(versions).encode()).hexdigest()[:8]


def html_variant(request: Request, *parts: str) -> str:
    """The variant of an HTML page, ending in the release tag."""
    return "-".join([*parts, f"r{services(request).release}"])


def is_fresh(request: Request, version: Version) -> bool:
    """Whether the client's copy is current: If-None-Match wins over If-Modified-Since."""
    if FLASH_COOKIE in request.cookies:
        return False
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return matches(if_none_match, version.tag)
    since = _http_date(request.headers.get("if-modified-since"))
    if since is None or version.modified is None:
        return False
    return version.modified.replace(microsecond=0) <= since


def matches(if_none_match: str, tag: str) -> bool:
    """Does an If-None-Match header name the copy tagged `tag` (weak comparison)?"""
    return if_none_match.strip() == "*" or tag in etag_tags(if_none_match)


def etag_tags(header: str) -> list[str]:
    """The opaque tags of an ETag or If-None-Match header."""
    return _ETAG.findall(header)


def not_modified(version: Version) -> Response:
    return Response(status_code=304, headers=_validators(version))


def cached(response: Response, version: Version) -> Response:
    """Give a 200 its validators, unless it sets a cookie (then nobody may store it)."""
    if "set-cookie" in response.headers:
        response.headers["Cache-Control"] = PERSONAL
        return response
    response.headers.update(_validators(version))
    return response


def _validators(version: Version) -> dict[str, str]:
    headers = {"ETag": version.etag, "Cache-Control": CACHE_CONTROL}
    if version.modified is not None:
        headers["Last-Modified"] = format_datetime(version.modified.astimezone(UTC), usegmt=True)
    return headers


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
