"""What the OpenAPI schema says beyond the routes' types: the problem shape every 4xx answer
has, an example of each answer and request body, and the problems each kind of route can
answer with. Kept apart from api.py so the route table stays readable.
"""

from __future__ import annotations

from typing import Any

# Answers -----------------------------------------------------------------------------------

IMAGE_ID = "3f1c9a0be3a4d2c1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7"
BLOG: dict[str, Any] = {
    "slug": "storm-live",
    "title": "Storm Idris: live updates",
    "standfirst": "Flooding across the north-west.",
    "category": "Weather",
    "time_zone": "Europe/London",
    "language": "en",
    "status": "live",
    "coverage_start": "2026-11-29T06:00:00Z",
    "coverage_end": None,
    "updated_at": "2026-11-29T14:05:12Z",
    "recap": {"items": ["Flood warnings cover six towns."], "updated_at": "2026-11-29T13:40:00Z"},
    "seq": 42,
}
BLOG_READ = {**BLOG, "comments": 4}  # approved readers' comments
ENDED_BLOG = {**BLOG, "status": "ended", "coverage_end": "2026-11-30T22:00:00Z"}
BLOG_LIST = {
    "items": [
        {**BLOG, "update_count": 31, "last_update_at": "2026-11-29T14:05:12Z", "comments": 4}
    ],
    "next": "/api/v1/blogs?limit=20&before=storm-live",
    "previous": None,
}
RECAP = BLOG["recap"]
RECAP_SAVED = {"items": ["Flood warnings cover six towns."]}
UPDATE: dict[str, Any] = {
    "id": 17,
    "headline": "River peaks",
    "body": "The Harrow peaked at **5.9 m**.",
    "body_html": "<p>The Harrow peaked at <strong>5.9 m</strong>.</p>\n",
    "key_event": True,
    "pinned": False,
    "images": [
        {
            "id": IMAGE_ID,
            "url": f"https://news.example.org/media/{IMAGE_ID}-1600.webp",
            "width": 1600,
            "height": 900,
            "alt": "Water over the road at Sallowmere",
            "caption": "The high street at noon",
            "credit": "Mara Quell/Northwind Press",
        }
    ],
    "author": "Mara Quell",
    "published_at": "2026-11-29T14:05:12Z",
    "edited_at": None,
    "status": "published",
    "version": 3,
}
DRAFT: dict[str, Any] = {
    "id": 4,
    "status": "draft",
    "headline": "Bridge closed",
    "body": "Police closed the **Wey bridge** to traffic.",
    "key_event": False,
    "images": [],
    "author": "Ines Paller",
    "created_at": "2026-11-29T14:07:00Z",
    "review_note": "",
    "update_id": None,
}
DRAFT_LIST = {"items": [DRAFT]}
EDITED_UPDATE = {**UPDATE, "edited_at": "2026-11-29T14:20:00Z", "version": 4}
UPDATE_LIST = {"items": [UPDATE], "next": "/api/v1/blogs/storm-live/updates?limit=20&before=17"}
UPLOADED = {"id": IMAGE_ID, "width": 4000, "height": 2250}
EXPORT = {
    "format": "dateline.liveblog",
    "version": 1,
    "exported_at": "2026-12-01T09:00:00Z",
    "source": {"site": "Dateline", "url": "https://news.example.org/live/storm-live"},
    "blog": {k: v for k, v in BLOG.items() if k != "seq"},
    "updates": [
        {
            "id": 17,
            "published_at": "2026-11-29T14:05:12Z",
            "edited_at": None,
            "deleted_at": None,
            "author": "Mara Quell",
            "headline": "River peaks",
            "body": "The Harrow peaked at **5.9 m**.",
            "key_event": True,
            "pinned": False,
            "correction_note": "",
            "images": [{"id": IMAGE_ID, "alt": "Water", "caption": "Noon", "credit": "M. Quell"}],
        }
    ],
    "images": [
        {
            "id": IMAGE_ID,
            "width": 1600,
            "height": 900,
            "variants": [{"width": 320, "webp": "UklGRiQAAABXRUJQVlA4…"}],
        }
    ],
}

# Request bodies (openapi_examples) ---------------------------------------------------------

BLOG_IN = {
    "blog": {
        "summary": "A new live blog",
        "value": {
            "slug": "storm-live",
            "title": "Storm Idris: live updates",
            "category": "Weather",
            "time_zone": "Europe/London",
        },
    }
}
UPDATE_IN = {
    "text": {
        "summary": "A key event",
        "value": {
            "headline": "River peaks",
            "body": "The Harrow peaked at **5.9 m**.",
            "key_event": True,
        },
    },
    "photo": {
        "summary": "With an uploaded image",
        "value": {
            "body": "Water over the road.",
            "images": [
                {
                    "id": IMAGE_ID,
                    "alt": "Flooded street",
                    "caption": "Sallowmere at noon",
                    "credit": "Mara Quell",
                }
            ],
        },
    },
}
PATCH_IN = {"fix": {"summary": "Fix the text only", "value": {"body": "It peaked at **5.8 m**."}}}
SWITCH_IN = {"on": {"summary": "Switch on", "value": {"on": True}}}
RECAP_IN = {
    "recap": {
        "summary": "Two points",
        "value": {"items": ["Flood warnings cover six towns.", "Rail services suspended."]},
    }
}
DELETE_IN = {
    "note": {
        "summary": "With a correction note",
        "value": {"correction_note": "An earlier update named the wrong street."},
    }
}
