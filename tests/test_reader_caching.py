"""HTTP caching wherever readers go (web/http_cache.py): the front page, topic pages, live pages
and feeds carry an ETag and one Cache-Control, answer 304 to a reader holding the copy, and let
a cache hand out its copy briefly while it asks, or for a day when Dateline cannot answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from dateline.accounts.service import User
from dateline.db import Database
from dateline.liveblog.models import Blog
from dateline.web import http_cache
from tests.helpers import post

READER_PATHS = ["/", "/topics/medtop:15000000", "/live/{slug}", "/feed.atom"]


def directives(response: httpx.Response) -> set[str]:
    return {part.strip() for part in response.headers["cache-control"].split(",")}


@pytest.mark.parametrize("path", READER_PATHS)
async def test_reader_pages_may_be_served_stale_briefly_or_when_dateline_fails(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User, path: str
) -> None:
    await post(db, blog, editor, "Polls have closed.")
    url = path.format(slug=blog.slug)
    first = await client.get(url)
    assert first.status_code == 200
    assert directives(first) == {
        "public",
        "max-age=0",
        "stale-while-revalidate=10",
        "stale-if-error=86400",
    }
    again = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert directives(again) == directives(first)


async def test_a_live_page_is_not_reused_after_the_blogs_midnight(
    client: httpx.AsyncClient,
    app: Any,
    db: Database,
    blog: Blog,
    editor: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Today's updates show their time only, earlier days' their date too: a copy made before
    the blog's midnight must not be reused after it, even when the blog never changes again
    (once the copy kept in memory has had its few seconds, web/fast_path.py)."""
    seconds = [0.0]
    app.fast_path.clock = lambda: seconds[0]
    await post(db, blog, editor, "Counting goes on through the night.")
    evening = datetime(2026, 6, 1, 20, 59, tzinfo=UTC)  # 23:59 in Kyiv, the blog's zone
    monkeypatch.setattr(http_cache, "now", lambda: evening)
    url = f"/live/{blog.slug}"
    first = await client.get(url)
    again = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304  # same day, nothing changed
    monkeypatch.setattr(http_cache, "now", lambda: evening + timedelta(minutes=2))
    seconds[0] += app.fast_path.ttl
    after_midnight = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert after_midnight.status_code == 200
    assert after_midnight.headers["etag"] != first.headers["etag"]
