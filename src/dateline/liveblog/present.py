"""How blogs and updates look as JSON: the API's shape and the page's schema.org JSON-LD."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from dateline.liveblog.models import Blog, Image, Update

if TYPE_CHECKING:  # drafts imports the services, which need nothing from here
    from dateline.liveblog.drafts import Draft


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def blog_json(blog: Blog) -> dict[str, Any]:
    return {
        "slug": blog.slug,
        "title": blog.title,
        "standfirst": blog.standfirst,
        "category": blog.category,
        "time_zone": blog.time_zone,
        "language": blog.language,
        "status": blog.status,
        "coverage_start": iso(blog.coverage_start),
        "coverage_end": iso(blog.coverage_end),
        "updated_at": iso(blog.updated_at),
        "recap": {"items": blog.recap_items, "updated_at": iso(blog.recap_updated_at)},
        "seq": blog.last_seq,
    }


def image_json(image: Image, base_url: str) -> dict[str, Any]:
    return {
        "id": image.hash,
        "url": base_url + image.src,
        "width": image.width,
        "height": image.height,
        "alt": image.alt,
        "caption": image.caption,
        "credit": image.credit,
    }


def update_json(update: Update, base_url: str) -> dict[str, Any]:
    return {
        "id": update.id,
        "headline": update.headline,
        "body": update.body,
        "body_html": update.body_html,
        "key_event": update.key_event,
        "pinned": update.pinned,
        "images": [image_json(image, base_url) for image in update.images],
        "author": update.author_name,
        "published_at": iso(update.published_at),
        "edited_at": iso(update.edited_at),
        "status": "published",
        "version": update.version,  # also the ETag; changes with every change of the update
    }


def draft_json(draft: Draft) -> dict[str, Any]:
    """A contributor's draft: "status" is "draft" while it waits, then published/rejected."""
    return {
        "id": draft.id,
        "status": "draft" if draft.status == "pending" else draft.status,
        "headline": draft.headline,
        "body": draft.body,
        "key_event": draft.key_event,
        "images": [
            {"id": i.hash, "alt": i.alt, "caption": i.caption, "credit": i.credit}
            for i in draft.images
        ],
        "author": draft.author_name,
        "created_at": iso(draft.created_at),
        "review_note": draft.review_note,
        "update_id": draft.update_id,
    }


def update_url(base_url: str, blog: Blog, update: Update) -> str:
    """The update's permalink: it redirects to whichever page holds the update now, where a
    plain anchor on the first page breaks once newer updates push it to page 2."""
    return f"{base_url}/live/{blog.slug}/updates/{update.id}"


def live_blog_jsonld(blog: Blog, updates: list[Update], base_url: str, site_name: str) -> str:
    """schema.org LiveBlogPosting, escaped so it cannot close its <script> element.

    Follows Google's live blog guidance: coverage times, one BlogPosting per update with
    headline, body, date, author and images, plus the page's own image and authors. Deleted
    updates are left out: their text was withdrawn, only the page's correction note remains.
    """
    page_url = f"{base_url}/live/{blog.slug}"
    shown = [update for update in updates if not update.is_deleted]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "@id": page_url,
        "url": page_url,
        "mainEntityOfPage": page_url,
        "headline": blog.title,
        "description": blog.standfirst,
        "inLanguage": blog.language,
        "datePublished": iso(blog.coverage_start),
        "dateModified": iso(blog.updated_at),
        "coverageStartTime": iso(blog.coverage_start),
        "publisher": {"@type": "Organization", "name": site_name, "url": f"{base_url}/"},
        "author": _authors(shown, site_name),
        "liveBlogUpdate": [_posting(update, blog, base_url) for update in shown],
    }
    if blog.coverage_end:
        data["coverageEndTime"] = iso(blog.coverage_end)
    if blog.category:
        data["articleSection"] = blog.category
    illustrated = [update for update in shown if update.images]
    if illustrated:
        data["image"] = [base_url + illustrated[0].images[0].src]
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


def _authors(updates: list[Update], site_name: str) -> list[dict[str, str]]:
    """The reporters of the updates shown, or the publication when none signed one."""
    names = list(dict.fromkeys(update.author_name for update in updates if update.author_name))
    if not names:
        return [{"@type": "Organization", "name": site_name}]
    return [{"@type": "Person", "name": name} for name in names]


def _posting(update: Update, blog: Blog, base_url: str) -> dict[str, Any]:
    posting: dict[str, Any] = {
        "@type": "BlogPosting",
        "headline": update.short_title,
        "datePublished": iso(update.published_at),
        "articleBody": update.body_text,
        "url": update_url(base_url, blog, update),
    }
    if update.author_name:
        posting["author"] = {"@type": "Person", "name": update.author_name}
    if update.edited_at:
        posting["dateModified"] = iso(update.edited_at)
    if update.images:
        posting["image"] = [base_url + image.src for image in update.images]
    return posting
