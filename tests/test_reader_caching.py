"""HTTP caching wherever readers go (web/http_cache.py): the front page, topic pages, live pages
and feeds carry an ETag and one Cache-Control, answer 304 to a reader holding the copy, and let
a cache hand out its copy briefly while it asks, or for a day when Dateline cannot answer."""

from __future__ import annotations

import httpx
import pytest

from dateline.accounts.service import User
from dateline.db import Database
from dateline.liveblog.models import Blog
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
