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
fact's sentence opens under it. The merged facts, chart and map are kept while the facts stay
the same (cache.py).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.responses import Response

from dateline import i18n, timefmt
from dateline.errors import NotFound
from dateline.facts import cache, mapview, merge, queries, timeline
from dateline.facts.cache import Entry
from dateline.facts.labels import label
from dateline.facts.merge import SORTS, Merged
from dateline.facts.present import merged_json, to_csv
from dateline.facts.review_api import linker
from dateline.i18n import gettext as _
from dateline.liveblog import queries as blog_queries
from dateline.liveblog.forms import page_number
from dateline.liveblog.models import Blog
from dateline.numbers import RowId
from dateline.web.responses import render
from dateline.web.services import services
from dateline.web.templates import path_for

router = APIRouter()
ORDERS = {"asc": False, "desc": True}
# Rows of each table a page: a blog of a thousand updates has hundreds of facts, and one page
# of them all is hundreds of kilobytes. The chart and the map always draw every fact.
ROWS = 50


def _order(sort: str, order: str) -> tuple[str, bool]:
    """The sort and order asked for; an unknown sort or order is the default one."""
    by = sort if sort in SORTS else "date"
    return by, ORDERS.get(order, by != "place")  # newest, most and A first unless asked


def _sorted(found: Entry, sort: str, order: str) -> tuple[list[Merged], str, bool]:
    """The facts in the order asked for."""
    by, descending = _order(sort, order)
    return merge.sort(list(found.merged), by, descending), by, descending


