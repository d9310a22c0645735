"""Where a search result leads: the update's permalink (which redirects to the page of the blog
that holds it, an older update being on page 2 or later), the draft's review page, the story's
page, a followed item's own address (the inbox has no page per item)."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from dateline.search.service import Hit
from dateline.web.templates import path_for


def hit_url(request: HTTPConnection, hit: Hit) -> str:
    if hit.type == "update" and hit.blog_slug:
        return path_for(request, "reader.permalink", slug=hit.blog_slug, update_id=hit.id)
    if hit.type == "draft" and hit.blog_slug:
        return path_for(request, "admin.review_page", slug=hit.blog_slug, draft_id=hit.id)
    if hit.type == "story":
        return path_for(request, "reader.story", story_id=hit.id)
    return hit.link
