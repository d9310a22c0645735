"""A live blog's facts for readers: a table sortable without JavaScript, and downloads.

GET /live/{slug}/facts[?sort=date|place|killed|injured]   the table (incidents, agreements)
GET /live/{slug}/facts.csv                                 the incidents and agreements as CSV
GET /live/{slug}/facts.json                                the API's answer, as a file

In the blog's language. Rejected facts are never shown; an incident several updates report
is one row with the range of its counts (merge.py). Each fact's sentence opens under it.
"""

from __future__ import annotations

import json
from typing import Any

from babel.dates import format_date
from fastapi import APIRouter, Request
from starlette.responses import Response

from dateline import i18n
from dateline.facts import merge, queries
from dateline.facts.labels import label
from dateline.facts.merge import SORTS, Merged
from dateline.facts.present import merged_json, to_csv
from dateline.facts.review_api import linker
from dateline.liveblog import queries as blog_queries
from dateline.liveblog.models import Blog
from dateline.web.responses import render
from dateline.web.services import services

router = APIRouter()


async def _facts(request: Request, slug: str, sort: str) -> tuple[Blog, list[Merged]]:
    async with services(request).db.read() as conn:
        blog = await blog_queries.blog_by_slug(conn, slug)
        i18n.use(blog.language)
        found = await queries.of_blog(conn, blog.id)
    return blog, merge.sort(merge.merge(found), sort if sort in SORTS else "date")


@router.get("/live/{slug}/facts", name="reader.blog_facts")
async def blog_facts(request: Request, slug: str, sort: str = "date") -> Response:
    blog, found = await _facts(request, slug, sort)
    context: dict[str, Any] = {
        "blog": blog,
        "sort": sort if sort in SORTS else "date",
        "sorts": SORTS,
        "incidents": [entry for entry in found if entry.kind == "incident"],
        "agreements": [entry for entry in found if entry.kind != "incident"],
        "label": label,
        "link": linker(request),
        "day": lambda day: format_date(day, "medium", locale=i18n.current()),
    }
    return render(request, "facts/blog_facts.html", context)


@router.get("/live/{slug}/facts.csv", name="reader.blog_facts_csv")
async def blog_facts_csv(request: Request, slug: str, sort: str = "date") -> Response:
    blog, found = await _facts(request, slug, sort)
    return Response(
        to_csv(found, linker(request)),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{blog.slug}-facts.csv"'},
    )


@router.get("/live/{slug}/facts.json", name="reader.blog_facts_json")
async def blog_facts_json(request: Request, slug: str, sort: str = "date") -> Response:
    blog, found = await _facts(request, slug, sort)
    link = linker(request)
    body = {"blog": blog.slug, "facts": [merged_json(entry, link) for entry in found]}
    return Response(
        json.dumps(body, ensure_ascii=False, indent=1),
        media_type="application/json",
        headers={"content-disposition": f'attachment; filename="{blog.slug}-facts.json"'},
    )
