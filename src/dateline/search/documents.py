"""What each kind of document puts in the index: its words, its language, where it belongs.

One query per kind selects, for the findable documents among some ids, exactly the columns
of a `search_docs` row, so indexing is one INSERT … SELECT in the database. Published
updates speak their blog's language; pending drafts are found by their blog's team;
followed items and stories by the newsroom.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, func, literal, null, select
from sqlalchemy.sql.elements import ColumnElement

from dateline.db.tables import blogs, drafts, items, stories, updates
from dateline.search.text import STEMMED

KINDS = ("update", "draft", "item", "story")
# The column of search_docs that names each kind's document.
REF = {"update": "update_id", "draft": "draft_id", "item": "item_id", "story": "story_id"}
# Characters of a followed item's text indexed: its start, where news puts the essentials.
ITEM_TEXT = 10_000
COLUMNS = (
    *("kind", "update_id", "draft_id", "item_id", "story_id", "blog_id", "author_id"),
    *("category", "language", "published_at", "title", "body"),
)
KEYS = {"update": updates.c.id, "draft": drafts.c.id, "item": items.c.id, "story": stories.c.id}


def rows(kind: str) -> Select[Any]:
    """search_docs rows (COLUMNS, in order) of this kind's findable documents; the caller
    narrows it by `KEYS[kind]` (deleted updates, drafts no longer pending and merged
    stories are not findable)."""
    made = _ROWS[kind]()
    values = {name: null() for name in COLUMNS} | made
    values["kind"] = literal(kind)
    found: Select[Any] = _FROM[kind](select(*(values[name].label(name) for name in COLUMNS)))
    return found


def _language(code: ColumnElement[str]) -> ColumnElement[str]:
    """'de-DE', 'DE', 'de' → 'de'; a language without a stemmer → '' (text.language_of)."""
    short = func.lower(func.substr(code, 1, 2))
    return case(*((short == known, known) for known in STEMMED), else_="")


def _update() -> dict[str, Any]:
    return {
        "update_id": updates.c.id,
        "blog_id": blogs.c.id,
        "category": blogs.c.category,
        "language": _language(blogs.c.language),
        "published_at": updates.c.published_at,
        "title": updates.c.headline,
        "body": updates.c.body_text,
    }


def _draft() -> dict[str, Any]:
    return {
        "draft_id": drafts.c.id,
        "blog_id": blogs.c.id,
        "author_id": drafts.c.author_id,
        "category": blogs.c.category,
        "language": _language(blogs.c.language),
        "published_at": drafts.c.created_at,
        "title": drafts.c.headline,
        "body": drafts.c.body,
    }


def _item() -> dict[str, Any]:
    text = func.substr(items.c.text, 1, ITEM_TEXT)
    return {
        "item_id": items.c.id,
        "category": literal(""),
        "language": _language(items.c.language),
        "published_at": items.c.listed_at,
        "title": items.c.title,
        "body": case((items.c.summary == "", text), else_=items.c.summary + "\n" + text),
    }


def _story() -> dict[str, Any]:
    return {
        "story_id": stories.c.id,
        "category": func.coalesce(stories.c.category_code, ""),
        "language": _language(stories.c.language),
        "published_at": stories.c.last_seen_at,
        "title": stories.c.title,
        "body": stories.c.summary,
    }


_ROWS = {"update": _update, "draft": _draft, "item": _item, "story": _story}
_FROM = {
    "update": lambda q: (
        q.select_from(updates)
        .join(blogs, blogs.c.id == updates.c.blog_id)
        .where(updates.c.deleted_at.is_(None))
    ),
    "draft": lambda q: (
        q.select_from(drafts)
        .join(blogs, blogs.c.id == drafts.c.blog_id)
        .where(drafts.c.status == "pending")
    ),
    "item": lambda q: q.select_from(items),
    "story": lambda q: q.select_from(stories).where(stories.c.deleted_at.is_(None)),
}
