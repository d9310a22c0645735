"""JSON API v1 for stored facts: a blog's and a story's facts (public, like the pages), and
editors' review of one fact (a write token of an editor or admin).

Readers get suggested, confirmed and corrected facts; `?rejected=true` adds the rejected
ones, for editors' tools. One incident reported by several sources is one entry (merge.py).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from dateline.accounts.auth import require_api_user
from dateline.accounts.service import User
from dateline.db.tables import utcnow
from dateline.errors import Forbidden, Invalid
from dateline.facts import merge, queries
from dateline.facts.merge import Merged, Source
from dateline.facts.present import Link, merged_json
from dateline.i18n import gettext as _
from dateline.limits import ApiInput
from dateline.liveblog import queries as blog_queries
from dateline.numbers import RowId
from dateline.web.api_docs import CHANGE, READ, ok
from dateline.web.services import services
from dateline.web.templates import path_for

router = APIRouter(prefix="/api/v1", tags=["facts"])
Sort = Literal["date", "place", "killed", "injured"]
COUNT = Annotated[int, Field(ge=0, le=10_000_000)]
NAME = Annotated[str, Field(min_length=1, max_length=200)]
# Which fields an editor may correct, by the fact's type (evidence is the source's).
CORRECTABLE = {
    "incident": {"kind", "place", "killed", "injured", "missing", "qualifier", "date"},
    "exchange": {"what", "count", "status", "parties"},
    "ceasefire": {"proposed_by", "min_days", "max_days", "scope", "status"},
    "talks": {"place", "start_date", "end_date", "parties"},
}
DATES = ("date", "start_date", "end_date")
# The words a corrected field may take, by the fact's type: the extractor's own vocabulary.
WORDS = {
    ("incident", "kind"): {
        *("shelling", "missile", "drone", "air strike", "attack", "explosion"),
        *("earthquake", "flood", "fire", "crash", "other"),
    },
    ("incident", "qualifier"): {"at least", "more than", "about", "up to"},
    ("exchange", "what"): {"prisoners", "bodies", "children", "wounded", "hostages", "civilians"},
    ("exchange", "status"): {"agreed", "completed", "proposed", "demanded"},
    ("ceasefire", "status"): {"proposed", "agreed", "rejected", "violated", "in force"},
    ("ceasefire", "scope"): {"partial", "full"},
}
EXAMPLE = {
    "id": 7,
    "type": "incident",
    "review": "suggested",
    "date": "2025-06-02",
    "fact": {"kind": "shelling", "killed": 2, "injured": None, "place": {"name": "Kharkiv"}},
    "counts": {"killed": {"min": 2, "max": 3}, "injured": None, "missing": None},
    "sources": [
        {
            "fact_id": 7,
            "review": "suggested",
            "kind": "item",
            "update_id": None,
            "item_id": 1207,
            "url": "https://wire.example.org/kharkiv",
            "title": "Shelling kills two in Kharkiv",
            "source_title": "Northwind Wire",
            "published_at": "2025-06-03T09:00:00Z",
            "killed": 2,
            "injured": None,
            "missing": None,
            "evidence": {"start": 0, "end": 41, "text": "Shelling killed two people in Kharkiv."},
        }
    ],
}


async def require_editor(user: Annotated[User, Depends(require_api_user)]) -> User:
    if not user.is_editor:
        raise Forbidden(_("Only editors review facts."))
    return user


Editor = Annotated[User, Depends(require_editor)]


def linker(request: Request, absolute: bool = True) -> Link:
    """A source's address: an update's permalink on this site, an item's own URL. The
    permalink is absolute (base_url) in documents that leave the site (JSON, CSV) and
    relative on our own HTML pages, like every other reader link."""
    base = services(request).settings.base_url.rstrip("/") if absolute else ""
    # The router is asked once a blog (it walks every route): a permalink ends in the id.
    prefixes: dict[str, str] = {}

    def link(source: Source) -> str:
        if source.kind == "update" and source.blog_slug and source.update_id:
            prefix = prefixes.get(source.blog_slug)
            if prefix is None:
                one = path_for(request, "reader.permalink", slug=source.blog_slug, update_id=1)
                prefix = prefixes[source.blog_slug] = f"{base}{one.removesuffix('1')}"
            return f"{prefix}{source.update_id}"
        return source.url

    return link


def answer(request: Request, found: list[Merged]) -> list[dict[str, Any]]:
    link = linker(request)
    return [merged_json(entry, link) for entry in found]


@router.get(
    "/blogs/{slug}/facts",
    summary="A live blog's facts",
    responses={**ok("Facts of the blog's updates, each with its sources.", EXAMPLE), **READ},
    name="api.blog_facts",
)
async def blog_facts(
    request: Request, slug: str, sort: Sort = "date", rejected: bool = False
) -> dict[str, Any]:
    """Newest first (or by place, killed, injured); an incident several updates report is
    one entry with the range of its counts."""
    async with services(request).db.read() as conn:
        blog = await blog_queries.blog_by_slug(conn, slug)
        found = await queries.of_blog(conn, blog.id, rejected=rejected)
    return {"blog": blog.slug, "facts": answer(request, merge.sort(merge.merge(found), sort))}


@router.get(
    "/stories/{story_id}/facts",
    summary="A story's facts",
    responses={**ok("Facts of the story's items, each with its sources.", EXAMPLE), **READ},
    name="api.story_facts",
)
async def story_facts(
    request: Request, story_id: RowId, sort: Sort = "date", rejected: bool = False
) -> dict[str, Any]:
    """The same incident reported by several outlets is one entry with all its sources."""
    async with services(request).db.read() as conn:
        found = await queries.of_story(conn, story_id, rejected=rejected)
    return {"story": story_id, "facts": answer(request, merge.sort(merge.merge(found), sort))}


class PlaceIn(ApiInput):
    name: NAME
    geonames_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    country: str | None = Field(default=None, max_length=2)
    admin1: str | None = Field(default=None, max_length=20)
    relation: Literal["in", "near", "region"] = "in"


class FactChanges(ApiInput):
    """The fields that change; those left out stay as read."""

    kind: str | None = Field(default=None, max_length=20)
    place: PlaceIn | None = None
    killed: COUNT | None = None
    injured: COUNT | None = None
    missing: COUNT | None = None
    qualifier: str | None = Field(default=None, max_length=40)
    date: str | None = Field(default=None, max_length=10)
    what: str | None = Field(default=None, max_length=40)
    count: COUNT | None = None
    status: str | None = Field(default=None, max_length=20)
    parties: list[NAME] | None = Field(default=None, max_length=20)
    proposed_by: str | None = Field(default=None, max_length=200)
    min_days: COUNT | None = None
    max_days: COUNT | None = None
    scope: str | None = Field(default=None, max_length=20)
    start_date: str | None = Field(default=None, max_length=10)
    end_date: str | None = Field(default=None, max_length=10)


class ReviewIn(ApiInput):
    state: Literal["confirmed", "corrected", "rejected"]
    fact: FactChanges | None = None


@router.post(
    "/facts/{fact_id}/review",
    summary="Confirm, correct or reject a fact",
    responses={**ok("The fact as reviewed.", EXAMPLE), **CHANGE},
    name="api.review_fact",
)
async def review_fact(
    request: Request, fact_id: RowId, body: ReviewIn, user: Editor
) -> dict[str, Any]:
    """`corrected` needs `fact` with the fields that change. A reviewed fact is never
    replaced by a later reading of its text."""
    db = services(request).db
    async with db.read() as conn:
        (current,) = await queries.one(conn, fact_id)
    changes = _changes(current.kind, body) if body.state == "corrected" else None
    await queries.review(db, fact_id, body.state, changes, user.id, utcnow())
    async with db.read() as conn:
        found = await queries.one(conn, fact_id)
    return answer(request, merge.merge(found))[0]


def _changes(kind: str, body: ReviewIn) -> dict[str, Any]:
    if body.fact is None or not body.fact.model_fields_set:
        raise Invalid({"fact": _("Say what is correct: the fields that change.")})
    given = body.fact.model_fields_set
    if wrong := sorted(given - CORRECTABLE[kind]):
        message = _("This fact has no field %(names)s.") % {"names": ", ".join(wrong)}
        raise Invalid({"fact": message})
    changes = body.fact.model_dump(include=given)
    for name in DATES:
        if changes.get(name) is not None:
            _check_date(name, changes[name])
    for name, value in changes.items():
        words = WORDS.get((kind, name))
        if words is not None and value is not None and value not in words:
            message = _("Choose one of: %(words)s.") % {"words": ", ".join(sorted(words))}
            raise Invalid({name: message})
    return changes


def _check_date(name: str, value: str) -> None:
    try:
        date.fromisoformat(value)
    except ValueError as error:
        message = _("Give a date like 2025-06-03.")
        raise Invalid({name: message}) from error
