"""What a page shows of a blog's comments (`Discussion`), read in the caller's connection:
the live page, the comments page and the static export render the same partials from it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.comments import queries
from dateline.comments.models import CommentDraft
from dateline.comments.queries import CommentPage

ON_LIVE_PAGE = 10  # the newest comments under the stream; the comments page has the rest


@dataclass(frozen=True)
class Discussion:
    takes_comments: bool
    page: CommentPage
    draft: CommentDraft = field(default_factory=lambda: CommentDraft(body=""))
    errors: dict[str, str] = field(default_factory=dict)
    with_token: bool = False  # a personal page: the form carries a CSRF token


async def discussion(
    conn: AsyncConnection, slug: str, page: int = 1, size: int = ON_LIVE_PAGE
) -> Discussion:
    blog = await queries.commented_blog(conn, slug)
    found = await queries.approved_page(conn, blog.id, page, size)
    return Discussion(blog.takes_comments, found)


async def everything(conn: AsyncConnection, blog_id: int) -> Discussion:
    """Every approved comment on one page, for a static export (which takes none)."""
    found = await queries.approved(conn, blog_id)
    return Discussion(False, CommentPage(found, 1, 1, len(found)))
