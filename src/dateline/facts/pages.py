"""Facts for readers, of a live blog and of a story: a daily timeline chart, a map, a table
sortable without JavaScript, and downloads.

GET /live/{slug}/facts[?sort=date|place|killed|injured&order=asc|desc&page=N]
                                               chart, map, tables (ROWS a page)
GET /live/{slug}/facts.csv                     the incidents and agreements as CSV
GET /live/{slug}/facts.json                    the API's answer, as a file
GET /stories/{id}/facts[?sort=…&order=…&page=N] the same for a story (its reports' facts and
GET /stories/{id}/facts.csv, .json             its live blog's)

A blog's pages speak its language, a story's the reader's. Rejected facts are never shown;
an incident several sources report is one row with the range of its counts (merge.py). Each
fact's sentence opens under it.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from dateline import i18n, timefmt
from dateline.errors import NotFound
from dateline.facts import mapview, merge, queries, timeline
from dateline.facts.labels import label
from dateline.facts.merge import SORTS, Merged, StoredFact
from dateline.facts.present import merged_json, to_csv
from dateline.facts.review_api import linker
from dateline.i18n import gettext as _
from dateline.liveblog import queries as blog_queries
from dateline.liveblog.forms import page_number
from dateline.liveblog.models import Blog
from dateline.numbers import RowId
from dateline.web.responses import render
from dateline.web.services import services

router = APIRouter()
ORDERS = {"asc": False, "desc": True}
# Rows of each table a page: a blog of a thousand updates has hundreds of facts, and one page
# of them all is hundreds of kilobytes. The chart and the map always draw every fact.
ROWS = 50


def _sorted(found: list[StoredFact], sort: str, order: str) -> tuple[list[Merged], str, bool]:
    """The facts in the order asked for; an unknown sort or order is the default one."""
    by = sort if sort in SORTS else "date"
    descending = ORDERS.get(order, by != "place")  # newest, most and A first unless asked
    return merge.sort(merge.merge(found), by, descending), by, descending


def _views(
    request: Request, found: list[StoredFact], sort: str, order: str, page: str
) -> dict[str, Any]:
    """What both facts pages show: the chart, the map and a page of each sorted table."""
    shown, by, descending = _sorted(found, sort, order)
    number = page_number(page)
    incidents = [entry for entry in shown if entry.kind == "incident"]
    agreements = [entry for entry in shown if entry.kind != "incident"]
    pages = max(1, -(-len(incidents) // ROWS), -(-len(agreements) // ROWS))
    if number > pages:
        raise NotFound(_("There are only %(pages)s pages of facts.") % {"pages": pages})
    rows = slice((number - 1) * ROWS, number * ROWS)
    return {
        "sort": by,
        "descending": descending,
        "page": number,
        "pages": pages,
        "incidents": incidents[rows],
        "agreements": agreements[rows],
        "chart": timeline.draw(shown),
        "facts_map": mapview.draw(shown),
        "label": label,
        "link": linker(request, absolute=False),
        "day": timefmt.day,
        "short_day": timefmt.short_day,
    }


def _csv(found: list[Merged], request: Request, name: str) -> Response:
    return Response(
        to_csv(found, linker(request)),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}-facts.csv"'},
    )


def _json(found: list[Merged], request: Request, name: str, owner: dict[str, Any]) -> Response:
    link = linker(request)
    body = {**owner, "facts": [merged_json(entry, link) for entry in found]}
    return Response(
        json.dumps(body, ensure_ascii=False),  # compact: indenting is Python's slow encoder
        media_type="application/json",
        headers={"content-disposition": f'attachment; filename="{name}-facts.json"'},
    )


async def _blog_facts(request: Request, slug: str) -> tuple[Blog, list[StoredFact]]:
    async with services(request).db.read() as conn:
        blog = await blog_queries.blog_by_slug(conn, slug)
        i18n.use(blog.language)
        found = await queries.of_blog(conn, blog.id)
    return blog, found


@router.get("/live/{slug}/facts", name="reader.blog_facts")
async def blog_facts(
    request: Request, slug: str, sort: str = "date", order: str = "", page: str = "1"
) -> Response:
    blog, found = await _blog_facts(request, slug)
    context = {"blog": blog, **_views(request, found, sort, order, page)}
    return render(request, "facts/blog_facts.html", context)


@router.get("/live/{slug}/facts.csv", name="reader.blog_facts_csv")
async def blog_facts_csv(
    request: Request, slug: str, sort: str = "date", order: str = ""
) -> Response:
    blog, found = await _blog_facts(request, slug)
    return _csv(_sorted(found, sort, order)[0], request, blog.slug)


@router.get("/live/{slug}/facts.json", name="reader.blog_facts_json")
async def blog_facts_json(
    request: Request, slug: str, sort: str = "date", order: str = ""
) -> Response:
    blog, found = await _blog_facts(request, slug)
    return _json(_sorted(found, sort, order)[0], request, blog.slug, {"blog": blog.slug})


async def _story_facts(
    request: Request, story_id: int
) -> tuple[queries.StoryHeading, list[StoredFact]]:
    async with services(request).db.read() as conn:
        story = await queries.story_heading(conn, story_id)
        found = await queries.of_story(conn, story_id)
    return story, found


@router.get("/stories/{story_id}/facts", name="reader.story_facts")
async def story_facts(
    request: Request, story_id: RowId, sort: str = "date", order: str = "", page: str = "1"
) -> Response:
    story, found = await _story_facts(request, story_id)
    context = {"story": story, **_views(request, found, sort, order, page)}
    return render(request, "facts/story_facts.html", context)


@router.get("/stories/{story_id}/facts.csv", name="reader.story_facts_csv")
async def story_facts_csv(
    request: Request, story_id: RowId, sort: str = "date", order: str = ""
) -> Response:
    story, found = await _story_facts(request, story_id)
    return _csv(_sorted(found, sort, order)[0], request, f"story-{story.id}")


@router.get("/stories/{story_id}/facts.json", name="reader.story_facts_json")
async def story_facts_json(
    request: Request, story_id: RowId, sort: str = "date", order: str = ""
) -> Response:
    story, found = await _story_facts(request, story_id)
    owner = {"story": story.id}
    return _json(_sorted(found, sort, order)[0], request, f"story-{story.id}", owner)
