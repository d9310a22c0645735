"""How sources and their items look: a source's state in words (the sources page and the
CLI), and both as JSON (the API), with the examples its schema shows."""

from __future__ import annotations

from typing import Any

from dateline.i18n import N_
from dateline.i18n import gettext as _
from dateline.ingest.models import FAILING, Item, Source
from dateline.liveblog.present import iso

# A source's state in one vocabulary, on the sources page and in `dateline source list`.
STATES = {"ok": N_("OK"), "retrying": N_("Retrying"), "failing": N_("Failing")}


def state_of(source: Source) -> str:
    """Failing after a day of failures, retrying after fewer, else OK."""
    if source.status == FAILING:
        return "failing"
    return "retrying" if source.consecutive_failures else "ok"


def state_words(source: Source) -> str:
    return _(STATES[state_of(source)])


def source_json(source: Source) -> dict[str, Any]:
    return {
        "id": source.id,
        "url": source.url,
        "canonical_url": source.canonical_url,
        "kind": source.kind,
        "title": source.title,
        "name": source.name,
        "interval_seconds": source.interval_seconds,
        "blogs": source.blog_slugs,
        "created_at": iso(source.created_at),
        "state": {
            "status": source.status,
            "last_fetch_at": iso(source.last_fetch_at),
            "last_success_at": iso(source.last_success_at),
            "next_fetch_at": iso(source.next_fetch_at),
            "consecutive_failures": source.consecutive_failures,
            "failing_since": iso(source.failing_since),
            "last_error": source.last_error,  # English, as the API speaks
            "last_error_code": source.last_error_phrase.code if source.last_error_phrase else "",
        },
    }


def item_json(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "url": item.url,
        "canonical_url": item.canonical_url,
        "title": item.title,
        "author": item.author,
        "published_at": iso(item.published_at),
        "updated_at": iso(item.updated_at),
        "first_seen_at": iso(item.first_seen_at),
        "summary": item.summary,
        "text": item.text,
        "html": item.html,
        "images": [
            {
                "url": i.get("url", ""),
                "caption": i.get("caption", ""),
                "credit": i.get("credit", ""),
            }
            for i in item.images
        ],
        "key_event": item.key_event,
        "pinned": item.pinned,
        "external_id": item.external_id,
    }


SOURCE_EXAMPLE: dict[str, Any] = {
    "id": 3,
    "url": "https://wire.example.org/world.rss",
    "canonical_url": "https://wire.example.org/world.rss",
    "kind": "feed",
    "title": "Example Wire: World",
    "name": "Example Wire: World",
    "interval_seconds": 300,
    "blogs": ["storm-live"],
    "created_at": "2026-11-29T06:00:00Z",
    "state": {
        "status": "ok",
        "last_fetch_at": "2026-11-29T14:05:00Z",
        "last_success_at": "2026-11-29T14:05:00Z",
        "next_fetch_at": "2026-11-29T14:10:02Z",
        "consecutive_failures": 0,
        "failing_since": None,
        "last_error": "",
        "last_error_code": "",
    },
}
ITEM_EXAMPLE: dict[str, Any] = {
    "id": 812,
    "url": "https://wire.example.org/2026/11/29/river-peaks?utm_source=rss",
    "canonical_url": "https://wire.example.org/2026/11/29/river-peaks",
    "title": "River Harrow peaks at 5.9 metres",
    "author": "Mara Quell",
    "published_at": "2026-11-29T14:01:00Z",
    "updated_at": None,
    "first_seen_at": "2026-11-29T14:05:00Z",
    "summary": "The river peaked overnight.",
    "text": "The river peaked overnight at 5.9 metres, the highest since 1998.",
    "html": "<p>The river peaked overnight at 5.9 metres, the highest since 1998.</p>",
    "images": [{"url": "https://wire.example.org/i/harrow.jpg", "caption": "", "credit": ""}],
    "key_event": False,
    "pinned": False,
    "external_id": "urn:wire:2026-11-29:harrow",
}
