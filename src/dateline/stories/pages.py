"""The reader's pages of the aggregator: the front page, a story, a topic, and their feeds.

GET /                                        live blogs and stories as cards
GET /stories/{id}[?page=N]                   a story: every report, its outlet, the timeline
GET /stories/{id}/feed.{atom,rss,json}       a story's reports
GET /topics/{code}                           the stories of one category
GET /topics/{code}/feed.{atom,rss,json}      those stories as a feed

No login, no writes; complete without JavaScript. Headlines come in the reader's language
where a report in it exists (stories.cards). Pages and feeds answer conditional GETs: their
ETag is a digest of what was rendered (stories change with every placed item and editors'
decisions, and there is no single sequence number to version them by, as blogs have), so a
reader's unchanged copy costs a 304 instead of the bytes.
"""

from __future__ import annotations

import hashlib
from html import escape

from fastapi import APIRouter, Request
from starlette.responses import Response

from dateline import i18n
from dateline.config import Settings
from dateline.distribution import feeds
from dateline.distribution.feeds import FEED_SIZE, Entry, Feed
from dateline.errors import NotFound
from dateline.facts import queries as facts_queries
from dateline.i18n import gettext as _
from dateline.liveblog import queries as blog_queries
from dateline.liveblog.forms import page_number
from dateline.numbers import RowId
from dateline.stories import cards, categorising
from dateline.web import http_cache
from dateline.web.responses import render
from dateline.web.services import services

router = APIRouter()

FRONT_PAGE_STORIES = 30
TOPIC_STORIES = 50
MAX_CODE = 60  # stories.category_code


def category_name(settings: Settings, code: str) -> str:
    return categorising.cached(settings).name(code, i18n.current())


def _conditional(request: Request, response: Response) -> Response:
    """A 304 when the reader's copy is this one; else the answer with its validators."""
    digest = hashlib.sha256(bytes(response.body)).hexdigest()[:20]
    version = http_cache.Version(f"{digest}-{i18n.current()}", None)
    if "set-cookie" not in response.headers and http_cache.is_fresh(request, version):
        return http_cache.not_modified(version)
    return http_cache.cached(response, version)


def _context(request: Request) -> dict[str, object]:
    settings = services(request).settings
    return {
        "category_name": lambda code: category_name(settings, code),
        "stated_code": lambda words: categorising.stated_code(settings, words),
    }


@router.get("/", name="reader.front_page")
async def front_page(request: Request) -> Response:
    language = i18n.current()
    async with services(request).db.read() as conn:
        blogs = await blog_queries.list_blogs(conn)
        stories = await cards.front_cards(conn, language, FRONT_PAGE_STORIES)
    context = {"blogs": blogs, "stories": stories, **_context(request)}
    return _conditional(request, render(request, "stories/front.html", context))


@router.get("/stories/{story_id}", name="reader.story")
async def story(request: Request, story_id: RowId, page: str = "1") -> Response:
    async with services(request).db.read() as conn:
        shown = await cards.story_page(conn, story_id, i18n.current(), page_number(page))
        has_facts = await facts_queries.story_has_facts(conn, story_id)
    context = {"view": shown, "has_facts": has_facts, **_context(request)}
    return _conditional(request, render(request, "stories/story.html", context))


@router.get("/topics/{code}", name="reader.topic")
async def topic(request: Request, code: str) -> Response:
    name = _known_topic(request, code)
    async with services(request).db.read() as conn:
        found = await cards.front_cards(
            conn, i18n.current(), TOPIC_STORIES, category=code, with_blogs=True
        )
    context = {"code": code, "name": name, "stories": found, **_context(request)}
    return _conditional(request, render(request, "stories/topic.html", context))


@router.get("/stories/{story_id}/feed.{extension}", name="reader.story_feed")
async def story_feed(request: Request, story_id: RowId, extension: str) -> Response:
    fmt = feeds.format_of(extension)
    settings = services(request).settings
    async with services(request).db.read() as conn:
        card = await cards.story_card(conn, story_id, i18n.current())
        newest = await cards.newest_reports(conn, story_id, FEED_SIZE)
    feed = Feed(
        path=f"/stories/{card.story_id}/feed",
        query="",
        title=card.title,
        description=_sources_line(card),
        page_path=f"/stories/{card.story_id}",
        updated=card.last_seen_at,
        entries=[_report_entry(report) for report in newest],
        language=i18n.current(),
    )
    return _conditional(request, Response(fmt.render(feed, settings), media_type=fmt.media_type))


@router.get("/topics/{code}/feed.{extension}", name="reader.topic_feed")
async def topic_feed(request: Request, code: str, extension: str) -> Response:
    fmt = feeds.format_of(extension)
    name = _known_topic(request, code)
    settings = services(request).settings
    async with services(request).db.read() as conn:
        found = await cards.front_cards(
            conn, i18n.current(), FEED_SIZE, category=code, with_blogs=True
        )
    feed = Feed(
        path=f"/topics/{code}/feed",
        query="",
        title=f"{name} · {settings.site_name}",
        description=_("Stories: %(category)s") % {"category": name},
        page_path=f"/topics/{code}",
        updated=max((card.last_seen_at for card in found), default=feeds.EPOCH),
        entries=[_story_entry(settings, card) for card in found],
        language=i18n.current(),
    )
    return _conditional(request, Response(fmt.render(feed, settings), media_type=fmt.media_type))


def _known_topic(request: Request, code: str) -> str:
    """The topic's name; a code no category has is a 404, not an empty page."""
    settings = services(request).settings
    if code not in categorising.known_codes(settings):
        raise NotFound(_("There is no topic %(code)s.") % {"code": code[:MAX_CODE]})
    return category_name(settings, code)


def _sources_line(card: cards.Card) -> str:
    return i18n.ngettext("%(n)s source", "%(n)s sources", card.sources_count) % {
        "n": card.sources_count
    }


def _report_entry(report: cards.StoryItem) -> Entry:
    """A report as a feed entry: its link and id are the original article's."""
    published = report.published_at or report.listed_at
    html = f"<p>{escape(report.excerpt)}</p>" if report.excerpt else ""
    return Entry(
        id=report.url,
        url=report.url,
        title=report.title or report.outlet.title,
        published=published,
        updated=published,
        html=html,
        author=report.outlet.title,
    )


def _story_entry(settings: Settings, card: cards.Card) -> Entry:
    """A story as a feed entry: its page here, which lists every outlet."""
    url = f"{settings.base_url}/stories/{card.story_id}"
    html = f"<p>{escape(card.excerpt)}</p><p>{escape(_sources_line(card))}</p>"
    return Entry(
        id=url,
        url=url,
        title=card.title,
        published=card.first_seen_at,
        updated=card.last_seen_at,
        html=html,
    )