def _body(request: Request, found: Entry, sort: str, order: str, page: str, owner: str) -> Markup:
    """What both facts pages show: the chart, the map and a page of each sorted table. A
    page is rendered once for each version of the facts, language, order and page number.
    `owner`: the route names' subject, "blog" or "story"; its values are in the path."""
    by, descending = _order(sort, order)
    number = page_number(page)
    incidents = sum(entry.kind == "incident" for entry in found.merged)
    pages = max(1, -(-incidents // ROWS), -(-(len(found.merged) - incidents) // ROWS))
    if number > pages:
        raise NotFound(_("There are only %(pages)s pages of facts.") % {"pages": pages})
    params = dict(request.path_params)
    paths = {
        f"{name}_path": path_for(request, f"reader.{owner}_{route}", **params)
        for name, route in (("facts", "facts"), ("csv", "facts_csv"), ("json", "facts_json"))
    }
    key = ("page", i18n.current(), by, descending, number, paths["facts_path"])
    return found.draw(key, lambda: _render_body(request, found, by, descending, number, paths))


def _render_body(
    request: Request,
    found: Entry,
    by: str,
    descending: bool,
    number: int,
    paths: dict[str, str],
) -> Markup:
    shown = merge.sort(list(found.merged), by, descending)
    incidents = [entry for entry in shown if entry.kind == "incident"]
    agreements = [entry for entry in shown if entry.kind != "incident"]
    rows = slice((number - 1) * ROWS, number * ROWS)
    context = {
        **paths,
        "sort": by,
        "descending": descending,
        "page": number,
        "pages": max(1, -(-len(incidents) // ROWS), -(-len(agreements) // ROWS)),
        "incidents": incidents[rows],
        "agreements": agreements[rows],
        "figures": found.draw(("figures", i18n.current()), lambda: _figures(request, found)),
        "label": label,
        "link": linker(request, absolute=False),
        "day": timefmt.day,
        "short_day": timefmt.short_day,
    }
    return _rendered(request, "facts/_facts_body.html", context)


def _figures(request: Request, found: Entry) -> Markup:
    """The chart and the map of every fact, in the language being spoken."""
    merged = list(found.merged)
    context: dict[str, Any] = {"chart": timeline.draw(merged), "facts_map": mapview.draw(merged)}
    context.update(day=timefmt.day, short_day=timefmt.short_day)
    return _rendered(request, "facts/_figures.html", context)


def _rendered(request: Request, template: str, context: dict[str, Any]) -> Markup:
    """A fragment of the page, rendered to keep (cache.py): the templates escape all they
    are given (autoescape), so what they render is markup."""
    html = services(request).templates.get_template(template).render(context)
    return Markup(html)  # noqa: S704 - rendered with autoescape


def _csv(found: Entry, sort: str, order: str, request: Request, name: str) -> Response:
    def write() -> str:
        return to_csv(_sorted(found, sort, order)[0], linker(request))

    return Response(
        found.draw(("csv", *_order(sort, order)), write),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}-facts.csv"'},
    )


def _json(
    found: Entry, sort: str, order: str, request: Request, name: str, owner: dict[str, Any]
) -> Response:
    def write() -> str:
        link = linker(request)
        shown = _sorted(found, sort, order)[0]
        body = {**owner, "facts": [merged_json(entry, link) for entry in shown]}
        return json.dumps(body, ensure_ascii=False)  # compact: indenting is the slow encoder

    return Response(
        found.draw(("json", *_order(sort, order), *owner.items()), write),
        media_type="application/json",
        headers={"content-disposition": f'attachment; filename="{name}-facts.json"'},
    )


async def _blog_facts(request: Request, slug: str) -> tuple[Blog, Entry]:
    db = services(request).db
    async with db.read() as conn:
        blog = await blog_queries.blog_by_slug(conn, slug)
        i18n.use(blog.language)
        found = await cache.of(db).of_blog(conn, blog.id)
    return blog, found


@router.get("/live/{slug}/facts", name="reader.blog_facts")
async def blog_facts(
    request: Request, slug: str, sort: str = "date", order: str = "", page: str = "1"
) -> Response:
    blog, found = await _blog_facts(request, slug)
    context = {"blog": blog, "facts_body": _body(request, found, sort, order, page, "blog")}
    return render(request, "facts/blog_facts.html", context)


@router.get("/live/{slug}/facts.csv", name="reader.blog_facts_csv")
async def blog_facts_csv(
    request: Request, slug: str, sort: str = "date", order: str = ""
) -> Response:
    blog, found = await _blog_facts(request, slug)
    return _csv(found, sort, order, request, blog.slug)


@router.get("/live/{slug}/facts.json", name="reader.blog_facts_json")
async def blog_facts_json(
    request: Request, slug: str, sort: str = "date", order: str = ""
) -> Response:
    blog, found = await _blog_facts(request, slug)
    return _json(found, sort, order, request, blog.slug, {"blog": blog.slug})


async def _story_facts(request: Request, story_id: int) -> tuple[queries.StoryHeading, Entry]:
    db = services(request).db
    async with db.read() as conn:
        story = await queries.story_heading(conn, story_id)
        found = await cache.of(db).of_story(conn, story_id)
    return story, found


@router.get("/stories/{story_id}/facts", name="reader.story_facts")
async def story_facts(
    request: Request, story_id: RowId, sort: str = "date", order: str = "", page: str = "1"
) -> Response:
    story, found = await _story_facts(request, story_id)
    context = {"story": story, "facts_body": _body(request, found, sort, order, page, "story")}
    return render(request, "facts/story_facts.html", context)


@router.get("/stories/{story_id}/facts.csv", name="reader.story_facts_csv")
async def story_facts_csv(
    request: Request, story_id: RowId, sort: str = "date", order: str = ""
) -> Response:
    story, found = await _story_facts(request, story_id)
    return _csv(found, sort, order, request, f"story-{story.id}")


@router.get("/stories/{story_id}/facts.json", name="reader.story_facts_json")
async def story_facts_json(
    request: Request, story_id: RowId, sort: str = "date", order: str = ""
) -> Response:
    story, found = await _story_facts(request, story_id)
    owner = {"story": story.id}
    return _json(found, sort, order, request, f"story-{story.id}", owner)
